package io.wheelcast.engine.transport;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;

import java.util.concurrent.locks.LockSupport;

/**
 * Interrupt moderation for the event loop: after a wake-up that read datagrams, the loop sleeps
 * for a window before it polls the socket again, so the next read finds a batch instead of one
 * datagram. Trades up to one window of delay on datagrams that arrive during it for fewer wake-ups
 * and system calls per datagram (and fewer, fuller KILL_ACK datagrams). A datagram that arrives
 * while the loop is idle is still handled at once; tasks (commands from other threads, the wheel's
 * tick) that fall due during a window wait for its end.
 *
 * <p>Loop-confined: {@link #onRead()} and {@link #calculateStrategy} both run on the event loop.
 * Internal API.
 */
public final class ReceiveCoalescing implements SelectStrategy {
    /** Datagrams read per wake-up when coalescing: enough to drain a window's arrivals at line rate. */
    public static final int MAX_DATAGRAMS_PER_WAKE_UP = 4096;

    private final long windowNanos;
    private boolean readSinceLastPoll;

    /** @param windowNanos how long the loop waits after a read before polling again; positive */
    public ReceiveCoalescing(long windowNanos) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("windowNanos must be positive: " + windowNanos);
        }
        this.windowNanos = windowNanos;
    }

    /** Called by the channel handler at the end of each read burst. */
    public void onRead() {
        readSinceLastPoll = true;
    }

    @Override
    public int calculateStrategy(IntSupplier selectSupplier, boolean hasTasks) throws Exception {
        // Wait even when tasks are due: the 1 ms wheel tick is always about due, and a fixed-rate
        // task catching up after a window would otherwise end every window after one tick.
        if (readSinceLastPoll) {
            readSinceLastPoll = false;
            // parkNanos may return early (spuriously, by its contract): wait out the whole window.
            long deadline = System.nanoTime() + windowNanos;
            for (long left = windowNanos; left > 0; left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
        // Netty's default strategy from here: poll without blocking when tasks wait, else block.
        return hasTasks ? selectSupplier.get() : SelectStrategy.SELECT;
    }
}
