package io.wheelcast.bench;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import org.HdrHistogram.Histogram;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Aeron 1.47.4 as a reference peer for W1 and W2 (../shared/WORKLOADS.md), one embedded media
 * driver per process (its directory under /dev/shm, deleted on start and on exit), multicast on
 * the namespace's lo like the Wheelcast variants. The receiving side does the plain-JDK
 * reference's work per kill (the id as a String, removed from a HashMap), so the lines compare
 * transports, not timer tables.
 *
 * <pre>
 * aeron-w1-recv                 subscribes, counts 1M "kill:id" messages (after a warm-up of "warm:id")
 * aeron-w1-send RATE            offers them at RATE per second (0 = as fast as it accepts); Aeron batches them into datagrams
 * aeron-w2-echo busy|default    answers each "kill:id" with "ack:id" on the pong stream
 * aeron-w2-ping HGRM busy|default   round trips, as w2-ping
 * </pre>
 *
 * busy: the driver runs in the application thread (ThreadingMode.INVOKER) and the thread
 * busy-spins, Aeron's lowest-latency setup on a 2-core box (a dedicated driver thread would
 * share the pinned CPU). default: a shared driver thread, both with Aeron's back-off idle.
 * Aeron's data address must end in an odd octet (its control address is data + 1).
 */
final class AeronPeer {
    static final String VERSION = "1.47.4";
    private static final String W1_CHANNEL = "aeron:udp?endpoint=239.1.2.5:45561|interface=127.0.0.1|ttl=0";
    private static final String PING_CHANNEL = "aeron:udp?endpoint=239.1.2.7:45563|interface=127.0.0.1|ttl=0";
    private static final String PONG_CHANNEL = "aeron:udp?endpoint=239.1.2.9:45565|interface=127.0.0.1|ttl=0";
    private static final int STREAM = 1001;
    private static final int WARM_UP = 300_000;
    private static final byte[] ACK = "ack:".getBytes(StandardCharsets.US_ASCII);

    private final MediaDriver driver;
    private final Aeron aeron;
    private final AgentInvoker driverInvoker;
    private final IdleStrategy idle;

    private AeronPeer(String role, boolean busy) {
        String dir = "/dev/shm/wheelcast-aeron-" + role + "-" + ProcessHandle.current().pid();
        MediaDriver.Context ctx = new MediaDriver.Context()
                .aeronDirectoryName(dir)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .termBufferSparseFile(false)
                .socketRcvbufLength(4 << 20)
                .socketSndbufLength(4 << 20)
                .threadingMode(busy ? ThreadingMode.INVOKER : ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy());
        driver = MediaDriver.launch(ctx);
        driverInvoker = busy ? driver.sharedAgentInvoker() : null;
        Aeron.Context client = new Aeron.Context().aeronDirectoryName(dir);
        if (busy) {
            client.driverAgentInvoker(driverInvoker).useConductorAgentInvoker(true);
        }
        aeron = Aeron.connect(client);
        idle = busy ? new BusySpinIdleStrategy() : new BackoffIdleStrategy();
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    }

    private void close() {
        aeron.close();
        driver.close();
        deleteQuietly(new File(driver.aeronDirectoryName()));
    }

