package io.wheelcast.engine;

/**
 * What a {@link WheelcastNode#cancel cancel} really achieved.
 *
 * @param status  the outcome
 * @param ownerId the node that owned the timer and answered (its {@link WheelcastNode#nodeId()}),
 *                or 0 when no owner answered ({@link Status#NOT_FOUND}, {@link Status#UNCONFIRMED})
 */
public record CancelOutcome(Status status, long ownerId) {
    public enum Status {
        /** The owner cleared the timer; it will not fire. */
        CANCELLED,
        /** The owner says the timer had already fired when the kill arrived. */
        ALREADY_FIRED,
        /**
         * No node answered within the cancel timeout and none was known to hold the timer. A
         * tombstone remains on every node that heard the kill, so a schedule that arrives
         * later is still cancelled.
         */
        NOT_FOUND,
        /**
         * A node was known to hold the timer (its SCHEDULE was seen) but no answer arrived
         * within the cancel timeout: the kill may or may not have taken effect.
         */
        UNCONFIRMED
    }

    public boolean cancelled() {
        return status == Status.CANCELLED;
    }
}
