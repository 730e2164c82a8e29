package io.wheelcast.engine;

import io.wheelcast.codec.Datagram;
import io.wheelcast.codec.DatagramDecoder;
import io.wheelcast.codec.DecoderLimits;
import io.wheelcast.codec.Frame;

import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.protocol.DatagramSink;
import io.wheelcast.engine.protocol.NodeCore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wheelcast.engine.FaultPlan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic LAN for {@link NodeCore}s: virtual time, multicast to every other node with
 * a seeded loss rate and a fixed one-way latency. Lets tests run thousands of timers through
 * loss in milliseconds of real time, reproducibly from the seed.
 *
 * <p>With a {@link #unicast} builder, a datagram addressed to one member reaches only it.
 *
 * <p>Failures: a node can crash (silent for good), pause (neither ticks nor reads; what is sent
 * to it waits in its socket buffer and is read first when it resumes, as after SIGCONT), and the
 * LAN can be cut into sides that do not hear each other.
 */
final class SimulatedLan {
    private record InFlight(int to, byte[] bytes) {
    }

    /**
     * The builder of a simulated unicast cluster: frames for one member travel to it alone, as
     * over real unicast sockets (the seed is never dialled: the simulation has no addresses).
     */
    static WheelcastNodeBuilder unicast(WheelcastNodeBuilder builder) {
        return builder.unicast().seeds("127.0.0.1:1");
    }

    /** Node i's id is NODE_ID_BASE + i (its first incarnation; each restart adds INCARNATION_STEP). */
    static final long NODE_ID_BASE = 0x1000L;
    static final long INCARNATION_STEP = 0x1_0000L;

    final List<NodeCore> nodes = new ArrayList<>();
    final List<Counters> counters = new ArrayList<>();
    final List<List<TimerExpiry>> expiries = new ArrayList<>();
    /**
     * Datagrams in flight, by the millisecond they arrive, in the order they were sent: a ring of
     * buckets, one per millisecond ahead (a priority queue cost the 1,000-node simulation most of
     * its time; a map of buckets boxed and hashed the arrival time once per destination).
     */
    private final ArrayList<InFlight>[] wire;
    private final int wireMask;
    /** The longest a datagram is delayed past the latency: a reordered one, then its duplicate. */
    private static final int MAX_EXTRA_DELAY_MS = 20 + 4;
    /** What a node reads a datagram from: one buffer, refilled per delivery (a node keeps nothing of it, as with Netty's pooled reads). */
    private final ByteBuf receiveBuffer = Unpooled.buffer(64 * 1024);
    private final NodeConfig config;
    private final SplittableRandom random;
    /** Restarts per slot. */
    private final int[] incarnation;
    /** A loss burst on a host: this percentage of what is sent to it is lost, on top of the LAN's (as lan.sh drops on input). */
    final double[] lossOf;
    private final double lossPercent;
    private final long latencyMs;
    double duplicatePercent;
    double reorderPercent;
    long duplicated;
    long reordered;
    long now = 1_000;
    /** Crashed nodes: they neither tick nor send nor receive, ever again. */
    final boolean[] crashed;
    /** Paused nodes: no ticks; datagrams for them queue in {@link #backlog} until they resume. */
    final boolean[] paused;
    /** Partition side of each node; datagrams only travel within a side. */
    final int[] side;
    /** Per-node traffic, when {@link #countTraffic} is on: datagrams and bytes each node sent and received. */
    final long[] datagramsSent;
    final long[] bytesSent;
    final long[] datagramsReceived;
    final long[] bytesReceived;
    /** Frames received per node and frame type ({@link #FRAME_TYPES} columns), when {@link #countTraffic} is on. */
    final long[][] framesReceived;
    /** The frame types {@link #framesReceived} counts, in column order. */
    static final List<Class<? extends Frame>> FRAME_TYPES = List.of(Frame.Schedule.class, Frame.Kill.class, Frame.KillAck.class, Frame.KillForward.class,
            Frame.Fired.class, Frame.Replicated.class, Frame.Heartbeat.class, Frame.Members.class, Frame.Settled.class);
    /** Counts per-node traffic (decodes every datagram once more: slower). */
    boolean countTraffic;
    /** Unicast mode: a datagram for the whole cluster is one datagram per destination, counted so. */
    private final boolean unicastMode;
    private final List<List<byte[]>> backlog = new ArrayList<>();
    /** A test's targeted loss: a datagram for which this answers true (destination, datagram) is lost (null: none). */
    java.util.function.BiPredicate<Integer, Datagram> lose;
    long sent;
    long dropped;

    SimulatedLan(int size, long seed, double lossPercent, long latencyMs, WheelcastNodeBuilder builder) {
        this.random = new SplittableRandom(seed);
        int slots = Math.max(64, size);
        this.crashed = new boolean[slots];
        this.paused = new boolean[slots];
        this.side = new int[slots];
        this.datagramsSent = new long[size];
        this.bytesSent = new long[size];
        this.datagramsReceived = new long[size];
        this.bytesReceived = new long[size];
        this.framesReceived = new long[size][FRAME_TYPES.size()];
        this.lossPercent = lossPercent;
        if (latencyMs < 1) {
            throw new IllegalArgumentException("latencyMs must be at least 1 (a datagram arrives in a later millisecond): " + latencyMs);
        }
        this.latencyMs = latencyMs;
        int ring = Integer.highestOneBit((int) Math.min(1 << 20, latencyMs + MAX_EXTRA_DELAY_MS + 1)) << 1;
        @SuppressWarnings("unchecked")
        ArrayList<InFlight>[] buckets = new ArrayList[ring];
        for (int b = 0; b < ring; b++) {
            buckets[b] = new ArrayList<>();
        }
        this.wire = buckets;
        this.wireMask = ring - 1;
        this.config = builder.completionExecutor(Runnable::run).faultPlan(FaultPlan.NONE).build();
        this.unicastMode = config.unicast() != null;
        this.incarnation = new int[slots];
        this.lossOf = new double[slots];
        for (int i = 0; i < size; i++) {
            expiries.add(new ArrayList<>());
            backlog.add(new ArrayList<>());
            counters.add(null);
            nodes.add(null);
            start(i, NODE_ID_BASE + i);
        }
    }

    /** A new process in slot {@code i}, with its own counters; its expiries go to the slot's list (the host's outbox). */
    private void start(int i, long nodeId) {
        Counters c = new Counters();
        NodeCore core = new NodeCore(config, nodeId, c, new DatagramSink() {
            @Override
            public ByteBuf allocate(int capacity) {
                return Unpooled.buffer(capacity);
            }

            @Override
            public void send(ByteBuf datagram) {
                transmit(i, datagram, -1);
            }

            @Override
            public void sendTo(ByteBuf datagram, long member) {
                // a member's slot whatever its incarnation: a restarted host has the old one's address
                int to = member < NODE_ID_BASE ? -1 : (int) ((member - NODE_ID_BASE) & INCARNATION_STEP - 1);
                transmit(i, datagram, to < datagramsSent.length ? to : -1);
            }

            @Override
            public void flush() {
            }
        }, now);
        core.setListener(expiries.get(i)::add, Runnable::run);
        nodes.set(i, core);
        counters.set(i, c);
    }

    /**
     * A crashed host comes back as a new process: a new node id (the incarnation in the bits above
     * the slot), empty tables, the same address, and the same outbox.
     */
    void restart(int i) {
        crashed[i] = false;
        paused[i] = false;
        backlog.get(i).clear();
        start(i, NODE_ID_BASE + i + INCARNATION_STEP * ++incarnation[i]);
    }

    /** Puts a sent datagram on the wire to every other node ({@code onlyTo} -1) or to one. */
    private void transmit(int from, ByteBuf datagram, int onlyTo) {
        byte[] bytes = new byte[datagram.readableBytes()];
        datagram.readBytes(bytes);
        datagram.release();
        if (traceId != null) {
            trace(from, onlyTo, bytes, false);
        }
        int[] frameCounts = countTraffic ? frameCounts(bytes) : null;
        int first = onlyTo >= 0 ? onlyTo : 0;
        int last = onlyTo >= 0 ? onlyTo : nodes.size() - 1;
        if (countTraffic && !crashed[from] && (onlyTo < 0 && !unicastMode)) {
            datagramsSent[from]++; // one multicast datagram, whoever receives it
            bytesSent[from] += bytes.length;
        }
        for (int to = first; to <= last; to++) {
            if (to == from || crashed[from]) {
                continue;
            }
            if (countTraffic && (onlyTo >= 0 || unicastMode)) {
                datagramsSent[from]++;
                bytesSent[from] += bytes.length;
            }
            if (side[to] != side[from]) {
                continue;
            }
            sent++;
            if (random.nextDouble() * 100 < lossPercent
                    || (lossOf[to] > 0 && random.nextDouble() * 100 < lossOf[to]) || (lose != null && lose.test(to, decoded(bytes)))) {
                dropped++;
                if (traceId != null) {
                    trace(from, to, bytes, true);
                }
                continue;
            }
            long at = now + latencyMs;
            if (random.nextDouble() * 100 < reorderPercent) {
                reordered++;
                at += 1 + random.nextInt(20); // overtaken by later datagrams
            }
            inFlight(at, to, bytes);
            if (countTraffic) {
                datagramsReceived[to]++;
                bytesReceived[to] += bytes.length;
                for (int t = 0; t < frameCounts.length; t++) {
                    framesReceived[to][t] += frameCounts[t];
                }
            }
            if (random.nextDouble() * 100 < duplicatePercent) {
                duplicated++;
                inFlight(at + random.nextInt(5), to, bytes);
            }
        }
    }

    private void inFlight(long at, int to, byte[] bytes) {
        wire[(int) (at & wireMask)].add(new InFlight(to, bytes));
    }

    private static int[] frameCounts(byte[] bytes) {
        int[] counts = new int[FRAME_TYPES.size()];
        Datagram d = decoded(bytes);
        if (d != null) {
            for (Frame f : d.frames()) {
                int t = FRAME_TYPES.indexOf(f.getClass());
                if (t >= 0) {
                    counts[t]++;
                }
            }
        }
        return counts;
    }

    private static Datagram decoded(byte[] bytes) {
        return Datagram.decode(Unpooled.wrappedBuffer(bytes), DecoderLimits.DEFAULT, DatagramDecoder.ANY_CLUSTER).datagram();
    }

    /** Whether the datagram carries a frame of this type ({@link Frame.Schedule}, ...) for this timer id. */
    static boolean carries(Datagram d, Class<? extends Frame> type, String timerId) {
        if (d == null) {
            return false;
        }
        for (Frame f : d.frames()) {
            byte[] id = idOf(f);
            if (type.isInstance(f) && id != null && timerId.equals(new String(id, StandardCharsets.UTF_8))) {
                return true;
            }
        }
        return false;
    }

    /** The timer id a frame names, or null (heartbeats, member lists). */
    static byte[] idOf(Frame f) {
        return f instanceof Frame.Schedule x ? x.id()
                : f instanceof Frame.Kill x ? x.id()
                : f instanceof Frame.KillAck x ? x.id()
                : f instanceof Frame.Fired x ? x.id()
                : f instanceof Frame.Replicated x ? x.id() : null;
    }

    /** Debugging a seed: every frame that names this timer id is printed as it is sent, and per destination where it is lost (null: off). */
    String traceId;

    private void trace(int from, int to, byte[] bytes, boolean lost) {
        Datagram.Decoded d = Datagram.decode(Unpooled.wrappedBuffer(bytes), DecoderLimits.DEFAULT, DatagramDecoder.ANY_CLUSTER);
        if (d.datagram() == null) {
            return;
        }
        for (Frame f : d.datagram().frames()) {
            byte[] id = idOf(f);
            if (id != null && traceId.equals(new String(id, StandardCharsets.UTF_8))) {
                System.out.println("trace t=" + now + " from=" + from + (lost ? " LOST to=" : " to=") + (to < 0 ? "all" : to) + " " + f);
            }
        }
    }

    NodeCore node(int i) {
        return nodes.get(i);
    }

    Counters counters(int i) {
        return counters.get(i);
    }

    /**
     * Advances virtual time by {@code ms}, one millisecond at a time: each node reads what
     * arrives for it this millisecond (in arrival order), then ticks. Node by node rather than
     * every delivery then every tick: the same outcome (what a node sends arrives a millisecond
     * later at the earliest), but each node's tables are brought into the cache once per
     * millisecond instead of once per datagram (multicast at 100 nodes: about 12 datagrams per node
     * per millisecond).
     */
    void run(long ms) {
        for (long end = now + ms; now < end; ) {
            now++;
            ArrayList<InFlight> due = wire[(int) (now & wireMask)];
            due.sort(BY_DESTINATION); // stable: each node's datagrams stay in arrival order
            int arrived = due.size();
            int next = 0;
            for (int i = 0; i < nodes.size(); i++) {
                for (; next < arrived && due.get(next).to == i; next++) {
                    InFlight f = due.get(next);
                    if (crashed[i]) {
                        continue;
                    }
                    if (paused[i]) {
                        backlog.get(i).add(f.bytes);
                        continue;
                    }
                    deliver(i, f.bytes);
                }
                if (!crashed[i] && !paused[i]) {
                    nodes.get(i).tick(now);
                }
            }
            if (due.size() != arrived) {
                throw new IllegalStateException("a datagram sent at " + now + " arrives the same millisecond (latency is at least 1 ms)");
            }
            due.clear();
        }
    }

    private static final java.util.Comparator<InFlight> BY_DESTINATION = java.util.Comparator.comparingInt(InFlight::to);

    private void deliver(int to, byte[] bytes) {
        nodes.get(to).onDatagram(receiveBuffer.clear().writeBytes(bytes), now);
        nodes.get(to).flush();
    }

    /** Resumes a paused node: it reads its socket backlog, then its loop ticks again. */
    void resume(int i) {
        paused[i] = false;
        for (byte[] bytes : backlog.get(i)) {
            deliver(i, bytes);
        }
        backlog.get(i).clear();
    }
}
