package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * MEMBERS (type 7): "these are the members I hear, and where". Sent in unicast mode with the
 * heartbeat, so a node that knows one seed learns every member's address. Entries have a
 * fixed size; an IPv4 address fills the first 4 of the 16 address bytes.
 *
 * <pre>
 *  0 frame header (type=7, flags, length = 8 + 28 * count)
 *  4 u16 count        entries that follow, at least 1
 *  6 u16 reserved     0
 *  8 entries, 28 bytes each:
 *      0 i64 nodeId
 *      8 u16 port
 *     10 u8  family    4 (IPv4) or 6 (IPv6); receivers ignore (and count) any other
 *     11 u8  reserved  0
 *     12 16 bytes address
 * </pre>
 *
 * @see <a href="../../../../../../docs/wire-format.md">docs/wire-format.md</a>
 */
public final class MembersFlyweight extends FrameFlyweight {
    public static final int COUNT_OFFSET = 4;
    public static final int ENTRIES_OFFSET = 8;
    public static final int ENTRY_LENGTH = 28;
    public static final int ENTRY_NODE_ID_OFFSET = 0;
    public static final int ENTRY_PORT_OFFSET = 8;
    public static final int ENTRY_FAMILY_OFFSET = 10;
    public static final int ENTRY_ADDRESS_OFFSET = 12;
    public static final int ADDRESS_LENGTH = 16;
    public static final int FAMILY_IPV4 = 4;
    public static final int FAMILY_IPV6 = 6;

    public static int frameLength(int count) {
        return ENTRIES_OFFSET + ENTRY_LENGTH * count;
    }

    /** The most entries one frame of at most {@code maxFrameLength} bytes holds. */
    public static int capacity(int maxFrameLength) {
        return Math.max(0, (maxFrameLength - ENTRIES_OFFSET) / ENTRY_LENGTH);
    }

    @Override
    public MembersFlyweight wrap(ByteBuf buf, int offset) {
        super.wrap(buf, offset);
        return this;
    }

    public int count() {
        return buf.getUnsignedShortLE(offset + COUNT_OFFSET);
    }

    public long nodeId(int entry) {
        return buf.getLongLE(entryAt(entry) + ENTRY_NODE_ID_OFFSET);
    }

    public int port(int entry) {
        return buf.getUnsignedShortLE(entryAt(entry) + ENTRY_PORT_OFFSET);
    }

    public int family(int entry) {
        return buf.getUnsignedByte(entryAt(entry) + ENTRY_FAMILY_OFFSET);
    }

    /** Copies the entry's address bytes (4 for IPv4, 16 for IPv6) into {@code out}. */
    public void address(int entry, byte[] out) {
        buf.getBytes(entryAt(entry) + ENTRY_ADDRESS_OFFSET, out, 0, out.length);
    }

    private int entryAt(int entry) {
        return offset + ENTRIES_OFFSET + entry * ENTRY_LENGTH;
    }

    /** Writes the frame header and the count; entries follow with {@link #writeEntry}. */
    public MembersFlyweight writeHeader(int count) {
        writeFrameHeader(WireFormat.TYPE_MEMBERS, frameLength(count));
        buf.setShortLE(offset + COUNT_OFFSET, count);
        buf.setShortLE(offset + COUNT_OFFSET + 2, 0);
        return this;
    }

    /** @param address 4 (IPv4) or 16 (IPv6) bytes */
    public MembersFlyweight writeEntry(int entry, long nodeId, int port, byte[] address) {
        int at = entryAt(entry);
        buf.setLongLE(at + ENTRY_NODE_ID_OFFSET, nodeId);
        buf.setShortLE(at + ENTRY_PORT_OFFSET, port);
        buf.setByte(at + ENTRY_FAMILY_OFFSET, address.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6);
        buf.setByte(at + ENTRY_FAMILY_OFFSET + 1, 0);
        buf.setZero(at + ENTRY_ADDRESS_OFFSET, ADDRESS_LENGTH);
        buf.setBytes(at + ENTRY_ADDRESS_OFFSET, address, 0, Math.min(address.length, ADDRESS_LENGTH));
        return this;
    }

    @Override
    public String toString() {
        return "MEMBERS{count=" + count() + '}';
    }
}
