package io.wheelcast.engine.reliability;

/** A smoothed round-trip estimate and its variation, RFC 6298 style, in ms. Loop-confined. */
public final class RoundTrip {
    private double srttMs = -1;
    private double rttvarMs;

    public void sample(long rttMs) {
        if (srttMs < 0) {
            srttMs = rttMs;
            rttvarMs = rttMs / 2.0;
        } else {
            rttvarMs = 0.75 * rttvarMs + 0.25 * Math.abs(srttMs - rttMs);
            srttMs = 0.875 * srttMs + 0.125 * rttMs;
        }
    }

    /** srtt + 4 rttvar, at most {@code maxMs}; 0 before the first sample. */
    public long timeoutMs(long maxMs) {
        return srttMs < 0 ? 0 : Math.min(maxMs, (long) Math.ceil(srttMs + 4 * rttvarMs));
    }
}
