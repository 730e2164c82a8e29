package io.wheelcast.engine;

import org.HdrHistogram.Histogram;

/**
 * The distribution of one {@link Latency} since the node started: a copy, safe to keep and
 * read from any thread. Percentiles are exact to 2 significant digits (HdrHistogram).
 */
public final class LatencySnapshot {
    private final Latency latency;
    private final Histogram histogram;

    LatencySnapshot(Latency latency, Histogram histogram) {
        this.latency = latency;
        this.histogram = histogram;
    }

    public Latency latency() {
        return latency;
    }

    /** Samples recorded. */
    public long count() {
        return histogram.getTotalCount();
    }

    /** Sum of all samples, microseconds. */
    public double totalMicros() {
        return histogram.getMean() * histogram.getTotalCount();
    }

    public long maxMicros() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue();
    }

    /** The value at {@code percentile} (0..100), microseconds; 0 with no samples. */
    public long percentileMicros(double percentile) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile);
    }

    @Override
    public String toString() {
        return latency + "{count=" + count() + ", p50=" + percentileMicros(50) + " us, p99=" + percentileMicros(99)
                + " us, max=" + maxMicros() + " us}";
    }
}
