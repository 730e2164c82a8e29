package io.wheelcast.engine;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two JVMs, one group: a cancel crosses process boundaries in both directions. */
class SeparateJvmTest {
    @Test
    void cancelAcrossJvms() throws Exception {
        int port = TestNetwork.port();
        long cluster = 77;
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr",
                "-cp", System.getProperty("java.class.path"),
                ChildNodeMain.class.getName(), String.valueOf(port), String.valueOf(cluster))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (WheelcastNode parent = TestNetwork.builder(port, cluster).start();
             BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String hello = out.readLine();
            assertThat(hello).startsWith("node ");
            long childId = Long.parseUnsignedLong(hello.substring(5), 16);

            in.println("schedule in-child 10000");
            assertThat(out.readLine()).isEqualTo("scheduled ARMED");
            CancelOutcome o = parent.cancel("in-child").toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(o).isEqualTo(new CancelOutcome(CancelOutcome.Status.CANCELLED, childId));

            parent.schedule("in-parent", Duration.ofMillis(100)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            Thread.sleep(400);
            in.println("cancel in-parent");
            assertThat(out.readLine()).isEqualTo("cancel ALREADY_FIRED " + Long.toHexString(parent.nodeId()));
            in.println("quit");
            assertThat(child.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
        } finally {
            child.destroyForcibly();
        }
    }
}
