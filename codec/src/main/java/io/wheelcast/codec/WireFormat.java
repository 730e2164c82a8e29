package io.wheelcast.codec;

/**
 * Protocol constants shared by every frame. All multi-byte fields are little endian.
 *
 * @see <a href="../../../../../../docs/wire-format.md">docs/wire-format.md</a>
 */
public final class WireFormat {
    /** First two bytes of every datagram: ASCII "WC" read as a little-endian u16. */
    public static final int MAGIC = 0x4357;
    /** The only version this codec speaks. */
    public static final int VERSION = 1;
    /** Header flag: the last {@link #AUTH_TAG_LENGTH} bytes of the datagram are an authentication tag. */
    public static final int FLAG_AUTHENTICATED = 0x01;
    /**
     * Header flag (unicast mode): the datagram went to one member only, and its sequence number
     * comes from the sender's second sequence, shared by all such datagrams, so a receiver
     * tracks it apart from the sender's datagrams for everyone and counts no gaps in it.
     */
    public static final int FLAG_DIRECT = 0x02;
    /** Length of the authentication tag (HMAC-SHA-256 truncated) when {@link #FLAG_AUTHENTICATED} is set. */
    public static final int AUTH_TAG_LENGTH = 16;
    /** Every frame starts with type (u8), flags (u8), length (u16, whole frame). */
    public static final int FRAME_HEADER_LENGTH = 4;
    /** Largest frame the u16 length field can describe. */
    public static final int MAX_FRAME_LENGTH = 0xFFFF;

    /** Frame type codes. Receivers skip codes they do not know, by length. */
    public static final int TYPE_SCHEDULE = 1;
    public static final int TYPE_KILL = 2;
    public static final int TYPE_KILL_ACK = 3;
    public static final int TYPE_HEARTBEAT = 4;
    public static final int TYPE_FIRED = 5;
    public static final int TYPE_REPLICATED = 6;
    /** Unicast mode: the members the sender hears and their addresses. */
    public static final int TYPE_MEMBERS = 7;
    /** Unicast mode: a replica's holder passes a routed KILL on to the owner. */
    public static final int TYPE_KILL_FORWARD = 8;
    /** With each heartbeat: how far the sender's expiries are settled (their listeners returned). */
    public static final int TYPE_SETTLED = 9;

    private WireFormat() {
    }
}
