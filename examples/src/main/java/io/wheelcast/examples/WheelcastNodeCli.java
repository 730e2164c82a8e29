package io.wheelcast.examples;

import io.wheelcast.codec.Datagram;
import io.wheelcast.codec.DatagramDecoder;
import io.wheelcast.codec.DecoderLimits;
import io.wheelcast.codec.Frame;
import io.wheelcast.engine.CancelOutcome;
import io.wheelcast.engine.ScheduleOutcome;
import io.wheelcast.engine.WheelcastNode;
import io.netty.buffer.Unpooled;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code wheelcast-node}: a Wheelcast node on the command line. */
@Command(name = "wheelcast-node", mixinStandardHelpOptions = true, version = "wheelcast-node 0.1.0",
        description = "A Wheelcast node: distributed setTimeout/clearTimeout over UDP multicast.",
        subcommands = {WheelcastNodeCli.Listen.class, WheelcastNodeCli.Schedule.class, WheelcastNodeCli.Kill.class,
                WheelcastNodeCli.Stats.class, JobServer.class, LanScenario.class, ChaosWorkload.class, Soak.class, Attack.class})
public final class WheelcastNodeCli implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code; errors are one line on stderr, never a stack trace. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new WheelcastNodeCli());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 2;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see --help)");
            return 2;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    @Command(name = "listen", mixinStandardHelpOptions = true,
            description = "Print every frame received on the group, one line each (any cluster id).")
    static final class Listen implements Callable<Integer> {
        @Mixin
        NodeOptions net;

        @Option(names = "--count", description = "Exit after this many datagrams (default: run until Ctrl-C).")
        long count = Long.MAX_VALUE;

        @Option(names = "--duration", description = "Exit after this long (e.g. 30s).", converter = DurationConverter.class)
        Duration duration;

        @Override
        public Integer call() throws Exception {
            long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            try (DatagramChannel ch = net.openRawGroupChannel(true)) {
                System.out.println("listening on " + net.groupAddress() + ":" + net.port + " via "
                        + ch.getOption(StandardSocketOptions.IP_MULTICAST_IF).getName());
                ByteBuffer buf = ByteBuffer.allocate(65_536);
                DecoderLimits limits = DecoderLimits.DEFAULT;
                for (long n = 0; n < count && System.nanoTime() < end; ) {
                    buf.clear();
                    InetSocketAddress from = (InetSocketAddress) ch.receive(buf);
                    if (from == null) {
                        Thread.sleep(2);
                        continue;
                    }
                    n++;
                    buf.flip();
                    byte[] bytes = new byte[buf.remaining()];
                    buf.get(bytes);
                    print(from, bytes, limits);
                }
            }
            return 0;
        }

        private static void print(InetSocketAddress from, byte[] bytes, DecoderLimits limits) {
            String src = from.getAddress().getHostAddress();
            if (bytes.length >= 5 && new String(bytes, 0, 5, StandardCharsets.US_ASCII).equals("kill:")) {
                System.out.println(Instant.now() + " " + src + " TEXT_KILL id=" + new String(bytes, 5, bytes.length - 5,
                        StandardCharsets.UTF_8).strip());
                return;
            }
            Datagram.Decoded d = Datagram.decode(Unpooled.wrappedBuffer(bytes), limits, DatagramDecoder.ANY_CLUSTER);
            if (d.datagram() == null) {
                System.out.println(Instant.now() + " " + src + " REJECTED " + d.status() + " (" + bytes.length + " bytes)");
                return;
            }
            Datagram g = d.datagram();
            String head = Instant.now() + " " + src + " sender=" + Long.toHexString(g.senderId()) + " seq=" + g.sequence()
                    + " cluster=" + Integer.toUnsignedString(g.clusterId());
            for (Frame f : g.frames()) {
                System.out.println(head + " " + describe(f));
            }
        }

        static String describe(Frame f) {
            if (f instanceof Frame.Schedule s) {
                return "SCHEDULE id=" + utf8(s.id()) + " delayMs=" + s.delayMs() + " owner=" + Long.toHexString(s.ownerId())
                        + " payload=" + s.payload().length + "B";
            } else if (f instanceof Frame.Kill k) {
                return "KILL id=" + utf8(k.id()) + " request=" + Long.toHexString(k.requestId());
            } else if (f instanceof Frame.KillAck a) {
                return "KILL_ACK id=" + utf8(a.id()) + " outcome=" + (a.outcome() == 1 ? "CANCELLED" : "ALREADY_FIRED")
                        + " request=" + Long.toHexString(a.requestId()) + " canceller=" + Long.toHexString(a.cancellerId());
            } else if (f instanceof Frame.Heartbeat h) {
                return "HEARTBEAT liveTimers=" + h.liveTimers() + " intervalMs=" + h.intervalMs();
            } else if (f instanceof Frame.Fired fi) {
                return "FIRED id=" + utf8(fi.id()) + " owner=" + Long.toHexString(fi.ownerId());
            }
            return "UNKNOWN type=" + ((Frame.Unknown) f).type();
        }

        private static String utf8(byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    @Command(name = "schedule", mixinStandardHelpOptions = true,
            description = "Arm a timer owned by this process, wait until it fires or is cancelled from elsewhere.")
    static final class Schedule implements Callable<Integer> {
        @Mixin
        NodeOptions net;

        @Parameters(index = "0", description = "Timer id.")
        String id;

        @Parameters(index = "1", description = "Delay, e.g. 10s.", converter = DurationConverter.class)
        Duration delay;

        @Option(names = "--payload", description = "Text handed back on expiry.")
        String payload;

        @Override
        public Integer call() throws Exception {
            try (WheelcastNode node = net.builder().start()) {
                CountDownLatch fired = new CountDownLatch(1);
                node.onExpire(e -> {
                    System.out.println("fired " + e.idAsString() + " late_by_ms=" + e.lateByMs()
                            + (e.payload().length > 0 ? " payload=" + new String(e.payload(), StandardCharsets.UTF_8) : ""));
                    fired.countDown();
                }, Runnable::run);
                ScheduleOutcome o = node.schedule(id.getBytes(StandardCharsets.UTF_8), delay.toMillis(),
                        payload == null ? null : payload.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(5, TimeUnit.SECONDS);
                System.out.println(o.name().toLowerCase() + " " + id + " owner=" + Long.toHexString(node.nodeId())
                        + " transport=" + node.transport() + (node.unicast() ? " unicast=" + node.localAddress() : " iface=" + node.networkInterface().getName()));
                if (o == ScheduleOutcome.PRE_CANCELLED) {
                    return 0;
                }
                long end = System.nanoTime() + delay.toNanos() + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() < end) {
                    if (fired.await(20, TimeUnit.MILLISECONDS)) {
                        return 0;
                    }
                    if (node.stats().get(io.wheelcast.engine.Counter.TIMERS_CANCELLED_REMOTELY) > 0) {
                        System.out.println("cancelled " + id + " by a remote kill");
                        Thread.sleep(200); // let retransmitted kills be answered
                        return 0;
                    }
                }
                return fired.getCount() == 0 ? 0 : 1;
            }
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true,
            description = "Cancel a timer wherever it lives; prints the outcome. Exit 0 cancelled, 3 already fired, 4 not found, 5 unconfirmed.")
    static final class Kill implements Callable<Integer> {
        @Mixin
        NodeOptions net;

        @Parameters(index = "0", description = "Timer id.")
        String id;

        @Override
        public Integer call() throws Exception {
            try (WheelcastNode node = net.builder().start()) {
                long t0 = System.nanoTime();
                CancelOutcome o = node.cancel(id).toCompletableFuture().get(net.cancelTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
                double ms = (System.nanoTime() - t0) / 1e6;
                System.out.printf("%s %s owner=%s in %.1f ms%n", o.status(), id,
                        o.ownerId() == 0 ? "-" : Long.toHexString(o.ownerId()), ms);
                return switch (o.status()) {
                    case CANCELLED -> 0;
                    case ALREADY_FIRED -> 3;
                    case NOT_FOUND -> 4;
                    case UNCONFIRMED -> 5;
                };
            }
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Join the group for a while and print the node's counters.")
    static final class Stats implements Callable<Integer> {
        @Mixin
        NodeOptions net;

        @Option(names = "--duration", description = "How long to listen (default: ${DEFAULT-VALUE}).", defaultValue = "3s",
                converter = DurationConverter.class)
        Duration duration;

        @Override
        public Integer call() throws Exception {
            try (WheelcastNode node = net.builder().start()) {
                Thread.sleep(duration.toMillis());
                System.out.println(node.stats());
            }
            return 0;
        }
    }
}
