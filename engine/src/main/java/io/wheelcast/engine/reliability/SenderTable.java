package io.wheelcast.engine.reliability;

import io.wheelcast.engine.registry.OpenAddressing;

/**
 * Per-sender receive state: the highest datagram sequence seen and a 64-wide bitmap below it,
 * so duplicated datagrams are dropped and gaps (lost datagrams) are counted. Open addressing
 * keyed by sender id, bounded: when full, the sender heard from least recently is evicted
 * (a scan, paid only when a new sender appears at the bound).
 *
 * <p>Internal API: confined to the event loop.
 */
public final class SenderTable {
    /** Result of {@link #accept}. */
    public enum Verdict {
        /** First time this (sender, sequence) is seen. */
        NEW,
        /** Seen before: a duplicated or replayed datagram. */
        DUPLICATE,
        /** More than 64 below the highest sequence from this sender: cannot tell, dropped. */
        TOO_OLD
    }

    private static final int WINDOW = 64;

    private final long[] senders;
    private final boolean[] used;
    private final long[] highest;
    private final long[] window;
    private final long[] lastHeardMs;
    private final int mask;
    private final int maxSenders;
    private int size;
    private long lastGap;
    private long evictions;

    public SenderTable(int maxSenders) {
        if (maxSenders < 1) {
            throw new IllegalArgumentException("maxSenders must be >= 1: " + maxSenders);
        }
        int tableSize = OpenAddressing.tableSize(maxSenders);
        this.senders = new long[tableSize];
        this.used = new boolean[tableSize];
        this.highest = new long[tableSize];
        this.window = new long[tableSize];
        this.lastHeardMs = new long[tableSize];
        this.mask = tableSize - 1;
        this.maxSenders = maxSenders;
    }

    public int size() {
        return size;
    }

    /** Datagrams missing between the previous highest sequence and the one just accepted. */
    public long lastGap() {
        return lastGap;
    }

    public long evictions() {
        return evictions;
    }

    public Verdict accept(long sender, long sequence, long nowMs) {
        lastGap = 0;
        int i = slot(sender);
        if (!used[i]) {
            if (size == maxSenders) {
                evictLeastRecentlyHeard();
                i = slot(sender);
            }
            used[i] = true;
            senders[i] = sender;
            highest[i] = sequence;
            window[i] = 1L;
            lastHeardMs[i] = nowMs;
            size++;
            return Verdict.NEW;
        }
        lastHeardMs[i] = nowMs;
        long top = highest[i];
        if (sequence > top) {
            long advance = sequence - top;
            lastGap = advance - 1;
            window[i] = advance >= WINDOW ? 1L : (window[i] << advance) | 1L;
            highest[i] = sequence;
            return Verdict.NEW;
        }
        long behind = top - sequence;
        if (behind >= WINDOW) {
            return Verdict.TOO_OLD;
        }
        long bit = 1L << behind;
        if ((window[i] & bit) != 0) {
            return Verdict.DUPLICATE;
        }
        window[i] |= bit;
        return Verdict.NEW;
    }

    /** Slot holding {@code sender}, or the empty slot where it would go. */
    private int slot(long sender) {
        int i = hash(sender) & mask;
        while (used[i] && senders[i] != sender) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private static int hash(long v) {
        v ^= v >>> 33;
        v *= 0xff51afd7ed558ccdL;
        v ^= v >>> 33;
        return (int) v;
    }

    private void evictLeastRecentlyHeard() {
        int victim = -1;
        for (int i = 0; i < used.length; i++) {
            if (used[i] && (victim < 0 || lastHeardMs[i] < lastHeardMs[victim])) {
                victim = i;
            }
        }
        removeAt(victim);
        evictions++;
    }

    private void removeAt(int hole) {
        used[hole] = false;
        size--;
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            if (!used[j]) {
                return;
            }
            int ideal = hash(senders[j]) & mask;
            if (OpenAddressing.canFillHole(hole, j, ideal)) {
                used[hole] = true;
                senders[hole] = senders[j];
                highest[hole] = highest[j];
                window[hole] = window[j];
                lastHeardMs[hole] = lastHeardMs[j];
                used[j] = false;
                hole = j;
            }
        }
    }
}
