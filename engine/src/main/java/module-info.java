/**
 * A Wheelcast node: a distributed setTimeout / clearTimeout on Netty. Exports only the public
 * API ({@code io.wheelcast.engine}); the protocol ({@code protocol}), its state
 * ({@code registry}, {@code reliability}, {@code membership}, {@code counters},
 * {@code config}) and the sockets ({@code transport}) are internal.
 */
module io.wheelcast.engine {
    requires transitive io.wheelcast.codec;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.classes.io_uring;
    requires io.netty.transport.unix.common;
    requires io.netty.resolver;
    requires io.netty.resolver.dns;
    requires org.jctools.core;
    requires HdrHistogram;
    requires java.management;
    requires org.slf4j;

    exports io.wheelcast.engine;
}
