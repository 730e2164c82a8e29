package io.wheelcast.engine.counters;

import io.wheelcast.engine.Counter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counter storage written by the event loop only (single writer, plain adds published with
 * opaque stores) and read by any thread. No atomics, no contention on the hot path.
 */
public final class Counters {
    private static final VarHandle ARRAY = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int SIZE = Counter.values().length;

    private final long[] values = new long[SIZE];

    public void increment(Counter c) {
        int i = c.ordinal();
        ARRAY.setOpaque(values, i, values[i] + 1);
    }

    /** For the few counters written off the loop (listener failures, full queue): atomic add. */
    public void incrementConcurrent(Counter c) {
        ARRAY.getAndAdd(values, c.ordinal(), 1L);
    }

    public void add(Counter c, long delta) {
        int i = c.ordinal();
        ARRAY.setOpaque(values, i, values[i] + delta);
    }

    public void set(Counter c, long value) {
        ARRAY.setOpaque(values, c.ordinal(), value);
    }

    public long get(Counter c) {
        return (long) ARRAY.getOpaque(values, c.ordinal());
    }

    /** A copy of every value, indexed by {@link Counter#ordinal()}; callable from any thread. */
    public long[] snapshot() {
        long[] copy = new long[SIZE];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = (long) ARRAY.getOpaque(values, i);
        }
        return copy;
    }
}
