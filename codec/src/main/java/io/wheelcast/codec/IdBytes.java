package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * Hashing and comparison of timer ids held either in a {@link ByteBuf} (just received) or in
 * a {@code byte[]} (stored), with identical results, so lookups never copy the id.
 */
public final class IdBytes {
    private IdBytes() {
    }

    /** FNV-1a over the bytes, finished with a murmur3 mix so low bits are usable as a table index. */
    public static int hash(ByteBuf buf, int offset, int length) {
        int h = 0x811C9DC5;
        for (int i = 0; i < length; i++) {
            h ^= buf.getByte(offset + i) & 0xFF;
            h *= 0x01000193;
        }
        return mix(h);
    }

    /** Same function as {@link #hash(ByteBuf, int, int)} over an array region. */
    public static int hash(byte[] bytes, int offset, int length) {
        int h = 0x811C9DC5;
        for (int i = 0; i < length; i++) {
            h ^= bytes[offset + i] & 0xFF;
            h *= 0x01000193;
        }
        return mix(h);
    }

    public static boolean equals(ByteBuf buf, int offset, int length, byte[] bytes, int bytesOffset, int bytesLength) {
        if (length != bytesLength) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (buf.getByte(offset + i) != bytes[bytesOffset + i]) {
                return false;
            }
        }
        return true;
    }

    static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }
}
