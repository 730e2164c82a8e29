package io.wheelcast.engine.protocol;

import io.wheelcast.codec.KillAckFlyweight;
import io.wheelcast.codec.ScheduleFlyweight;
import io.wheelcast.engine.membership.Membership;
import io.wheelcast.engine.registry.EntryKind;
import io.wheelcast.engine.registry.IdIndex;
import io.wheelcast.engine.registry.TimerRegistry;

import static io.wheelcast.engine.protocol.FrameOutbox.EVERYONE;

/**
 * The frames the protocol sends, written from the registry's id arena (no id is copied to send
 * it) into the {@link FrameOutbox}, which packs them into datagrams. Each method says who the
 * frame is for: everyone, one node (an answer to whoever asked), or an own timer's holders (its
 * replica, and how it ended). In multicast mode all of them share the group's datagrams; in
 * unicast mode a frame for one node or for the holders travels to them only.
 */
final class EntryFrames {
    private final FrameOutbox outbox;
    private final TimerRegistry registry;
    private final IdIndex ids;
    private final Membership membership;
    private final long nodeId;
    private final int replicas;
    private final long[] holders;
    /** Scratch of {@link #routedKill}: the k + 1 members a kill goes to. */
    private final long[] route;

    EntryFrames(FrameOutbox outbox, TimerRegistry registry, Membership membership, long nodeId, int replicas) {
        this.outbox = outbox;
        this.registry = registry;
        this.ids = registry.ids();
        this.membership = membership;
        this.nodeId = nodeId;
        this.replicas = replicas;
        this.holders = new long[replicas + 2];
        this.route = new long[replicas + 1];
    }

    /**
     * The designated holders of an own timer in this node's view, or none where one frame for
     * everyone does (multicast mode, no live member yet). An adopted timer's go to the members
     * that may hold a copy: the holders for its dead owner (ours too; one rank more, for a view
     * that differs by a join), and the owner itself last, which may only be paused and come
     * back. They went to everyone: N - 1 datagrams per frame of each adopted timer, the bulk
     * of what a death cost every node (docs/scale.md).
     */
    private int holdersOf(int hash, long owner) {
        if (!outbox.directSends()) {
            return 0;
        }
        if (owner == nodeId) {
            return membership.holders(hash, nodeId, replicas, holders);
        }
        int n = membership.holders(hash, owner, replicas + 1, holders); // ranked as Replication counts copies
        if (n == 0) {
            return 0;
        }
        holders[n++] = owner;
        return n;
    }

    /** Whether frames for some nodes travel to them alone (unicast mode). */
    boolean targeted() {
        return outbox.directSends();
    }

    /** A new own timer's SCHEDULE, from the caller's id, to its holders; true if it went to everyone. */
    boolean newSchedule(int hash, long delayMs, byte[] id, byte[] payload) {
        int n = holdersOf(hash, nodeId);
        if (n == 0) {
            outbox.schedule(EVERYONE, 0, delayMs, nodeId, id, 0, id.length, payload);
        }
        for (int i = 0; i < n; i++) {
            outbox.schedule(holders[i], 0, delayMs, nodeId, id, 0, id.length, payload);
        }
        return n == 0;
    }

    /**
     * The SCHEDULE of an own (or adopted) timer, re-sent to its designated holders whose rank is
     * not in {@code acknowledged} (bit i: the i-th holder answered), or to everyone where one
     * frame does (multicast mode, an adopted timer; the entry is then marked {@link TimerRegistry#MARK_WIDE}).
     */
    void scheduleToHolders(int flags, int h, long delayMs, long acknowledged) {
        int n = holdersOf(ids.hash(h), registry.owner(h));
        if (n == 0) {
            scheduleToEveryone(flags, h, delayMs);
        }
        for (int i = 0; i < n; i++) {
            if ((acknowledged & 1L << i) == 0) {
                schedule(holders[i], flags, h, delayMs, nodeId);
            }
        }
    }

    /** The SCHEDULE of an own (or adopted) timer, re-sent to everyone: the entry is marked {@link TimerRegistry#MARK_WIDE}. */
    void scheduleToEveryone(int flags, int h, long delayMs) {
        registry.marks(h, registry.marks(h) | TimerRegistry.MARK_WIDE);
        schedule(EVERYONE, flags, h, delayMs, nodeId);
    }

    /** The holders an own timer's outcome goes to: none (everyone) once others may hold it too. */
    private int outcomeHoldersOf(int h) {
        return (registry.marks(h) & TimerRegistry.MARK_WIDE) != 0 ? 0 : holdersOf(ids.hash(h), registry.owner(h));
    }

    /** The SCHEDULE of a registry entry (own, adopted or handed over) to {@code to} (or {@link FrameOutbox#EVERYONE}). */
    void schedule(long to, int flags, int h, long delayMs, long owner) {
        outbox.schedule(to, flags, delayMs, owner, ids.arena(), ids.idOffset(h), ids.idLength(h), registry.payload(h));
    }

    void replicated(long to, long owner, int h) {
        outbox.replicated(to, owner, ids.arena(), ids.idOffset(h), ids.idLength(h));
    }

    /** A KILL for everyone: the canceller does not know the owner. */
    void kill(long requestId, byte[] id, int off, int len) {
        outbox.kill(EVERYONE, requestId, id, off, len);
    }

