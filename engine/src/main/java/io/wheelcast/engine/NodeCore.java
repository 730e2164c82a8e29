package io.wheelcast.engine;

import io.netty.buffer.ByteBuf;
import io.wheelcast.codec.DatagramDecoder;
import io.wheelcast.codec.DatagramWriter;
import io.wheelcast.codec.DecodeStatus;
import io.wheelcast.codec.DecoderLimits;
import io.wheelcast.codec.FiredFlyweight;
import io.wheelcast.codec.FrameFlyweight;
import io.wheelcast.codec.FrameHandler;
import io.wheelcast.codec.HeaderFlyweight;
import io.wheelcast.codec.HeartbeatFlyweight;
import io.wheelcast.codec.HmacAuthenticator;
import io.wheelcast.codec.IdBytes;
import io.wheelcast.codec.KillAckFlyweight;
import io.wheelcast.codec.KillFlyweight;
import io.wheelcast.codec.ReplicatedFlyweight;
import io.wheelcast.codec.ScheduleFlyweight;
import io.wheelcast.engine.membership.Membership;
import io.wheelcast.engine.registry.EntryKind;
import io.wheelcast.engine.registry.TimerRegistry;
import io.wheelcast.engine.registry.TimerWheel;
import io.wheelcast.engine.reliability.PendingCancels;
import io.wheelcast.engine.reliability.SenderTable;

import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The node's protocol: every state transition of the registry, the pending cancels and the
 * per-sender windows, driven by received frames, local commands and the clock. Confined to
 * one thread (the event loop); knows nothing of sockets, so tests drive it directly.
 *
 * <p>Receive path (decode, dedupe, registry update, ack encode) allocates nothing except when it
 * stores a SCHEDULE payload or completes a local future.
 *
 * <p>Failover (see docs/operations.md, "Failover"): every own timer is re-sent until one live
 * member acknowledges a replica (REPLICATED); when a member is declared dead or says goodbye,
 * each of its timers is adopted by the rendezvous winner among the live members, and the other
 * holders hand their replicas to that winner until it announces the adoption. A node that comes
 * back (paused, not dead) learns from the adopters and yields.
 */
final class NodeCore implements FrameHandler {
    private static final int EXPIRY_BATCH = 4096;
    /** Retransmits per tick at most (256k/s at a 1 ms tick): the rest wait a tick, bounding overload work. */
    private static final int RETRANSMIT_BATCH = 256;

    private final NodeConfig config;
    private final long nodeId;
    private final Counters counters;
    private final DatagramSink sink;
    private final DatagramDecoder decoder;
    private final FrameOutbox outbox;
    private final TimerRegistry registry;
    private final PendingCancels pending;
    private final SenderTable senders;
    private final HmacAuthenticator authenticator;
    private final byte[] idScratch;
    private final KillReadAhead readAhead;
    private final Executor completions;
    private final TimerWheel.ExpiryHandler registryExpiry = this::onRegistryDeadline;
    private final TimerWheel.ExpiryHandler retransmitDue = this::onRetransmitDue;
    private final TimerWheel.ExpiryHandler replicationDue = this::onReplicationDue;
    private final Membership membership;
    private final Membership.DeathListener memberDied = this::onMemberDead;
    private final SplittableRandom jitter;
    /** Some own timer has no acknowledged replica and waits for a member to join (no other member was alive). */
    private boolean replicationParked;
    private long lastTickMs = Long.MIN_VALUE;
    private long nextDetectMs;
    /** After a long own pause, own timers wait until here so adopters can tell this node what they did meanwhile. */
    private long quarantineUntilMs = Long.MIN_VALUE;
    private MembershipListener membershipListener;
    private Executor membershipExecutor;

    /** KILL->KILL_ACK round trip, for the first retransmit interval. */
    private final RoundTrip killRtt = new RoundTrip();
    private long nextRequestId;
    private long nowMs;
    private long nextHeartbeatMs;
    private long heartbeats;
    /** SCHEDULE->REPLICATED round trip; longer than a kill's under a burst of schedules, so measured apart. */
    private final RoundTrip replicationRtt = new RoundTrip();
    private long nextUnreplicatedScanMs;
    private ExpiryListener listener;
    private Executor listenerExecutor;
    private CancelListener cancelListener;
    private Executor cancelExecutor;
    private boolean closed;

    NodeCore(NodeConfig config, long nodeId, Counters counters, DatagramSink sink, long startMs) {
        this.config = config;
        this.nodeId = nodeId;
        this.counters = counters;
        this.sink = sink;
        this.decoder = new DatagramDecoder(
                new DecoderLimits(config.maxReceiveDatagramBytes(), config.maxIdLength(), config.maxPayloadLength(), 512), config.clusterId());
        this.authenticator = config.currentKey() == null ? null
                : new HmacAuthenticator(config.currentKey(), config.previousKey());
        this.outbox = new FrameOutbox(new DatagramWriter(config.maxDatagramBytes(), 512, authenticator), sink, counters,
                config.maxDatagramBytes(), (int) config.clusterId(), nodeId);
        this.registry = new TimerRegistry(config.maxTimers(), config.maxReplicas(), config.maxTombstones(),
                config.maxIdLength(), startMs, config.tickMs(), config.wheelSlots());
        this.pending = new PendingCancels(config.maxPendingCancels(), config.maxIdLength(), startMs);
        this.senders = new SenderTable(config.maxSenders());
        this.completions = config.completionExecutor();
        this.idScratch = new byte[config.maxIdLength()];
        this.readAhead = new KillReadAhead(config.maxIdLength());
        this.nextRequestId = (nodeId & 0x7FFF_FFFF_0000_0000L) | 1L;
        this.nowMs = startMs;
        this.nextHeartbeatMs = startMs;
        this.membership = new Membership(config.maxSenders(), config.failureTimeoutMs(), 500);
        this.jitter = new SplittableRandom(nodeId);
    }

    long nodeId() {
        return nodeId;
    }

    /** The member this node would pick to adopt {@code id} if {@code owner} died (tests). */
    long winnerOf(byte[] id, long owner) {
        return membership.winner(IdBytes.hash(id, 0, id.length), nodeId, owner);
    }

    /** The failure timeout this node applies to {@code member} now (adaptive to its heartbeat loss); -1 if unknown. */
    long failureTimeoutOf(long member) {
        return membership.timeoutMs(member);
    }

    // ---------------------------------------------------------------- receive

