package io.wheelcast.engine.transport;

import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Receive buffers for {@code recvmmsg} reads on Netty's (level-triggered) epoll datagram channel
 * with {@link ReceiveCoalescing}: one fixed-size buffer per call, and the wake-up's reading stops
 * at the first call that comes back with free slots.
 *
 * <p>Why: Netty otherwise calls {@code recvmmsg} until one returns nothing. After a coalescing
 * window the first call takes the batch, and the following ones chase datagrams that arrive
 * while the batch is handled, one or two per system call (measured: 6.5 datagrams per call
 * instead of the window's ~30 at 100,000/s). Stopping lets them gather for the next window;
 * level-triggered epoll still reports them.
 */
final class ShortReadStopsAllocator extends DefaultMaxMessagesRecvByteBufAllocator {
    private final int bufferBytes;

    /**
     * @param bufferBytes one call's buffer, split by Netty into {@code MAX_DATAGRAM_PAYLOAD_SIZE} slots
     * @param maxDatagramsPerWakeUp datagrams read before the loop turns to its other work anyway
     */
    ShortReadStopsAllocator(int bufferBytes, int maxDatagramsPerWakeUp) {
        super(maxDatagramsPerWakeUp);
        this.bufferBytes = bufferBytes;
    }

    @Override
    public Handle newHandle() {
        return new StopOnShortRead();
    }

    private final class StopOnShortRead extends MaxMessageHandle {
        // Netty sets attempted = slots x slot size and last = datagrams x slot size for recvmmsg.
        private final UncheckedBooleanSupplier everySlotFilled = () -> lastBytesRead() == attemptedBytesRead();

        @Override
        public int guess() {
            return bufferBytes;
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier ignored) {
            return super.continueReading(everySlotFilled);
        }
    }
}
