package io.wheelcast.engine;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.wheelcast.codec.ClusterKey;
import io.wheelcast.engine.reliability.Backoff;
import io.wheelcast.engine.reliability.FaultPlan;
import io.wheelcast.engine.transport.InterfaceSelector;
import io.wheelcast.engine.transport.ReceiveCoalescing;
import io.wheelcast.engine.transport.TransportSelector;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * One Wheelcast node: a distributed setTimeout / clearTimeout over UDP multicast.
 *
 * <pre>{@code
 * try (WheelcastNode node = WheelcastNode.builder().group("239.255.42.99").port(45454).start()) {
 *     node.onExpire(e -> mailer.sendFailure(e.idAsString()), mailExecutor);
 *     node.schedule("job-42", Duration.ofMinutes(10));
 *     // ... on any node of the cluster:
 *     node.cancel("job-42").thenAccept(o -> log.info("cancel: {}", o));
 * }
 * }</pre>
 *
 * <p>Thread safety: every public method may be called from any thread and never blocks,
 * except {@link #close()}. All state lives on one Netty event loop; calls reach it through a
 * lock-free MPSC queue. Futures complete on the completion executor, listeners run on the
 * executor given to {@link #onExpire}: no user code runs on the event loop.
 */
public final class WheelcastNode implements AutoCloseable {
    private static final VarHandle WAKEUP;
    private static final VarHandle CLOSING;

    static {
        try {
            WAKEUP = MethodHandles.lookup().findVarHandle(WheelcastNode.class, "wakeupPending", int.class);
            CLOSING = MethodHandles.lookup().findVarHandle(WheelcastNode.class, "closing", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Work for the loop; runs with the loop's current time. */
    @FunctionalInterface
    private interface Command {
        void run(NodeCore core, long nowMs);
    }

    private final NodeConfig config;
    private final long nodeId;
    private final Counters counters = new Counters();
    private final MpscArrayQueue<Command> commands;
    private final MultiThreadIoEventLoopGroup group;
    private final DatagramChannel channel;
    private final EventLoop loop;
    private final NodeCore core;
    private final TransportSelector.Kind transport;
    private final NetworkInterface networkInterface;
    private final InetSocketAddress groupAddress;
    private final ScheduledFuture<?> ticker;
    private final Runnable drainTask = this::drain;
    private final MessagePassingQueue.Consumer<Command> runCommand = this::runCommand;
    private long drainNow;
    @SuppressWarnings("unused") // accessed through WAKEUP
    private volatile int wakeupPending;
    private volatile boolean closed;
    @SuppressWarnings("unused") // accessed through CLOSING
    private volatile int closing;

    private WheelcastNode(NodeConfig config) {
        this.config = config;
        this.nodeId = randomNodeId();
        this.commands = new MpscArrayQueue<>(config.commandQueueCapacity());
        boolean ipv6 = config.group() instanceof Inet6Address;
        this.networkInterface = InterfaceSelector.select(config.networkInterface(), ipv6);
        this.transport = TransportSelector.choose(config.transport().name().toLowerCase(java.util.Locale.ROOT));
        this.groupAddress = new InetSocketAddress(config.group(), config.port());
        ReceiveCoalescing coalescing = config.receiveCoalescingNanos() > 0
                ? new ReceiveCoalescing(config.receiveCoalescingNanos()) : null;
        this.group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("wheelcast-loop-" + Long.toHexString(nodeId & 0xFFFF), true),
                TransportSelector.ioHandlerFactory(transport, config.busyPoll(), coalescing));
        this.loop = (EventLoop) group.next();
        long start = nowMs();
        this.core = new NodeCore(config, nodeId, counters, new ChannelSink(), start);
        DatagramChannel ch = null;
        // One 64 KiB buffer per read, split into slots of the largest datagram accepted: recvmmsg
        // then fills up to 64 KiB / maxReceiveDatagramBytes datagrams per system call.
        int receiveBufferBytes = Math.max(65_536, 2 * config.maxReceiveDatagramBytes());
        TransportSelector.ReceiveMode receiveMode = TransportSelector.receiveMode(config.busyPoll(), coalescing != null);
        try {
            ch = (DatagramChannel) new Bootstrap()
                    .group(group)
                    .channelFactory(() -> TransportSelector.newChannel(transport, ipv6))
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.SO_RCVBUF, config.receiveBufferBytes())
                    .option(ChannelOption.SO_SNDBUF, config.sendBufferBytes())
                    .option(ChannelOption.IP_MULTICAST_IF, networkInterface)
                    .option(ChannelOption.IP_MULTICAST_LOOP_DISABLED, !config.loopback())
                    .option(ChannelOption.RCVBUF_ALLOCATOR,
                            TransportSelector.receiveAllocator(transport, receiveMode, receiveBufferBytes,
                                    config.maxReceiveDatagramBytes()))
                    .handler(new NodeChannelHandler(core, counters, WheelcastNode::nowMs, config.faultPlan(), () -> isolated,
                            coalescing != null ? coalescing::onRead : () -> { }))
                    .register().syncUninterruptibly().channel();
            TransportSelector.setMulticastTtl(ch, config.ttl(), ipv6);
            TransportSelector.configureReceive(ch, receiveMode, config.maxReceiveDatagramBytes());
            ch.bind(new InetSocketAddress(config.port())).syncUninterruptibly();
            ch.joinGroup(groupAddress, networkInterface).syncUninterruptibly();
        } catch (RuntimeException e) {
            if (ch != null) {
                ch.close().awaitUninterruptibly();
            }
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
            throw new IllegalStateException("cannot join " + config.group().getHostAddress() + ":" + config.port()
                    + " on interface " + networkInterface.getName() + ": " + e, e);
        }
        this.channel = ch;
        this.ticker = loop.scheduleAtFixedRate(() -> core.tick(nowMs()), config.tickMs(), config.tickMs(),
                TimeUnit.MILLISECONDS);
    }

    /** Monotonic milliseconds: the clock of every deadline in the node. */
    static long nowMs() {
        return System.nanoTime() / 1_000_000L;
    }

    private static long randomNodeId() {
        SecureRandom r = new SecureRandom();
        long id;
        do {
            id = r.nextLong();
        } while (id == 0);
        return id;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This node's id for this run: random, never reused, carried as the sender id of every datagram. */
    public long nodeId() {
        return nodeId;
    }

    /** The socket implementation in use: "epoll" or "nio". */
    public String transport() {
        return transport.name().toLowerCase(java.util.Locale.ROOT);
    }

    public NetworkInterface networkInterface() {
        return networkInterface;
    }

    /** The multicast TTL (hop limit) the socket really has, read back from the kernel. */
    public int multicastTtl() {
        return TransportSelector.multicastTtl(channel, groupAddress.getAddress() instanceof Inet6Address);
    }

    public InetSocketAddress groupAddress() {
        return groupAddress;
    }

    /** Shorthand for {@link #schedule(byte[], long, byte[])} with a UTF-8 id and no payload. */
    public CompletionStage<ScheduleOutcome> schedule(String id, Duration delay) {
        return schedule(utf8(id), delay.toMillis(), null);
    }

    /**
     * Arms a timer owned by this node and announces it to the group.
     *
     * <p>Re-scheduling an id that is armed here, or owned by a node whose SCHEDULE was seen, is
     * rejected ({@link ScheduleRejectedException.Reason#DUPLICATE_ID}); an id whose timer
     * fired or was cancelled may be scheduled again.
     *
     * @param id      1 to {@code maxIdLength} bytes, copied
     * @param delayMs 0 to 30 days
     * @param payload up to {@code maxPayloadLength} bytes handed back on expiry, or null; copied
     * @return completes with {@link ScheduleOutcome#ARMED} or {@link ScheduleOutcome#PRE_CANCELLED},
     *         or exceptionally with a {@link ScheduleRejectedException}
     * @throws IllegalArgumentException at once for an invalid id, delay or payload
     */
    public CompletionStage<ScheduleOutcome> schedule(byte[] id, long delayMs, byte[] payload) {
        checkId(id);
        if (delayMs < 0 || delayMs > TimeUnit.DAYS.toMillis(30)) {
            throw new IllegalArgumentException("delayMs must be in [0, 30 days], got " + delayMs);
        }
        int payloadLen = payload == null ? 0 : payload.length;
        if (payloadLen > config.maxPayloadLength()) {
            throw new IllegalArgumentException("payload is " + payloadLen + " bytes, maxPayloadLength is "
                    + config.maxPayloadLength());
        }
        byte[] idCopy = id.clone();
        byte[] payloadCopy = payloadLen == 0 ? null : payload.clone();
        CompletableFuture<ScheduleOutcome> f = new CompletableFuture<>();
        if (!submit((core, now) -> core.schedule(idCopy, delayMs, payloadCopy, f, now))) {
            f.completeExceptionally(closed
                    ? new ScheduleRejectedException(ScheduleRejectedException.Reason.CLOSED, "node is closed")
                    : new ScheduleRejectedException(ScheduleRejectedException.Reason.QUEUE_FULL,
                    "command queue full (" + config.commandQueueCapacity() + ")"));
        }
        return f;
    }

    /** Shorthand for {@link #cancel(byte[])} with a UTF-8 id. */
    public CompletionStage<CancelOutcome> cancel(String id) {
        return cancel(utf8(id));
    }

    /**
     * Clears the timer with this id wherever in the cluster it lives. If this node owns it,
     * the answer is immediate; otherwise a KILL is multicast and retransmitted with backoff
     * until the owner answers or the cancel timeout passes.
     *
     * @return what really happened; exceptionally a {@link CancelRejectedException} if the cancel could not start
     */
    public CompletionStage<CancelOutcome> cancel(byte[] id) {
        checkId(id);
        byte[] idCopy = id.clone();
        CompletableFuture<CancelOutcome> f = new CompletableFuture<>();
        if (!submit((core, now) -> core.cancel(idCopy, f, now))) {
            f.completeExceptionally(closed
                    ? new CancelRejectedException(CancelRejectedException.Reason.CLOSED, "node is closed")
                    : new CancelRejectedException(CancelRejectedException.Reason.QUEUE_FULL,
                    "command queue full (" + config.commandQueueCapacity() + ")"));
        }
        return f;
    }

    /**
     * Sets the listener for this node's expiring timers (replacing any previous one). Expiries
     * while no listener is set are counted but not delivered.
     */
    public void onExpire(ExpiryListener listener, Executor executor) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(executor, "executor");
        if (!submit((core, now) -> core.setListener(listener, executor))) {
            throw new IllegalStateException(closed ? "node is closed" : "command queue full");
        }
    }

    /**
     * Sets the listener told when another node cancels one of this node's timers (replacing
     * any previous one), so the owner can stop the guarded work.
     */
    public void onRemoteCancel(CancelListener listener, Executor executor) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(executor, "executor");
        if (!submit((core, now) -> core.setCancelListener(listener, executor))) {
            throw new IllegalStateException(closed ? "node is closed" : "command queue full");
        }
    }

    /**
     * Sets the listener told of membership changes seen by this node: joins, deaths (failure
     * timeout), goodbyes and returns (replacing any previous one).
     */
    public void onMembership(MembershipListener listener, Executor executor) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(executor, "executor");
        if (!submit((core, now) -> core.setMembershipListener(listener, executor))) {
            throw new IllegalStateException(closed ? "node is closed" : "command queue full");
        }
    }

    /** A snapshot of the counters; cheap, callable from any thread. */
    public NodeStats stats() {
        return counters.snapshot(nodeId, transport());
    }

    /**
     * Stops the node: pending cancels complete as {@link CancelOutcome.Status#UNCONFIRMED},
     * later calls are refused, the group is left and the socket closed. Blocks until done.
     * Idempotent. Must not be called from a listener running on the event loop.
     */
    @Override
    public void close() {
        if (loop.inEventLoop()) {
            throw new IllegalStateException("close() must not be called on the node's event loop");
        }
        if (!CLOSING.compareAndSet(this, 0, 1)) {
            return; // idempotent
        }
        closed = true;
        loop.submit(() -> {
            ticker.cancel(false);
            drain();
            core.close();
            core.flush();
        }).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (channel.isActive()) {
            channel.leaveGroup(groupAddress, networkInterface).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- command queue

    private boolean submit(Command c) {
        if (closed) {
            return false;
        }
        if (!commands.relaxedOffer(c)) {
            counters.incrementConcurrent(Counter.COMMAND_QUEUE_FULL);
            return false;
        }
        if ((int) WAKEUP.getVolatile(this) == 0 && WAKEUP.compareAndSet(this, 0, 1)) {
            loop.execute(drainTask);
        }
        return true;
    }

    private void drain() {
        WAKEUP.setVolatile(this, 0);
        drainNow = nowMs();
        commands.drain(runCommand, 4096);
        if (!commands.isEmpty() && WAKEUP.compareAndSet(this, 0, 1)) {
            loop.execute(drainTask); // leave the loop to I/O between batches
        }
        core.updateGauges();
        core.flush();
    }

    private void runCommand(Command c) {
        c.run(core, drainNow);
    }

    private void checkId(byte[] id) {
        Objects.requireNonNull(id, "id");
        if (id.length == 0 || id.length > config.maxIdLength()) {
            throw new IllegalArgumentException("id must be 1.." + config.maxIdLength() + " bytes, got " + id.length);
        }
    }

    private static byte[] utf8(String id) {
        return Objects.requireNonNull(id, "id").getBytes(StandardCharsets.UTF_8);
    }

    /** Fault injection for partition tests: while set, nothing is sent and everything received is dropped. */
    private volatile boolean isolated;

    /**
     * Cuts this node off the network, both ways, or reconnects it (fault injection for tests
     * and demos of partitions; counted as {@code FAULT_DROPPED}).
     */
    void isolate(boolean cutOff) {
        this.isolated = cutOff;
    }

    /** Writes datagrams to the group through the channel; used only on the loop. */
    private final class ChannelSink implements DatagramSink {
        @Override
        public ByteBuf allocate(int capacity) {
            return channel.alloc().directBuffer(capacity);
        }

        @Override
        public void send(ByteBuf datagram) {
            if (isolated) {
                datagram.release();
                counters.increment(Counter.FAULT_DROPPED);
                return;
            }
            channel.write(new DatagramPacket(datagram, groupAddress), channel.voidPromise());
        }

        @Override
        public void flush() {
            channel.flush();
        }
    }

    /**
     * Settings of a node. Defaults suit a LAN with a 1500-byte MTU; see the README's table.
     */
    public static final class Builder {
        private InetAddress group;
        private int port = 45454;
        private String networkInterface;
        private long clusterId = 0;
        private int ttl = 1;
        private boolean loopback = true;
        private TransportKind transport = TransportKind.AUTO;
        private boolean busyPoll;
        private long receiveCoalescingNanos;
        private int receiveBufferBytes = 4 << 20;
        private int sendBufferBytes = 1 << 20;
        private int maxDatagramBytes = 1400;
        private int maxReceiveDatagramBytes = 2048;
        private int maxIdLength = 64;
        private int maxPayloadLength = 1024;
        private int maxTimers = 65_536;
        private int maxReplicas = 65_536;
        private int maxTombstones = 65_536;
        private int maxPendingCancels = 16_384;
        private int maxSenders = 1024;
        private int commandQueueCapacity = 65_536;
        private int tickMs = 1;
        private int wheelSlots = 4096;
        private Backoff killBackoff = Backoff.DEFAULT;
        private long tombstoneTtlMs = 30_000;
        private long recordTtlMs = 30_000;
        private long replicaGraceMs = 5_000;
        private long heartbeatIntervalMs = 1_000;
        private long failureTimeoutMs = -1;
        private boolean takeover = true;
        private FaultPlan faultPlan = FaultPlan.NONE;
        private Executor completionExecutor = ForkJoinPool.commonPool();
        private boolean acceptTextKills;
        private boolean emitTextKills;
        private ClusterKey currentKey;
        private ClusterKey previousKey;
        private long freshnessMs = 10_000;

        private Builder() {
            try {
                group = InetAddress.getByName("239.255.42.99");
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }

        /** Multicast group (IPv4 239.0.0.0/8 for a site, or IPv6 ff15::/16 and similar). Default 239.255.42.99. */
        public Builder group(String address) {
            InetAddress a;
            try {
                a = InetAddress.getByName(Objects.requireNonNull(address, "group"));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("group '" + address + "' is not an address", e);
            }
            if (!a.isMulticastAddress()) {
                throw new IllegalArgumentException("group " + address + " is not a multicast address");
            }
            this.group = a;
            return this;
        }

        public Builder port(int port) {
            this.port = range("port", port, 1, 65_535);
            return this;
        }

        /** Interface name ({@code eth1}) or address; default: first up, multicast-capable, non-loopback. */
        public Builder networkInterface(String nameOrAddress) {
            this.networkInterface = nameOrAddress;
            return this;
        }

        /** Unsigned 32-bit id; datagrams of other clusters sharing the group and port are dropped. Default 0. */
        public Builder clusterId(long clusterId) {
            if (clusterId < 0 || clusterId > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("clusterId must be an unsigned 32-bit value, got " + clusterId);
            }
            this.clusterId = clusterId;
            return this;
        }

        /** Multicast hops: 1 (default) stays on the LAN segment, 0 stays on this host. */
        public Builder ttl(int ttl) {
            this.ttl = range("ttl", ttl, 0, 255);
            return this;
        }

        /** Deliver our datagrams to other nodes on this host too (default true; needed for several nodes per host). */
        public Builder loopback(boolean loopback) {
            this.loopback = loopback;
            return this;
        }

        public Builder transport(TransportKind transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * Low-latency mode: the event loop spins on epoll instead of sleeping in it, trading one
         * core at 100% for no wake-up latency. Pin the process (taskset) so the spin has its own
         * core. Epoll only. Default off.
         */
        public Builder busyPoll(boolean busyPoll) {
            this.busyPoll = busyPoll;
            return this;
        }

        /**
         * Receive coalescing (interrupt moderation): after a wake-up that read datagrams the loop
         * waits this long before it reads again, so each read takes a batch. Cuts the receiver's CPU
         * per kill at high one-kill-per-datagram rates (fewer wake-ups, system calls and KILL_ACK
         * datagrams) and adds up to the window (plus the OS timer's slack, ~50 us) to the handling
         * of datagrams that arrive during it, and to commands from other threads. A datagram that
         * finds the loop idle is handled at once. Zero (default) turns it off; at most 10 ms;
         * not with {@link #busyPoll}.
         */
        public Builder receiveCoalescing(Duration window) {
            long nanos = window.toNanos();
            if (nanos < 0 || nanos > TimeUnit.MILLISECONDS.toNanos(10)) {
                throw new IllegalArgumentException("receiveCoalescing must be between 0 and 10 ms: " + window);
            }
            this.receiveCoalescingNanos = nanos;
            return this;
        }

        public Builder receiveBufferBytes(int bytes) {
            this.receiveBufferBytes = range("receiveBufferBytes", bytes, 4096, 1 << 30);
            return this;
        }

        public Builder sendBufferBytes(int bytes) {
            this.sendBufferBytes = range("sendBufferBytes", bytes, 4096, 1 << 30);
            return this;
        }

        /** Largest datagram sent (frames are packed up to it). Default 1400: fits a 1500 MTU for IPv4 and IPv6. */
        public Builder maxDatagramBytes(int bytes) {
            this.maxDatagramBytes = range("maxDatagramBytes", bytes, 256, 65_507);
            return this;
        }

        /**
         * Largest datagram received (default 2048). Longer ones arrive truncated and are dropped as
         * malformed. Smaller values let one recvmmsg call carry more datagrams.
         */
        public Builder maxReceiveDatagramBytes(int bytes) {
            this.maxReceiveDatagramBytes = range("maxReceiveDatagramBytes", bytes, 256, 65_507);
            return this;
        }

        public Builder maxIdLength(int bytes) {
            this.maxIdLength = range("maxIdLength", bytes, 1, 1024);
            return this;
        }

        public Builder maxPayloadLength(int bytes) {
            this.maxPayloadLength = range("maxPayloadLength", bytes, 0, 32_768);
            return this;
        }

        public Builder maxTimers(int n) {
            this.maxTimers = range("maxTimers", n, 1, 1 << 24);
            return this;
        }

        public Builder maxReplicas(int n) {
            this.maxReplicas = range("maxReplicas", n, 1, 1 << 24);
            return this;
        }

        public Builder maxTombstones(int n) {
            this.maxTombstones = range("maxTombstones", n, 1, 1 << 24);
            return this;
        }

        public Builder maxPendingCancels(int n) {
            this.maxPendingCancels = range("maxPendingCancels", n, 1, 1 << 22);
            return this;
        }

        public Builder maxSenders(int n) {
            this.maxSenders = range("maxSenders", n, 1, 1 << 20);
            return this;
        }

        public Builder commandQueueCapacity(int n) {
            this.commandQueueCapacity = range("commandQueueCapacity", n, 16, 1 << 24);
            return this;
        }

        /** Timer resolution in ms (default 1). */
        public Builder tickMs(int ms) {
            this.tickMs = range("tickMs", ms, 1, 1000);
            return this;
        }

        public Builder wheelSlots(int slots) {
            if (Integer.bitCount(slots) != 1 || slots < 16) {
                throw new IllegalArgumentException("wheelSlots must be a power of two >= 16, got " + slots);
            }
            this.wheelSlots = slots;
            return this;
        }

        /** KILL retransmit schedule and the cancel timeout. Default 5 ms doubling to 200 ms, 2 s, 16 sends. */
        public Builder killBackoff(Backoff backoff) {
            this.killBackoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        public Builder cancelTimeout(Duration timeout) {
            long ms = timeout.toMillis();
            Backoff b = killBackoff;
            this.killBackoff = new Backoff(b.initialMs(), b.maxMs(), ms, Math.max(b.maxAttempts(), (int) (ms / b.maxMs()) + 8));
            return this;
        }

        /** How long a kill for an unknown id is remembered (default 30 s). */
        public Builder tombstoneTtl(Duration ttl) {
            this.tombstoneTtlMs = positive("tombstoneTtl", ttl.toMillis());
            return this;
        }

        /** How long a fired or cancelled timer is remembered to answer late kills (default 30 s). */
        public Builder recordTtl(Duration ttl) {
            this.recordTtlMs = positive("recordTtl", ttl.toMillis());
            return this;
        }

        public Builder replicaGrace(Duration grace) {
            this.replicaGraceMs = positive("replicaGrace", grace.toMillis());
            return this;
        }

        /**
         * Silence after which a member is declared dead and its timers are taken over (default
         * 3 heartbeat intervals + 500 ms: 3.5 s). Shorter detects faster; too short declares
         * members dead on a lossy network or across a GC pause (they come back and the takeover
         * is undone, at the price of traffic). Must exceed the heartbeat interval.
         */
        public Builder failureTimeout(Duration timeout) {
            this.failureTimeoutMs = positive("failureTimeout", timeout.toMillis());
            return this;
        }

        /**
         * Whether timers survive their owner (default true). True: each own timer is replicated
         * to a live member, and a dead owner's timers are adopted and fired by a survivor:
         * at-least-once, so a timer may fire on both sides of a network partition. False:
         * at-most-once, a timer fires only on the node that armed it and dies with it.
         */
        public Builder takeover(boolean takeover) {
            this.takeover = takeover;
            return this;
        }

        /** Heartbeat interval (default 1 s, jittered by 10%); zero disables heartbeats and with them failover. */
        public Builder heartbeatInterval(Duration interval) {
            long ms = interval.toMillis();
            if (ms < 0) {
                throw new IllegalArgumentException("heartbeatInterval must be >= 0");
            }
            this.heartbeatIntervalMs = ms;
            return this;
        }

        /** Seeded fault injection on receive, for tests and demos. Default none. */
        public Builder faultPlan(FaultPlan plan) {
            this.faultPlan = Objects.requireNonNull(plan, "plan");
            return this;
        }

        /**
         * Treat plain-text datagrams {@code kill:<id>} (the classic multicast snippet) as kills.
         * Off by default: they carry no cluster id, sequence or authentication.
         */
        public Builder acceptTextKills(boolean accept) {
            this.acceptTextKills = accept;
            return this;
        }

        /** Also send a {@code kill:<id>} text datagram with each cancel, for nodes still running the snippet. */
        public Builder emitTextKills(boolean emit) {
            this.emitTextKills = emit;
            return this;
        }

        /**
         * Authenticate every datagram with HMAC-SHA-256 under this key; datagrams without a valid
         * tag, replayed, or older than the freshness bound are dropped and counted.
         */
        public Builder clusterKey(ClusterKey key) {
            return clusterKeys(key, null);
        }

        /**
         * Key rotation: sign with {@code current}, accept {@code current} and {@code previous}.
         * Roll out the new key as previous everywhere, then as current, then drop the old one.
         */
        public Builder clusterKeys(ClusterKey current, ClusterKey previous) {
            this.currentKey = Objects.requireNonNull(current, "current");
            if (previous != null && previous.keyId() == current.keyId()) {
                throw new IllegalArgumentException("current and previous keys need different key ids");
            }
            this.previousKey = previous;
            return this;
        }

        /**
         * With a key: how far a datagram's timestamp may be from this node's wall clock (default
         * 10 s). Bounds replays after a receiver forgot a sender; needs clocks synchronised (NTP)
         * to well within it.
         */
        public Builder freshness(Duration maxSkew) {
            this.freshnessMs = positive("freshness", maxSkew.toMillis());
            return this;
        }

        /** Executor that completes schedule and cancel futures (default: the common pool). */
        public Builder completionExecutor(Executor executor) {
            this.completionExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        NodeConfig build() {
            if (currentKey != null && acceptTextKills) {
                throw new IllegalArgumentException("acceptTextKills cannot be combined with a cluster key: text kills "
                        + "carry no authentication tag");
            }
            if (maxReceiveDatagramBytes < maxDatagramBytes) {
                throw new IllegalArgumentException("maxReceiveDatagramBytes (" + maxReceiveDatagramBytes
                        + ") must be at least maxDatagramBytes (" + maxDatagramBytes + ")");
            }
            if (busyPoll && receiveCoalescingNanos > 0) {
                throw new IllegalArgumentException("busyPoll and receiveCoalescing exclude each other: one spins for "
                        + "the lowest latency, the other sleeps to batch");
            }
            int room = maxDatagramBytes - io.wheelcast.codec.HeaderFlyweight.HEADER_LENGTH
                    - io.wheelcast.codec.WireFormat.AUTH_TAG_LENGTH - io.wheelcast.codec.ScheduleFlyweight.FIXED_LENGTH;
            if (maxIdLength + maxPayloadLength > room) {
                throw new IllegalArgumentException("maxIdLength + maxPayloadLength (" + (maxIdLength + maxPayloadLength)
                        + ") must fit one datagram: at most " + room + " with maxDatagramBytes " + maxDatagramBytes);
            }
            if (failureTimeoutMs > 0 && heartbeatIntervalMs > 0 && failureTimeoutMs <= heartbeatIntervalMs) {
                throw new IllegalArgumentException("failureTimeout (" + failureTimeoutMs + " ms) must exceed heartbeatInterval ("
                        + heartbeatIntervalMs + " ms): every member would be declared dead between two heartbeats");
            }
            return new NodeConfig(group, port, networkInterface, clusterId, ttl, loopback, transport, busyPoll,
                    receiveCoalescingNanos, receiveBufferBytes, sendBufferBytes, maxDatagramBytes, maxReceiveDatagramBytes, maxIdLength, maxPayloadLength, maxTimers,
                    maxReplicas, maxTombstones, maxPendingCancels, maxSenders, commandQueueCapacity, tickMs,
                    wheelSlots, killBackoff, tombstoneTtlMs, recordTtlMs, replicaGraceMs, heartbeatIntervalMs,
                    failureTimeoutMs > 0 ? failureTimeoutMs : 3 * heartbeatIntervalMs + 500,
                    takeover && heartbeatIntervalMs > 0,
                    faultPlan, acceptTextKills, emitTextKills, currentKey, previousKey, freshnessMs, completionExecutor);
        }

        /**
         * Opens the socket, joins the group and starts the loop.
         *
         * @throws IllegalArgumentException for a bad setting or interface (the message lists usable interfaces)
         * @throws IllegalStateException    if the socket cannot be bound or the group joined
         */
        public WheelcastNode start() {
            return new WheelcastNode(build());
        }

        private static int range(String name, int v, int min, int max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + v);
            }
            return v;
        }

        private static long positive(String name, long v) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + v + " ms");
            }
            return v;
        }
    }
}
