package io.wheelcast.engine.protocol;

import io.netty.buffer.ByteBuf;
import io.wheelcast.codec.HeaderFlyweight;
import io.wheelcast.codec.IdBytes;
import io.wheelcast.codec.KillAckFlyweight;
import io.wheelcast.codec.KillFlyweight;
import io.wheelcast.codec.KillForwardFlyweight;
import io.wheelcast.codec.TextKill;
import io.wheelcast.engine.CancelOutcome;
import io.wheelcast.engine.CancelRejectedException;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.Latency;
import io.wheelcast.engine.ScheduleOutcome;
import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.counters.LatencyRecorders;
import io.wheelcast.engine.membership.Membership;
import io.wheelcast.engine.registry.EntryKind;
import io.wheelcast.engine.registry.TimerRegistry;
import io.wheelcast.engine.reliability.PendingCancels;

import java.util.concurrent.CompletableFuture;

/**
 * Clearing a timer wherever it lives. Handles KILL (and the classic {@code kill:<id>} text
 * datagram), KILL_FORWARD and KILL_ACK frames, and local cancels: the canceller sends a KILL and
 * retransmits it with back-off until the owner's KILL_ACK says what happened or its budget runs
 * out; an owner answers every KILL, also repeated ones; a kill for an unknown id leaves a
 * tombstone, so a late SCHEDULE is cancelled on arrival.
 *
 * <p>In unicast mode with replicas the KILL is routed: it goes to the k + 1 members that own or
 * hold the id (or to the owner, when we hold a replica), and a holder passes it on to the owner
 * as a KILL_FORWARD naming the canceller; after {@link #ROUTED_ATTEMPTS} unanswered sends the
 * re-sends go to everyone, for views that differ. Each cancel then costs a few datagrams instead
 * of one per member (docs/scale.md). Loop-confined; the per-KILL path allocates nothing.
 */
final class CancelProtocol {
    /** Sends of a routed kill before its re-sends go to every member. */
    static final int ROUTED_ATTEMPTS = 2;

    private final NodeConfig config;
    private final long nodeId;
    private final Counters counters;
    private final TimerRegistry registry;
    private final PendingCancels pending;
    private final EntryFrames frames;
    private final RetryTimeouts timeouts;
    private final Replication replication;
    private final Replicas replicas;
    private final UserHandoff handoff;
    private final KillReadAhead readAhead;
    private final DatagramSink sink;
    private final LoopClock clock;
    private final LatencyRecorders latencies;
    /** When each pending cancel reached the loop, by its handle (nanoTime: ms would round a LAN round trip to 0). */
    private final long[] startedNanos;
    private final ReceivedId receivedId;
    private long nextRequestId;
    private final Membership membership;
    /**
     * Outcomes are values (a record): the last one per status is reused while its owner is the
     * same, so completing a cancel allocates nothing in the steady state (W3 schedule+cancel 0 B/op).
     */
    private final CancelOutcome[] lastOutcome = new CancelOutcome[CancelOutcome.Status.values().length];

    CancelProtocol(NodeConfig config, long nodeId, Counters counters, TimerRegistry registry, PendingCancels pending,
                   EntryFrames frames, RetryTimeouts timeouts, Replication replication, Replicas replicas,
                   UserHandoff handoff, KillReadAhead readAhead, ReceivedId receivedId, DatagramSink sink,
                   LatencyRecorders latencies, Membership membership, LoopClock clock) {
        this.membership = membership;
        this.config = config;
        this.nodeId = nodeId;
        this.counters = counters;
        this.registry = registry;
        this.pending = pending;
        this.frames = frames;
        this.timeouts = timeouts;
        this.replication = replication;
        this.replicas = replicas;
        this.handoff = handoff;
        this.readAhead = readAhead;
        this.sink = sink;
        this.clock = clock;
        this.latencies = latencies;
        this.startedNanos = new long[config.maxPendingCancels()];
        this.receivedId = receivedId;
        this.nextRequestId = (nodeId & 0x7FFF_FFFF_0000_0000L) | 1L;
    }

    // ---------------------------------------------------------------- local cancel

