package io.wheelcast.codec;

/**
 * Hashing of timer ids. The engine copies a received id once into a reusable array (one bulk
 * copy is cheaper than per-byte ByteBuf access with its bounds and liveness checks), so one
 * array form serves stored and received ids alike.
 */
public final class IdBytes {
    private IdBytes() {
    }

    /** FNV-1a over the bytes, finished with a murmur3 mix so low bits are usable as a table index. */
    public static int hash(byte[] bytes, int offset, int length) {
        int h = 0x811C9DC5;
        for (int i = 0; i < length; i++) {
            h ^= bytes[offset + i] & 0xFF;
            h *= 0x01000193;
        }
        return mix(h);
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