    /** Processes one received datagram (readable bytes of {@code buf}); never throws for bad input. */
    void onDatagram(ByteBuf buf, long now) {
        nowMs = now;
        counters.increment(Counter.DATAGRAMS_IN);
        counters.add(Counter.BYTES_IN, buf.readableBytes());
        if (config.acceptTextKills() && TextKill.matches(buf)) { // "kill:" can never start a binary header
            onTextKill(buf);
            return;
        }
        DecodeStatus status = decoder.validate(buf);
        if (status != DecodeStatus.OK) {
            counters.increment(Counter.rejection(status));
            return;
        }
        HeaderFlyweight header = decoder.header();
        if (authenticator != null && !authentic(header, buf)) {
            return;
        }
        long sender = header.senderId();
        if (sender == nodeId) {
            counters.increment(Counter.OWN_DATAGRAMS_IGNORED);
            return;
        }
        long evictionsBefore = senders.evictions();
        SenderTable.Verdict verdict = senders.accept(sender, header.sequence(), now);
        if (senders.evictions() != evictionsBefore) {
            counters.increment(Counter.SENDER_EVICTIONS);
        }
        if (verdict != SenderTable.Verdict.NEW) {
            counters.increment(verdict == SenderTable.Verdict.DUPLICATE ? Counter.DUPLICATE_DATAGRAMS : Counter.STALE_DATAGRAMS);
            return;
        }
        if (senders.lastGap() > 0) {
            counters.add(Counter.SEQUENCE_GAPS, senders.lastGap());
        }
        counters.increment(Counter.DATAGRAMS_ACCEPTED);
        if (membership.touch(sender, now)) {
            memberRevived(sender);
        }
        if (decoder.frameCount() > 1) {
            readAhead.readAhead(decoder, registry);
        }
        decoder.dispatch(this);
        readAhead.clear();
    }

    /** Tag first (nothing is trusted before it), then the freshness bound on the signed timestamp. */
    private boolean authentic(HeaderFlyweight header, ByteBuf buf) {
        switch (authenticator.verify(header, buf, buf.readerIndex(), decoder.framesEnd())) {
            case OK -> {
                long skew = System.currentTimeMillis() - header.timestampMs();
                if (skew > config.freshnessMs() || skew < -config.freshnessMs()) {
                    counters.increment(Counter.REJECT_STALE_TIMESTAMP);
                    return false;
                }
                return true;
            }
            case MISSING -> counters.increment(Counter.REJECT_AUTH_MISSING);
            case UNKNOWN_KEY -> counters.increment(Counter.REJECT_AUTH_UNKNOWN_KEY);
            default -> counters.increment(Counter.REJECT_AUTH_BAD_TAG);
        }
        return false;
    }

    @Override
    public void onSchedule(HeaderFlyweight header, ScheduleFlyweight f) {
        counters.increment(Counter.FRAMES_IN_SCHEDULE);
        int idLen = f.idLength();
        byte[] id = copyId(f.buffer(), f.idIndex(), idLen);
        int hash = IdBytes.hash(id, 0, idLen);
        int h = registry.find(id, 0, idLen, hash);
        long sender = header.senderId();
        long owner = f.ownerId();
        boolean adoption = (f.frameFlags() & ScheduleFlyweight.FLAG_ADOPTED) != 0;
        long due = nowMs + Math.max(0, f.delayMs());
        if (h >= 0) {
            switch (registry.kind(h)) {
                case REPLICA -> {
                    if ((registry.marks(h) & TimerRegistry.MARK_DONE) != 0) {
                        if (owner != sender || adoption) {
                            answerFinished(h); // a survivor or an adopter missed that the timer finished
                            return;
                        }
                        registry.marks(h, 0); // its owner armed the id again
                    }
                    registry.transition(h, EntryKind.REPLICA, due + config.replicaGraceMs());
                    registry.owner(h, owner);
                    if (owner == sender) {
                        registry.cancelRetry(h); // an owner is alive again: nothing to hand over
                        if (adoption && (registry.marks(h) & TimerRegistry.MARK_KILLED) != 0) {
                            appendKill(0, registry.ids().arena(), registry.ids().idOffset(h), idLen); // the adopter missed the kill
                        }
                        acknowledgeIfAsked(f, sender, owner, hash, h);
                    } else {
                        onHandOver(h, sender, owner);
                    }
                    return;
                }
                case TOMBSTONE -> {
                    // The owner holds a tombstone too (or will get the retransmitted KILL) and cancels it.
                    counters.increment(Counter.SCHEDULE_AFTER_KILL);
                    if (adoption || owner != sender) {
                        appendKill(0, registry.ids().arena(), registry.ids().idOffset(h), idLen); // tell the adopter
                    }
                    if (owner != sender && !adoption) {
                        appendReplicated(owner, h); // to a survivor handing it over: we know it is cancelled
                    }
                    return;
                }
                case LOCAL_ARMED -> {
                    onScheduleOfArmed(h, sender, owner, adoption, hash);
                    return;
                }
                case LOCAL_CANCELLED, LOCAL_FIRED -> {
                    if (adoption || owner == registry.owner(h) || owner == nodeId) {
                        answerFinished(h); // an adopter or forwarder still thinks it is armed
                        return;
                    }
                    registry.remove(h); // a finished timer's record; the id was reused by another owner
                }
                default -> {
                }
            }
        }
        if (owner != sender && membership.winner(hash, nodeId, owner) != nodeId) {
            return; // a hand-over meant for another adopter: a copy here would only go stale
        }
        h = registry.insert(EntryKind.REPLICA, id, 0, idLen, hash, due + config.replicaGraceMs());
        if (h < 0) {
            counters.increment(Counter.REPLICAS_DROPPED_FULL);
            return;
        }
        registry.owner(h, owner);
        if (f.payloadLength() > 0) {
            registry.payload(h, f.payloadCopy());
        }
        counters.increment(Counter.REPLICAS_STORED);
        if (owner != sender) {
            onHandOver(h, sender, owner);
        } else {
            acknowledgeIfAsked(f, sender, owner, hash, h);
        }
    }

    /**
     * A survivor handed us a timer of an owner it believes dead. Every hand-over gets an answer,
     * so the survivor stops: our adoption announcement if we are the adopter and agree the owner
     * is dead; REPLICATED if we are the adopter-to-be but still hear the owner (we adopt when our
     * own detector agrees). Otherwise our own hand-over, on its retry, takes it on.
     */
    private void onHandOver(int h, long sender, long owner) {
        if (!config.takeover()) {
            return;
        }
        boolean winner = membership.winner(registry.ids().hash(h), nodeId, owner) == nodeId;
        if (!membership.isAlive(owner)) {
            if (winner) {
                adopt(h, owner);
            }
        } else if (winner) {
            registry.marks(h, registry.marks(h) | TimerRegistry.MARK_HELD);
            appendReplicated(owner, h);
        }
    }

    /** A SCHEDULE names an id armed here: someone adopted our timer, adopted it too, or its owner came back. */
    private void onScheduleOfArmed(int h, long sender, long owner, boolean adoption, int hash) {
        long adoptedFrom = registry.owner(h) == nodeId ? 0 : registry.owner(h);
        if (adoption && owner == sender && owner != nodeId) {
            boolean wasDeclaredDead = adoptedFrom == 0;
            if (wasDeclaredDead || adoptedFrom == sender
                    || Long.compareUnsigned(Membership.score(sender, hash), Membership.score(nodeId, hash)) > 0) {
                yieldTo(h, sender);
                registry.marks(h, TimerRegistry.MARK_HELD); // we answer: the adopter tells us how it ends
                appendReplicated(sender, h); // the adopter waits for this before it stops telling us
                return;
            }
            announceAdoption(h); // two adopters (their views differed): the higher rendezvous score keeps it
            return;
        }
        if (adoptedFrom != 0 && owner == adoptedFrom) {
            announceAdoption(h); // the owner we adopted from is back and re-sent its SCHEDULE: it must yield
            return;
        }
        counters.increment(Counter.SCHEDULE_ID_CONFLICT);
    }

