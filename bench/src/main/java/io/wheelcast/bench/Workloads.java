package io.wheelcast.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wheelcast.codec.DatagramWriter;
import io.wheelcast.engine.CancelOutcome;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.NodeStats;
import io.wheelcast.engine.WheelcastNode;
import io.wheelcast.engine.WheelcastNodeBuilder;
import io.wheelcast.engine.FaultPlan;
import org.HdrHistogram.Histogram;

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * The workloads of ../shared/WORKLOADS.md as separate processes (scripts/bench.sh starts them,
 * pinned to separate CPUs, inside a private network namespace). Each role prints "ready" when
 * it can be sent to, and "result ..." lines with its figures.
 *
 * <pre>
 * w1-recv VARIANT [COALESCE_US] Wheelcast receiver: 100k live timers, counts kills (optional receiveCoalescing window)
 * w1-send VARIANT RATE          raw sender of 1M Wheelcast KILL frames (single: 1 per datagram, native: packed)
 * ref-w1-recv / ref-w1-send RATE   the same with plain JDK DatagramChannel and "kill:id" text
 * floor-w1-recv                 the read path's floor for w1-send's datagrams: JDK socket, decode and hash only ({@link FloorReceiver})
 * w2-owner [busy|COALESCE_US] / w2-ping HGRM [SPIN]   KILL -> KILL_ACK round trips against a Wheelcast owner
 * ref-w2-echo [spin] / ref-w2-ping HGRM [SPIN]   the same with plain JDK sockets (blocking, or polled non-blocking)
 * w4-owner LOSS / w4-cancel LOSS RATE HGRM   Wheelcast cancels (with retransmit) under injected loss
 * aeron-w1-recv / aeron-w1-send RATE / aeron-w2-echo MODE / aeron-w2-ping HGRM MODE   Aeron as a reference peer ({@link AeronPeer})
 * </pre>
 */
public final class Workloads {
    static final String GROUP = "239.1.2.3";
    /**
     * -Dwc.unicast=true: the Wheelcast node runs in unicast mode bound to {@link #OWNER_ADDRESS},
     * and the raw senders and pingers address it there (the pinger receives its acks on
     * {@link #PEER_ADDRESS}, the node's seed) instead of the group.
     */
    static final boolean UNICAST = Boolean.getBoolean("wc.unicast");
    static final String OWNER_ADDRESS = "127.0.0.1";
    static final String PEER_ADDRESS = "127.0.0.2";
    static final int PORT = 45555;
    static final int LIVE = 100_000;
    static final int KILLS = 1_000_000;
    static final int ID_SPACE = 200_000;

    private Workloads() {
    }

    private static final AtomicLong PROGRESS = new AtomicLong();

    /** A lost datagram would leave a blocking ping-pong waiting forever: give up loudly instead. */
    static void watchdog() {
        stallWatch(PROGRESS::get, 5_000, () -> {
            System.out.println("result error=stalled_after_" + PROGRESS.get() + "_round_trips");
            System.exit(3);
        });
    }

    /**
     * Starts a daemon thread that runs {@code onStall} once {@code progress} has not moved for
     * {@code periodMs}; interrupting the thread ends the watch.
     */
    static Thread stallWatch(LongSupplier progress, long periodMs, Runnable onStall) {
        Thread t = new Thread(() -> {
            long seen = -1;
            while (true) {
                try {
                    Thread.sleep(periodMs);
                } catch (InterruptedException e) {
                    return;
                }
                long now = progress.getAsLong();
                if (now == seen) {
                    onStall.run();
                    return;
                }
                seen = now;
            }
        }, "stall-watch");
        t.setDaemon(true);
        t.start();
        return t;
    }

