package io.wheelcast.engine.protocol;

import io.netty.buffer.ByteBuf;

/** Where {@link NodeCore} puts finished datagrams: the channel in production, a list in tests. */
public interface DatagramSink {
    ByteBuf allocate(int capacity);

    /** Takes ownership of {@code datagram}. */
    void send(ByteBuf datagram);

    void flush();
}
