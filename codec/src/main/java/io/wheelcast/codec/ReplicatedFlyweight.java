package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * REPLICATED (type 6): "I hold a replica of this timer". Sent by a node that stored a SCHEDULE
 * when it is the owner's designated backup, or when the SCHEDULE asked every holder to answer
 * ({@link ScheduleFlyweight#FLAG_ACK_ANY}). The owner stops re-sending the SCHEDULE once some
 * live member holds it, so a crash of the owner cannot lose the timer.
 *
 * <pre>
 *  0 frame header (type=6, flags, length = 16 + idLength)
 *  4 i64 ownerId      the owner whose SCHEDULE is acknowledged
 * 12 u16 idLength
 * 14 u16 reserved (0)
 * 16 id bytes
 * </pre>
 */
public final class ReplicatedFlyweight extends FrameFlyweight {
    public static final int OWNER_OFFSET = 4;
    public static final int ID_LENGTH_OFFSET = 12;
    public static final int ID_OFFSET = 16;
    public static final int FIXED_LENGTH = 16;

    public static int frameLength(int idLength) {
        return FIXED_LENGTH + idLength;
    }

    @Override
    public ReplicatedFlyweight wrap(ByteBuf buf, int offset) {
        super.wrap(buf, offset);
        return this;
    }

    public long ownerId() {
        return buf.getLongLE(offset + OWNER_OFFSET);
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

    public ReplicatedFlyweight write(long ownerId, byte[] id, int idOff, int idLen) {
        writeFrameHeader(WireFormat.TYPE_REPLICATED, frameLength(idLen));
        buf.setLongLE(offset + OWNER_OFFSET, ownerId);
        buf.setShortLE(offset + ID_LENGTH_OFFSET, idLen);
        buf.setShortLE(offset + ID_LENGTH_OFFSET + 2, 0);
        buf.setBytes(offset + ID_OFFSET, id, idOff, idLen);
        return this;
    }

    @Override
    public String toString() {
        return "REPLICATED{owner=" + Long.toHexString(ownerId()) + ", idLength=" + idLength() + '}';
    }
}
