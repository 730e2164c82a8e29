package io.wheelcast.engine.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The loop's one scratch array for a received id: one bulk copy out of the datagram, so that
 * hashing and comparing run over a plain array instead of paying a ByteBuf bounds and liveness
 * check per byte. Shared by the concerns (one thread; each use ends before the next begins).
 */
final class ReceivedId {
    private final byte[] scratch;

    ReceivedId(int maxIdLength) {
        this.scratch = new byte[maxIdLength];
    }

    /** Copies {@code idLen} bytes at {@code idIndex}; the returned array is valid until the next copy. */
    byte[] copy(ByteBuf buf, int idIndex, int idLen) {
        buf.getBytes(idIndex, scratch, 0, idLen);
        return scratch;
    }
}
