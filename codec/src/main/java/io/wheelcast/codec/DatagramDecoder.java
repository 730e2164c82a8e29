package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * Validates a datagram completely, then dispatches its frames. Two passes so that a datagram
 * with a bad last frame acts on nothing, not on its first frames. Allocation free: the same
 * flyweights are wrapped around every frame. One instance per thread.
 *
 * <p>Usage: {@code if (decoder.validate(buf) == OK) { inspect decoder.header(); decoder.dispatch(handler); }}
 */
public final class DatagramDecoder {
    /** Accept any cluster id (for tools such as a sniffer). */
    public static final long ANY_CLUSTER = -1L;

    private final DecoderLimits limits;
    private final long clusterId;
    private final HeaderFlyweight header = new HeaderFlyweight();
    private final FrameFlyweight frame = new FrameFlyweight();
    private final ScheduleFlyweight schedule = new ScheduleFlyweight();
    private final KillFlyweight kill = new KillFlyweight();
    private final KillAckFlyweight killAck = new KillAckFlyweight();
    private final KillForwardFlyweight killForward = new KillForwardFlyweight();
    private final HeartbeatFlyweight heartbeat = new HeartbeatFlyweight();
    private final SettledFlyweight settled = new SettledFlyweight();
    private final FiredFlyweight fired = new FiredFlyweight();
    private final ReplicatedFlyweight replicated = new ReplicatedFlyweight();
    private final MembersFlyweight members = new MembersFlyweight();

    private ByteBuf validated;
    private int framesStart;
    private int frameCount;

    /**
     * @param limits    bounds every field is checked against
     * @param clusterId the unsigned 32-bit cluster id to accept, or {@link #ANY_CLUSTER}
     */
    public DatagramDecoder(DecoderLimits limits, long clusterId) {
        this.limits = limits;
        this.clusterId = clusterId;
    }

    /** The header of the last datagram passed to {@link #validate}; valid until the next call. */
    public HeaderFlyweight header() {
        return header;
    }

    /** Index one past the last frame byte (where the auth tag starts, if flagged) of the last validated datagram. */
    public int framesEnd() {
        return framesEnd;
    }

    private int framesEnd;

    /**
     * Checks the readable bytes of {@code buf} as one datagram. Does not move the reader index.
     */
    public DecodeStatus validate(ByteBuf buf) {
        validated = null;
        int start = buf.readerIndex();
        int length = buf.readableBytes();
        if (length < HeaderFlyweight.HEADER_LENGTH) {
            return DecodeStatus.TOO_SHORT;
        }
        if (length > limits.maxDatagramLength()) {
            return DecodeStatus.TOO_LONG;
        }
        header.wrap(buf, start);
        if (header.magic() != WireFormat.MAGIC) {
            return DecodeStatus.BAD_MAGIC;
        }
        if (header.version() != WireFormat.VERSION) {
            return DecodeStatus.UNSUPPORTED_VERSION;
        }
        if (clusterId != ANY_CLUSTER && Integer.toUnsignedLong(header.clusterId()) != clusterId) {
            return DecodeStatus.WRONG_CLUSTER;
        }
        int end = start + length;
        if (header.authenticated()) {
            if (length < HeaderFlyweight.HEADER_LENGTH + WireFormat.AUTH_TAG_LENGTH) {
                return DecodeStatus.TOO_SHORT;
            }
            end -= WireFormat.AUTH_TAG_LENGTH;
        }
        int count = header.frameCount();
        if (count == 0) {
            return DecodeStatus.NO_FRAMES;
        }
        if (count > limits.maxFrames()) {
            return DecodeStatus.TOO_MANY_FRAMES;
        }
        int at = start + HeaderFlyweight.HEADER_LENGTH;
        for (int i = 0; i < count; i++) {
            if (at == end) {
                return DecodeStatus.FRAME_COUNT_MISMATCH;
            }
            if (end - at < WireFormat.FRAME_HEADER_LENGTH) {
                return DecodeStatus.FRAME_HEADER_TRUNCATED;
            }
            frame.wrap(buf, at);
            int frameLength = frame.frameLength();
            if (frameLength < WireFormat.FRAME_HEADER_LENGTH) {
                return DecodeStatus.FRAME_LENGTH_INVALID;
            }
            if (frameLength > end - at) {
                return DecodeStatus.FRAME_TRUNCATED;
            }
            DecodeStatus s = validateFrame(buf, at, frame.type(), frameLength);
            if (s != DecodeStatus.OK) {
                return s;
            }
            at += frameLength;
        }
        if (at != end) {
            return DecodeStatus.TRAILING_BYTES;
        }
        validated = buf;
        framesStart = start + HeaderFlyweight.HEADER_LENGTH;
        frameCount = count;
        framesEnd = end;
        return DecodeStatus.OK;
    }

