package io.wheelcast.engine;

/**
 * Retransmit schedule for KILLs: the first resend after {@code initialMs}, each next interval
 * doubled up to {@code maxMs}, until {@code timeoutMs} after the cancel or {@code maxAttempts}
 * transmissions, whichever comes first.
 */
public record Backoff(long initialMs, long maxMs, long timeoutMs, int maxAttempts) {
    public static final Backoff DEFAULT = new Backoff(5, 200, 2_000, 16);

    public Backoff {
        if (initialMs < 1 || maxMs < initialMs || timeoutMs < initialMs || maxAttempts < 1) {
            throw new IllegalArgumentException("need 1 <= initialMs <= maxMs, initialMs <= timeoutMs, maxAttempts >= 1: "
                    + initialMs + "/" + maxMs + "/" + timeoutMs + "/" + maxAttempts);
        }
    }

    public long next(long currentIntervalMs) {
        return Math.min(maxMs, currentIntervalMs * 2);
    }
}
