package io.wheelcast.engine;

/**
 * Seeded faults applied to received datagrams before decoding, for tests and demos of the
 * reliability protocol: drop, duplicate, and delay (which also reorders). Percentages are in
 * [0, 100]. {@link #NONE} disables injection.
 *
 * @param seed          seed of the injector's random stream; print it with any failure
 * @param dropPercent   chance a datagram is discarded
 * @param duplicatePercent chance a datagram is delivered twice
 * @param delayPercent  chance a datagram is held back and delivered later (reordering it)
 * @param maxDelayMs    upper bound of the hold-back
 */
public record FaultPlan(long seed, double dropPercent, double duplicatePercent, double delayPercent, int maxDelayMs) {
    public static final FaultPlan NONE = new FaultPlan(0, 0, 0, 0, 0);

    public FaultPlan {
        check("dropPercent", dropPercent);
        check("duplicatePercent", duplicatePercent);
        check("delayPercent", delayPercent);
        if (maxDelayMs < 0) {
            throw new IllegalArgumentException("maxDelayMs must be >= 0: " + maxDelayMs);
        }
    }

    private static void check(String name, double pct) {
        if (!(pct >= 0 && pct <= 100)) {
            throw new IllegalArgumentException(name + " must be in [0, 100]: " + pct);
        }
    }

    public boolean active() {
        return dropPercent > 0 || duplicatePercent > 0 || delayPercent > 0;
    }
}
