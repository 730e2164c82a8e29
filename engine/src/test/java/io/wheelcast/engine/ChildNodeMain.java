package io.wheelcast.engine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A node in its own JVM for {@link SeparateJvmTest}: reads commands from stdin
 * ({@code schedule ID MS}, {@code cancel ID}, {@code quit}) and prints one result line each.
 */
public final class ChildNodeMain {
    private ChildNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long cluster = Long.parseLong(args[1]);
        try (WheelcastNode node = TestNetwork.builder(port, cluster).start()) {
            System.out.println("node " + Long.toHexString(node.nodeId()));
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] p = line.trim().split(" ");
                switch (p[0]) {
                    case "schedule" -> System.out.println("scheduled " + node.schedule(p[1], Duration.ofMillis(Long.parseLong(p[2])))
                            .toCompletableFuture().get(5, TimeUnit.SECONDS));
                    case "cancel" -> {
                        CancelOutcome o = node.cancel(p[1]).toCompletableFuture().get(10, TimeUnit.SECONDS);
                        System.out.println("cancel " + o.status() + " " + Long.toHexString(o.ownerId()));
                    }
                    case "quit" -> {
                        return;
                    }
                    default -> System.out.println("error unknown command " + p[0]);
                }
                System.out.flush();
            }
        }
    }
}