    void cancel(byte[] id, CompletableFuture<CancelOutcome> result) {
        long now = clock.nowMs;
        counters.increment(Counter.CANCELS_REQUESTED);
        int hash = IdBytes.hash(id, 0, id.length);
        int h = registry.find(id, 0, id.length, hash);
        EntryKind kind = h >= 0 ? registry.kind(h) : EntryKind.FREE;
        switch (kind) {
            case LOCAL_ARMED -> {
                replication.noticeHolder(h);
                registry.transition(h, EntryKind.LOCAL_CANCELLED, now + config.recordTtlMs());
                registry.payload(h, null);
                registry.killedBy(h, 0, nodeId);
                counters.increment(Counter.TIMERS_CANCELLED_LOCALLY);
                counters.increment(Counter.CANCELS_CANCELLED);
                frames.cancelledToHolders(0, nodeId, h); // replicas drop their copy
                handoff.complete(result, outcome(CancelOutcome.Status.CANCELLED, nodeId));
                return;
            }
            case LOCAL_CANCELLED -> {
                counters.increment(Counter.CANCELS_CANCELLED);
                handoff.complete(result, outcome(CancelOutcome.Status.CANCELLED, nodeId));
                return;
            }
            case LOCAL_FIRED -> {
                counters.increment(Counter.CANCELS_ALREADY_FIRED);
                handoff.complete(result, outcome(CancelOutcome.Status.ALREADY_FIRED, nodeId));
                return;
            }
            default -> {
            }
        }
        if (pending.isFull()) {
            counters.increment(Counter.CANCELS_REJECTED);
            handoff.fail(result, new CancelRejectedException(CancelRejectedException.Reason.PENDING_LIMIT,
                    "maxPendingCancels (" + config.maxPendingCancels() + ") cancels are awaiting answers"));
            return;
        }
        long requestId = nextRequestId++;
        if (kind == EntryKind.FREE) {
            // Remember the kill locally too: a later local schedule of this id is then pre-cancelled.
            int t = registry.insert(EntryKind.TOMBSTONE, id, 0, id.length, hash, now + config.tombstoneTtlMs());
            if (t >= 0) {
                registry.killedBy(t, requestId, nodeId);
            } else {
                counters.increment(Counter.TOMBSTONES_DROPPED_FULL);
            }
        }
        int p = pending.add(requestId, id, 0, id.length, result, now, config.killBackoff(), timeouts.killRetransmitMs());
        startedNanos[p] = System.nanoTime();
        long owner = 0;
        if (kind == EntryKind.REPLICA) {
            pending.markOwnerSeen(p);
            registry.marks(h, registry.marks(h) | TimerRegistry.MARK_KILLED); // honoured if we adopt it
            registry.killedBy(h, requestId, nodeId);
            owner = registry.owner(h);
        }
        sendKill(requestId, id, 0, id.length, hash, owner, 1);
        if (config.emitTextKills()) {
            ByteBuf text = sink.allocate(TextKill.PREFIX_LENGTH + id.length);
            TextKill.write(text, id);
            counters.increment(Counter.TEXT_KILLS_OUT);
            counters.increment(Counter.DATAGRAMS_OUT);
            sink.send(text);
        }
    }

    /** A local schedule of an id whose kill arrived first (tombstone {@code h}): cancelled on arrival, the canceller answered. */
    void preCancel(int h, CompletableFuture<ScheduleOutcome> result) {
        long requestId = registry.requestId(h);
        long canceller = registry.canceller(h);
        registry.transition(h, EntryKind.LOCAL_CANCELLED, clock.nowMs + config.recordTtlMs());
        registry.owner(h, nodeId);
        counters.increment(Counter.TIMERS_PRE_CANCELLED);
        if (canceller == nodeId) {
            int p = pending.find(requestId);
            if (p >= 0) {
                completeCancel(p, CancelOutcome.Status.CANCELLED, nodeId);
            }
        }
        frames.killAck(canceller == nodeId ? FrameOutbox.EVERYONE : canceller, requestId, canceller, KillAckFlyweight.OUTCOME_CANCELLED, h);
        handoff.complete(result, ScheduleOutcome.PRE_CANCELLED);
    }

