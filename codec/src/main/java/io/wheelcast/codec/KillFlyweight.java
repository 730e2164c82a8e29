package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * KILL (type 2): clear the timer with this id wherever it lives. Retransmitted with the same
 * request id until the owner acknowledges.
 *
 * <pre>
 *  0 frame header (type=2, flags, length = 16 + idLength)
 *  4 i64 requestId    chosen by the canceller, echoed in KILL_ACK
 * 12 u16 idLength
 * 14 u16 reserved (0)
 * 16 id bytes
 * </pre>
 */
public final class KillFlyweight extends FrameFlyweight {
    public static final int REQUEST_ID_OFFSET = 4;
    public static final int ID_LENGTH_OFFSET = 12;
    public static final int ID_OFFSET = 16;
    public static final int FIXED_LENGTH = 16;

    public static int frameLength(int idLength) {
        return FIXED_LENGTH + idLength;
    }

    @Override
    public KillFlyweight wrap(ByteBuf buf, int offset) {
        super.wrap(buf, offset);
        return this;
    }

    public long requestId() {
        return buf.getLongLE(offset + REQUEST_ID_OFFSET);
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

    public KillFlyweight write(long requestId, byte[] id, int idOff, int idLen) {
        writeFrameHeader(WireFormat.TYPE_KILL, frameLength(idLen));
        buf.setLongLE(offset + REQUEST_ID_OFFSET, requestId);
        buf.setShortLE(offset + ID_LENGTH_OFFSET, idLen);
        buf.setShortLE(offset + ID_LENGTH_OFFSET + 2, 0);
        buf.setBytes(offset + ID_OFFSET, id, idOff, idLen);
        return this;
    }

    @Override
    public String toString() {
        return "KILL{requestId=" + Long.toHexString(requestId()) + ", idLength=" + idLength() + '}';
    }
}
