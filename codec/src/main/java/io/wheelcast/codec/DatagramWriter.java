package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * Packs frames into one datagram up to a size limit. Each {@code append...} returns
 * {@code false}, writing nothing, when the frame does not fit; the caller then finishes this
 * datagram and begins another. Allocation free; one instance per thread.
 */
public final class DatagramWriter {
    private final HeaderFlyweight header = new HeaderFlyweight();
    private final ScheduleFlyweight schedule = new ScheduleFlyweight();
    private final KillFlyweight kill = new KillFlyweight();
    private final KillAckFlyweight killAck = new KillAckFlyweight();
    private final KillForwardFlyweight killForward = new KillForwardFlyweight();
    private final HeartbeatFlyweight heartbeat = new HeartbeatFlyweight();
    private final SettledFlyweight settled = new SettledFlyweight();
    private final FiredFlyweight fired = new FiredFlyweight();
    private final ReplicatedFlyweight replicated = new ReplicatedFlyweight();
    private final MembersFlyweight members = new MembersFlyweight();
    private final int maxDatagramLength;
    private final int maxFrames;
    private final DatagramSigner signer;

    private ByteBuf buf;
    private int start;
    private int frames;

    /**
     * @param maxDatagramLength bytes per datagram including header and tag (e.g. 1472 for a 1500-byte MTU over IPv4)
     * @param maxFrames         most frames per datagram; keep it at or below the receivers' limit
     * @param signer            writes the auth tag, or {@code null} for unauthenticated datagrams
     */
    public DatagramWriter(int maxDatagramLength, int maxFrames, DatagramSigner signer) {
        int tag = signer == null ? 0 : WireFormat.AUTH_TAG_LENGTH;
        if (maxDatagramLength < HeaderFlyweight.HEADER_LENGTH + tag + WireFormat.FRAME_HEADER_LENGTH
                || maxDatagramLength > 65_507) {
            throw new IllegalArgumentException("maxDatagramLength out of range: " + maxDatagramLength);
        }
        if (maxFrames < 1 || maxFrames > 0xFFFF) {
            throw new IllegalArgumentException("maxFrames out of range: " + maxFrames);
        }
        this.maxDatagramLength = maxDatagramLength;
        this.maxFrames = maxFrames;
        this.signer = signer;
    }

    private int tagLength() {
        return signer == null ? 0 : WireFormat.AUTH_TAG_LENGTH;
    }

    /** Starts a datagram at {@code buf}'s writer index. The buffer must have room for {@code maxDatagramLength}. */
    public void begin(ByteBuf buf, int clusterId, long senderId, long sequence, long timestampMs) {
        begin(buf, clusterId, senderId, sequence, timestampMs, false);
    }

    /** As {@link #begin(ByteBuf, int, long, long, long)}; {@code direct} sets {@link WireFormat#FLAG_DIRECT}. */
    public void begin(ByteBuf buf, int clusterId, long senderId, long sequence, long timestampMs, boolean direct) {
        buf.ensureWritable(maxDatagramLength);
        this.buf = buf;
        this.start = buf.writerIndex();
        this.frames = 0;
        header.wrap(buf, start)
                .magic(WireFormat.MAGIC)
                .version(WireFormat.VERSION)
                .flags((signer == null ? 0 : WireFormat.FLAG_AUTHENTICATED) | (direct ? WireFormat.FLAG_DIRECT : 0))
                .clusterId(clusterId)
                .senderId(senderId)
                .sequence(sequence)
                .timestampMs(timestampMs)
                .frameCount(0)
                .keyId(signer == null ? 0 : signer.keyId());
        buf.setByte(start + HeaderFlyweight.RESERVED_OFFSET, 0);
        buf.writerIndex(start + HeaderFlyweight.HEADER_LENGTH);
    }

    public boolean inProgress() {
        return buf != null;
    }

    public int frameCount() {
        return frames;
    }

    /** Whether a frame of {@code frameLength} bytes fits in the datagram in progress. */
    public boolean fits(int frameLength) {
        return room(frameLength) >= 0;
    }

    private int room(int frameLength) {
        if (frames == maxFrames) {
            return -1;
        }
        int used = buf.writerIndex() - start;
        return maxDatagramLength - tagLength() - used - frameLength;
    }

    private void advance(int frameLength) {
        buf.writerIndex(buf.writerIndex() + frameLength);
        frames++;
    }

    public boolean appendSchedule(long delayMs, long ownerId, byte[] id, int idOff, int idLen,
                                  byte[] payload, int payloadOff, int payloadLen) {
        return appendSchedule(0, delayMs, ownerId, id, idOff, idLen, payload, payloadOff, payloadLen);
    }

    /** A SCHEDULE with frame flags ({@link ScheduleFlyweight#FLAG_ACK_ANY}, {@link ScheduleFlyweight#FLAG_ADOPTED}). */
    public boolean appendSchedule(int flags, long delayMs, long ownerId, byte[] id, int idOff, int idLen,
                                  byte[] payload, int payloadOff, int payloadLen) {
        int len = ScheduleFlyweight.frameLength(idLen, payloadLen);
        if (room(len) < 0) {
            return false;
        }
        schedule.wrap(buf, buf.writerIndex()).write(delayMs, ownerId, id, idOff, idLen, payload, payloadOff, payloadLen)
                .frameFlags(flags);
        advance(len);
        return true;
    }

