package io.wheelcast.engine.protocol;

import io.wheelcast.engine.Backoff;
import io.wheelcast.engine.reliability.RoundTrip;

/**
 * How long each kind of re-send waits: kills (latency-critical, from the measured KILL->KILL_ACK
 * round trip), own timers' replication (from the SCHEDULE->REPLICATED round trip, longer under a
 * burst of schedules, so measured apart) and finished-timer notices to a replica holder.
 * Samples follow Karn's rule: first sends only.
 */
final class RetryTimeouts {
    /**
     * Replication is not latency-critical (the timer is armed here already), so its re-sends
     * start at 50 ms, or the measured round trip's timeout if longer (up to a second): a burst of
     * schedules on a loaded host must not turn into a burst of re-sends.
     */
    static final long REPLICATION_MIN_RTO_MS = 50;
    static final long REPLICATION_MAX_RTO_MS = 1_000;
    /**
     * The back-off stops at 200 ms (or twice the first interval, if longer): until a holder has
     * the copy, the owner's crash loses the timer, and at 30% loss a back-off to a second left
     * 5 sends in the first 1.5 s instead of 9 (defect 15 in docs/operations.md).
     */
    static final long REPLICATION_BACKOFF_CAP_MS = 200;

    private final Backoff killBackoff;
    private final RoundTrip killRtt = new RoundTrip();
    private final RoundTrip replicationRtt = new RoundTrip();

    RetryTimeouts(Backoff killBackoff) {
        this.killBackoff = killBackoff;
    }

    void killRoundTrip(long ms) {
        killRtt.sample(ms);
    }

    void replicationRoundTrip(long ms) {
        replicationRtt.sample(ms);
    }

    /**
     * First retransmit interval of a kill: the configured initial one, or longer when owners
     * answer slowly, so a loaded cluster is not flooded with retransmits of kills already in flight.
     */
    long killRetransmitMs() {
        long initial = killBackoff.initialMs();
        return Math.max(initial, killRtt.timeoutMs(killBackoff.maxMs()));
    }

    long replicationRetryMs(int attempts) {
        long base = Math.max(REPLICATION_MIN_RTO_MS, replicationRtt.timeoutMs(REPLICATION_MAX_RTO_MS));
        return Math.min(Math.max(REPLICATION_BACKOFF_CAP_MS, 2 * base), base << Math.min(attempts, 6));
    }

    /**
     * A finished timer's outcome goes to its holder as fast as a kill's answer would: until the
     * holder has it, a crash of this node could make the adopter fire the timer again.
     */
    long noticeRetryMs(int attempts) {
        return Math.min(killBackoff.maxMs(), killRetransmitMs() << Math.min(attempts, 6));
    }
}
