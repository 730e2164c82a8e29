package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * Datagram header, 36 bytes, little endian. A flyweight: wrap it around a buffer, read and
 * write fields in place, allocate nothing.
 *
 * <pre>
 *  0 u16 magic        2 u8 version     3 u8 flags
 *  4 u32 clusterId    8 i64 senderId  16 i64 sequence
 * 24 i64 timestampMs 32 u16 frameCount 34 u8 keyId  35 u8 reserved
 * </pre>
 *
 * @see <a href="../../../../../../docs/wire-format.md">docs/wire-format.md</a>
 */
public final class HeaderFlyweight {
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int FLAGS_OFFSET = 3;
    public static final int CLUSTER_ID_OFFSET = 4;
    public static final int SENDER_ID_OFFSET = 8;
    public static final int SEQUENCE_OFFSET = 16;
    public static final int TIMESTAMP_OFFSET = 24;
    public static final int FRAME_COUNT_OFFSET = 32;
    public static final int KEY_ID_OFFSET = 34;
    public static final int RESERVED_OFFSET = 35;
    public static final int HEADER_LENGTH = 36;

    private ByteBuf buf;
    private int offset;

    public HeaderFlyweight wrap(ByteBuf buf, int offset) {
        this.buf = buf;
        this.offset = offset;
        return this;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    public int magic() {
        return buf.getUnsignedShortLE(offset + MAGIC_OFFSET);
    }

    public HeaderFlyweight magic(int v) {
        buf.setShortLE(offset + MAGIC_OFFSET, v);
        return this;
    }

    public int version() {
        return buf.getUnsignedByte(offset + VERSION_OFFSET);
    }

    public HeaderFlyweight version(int v) {
        buf.setByte(offset + VERSION_OFFSET, v);
        return this;
    }

    public int flags() {
        return buf.getUnsignedByte(offset + FLAGS_OFFSET);
    }

    public HeaderFlyweight flags(int v) {
        buf.setByte(offset + FLAGS_OFFSET, v);
        return this;
    }

    public boolean authenticated() {
        return (flags() & WireFormat.FLAG_AUTHENTICATED) != 0;
    }

    /** Addressed to one member: the sequence is the sender's direct sequence ({@link WireFormat#FLAG_DIRECT}). */
    public boolean direct() {
        return (flags() & WireFormat.FLAG_DIRECT) != 0;
    }

    public int clusterId() {
        return buf.getIntLE(offset + CLUSTER_ID_OFFSET);
    }

    public HeaderFlyweight clusterId(int v) {
        buf.setIntLE(offset + CLUSTER_ID_OFFSET, v);
        return this;
    }

    public long senderId() {
        return buf.getLongLE(offset + SENDER_ID_OFFSET);
    }

    public HeaderFlyweight senderId(long v) {
        buf.setLongLE(offset + SENDER_ID_OFFSET, v);
        return this;
    }

    public long sequence() {
        return buf.getLongLE(offset + SEQUENCE_OFFSET);
    }

    public HeaderFlyweight sequence(long v) {
        buf.setLongLE(offset + SEQUENCE_OFFSET, v);
        return this;
    }

    public long timestampMs() {
        return buf.getLongLE(offset + TIMESTAMP_OFFSET);
    }

    public HeaderFlyweight timestampMs(long v) {
        buf.setLongLE(offset + TIMESTAMP_OFFSET, v);
        return this;
    }

    public int frameCount() {
        return buf.getUnsignedShortLE(offset + FRAME_COUNT_OFFSET);
    }

    public HeaderFlyweight frameCount(int v) {
        buf.setShortLE(offset + FRAME_COUNT_OFFSET, v);
        return this;
    }

    public int keyId() {
        return buf.getUnsignedByte(offset + KEY_ID_OFFSET);
    }

    public HeaderFlyweight keyId(int v) {
        buf.setByte(offset + KEY_ID_OFFSET, v);
        return this;
    }

    @Override
    public String toString() {
        return "Header{cluster=" + Integer.toUnsignedString(clusterId()) + ", sender=" + Long.toHexString(senderId())
                + ", seq=" + sequence() + ", ts=" + timestampMs() + ", frames=" + frameCount()
                + ", flags=" + flags() + ", keyId=" + keyId() + '}';
    }
}