    /** A kill's retransmit fell due: re-send it, or end it when its budget is spent. */
    void onRetransmitDue(int p, long now) {
        if (pending.expired(p, now, config.killBackoff())) {
            byte[] arena = pending.idArena();
            int off = pending.idOffset(p);
            int len = pending.idLength(p);
            int h = registry.find(arena, off, len, IdBytes.hash(arena, off, len));
            boolean replica = h >= 0 && registry.kind(h) == EntryKind.REPLICA;
            int known = replica ? knownEnd(h) : 0;
            if (known != 0) { // no owner answered; we saw the timer end
                counters.increment(Counter.KILLS_ANSWERED_FOR_DEAD_OWNER);
                completeCancel(p, statusOf(known), registry.owner(h));
                return;
            }
            int answered = pending.deadOwnerAnswer(p);
            if (answered != 0) { // no owner answered; a node that saw the timer end did, for its dead owner
                completeCancel(p, statusOf(answered), pending.deadOwnerAnswerFrom(p));
                return;
            }
            completeCancel(p, pending.ownerSeen(p) || replica ? CancelOutcome.Status.UNCONFIRMED : CancelOutcome.Status.NOT_FOUND, 0);
            return;
        }
        counters.increment(Counter.KILL_RETRANSMITS);
        byte[] arena = pending.idArena();
        int off = pending.idOffset(p);
        int len = pending.idLength(p);
        int hash = 0; // only a routed kill needs it
        long owner = 0;
        if (frames.routesKills()) {
            hash = IdBytes.hash(arena, off, len);
            int h = registry.find(arena, off, len, hash);
            owner = h >= 0 && registry.kind(h) == EntryKind.REPLICA ? registry.owner(h) : 0;
        }
        sendKill(pending.requestId(p), arena, off, len, hash, owner, pending.attempts(p) + 1);
        pending.rescheduleAfterSend(p, now, config.killBackoff());
    }

    /**
     * The {@code attempt}-th send of a kill: to everyone in multicast mode (one datagram) and once
     * routed sends went unanswered; before that, in unicast mode, to the owner if we hold a
     * replica of the timer ({@code owner} not 0 and alive), else to the k + 1 members for the id.
     */
    private void sendKill(long requestId, byte[] id, int off, int len, int hash, long owner, int attempt) {
        if (!frames.routesKills()) {
            frames.kill(requestId, id, off, len);
        } else if (attempt > ROUTED_ATTEMPTS) {
            counters.increment(Counter.KILLS_WIDENED);
            frames.kill(requestId, id, off, len);
        } else if (owner != 0 && owner != nodeId && membership.isAlive(owner)) {
            frames.killTo(owner, requestId, id, off, len);
        } else {
            frames.routedKill(hash, requestId, id, off, len);
        }
    }

    @SuppressWarnings("unchecked")
    private void completeCancel(int p, CancelOutcome.Status status, long owner) {
        CompletableFuture<CancelOutcome> f = (CompletableFuture<CancelOutcome>) pending.remove(p);
        counters.increment(switch (status) {
            case CANCELLED -> Counter.CANCELS_CANCELLED;
            case ALREADY_FIRED -> Counter.CANCELS_ALREADY_FIRED;
            case NOT_FOUND -> Counter.CANCELS_NOT_FOUND;
            case UNCONFIRMED -> Counter.CANCELS_UNCONFIRMED;
        });
        handoff.complete(f, outcome(status, owner));
    }

    private CancelOutcome outcome(CancelOutcome.Status status, long owner) {
        CancelOutcome last = lastOutcome[status.ordinal()];
        if (last == null || last.ownerId() != owner) {
            last = new CancelOutcome(status, owner);
            lastOutcome[status.ordinal()] = last;
        }
        return last;
    }

    /** On close: every pending cancel completes as UNCONFIRMED. */
    @SuppressWarnings("unchecked")
    void abandonPending() {
        for (Object w : pending.drainWaiters()) {
            counters.increment(Counter.CANCELS_UNCONFIRMED);
            handoff.complete((CompletableFuture<CancelOutcome>) w, outcome(CancelOutcome.Status.UNCONFIRMED, 0));
        }
    }

