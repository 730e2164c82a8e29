package io.wheelcast.engine;

/** Completes a cancel future exceptionally when the node cannot even start the cancel. */
public final class CancelRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** {@code maxPendingCancels} cancels are waiting for answers. */
        PENDING_LIMIT,
        /** The command queue to the event loop is full. */
        QUEUE_FULL,
        /** The node is closed. */
        CLOSED
    }

    private final Reason reason;

    public CancelRejectedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
