package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * KILL_ACK (type 3): the owner's answer to a KILL, multicast so that every replica drops the
 * timer too. A request id of 0 means the owner cancelled the timer itself. With
 * {@link #FLAG_FOR_DEAD_OWNER} it is a holder's answer for an owner that died after the timer
 * ended: for the canceller only, taken when no owner answers.
 *
 * <pre>
 *  0 frame header (type=3, flags, length = 24 + idLength)
 *  4 i64 requestId    copied from the KILL
 * 12 i64 cancellerId  sender of the KILL (the node waiting for this answer)
 * 20 u8  outcome      1 = CANCELLED, 2 = ALREADY_FIRED
 * 21 u8  reserved (0)
 * 22 u16 idLength
 * 24 id bytes
 * </pre>
 */
public final class KillAckFlyweight extends FrameFlyweight {
    public static final int REQUEST_ID_OFFSET = 4;
    public static final int CANCELLER_OFFSET = 12;
    public static final int OUTCOME_OFFSET = 20;
    public static final int ID_LENGTH_OFFSET = 22;
    public static final int ID_OFFSET = 24;
    public static final int FIXED_LENGTH = 24;

    /**
     * Frame flag: sent by a node that saw the timer end (its FIRED, its owner's cancel) for an
     * owner declared dead. Replicas ignore it (the id may have been armed again elsewhere since,
     * unknown to the sender); the canceller keeps it as the answer should no owner answer.
     */
    public static final int FLAG_FOR_DEAD_OWNER = 1;

    public static final int OUTCOME_CANCELLED = 1;
    public static final int OUTCOME_ALREADY_FIRED = 2;

    public static int frameLength(int idLength) {
        return FIXED_LENGTH + idLength;
    }

    public static boolean isKnownOutcome(int outcome) {
        return outcome == OUTCOME_CANCELLED || outcome == OUTCOME_ALREADY_FIRED;
    }

    @Override
    public KillAckFlyweight wrap(ByteBuf buf, int offset) {
        super.wrap(buf, offset);
        return this;
    }

    public long requestId() {
        return buf.getLongLE(offset + REQUEST_ID_OFFSET);
    }

    public long cancellerId() {
        return buf.getLongLE(offset + CANCELLER_OFFSET);
    }

    public int outcome() {
        return buf.getUnsignedByte(offset + OUTCOME_OFFSET);
    }

    public int idLength() {
        return buf.getUnsignedShortLE(offset + ID_LENGTH_OFFSET);
    }

    public int idIndex() {
        return offset + ID_OFFSET;
    }

    public byte[] idCopy() {
        return copy(ID_OFFSET, idLength());
    }

    public KillAckFlyweight write(long requestId, long cancellerId, int outcome, byte[] id, int idOff, int idLen) {
        writeFrameHeader(WireFormat.TYPE_KILL_ACK, frameLength(idLen));
        buf.setLongLE(offset + REQUEST_ID_OFFSET, requestId);
        buf.setLongLE(offset + CANCELLER_OFFSET, cancellerId);
        buf.setByte(offset + OUTCOME_OFFSET, outcome);
        buf.setByte(offset + OUTCOME_OFFSET + 1, 0);
        buf.setShortLE(offset + ID_LENGTH_OFFSET, idLen);
        buf.setBytes(offset + ID_OFFSET, id, idOff, idLen);
        return this;
    }

    @Override
    public String toString() {
        return "KILL_ACK{requestId=" + Long.toHexString(requestId()) + ", canceller=" + Long.toHexString(cancellerId())
                + ", outcome=" + outcome() + ", idLength=" + idLength() + '}';
    }
}
