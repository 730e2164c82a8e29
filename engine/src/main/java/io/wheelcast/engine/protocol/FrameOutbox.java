package io.wheelcast.engine.protocol;

import io.netty.buffer.ByteBuf;
import io.wheelcast.codec.DatagramWriter;
import io.wheelcast.codec.FiredFlyweight;
import io.wheelcast.codec.HeartbeatFlyweight;
import io.wheelcast.codec.SettledFlyweight;
import io.wheelcast.codec.KillAckFlyweight;
import io.wheelcast.codec.KillFlyweight;
import io.wheelcast.codec.KillForwardFlyweight;
import io.wheelcast.codec.MembersFlyweight;
import io.wheelcast.codec.ReplicatedFlyweight;
import io.wheelcast.codec.ScheduleFlyweight;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.counters.Counters;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Packs outgoing frames into datagrams: each frame goes into the datagram being filled for its
 * destination, which is sent when the next frame does not fit or on {@link #flush()}. Every
 * frame names a destination: {@link #EVERYONE} (the group, or in unicast mode every member) or
 * one member's id. In multicast mode every frame shares the group's datagram (one send reaches
 * all; receivers ignore what is not theirs). In unicast mode a frame for one member goes into a
 * direct datagram to that member only, up to {@link #DIRECT_LANES} destinations filling at once.
 * Owns the two sequence numbers (group and direct) and counts frames, datagrams and bytes out.
 * Confined to the event loop; allocates nothing but the pooled datagram buffers.
 */
final class FrameOutbox {
    /** The destination of a frame for every member. Node ids are never 0. */
    static final long EVERYONE = 0;
    /** Direct datagrams filling at once; a further destination sends the longest-filling one early. */
    static final int DIRECT_LANES = 8;

    /** One datagram being filled, and where it goes. */
    private static final class Lane {
        final DatagramWriter writer;
        long member;
        ByteBuf out;

        Lane(DatagramWriter writer) {
            this.writer = writer;
        }
    }

    private final Lane group;
    /** Empty in multicast mode. */
    private final Lane[] direct;
    private final DatagramSink sink;
    private final Counters counters;
    private final int maxDatagramBytes;
    private final int clusterId;
    private final long nodeId;
    private LongSupplier unsettledFor = () -> -1;
    private int nextEarly;
    private long sequence;
    private long directSequence;

    /**
     * @param writers      makes one writer per lane (each writer tags its own datagrams)
     * @param directSends  unicast mode: frames for one member go to that member only
     */
    FrameOutbox(Supplier<DatagramWriter> writers, boolean directSends, DatagramSink sink, Counters counters,
                int maxDatagramBytes, int clusterId, long nodeId) {
        this.group = new Lane(writers.get());
        this.direct = new Lane[directSends ? DIRECT_LANES : 0];
        for (int i = 0; i < direct.length; i++) {
            direct[i] = new Lane(writers.get());
        }
        this.sink = sink;
        this.counters = counters;
        this.maxDatagramBytes = maxDatagramBytes;
        this.clusterId = clusterId;
        this.nodeId = nodeId;
    }

    /**
     * Every datagram begins with a SETTLED frame saying how long this node's oldest unsettled
     * expiry has waited, as {@code unsettledFor} answers at that instant (negative: none goes).
     * Any datagram received from an owner so tells a holder which FIRED it may presume lost in
     * transit, as promptly as the FIRED itself would have (defect 10 in docs/operations.md).
     */
    void reportSettled(LongSupplier unsettledFor) {
        this.unsettledFor = unsettledFor;
    }

    /** Whether frames for one member travel alone to it (unicast mode). */
    boolean directSends() {
        return direct.length > 0;
    }

    private Lane lane(long to) {
        if (to == EVERYONE || direct.length == 0) {
            return group;
        }
        Lane free = null;
        for (Lane l : direct) {
            if (l.out != null) {
                if (l.member == to) {
                    return l;
                }
            } else if (free == null) {
                free = l;
            }
        }
        if (free == null) {
            free = direct[nextEarly];
            nextEarly = (nextEarly + 1) % direct.length;
            send(free);
        }
        free.member = to;
        return free;
    }

    /** The writer of {@code to}'s datagram, with room for a frame: a datagram in progress that cannot take it is sent first. */
    private DatagramWriter reserve(long to, int frameLength) {
        Lane lane = lane(to);
        DatagramWriter writer = lane.writer;
        if (writer.inProgress() && !writer.fits(frameLength)) {
            send(lane);
        }
        if (!writer.inProgress()) {
            lane.out = sink.allocate(maxDatagramBytes);
            boolean isDirect = lane != group;
            writer.begin(lane.out, clusterId, nodeId, isDirect ? ++directSequence : ++sequence, System.currentTimeMillis(), isDirect);
            long unsettledForMs = unsettledFor.getAsLong();
            if (unsettledForMs >= 0 && writer.fits(frameLength + SettledFlyweight.LENGTH)) { // a frame of the longest kind goes without
                writer.appendSettled(unsettledForMs);
                counters.increment(Counter.FRAMES_OUT_SETTLED);
            }
        }
        return writer;
    }

    private void send(Lane lane) {
        if (!lane.writer.inProgress()) {
            return;
        }
        int len = lane.writer.finish();
        ByteBuf datagram = lane.out;
        lane.out = null;
        counters.increment(Counter.DATAGRAMS_OUT);
        counters.add(Counter.BYTES_OUT, len);
        if (lane == group) {
            sink.send(datagram);
        } else {
            counters.increment(Counter.DIRECT_DATAGRAMS_OUT);
            sink.sendTo(datagram, lane.member);
        }
    }

    /** Sends the datagrams being filled, if any (without flushing the socket). */
    void sendCurrent() {
        send(group);
        for (Lane l : direct) {
            send(l);
        }
    }

    /** Sends the datagrams being filled, if any, and flushes the socket. */
    void flush() {
        sendCurrent();
        sink.flush();
    }

    void schedule(long to, int flags, long delayMs, long owner, byte[] id, int off, int len, byte[] payload) {
        int payloadLen = payload == null ? 0 : payload.length;
        reserve(to, ScheduleFlyweight.frameLength(len, payloadLen))
                .appendSchedule(flags, delayMs, owner, id, off, len, payload, 0, payloadLen);
        counters.increment(Counter.FRAMES_OUT_SCHEDULE);
    }

    void replicated(long to, long owner, byte[] id, int off, int len) {
        reserve(to, ReplicatedFlyweight.frameLength(len)).appendReplicated(owner, id, off, len);
        counters.increment(Counter.FRAMES_OUT_REPLICATED);
    }

    void kill(long to, long requestId, byte[] id, int off, int len) {
        reserve(to, KillFlyweight.frameLength(len)).appendKill(requestId, id, off, len);
        counters.increment(Counter.FRAMES_OUT_KILL);
    }

    void killAck(long to, int flags, long requestId, long canceller, int outcome, byte[] id, int off, int len) {
        reserve(to, KillAckFlyweight.frameLength(len)).appendKillAck(flags, requestId, canceller, outcome, id, off, len);
        counters.increment(Counter.FRAMES_OUT_KILL_ACK);
    }

    void killForward(long to, long requestId, long canceller, byte[] id, int off, int len) {
        reserve(to, KillForwardFlyweight.frameLength(len)).appendKillForward(requestId, canceller, id, off, len);
        counters.increment(Counter.FRAMES_OUT_KILL_FORWARD);
    }

    void fired(long to, long ownerOfRecord, byte[] id, int off, int len) {
        reserve(to, FiredFlyweight.frameLength(len)).appendFired(ownerOfRecord, id, off, len);
        counters.increment(Counter.FRAMES_OUT_FIRED);
    }

    void members(long[] ids, int[] ports, byte[][] addresses, int count) {
        reserve(EVERYONE, MembersFlyweight.frameLength(count)).appendMembers(ids, ports, addresses, 0, count);
        counters.increment(Counter.FRAMES_OUT_MEMBERS);
    }

    void heartbeat(long liveTimers, long intervalMs, long beat, int flags) {
        reserve(EVERYONE, HeartbeatFlyweight.LENGTH).appendHeartbeat(liveTimers, intervalMs, beat, flags);
        counters.increment(Counter.FRAMES_OUT_HEARTBEAT);
    }

    /** The longest frame one datagram carries. */
    int maxFrameLength() {
        return group.writer.maxFrameLength();
    }
}