    public boolean appendReplicated(long ownerId, byte[] id, int idOff, int idLen) {
        int len = ReplicatedFlyweight.frameLength(idLen);
        if (room(len) < 0) {
            return false;
        }
        replicated.wrap(buf, buf.writerIndex()).write(ownerId, id, idOff, idLen);
        advance(len);
        return true;
    }

    public boolean appendKill(long requestId, byte[] id, int idOff, int idLen) {
        int len = KillFlyweight.frameLength(idLen);
        if (room(len) < 0) {
            return false;
        }
        kill.wrap(buf, buf.writerIndex()).write(requestId, id, idOff, idLen);
        advance(len);
        return true;
    }

    public boolean appendKillAck(long requestId, long cancellerId, int outcome, byte[] id, int idOff, int idLen) {
        return appendKillAck(0, requestId, cancellerId, outcome, id, idOff, idLen);
    }

    /** A KILL_ACK with frame flags ({@link KillAckFlyweight#FLAG_FOR_DEAD_OWNER}). */
    public boolean appendKillAck(int flags, long requestId, long cancellerId, int outcome, byte[] id, int idOff, int idLen) {
        int len = KillAckFlyweight.frameLength(idLen);
        if (room(len) < 0) {
            return false;
        }
        killAck.wrap(buf, buf.writerIndex()).write(requestId, cancellerId, outcome, id, idOff, idLen).frameFlags(flags);
        advance(len);
        return true;
    }

    public boolean appendKillForward(long requestId, long cancellerId, byte[] id, int idOff, int idLen) {
        int len = KillForwardFlyweight.frameLength(idLen);
        if (room(len) < 0) {
            return false;
        }
        killForward.wrap(buf, buf.writerIndex()).write(requestId, cancellerId, id, idOff, idLen);
        advance(len);
        return true;
    }

    public boolean appendHeartbeat(long liveTimers, long intervalMs, long beat) {
        return appendHeartbeat(liveTimers, intervalMs, beat, 0);
    }

    /** A HEARTBEAT with frame flags ({@link HeartbeatFlyweight#FLAG_DEFERRING}). */
    public boolean appendHeartbeat(long liveTimers, long intervalMs, long beat, int flags) {
        if (room(HeartbeatFlyweight.LENGTH) < 0) {
            return false;
        }
        heartbeat.wrap(buf, buf.writerIndex()).write(liveTimers, intervalMs, beat);
        heartbeat.frameFlags(flags);
        advance(HeartbeatFlyweight.LENGTH);
        return true;
    }

    /** A SETTLED frame: how long the oldest expiry whose listener has not returned has waited (0: none). */
    public boolean appendSettled(long unsettledForMs) {
        if (room(SettledFlyweight.LENGTH) < 0) {
            return false;
        }
        settled.wrap(buf, buf.writerIndex()).write(unsettledForMs);
        advance(SettledFlyweight.LENGTH);
        return true;
    }

    /**
     * A MEMBERS frame of {@code count} entries: node ids, ports and addresses (4 or 16 bytes
     * each) from the given arrays, starting at {@code from}.
     */
    public boolean appendMembers(long[] nodeIds, int[] ports, byte[][] addresses, int from, int count) {
        int len = MembersFlyweight.frameLength(count);
        if (count < 1 || room(len) < 0) {
            return false;
        }
        members.wrap(buf, buf.writerIndex()).writeHeader(count);
        for (int i = 0; i < count; i++) {
            members.writeEntry(i, nodeIds[from + i], ports[from + i], addresses[from + i]);
        }
        advance(len);
        return true;
    }

    /** The longest frame a datagram of its own can carry (header and tag taken off). */
    public int maxFrameLength() {
        return maxDatagramLength - HeaderFlyweight.HEADER_LENGTH - (signer != null ? WireFormat.AUTH_TAG_LENGTH : 0);
    }

    public boolean appendFired(long ownerId, byte[] id, int idOff, int idLen) {
        int len = FiredFlyweight.frameLength(idLen);
        if (room(len) < 0) {
            return false;
        }
        fired.wrap(buf, buf.writerIndex()).write(ownerId, id, idOff, idLen);
        advance(len);
        return true;
    }

    /** Appends raw bytes as one frame (for tests of unknown types). */
    public boolean appendRaw(byte[] frameBytes) {
        if (room(frameBytes.length) < 0) {
            return false;
        }
        buf.setBytes(buf.writerIndex(), frameBytes);
        advance(frameBytes.length);
        return true;
    }

    /**
     * Writes the frame count and the tag. Returns the finished datagram's length; the buffer's
     * writer index is just past it.
     */
    public int finish() {
        header.frameCount(frames);
        int signedLength = buf.writerIndex() - start;
        if (signer != null) {
            signer.sign(buf, start, signedLength);
            buf.writerIndex(buf.writerIndex() + WireFormat.AUTH_TAG_LENGTH);
        }
        int length = buf.writerIndex() - start;
        buf = null;
        return length;
    }
}
