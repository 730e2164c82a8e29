package io.wheelcast.engine.protocol;

import io.wheelcast.engine.Counter;
import io.wheelcast.engine.ExpiryListener;
import io.wheelcast.engine.TimerExpiry;
import io.wheelcast.engine.counters.Counters;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

/**
 * Expiries handed to the listener whose return has not reached the loop yet. A timer counts as
 * delivered (its FIRED goes to the holders) only once its listener returned: a crash between
 * the hand-off and the return then makes an adopter fire it again instead of nobody (defect 10
 * in docs/operations.md). The listener's thread hands each finished delivery back through an
 * MPSC queue; the loop drains it every tick. The deliveries still out are kept in a bag, so every
 * datagram can say how long the oldest of them has waited (SETTLED).
 *
 * <p>Loop-confined except {@link Delivery#run()}, which runs on the listener's executor.
 */
final class ListenerReturns {
    /** One expiry on its way through the user's listener; back to the loop when it returns. */
    static final class Delivery implements Runnable {
        private final ListenerReturns returns;
        private final ExpiryListener listener;
        private final TimerExpiry expiry;
        final int handle;
        final long ticket;
        final long deadlineMs;
        final long firedAtMs;
        /** Position in the bag; loop-confined. */
        private int slot;

        private Delivery(ListenerReturns returns, ExpiryListener listener, TimerExpiry expiry, int handle, long ticket,
                         long deadlineMs, long firedAtMs) {
            this.returns = returns;
            this.listener = listener;
            this.expiry = expiry;
            this.handle = handle;
            this.ticket = ticket;
            this.deadlineMs = deadlineMs;
            this.firedAtMs = firedAtMs;
        }

        @Override
        public void run() {
            try {
                listener.onExpire(expiry);
            } catch (Throwable t) {
                returns.counters.incrementConcurrent(Counter.LISTENER_FAILURES);
            } finally {
                returns.returned.offer(this); // unbounded: never refuses
            }
        }
    }

    private final Counters counters;
    /** Chunks of 256, two kept for reuse: no allocation while fewer than 512 deliveries are in flight. */
    private final MpscUnboundedXaddArrayQueue<Delivery> returned = new MpscUnboundedXaddArrayQueue<>(256, 2);
    private Delivery[] out = new Delivery[64];
    private int size;
    private long nextTicket = 1;
    /** The earliest deadline out, recomputed only after the delivery that held it left: read for every datagram sent. */
    private long oldest = Long.MAX_VALUE;
    private boolean oldestLeft;

    ListenerReturns(Counters counters) {
        this.counters = counters;
    }

    /** A delivery for the listener's executor, counted out until it comes back (or is {@link #abandon}ed). */
    Delivery begin(ExpiryListener listener, TimerExpiry expiry, int handle, long deadlineMs, long firedAtMs) {
        Delivery d = new Delivery(this, listener, expiry, handle, nextTicket++, deadlineMs, firedAtMs);
        if (size == out.length) {
            out = java.util.Arrays.copyOf(out, size * 2); // rare: as many listeners running at once as never before
        }
        d.slot = size;
        out[size++] = d;
        oldest = Math.min(oldest, deadlineMs);
        return d;
    }

    /** The executor refused the delivery: it will never come back. */
    void abandon(Delivery d) {
        remove(d);
    }

    /** Hands every delivery whose listener returned to {@code settle}; loop only. */
    int drain(MessagePassingQueue.Consumer<Delivery> settle) {
        int n = 0;
        Delivery d;
        while ((d = returned.relaxedPoll()) != null) {
            if (d.slot >= 0) { // not settled already by the timeout
                remove(d);
                settle.accept(d);
            }
            n++;
        }
        return n;
    }

    /**
     * Deliveries out since {@code timeoutMs} or longer count as settled (a listener that hangs,
     * an executor that dropped the task): handed to {@code settle} and forgotten.
     */
    int expireOverdue(long nowMs, long timeoutMs, MessagePassingQueue.Consumer<Delivery> settle) {
        int n = 0;
        for (int i = size - 1; i >= 0; i--) {
            Delivery d = out[i];
            if (nowMs - d.firedAtMs >= timeoutMs) {
                remove(d);
                counters.increment(Counter.EXPIRIES_SETTLED_BY_TIMEOUT);
                settle.accept(d);
                n++;
            }
        }
        return n;
    }

    /** The earliest deadline among the deliveries out, or {@link Long#MAX_VALUE} if none. */
    long oldestDeadline() {
        if (oldestLeft) {
            oldestLeft = false;
            oldest = Long.MAX_VALUE;
            for (int i = 0; i < size; i++) {
                oldest = Math.min(oldest, out[i].deadlineMs);
            }
        }
        return oldest;
    }

    /** Deliveries whose listener has not returned (or whose return the loop has not drained yet). */
    int outstanding() {
        return size;
    }

    /** Everything still out counts as settled now (graceful close: the listeners run on in this JVM). */
    void settleAll(MessagePassingQueue.Consumer<Delivery> settle) {
        while (size > 0) {
            Delivery d = out[size - 1];
            remove(d);
            settle.accept(d);
        }
    }

    private void remove(Delivery d) {
        int i = d.slot;
        if (i < 0) {
            return;
        }
        Delivery last = out[--size];
        out[i] = last;
        last.slot = i;
        out[size] = null;
        d.slot = -1;
        oldestLeft |= d.deadlineMs == oldest;
    }
}
