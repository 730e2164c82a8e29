package io.wheelcast.engine;

/** Socket implementation. {@link #AUTO} picks native epoll when it loads, NIO otherwise. */
public enum TransportKind {
    AUTO,
    EPOLL,
    NIO
}
