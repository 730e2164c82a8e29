package io.wheelcast.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counter storage written by the event loop only (single writer, plain adds published with
 * opaque stores) and read by any thread. No atomics, no contention on the hot path.
 */
final class Counters {
    private static final VarHandle ARRAY = MethodHandles.arrayElementVarHandle(long[].class);
    private static final Counter[] ALL = Counter.values();

    private final long[] values = new long[ALL.length];

    void increment(Counter c) {
        int i = c.ordinal();
        ARRAY.setOpaque(values, i, values[i] + 1);
    }

    /** For the few counters written off the loop (listener failures, full queue): atomic add. */
    void incrementConcurrent(Counter c) {
        ARRAY.getAndAdd(values, c.ordinal(), 1L);
    }

    void add(Counter c, long delta) {
        int i = c.ordinal();
        ARRAY.setOpaque(values, i, values[i] + delta);
    }

    void set(Counter c, long value) {
        ARRAY.setOpaque(values, c.ordinal(), value);
    }

    long get(Counter c) {
        return (long) ARRAY.getOpaque(values, c.ordinal());
    }

    NodeStats snapshot(long nodeId, String transport) {
        long[] copy = new long[ALL.length];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = (long) ARRAY.getOpaque(values, i);
        }
        return new NodeStats(nodeId, transport, copy);
    }
}
