package io.wheelcast.codec;

/**
 * Outcome of validating one datagram. Everything but {@link #OK} is a reason to drop the whole
 * datagram: a datagram that fails validation acts on nothing. Returned as a value so a flood of
 * garbage costs a counter increment, never an exception.
 */
public enum DecodeStatus {
    OK("accepted"),
    TOO_SHORT("shorter than the header (plus auth tag when flagged)"),
    TOO_LONG("longer than the configured datagram limit"),
    BAD_MAGIC("magic is not 'WC'"),
    UNSUPPORTED_VERSION("version this codec does not speak"),
    WRONG_CLUSTER("cluster id differs from ours"),
    NO_FRAMES("frame count is zero"),
    TOO_MANY_FRAMES("frame count above the configured limit"),
    FRAME_HEADER_TRUNCATED("bytes end inside a frame header"),
    FRAME_LENGTH_INVALID("frame length shorter than its fixed part or inconsistent with its fields"),
    FRAME_TRUNCATED("frame length runs past the end of the datagram"),
    ID_EMPTY("timer id of length zero"),
    ID_TOO_LONG("timer id above the configured limit"),
    PAYLOAD_TOO_LONG("payload above the configured limit"),
    BAD_OUTCOME("KILL_ACK outcome code unknown"),
    FRAME_COUNT_MISMATCH("fewer frames present than the header announces"),
    TRAILING_BYTES("bytes left after the announced frames");

    private final String description;

    DecodeStatus(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