    /** Another node owns the timer now: keep a replica of it, fire nothing. */
    private void yieldTo(int h, long newOwner) {
        long due = registry.dueAt(h);
        byte[] payload = registry.payload(h);
        registry.cancelRetry(h);
        registry.transition(h, EntryKind.REPLICA, due + config.replicaGraceMs());
        registry.owner(h, newOwner);
        registry.payload(h, payload);
        registry.killedBy(h, 0, 0);
        registry.marks(h, 0);
        counters.increment(Counter.TIMERS_YIELDED);
    }

    /** Our record says the timer already finished here: say so to whoever still thinks it is armed. */
    private void answerFinished(int h) {
        EntryKind kind = registry.kind(h);
        if (kind == EntryKind.LOCAL_CANCELLED
                || (kind == EntryKind.REPLICA && (registry.marks(h) & TimerRegistry.MARK_DONE_CANCELLED) != 0)) {
            appendKillAck(registry.requestId(h), registry.canceller(h), KillAckFlyweight.OUTCOME_CANCELLED, h);
        } else {
            appendFired(registry.ids().arena(), registry.ids().idOffset(h), registry.ids().idLength(h));
        }
    }

    /** The owner's designated backup (or anyone, when the owner asks so) confirms it holds the replica. */
    private void acknowledgeIfAsked(ScheduleFlyweight f, long sender, long owner, int hash, int h) {
        if (owner != sender || !config.takeover()) {
            return; // a hand-over from a survivor is answered by the adopter's announcement instead
        }
        if ((f.frameFlags() & ScheduleFlyweight.FLAG_ACK_ANY) != 0 || membership.winner(hash, nodeId, owner) == nodeId) {
            registry.marks(h, registry.marks(h) | TimerRegistry.MARK_HELD);
            appendReplicated(owner, h);
        }
    }

    @Override
    public void onReplicated(HeaderFlyweight header, ReplicatedFlyweight f) {
        counters.increment(Counter.FRAMES_IN_REPLICATED);
        byte[] id = copyId(f.buffer(), f.idIndex(), f.idLength());
        int h = registry.find(id, 0, f.idLength(), IdBytes.hash(id, 0, f.idLength()));
        if (h < 0) {
            return;
        }
        if (f.ownerId() != nodeId) {
            if (registry.kind(h) == EntryKind.REPLICA && registry.owner(h) == f.ownerId()) {
                registry.cancelRetry(h); // our hand-over reached the adopter-to-be
            }
            return;
        }
        long holder = header.senderId();
        EntryKind kind = registry.kind(h);
        if (kind == EntryKind.LOCAL_FIRED || kind == EntryKind.LOCAL_CANCELLED) {
            if (registry.holder(h) == holder) {
                registry.holder(h, 0); // the holder knows the timer finished: it will not adopt it
                registry.cancelRetry(h);
            } else if (registry.holder(h) == 0 && registry.attempts(h) == 0 && !registry.retryPending(h)) {
                // A replica acknowledged only after the timer finished: its holder must learn how it ended.
                registry.holder(h, holder);
                answerFinished(h);
                registry.retryAt(h, nowMs + noticeRetryMs(0));
            }
            return;
        }
        if (kind != EntryKind.LOCAL_ARMED || registry.holder(h) != 0) {
            return;
        }
        long adoptedFrom = registry.owner(h);
        if (adoptedFrom != nodeId && membership.isAlive(adoptedFrom)) {
            if (holder != adoptedFrom) {
                return; // the owner we adopted from is back: only its own answer proves it yielded
            }
        } else if (registry.attempts(h) < ACK_ANY_AFTER && holder != membership.backup(registry.ids().hash(h), nodeId)) {
            return; // not (yet) from the designated backup, which is the one that must know how the timer ends
        }
        if (registry.attempts(h) == 0 && registry.retryPending(h)) { // Karn: first sends only
            long sentAt = registry.retryDeadline(h) - replicationRetryMs(0);
            replicationRtt.sample(Math.max(0, nowMs - sentAt));
        }
        registry.holder(h, holder);
        registry.attempts(h, 0);
        registry.cancelRetry(h);
    }

    /** A {@code kill:<id>} text datagram: a kill with no sender to answer (request id 0, canceller 0). */
    private void onTextKill(ByteBuf buf) {
        int idIndex = buf.readerIndex() + TextKill.PREFIX_LENGTH;
        int idLen = TextKill.idLength(buf);
        if (idLen < 1 || idLen > config.maxIdLength()) {
            counters.increment(Counter.TEXT_KILLS_INVALID);
            return;
        }
        counters.increment(Counter.TEXT_KILLS_IN);
        killFrom(buf, idIndex, idLen, 0L, 0L);
    }

    @Override
    public void onKill(HeaderFlyweight header, KillFlyweight f) {
        counters.increment(Counter.FRAMES_IN_KILL);
        int k = readAhead.next();
        if (k >= 0) {
            kill(readAhead.ids(), readAhead.offset(k), readAhead.length(k), readAhead.hash(k), header.senderId(), f.requestId());
        } else {
            killFrom(f.buffer(), f.idIndex(), f.idLength(), header.senderId(), f.requestId());
        }
    }

    /** A kill whose id was not read ahead: copied and hashed here. */
    private void killFrom(ByteBuf buf, int idIndex, int idLen, long sender, long requestId) {
        byte[] id = copyId(buf, idIndex, idLen);
        kill(id, 0, idLen, IdBytes.hash(id, 0, idLen), sender, requestId);
    }

    private void kill(byte[] id, int off, int idLen, int hash, long sender, long requestId) {
        int h = registry.find(id, off, idLen, hash);
        if (h < 0) {
            h = registry.insert(EntryKind.TOMBSTONE, id, off, idLen, hash, nowMs + config.tombstoneTtlMs());
            if (h < 0) {
                counters.increment(Counter.TOMBSTONES_DROPPED_FULL);
            } else {
                registry.killedBy(h, requestId, sender);
                counters.increment(Counter.TOMBSTONES_STORED);
            }
            return;
        }
        switch (registry.kind(h)) {
            case LOCAL_ARMED -> {
                noticeHolder(h);
                registry.transition(h, EntryKind.LOCAL_CANCELLED, nowMs + config.recordTtlMs());
                registry.payload(h, null);
                registry.killedBy(h, requestId, sender);
                counters.increment(Counter.TIMERS_CANCELLED_REMOTELY);
                appendKillAck(requestId, sender, KillAckFlyweight.OUTCOME_CANCELLED, h);
                notifyRemoteCancel(h, sender);
            }
            case LOCAL_CANCELLED -> appendKillAck(requestId, sender, KillAckFlyweight.OUTCOME_CANCELLED, h);
            case LOCAL_FIRED -> appendKillAck(requestId, sender, KillAckFlyweight.OUTCOME_ALREADY_FIRED, h);
            case REPLICA -> {
                // The owner answers; remembered in case the owner dies before it does.
                registry.marks(h, registry.marks(h) | TimerRegistry.MARK_KILLED);
                registry.killedBy(h, requestId, sender);
            }
            default -> {
                // TOMBSTONE: already remembered.
            }
        }
    }

