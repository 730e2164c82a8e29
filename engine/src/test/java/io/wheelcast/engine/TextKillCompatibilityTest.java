package io.wheelcast.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Migrating from the 25-line snippet: text kills are understood and can be emitted. */
class TextKillCompatibilityTest {
    private final List<WheelcastNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(WheelcastNode::close);
    }

    @Test
    void aPlainTextKillFromTheClassicSnippetCancelsAJob() throws Exception {
        int port = TestNetwork.port();
        WheelcastNode owner = TestNetwork.builder(port, 9).acceptTextKills(true).start();
        nodes.add(owner);
        java.util.List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        owner.onRemoteCancel((id, by) -> told.add(new String(id, StandardCharsets.UTF_8) + " by " + by), Runnable::run);
        owner.schedule("job-text", Duration.ofSeconds(10)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        try (DatagramChannel snippet = DatagramChannel.open(StandardProtocolFamily.INET)) {
            snippet.setOption(StandardSocketOptions.IP_MULTICAST_IF, owner.networkInterface());
            snippet.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 0);
            snippet.send(ByteBuffer.wrap("kill:job-text\n".getBytes(StandardCharsets.UTF_8)), owner.groupAddress());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (owner.stats().get(Counter.TIMERS_CANCELLED_REMOTELY) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(owner.stats().get(Counter.TEXT_KILLS_IN)).isEqualTo(1);
        assertThat(owner.stats().get(Counter.TIMERS_CANCELLED_REMOTELY)).isEqualTo(1);
        Thread.sleep(50);
        assertThat(told).containsExactly("job-text by 0");
        assertThat(owner.cancel("job-text").toCompletableFuture().get().status()).isEqualTo(CancelOutcome.Status.CANCELLED);
    }

    @Test
    void aNodeCanAlsoEmitTextKillsForSnippetNodes() throws Exception {
        int port = TestNetwork.port();
        WheelcastNode canceller = TestNetwork.builder(port, 9).emitTextKills(true)
                .cancelTimeout(Duration.ofMillis(200)).start();
        nodes.add(canceller);
        NetworkInterface ni = canceller.networkInterface();
        try (DatagramChannel snippet = DatagramChannel.open(StandardProtocolFamily.INET)) {
            snippet.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            snippet.bind(new InetSocketAddress(port));
            snippet.join(canceller.groupAddress().getAddress(), ni);
            snippet.configureBlocking(true);
            canceller.cancel("legacy-job");
            ByteBuffer in = ByteBuffer.allocate(2048);
            String text = null;
            for (int i = 0; i < 20 && text == null; i++) {
                in.clear();
                snippet.receive(in);
                in.flip();
                String s = StandardCharsets.UTF_8.decode(in).toString();
                if (s.startsWith("kill:")) {
                    text = s;
                }
            }
            assertThat(text).isEqualTo("kill:legacy-job");
        }
        // Text kills are off by default: a plain node drops and counts them.
        WheelcastNode strict = TestNetwork.builder(port, 9).start();
        nodes.add(strict);
        canceller.cancel("legacy-2");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (strict.stats().rejectedDatagrams() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(strict.stats().get(Counter.REJECT_TOO_SHORT)).as("16-byte text datagram").isPositive();
        assertThat(strict.stats().get(Counter.TEXT_KILLS_IN)).isZero();
    }
}
