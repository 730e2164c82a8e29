package io.wheelcast.engine;

/**
 * Socket implementation. {@link #AUTO} picks native epoll when it loads, NIO otherwise;
 * {@link #IO_URING} is opt-in (docs/performance.md has the side-by-side measurement behind that).
 */
public enum TransportKind {
    AUTO,
    EPOLL,
    /** Netty 4.2's io_uring transport (Linux 5.14+, {@code kernel.io_uring_disabled} 0); no busy-poll, no receive coalescing. */
    IO_URING,
    NIO
}
