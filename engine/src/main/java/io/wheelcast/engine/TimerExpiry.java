package io.wheelcast.engine;

import java.nio.charset.StandardCharsets;

/**
 * A timer owned by this node reached its deadline. Handed to the expiry listener on the
 * user's executor, once per timer.
 *
 * @param id            the timer id bytes (a fresh copy)
 * @param payload       the payload given to schedule (empty if none)
 * @param deadlineMs    the deadline, in the node's monotonic milliseconds
 * @param firedAtMs     when the loop fired it, same clock
 */
public record TimerExpiry(byte[] id, byte[] payload, long deadlineMs, long firedAtMs) {
    /** The id decoded as UTF-8, for ids scheduled with the String API. */
    public String idAsString() {
        return new String(id, StandardCharsets.UTF_8);
    }

    /** How late the loop fired it (tick resolution plus loop delay). */
    public long lateByMs() {
        return firedAtMs - deadlineMs;
    }
}