    @Override
    public void onKillAck(HeaderFlyweight header, KillAckFlyweight f) {
        counters.increment(Counter.FRAMES_IN_KILL_ACK);
        if (f.cancellerId() == nodeId && f.requestId() != 0) {
            int p = pending.find(f.requestId());
            if (p >= 0) {
                if (pending.attempts(p) == 1) { // Karn: only unambiguous samples
                    killRtt.sample(nowMs - pending.sentAt(p));
                }
                boolean cancelled = f.outcome() == KillAckFlyweight.OUTCOME_CANCELLED;
                completeCancel(p, cancelled ? CancelOutcome.Status.CANCELLED : CancelOutcome.Status.ALREADY_FIRED,
                        header.senderId());
            } else {
                counters.increment(Counter.KILL_ACKS_UNMATCHED);
            }
        }
        finishedElsewhere(header.senderId(), f.buffer(), f.idIndex(), f.idLength(),
                f.outcome() == KillAckFlyweight.OUTCOME_CANCELLED ? EntryKind.LOCAL_CANCELLED : EntryKind.LOCAL_FIRED,
                f.requestId(), f.cancellerId());
    }

    /**
     * Another node answered for or fired this id. A replica stays, marked finished and without
     * its payload, until its deadline plus grace: if its owner dies, whoever adopts a stale copy
     * of it is told (our answer to the adoption announcement) instead of firing it. The owner's
     * acknowledged holder also confirms, so the owner stops re-sending the outcome. An armed copy here (we were declared dead and it
     * was adopted, or two nodes adopted it) is finished without firing.
     */
    private void finishedElsewhere(long sender, ByteBuf buf, int idIndex, int idLen, EntryKind outcome,
                                   long requestId, long canceller) {
        byte[] id = copyId(buf, idIndex, idLen);
        int h = registry.find(id, 0, idLen, IdBytes.hash(id, 0, idLen));
        if (h < 0) {
            return;
        }
        EntryKind kind = registry.kind(h);
        if (kind == EntryKind.REPLICA) {
            int marks = registry.marks(h);
            if ((marks & TimerRegistry.MARK_DONE) == 0) {
                boolean cancelled = outcome == EntryKind.LOCAL_CANCELLED;
                registry.marks(h, marks | (cancelled ? TimerRegistry.MARK_DONE_CANCELLED : TimerRegistry.MARK_DONE_FIRED));
                registry.killedBy(h, requestId, canceller);
                registry.payload(h, null);
                registry.cancelRetry(h);
            }
            if ((marks & TimerRegistry.MARK_HELD) != 0) {
                appendReplicated(sender, h); // the owner re-sends the outcome until its holder confirms
            }
        } else if (kind == EntryKind.LOCAL_ARMED && sender != nodeId) {
            registry.cancelRetry(h);
            registry.transition(h, outcome, nowMs + config.recordTtlMs());
            registry.payload(h, null);
            registry.killedBy(h, 0, sender);
            counters.increment(outcome == EntryKind.LOCAL_CANCELLED ? Counter.TIMERS_CANCELLED_ELSEWHERE : Counter.TIMERS_FIRED_ELSEWHERE);
        }
    }

    /**
     * First retransmit interval: the configured initial one, or longer when owners answer
     * slowly, so a loaded cluster is not flooded with retransmits of kills already in flight.
     */
    private long retransmitTimeoutMs() {
        long initial = config.killBackoff().initialMs();
        return Math.max(initial, killRtt.timeoutMs(config.killBackoff().maxMs()));
    }

    @Override
    public void onHeartbeat(HeaderFlyweight header, HeartbeatFlyweight f) {
        counters.increment(Counter.FRAMES_IN_HEARTBEAT);
        long member = header.senderId();
        if (f.intervalMs() == 0) { // goodbye: take its timers over now, not after the failure timeout
            if (membership.left(member)) {
                counters.increment(Counter.MEMBERS_LEFT);
                notifyMembership(MemberEvent.Type.LEFT, member);
                takeOver(member);
            }
            return;
        }
        switch (membership.heard(member, nowMs, f.intervalMs(), f.beat())) {
            case JOINED -> {
                counters.increment(Counter.MEMBERS_JOINED);
                notifyMembership(MemberEvent.Type.JOINED, member);
                replicateParked();
            }
            case REVIVED -> memberRevived(member);
            case TABLE_FULL -> counters.increment(Counter.MEMBER_TABLE_FULL);
            default -> {
            }
        }
    }

    // ---------------------------------------------------------------- membership and takeover

    private void memberRevived(long member) {
        counters.increment(Counter.MEMBERS_REVIVED);
        notifyMembership(MemberEvent.Type.REVIVED, member);
        replicateParked();
        tellRevived(member);
    }

    private void onMemberDead(long member) {
        counters.increment(Counter.MEMBERS_DEAD);
        notifyMembership(MemberEvent.Type.DEAD, member);
        takeOver(member);
    }

    /**
     * A member is gone: our timers it held replicas of are re-replicated elsewhere, and its own
     * timers (replicas here) are adopted or handed to their adopter. One scan of the slab; a
     * member's death is rare.
     */
    private void takeOver(long gone) {
        if (!config.takeover()) {
            return;
        }
        boolean alone = membership.liveCount() == 0;
        for (int h = 0, n = registry.capacity(); h < n; h++) {
            EntryKind kind = registry.kind(h);
            if (kind == EntryKind.LOCAL_ARMED && registry.holder(h) == gone) {
                registry.holder(h, 0);
                if (alone) {
                    replicationParked = true;
                } else {
                    registry.attempts(h, 0);
                    registry.retryAt(h, nowMs);
                }
            } else if (kind == EntryKind.REPLICA && registry.owner(h) == gone) {
                orphan(h, gone);
            }
        }
    }

    /** A replica whose owner is dead: adopt it if we are its rendezvous winner, else hand it to the winner. */
    private void orphan(int h, long deadOwner) {
        if ((registry.marks(h) & TimerRegistry.MARK_DONE) != 0) {
            registry.cancelRetry(h); // it finished on its owner: nothing to take over
            return;
        }
        long winner = membership.winner(registry.ids().hash(h), nodeId, deadOwner);
        if (winner == nodeId) {
            adopt(h, deadOwner);
            return;
        }
        if ((registry.marks(h) & TimerRegistry.MARK_KILLED) != 0) {
            // the kill first, so the adopter takes it over as cancelled
            appendKill(0, registry.ids().arena(), registry.ids().idOffset(h), registry.ids().idLength(h));
        }
        long due = registry.deadline(h) - config.replicaGraceMs();
        appendScheduleOf(0, h, Math.max(0, due - nowMs), deadOwner);
        counters.increment(Counter.ORPHANS_FORWARDED);
        registry.attempts(h, registry.attempts(h) + 1);
        registry.retryAt(h, nowMs + replicationRetryMs(registry.attempts(h)));
    }