    /**
     * Whether kills are routed (unicast mode with replicas): a canceller that does not know the
     * owner sends its KILL to the k + 1 members that own or hold the id instead of to everyone,
     * and a holder forwards it to the owner.
     */
    boolean routesKills() {
        return outbox.directSends() && replicas > 0;
    }

    /**
     * A KILL to the k + 1 rendezvous winners for the id (see {@link Membership#killRoute}), or to
     * everyone while no other member is known.
     */
    void routedKill(int hash, long requestId, byte[] id, int off, int len) {
        int n = membership.killRoute(hash, nodeId, route.length, route);
        if (n == 0) {
            outbox.kill(EVERYONE, requestId, id, off, len);
        }
        for (int i = 0; i < n; i++) {
            outbox.kill(route[i], requestId, id, off, len);
        }
    }

    /** A KILL to one member: the owner of a timer we hold a replica of. */
    void killTo(long to, long requestId, byte[] id, int off, int len) {
        outbox.kill(to, requestId, id, off, len);
    }

    /** A canceller's kill of a replica we hold, passed on to its owner {@code to}. */
    void killForward(long to, long requestId, long canceller, int h) {
        outbox.killForward(to, requestId, canceller, ids.arena(), ids.idOffset(h), ids.idLength(h));
    }

    /** A KILL with no request to answer (request id 0): tells {@code to} (an adopter) the timer was cancelled. */
    void killOf(long to, int h) {
        outbox.kill(to, 0, ids.arena(), ids.idOffset(h), ids.idLength(h));
    }

    void killAck(long to, long requestId, long canceller, int outcome, int h) {
        outbox.killAck(to, 0, requestId, canceller, outcome, ids.arena(), ids.idOffset(h), ids.idLength(h));
    }

    /** A holder's answer to a kill of a timer it saw end, for its dead owner: the canceller's fallback, ignored by replicas. */
    void killAckForDeadOwner(long canceller, long requestId, int outcome, int h) {
        outbox.killAck(canceller, KillAckFlyweight.FLAG_FOR_DEAD_OWNER, requestId, canceller, outcome, ids.arena(), ids.idOffset(h),
                ids.idLength(h));
    }

    /** An own timer was cancelled: the canceller (if another node) and the holders learn it. */
    void cancelledToHolders(long requestId, long canceller, int h) {
        int n = outcomeHoldersOf(h);
        if (n == 0) {
            killAck(EVERYONE, requestId, canceller, KillAckFlyweight.OUTCOME_CANCELLED, h);
            return;
        }
        boolean cancellerIsHolder = canceller == nodeId || canceller == 0;
        for (int i = 0; i < n; i++) {
            killAck(holders[i], requestId, canceller, KillAckFlyweight.OUTCOME_CANCELLED, h);
            cancellerIsHolder |= holders[i] == canceller;
        }
        if (!cancellerIsHolder) {
            killAck(canceller, requestId, canceller, KillAckFlyweight.OUTCOME_CANCELLED, h);
        }
    }

    /**
     * A FIRED naming the timer's owner of record: the node that armed it, also when another node
     * adopted and fired it. Not while its listener runs: the timer is not delivered yet.
     */
    void fired(long to, int h) {
        if ((registry.marks(h) & TimerRegistry.MARK_LISTENING) != 0 && registry.kind(h) == EntryKind.LOCAL_FIRED) {
            return;
        }
        outbox.fired(to, registry.owner(h), ids.arena(), ids.idOffset(h), ids.idLength(h));
    }

    /** Our record says the timer already finished: say how, to {@code to}, who still thinks it is armed (or everyone). */
    void outcomeTo(long to, int h) {
        EntryKind kind = registry.kind(h);
        if (kind == EntryKind.LOCAL_CANCELLED
                || (kind == EntryKind.REPLICA && (registry.marks(h) & TimerRegistry.MARK_DONE_CANCELLED) != 0)) {
            killAck(to, registry.requestId(h), registry.canceller(h), KillAckFlyweight.OUTCOME_CANCELLED, h);
        } else {
            fired(to, h);
        }
    }

    /** A finished own timer's outcome (FIRED, or the KILL_ACK of its cancel) to its designated holders (everyone, where one frame reaches all). */
    void outcomeToHolders(int h) {
        int n = outcomeHoldersOf(h);
        if (n == 0) {
            outcomeTo(EVERYONE, h);
        }
        for (int i = 0; i < n; i++) {
            outcomeTo(holders[i], h);
        }
    }

    /** A timer's outcome to each of {@code members} once (0 and this node skipped). */
    void outcomeToEach(int h, long[] members, int count) {
        for (int j = 0; j < count; j++) {
            long to = members[j];
            boolean sent = to == 0 || to == nodeId;
            for (int i = 0; i < j && !sent; i++) {
                sent = members[i] == to;
            }
            if (!sent) {
                outcomeTo(to, h);
            }
        }
    }

    void members(long[] ids, int[] ports, byte[][] addresses, int count) {
        outbox.members(ids, ports, addresses, count);
    }

    void heartbeat(long liveTimers, long intervalMs, long beat, int flags) {
        outbox.heartbeat(liveTimers, intervalMs, beat, flags);
    }

    /** Sends the datagrams being filled, if any (without flushing the socket). */
    void sendCurrent() {
        outbox.sendCurrent();
    }

    /** Sends the datagrams being filled, if any, and flushes the socket. */
    void flush() {
        outbox.flush();
    }
}
