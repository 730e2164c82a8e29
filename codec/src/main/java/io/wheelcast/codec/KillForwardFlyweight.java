package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * KILL_FORWARD (type 8, unicast mode): a holder of a timer's replica passes a canceller's KILL
 * on to the timer's owner, naming the canceller, so the owner answers the canceller directly.
 * Cancellers that do not know the owner send their KILL only to the few members that must hold
 * the timer or own it (see docs/wire-format.md, "Routed kills"), so the owner may not get it
 * otherwise.
 *
 * <pre>
 *  0 frame header (type=8, flags, length = 24 + idLength)
 *  4 i64 requestId    copied from the KILL
 * 12 i64 cancellerId  sender of the KILL (the node waiting for the KILL_ACK)
 * 20 u16 idLength
 * 22 u16 reserved (0)
 * 24 id bytes
 * </pre>
 */
public final class KillForwardFlyweight extends FrameFlyweight {
    public static final int REQUEST_ID_OFFSET = 4;
    public static final int CANCELLER_OFFSET = 12;
    public static final int ID_LENGTH_OFFSET = 20;
    public static final int ID_OFFSET = 24;
    public static final int FIXED_LENGTH = 24;

    public static int frameLength(int idLength) {
        return FIXED_LENGTH + idLength;
    }

    @Override
    public KillForwardFlyweight wrap(ByteBuf buf, int offset) {
        super.wrap(buf, offset);
        return this;
    }

    public long requestId() {
        return buf.getLongLE(offset + REQUEST_ID_OFFSET);
    }

    public long cancellerId() {
        return buf.getLongLE(offset + CANCELLER_OFFSET);
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

    public KillForwardFlyweight write(long requestId, long cancellerId, byte[] id, int idOff, int idLen) {
        writeFrameHeader(WireFormat.TYPE_KILL_FORWARD, frameLength(idLen));
        buf.setLongLE(offset + REQUEST_ID_OFFSET, requestId);
        buf.setLongLE(offset + CANCELLER_OFFSET, cancellerId);
        buf.setShortLE(offset + ID_LENGTH_OFFSET, idLen);
        buf.setShortLE(offset + ID_LENGTH_OFFSET + 2, 0);
        buf.setBytes(offset + ID_OFFSET, id, idOff, idLen);
        return this;
    }

    @Override
    public String toString() {
        return "KILL_FORWARD{requestId=" + Long.toHexString(requestId()) + ", canceller=" + Long.toHexString(cancellerId())
                + ", idLength=" + idLength() + '}';
    }
}
