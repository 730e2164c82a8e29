package io.wheelcast.engine;

/** What a {@link WheelcastNode#schedule schedule} did. */
public enum ScheduleOutcome {
    /** The timer is armed on this node and announced to the group. */
    ARMED,
    /**
     * A kill for this id arrived before the schedule (a tombstone was waiting): the timer was
     * cancelled on arrival and will not fire; the canceller has been answered.
     */
    PRE_CANCELLED
}
