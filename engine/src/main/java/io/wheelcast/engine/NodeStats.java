package io.wheelcast.engine;

import java.util.EnumMap;
import java.util.Map;

/** A point-in-time copy of a node's counters and gauges. */
public final class NodeStats {
    private final long nodeId;
    private final String transport;
    private final long[] values;

    NodeStats(long nodeId, String transport, long[] values) {
        this.nodeId = nodeId;
        this.transport = transport;
        this.values = values;
    }

    public long nodeId() {
        return nodeId;
    }

    /** "epoll", "io_uring" or "nio". */
    public String transport() {
        return transport;
    }

    public long get(Counter counter) {
        return values[counter.ordinal()];
    }

    /** Sum of all decoder rejections. */
    public long rejectedDatagrams() {
        long sum = 0;
        for (Counter c : Counter.values()) {
            if (c.name().startsWith("REJECT_")) {
                sum += values[c.ordinal()];
            }
        }
        return sum;
    }

    public Map<Counter, Long> asMap() {
        Map<Counter, Long> m = new EnumMap<>(Counter.class);
        for (Counter c : Counter.values()) {
            m.put(c, values[c.ordinal()]);
        }
        return m;
    }

    /** Non-zero values, one {@code name=value} per line. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("node=").append(Long.toHexString(nodeId)).append(" transport=").append(transport);
        for (Counter c : Counter.values()) {
            long v = values[c.ordinal()];
            if (v != 0) {
                sb.append('\n').append(c.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(v);
            }
        }
        return sb.toString();
    }
}
