package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/** Writes the authentication tag of an outgoing datagram (see the security docs). */
public interface DatagramSigner {
    /** Key id written into the header, so receivers know which key to verify with. */
    int keyId();

    /**
     * Computes the tag over {@code buf[start, start + signedLength)} and writes
     * {@link WireFormat#AUTH_TAG_LENGTH} bytes at {@code start + signedLength}.
     */
    void sign(ByteBuf buf, int start, int signedLength);
}