    private DecodeStatus validateFrame(ByteBuf buf, int at, int type, int frameLength) {
        switch (type) {
            case WireFormat.TYPE_SCHEDULE: {
                if (frameLength < ScheduleFlyweight.FIXED_LENGTH) {
                    return DecodeStatus.FRAME_LENGTH_INVALID;
                }
                schedule.wrap(buf, at);
                int idLength = schedule.idLength();
                int payloadLength = schedule.payloadLength();
                DecodeStatus s = checkId(idLength);
                if (s != DecodeStatus.OK) {
                    return s;
                }
                if (payloadLength > limits.maxPayloadLength()) {
                    return DecodeStatus.PAYLOAD_TOO_LONG;
                }
                return frameLength == ScheduleFlyweight.frameLength(idLength, payloadLength)
                        ? DecodeStatus.OK : DecodeStatus.FRAME_LENGTH_INVALID;
            }
            case WireFormat.TYPE_KILL:
                return validateIdFrame(buf, at, frameLength, KillFlyweight.FIXED_LENGTH, KillFlyweight.ID_LENGTH_OFFSET);
            case WireFormat.TYPE_KILL_ACK: {
                DecodeStatus s = validateIdFrame(buf, at, frameLength, KillAckFlyweight.FIXED_LENGTH, KillAckFlyweight.ID_LENGTH_OFFSET);
                if (s != DecodeStatus.OK) {
                    return s;
                }
                return KillAckFlyweight.isKnownOutcome(killAck.wrap(buf, at).outcome()) ? DecodeStatus.OK : DecodeStatus.BAD_OUTCOME;
            }
            case WireFormat.TYPE_KILL_FORWARD:
                return validateIdFrame(buf, at, frameLength, KillForwardFlyweight.FIXED_LENGTH, KillForwardFlyweight.ID_LENGTH_OFFSET);
            case WireFormat.TYPE_HEARTBEAT:
                return frameLength == HeartbeatFlyweight.LENGTH ? DecodeStatus.OK : DecodeStatus.FRAME_LENGTH_INVALID;
            case WireFormat.TYPE_SETTLED:
                return frameLength == SettledFlyweight.LENGTH ? DecodeStatus.OK : DecodeStatus.FRAME_LENGTH_INVALID;
            case WireFormat.TYPE_FIRED, WireFormat.TYPE_REPLICATED:
                return validateIdFrame(buf, at, frameLength, OwnerIdFrameFlyweight.FIXED_LENGTH, OwnerIdFrameFlyweight.ID_LENGTH_OFFSET);
            case WireFormat.TYPE_MEMBERS: {
                if (frameLength < MembersFlyweight.ENTRIES_OFFSET) {
                    return DecodeStatus.FRAME_LENGTH_INVALID;
                }
                int count = members.wrap(buf, at).count();
                return count > 0 && frameLength == MembersFlyweight.frameLength(count)
                        ? DecodeStatus.OK : DecodeStatus.FRAME_LENGTH_INVALID;
            }
            default:
                return DecodeStatus.OK; // unknown type: skipped by length, for forward compatibility
        }
    }

