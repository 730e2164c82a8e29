package io.wheelcast.engine.protocol;

import io.netty.buffer.ByteBuf;
import io.wheelcast.codec.DatagramWriter;
import io.wheelcast.codec.FiredFlyweight;
import io.wheelcast.codec.HeartbeatFlyweight;
import io.wheelcast.codec.KillAckFlyweight;
import io.wheelcast.codec.KillFlyweight;
import io.wheelcast.codec.ReplicatedFlyweight;
import io.wheelcast.codec.ScheduleFlyweight;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.counters.Counters;

/**
 * Packs outgoing frames into datagrams: each frame goes into the datagram being filled, which
 * is sent when the next frame does not fit or on {@link #flush()}. Owns the sequence numbers
 * and counts frames, datagrams and bytes out. Confined to the event loop; allocates nothing
 * but the pooled datagram buffers.
 */
final class FrameOutbox {
    private final DatagramWriter writer;
    private final DatagramSink sink;
    private final Counters counters;
    private final int maxDatagramBytes;
    private final int clusterId;
    private final long nodeId;
    private ByteBuf out;
    private long sequence;

    FrameOutbox(DatagramWriter writer, DatagramSink sink, Counters counters, int maxDatagramBytes, int clusterId, long nodeId) {
        this.writer = writer;
        this.sink = sink;
        this.counters = counters;
        this.maxDatagramBytes = maxDatagramBytes;
        this.clusterId = clusterId;
        this.nodeId = nodeId;
    }

    /** Makes room for a frame: a datagram in progress that cannot take it is sent first. */
    private void reserve(int frameLength) {
        if (writer.inProgress() && !writer.fits(frameLength)) {
            sendCurrent();
        }
        if (!writer.inProgress()) {
            out = sink.allocate(maxDatagramBytes);
            writer.begin(out, clusterId, nodeId, ++sequence, System.currentTimeMillis());
        }
    }

    /** Sends the datagram being filled, if any (without flushing the socket). */
    void sendCurrent() {
        if (writer.inProgress()) {
            int len = writer.finish();
            ByteBuf datagram = out;
            out = null;
            counters.increment(Counter.DATAGRAMS_OUT);
            counters.add(Counter.BYTES_OUT, len);
            sink.send(datagram);
        }
    }

    /** Sends the datagram being filled, if any, and flushes the socket. */
    void flush() {
        sendCurrent();
        sink.flush();
    }

    void schedule(int flags, long delayMs, long owner, byte[] id, int off, int len, byte[] payload) {
        int payloadLen = payload == null ? 0 : payload.length;
        reserve(ScheduleFlyweight.frameLength(len, payloadLen));
        writer.appendSchedule(flags, delayMs, owner, id, off, len, payload, 0, payloadLen);
        counters.increment(Counter.FRAMES_OUT_SCHEDULE);
    }

    void replicated(long owner, byte[] id, int off, int len) {
        reserve(ReplicatedFlyweight.frameLength(len));
        writer.appendReplicated(owner, id, off, len);
        counters.increment(Counter.FRAMES_OUT_REPLICATED);
    }

    void kill(long requestId, byte[] id, int off, int len) {
        reserve(KillFlyweight.frameLength(len));
        writer.appendKill(requestId, id, off, len);
        counters.increment(Counter.FRAMES_OUT_KILL);
    }

    void killAck(long requestId, long canceller, int outcome, byte[] id, int off, int len) {
        reserve(KillAckFlyweight.frameLength(len));
        writer.appendKillAck(requestId, canceller, outcome, id, off, len);
        counters.increment(Counter.FRAMES_OUT_KILL_ACK);
    }

    void fired(byte[] id, int off, int len) {
        reserve(FiredFlyweight.frameLength(len));
        writer.appendFired(nodeId, id, off, len);
        counters.increment(Counter.FRAMES_OUT_FIRED);
    }

    void members(long[] ids, int[] ports, byte[][] addresses, int count) {
        reserve(io.wheelcast.codec.MembersFlyweight.frameLength(count));
        writer.appendMembers(ids, ports, addresses, 0, count);
        counters.increment(Counter.FRAMES_OUT_MEMBERS);
    }

    /** The longest frame one datagram carries. */
    int maxFrameLength() {
        return writer.maxFrameLength();
    }

    void heartbeat(long liveTimers, long intervalMs, long beat) {
        reserve(HeartbeatFlyweight.LENGTH);
        writer.appendHeartbeat(liveTimers, intervalMs, beat);
        counters.increment(Counter.FRAMES_OUT_HEARTBEAT);
    }
}
