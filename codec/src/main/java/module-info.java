/**
 * Wheelcast's wire format: frame flyweights, the datagram writer and zero-copy decoder, the
 * authentication tag. Knows bytes only: no sockets, no threads. See docs/wire-format.md.
 */
module io.wheelcast.codec {
    requires transitive io.netty.buffer;

    exports io.wheelcast.codec;
}