    private static void deleteQuietly(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteQuietly(c);
            }
        }
        f.delete();
    }

    /** One turn of the driver (INVOKER mode) and the client conductor, then idles by the work done. */
    private void turn(int work) {
        if (driverInvoker != null) {
            work += driverInvoker.invoke();
            work += aeron.conductorAgentInvoker().invoke();
        }
        idle.idle(work);
    }

    private void awaitConnected(Publication pub) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!pub.isConnected()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("aeron: no subscriber connected to " + pub.channel() + " within 30 s");
            }
            turn(0);
        }
    }

    private void offer(ExclusivePublication pub, UnsafeBuffer buf, int len) {
        while (pub.offer(buf, 0, len) < 0) { // back pressure or an admin action: Aeron never drops, it pushes back
            turn(0);
        }
    }

    private static Map<String, Long> liveTimers(int count) {
        Map<String, Long> timers = new HashMap<>();
        for (int i = 0; i < count; i++) {
            timers.put(Workloads.id(i), 1L);
        }
        return timers;
    }

    // ------------------------------------------------------------------ W1

    static void w1Receive() throws Exception {
        AeronPeer peer = new AeronPeer("w1-recv", false);
        Map<String, Long> timers = liveTimers(Workloads.LIVE);
        AtomicLong received = new AtomicLong();
        AtomicLong cancelled = new AtomicLong();
        byte[] bytes = new byte[2048];
        FragmentHandler handler = (buffer, offset, length, header) -> {
            buffer.getBytes(offset, bytes, 0, length);
            boolean warm = bytes[0] == 'w';
            int prefix = 5; // "kill:" or "warm:"
            if (timers.remove(new String(bytes, prefix, length - prefix, StandardCharsets.US_ASCII)) != null && !warm) {
                cancelled.incrementAndGet();
            }
            if (!warm) {
                received.incrementAndGet();
            }
        };
        try (Subscription sub = peer.aeron.addSubscription(W1_CHANNEL, STREAM)) {
            Thread rx = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peer.turn(sub.poll(handler, 256));
                }
            }, "aeron-w1-rx");
            rx.setDaemon(true);
            rx.start();
            System.out.println("ready transport=aeron-" + VERSION);
            Workloads.waitForKills(received::get, cpu -> " cancelled=" + cancelled.get());
            rx.interrupt();
        }
    }

    static void w1Send(long rate) throws Exception {
        AeronPeer peer = new AeronPeer("w1-send", false);
        byte[][] kills = new byte[Workloads.ID_SPACE][];
        byte[][] warms = new byte[Workloads.ID_SPACE][];
        for (int i = 0; i < Workloads.ID_SPACE; i++) {
            kills[i] = ("kill:" + Workloads.id(i)).getBytes(StandardCharsets.US_ASCII);
            warms[i] = ("warm:" + Workloads.id(i + Workloads.ID_SPACE)).getBytes(StandardCharsets.US_ASCII);
        }
        UnsafeBuffer buf = new UnsafeBuffer(BufferUtil.allocateDirectAligned(256, 64));
        try (ExclusivePublication pub = peer.aeron.addExclusivePublication(W1_CHANNEL, STREAM)) {
            peer.awaitConnected(pub);
            for (int k = 0; k < WARM_UP; k++) { // both sides' JIT, as the Wheelcast and JDK senders warm up
                buf.putBytes(0, warms[k % Workloads.ID_SPACE]);
                peer.offer(pub, buf, warms[k % Workloads.ID_SPACE].length);
            }
            Thread.sleep(3_000); // the receiver drains and compiles
            System.gc();
            long start = System.nanoTime();
            for (int k = 0; k < Workloads.KILLS; k++) {
                Workloads.pace(start, k, rate);
                byte[] m = kills[k % Workloads.ID_SPACE];
                buf.putBytes(0, m);
                peer.offer(pub, buf, m.length);
            }
            double secs = (System.nanoTime() - start) / 1e9;
            Thread.sleep(1_000); // Aeron's sender thread drains the term buffer after the last offer
            System.out.printf("result sent=%d offered_per_s=%.0f%n", Workloads.KILLS, Workloads.KILLS / secs);
        }
    }

    // ------------------------------------------------------------------ W2

    static void w2Echo(boolean busy) throws Exception {
        AeronPeer peer = new AeronPeer("w2-echo", busy);
        Map<String, Long> timers = liveTimers(Workloads.W2_WARMUP + Workloads.W2_MEASURED + 1_000);
        UnsafeBuffer reply = new UnsafeBuffer(BufferUtil.allocateDirectAligned(256, 64));
        byte[] bytes = new byte[2048];
        try (Subscription ping = peer.aeron.addSubscription(PING_CHANNEL, STREAM);
             ExclusivePublication pong = peer.aeron.addExclusivePublication(PONG_CHANNEL, STREAM)) {
            FragmentHandler handler = (buffer, offset, length, header) -> {
                buffer.getBytes(offset, bytes, 0, length);
                if (length > 5 && bytes[0] == 'k') {
                    timers.remove(new String(bytes, 5, length - 5, StandardCharsets.US_ASCII));
                    reply.putBytes(0, ACK);
                    reply.putBytes(4, bytes, 5, length - 5);
                    peer.offer(pong, reply, 4 + length - 5);
                }
            };
            System.out.println("ready transport=aeron-" + VERSION + (busy ? "-busy-spin" : "-default"));
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(10); // the script ends it sooner
            while (System.nanoTime() < end) {
                peer.turn(ping.poll(handler, 16));
            }
        }
    }

    static void w2Ping(String hgrm, boolean busy) throws Exception {
        AeronPeer peer = new AeronPeer("w2-ping", busy);
        byte[][] msgs = new byte[Workloads.W2_WARMUP + Workloads.W2_MEASURED][];
        for (int i = 0; i < msgs.length; i++) {
            msgs[i] = ("kill:" + Workloads.id(i)).getBytes(StandardCharsets.US_ASCII);
        }
        UnsafeBuffer out = new UnsafeBuffer(BufferUtil.allocateDirectAligned(256, 64));
        boolean[] acked = new boolean[1];
        FragmentHandler handler = (buffer, offset, length, header) -> acked[0] |= buffer.getByte(offset) == 'a';
        try (ExclusivePublication ping = peer.aeron.addExclusivePublication(PING_CHANNEL, STREAM);
             Subscription pong = peer.aeron.addSubscription(PONG_CHANNEL, STREAM)) {
            peer.awaitConnected(ping);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!pong.isConnected()) { // the echo's pong publication has found us
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("aeron: the echo's pong stream never connected");
                }
                peer.turn(0);
            }
            Workloads.watchdog();
            Histogram h = Workloads.measureRoundTrips(i -> {
                out.putBytes(0, msgs[i]);
                acked[0] = false;
                long t0 = System.nanoTime();
                peer.offer(ping, out, msgs[i].length);
                while (!acked[0]) {
                    peer.turn(pong.poll(handler, 1));
                }
                return System.nanoTime() - t0;
            });
            Workloads.report(h, hgrm);
        }
    }
}