    public static void main(String[] args) throws Exception {
        if (args[0].contains("ping")) {
            watchdog();
        }
        switch (args[0]) {
            case "w1-recv" -> w1Receive(args.length > 1 && args[1].equals("native"),
                    args.length > 2 ? Long.parseLong(args[2]) : 0);
            case "w1-send" -> w1Send(args[1].equals("native"), Long.parseLong(args[2]));
            case "ref-w1-recv" -> refW1Receive();
            case "ref-w1-send" -> refW1Send(Long.parseLong(args[1]));
            case "floor-w1-recv" -> FloorReceiver.w1Receive();
            case "w2-owner" -> w2Owner(args.length > 1 && args[1].equals("busy"),
                    args.length > 1 && !args[1].equals("busy") ? Long.parseLong(args[1]) : 0);
            case "w2-ping" -> w2Ping(args[1], Boolean.parseBoolean(args.length > 2 ? args[2] : "false"));
            case "ref-w2-echo" -> refW2Echo(args.length > 1 && args[1].equals("spin"));
            case "ref-w2-ping" -> refW2Ping(args[1], Boolean.parseBoolean(args.length > 2 ? args[2] : "false"));
            case "aeron-w1-recv" -> AeronPeer.w1Receive();
            case "aeron-w1-send" -> AeronPeer.w1Send(Long.parseLong(args[1]));
            case "aeron-w2-echo" -> AeronPeer.w2Echo(args[1].equals("busy"));
            case "aeron-w2-ping" -> AeronPeer.w2Ping(args[1], args[2].equals("busy"));
            case "w4-owner" -> w4Owner(Double.parseDouble(args[1]));
            case "w4-cancel" -> w4Cancel(Double.parseDouble(args[1]), Long.parseLong(args[2]), args[3]);
            default -> throw new IllegalArgumentException("unknown role " + args[0]);
        }
        if (args[0].startsWith("aeron-")) {
            System.exit(0); // its media driver's threads are not daemons; the shutdown hook closes it
        }
    }

    static String id(int i) {
        return Ids.of("job-", i, 6);
    }

    /** Where senders address the node under test: the group, or its unicast address. */
    static InetSocketAddress ownerTarget() {
        return new InetSocketAddress(UNICAST ? OWNER_ADDRESS : GROUP, PORT);
    }

    static InetSocketAddress warmUpTarget() {
        return new InetSocketAddress(UNICAST ? OWNER_ADDRESS : GROUP, WARM_UP_PORT);
    }

    static WheelcastNodeBuilder node() {
        WheelcastNodeBuilder b = WheelcastNode.builder();
        if (UNICAST) {
            // Unicast needs heartbeats (addresses are learnt from them); takeover off keeps the
            // replication protocol out of the comparison, as heartbeatInterval(0) does for multicast.
            b.unicast().bindAddress(OWNER_ADDRESS).seeds(PEER_ADDRESS + ":" + PORT).heartbeatInterval(Duration.ofSeconds(1)).takeover(false);
        } else {
            b.group(GROUP).networkInterface("lo").ttl(0).heartbeatInterval(Duration.ZERO);
        }
        // -Dwc.transport=IO_URING: bench.sh's -iouring variants, side by side with the default (epoll)
        b.transport(io.wheelcast.engine.TransportKind.valueOf(System.getProperty("wc.transport", "AUTO")));
        return b.port(PORT).clusterId(1)
                .receiveBufferBytes(4 << 20).sendBufferBytes(4 << 20)
                .maxTimers(ID_SPACE + 16_384).maxTombstones(ID_SPACE + 16_384).maxPendingCancels(1 << 17)
                .commandQueueCapacity(1 << 18).tickMs(Integer.getInteger("wc.tickMs", 1));
    }

    static void armLive(WheelcastNode n, int count) throws Exception {
        arm(n, count, i -> id(i).getBytes(StandardCharsets.US_ASCII));
    }

    /** Arms {@code count} 10-minute timers, ids {@code id.apply(0..count-1)}, and waits until the loop took them. */
    static void arm(WheelcastNode n, int count, IntFunction<byte[]> id) throws Exception {
        CompletableFuture<?> last = null;
        for (int i = 0; i < count; i++) {
            last = n.schedule(id.apply(i), TimeUnit.MINUTES.toMillis(10), null).toCompletableFuture();
            if ((i & 4095) == 0) {
                last.get(10, TimeUnit.SECONDS);
            }
        }
        last.get(10, TimeUnit.SECONDS);
    }

    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    // ------------------------------------------------------------------ W1