    /** A fixed part and an id whose u16 length sits at {@code idLengthOffset}: the id within limits, the frame exactly that long. */
    private DecodeStatus validateIdFrame(ByteBuf buf, int at, int frameLength, int fixedLength, int idLengthOffset) {
        if (frameLength < fixedLength) {
            return DecodeStatus.FRAME_LENGTH_INVALID;
        }
        int idLength = buf.getUnsignedShortLE(at + idLengthOffset);
        DecodeStatus s = checkId(idLength);
        if (s != DecodeStatus.OK) {
            return s;
        }
        return frameLength == fixedLength + idLength ? DecodeStatus.OK : DecodeStatus.FRAME_LENGTH_INVALID;
    }

    private DecodeStatus checkId(int idLength) {
        if (idLength == 0) {
            return DecodeStatus.ID_EMPTY;
        }
        return idLength > limits.maxIdLength() ? DecodeStatus.ID_TOO_LONG : DecodeStatus.OK;
    }

    /** Receives the id of each KILL frame during {@link #visitKillIds}. */
    public interface KillIdVisitor {
        void onKillId(ByteBuf buf, int idIndex, int idLength);
    }

    /**
     * Read-ahead for batching handlers: shows {@code visitor} the id of every KILL frame of the
     * datagram last accepted by {@link #validate}, in order, before {@link #dispatch} hands the
     * frames over; the datagram stays ready for dispatch.
     *
     * @return the number of KILL frames
     */
    public int visitKillIds(KillIdVisitor visitor) {
        ByteBuf buf = validated;
        if (buf == null) {
            throw new IllegalStateException("visitKillIds() without a successful validate()");
        }
        int kills = 0;
        int at = framesStart;
        for (int i = 0; i < frameCount; i++) {
            frame.wrap(buf, at);
            if (frame.type() == WireFormat.TYPE_KILL) {
                kill.wrap(buf, at);
                visitor.onKillId(buf, kill.idIndex(), kill.idLength());
                kills++;
            }
            at += frame.frameLength();
        }
        return kills;
    }

    /** Frames in the datagram last accepted by {@link #validate}. */
    public int frameCount() {
        return frameCount;
    }

    /**
     * Hands each frame of the datagram last accepted by {@link #validate} to {@code handler}.
     *
     * @throws IllegalStateException if the last validation did not return {@link DecodeStatus#OK}
     */
    public void dispatch(FrameHandler handler) {
        ByteBuf buf = validated;
        if (buf == null) {
            throw new IllegalStateException("dispatch() without a successful validate()");
        }
        validated = null;
        int at = framesStart;
        for (int i = 0; i < frameCount; i++) {
            frame.wrap(buf, at);
            int type = frame.type();
            int frameLength = frame.frameLength();
            switch (type) {
                case WireFormat.TYPE_SCHEDULE -> handler.onSchedule(header, schedule.wrap(buf, at));
                case WireFormat.TYPE_KILL -> handler.onKill(header, kill.wrap(buf, at));
                case WireFormat.TYPE_KILL_ACK -> handler.onKillAck(header, killAck.wrap(buf, at));
                case WireFormat.TYPE_HEARTBEAT -> handler.onHeartbeat(header, heartbeat.wrap(buf, at));
                case WireFormat.TYPE_FIRED -> handler.onFired(header, fired.wrap(buf, at));
                case WireFormat.TYPE_REPLICATED -> handler.onReplicated(header, replicated.wrap(buf, at));
                case WireFormat.TYPE_MEMBERS -> handler.onMembers(header, members.wrap(buf, at));
                case WireFormat.TYPE_KILL_FORWARD -> handler.onKillForward(header, killForward.wrap(buf, at));
                case WireFormat.TYPE_SETTLED -> handler.onSettled(header, settled.wrap(buf, at));
                default -> handler.onUnknown(header, frame);
            }
            at += frameLength;
        }
    }
}
