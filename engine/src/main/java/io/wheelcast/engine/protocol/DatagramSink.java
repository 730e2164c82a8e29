package io.wheelcast.engine.protocol;

import io.netty.buffer.ByteBuf;

/** Where {@link NodeCore} puts finished datagrams: the channel in production, a list in tests. */
public interface DatagramSink {
    ByteBuf allocate(int capacity);

    /** Takes ownership of {@code datagram}. */
    void send(ByteBuf datagram);

    /**
     * Takes ownership of {@code datagram}, meant for one member only (unicast mode). By default
     * it goes where {@link #send} sends: every member ignores what is not its own.
     */
    default void sendTo(ByteBuf datagram, long member) {
        send(datagram);
    }

    void flush();
}