    /** @param coalesceMicros the receiver's {@code receiveCoalescing} window, 0 for none */
    static void w1Receive(boolean packed, long coalesceMicros) throws Exception {
        // loopback(false): the production setting for one node per host (docs/performance.md, knobs).
        // The sender's kills still arrive (loopback is a property of the sending socket); what stops
        // is the receiver reading back its own KILL_ACK datagrams.
        try (WheelcastNode n = node().loopback(false).receiveCoalescing(Duration.ofNanos(coalesceMicros * 1000))
                .maxTimers(ID_SPACE + 2 * JitWarmUp.LIVE + 16_384).maxTombstones(ID_SPACE + 2 * JitWarmUp.LIVE + 16_384)
                .start()) {
            armLive(n, LIVE);
            if (packed) {
                warmUp(n, true);
            } else {
                warmUp(n, false, JitWarmUp.PER_DATAGRAM_ROUND, JitWarmUp.PER_DATAGRAM_MAX_ROUNDS);
            }
            System.gc(); // warm-up garbage collected now, not during the measured kills
            NodeStats base = n.stats();
            long loopAlloc0 = loopThreadAllocatedBytes();
            System.out.println("ready transport=" + n.transport());
            waitForKills(() -> n.stats().get(Counter.FRAMES_IN_KILL) - base.get(Counter.FRAMES_IN_KILL), cpu -> {
                NodeStats s = n.stats();
                long datagrams = s.get(Counter.DATAGRAMS_IN) - base.get(Counter.DATAGRAMS_IN);
                return " cancelled=" + (s.get(Counter.TIMERS_CANCELLED_REMOTELY) - base.get(Counter.TIMERS_CANCELLED_REMOTELY))
                        + " datagrams=" + datagrams
                        + " gaps=" + (s.get(Counter.SEQUENCE_GAPS) - base.get(Counter.SEQUENCE_GAPS))
                        + " loop_alloc_bytes_per_datagram=" + (loopThreadAllocatedBytes() - loopAlloc0) / Math.max(1, datagrams);
            });
        }
    }

    /** Warm-up kills over ids wrm-000000..wrm-099999 (half armed here): one per datagram, then packed as the variant packs. */
    static void warmUp(WheelcastNode n, boolean packed) throws Exception {
        warmUp(n, packed, JitWarmUp.ROUND, JitWarmUp.MAX_ROUNDS);
    }

    static void warmUp(WheelcastNode n, boolean packed, int killsPerRound, int maxRounds) throws Exception {
        arm(n, JitWarmUp.LIVE, i -> JitWarmUp.id(i).getBytes(StandardCharsets.US_ASCII));
        warmUpKills(packed, () -> n.stats().get(Counter.FRAMES_IN_KILL), killsPerRound, maxRounds);
    }

    /** {@link JitWarmUp#run} with Wheelcast KILL datagrams to the owner's address, packed or one per datagram. */
    static void warmUpKills(boolean packed, LongSupplier received, int killsPerRound, int maxRounds) throws Exception {
        byte[][] ids = new byte[2 * JitWarmUp.LIVE][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = JitWarmUp.id(i).getBytes(StandardCharsets.US_ASCII);
        }
        InetSocketAddress group = ownerTarget();
        DatagramWriter writer = new DatagramWriter(1400, 512, null);
        ByteBuf buf = Unpooled.directBuffer(2048);
        long[] seq = {0};
        try {
            JitWarmUp.run((ch, senderId, k, single) -> {
                buf.clear();
                writer.begin(buf, 1, senderId, ++seq[0], System.currentTimeMillis());
                int added = 0;
                while (true) {
                    byte[] id = ids[(k + added) % ids.length];
                    if (!writer.appendKill(k + added + 1, id, 0, id.length)) {
                        break;
                    }
                    added++;
                    if (single || !packed) {
                        break;
                    }
                }
                writer.finish();
                ch.send(buf.nioBuffer(), group);
                return added;
            }, received, killsPerRound, Math.min(JitWarmUp.SINGLE, killsPerRound), maxRounds);
        } finally {
            buf.release();
        }
    }

