package io.wheelcast.engine;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.protocol.NodeCore;
import io.wheelcast.engine.transport.NodeChannel;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
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
    private final NodeChannel channel;
    private final EventLoop loop;
    private final NodeCore core;
    private final ScheduledFuture<?> ticker;
    private final NodeMXBean mxBean;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WheelcastNode.class);
    private long lastLoopErrorLogMs = Long.MIN_VALUE / 2;
    private final Runnable drainTask = this::drain;
    private final MessagePassingQueue.Consumer<Command> runCommand = this::runCommand;
    private long drainNow;
    @SuppressWarnings("unused") // accessed through WAKEUP
    private volatile int wakeupPending;
    private volatile boolean closed;
    @SuppressWarnings("unused") // accessed through CLOSING
    private volatile int closing;

    WheelcastNode(NodeConfig config) {
        this.config = config;
        this.nodeId = randomNodeId();
        this.commands = new MpscArrayQueue<>(config.commandQueueCapacity());
        this.channel = new NodeChannel(config, nodeId, counters, WheelcastNode::nowMs);
        this.loop = channel.loop();
        this.core = channel.core();
        this.ticker = loop.scheduleAtFixedRate(this::tick, config.tickMs(), config.tickMs(), TimeUnit.MILLISECONDS);
        this.mxBean = config.jmx() ? new NodeMXBean(this, config) : null;
        if (mxBean != null) {
            try {
                mxBean.register();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    /**
     * The loop's periodic work. A throw would cancel the fixed-rate task and silently stop
     * every timer of the node, so a bug here is counted and logged, and the next tick runs.
     */
    private void tick() {
        long now = nowMs();
        try {
            core.tick(now);
        } catch (RuntimeException e) {
            counters.increment(Counter.LOOP_ERRORS);
            if (now - lastLoopErrorLogMs >= 10_000) {
                lastLoopErrorLogMs = now;
                LOG.error("wheelcast node {}: the loop's tick failed (a bug; further ones for 10 s only counted)",
                        Long.toHexString(nodeId), e);
            }
        }
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

    public static WheelcastNodeBuilder builder() {
        return new WheelcastNodeBuilder();
    }

    /** This node's id for this run: random, never reused, carried as the sender id of every datagram. */
    public long nodeId() {
        return nodeId;
    }

    /** The cluster id this node's datagrams carry (and the only one it accepts). */
    public long clusterId() {
        return config.clusterId();
    }

    /** The socket implementation in use: "epoll", "io_uring" or "nio". */
    public String transport() {
        return channel.transport();
    }

    /** The multicast interface; null in unicast mode, which needs none. */
    public NetworkInterface networkInterface() {
        return channel.networkInterface();
    }

    /** Whether this node sends to its members' own addresses ({@link WheelcastNodeBuilder#unicast()}) instead of a group. */
    public boolean unicast() {
        return channel.unicast();
    }

    /** The local address and port the node's socket is bound to. */
    public InetSocketAddress localAddress() {
        return channel.localAddress();
    }

    /** The multicast TTL (hop limit) the socket really has, read back from the kernel. */
    public int multicastTtl() {
        return channel.multicastTtl();
    }

    /** The multicast group and port (in unicast mode: configured, but unused). */
    public InetSocketAddress groupAddress() {
        return channel.groupAddress();
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

    /**
     * The distribution of one latency since the start (cancel round trip at this canceller,
     * lateness of timers this node adopted, replication delay of its own timers); callable
     * from any thread, never blocks the loop.
     */
    public LatencySnapshot latency(Latency latency) {
        return new LatencySnapshot(latency, core.latencies().snapshot(Objects.requireNonNull(latency, "latency")));
    }

    /**
     * The ids of the members this node currently sees alive, asked from the event loop.
     * Completes on the completion executor; exceptionally if the node is closed.
     */
    public CompletionStage<long[]> members() {
        CompletableFuture<long[]> f = new CompletableFuture<>();
        if (!submit((core, now) -> {
            long[] ids = core.liveMembers();
            try {
                config.completionExecutor().execute(() -> f.complete(ids));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                f.complete(ids);
            }
        })) {
            f.completeExceptionally(new IllegalStateException(closed ? "node is closed" : "command queue full"));
        }
        return f;
    }

    /** The JMX name under which {@link WheelcastNodeBuilder#jmx(boolean)} registered this node, or null. */
    public javax.management.ObjectName jmxName() {
        return mxBean == null ? null : mxBean.objectName();
    }

    /** A snapshot of the counters; cheap, callable from any thread. */
    public NodeStats stats() {
        return new NodeStats(nodeId, transport(), counters.snapshot());
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
        if (mxBean != null) {
            mxBean.unregister();
        }
        loop.submit(() -> {
            ticker.cancel(false);
            drain();
            core.close();
            core.flush();
        }).awaitUninterruptibly(5, TimeUnit.SECONDS);
        channel.close();
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

    /**
     * Cuts this node off the network, both ways, or reconnects it (fault injection for tests
     * and demos of partitions; counted as {@code FAULT_DROPPED}).
     */
    void isolate(boolean cutOff) {
        channel.isolate(cutOff);
    }
}
