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
    /** Per sender two sequence spaces, at 2 x slot (its datagrams for everyone) and 2 x slot + 1 (direct ones). */
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
        this.highest = new long[2 * tableSize];
        this.window = new long[2 * tableSize];
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

    /** A datagram for everyone (the sender's group sequence): duplicates dropped, gaps counted. */
    public Verdict accept(long sender, long sequence, long nowMs) {
        return accept(sender, sequence, false, nowMs);
    }

    /**
     * {@code direct}: a datagram addressed to this node only, numbered in the sender's direct
     * sequence, which it shares across all its destinations: duplicates are dropped, but the
     * numbers this node skips went to others, so no gap is counted.
     */
    public Verdict accept(long sender, long sequence, boolean direct, long nowMs) {
        lastGap = 0;
        int i = slot(sender);
        if (!used[i]) {
            if (size == maxSenders) {
                evictLeastRecentlyHeard();
                i = slot(sender);
            }
            used[i] = true;
            senders[i] = sender;
            highest[2 * i] = 0;
            window[2 * i] = 0;
            highest[2 * i + 1] = 0;
            window[2 * i + 1] = 0;
            size++;
        }
        lastHeardMs[i] = nowMs;
        int w = direct ? 2 * i + 1 : 2 * i;
        long top = highest[w];
        if (window[w] == 0 || sequence > top) { // the first of this space, or a new highest
            long advance = sequence - top;
            if (!direct && window[w] != 0) {
                lastGap = advance - 1;
            }
            window[w] = window[w] == 0 || advance >= WINDOW ? 1L : (window[w] << advance) | 1L;
            highest[w] = sequence;
            return Verdict.NEW;
        }
        long behind = top - sequence;
        if (behind >= WINDOW) {
            return Verdict.TOO_OLD;
        }
        long bit = 1L << behind;
        if ((window[w] & bit) != 0) {
            return Verdict.DUPLICATE;
        }
        window[w] |= bit;
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
                highest[2 * hole] = highest[2 * j];
                window[2 * hole] = window[2 * j];
                highest[2 * hole + 1] = highest[2 * j + 1];
                window[2 * hole + 1] = window[2 * j + 1];
                lastHeardMs[hole] = lastHeardMs[j];
                used[j] = false;
                hole = j;
            }
        }
    }
}
