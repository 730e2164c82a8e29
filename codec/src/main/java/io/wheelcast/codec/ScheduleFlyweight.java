package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * SCHEDULE (type 1): the owner armed a timer. Replicas keep it for failover and to know the owner.
 *
 * <pre>
 *  0 frame header (type=1, flags, length = 24 + idLength + payloadLength)
 *  4 i64 delayMs      remaining delay when sent
 * 12 i64 ownerId      node that owns (and will fire) the timer
 * 20 u16 idLength     1..limit
 * 22 u16 payloadLength
 * 24 id bytes, then payload bytes
 * </pre>
 *
 * <p>Frame flags: {@link #FLAG_ACK_ANY} (every node that stores it answers with REPLICATED, not
 * only the owner's designated backup: set on re-sends), {@link #FLAG_ADOPTED} (the sender took
 * the timer over from a dead owner and now owns it).
 */
public final class ScheduleFlyweight extends FrameFlyweight {
    /** Every receiver that stores the replica acknowledges it. */
    public static final int FLAG_ACK_ANY = 0x01;
    /** The owner field names an adopter that took the timer over from a dead owner. */
    public static final int FLAG_ADOPTED = 0x02;
    public static final int DELAY_OFFSET = 4;
    public static final int OWNER_OFFSET = 12;
    public static final int ID_LENGTH_OFFSET = 20;
    public static final int PAYLOAD_LENGTH_OFFSET = 22;
    public static final int ID_OFFSET = 24;
    public static final int FIXED_LENGTH = 24;

    public static int frameLength(int idLength, int payloadLength) {
        return FIXED_LENGTH + idLength + payloadLength;
    }

    @Override
    public ScheduleFlyweight wrap(ByteBuf buf, int offset) {
        super.wrap(buf, offset);
        return this;
    }

    public long delayMs() {
        return buf.getLongLE(offset + DELAY_OFFSET);
    }

    public long ownerId() {
        return buf.getLongLE(offset + OWNER_OFFSET);
    }

    public int idLength() {
        return buf.getUnsignedShortLE(offset + ID_LENGTH_OFFSET);
    }

    public int payloadLength() {
        return buf.getUnsignedShortLE(offset + PAYLOAD_LENGTH_OFFSET);
    }

    /** Absolute buffer index of the first id byte. */
    public int idIndex() {
        return offset + ID_OFFSET;
    }

    /** Absolute buffer index of the first payload byte. */
    public int payloadIndex() {
        return offset + ID_OFFSET + idLength();
    }

    public byte[] idCopy() {
        return copy(ID_OFFSET, idLength());
    }

    public byte[] payloadCopy() {
        return copy(ID_OFFSET + idLength(), payloadLength());
    }

    /** Writes a complete frame at the wrapped offset; the caller has checked the room. */
    public ScheduleFlyweight write(long delayMs, long ownerId, byte[] id, int idOff, int idLen,
                                   byte[] payload, int payloadOff, int payloadLen) {
        writeFrameHeader(WireFormat.TYPE_SCHEDULE, frameLength(idLen, payloadLen));
        buf.setLongLE(offset + DELAY_OFFSET, delayMs);
        buf.setLongLE(offset + OWNER_OFFSET, ownerId);
        buf.setShortLE(offset + ID_LENGTH_OFFSET, idLen);
        buf.setShortLE(offset + PAYLOAD_LENGTH_OFFSET, payloadLen);
        buf.setBytes(offset + ID_OFFSET, id, idOff, idLen);
        if (payloadLen > 0) {
            buf.setBytes(offset + ID_OFFSET + idLen, payload, payloadOff, payloadLen);
        }
        return this;
    }

    @Override
    public String toString() {
        return "SCHEDULE{delayMs=" + delayMs() + ", owner=" + Long.toHexString(ownerId()) + ", idLength=" + idLength()
                + ", payloadLength=" + payloadLength() + '}';
    }
}