    /**
     * Takes over a dead owner's timer: armed here for its original deadline (at once, after a
     * short settle for in-flight kills, if that passed during detection) and announced, so the
     * other holders stop handing it over and kills reach us. A replica that saw a kill is adopted
     * as cancelled and the kill answered.
     */
    private void adopt(int h, long deadOwner) {
        registry.cancelRetry(h);
        if ((registry.marks(h) & TimerRegistry.MARK_KILLED) != 0) {
            long requestId = registry.requestId(h);
            long canceller = registry.canceller(h);
            registry.transition(h, EntryKind.LOCAL_CANCELLED, nowMs + config.recordTtlMs());
            registry.owner(h, deadOwner);
            registry.payload(h, null);
            registry.killedBy(h, requestId, canceller);
            counters.increment(Counter.TIMERS_ADOPTED_CANCELLED);
            appendKillAck(requestId, canceller, KillAckFlyweight.OUTCOME_CANCELLED, h);
            return;
        }
        long due = registry.deadline(h) - config.replicaGraceMs();
        if (due + PRESUMED_FIRED_MARGIN_MS < membership.lastReceived(deadOwner)) {
            // Its owner still sent datagrams well after the deadline, so its loop was turning and
            // fired it (the loop fires due timers every tick): only its FIRED went missing.
            registry.marks(h, registry.marks(h) | TimerRegistry.MARK_DONE_FIRED);
            registry.payload(h, null);
            counters.increment(Counter.TAKEOVERS_PRESUMED_FIRED);
            return;
        }
        if (!registry.hasRoom(EntryKind.LOCAL_ARMED)) {
            counters.increment(Counter.ADOPTIONS_DROPPED_FULL);
            return;
        }
        registry.transition(h, EntryKind.LOCAL_ARMED, Math.max(due, nowMs + ADOPTION_SETTLE_MS + 2 * retransmitTimeoutMs()));
        registry.owner(h, deadOwner);
        registry.dueAt(h, due);
        registry.holder(h, 0);
        registry.marks(h, 0);
        counters.increment(Counter.TIMERS_ADOPTED);
        announceAdoption(h);
    }

    /** Multicasts an adopted timer's SCHEDULE (owner: this node) and re-sends it until a replica is acknowledged. */
    private void announceAdoption(int h) {
        appendScheduleOf(replicationFlags(h), h, Math.max(0, registry.dueAt(h) - nowMs), nodeId);
        armReplicationRetry(h);
    }

    /** Starts the re-send loop of an own timer's SCHEDULE, or parks it while no other member is alive. */
    private void armReplicationRetry(int h) {
        if (!config.takeover() || registry.holder(h) != 0) {
            return;
        }
        if (membership.liveCount() == 0) {
            replicationParked = true;
            return;
        }
        registry.retryAt(h, nowMs + replicationRetryMs(registry.attempts(h)));
    }

    /**
     * The designated backup (the member that would adopt the timer) answers first sends; after
     * {@link #ACK_ANY_AFTER} unanswered ones anybody may, in case views differ. Keeping the
     * holder equal to the future adopter matters: the holder is the one told reliably when the
     * timer fires or is cancelled, so the adopter never revives a finished timer.
     */
    private int replicationFlags(int h) {
        return (registry.attempts(h) >= ACK_ANY_AFTER ? ScheduleFlyweight.FLAG_ACK_ANY : 0)
                | (registry.owner(h) != nodeId ? ScheduleFlyweight.FLAG_ADOPTED : 0);
    }

    private static final int ACK_ANY_AFTER = 4;
    /** Covers the one-way latency and expiry batches spread over several loop turns. */
    private static final long PRESUMED_FIRED_MARGIN_MS = 100;

    /**
     * Replication is not latency-critical (the timer is armed here already), so its re-sends
     * start at {@link #REPLICATION_MIN_RTO_MS} and back off to a second: a burst of schedules on
     * a loaded host must not turn into a burst of re-sends.
     */
    private long replicationRetryMs(int attempts) {
        long base = Math.max(REPLICATION_MIN_RTO_MS, replicationRtt.timeoutMs(REPLICATION_MAX_RTO_MS));
        return Math.min(REPLICATION_MAX_RTO_MS, base << Math.min(attempts, 6));
    }

    private static final long REPLICATION_MIN_RTO_MS = 50;
    /**
     * An adopted timer whose deadline already passed waits this long (plus two round trips)
     * before it fires: its announcement reaches the other survivors, and one that knows the
     * timer fired or was cancelled (its FIRED or KILL_ACK reached only some of them) answers
     * in time.
     */
    private static final long ADOPTION_SETTLE_MS = 100;

    /**
     * A finished timer's outcome goes to its holder as fast as a kill's answer would: until the
     * holder has it, a crash of this node could make the adopter fire the timer again.
     */
    private long noticeRetryMs(int attempts) {
        return Math.min(config.killBackoff().maxMs(), retransmitTimeoutMs() << Math.min(attempts, 6));
    }
    private static final long REPLICATION_MAX_RTO_MS = 1_000;

    /** A member joined or came back: own timers that nobody holds yet are replicated now. */
    private void replicateParked() {
        if (!replicationParked || !config.takeover()) {
            return;
        }
        replicationParked = false;
        for (int h = 0, n = registry.capacity(); h < n; h++) {
            if (registry.kind(h) == EntryKind.LOCAL_ARMED && registry.holder(h) == 0) {
                registry.attempts(h, 1);
                registry.retryAt(h, nowMs);
            }
        }
    }

    /**
     * A member we had declared dead is back: what we did with its timers meanwhile is re-sent
     * until it acknowledges (adopted and armed) or a few times (fired, cancelled), so it does
     * not fire them a second time.
     */
    private void tellRevived(long member) {
        if (!config.takeover()) {
            return;
        }
        for (int h = 0, n = registry.capacity(); h < n; h++) {
            if (registry.owner(h) != member) {
                continue;
            }
            switch (registry.kind(h)) {
                case LOCAL_ARMED -> {
                    registry.holder(h, 0);
                    registry.attempts(h, ACK_ANY_AFTER); // the returning owner must answer, designated backup or not
                    registry.retryAt(h, nowMs);
                }
                case LOCAL_CANCELLED, LOCAL_FIRED -> {
                    registry.attempts(h, 0);
                    registry.retryAt(h, nowMs);
                }
                default -> {
                }
            }
        }
    }

