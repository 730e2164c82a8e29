package io.wheelcast.engine.reliability;

import io.wheelcast.engine.Backoff;
import io.wheelcast.engine.registry.OpenAddressing;

import io.wheelcast.engine.registry.TimerWheel;

import java.util.Arrays;

/**
 * Cancels this node has sent and not yet had answered: the id, the request id echoed by the
 * owner's KILL_ACK, the waiter to complete, and the retransmit schedule (a {@link TimerWheel}
 * over the same handles). Bounded; a cancel beyond the bound is refused up front.
 *
 * <p>Internal API: confined to the event loop.
 */
public final class PendingCancels {
    private static final int EMPTY = 0;

    private final int maxIdLength;
    private final byte[] ids;
    private final int[] idLengths;
    private final long[] requestIds;
    private final Object[] waiters;
    private final long[] intervals;
    private final long[] giveUpAt;
    private final long[] sentAt;
    private final int[] attempts;
    private final boolean[] ownerSeen;
    /** A KILL_ACK outcome sent for a dead owner by a node that saw the timer end (0: none), and who sent it. */
    private final byte[] deadOwnerAnswer;
    private final long[] deadOwnerAnswerFrom;
    private final int[] freeStack;
    private int freeTop;
    private final int[] table;
    private final int mask;
    private final TimerWheel retransmits;

    public PendingCancels(int capacity, int maxIdLength, long startMs) {
        this.maxIdLength = maxIdLength;
        this.ids = new byte[Math.multiplyExact(capacity, maxIdLength)];
        this.idLengths = new int[capacity];
        this.requestIds = new long[capacity];
        this.waiters = new Object[capacity];
        this.intervals = new long[capacity];
        this.giveUpAt = new long[capacity];
        this.sentAt = new long[capacity];
        this.attempts = new int[capacity];
        this.ownerSeen = new boolean[capacity];
        this.deadOwnerAnswer = new byte[capacity];
        this.deadOwnerAnswerFrom = new long[capacity];
        this.freeStack = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeStack[i] = capacity - 1 - i;
        }
        this.freeTop = capacity;
        int tableSize = OpenAddressing.tableSize(capacity);
        this.table = new int[tableSize];
        this.mask = tableSize - 1;
        this.retransmits = new TimerWheel(startMs, 1, 1024, capacity);
    }

    public int size() {
        return waiters.length - freeTop;
    }

    public boolean isFull() {
        return freeTop == 0;
    }

    /** Adds a pending cancel; the caller checked {@link #isFull()}. Returns the handle. */
    public int add(long requestId, byte[] id, int idOff, int idLen, Object waiter, long nowMs, Backoff backoff) {
        return add(requestId, id, idOff, idLen, waiter, nowMs, backoff, backoff.initialMs());
    }

    /** As {@link #add(long, byte[], int, int, Object, long, Backoff)} with a first retransmit interval measured from round trips. */
    public int add(long requestId, byte[] id, int idOff, int idLen, Object waiter, long nowMs, Backoff backoff, long firstIntervalMs) {
        int h = freeStack[--freeTop];
        System.arraycopy(id, idOff, ids, h * maxIdLength, idLen);
        idLengths[h] = idLen;
        requestIds[h] = requestId;
        waiters[h] = waiter;
        intervals[h] = firstIntervalMs;
        sentAt[h] = nowMs;
        giveUpAt[h] = nowMs + backoff.timeoutMs();
        attempts[h] = 1;
        ownerSeen[h] = false;
        deadOwnerAnswer[h] = 0;
        deadOwnerAnswerFrom[h] = 0;
        int i = hash(requestId) & mask;
        while (table[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        table[i] = h + 1;
        retransmits.schedule(h, nowMs + firstIntervalMs);
        return h;
    }

    /** Handle of the pending cancel with this request id, or -1. */
    public int find(long requestId) {
        for (int i = hash(requestId) & mask; ; i = (i + 1) & mask) {
            int slot = table[i];
            if (slot == EMPTY) {
                return -1;
            }
            if (requestIds[slot - 1] == requestId) {
                return slot - 1;
            }
        }
    }

    /** Removes the entry and returns its waiter. */
    public Object remove(int h) {
        retransmits.cancel(h);
        int i = hash(requestIds[h]) & mask;
        while (table[i] != h + 1) {
            i = (i + 1) & mask;
        }
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            int slot = table[j];
            if (slot == EMPTY) {
                break;
            }
            int ideal = hash(requestIds[slot - 1]) & mask;
            if (OpenAddressing.canFillHole(hole, j, ideal)) {
                table[hole] = slot;
                hole = j;
            }
        }
        table[hole] = EMPTY;
        Object w = waiters[h];
        waiters[h] = null;
        freeStack[freeTop++] = h;
        return w;
    }

    public byte[] idArena() {
        return ids;
    }

    public int idOffset(int h) {
        return h * maxIdLength;
    }

    public int idLength(int h) {
        return idLengths[h];
    }

    public long requestId(int h) {
        return requestIds[h];
    }

    /** When the first KILL of this cancel was sent. */
    public long sentAt(int h) {
        return sentAt[h];
    }

    public int attempts(int h) {
        return attempts[h];
    }

    public boolean ownerSeen(int h) {
        return ownerSeen[h];
    }

    /** Remember that some node was known to hold the timer, so a timeout is UNCONFIRMED, not NOT_FOUND. */
    public void markOwnerSeen(int h) {
        ownerSeen[h] = true;
    }

    /** The answer a node gave for the timer's dead owner ({@code KillAckFlyweight.OUTCOME_*}), or 0. */
    public int deadOwnerAnswer(int h) {
        return deadOwnerAnswer[h];
    }

    public long deadOwnerAnswerFrom(int h) {
        return deadOwnerAnswerFrom[h];
    }

    /** Keeps the first answer given for a dead owner, the fallback should no owner answer within the budget. */
    public void deadOwnerAnswer(int h, int outcome, long from) {
        if (deadOwnerAnswer[h] == 0) {
            deadOwnerAnswer[h] = (byte) outcome;
            deadOwnerAnswerFrom[h] = from;
        }
    }

    public boolean expired(int h, long nowMs, Backoff backoff) {
        return nowMs >= giveUpAt[h] || attempts[h] >= backoff.maxAttempts();
    }

    /** Counts one more transmission and schedules the next check. */
    public void rescheduleAfterSend(int h, long nowMs, Backoff backoff) {
        attempts[h]++;
        long interval = backoff.next(intervals[h]);
        intervals[h] = interval;
        retransmits.schedule(h, Math.min(nowMs + interval, giveUpAt[h]));
    }

    public int poll(long nowMs, TimerWheel.ExpiryHandler handler, int limit) {
        return retransmits.poll(nowMs, handler, limit);
    }

    /** Waiters of every pending cancel, removing them all (used on close). */
    public Object[] drainWaiters() {
        Object[] out = Arrays.stream(waiters).filter(w -> w != null).toArray();
        for (int h = 0; h < waiters.length; h++) {
            if (waiters[h] != null) {
                remove(h);
            }
        }
        return out;
    }

    private static int hash(long v) {
        v ^= v >>> 33;
        v *= 0xff51afd7ed558ccdL;
        v ^= v >>> 33;
        return (int) v;
    }
}
