package io.wheelcast.engine.protocol;

import io.wheelcast.codec.KillAckFlyweight;
import io.wheelcast.engine.registry.EntryKind;
import io.wheelcast.engine.registry.IdIndex;
import io.wheelcast.engine.registry.TimerRegistry;

/**
 * The frames the protocol sends, written from the registry's id arena (no id is copied to send
 * it) into the {@link FrameOutbox}, which packs them into datagrams.
 */
final class EntryFrames {
    private final FrameOutbox outbox;
    private final TimerRegistry registry;
    private final IdIndex ids;
    private final long nodeId;

    EntryFrames(FrameOutbox outbox, TimerRegistry registry, long nodeId) {
        this.outbox = outbox;
        this.registry = registry;
        this.ids = registry.ids();
        this.nodeId = nodeId;
    }

    /** A new own timer's SCHEDULE, from the caller's id. */
    void newSchedule(long delayMs, byte[] id, byte[] payload) {
        outbox.schedule(0, delayMs, nodeId, id, 0, id.length, payload);
    }

    /** The SCHEDULE of a registry entry (own, adopted or handed over). */
    void schedule(int flags, int h, long delayMs, long owner) {
        outbox.schedule(flags, delayMs, owner, ids.arena(), ids.idOffset(h), ids.idLength(h), registry.payload(h));
    }

    void replicated(long owner, int h) {
        outbox.replicated(owner, ids.arena(), ids.idOffset(h), ids.idLength(h));
    }

    void kill(long requestId, byte[] id, int off, int len) {
        outbox.kill(requestId, id, off, len);
    }

    /** A KILL with no request to answer (request id 0): tells an adopter the timer was cancelled. */
    void killOf(int h) {
        outbox.kill(0, ids.arena(), ids.idOffset(h), ids.idLength(h));
    }

    void killAck(long requestId, long canceller, int outcome, int h) {
        outbox.killAck(requestId, canceller, outcome, ids.arena(), ids.idOffset(h), ids.idLength(h));
    }

    void fired(int h) {
        outbox.fired(ids.arena(), ids.idOffset(h), ids.idLength(h));
    }

    /** Our record says the timer already finished: say how, to whoever still thinks it is armed. */
    void outcomeOf(int h) {
        EntryKind kind = registry.kind(h);
        if (kind == EntryKind.LOCAL_CANCELLED
                || (kind == EntryKind.REPLICA && (registry.marks(h) & TimerRegistry.MARK_DONE_CANCELLED) != 0)) {
            killAck(registry.requestId(h), registry.canceller(h), KillAckFlyweight.OUTCOME_CANCELLED, h);
        } else {
            fired(h);
        }
    }

    void members(long[] ids, int[] ports, byte[][] addresses, int count) {
        outbox.members(ids, ports, addresses, count);
    }

    void heartbeat(long liveTimers, long intervalMs, long beat) {
        outbox.heartbeat(liveTimers, intervalMs, beat);
    }

    /** Sends the datagram being filled, if any (without flushing the socket). */
    void sendCurrent() {
        outbox.sendCurrent();
    }

    /** Sends the datagram being filled, if any, and flushes the socket. */
    void flush() {
        outbox.flush();
    }
}
