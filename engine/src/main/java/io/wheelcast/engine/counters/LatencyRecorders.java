package io.wheelcast.engine.counters;

import io.wheelcast.engine.Latency;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One HdrHistogram recorder per {@link Latency}: the event loop records (single writer, wait-free,
 * no allocation), readers on any thread fold the interval histograms into a cumulative one.
 */
public final class LatencyRecorders {
    /** One minute: anything longer is recorded as one minute (and is a problem in its own right). */
    private static final long HIGHEST_MICROS = 60_000_000L;
    /** 1% resolution keeps a histogram at ~30 KB, so a thousand simulated nodes still fit one heap. */
    private static final int DIGITS = 2;
    private static final Latency[] ALL = Latency.values();

    private final SingleWriterRecorder[] recorders = new SingleWriterRecorder[ALL.length];
    private final Histogram[] cumulative = new Histogram[ALL.length];
    private final Histogram[] interval = new Histogram[ALL.length];

    public LatencyRecorders() {
        for (int i = 0; i < ALL.length; i++) {
            recorders[i] = new SingleWriterRecorder(HIGHEST_MICROS, DIGITS);
            cumulative[i] = new Histogram(HIGHEST_MICROS, DIGITS);
        }
    }

    /** On the loop only. */
    public void record(Latency latency, long micros) {
        recorders[latency.ordinal()].recordValue(Math.max(0, Math.min(HIGHEST_MICROS, micros)));
    }

    /** Any thread: the distribution since the start, as a copy. */
    public Histogram snapshot(Latency latency) {
        int i = latency.ordinal();
        synchronized (cumulative[i]) { // readers only: the loop never takes it
            interval[i] = recorders[i].getIntervalHistogram(interval[i]);
            cumulative[i].add(interval[i]);
            return cumulative[i].copy();
        }
    }
}
