package io.wheelcast.engine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A node in its own JVM for {@link SeparateJvmTest} and {@link ProcessFailoverTest}: reads
 * commands from stdin ({@code schedule ID MS}, {@code cancel ID}, {@code arm N FROM_MS SPREAD_MS},
 * {@code stat COUNTER}, {@code quit}) and prints one result line each; prints
 * {@code fired ID} for every timer that expires here.
 *
 * <p>Arguments: port, cluster id, and optionally heartbeat interval and failure timeout in ms,
 * and a loopback address to bind in unicast mode.
 */
public final class ChildNodeMain {
    private ChildNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long cluster = Long.parseLong(args[1]);
        // A fifth argument: unicast mode, bound to that loopback address, with 127.0.0.1 as the seed.
        WheelcastNodeBuilder builder = args.length >= 5 && !args[4].isEmpty()
                ? WheelcastNode.builder().unicast().bindAddress(args[4]).port(port).clusterId(cluster).seeds("127.0.0.1:" + port)
                : TestNetwork.builder(port, cluster);
        if (args.length >= 4) {
            builder.heartbeatInterval(Duration.ofMillis(Long.parseLong(args[2])))
                    .failureTimeout(Duration.ofMillis(Long.parseLong(args[3])));
        }
        PrintStream out = System.out;
        try (WheelcastNode node = builder.start()) {
            node.onExpire(e -> {
                synchronized (out) {
                    out.println("fired " + e.idAsString() + " " + (e.adopted() ? "adopted" : "own") + " " + e.lateByMs());
                    out.flush();
                }
            }, Runnable::run);
            say(out, "node " + Long.toHexString(node.nodeId()));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] p = line.trim().split(" ");
                switch (p[0]) {
                    case "schedule" -> say(out, "scheduled " + node.schedule(p[1], Duration.ofMillis(Long.parseLong(p[2])))
                            .toCompletableFuture().get(5, TimeUnit.SECONDS));
                    case "cancel" -> {
                        CancelOutcome o = node.cancel(p[1]).toCompletableFuture().get(10, TimeUnit.SECONDS);
                        say(out, "cancel " + o.status() + " " + Long.toHexString(o.ownerId()));
                    }
                    case "arm" -> {
                        int n = Integer.parseInt(p[1]);
                        long from = Long.parseLong(p[2]);
                        long spread = Long.parseLong(p[3]);
                        CompletableFuture<?>[] all = new CompletableFuture<?>[n];
                        for (int i = 0; i < n; i++) {
                            all[i] = node.schedule("t-" + i, Duration.ofMillis(from + (i * 7919L) % spread)).toCompletableFuture();
                        }
                        CompletableFuture.allOf(all).get(30, TimeUnit.SECONDS);
                        say(out, "armed " + n);
                    }
                    case "stat" -> say(out, "stat " + node.stats().get(Counter.valueOf(p[1])));
                    case "quit" -> {
                        return;
                    }
                    default -> say(out, "error unknown command " + p[0]);
                }
            }
        }
    }

    private static void say(PrintStream out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
