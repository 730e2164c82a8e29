package io.wheelcast.engine;

/**
 * Completes a schedule future exceptionally when the node cannot take the timer. Nothing was
 * armed and nothing was sent.
 */
public final class ScheduleRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** A timer with this id is armed here, or owned by another node (its SCHEDULE was seen). */
        DUPLICATE_ID,
        /** {@code maxTimers} timers are armed on this node. */
        TIMER_LIMIT,
        /** The command queue to the event loop is full: the caller outpaces the loop. */
        QUEUE_FULL,
        /** The node is closed. */
        CLOSED
    }

    private final Reason reason;

    public ScheduleRejectedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
