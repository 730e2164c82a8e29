package io.wheelcast.engine.registry;

import java.util.Arrays;

/**
 * A hashed timing wheel over integer handles, ticked by its owning thread (the event loop):
 * O(1) schedule and cancel, intrusive doubly linked slot lists in preallocated arrays, no
 * allocation and no locks after construction. Modelled on Agrona's {@code DeadlineTimerWheel},
 * but keyed by the caller's handles so a registry entry and its timer share one index.
 *
 * <p>Internal API: not for use outside Wheelcast; confined to one thread.
 */
public final class TimerWheel {
    /** Called for each expired handle; the handle is no longer scheduled and may be rescheduled. */
    @FunctionalInterface
    public interface ExpiryHandler {
        void onExpiry(int handle, long nowMs);
    }

    private static final int NONE = -1;

    private final long tickMs;
    private final int mask;
    private final int[] heads;
    private final int[] next;
    private final int[] prev;
    private final int[] slotOf;
    private final long[] deadlines;
    private long currentTick;
    private int size;

    /**
     * @param startMs  time of construction, in the same clock as later calls
     * @param tickMs   resolution; a timer fires at the first poll on or after its deadline
     * @param slots    power of two; deadlines further than {@code slots * tickMs} away wait extra rotations
     * @param capacity handles are in {@code [0, capacity)}
     */
    public TimerWheel(long startMs, long tickMs, int slots, int capacity) {
        if (tickMs < 1) {
            throw new IllegalArgumentException("tickMs must be >= 1: " + tickMs);
        }
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        this.tickMs = tickMs;
        this.mask = slots - 1;
        this.heads = new int[slots];
        Arrays.fill(heads, NONE);
        this.next = new int[capacity];
        this.prev = new int[capacity];
        this.slotOf = new int[capacity];
        Arrays.fill(slotOf, NONE);
        this.deadlines = new long[capacity];
        this.currentTick = startMs / tickMs;
    }

    public int size() {
        return size;
    }

    public long deadline(int handle) {
        return deadlines[handle];
    }

    /** Schedules (or moves) {@code handle} to fire at {@code deadlineMs}; a past deadline fires at the next poll. */
    public void schedule(int handle, long deadlineMs) {
        if (slotOf[handle] != NONE) {
            unlink(handle);
        }
        long tick = Math.max(deadlineMs / tickMs, currentTick);
        int slot = (int) (tick & mask);
        deadlines[handle] = deadlineMs;
        int head = heads[slot];
        next[handle] = head;
        prev[handle] = NONE;
        if (head != NONE) {
            prev[head] = handle;
        }
        heads[slot] = handle;
        slotOf[handle] = slot;
        size++;
    }

    public boolean isScheduled(int handle) {
        return slotOf[handle] != NONE;
    }

    /** Returns whether the handle was scheduled. */
    public boolean cancel(int handle) {
        if (slotOf[handle] == NONE) {
            return false;
        }
        unlink(handle);
        return true;
    }

    private void unlink(int handle) {
        int n = next[handle];
        int p = prev[handle];
        if (p == NONE) {
            heads[slotOf[handle]] = n;
        } else {
            next[p] = n;
        }
        if (n != NONE) {
            prev[n] = p;
        }
        slotOf[handle] = NONE;
        size--;
    }

    /**
     * Expires every handle whose deadline is at or before {@code nowMs}, at most {@code limit}
     * of them (the rest wait for the next poll, so one poll's work is bounded).
     *
     * @return the number expired
     */
    public int poll(long nowMs, ExpiryHandler handler, int limit) {
        long nowTick = nowMs / tickMs;
        int expired = 0;
        while (true) {
            int slot = (int) (currentTick & mask);
            int h = heads[slot];
            while (h != NONE) {
                int n = next[h];
                if (deadlines[h] <= nowMs) {
                    if (expired == limit) {
                        return expired;
                    }
                    unlink(h);
                    expired++;
                    handler.onExpiry(h, nowMs);
                }
                h = n;
            }
            if (currentTick >= nowTick || size == 0) {
                currentTick = Math.max(currentTick, nowTick);
                return expired;
            }
            currentTick++;
        }
    }
}
