package io.wheelcast.engine.protocol;

/**
 * The loop's current time, set by {@link NodeCore} at every entry (datagram, command, tick) and
 * read by every protocol concern, so that all of them see one instant per event.
 */
final class LoopClock {
    long nowMs;

    LoopClock(long startMs) {
        this.nowMs = startMs;
    }
}
