package io.wheelcast.engine;

import java.nio.charset.StandardCharsets;

/**
 * A timer reached its deadline on this node. Handed to the expiry listener on the user's
 * executor, once per timer cluster-wide (unless a network partition split the cluster: see
 * {@link WheelcastNodeBuilder#takeover(boolean)}).
 *
 * @param id            the timer id bytes (a fresh copy)
 * @param payload       the payload given to schedule (empty if none)
 * @param deadlineMs    the deadline, in this node's monotonic milliseconds (for an adopted
 *                      timer: the original deadline as learned from the owner's SCHEDULE)
 * @param firedAtMs     when the loop fired it, same clock
 * @param adoptedFromId 0 if this node armed the timer; otherwise the id of the dead owner this
 *                      node took it over from
 */
public record TimerExpiry(byte[] id, byte[] payload, long deadlineMs, long firedAtMs, long adoptedFromId) {
    /** A timer armed and fired on the same node. */
    public TimerExpiry(byte[] id, byte[] payload, long deadlineMs, long firedAtMs) {
        this(id, payload, deadlineMs, firedAtMs, 0);
    }

    /** The id decoded as UTF-8, for ids scheduled with the String API. */
    public String idAsString() {
        return new String(id, StandardCharsets.UTF_8);
    }

    /** Whether this node fired the timer on behalf of a dead owner. */
    public boolean adopted() {
        return adoptedFromId != 0;
    }

    /**
     * How late it fired: tick resolution plus loop delay, and for an adopted timer whose
     * deadline passed while its owner's death was being detected, up to the detection time.
     */
    public long lateByMs() {
        return firedAtMs - deadlineMs;
    }
}
