package io.wheelcast.engine.protocol;

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
import io.wheelcast.codec.KillForwardFlyweight;
import io.wheelcast.codec.KillFlyweight;
import io.wheelcast.codec.MembersFlyweight;
import io.wheelcast.codec.ReplicatedFlyweight;
import io.wheelcast.codec.ScheduleFlyweight;
import io.wheelcast.codec.SettledFlyweight;
import io.wheelcast.codec.TextKill;
import io.wheelcast.engine.CancelListener;
import io.wheelcast.engine.CancelOutcome;
import io.wheelcast.engine.CancelRejectedException;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.ExpiryListener;
import io.wheelcast.engine.MembershipListener;
import io.wheelcast.engine.ScheduleOutcome;
import io.wheelcast.engine.ScheduleRejectedException;
import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.counters.LatencyRecorders;
import io.wheelcast.engine.membership.MemberAddresses;
import io.wheelcast.engine.membership.Membership;
import io.wheelcast.engine.registry.EntryKind;
import io.wheelcast.engine.registry.TimerRegistry;
import io.wheelcast.engine.reliability.PendingCancels;
import io.wheelcast.engine.reliability.SenderTable;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The node's protocol, confined to one thread (the event loop) and knowing nothing of sockets,
 * so tests drive it directly. This class is the dispatcher: it owns the loop-confined state
 * (registry, pending cancels, per-sender windows, membership), checks every datagram (header,
 * cluster, tag, freshness, duplicates) and hands each frame to the class that owns its concern:
 *
 * <ul>
 *   <li>SCHEDULE, FIRED: {@link Replicas} (copies of other nodes' timers);</li>
 *   <li>REPLICATED, and arming, firing and replicating own timers: {@link Replication};</li>
 *   <li>KILL, KILL_ACK, text kills, local cancels: {@link CancelProtocol};</li>
 *   <li>HEARTBEAT, deaths, goodbyes, adoption, hand-over, yield: {@link Failover};</li>
 *   <li>MEMBERS, and where each member is (unicast mode): {@link PeerDiscovery};</li>
 *   <li>the clock: {@link PeriodicWork}; frames out: {@link EntryFrames}; user code: {@link UserHandoff};
 *       received ids: {@link ReceivedId}.</li>
 * </ul>
 *
 * <p>The receive path (decode, dedupe, registry update, ack encode) allocates nothing except
 * when it stores a SCHEDULE payload or completes a local future.
 */
public final class NodeCore implements FrameHandler {
    private final NodeConfig config;
    private final long nodeId;
    private final Counters counters;
    private final LoopClock clock;
    private final DatagramDecoder decoder;
    private final HmacAuthenticator authenticator;
    private final SenderTable senders;
    private final Membership membership;
    private final TimerRegistry registry;
    private final KillReadAhead readAhead;
    private final EntryFrames frames;
    private final UserHandoff handoff;
    private final Replication replication;
    private final Failover failover;
    private final Replicas replicas;
    private final CancelProtocol cancels;
    private final PeriodicWork periodic;
    private final PeerDiscovery discovery;
    private final LatencyRecorders latencies = new LatencyRecorders();
    private boolean closed;

    public NodeCore(NodeConfig config, long nodeId, Counters counters, DatagramSink sink, long startMs) {
        this.config = config;
        this.nodeId = nodeId;
        this.counters = counters;
        this.clock = new LoopClock(startMs);
        this.decoder = new DatagramDecoder(
                new DecoderLimits(config.maxReceiveDatagramBytes(), config.maxIdLength(), config.maxPayloadLength(), 512), config.clusterId());
        this.authenticator = config.currentKey() == null ? null
                : new HmacAuthenticator(config.currentKey(), config.previousKey());
        FrameOutbox outbox = new FrameOutbox(() -> new DatagramWriter(config.maxDatagramBytes(), 512, authenticator),
                config.unicast() != null, sink, counters, config.maxDatagramBytes(), (int) config.clusterId(), nodeId);
        this.registry = new TimerRegistry(config.maxTimers(), config.maxReplicas(), config.maxTombstones(),
                config.maxIdLength(), startMs, config.tickMs(), config.wheelSlots());
        PendingCancels pending = new PendingCancels(config.maxPendingCancels(), config.maxIdLength(), startMs);
        this.senders = new SenderTable(config.maxSenders());
        this.membership = new Membership(config.maxSenders(), config.failureTimeoutMs(), 500);
        this.readAhead = new KillReadAhead(config.maxIdLength());
        this.frames = new EntryFrames(outbox, registry, membership, nodeId, config.replicas());
        this.handoff = new UserHandoff(counters, config.completionExecutor());
        RetryTimeouts timeouts = new RetryTimeouts(config.killBackoff());
        ReceivedId receivedId = new ReceivedId(config.maxIdLength());
        this.replication = new Replication(config, nodeId, counters, registry, membership, frames, timeouts, handoff, latencies, receivedId, clock);
        this.failover = new Failover(config, nodeId, counters, registry, membership, frames, timeouts, replication, handoff, clock);
        this.replicas = new Replicas(config, nodeId, counters, registry, membership, frames, failover, receivedId, clock);
        this.cancels = new CancelProtocol(config, nodeId, counters, registry, pending, frames, timeouts, replication, replicas,
                handoff, readAhead, receivedId, sink, latencies, membership, clock);
        MemberAddresses addresses = config.unicast() == null ? null
                : new MemberAddresses(config.maxSenders(), 3 * config.failureTimeoutMs());
        int listEntries = Math.min(config.maxSenders(),
                MembersFlyweight.capacity(outbox.maxFrameLength() - io.wheelcast.codec.HeartbeatFlyweight.LENGTH));
        this.discovery = new PeerDiscovery(nodeId, counters, membership, addresses, frames, Math.max(1, listEntries), clock);
        this.periodic = new PeriodicWork(config, nodeId, counters, registry, pending, senders, membership, frames, replication,
                failover, cancels, discovery, clock);
        outbox.reportSettled(periodic::unsettledForMs);
    }

    public long nodeId() {
        return nodeId;
    }

    /** The latency histograms: recorded on the loop, read from any thread. */
    public LatencyRecorders latencies() {
        return latencies;
    }

    /** Unicast mode: how many addresses a datagram for the whole cluster goes to now; on the loop only. */
    public int destinationCount() {
        return discovery.destinationCount();
    }

    /** Unicast mode: the addresses counted by {@link #destinationCount()}; on the loop only. */
    public InetSocketAddress[] destinations() {
        return discovery.destinations();
    }

    /** Unicast mode: where a member is, or null while unknown; on the loop only. */
    public InetSocketAddress addressOf(long member) {
        return discovery.addressOf(member);
    }

    /** Unicast mode: the seeds' and DNS name's addresses as last resolved (a resolution replaces the last); on the loop only. */
    public void discovered(java.util.List<InetSocketAddress> addresses) {
        discovery.discovered(addresses);
    }

    /** The live members' ids; on the loop only (other threads ask through the command queue). */
    public long[] liveMembers() {
        return membership.liveMembers();
    }

    /** The member this node would pick to adopt {@code id} if {@code owner} died (tests). */
    public long winnerOf(byte[] id, long owner) {
        return membership.winner(IdBytes.hash(id, 0, id.length), nodeId, owner);
    }

    /**
     * Whether anything here may still fire: an own timer armed, or a replica of a timer whose
     * outcome this node has not learned (its owner's death would make it, or the adopter it is
     * handed to, fire it). When this is false on every member, the cluster fires nothing more
     * until it is given new timers. One scan of the slab when replicas are held: for tools
     * (the scale simulation ends a run by it), not for the loop's hot path.
     */
    public boolean holdsUnfinishedTimers() {
        if (registry.count(EntryKind.LOCAL_ARMED) > 0) {
            return true;
        }
        return registry.count(EntryKind.REPLICA) > 0 && holdsUnfinishedReplicaOf(owner -> true);
    }

    /**
     * Whether this node holds a replica, not known finished, of a timer owned by a member
     * {@code owners} accepts: after those owners die, true until this node adopted each such
     * timer, handed it to its adopter and had the hand-over answered, or learned how it ended.
     * One scan of the slab: for tools (the scale simulation times adoption by it).
     */
    public boolean holdsUnfinishedReplicaOf(java.util.function.LongPredicate owners) {
        for (int h = 0, n = registry.capacity(); h < n; h++) {
            if (registry.kind(h) == EntryKind.REPLICA && (registry.marks(h) & TimerRegistry.MARK_DONE) == 0 && owners.test(registry.owner(h))) {
                return true;
            }
        }
        return false;
    }

    /** The failure timeout this node applies to {@code member} now (adaptive to its heartbeat loss); -1 if unknown. */
    public long failureTimeoutOf(long member) {
        return membership.timeoutMs(member);
    }

    // ---------------------------------------------------------------- receive

    /** Processes one received datagram (readable bytes of {@code buf}); never throws for bad input. */
    public void onDatagram(ByteBuf buf, long now) {
        onDatagram(buf, null, now);
    }

    /**
     * As {@link #onDatagram(ByteBuf, long)}, with the datagram's source address: in unicast mode
     * an accepted datagram tells where its sender is (null in multicast mode, or unknown).
     */
    public void onDatagram(ByteBuf buf, InetSocketAddress source, long now) {
        clock.nowMs = now;
        periodic.beforeDatagram(now);
        counters.increment(Counter.DATAGRAMS_IN);
        counters.add(Counter.BYTES_IN, buf.readableBytes());
        if (config.acceptTextKills() && TextKill.matches(buf)) { // "kill:" can never start a binary header
            cancels.onTextKill(buf);
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
            discovery.ownDatagramFrom(source);
            return;
        }
        long evictionsBefore = senders.evictions();
        SenderTable.Verdict verdict = senders.accept(sender, header.sequence(), header.direct(), now);
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
        discovery.heardFrom(sender, source);
        if (membership.touch(sender, now)) {
            failover.memberRevived(sender);
        }
        if (decoder.frameCount() > 1) {
            readAhead.readAhead(decoder, registry);
        }
        decoder.dispatch(this);
        readAhead.clear();
        membership.received(sender, clock.arrivedNoEarlierThanMs()); // read late after our stall: no proof it lived till now
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
        replicas.onSchedule(header, f);
    }

    @Override
    public void onReplicated(HeaderFlyweight header, ReplicatedFlyweight f) {
        replication.onReplicated(header, f);
    }

    @Override
    public void onKill(HeaderFlyweight header, KillFlyweight f) {
        cancels.onKill(header, f);
    }

    @Override
    public void onKillAck(HeaderFlyweight header, KillAckFlyweight f) {
        cancels.onKillAck(header, f);
    }

    @Override
    public void onKillForward(HeaderFlyweight header, KillForwardFlyweight f) {
        cancels.onKillForward(f);
    }

    @Override
    public void onHeartbeat(HeaderFlyweight header, HeartbeatFlyweight f) {
        failover.onHeartbeat(header, f);
    }

    @Override
    public void onSettled(HeaderFlyweight header, SettledFlyweight f) {
        failover.onSettled(header, f);
    }

    @Override
    public void onFired(HeaderFlyweight header, FiredFlyweight f) {
        replicas.onFired(header, f);
    }

    @Override
    public void onMembers(HeaderFlyweight header, MembersFlyweight f) {
        discovery.onMembers(header, f);
    }

    @Override
    public void onUnknown(HeaderFlyweight header, FrameFlyweight frame) {
        counters.increment(Counter.FRAMES_IN_UNKNOWN);
    }

    // ---------------------------------------------------------------- local commands

    public void schedule(byte[] id, long delayMs, byte[] payload, CompletableFuture<ScheduleOutcome> result, long now) {
        clock.nowMs = now;
        if (closed) {
            handoff.fail(result, new ScheduleRejectedException(ScheduleRejectedException.Reason.CLOSED, "node is closed"));
            return;
        }
        int hash = IdBytes.hash(id, 0, id.length);
        int h = registry.find(id, 0, id.length, hash);
        if (h >= 0 && registry.kind(h) == EntryKind.TOMBSTONE) {
            cancels.preCancel(h, result); // its kill arrived first
        } else {
            replication.arm(id, hash, h, delayMs, payload, result);
        }
    }

    public void cancel(byte[] id, CompletableFuture<CancelOutcome> result, long now) {
        clock.nowMs = now;
        if (closed) {
            handoff.fail(result, new CancelRejectedException(CancelRejectedException.Reason.CLOSED, "node is closed"));
            return;
        }
        cancels.cancel(id, result);
    }

    public void setListener(ExpiryListener listener, Executor executor) {
        handoff.onExpire(listener, executor);
    }

    public void setCancelListener(CancelListener listener, Executor executor) {
        handoff.onRemoteCancel(listener, executor);
    }

    public void setMembershipListener(MembershipListener listener, Executor executor) {
        handoff.onMembership(listener, executor);
    }

    // ---------------------------------------------------------------- clock and lifecycle

    /** Fires due timers, retransmits due kills, expires records, sends heartbeats, then flushes. */
    public void tick(long now) {
        clock.nowMs = now;
        periodic.tick(now);
        frames.flush();
    }

    public void updateGauges() {
        periodic.updateGauges();
    }

    /** Sends the datagram being filled, if any, and flushes the socket. */
    public void flush() {
        frames.flush();
    }

    /** Says goodbye, completes every pending cancel as UNCONFIRMED and refuses further commands. */
    public void close() {
        closed = true;
        if (config.heartbeatIntervalMs() > 0) {
            sayGoodbye();
        }
        frames.flush();
        cancels.abandonPending();
        periodic.updateGauges();
    }

    /**
     * Graceful leave: own timers nobody acknowledged yet are offered once more, then a goodbye
     * (a heartbeat with interval 0, twice against loss) makes the others adopt our timers
     * without waiting for the failure timeout.
     */
    private void sayGoodbye() {
        replication.settleAll(); // the listeners run on in this JVM: their timers must not fire again elsewhere
        replication.offerUnheld();
        periodic.heartbeat(0);
        frames.sendCurrent();
        periodic.heartbeat(0);
    }
}
