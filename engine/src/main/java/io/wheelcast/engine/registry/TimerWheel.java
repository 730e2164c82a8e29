package io.wheelcast.engine.registry;

import java.util.Arrays;

/**
 * A hashed timing wheel over integer handles, ticked by its owning thread (the event loop):
 * O(1) schedule and cancel, intrusive doubly linked slot lists in preallocated arrays, no
 * allocation and no locks after construction. Modelled on Agrona's {@code DeadlineTimerWheel},
 * but keyed by the caller's handles so a registry entry and its timer share one index.
 *
 * <p>Two levels, as in Kafka's hierarchical timing wheel: a handle due within the current
 * rotation ({@code slots} ticks) waits in its tick's slot; one due later waits in an outer slot
 * per rotation and moves inward once, when its rotation begins. A poll so walks only handles
 * that are due, instead of passing every later handle once per rotation: with tombstones and
 * records living 30 s on a 4,096-slot wheel, that walk was 15% of the 1,000-node simulation
 * (docs/scale.md), and it is work a busy node's loop does per tick too.
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
    /** log2(slots): a tick's rotation is {@code tick >>> shift}. */
    private final int shift;
    /** Slot list heads: [0, slots) the current rotation's ticks, [slots, 2 slots) later rotations (by rotation modulo slots). */
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
        this.shift = Integer.numberOfTrailingZeros(slots);
        this.heads = new int[2 * slots];
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
        deadlines[handle] = deadlineMs;
        link(handle, slotFor(tick));
        size++;
    }

    /** The slot a handle due at {@code tick} waits in now: its tick's own in the current rotation, else its rotation's. */
    private int slotFor(long tick) {
        long rotation = tick >>> shift;
        return rotation == currentTick >>> shift ? (int) (tick & mask) : mask + 1 + (int) (rotation & mask);
    }

    private void link(int handle, int slot) {
        int head = heads[slot];
        next[handle] = head;
        prev[handle] = NONE;
        if (head != NONE) {
            prev[head] = handle;
        }
        heads[slot] = handle;
        slotOf[handle] = slot;
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
        detach(handle);
        size--;
    }

    /** Takes the handle out of its slot's list (still counted: it moves or leaves, the caller says which). */
    private void detach(int handle) {
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
    }

    /** A rotation begins: its handles move from their outer slot to their ticks' (those of rotations {@code slots} later stay). */
    private void cascade(long rotation) {
        int outer = mask + 1 + (int) (rotation & mask);
        int h = heads[outer];
        while (h != NONE) {
            int n = next[h];
            long tick = deadlines[h] / tickMs;
            if (tick >>> shift == rotation) {
                detach(h);
                link(h, (int) (tick & mask));
            }
            h = n;
        }
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
                currentTick = Math.max(currentTick, nowTick); // an empty wheel jumps: no outer slot to move
                return expired;
            }
            currentTick++;
            if ((currentTick & mask) == 0) {
                cascade(currentTick >>> shift);
            }
        }
    }
}
