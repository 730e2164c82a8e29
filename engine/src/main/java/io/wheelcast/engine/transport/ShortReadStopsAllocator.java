package io.wheelcast.engine.transport;

import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Receive buffers for Netty's (level-triggered) epoll datagram channel whose wake-up's reading
 * stops at the first read that comes back short: a {@code recvmmsg} with free slots, or a single
 * {@code recvmsg} (every datagram is shorter than its buffer).
 *
 * <p>Why: Netty otherwise reads until a call returns nothing. With {@link ReceiveCoalescing} the
 * first {@code recvmmsg} after a window takes the batch, and the following ones chase datagrams
 * that arrive while the batch is handled, one or two per system call (measured: 6.5 datagrams per
 * call instead of the window's ~30 at 100,000/s); stopping lets them gather for the next window.
 * In busy-poll mode the extra call is an empty read on the round trip's path (W2: 3.8 reads per
 * round trip instead of 2); the spin's next turn reads what came. Level-triggered epoll still
 * reports whatever is left.
 */
final class ShortReadStopsAllocator extends DefaultMaxMessagesRecvByteBufAllocator {
    private final int bufferBytes;

    /**
     * @param bufferBytes one call's buffer (for {@code recvmmsg} split by Netty into {@code MAX_DATAGRAM_PAYLOAD_SIZE} slots)
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
        // recvmmsg: Netty sets attempted = slots x slot size and last = datagrams x slot size;
        // recvmsg: attempted = the buffer's writable bytes, last = the datagram's length.
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
