package io.wheelcast.engine;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's example runs, and the README shows exactly this code. */
class ReadmeExampleTest {
    interface Mailer {
        void jobFailed(String jobId);
    }

    @Test
    void readmeExampleRunsAndIsVerbatimInTheReadme() throws Exception {
        String iface = TestNetwork.iface();
        int ttl = 0;
        int port = TestNetwork.port();
        List<String> mails = new CopyOnWriteArrayList<>();
        Mailer mailer = mails::add;
        Executor mailExecutor = Runnable::run;
        // readme:begin
        try (WheelcastNode node = WheelcastNode.builder()
                .group("239.255.42.99").port(port)
                .networkInterface(iface)   // "eth1" or "10.0.0.5"; null = first multicast NIC
                .ttl(ttl)                  // 1 = this LAN segment (default), 0 = this host
                .clusterId(42)
                .start()) {
            node.onExpire(e -> mailer.jobFailed(e.idAsString()), mailExecutor);
            node.schedule("job-42", Duration.ofMinutes(10));
            // ... the user cancels; on a real cluster this call may run on any node:
            CancelOutcome outcome = node.cancel("job-42").toCompletableFuture().join();
            System.out.println(outcome.status() + " by " + Long.toHexString(outcome.ownerId()));
            assertThat(outcome.status()).isEqualTo(CancelOutcome.Status.CANCELLED);
        }
        // readme:end
        assertThat(mails).isEmpty();

        Path source = Path.of("src/test/java/io/wheelcast/engine/ReadmeExampleTest.java");
        List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
        int begin = lines.indexOf("        // readme:begin");
        int end = lines.indexOf("        // readme:end");
        String example = lines.subList(begin + 1, end).stream()
                .filter(l -> !l.contains("assertThat"))
                .map(l -> l.substring(Math.min(8, l.length())))
                .collect(Collectors.joining("\n"));
        String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        assertThat(readme).as("README.md must show the example from ReadmeExampleTest verbatim").contains(example);
    }
}
