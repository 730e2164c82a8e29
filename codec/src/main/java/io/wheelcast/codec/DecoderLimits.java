package io.wheelcast.codec;

/**
 * Bounds the decoder enforces on every datagram. Anything above a bound is rejected, so a
 * hostile sender cannot make a receiver store or copy more than these.
 *
 * @param maxDatagramLength largest datagram accepted, header and tag included
 * @param maxIdLength       longest timer id, in bytes (at least 1)
 * @param maxPayloadLength  longest SCHEDULE payload, in bytes
 * @param maxFrames         most frames in one datagram
 */
public record DecoderLimits(int maxDatagramLength, int maxIdLength, int maxPayloadLength, int maxFrames) {
    /** 64 KiB datagrams, 64-byte ids, 1 KiB payloads, 512 frames. */
    public static final DecoderLimits DEFAULT = new DecoderLimits(65_535, 64, 1024, 512);

    public DecoderLimits {
        if (maxDatagramLength < HeaderFlyweight.HEADER_LENGTH || maxDatagramLength > 65_535) {
            throw new IllegalArgumentException("maxDatagramLength must be in [" + HeaderFlyweight.HEADER_LENGTH
                    + ", 65535], got " + maxDatagramLength);
        }
        if (maxIdLength < 1 || maxIdLength > 1024) {
            throw new IllegalArgumentException("maxIdLength must be in [1, 1024], got " + maxIdLength);
        }
        if (maxPayloadLength < 0 || maxPayloadLength > 32_768) {
            throw new IllegalArgumentException("maxPayloadLength must be in [0, 32768], got " + maxPayloadLength);
        }
        if (maxFrames < 1 || maxFrames > 0xFFFF) {
            throw new IllegalArgumentException("maxFrames must be in [1, 65535], got " + maxFrames);
        }
    }
}