    /** Bytes allocated so far by the node's event-loop thread(s), from the JVM's per-thread counters. */
    static long loopThreadAllocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("wheelcast-loop")) {
                sum += threads.getThreadAllocatedBytes(t.getThreadId());
            }
        }
        return sum;
    }

    interface Extra {
        String describe(long cpu);
    }

    /** Polls a kill counter until 1M arrived or 2 s passed without progress; prints rate, loss and CPU per kill. */
    static void waitForKills(java.util.function.LongSupplier count, Extra extra) throws InterruptedException {
        long first = 0;
        long last = 0;
        long seen = 0;
        long cpu0 = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            long c = count.getAsLong();
            long now = System.nanoTime();
            if (c != seen) {
                if (seen == 0) {
                    first = now;
                    cpu0 = cpuNanos();
                }
                seen = c;
                last = now;
                if (c >= KILLS) {
                    break;
                }
            } else if (seen > 0 && now - last > TimeUnit.SECONDS.toNanos(2)) {
                break;
            }
            LockSupport.parkNanos(1_000_000);
        }
        long cpu = cpuNanos() - cpu0;
        double secs = Math.max(1e-9, (last - first) / 1e9);
        System.out.printf("result delivered=%d lost_pct=%.3f delivered_per_s=%.0f recv_cpu_ns_per_kill=%.0f%s%n",
                seen, 100.0 * (KILLS - seen) / KILLS, seen / secs, seen == 0 ? 0.0 : (double) cpu / seen, extra.describe(cpu));
    }

    /** A raw socket on lo; {@code join}: it receives what the node sends (the group, or in unicast mode the node's seed address). */
    static DatagramChannel rawChannel(boolean join) throws Exception {
        NetworkInterface lo = NetworkInterface.getByName("lo");
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
        ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 0);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        if (join && UNICAST) {
            ch.bind(new InetSocketAddress(PEER_ADDRESS, PORT));
        } else if (join) {
            ch.bind(new InetSocketAddress(PORT));
            ch.join(InetAddress.getByName(GROUP), lo);
        }
        return ch;
    }

    /** Paces to {@code rate} per second (0 = unthrottled) by spinning to the intended send time. */
    static void pace(long startNs, long sent, long rate) {
        if (rate <= 0) {
            return;
        }
        long due = startNs + sent * 1_000_000_000L / rate;
        while (System.nanoTime() < due) {
            Thread.onSpinWait();
        }
    }

    /**
     * Paces by sleeping: the caller shares its pinned CPU with the node's event loop, which a
     * spinning pacer would starve. Latency is still taken from the intended time.
     */
    static void paceSleeping(long startNs, long sent, long rate) {
        long due = startNs + sent * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Where senders send their warm-up: a port nobody listens on, so the kernel drops it after the full send path. */
    static final int WARM_UP_PORT = PORT + 7;
    static final int SENDER_WARM_UP_KILLS = 300_000;

    static void w1Send(boolean packed, long rate) throws Exception {
        byte[][] ids = new byte[ID_SPACE][];
        for (int i = 0; i < ID_SPACE; i++) {
            ids[i] = id(i).getBytes(StandardCharsets.US_ASCII);
        }
        DatagramWriter writer = new DatagramWriter(1400, 512, null);
        ByteBuf buf = Unpooled.directBuffer(2048);
        // Unicast: a port nobody listens on answers with ICMP port unreachable (the next write
        // throws), so a socket that is never read takes the warm-up (dropped once its buffer is full).
        try (DatagramChannel sink = UNICAST ? DatagramChannel.open().bind(warmUpTarget()) : null;
             DatagramChannel warm = rawChannel(false); DatagramChannel ch = rawChannel(false)) {
            // The sender JVM is as cold as the receiver was: warm it where nobody receives.
            warm.connect(warmUpTarget());
            sendKills(warm, writer, buf, ids, SENDER_WARM_UP_KILLS, packed, 0);
            ch.connect(ownerTarget());
            System.gc(); // setup garbage collected now, not during the measured send
            long start = System.nanoTime();
            long datagrams = sendKills(ch, writer, buf, ids, KILLS, packed, rate);
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("result sent=%d datagrams=%d offered_per_s=%.0f%n", KILLS, datagrams, KILLS / secs);
        } finally {
            buf.release();
        }
    }

    /**
     * Sends {@code count} KILL frames on a connected channel, one per datagram or packed, paced to
     * {@code rate} (0 = unthrottled); returns datagrams sent. Allocates nothing per datagram.
     */
    static long sendKills(DatagramChannel ch, DatagramWriter writer, ByteBuf buf, byte[][] ids, int count, boolean packed,
                          long rate) throws Exception {
        long sender = 0x5E4D_0000_0000_0001L;
        ByteBuffer nio = buf.nioBuffer(0, buf.capacity());
        long seq = 1;
        long start = System.nanoTime();
        int k = 0;
        long datagrams = 0;
        while (k < count) {
            buf.clear();
            writer.begin(buf, 1, sender, seq++, System.currentTimeMillis());
            do {
                pace(start, k, rate);
                byte[] id = ids[k % ids.length];
                if (!writer.appendKill(k + 1, id, 0, id.length)) {
                    break;
                }
                k++;
            } while (packed && k < count);
            writer.finish();
            nio.limit(buf.writerIndex()).position(0);
            ch.write(nio);
            datagrams++;
        }
        return datagrams;
    }

    static void refW1Receive() throws Exception {
        Map<String, Long> timers = new HashMap<>();
        for (int i = 0; i < LIVE; i++) {
            timers.put(id(i), System.nanoTime() + TimeUnit.MINUTES.toNanos(10));
        }
        for (int i = 0; i < JitWarmUp.LIVE; i++) {
            timers.put(JitWarmUp.id(i), System.nanoTime() + TimeUnit.MINUTES.toNanos(10));
        }
        AtomicLong received = new AtomicLong();
        AtomicLong cancelled = new AtomicLong();
        try (DatagramChannel ch = rawChannel(true)) {
            Thread rx = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(2048);
                byte[] bytes = new byte[2048];
                try {
                    while (true) {
                        buf.clear();
                        ch.receive(buf);
                        buf.flip();
                        int len = buf.remaining();
                        buf.get(bytes, 0, len);
                        if (len > 5 && bytes[0] == 'k') {
                            if (timers.remove(new String(bytes, 5, len - 5, StandardCharsets.US_ASCII)) != null) {
                                cancelled.incrementAndGet();
                            }
                            received.incrementAndGet();
                        }
                    }
                } catch (Exception closed) {
                    // channel closed at the end
                }
            });
            rx.setDaemon(true);
            rx.start();
            InetSocketAddress group = new InetSocketAddress(GROUP, PORT);
            ByteBuffer out = ByteBuffer.allocateDirect(64);
            JitWarmUp.run((tx, senderId, k, single) -> {
                out.clear();
                out.put(("kill:" + JitWarmUp.id(k % (2 * JitWarmUp.LIVE))).getBytes(StandardCharsets.US_ASCII)).flip();
                tx.send(out, group);
                return 1;
            }, received::get, JitWarmUp.PER_DATAGRAM_ROUND, JitWarmUp.PER_DATAGRAM_ROUND, JitWarmUp.PER_DATAGRAM_MAX_ROUNDS);
            System.gc();
            long baseReceived = received.get();
            long baseCancelled = cancelled.get();
            System.out.println("ready transport=jdk-blocking");
            waitForKills(() -> received.get() - baseReceived, cpu -> " cancelled=" + (cancelled.get() - baseCancelled));
        }
    }

    static void refW1Send(long rate) throws Exception {
        InetSocketAddress group = new InetSocketAddress(GROUP, PORT);
        byte[][] msgs = new byte[ID_SPACE][];
        for (int i = 0; i < ID_SPACE; i++) {
            msgs[i] = ("kill:" + id(i)).getBytes(StandardCharsets.US_ASCII);
        }
        try (DatagramChannel ch = rawChannel(false)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(64);
            ch.connect(new InetSocketAddress(GROUP, WARM_UP_PORT));
            for (int k = 0; k < SENDER_WARM_UP_KILLS; k++) { // warm, as the Wheelcast sender is
                buf.clear();
                buf.put(msgs[k % ID_SPACE]).flip();
                ch.write(buf);
            }
            ch.disconnect();
            ch.connect(group);
            System.gc();
            long start = System.nanoTime();
            for (int k = 0; k < KILLS; k++) {
                pace(start, k, rate);
                buf.clear();
                buf.put(msgs[k % ID_SPACE]).flip();
                ch.write(buf);
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("result sent=%d datagrams=%d offered_per_s=%.0f%n", KILLS, KILLS, KILLS / secs);
        }
    }

    // ------------------------------------------------------------------ W2

    static final int W2_WARMUP = 10_000;
    static final int W2_MEASURED = 100_000;

    /** @param coalesceMicros the owner's {@code receiveCoalescing} window, 0 for none */
    static void w2Owner(boolean busyPoll, long coalesceMicros) throws Exception {
        try (WheelcastNode n = node().busyPoll(busyPoll).receiveCoalescing(Duration.ofNanos(coalesceMicros * 1000)).start()) {
            armLive(n, W2_WARMUP + W2_MEASURED + 1000);
            roundTripWarmUp(n);
            System.out.println("ready transport=" + n.transport());
            Thread.sleep(TimeUnit.MINUTES.toMillis(10)); // the script kills this process when the pinger is done
        }
    }

    /**
     * Round trips from this process, one at a time, until C2 is quiet (the pinger's 10,000
     * warm-up round trips are below C2's thresholds for much of the owner's code). W1's bursts of
     * {@link #warmUp} were not enough: they leave the once-per-wake-up code (epoll, Netty's read
     * setup, the ack's flush) cold, and PrintCompilation showed ~350 compilations, most of them
     * C2, during the pinger's 100,000 measured round trips, on the owner's one CPU; the round
     * trips that waited behind a compile were W2's millisecond tail (p99.9 2.1-2.5 ms, now
     * 0.2-0.4 ms, as the plain JDK echo's).
     */
    static void roundTripWarmUp(WheelcastNode n) throws Exception {
        arm(n, JitWarmUp.ROUND_TRIPS * JitWarmUp.ROUND_TRIP_MAX_ROUNDS, Workloads::roundTripId);
        AtomicLong done = new AtomicLong();
        try (KillPinger pinger = new KillPinger(0x5E4D_0000_0002_0000L, false)) {
            // a lost KILL or ack would wait forever: stop the warm-up instead
            Thread dog = stallWatch(done::get, 2_000, pinger::abort);
            try {
                JitWarmUp.runRoundTrips(() -> {
                    long rtt = pinger.roundTrip(roundTripId((int) done.get()));
                    done.incrementAndGet();
                    return rtt;
                });
            } catch (java.nio.channels.ClosedChannelException e) {
                System.out.println("round-trip warm-up stopped: no KILL_ACK for 2 s after " + done.get() + " round trips");
            } finally {
                dog.interrupt();
            }
        }
    }

    private static byte[] roundTripId(int i) {
        return Ids.of("rtt-", i, 6).getBytes(StandardCharsets.US_ASCII);
    }

    /** Raw pinger: one KILL datagram out, wait for the owner's KILL_ACK with that request id. */
    static void w2Ping(String hgrm, boolean spin) throws Exception {
        byte[][] ids = w2Ids("");
        try (KillPinger pinger = new KillPinger(0x5E4D_0000_0000_0002L, spin)) {
            report(measureRoundTrips(i -> pinger.roundTrip(ids[i])), hgrm);
        }
    }

    interface IndexedRoundTrip {
        long run(int i) throws Exception;
    }

    /**
     * W2's {@value #W2_WARMUP} warm-up and {@value #W2_MEASURED} measured round trips. Warm-up
     * round trips are recorded too, in a histogram thrown away: the recording code is then
     * compiled before the measurement instead of by C2 during it (PrintCompilation showed 54
     * C2 compilations in the pinger during the measured round trips when it was not).
     */
    static Histogram measureRoundTrips(IndexedRoundTrip roundTrip) throws Exception {
        Histogram warm = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        Histogram measured = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        for (int i = 0; i < W2_WARMUP + W2_MEASURED; i++) {
            long rtt = roundTrip.run(i);
            PROGRESS.incrementAndGet();
            (i < W2_WARMUP ? warm : measured).recordValue(rtt);
        }
        return measured;
    }

    /** The pinger's ids, built before the first round trip. */
    private static byte[][] w2Ids(String prefix) {
        byte[][] ids = new byte[W2_WARMUP + W2_MEASURED][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (prefix + id(i)).getBytes(StandardCharsets.US_ASCII);
        }
        return ids;
    }

    /** Writes the percentile distribution in microseconds (nanosecond values scaled by 1000). */
    static void writeHgrm(Histogram h, String hgrm) throws Exception {
        try (PrintStream ps = new PrintStream(new FileOutputStream(hgrm))) {
            h.outputPercentileDistribution(ps, 1000.0);
        }
    }

    static void report(Histogram h, String hgrm) throws Exception {
        writeHgrm(h, hgrm);
        System.out.printf("result p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f count=%d%n",
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3, h.getTotalCount());
    }

    /** @param spin poll a non-blocking socket (the JDK's busy-poll floor) instead of blocking in {@code receive} */
    static void refW2Echo(boolean spin) throws Exception {
        Map<String, Long> timers = new HashMap<>();
        for (int i = 0; i < W2_WARMUP + W2_MEASURED + 1000; i++) {
            timers.put(id(i), 1L);
        }
        InetSocketAddress group = new InetSocketAddress(GROUP, PORT);
        try (DatagramChannel ch = rawChannel(true)) {
            ch.configureBlocking(!spin);
            System.out.println("ready transport=" + (spin ? "jdk-spinning" : "jdk-blocking"));
            ByteBuffer buf = ByteBuffer.allocateDirect(2048);
            ByteBuffer reply = ByteBuffer.allocateDirect(64);
            byte[] bytes = new byte[2048];
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(10); // the script kills it sooner
            while (System.nanoTime() < end) {
                buf.clear();
                if (ch.receive(buf) == null) {
                    Thread.onSpinWait();
                    continue;
                }
                buf.flip();
                int len = buf.remaining();
                buf.get(bytes, 0, len);
                if (len > 5 && bytes[0] == 'k') {
                    String id = new String(bytes, 5, len - 5, StandardCharsets.US_ASCII);
                    timers.remove(id);
                    reply.clear();
                    reply.put((byte) 'a').put((byte) 'c').put((byte) 'k').put((byte) ':').put(bytes, 5, len - 5).flip();
                    ch.send(reply, group);
                }
            }
        }
    }

    static void refW2Ping(String hgrm, boolean spin) throws Exception {
        InetSocketAddress group = new InetSocketAddress(GROUP, PORT);
        byte[][] msgs = w2Ids("kill:");
        try (DatagramChannel ch = rawChannel(true)) {
            ch.configureBlocking(!spin);
            ByteBuffer out = ByteBuffer.allocateDirect(64);
            ByteBuffer in = ByteBuffer.allocateDirect(2048);
            report(measureRoundTrips(i -> {
                out.clear();
                out.put(msgs[i]).flip();
                long t0 = System.nanoTime();
                ch.send(out, group);
                while (true) {
                    in.clear();
                    if (ch.receive(in) == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                    if (in.get(0) == 'a') {
                        return System.nanoTime() - t0;
                    }
                }
            }), hgrm);
        }
    }

    // ------------------------------------------------------------------ W4

    static void w4Owner(double loss) throws Exception {
        try (WheelcastNode n = node().faultPlan(new FaultPlan(41, loss, 0, 0, 0)).start()) {
            armLive(n, LIVE);
            System.out.println("ready transport=" + n.transport());
            waitForKills(() -> n.stats().get(Counter.TIMERS_CANCELLED_REMOTELY), cpu -> "");
            System.out.println("result owner_cancelled=" + n.stats().get(Counter.TIMERS_CANCELLED_REMOTELY)
                    + " fault_dropped=" + n.stats().get(Counter.FAULT_DROPPED));
        }
    }

    /** 100k cancels paced at RATE through a Wheelcast node; time to confirmation from the intended send time. */
    static void w4Cancel(double loss, long rate, String hgrm) throws Exception {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
        AtomicLong cancelled = new AtomicLong();
        AtomicLong other = new AtomicLong();
        int count = LIVE;
        try (WheelcastNode n = node().faultPlan(new FaultPlan(43, loss, 0, 0, 0)).completionExecutor(Runnable::run).start()) {
            CompletableFuture<?>[] all = new CompletableFuture<?>[count];
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                paceSleeping(start, i, rate);
                long intended = start + i * 1_000_000_000L / rate;
                all[i] = n.cancel(id(i).getBytes(StandardCharsets.US_ASCII)).toCompletableFuture().whenComplete((o, e) -> {
                    long t = System.nanoTime() - intended;
                    synchronized (h) {
                        h.recordValue(Math.min(t, h.getHighestTrackableValue()));
                    }
                    if (e == null && o.status() == CancelOutcome.Status.CANCELLED) {
                        cancelled.incrementAndGet();
                    } else {
                        other.incrementAndGet();
                    }
                });
            }
            CompletableFuture.allOf(all).get(60, TimeUnit.SECONDS);
            System.out.printf("result confirmed_pct=%.3f unconfirmed=%d retransmits=%d%n", 100.0 * cancelled.get() / count, other.get(),
                    n.stats().get(Counter.KILL_RETRANSMITS));
        }
        writeHgrm(h, hgrm);
        System.out.printf("result confirm_p50_ms=%.2f confirm_p99_ms=%.2f confirm_max_ms=%.2f%n",
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6);
    }
}