    // ---------------------------------------------------------------- received kills and answers

    /** A {@code kill:<id>} text datagram: a kill with no sender to answer (request id 0, canceller 0). */
    void onTextKill(ByteBuf buf) {
        int idIndex = buf.readerIndex() + TextKill.PREFIX_LENGTH;
        int idLen = TextKill.idLength(buf);
        if (idLen < 1 || idLen > config.maxIdLength()) {
            counters.increment(Counter.TEXT_KILLS_INVALID);
            return;
        }
        counters.increment(Counter.TEXT_KILLS_IN);
        killFrom(buf, idIndex, idLen, 0L, 0L, false);
    }

    void onKill(HeaderFlyweight header, KillFlyweight f) {
        counters.increment(Counter.FRAMES_IN_KILL);
        int k = readAhead.next();
        // A KILL addressed to us alone was routed here: if we only hold a replica, the owner may not have it.
        boolean routed = header.direct() && frames.routesKills();
        if (k >= 0) {
            kill(readAhead.ids(), readAhead.offset(k), readAhead.length(k), readAhead.hash(k), header.senderId(), f.requestId(), routed);
        } else {
            killFrom(f.buffer(), f.idIndex(), f.idLength(), header.senderId(), f.requestId(), routed);
        }
    }

    /** A routed kill a replica's holder passed on: handled as the canceller's own KILL. */
    void onKillForward(KillForwardFlyweight f) {
        counters.increment(Counter.FRAMES_IN_KILL_FORWARD);
        killFrom(f.buffer(), f.idIndex(), f.idLength(), f.cancellerId(), f.requestId(), false);
    }

    /** A kill whose id was not read ahead: copied and hashed here. */
    private void killFrom(ByteBuf buf, int idIndex, int idLen, long sender, long requestId, boolean routed) {
        byte[] id = receivedId.copy(buf, idIndex, idLen);
        kill(id, 0, idLen, IdBytes.hash(id, 0, idLen), sender, requestId, routed);
    }

    /** @param sender the canceller, to answer; @param routed whether to pass the kill on to the owner of a replica we hold */
    private void kill(byte[] id, int off, int idLen, int hash, long sender, long requestId, boolean routed) {
        long now = clock.nowMs;
        int h = registry.find(id, off, idLen, hash);
        if (h < 0) {
            h = registry.insert(EntryKind.TOMBSTONE, id, off, idLen, hash, now + config.tombstoneTtlMs());
            if (h < 0) {
                counters.increment(Counter.TOMBSTONES_DROPPED_FULL);
            } else {
                registry.killedBy(h, requestId, sender);
                counters.increment(Counter.TOMBSTONES_STORED);
            }
            return;
        }
        EntryKind kind = registry.kind(h);
        switch (kind) {
            case LOCAL_ARMED -> {
                replication.noticeHolder(h);
                registry.transition(h, EntryKind.LOCAL_CANCELLED, now + config.recordTtlMs());
                registry.payload(h, null);
                registry.killedBy(h, requestId, sender);
                counters.increment(Counter.TIMERS_CANCELLED_REMOTELY);
                frames.cancelledToHolders(requestId, sender, h);
                handoff.remoteCancel(registry.ids(), h, sender);
            }
            case LOCAL_CANCELLED, LOCAL_FIRED -> {
                long owner = registry.owner(h);
                if ((registry.marks(h) & TimerRegistry.MARK_LISTENING) != 0) {
                    // Fired, not delivered yet: "already fired" now, and a crash before the listener
                    // returns, would have the holders that heard it drop their copy. The canceller re-sends.
                    counters.increment(Counter.KILLS_AWAIT_LISTENER);
                    return;
                }
                if (owner != nodeId && membership.isAlive(owner)) {
                    // We adopted it from a member that is back and was told how it ended: that member
                    // answers. Our record may be of an earlier life of an id that is now someone else's.
                    counters.increment(Counter.KILLS_LEFT_TO_OWNER);
                    return;
                }
                frames.killAck(sender, requestId, sender, kind == EntryKind.LOCAL_CANCELLED
                        ? KillAckFlyweight.OUTCOME_CANCELLED : KillAckFlyweight.OUTCOME_ALREADY_FIRED, h);
            }
            case REPLICA -> {
                int known = knownEnd(h);
                if (known != 0 && sender != nodeId && ownerMayNotAnswer(registry.owner(h))) {
                    counters.increment(Counter.KILLS_ANSWERED_FOR_DEAD_OWNER);
                    frames.killAckForDeadOwner(sender, requestId, known, h);
                    return;
                }
                // The owner answers; remembered in case the owner dies before it does.
                registry.marks(h, registry.marks(h) | TimerRegistry.MARK_KILLED);
                registry.killedBy(h, requestId, sender);
                long owner = registry.owner(h);
                if (routed && owner != sender && owner != nodeId && membership.isAlive(owner)) {
                    frames.killForward(owner, requestId, sender, h);
                }
            }
            default -> {
                // TOMBSTONE: already remembered.
            }
        }
    }