    /** A replication retry fell due; what it means depends on what the entry is now. */
    private void onReplicationDue(int h, long now) {
        switch (registry.kind(h)) {
            case LOCAL_ARMED -> {
                if (registry.holder(h) != 0) {
                    return;
                }
                if (membership.liveCount() == 0) {
                    replicationParked = true;
                    return;
                }
                counters.increment(Counter.SCHEDULE_RETRANSMITS);
                registry.attempts(h, registry.attempts(h) + 1);
                appendScheduleOf(replicationFlags(h), h, Math.max(0, registry.dueAt(h) - now), nodeId);
                registry.retryAt(h, now + replicationRetryMs(registry.attempts(h)));
            }
            case REPLICA -> {
                long owner = registry.owner(h);
                if (!membership.isAlive(owner) && config.takeover()) {
                    orphan(h, owner);
                }
            }
            case LOCAL_CANCELLED, LOCAL_FIRED -> {
                answerFinished(h);
                int attempts = registry.attempts(h) + 1;
                registry.attempts(h, attempts);
                long holder = registry.holder(h);
                if (holder != 0 && membership.isAlive(holder) && attempts < HOLDER_NOTICES) {
                    registry.retryAt(h, now + noticeRetryMs(attempts));
                } else if (holder == 0 && attempts < REANNOUNCEMENTS) {
                    registry.retryAt(h, now + (50L << attempts));
                }
            }
            default -> {
            }
        }
    }

    /** Re-sends of a finished adopted timer's outcome to its returning owner: 50, 100, 200, 400 ms apart. */
    private static final int REANNOUNCEMENTS = 5;
    /** Re-sends of an own timer's outcome until its replica holder confirms (about 3 s at the 200 ms cap). */
    private static final int HOLDER_NOTICES = 16;

    /** An own timer finished: its replica holder must learn it, or a takeover would revive it. */
    private void noticeHolder(int h) {
        registry.cancelRetry(h);
        if (registry.holder(h) != 0) {
            registry.attempts(h, 0);
            registry.retryAt(h, nowMs + noticeRetryMs(0));
        }
    }

    void setMembershipListener(MembershipListener listener, Executor executor) {
        this.membershipListener = listener;
        this.membershipExecutor = executor;
    }

    private void notifyMembership(MemberEvent.Type type, long member) {
        MembershipListener l = membershipListener;
        if (l == null) {
            return;
        }
        MemberEvent event = new MemberEvent(type, member);
        try {
            membershipExecutor.execute(() -> {
                try {
                    l.onMemberEvent(event);
                } catch (Throwable t) {
                    counters.incrementConcurrent(Counter.LISTENER_FAILURES);
                }
            });
        } catch (RejectedExecutionException rejected) {
            counters.increment(Counter.LISTENER_REJECTED);
        }
    }

    @Override
    public void onFired(HeaderFlyweight header, FiredFlyweight f) {
        counters.increment(Counter.FRAMES_IN_FIRED);
        finishedElsewhere(header.senderId(), f.buffer(), f.idIndex(), f.idLength(), EntryKind.LOCAL_FIRED, 0, 0);
    }

    @Override
    public void onUnknown(HeaderFlyweight header, FrameFlyweight frame) {
        counters.increment(Counter.FRAMES_IN_UNKNOWN);
    }

    /**
     * One bulk copy of a received id into a reusable array: hashing and comparing then run over
     * a plain array instead of paying a ByteBuf bounds and liveness check per byte.
     */
    private byte[] copyId(ByteBuf buf, int idIndex, int idLen) {
        buf.getBytes(idIndex, idScratch, 0, idLen);
        return idScratch;
    }

    // ---------------------------------------------------------------- local commands

    void schedule(byte[] id, long delayMs, byte[] payload, CompletableFuture<ScheduleOutcome> result, long now) {
        nowMs = now;
        if (closed) {
            fail(result, new ScheduleRejectedException(ScheduleRejectedException.Reason.CLOSED, "node is closed"));
            return;
        }
        int hash = IdBytes.hash(id, 0, id.length);
        int h = registry.find(id, 0, id.length, hash);
        if (h >= 0) {
            switch (registry.kind(h)) {
                case TOMBSTONE -> {
                    preCancel(h, id, result);
                    return;
                }
                case LOCAL_ARMED, REPLICA -> {
                    counters.increment(Counter.SCHEDULES_REJECTED);
                    String where = registry.kind(h) == EntryKind.LOCAL_ARMED ? "armed on this node"
                            : "owned by node " + Long.toHexString(registry.owner(h));
                    fail(result, new ScheduleRejectedException(ScheduleRejectedException.Reason.DUPLICATE_ID,
                            "timer id is already " + where));
                    return;
                }
                default -> {
                    if (!registry.hasRoom(EntryKind.LOCAL_ARMED)) {
                        timerLimit(result);
                        return;
                    }
                    registry.transition(h, EntryKind.LOCAL_ARMED, now + delayMs); // reuse of a finished timer's id
                }
            }
        } else {
            h = registry.insert(EntryKind.LOCAL_ARMED, id, 0, id.length, hash, now + delayMs);
            if (h < 0) {
                timerLimit(result);
                return;
            }
        }
        registry.owner(h, nodeId);
        registry.payload(h, payload);
        registry.dueAt(h, now + delayMs);
        registry.holder(h, 0);
        registry.attempts(h, 0);
        registry.marks(h, 0);
        counters.increment(Counter.TIMERS_ARMED);
        appendSchedule(delayMs, id, payload);
        armReplicationRetry(h);
        complete(result, ScheduleOutcome.ARMED);
    }

    private void timerLimit(CompletableFuture<ScheduleOutcome> result) {
        counters.increment(Counter.TIMER_LIMIT_HITS);
        fail(result, new ScheduleRejectedException(ScheduleRejectedException.Reason.TIMER_LIMIT,
                "maxTimers (" + config.maxTimers() + ") timers are armed on this node"));
    }

    /** A kill for this id arrived first: the schedule is cancelled on arrival and the canceller answered. */
    private void preCancel(int h, byte[] id, CompletableFuture<ScheduleOutcome> result) {
        long requestId = registry.requestId(h);
        long canceller = registry.canceller(h);
        registry.transition(h, EntryKind.LOCAL_CANCELLED, nowMs + config.recordTtlMs());
        registry.owner(h, nodeId);
        counters.increment(Counter.TIMERS_PRE_CANCELLED);
        if (canceller == nodeId) {
            int p = pending.find(requestId);
            if (p >= 0) {
                completeCancel(p, CancelOutcome.Status.CANCELLED, nodeId);
            }
        }
        appendKillAck(requestId, canceller, KillAckFlyweight.OUTCOME_CANCELLED, h);
        complete(result, ScheduleOutcome.PRE_CANCELLED);
    }

