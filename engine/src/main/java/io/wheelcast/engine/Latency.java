package io.wheelcast.engine;

/**
 * The latencies a node measures, each into its own histogram (see
 * {@link WheelcastNode#latency(Latency)}). Values are microseconds.
 */
public enum Latency {
    /**
     * At the canceller: from the cancel reaching the event loop to the owner's KILL_ACK, for
     * cancels of timers owned elsewhere that were answered (not those that timed out).
     */
    CANCEL_ROUND_TRIP,
    /** How late an adopted timer fired past its original deadline: the price of its owner's death. */
    ADOPTION_LATENESS,
    /**
     * From an own timer's first SCHEDULE to its designated holder's REPLICATED (first sends
     * only): how long a crash of this node could lose the timer. Millisecond resolution.
     */
    REPLICATION_DELAY;

    /** The metric name stem, e.g. {@code wheelcast_cancel_round_trip}. */
    public String metricName() {
        return "wheelcast_" + name().toLowerCase(java.util.Locale.ROOT);
    }
}
