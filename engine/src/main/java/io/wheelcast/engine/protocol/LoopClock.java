package io.wheelcast.engine.protocol;

/**
 * The loop's current time, set by {@link NodeCore} at every entry (datagram, command, tick) and
 * read by every protocol concern, so that all of them see one instant per event.
 *
 * <p>It also bounds when the datagram being handled arrived. Normally that is now. After the loop
 * stalled (SIGSTOP, a GC or VM pause, an overloaded host), what it reads first queued in the
 * socket during the stall: a datagram read then may have arrived as early as the stall began.
 * Evidence that counts in the sender's favour (its SETTLED report, "heard after the deadline")
 * is dated to that earliest instant; read at now, a holder paused past an owner's crash took the
 * owner's last reports for proof that a timer due after the crash had fired (defect 12).
 */
final class LoopClock {
    /** How long, after a stall was noticed, datagrams read are dated to the stall's start: the socket backlog is read by then. */
    static final long CATCH_UP_MS = 200;
    /** A gap between loop turns longer than this is a stall for dating datagrams (far below a pause the membership notices). */
    static final long STALL_GAP_MS = 20;

    long nowMs;
    private long stalledSinceMs;
    private long catchUpUntilMs = Long.MIN_VALUE;

    LoopClock(long startMs) {
        this.nowMs = startMs;
    }

    /**
     * The loop's last turn (tick) was at {@code lastTurnMs}, and one is due every {@code tickMs}: a
     * longer gap is a stall, whose backlog is read next.
     */
    void turned(long lastTurnMs, long tickMs) {
        if (lastTurnMs != Long.MIN_VALUE && nowMs - lastTurnMs - tickMs > STALL_GAP_MS) {
            stalledSinceMs = nowMs < catchUpUntilMs ? Math.min(stalledSinceMs, lastTurnMs) : lastTurnMs;
            catchUpUntilMs = nowMs + CATCH_UP_MS;
        }
    }

    /** The earliest instant the datagram being handled can have arrived. */
    long arrivedNoEarlierThanMs() {
        return nowMs < catchUpUntilMs ? stalledSinceMs : nowMs;
    }
}