    void cancel(byte[] id, CompletableFuture<CancelOutcome> result, long now) {
        nowMs = now;
        if (closed) {
            fail(result, new CancelRejectedException(CancelRejectedException.Reason.CLOSED, "node is closed"));
            return;
        }
        counters.increment(Counter.CANCELS_REQUESTED);
        int hash = IdBytes.hash(id, 0, id.length);
        int h = registry.find(id, 0, id.length, hash);
        EntryKind kind = h >= 0 ? registry.kind(h) : EntryKind.FREE;
        switch (kind) {
            case LOCAL_ARMED -> {
                noticeHolder(h);
                registry.transition(h, EntryKind.LOCAL_CANCELLED, now + config.recordTtlMs());
                registry.payload(h, null);
                registry.killedBy(h, 0, nodeId);
                counters.increment(Counter.TIMERS_CANCELLED_LOCALLY);
                counters.increment(Counter.CANCELS_CANCELLED);
                appendKillAck(0, nodeId, KillAckFlyweight.OUTCOME_CANCELLED, h); // replicas drop their copy
                complete(result, new CancelOutcome(CancelOutcome.Status.CANCELLED, nodeId));
                return;
            }
            case LOCAL_CANCELLED -> {
                counters.increment(Counter.CANCELS_CANCELLED);
                complete(result, new CancelOutcome(CancelOutcome.Status.CANCELLED, nodeId));
                return;
            }
            case LOCAL_FIRED -> {
                counters.increment(Counter.CANCELS_ALREADY_FIRED);
                complete(result, new CancelOutcome(CancelOutcome.Status.ALREADY_FIRED, nodeId));
                return;
            }
            default -> {
            }
        }
        if (pending.isFull()) {
            counters.increment(Counter.CANCELS_REJECTED);
            fail(result, new CancelRejectedException(CancelRejectedException.Reason.PENDING_LIMIT,
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
        int p = pending.add(requestId, id, 0, id.length, result, now, config.killBackoff(), retransmitTimeoutMs());
        if (kind == EntryKind.REPLICA) {
            pending.markOwnerSeen(p);
            registry.marks(h, registry.marks(h) | TimerRegistry.MARK_KILLED); // honoured if we adopt it
            registry.killedBy(h, requestId, nodeId);
        }
        appendKill(requestId, id, 0, id.length);
        if (config.emitTextKills()) {
            ByteBuf text = sink.allocate(TextKill.PREFIX_LENGTH + id.length);
            TextKill.write(text, id);
            counters.increment(Counter.TEXT_KILLS_OUT);
            counters.increment(Counter.DATAGRAMS_OUT);
            sink.send(text);
        }
    }

    void setCancelListener(CancelListener listener, Executor executor) {
        this.cancelListener = listener;
        this.cancelExecutor = executor;
    }

    private void notifyRemoteCancel(int h, long canceller) {
        CancelListener l = cancelListener;
        if (l == null) {
            return;
        }
        byte[] id = registry.ids().idCopy(h);
        try {
            cancelExecutor.execute(() -> {
                try {
                    l.onRemoteCancel(id, canceller);
                } catch (Throwable t) {
                    counters.incrementConcurrent(Counter.LISTENER_FAILURES);
                }
            });
        } catch (RejectedExecutionException rejected) {
            counters.increment(Counter.LISTENER_REJECTED);
        }
    }

    void setListener(ExpiryListener listener, Executor executor) {
        this.listener = listener;
        this.listenerExecutor = executor;
    }

    // ---------------------------------------------------------------- clock

    /** Fires due timers, retransmits due kills, expires records, sends heartbeats, then flushes. */
    void tick(long now) {
        nowMs = now;
        long interval = config.heartbeatIntervalMs();
        if (interval > 0) {
            watchOwnPause(now, interval);
            if (now >= nextDetectMs) {
                nextDetectMs = now + DETECT_PERIOD_MS;
                membership.detect(now, memberDied);
            }
        }
        registry.poll(now, registryExpiry, EXPIRY_BATCH);
        pending.poll(now, retransmitDue, RETRANSMIT_BATCH);
        registry.pollRetries(now, replicationDue, RETRANSMIT_BATCH);
        if (interval > 0 && now >= nextHeartbeatMs) {
            // +-10% jitter so the heartbeats of nodes started together do not stay in lockstep
            nextHeartbeatMs = now + heartbeatPeriod(now, interval);
            appendHeartbeat(interval);
        }
        updateGauges();
        flush();
    }

    private static final long DETECT_PERIOD_MS = 10;

    /**
     * Pauses are not deaths. A stalled loop (GC, VM pause, SIGSTOP, an overloaded host) says
     * nothing about the others: the stall does not count against their silence. If the stall
     * was long enough for the others to declare us dead, our own timers wait out a quarantine in
     * which the adopters, hearing our heartbeat, tell us what they took over (we then yield)
     * before anything fires here.
     */
    private void watchOwnPause(long now, long interval) {
        long last = lastTickMs;
        lastTickMs = now;
        if (last == Long.MIN_VALUE) {
            return;
        }
        long stall = now - last - config.tickMs();
        if (stall < interval / 4) {
            return; // ordinary scheduling noise: small against the failure timeout
        }
        membership.selfStalled(now, stall);
        if (stall >= interval) {
            counters.increment(Counter.PAUSES_DETECTED);
            nextHeartbeatMs = now;
        }
        if (stall + interval >= config.failureTimeoutMs()) {
            // Long enough for the adopters to hear us (heartbeats go out 5x as often meanwhile) and re-send what they took.
            quarantineUntilMs = now + config.failureTimeoutMs() + interval;
        }
    }

    /** Heartbeats go out 5x as often during a quarantine, so the adopters learn soon, even through loss, that we are back. */
    private long heartbeatPeriod(long now, long interval) {
        return now < quarantineUntilMs ? Math.max(1, interval / 5) : interval - interval / 10 + jitter.nextLong(interval / 5 + 1);
    }

    private void appendHeartbeat(long intervalMs) {
        outbox.heartbeat(registry.count(EntryKind.LOCAL_ARMED), intervalMs, ++heartbeats);
    }

    private void onRegistryDeadline(int h, long now) {
        switch (registry.kind(h)) {
            case LOCAL_ARMED -> {
                if (now < quarantineUntilMs) {
                    registry.wheel().schedule(h, quarantineUntilMs); // the adopters may say it is theirs
                } else {
                    fire(h, now);
                }
            }
            case REPLICA -> replicaGraceOver(h, now);
            case TOMBSTONE -> {
                counters.increment(Counter.TOMBSTONES_EXPIRED);
                registry.remove(h);
            }
            default -> registry.remove(h);
        }
    }

    /**
     * A replica's deadline plus grace passed and no FIRED came. If its owner was heard after the
     * deadline, it fired and the FIRED was lost: drop the replica. If its owner is dead, hand the
     * timer over. If the owner has been silent since the deadline, it may be dying: keep the
     * replica until the detector decides (the grace is shorter than a lossy link's timeout).
     */
    private void replicaGraceOver(int h, long now) {
        long owner = registry.owner(h);
        long due = registry.deadline(h) - config.replicaGraceMs();
        if ((registry.marks(h) & TimerRegistry.MARK_DONE) != 0) {
            registry.remove(h);
            return;
        }
        if (config.takeover() && membership.isDead(owner)) {
            if (registry.attempts(h) > 0 && !registry.retryPending(h)) {
                // handed over and answered: the adopter has it; re-sending a stale copy now could revive a finished timer
                counters.increment(Counter.REPLICAS_EXPIRED);
                registry.remove(h);
                return;
            }
            registry.wheel().schedule(h, now + config.replicaGraceMs());
            if (!registry.retryPending(h)) {
                orphan(h, owner);
            }
            return;
        }
        if (config.takeover() && membership.isAlive(owner) && membership.lastReceived(owner) <= due) {
            registry.wheel().schedule(h, now + config.heartbeatIntervalMs());
            return;
        }
        counters.increment(Counter.REPLICAS_EXPIRED);
        registry.remove(h);
    }

    private void fire(int h, long now) {
        long deadline = registry.dueAt(h);
        long adoptedFrom = registry.owner(h) == nodeId ? 0 : registry.owner(h);
        noticeHolder(h);
        byte[] payload = registry.payload(h);
        registry.transition(h, EntryKind.LOCAL_FIRED, now + config.recordTtlMs());
        registry.payload(h, null);
        counters.increment(Counter.TIMERS_FIRED);
        byte[] idArena = registry.ids().arena();
        appendFired(idArena, registry.ids().idOffset(h), registry.ids().idLength(h));
        ExpiryListener l = listener;
        Executor e = listenerExecutor;
        if (l != null) {
            TimerExpiry expiry = new TimerExpiry(registry.ids().idCopy(h), payload == null ? EMPTY : payload, deadline, now,
                    adoptedFrom);
            try {
                e.execute(() -> {
                    try {
                        l.onExpire(expiry);
                    } catch (Throwable t) {
                        counters.incrementConcurrent(Counter.LISTENER_FAILURES);
                    }
                });
            } catch (RejectedExecutionException rejected) {
                counters.increment(Counter.LISTENER_REJECTED);
            }
        }
    }

    private static final byte[] EMPTY = new byte[0];

    private void onRetransmitDue(int p, long now) {
        if (pending.expired(p, now, config.killBackoff())) {
            byte[] arena = pending.idArena();
            int off = pending.idOffset(p);
            int len = pending.idLength(p);
            int h = registry.find(arena, off, len, IdBytes.hash(arena, off, len));
            boolean held = pending.ownerSeen(p) || (h >= 0 && registry.kind(h) == EntryKind.REPLICA);
            completeCancel(p, held ? CancelOutcome.Status.UNCONFIRMED : CancelOutcome.Status.NOT_FOUND, 0);
            return;
        }
        counters.increment(Counter.KILL_RETRANSMITS);
        appendKill(pending.requestId(p), pending.idArena(), pending.idOffset(p), pending.idLength(p));
        pending.rescheduleAfterSend(p, now, config.killBackoff());
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
        complete(f, new CancelOutcome(status, owner));
    }

    /** Completes off the loop so no user continuation ever runs on it. */
    private <T> void complete(CompletableFuture<T> f, T value) {
        try {
            completions.execute(() -> f.complete(value));
        } catch (RejectedExecutionException e) {
            f.complete(value);
        }
    }

    private <T> void fail(CompletableFuture<T> f, Throwable error) {
        try {
            completions.execute(() -> f.completeExceptionally(error));
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(error);
        }
    }

    /** Completes every pending cancel as UNCONFIRMED and refuses further commands. */
    @SuppressWarnings("unchecked")
    void close() {
        closed = true;
        if (config.heartbeatIntervalMs() > 0) {
            sayGoodbye();
        }
        flush();
        for (Object w : pending.drainWaiters()) {
            counters.increment(Counter.CANCELS_UNCONFIRMED);
            complete((CompletableFuture<CancelOutcome>) w, new CancelOutcome(CancelOutcome.Status.UNCONFIRMED, 0));
        }
        updateGauges();
    }

    /**
     * Graceful leave: own timers nobody acknowledged yet are sent once more for anyone to hold,
     * then a goodbye (a heartbeat with interval 0, twice against loss) makes the others adopt
     * our timers without waiting for the failure timeout.
     */
    private void sayGoodbye() {
        if (config.takeover() && membership.liveCount() > 0) {
            for (int h = 0, n = registry.capacity(); h < n; h++) {
                if (registry.kind(h) == EntryKind.LOCAL_ARMED && registry.holder(h) == 0) {
                    boolean adopted = registry.owner(h) != nodeId;
                    appendScheduleOf(ScheduleFlyweight.FLAG_ACK_ANY | (adopted ? ScheduleFlyweight.FLAG_ADOPTED : 0),
                            h, Math.max(0, registry.dueAt(h) - nowMs), nodeId);
                }
            }
        }
        appendHeartbeat(0);
        sendCurrent();
        appendHeartbeat(0);
    }

    void updateGauges() {
        counters.set(Counter.LIVE_TIMERS, registry.count(EntryKind.LOCAL_ARMED));
        counters.set(Counter.REPLICAS, registry.count(EntryKind.REPLICA));
        counters.set(Counter.TOMBSTONES, registry.tombstoneClassCount());
        counters.set(Counter.PENDING_CANCELS, pending.size());
        counters.set(Counter.KNOWN_SENDERS, senders.size());
        counters.set(Counter.LIVE_MEMBERS, membership.liveCount());
        if (config.takeover() && nowMs >= nextUnreplicatedScanMs) {
            nextUnreplicatedScanMs = nowMs + 250; // a scan of the slab: cheap, but not every tick
            counters.set(Counter.UNREPLICATED_TIMERS, countUnreplicated());
        }
    }

    /** Own timers no live member has acknowledged yet: those a crash of this node right now would lose. */
    private int countUnreplicated() {
        int n = 0;
        for (int h = 0, cap = registry.capacity(); h < cap; h++) {
            if (registry.kind(h) == EntryKind.LOCAL_ARMED && registry.holder(h) == 0) {
                n++;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- send

    /** Sends the datagram being filled, if any, and flushes the socket. */
    void flush() {
        outbox.flush();
    }

    private void sendCurrent() {
        outbox.sendCurrent();
    }

    private void appendSchedule(long delayMs, byte[] id, byte[] payload) {
        outbox.schedule(0, delayMs, nodeId, id, 0, id.length, payload);
    }

    /** The SCHEDULE of a registry entry (own, adopted or handed over), from the id arena. */
    private void appendScheduleOf(int flags, int h, long delayMs, long owner) {
        outbox.schedule(flags, delayMs, owner, registry.ids().arena(), registry.ids().idOffset(h), registry.ids().idLength(h),
                registry.payload(h));
    }

    private void appendReplicated(long owner, int h) {
        outbox.replicated(owner, registry.ids().arena(), registry.ids().idOffset(h), registry.ids().idLength(h));
    }

    private void appendKill(long requestId, byte[] id, int off, int len) {
        outbox.kill(requestId, id, off, len);
    }

    private void appendKillAck(long requestId, long canceller, int outcome, int h) {
        outbox.killAck(requestId, canceller, outcome, registry.ids().arena(), registry.ids().idOffset(h), registry.ids().idLength(h));
    }

    private void appendFired(byte[] id, int off, int len) {
        outbox.fired(id, off, len);
    }
}