    /**
     * How a replica's timer ended ({@code KillAckFlyweight.OUTCOME_*}), if we saw it (its FIRED or
     * its owner's cancel reached us, or the owner reported it fired), else 0. Only a fallback for a canceller no owner answered
     * within its budget: the id may have been armed again since by a node whose SCHEDULE never
     * came here, and that owner's answer must win (defect 17, docs/operations.md).
     */
    private int knownEnd(int h) {
        int marks = registry.marks(h);
        if ((marks & TimerRegistry.MARK_DONE) == 0) {
            return 0;
        }
        return (marks & TimerRegistry.MARK_DONE_CANCELLED) != 0 ? KillAckFlyweight.OUTCOME_CANCELLED : KillAckFlyweight.OUTCOME_ALREADY_FIRED;
    }

    private static CancelOutcome.Status statusOf(int killAckOutcome) {
        return killAckOutcome == KillAckFlyweight.OUTCOME_CANCELLED ? CancelOutcome.Status.CANCELLED : CancelOutcome.Status.ALREADY_FIRED;
    }

    /**
     * Whether to answer a kill of a finished copy for its owner: once the owner is dead, or has
     * missed a heartbeat (the canceller's budget, 2 s by default, may end before the death is
     * detected). A live owner's answer makes ours unused, so we stay quiet while it is heard.
     */
    private boolean ownerMayNotAnswer(long owner) {
        long interval = config.heartbeatIntervalMs();
        return interval > 0 && (!membership.isAlive(owner) || clock.nowMs - membership.lastReceived(owner) > interval);
    }

    void onKillAck(HeaderFlyweight header, KillAckFlyweight f) {
        counters.increment(Counter.FRAMES_IN_KILL_ACK);
        if ((f.frameFlags() & KillAckFlyweight.FLAG_FOR_DEAD_OWNER) != 0) {
            // Not the owner's word: kept for the end of the kill's budget, when no owner answered
            // (the id may live again elsewhere, unknown to that holder). Replicas ignore it.
            int p = f.cancellerId() == nodeId ? pending.find(f.requestId()) : -1;
            if (p >= 0 && KillAckFlyweight.isKnownOutcome(f.outcome())) {
                pending.deadOwnerAnswer(p, f.outcome(), header.senderId());
            }
            return;
        }
        if (f.cancellerId() == nodeId && f.requestId() != 0) {
            int p = pending.find(f.requestId());
            if (p >= 0) {
                if (pending.attempts(p) == 1) { // Karn: only unambiguous samples
                    timeouts.killRoundTrip(clock.nowMs - pending.sentAt(p));
                }
                latencies.record(Latency.CANCEL_ROUND_TRIP, (System.nanoTime() - startedNanos[p]) / 1_000);
                completeCancel(p, statusOf(f.outcome()), header.senderId());
            } else {
                counters.increment(Counter.KILL_ACKS_UNMATCHED);
            }
        }
        replicas.finishedElsewhere(header.senderId(), 0, f.buffer(), f.idIndex(), f.idLength(),
                f.outcome() == KillAckFlyweight.OUTCOME_CANCELLED ? EntryKind.LOCAL_CANCELLED : EntryKind.LOCAL_FIRED,
                f.requestId(), f.cancellerId());
    }
}
