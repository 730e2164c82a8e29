package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * The layout FIRED and REPLICATED share: an owner id and a timer id.
 *
 * <pre>
 *  0 frame header (type, flags, length = 16 + idLength)
 *  4 i64 ownerId
 * 12 u16 idLength
 * 14 u16 reserved (0)
 * 16 id bytes
 * </pre>
 */
public abstract class OwnerIdFrameFlyweight extends FrameFlyweight {
    public static final int OWNER_OFFSET = 4;
    public static final int ID_LENGTH_OFFSET = 12;
    public static final int ID_OFFSET = 16;
    public static final int FIXED_LENGTH = 16;

    public static int frameLength(int idLength) {
        return FIXED_LENGTH + idLength;
    }

    public long ownerId() {
        return buf.getLongLE(offset + OWNER_OFFSET);
    }

    public int idLength() {
        return buf.getUnsignedShortLE(offset + ID_LENGTH_OFFSET);
    }

    /** Absolute buffer index of the first id byte. */
    public int idIndex() {
        return offset + ID_OFFSET;
    }

    public byte[] idCopy() {
        return copy(ID_OFFSET, idLength());
    }

    protected void writeOwnerId(int type, long ownerId, byte[] id, int idOff, int idLen) {
        writeFrameHeader(type, frameLength(idLen));
        buf.setLongLE(offset + OWNER_OFFSET, ownerId);
        buf.setShortLE(offset + ID_LENGTH_OFFSET, idLen);
        buf.setShortLE(offset + ID_LENGTH_OFFSET + 2, 0);
        buf.setBytes(offset + ID_OFFSET, id, idOff, idLen);
    }

    @Override
    public OwnerIdFrameFlyweight wrap(ByteBuf buf, int offset) {
        super.wrap(buf, offset);
        return this;
    }
}
