package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * HEARTBEAT (type 4): "I am alive", sent every interval; the basis of failure detection.
 *
 * <pre>
 *  0 frame header (type=4, flags, length = 16)
 *  4 u32 liveTimers   timers this node owns and has armed
 *  8 u32 intervalMs   the sender's heartbeat interval, so receivers can size their timeout
 * 12 u32 beat         the sender's heartbeat counter: gaps measure heartbeat loss
 * </pre>
 *
 * <p>An interval of 0 is a goodbye: the sender is leaving (graceful close) and the others take
 * its timers over at once.
 */
public final class HeartbeatFlyweight extends FrameFlyweight {
    public static final int LIVE_TIMERS_OFFSET = 4;
    public static final int INTERVAL_OFFSET = 8;
    public static final int BEAT_OFFSET = 12;
    public static final int LENGTH = 16;
    /**
     * Frame flag: the sender is in its quarantine after a stall and holds back its own timers
     * that fall due, so its datagrams meanwhile do not show that it fired them.
     */
    public static final int FLAG_DEFERRING = 1;

    @Override
    public HeartbeatFlyweight wrap(ByteBuf buf, int offset) {
        super.wrap(buf, offset);
        return this;
    }

    public long liveTimers() {
        return buf.getUnsignedIntLE(offset + LIVE_TIMERS_OFFSET);
    }

    public long intervalMs() {
        return buf.getUnsignedIntLE(offset + INTERVAL_OFFSET);
    }

    public long beat() {
        return buf.getUnsignedIntLE(offset + BEAT_OFFSET);
    }

    public HeartbeatFlyweight write(long liveTimers, long intervalMs, long beat) {
        writeFrameHeader(WireFormat.TYPE_HEARTBEAT, LENGTH);
        buf.setIntLE(offset + LIVE_TIMERS_OFFSET, (int) liveTimers);
        buf.setIntLE(offset + INTERVAL_OFFSET, (int) intervalMs);
        buf.setIntLE(offset + BEAT_OFFSET, (int) beat);
        return this;
    }

    @Override
    public String toString() {
        return "HEARTBEAT{liveTimers=" + liveTimers() + ", intervalMs=" + intervalMs() + '}';
    }
}
