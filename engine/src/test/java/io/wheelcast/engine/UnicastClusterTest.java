package io.wheelcast.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Unicast mode on loopback, each node on its own 127.0.0.x address and no multicast at all:
 * discovery from seeds (one of them the node itself) and from a DNS server the test runs, a
 * member known only through another member's list, a late joiner, a leaver, and the bad
 * settings a user can give.
 */
class UnicastClusterTest {
    private final List<WheelcastNode> nodes = new ArrayList<>();
    private final long cluster = ThreadLocalRandom.current().nextLong(1, 0xFFFF_FFFFL);

    @AfterEach
    void closeAll() {
        nodes.forEach(WheelcastNode::close);
    }

    private WheelcastNodeBuilder node(int lastOctet, int port) {
        TestNetwork.iface(); // sockets only where the test namespace allows them
        return WheelcastNode.builder().unicast().bindAddress("127.0.0." + lastOctet).port(port).clusterId(cluster)
                .heartbeatInterval(Duration.ofMillis(200));
    }

    private WheelcastNode start(WheelcastNodeBuilder b) {
        WheelcastNode n = b.start();
        nodes.add(n);
        return n;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as(what + " within 10 s").isTrue();
    }

    private static long stat(WheelcastNode n, Counter c) {
        return n.stats().get(c);
    }

    @Test
    void seedsFormAClusterThroughMemberListsAndTheContractHolds() throws Exception {
        int port = TestNetwork.port();
        WheelcastNode a = start(node(1, port).seeds("127.0.0.1:" + port)); // its own address: recognised, skipped
        WheelcastNode b = start(node(2, port).seeds("127.0.0.1:" + port));
        WheelcastNode c = start(node(3, port).seeds("127.0.0.2:" + port)); // knows b only: finds a through lists
        await("every node sees the other two", () -> nodes.stream().allMatch(n -> stat(n, Counter.LIVE_MEMBERS) == 2));
        assertThat(a.unicast()).isTrue();
        assertThat(a.networkInterface()).as("unicast needs no multicast interface").isNull();
        assertThat(a.localAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", port));
        assertThat(stat(a, Counter.SEEDS_SELF)).as("a's seed is a itself").isEqualTo(1);
        assertThat(stat(a, Counter.FRAMES_IN_MEMBERS)).isPositive();

        List<String> fired = new CopyOnWriteArrayList<>();
        a.onExpire(e -> fired.add(e.idAsString()), Runnable::run);
        assertThat(a.schedule("job-cancel", Duration.ofSeconds(5)).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isEqualTo(ScheduleOutcome.ARMED);
        a.schedule("job-fire", Duration.ofMillis(300)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(c.cancel("job-cancel").toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isEqualTo(new CancelOutcome(CancelOutcome.Status.CANCELLED, a.nodeId()));
        await("job-fire fires on its owner", () -> fired.contains("job-fire"));
        assertThat(b.cancel("job-fire").toCompletableFuture().get(5, TimeUnit.SECONDS).status())
                .isEqualTo(CancelOutcome.Status.ALREADY_FIRED);
        assertThat(fired).containsExactly("job-fire");
        for (WheelcastNode n : nodes) {
            NodeStats s = n.stats();
            assertThat(s.get(Counter.UNICAST_DESTINATIONS)).as("%x sends to the two others", n.nodeId()).isEqualTo(2);
            assertThat(s.rejectedDatagrams()).isZero();
        }
    }

    /**
     * Four members, k = 1: each SCHEDULE travels to its one holder only (not to all three
     * others), the holder's REPLICATED to the owner only, and a cancel from any member still
     * reaches the owner (the KILL goes to everyone) and is answered.
     */
    @Test
    void framesForOneNodeTravelToThatNodeOnly() throws Exception {
        int port = TestNetwork.port();
        WheelcastNode a = start(node(1, port).seeds("127.0.0.2:" + port).replicas(1));
        for (int i = 2; i <= 4; i++) {
            start(node(i, port).seeds("127.0.0.1:" + port).replicas(1));
        }
        await("every node sees the other three", () -> nodes.stream().allMatch(n -> stat(n, Counter.LIVE_MEMBERS) == 3));
        int timers = 300;
        for (int i = 0; i < timers; i++) {
            a.schedule("direct-" + i, Duration.ofSeconds(30)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        await("every timer replicated", () -> stat(a, Counter.UNREPLICATED_TIMERS) == 0
                && nodes.stream().mapToLong(n -> stat(n, Counter.REPLICAS)).sum() == timers);
        long schedulesIn = 0;
        long replicatedIn = 0;
        for (WheelcastNode n : nodes.subList(1, 4)) {
            schedulesIn += stat(n, Counter.FRAMES_IN_SCHEDULE);
            replicatedIn += stat(n, Counter.FRAMES_IN_REPLICATED);
        }
        String figures = "schedule_frames_in=" + schedulesIn + " replicated_frames_in_elsewhere=" + replicatedIn
                + " direct_datagrams_out=" + stat(a, Counter.DIRECT_DATAGRAMS_OUT) + " address_unknown=" + stat(a, Counter.DIRECT_ADDRESS_UNKNOWN);
        assertThat(schedulesIn).as("one holder each, re-sends aside: " + figures).isBetween((long) timers, timers + 30L);
        assertThat(replicatedIn).as("acknowledgements go to the owner only: " + figures).isZero();
        assertThat(stat(a, Counter.DIRECT_DATAGRAMS_OUT)).as(figures).isPositive();
        assertThat(stat(a, Counter.FRAMES_IN_REPLICATED)).as(figures).isGreaterThanOrEqualTo(timers);
        for (int i = 0; i < 30; i++) {
            assertThat(nodes.get(1 + i % 3).cancel("direct-" + i).toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isEqualTo(new CancelOutcome(CancelOutcome.Status.CANCELLED, a.nodeId()));
        }
    }

    @Test
    void aLateJoinerIsFoundAndALeaversTimersAreTakenOver() throws Exception {
        int port = TestNetwork.port();
        WheelcastNode a = start(node(4, port).seeds("127.0.0.4:" + port));
        WheelcastNode b = start(node(5, port).seeds("127.0.0.4:" + port));
        await("a and b see each other", () -> stat(a, Counter.LIVE_MEMBERS) == 1 && stat(b, Counter.LIVE_MEMBERS) == 1);
        WheelcastNode late = start(node(6, port).seeds("127.0.0.5:" + port));
        await("the late joiner is seen by all", () -> nodes.stream().allMatch(n -> stat(n, Counter.LIVE_MEMBERS) == 2));

        List<String> fired = new CopyOnWriteArrayList<>();
        a.onExpire(e -> fired.add("a:" + e.idAsString()), Runnable::run);
        late.onExpire(e -> fired.add("late:" + e.idAsString()), Runnable::run);
        b.schedule("moved", Duration.ofMillis(1500)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        await("b's timer is replicated", () -> stat(b, Counter.UNREPLICATED_TIMERS) == 0
                && stat(a, Counter.REPLICAS) + stat(late, Counter.REPLICAS) >= 1);
        b.close(); // goodbye: the survivors adopt at once
        nodes.remove(b);
        await("a and the late joiner saw b leave", () -> stat(a, Counter.MEMBERS_LEFT) == 1 && stat(late, Counter.MEMBERS_LEFT) == 1);
        await("b's timer fires on exactly one survivor", () -> fired.size() == 1);
        Thread.sleep(300);
        assertThat(fired).hasSize(1).allMatch(f -> f.endsWith(":moved"));
    }

    @Test
    void dnsDiscoveryFindsTheMembersFromTheNamesRecords() throws Exception {
        int port = TestNetwork.port();
        List<InetAddress> records = List.of(InetAddress.getByName("127.0.0.11"), InetAddress.getByName("127.0.0.12"),
                InetAddress.getByName("127.0.0.13"));
        try (DnsTestServer dns = new DnsTestServer("wheelcast.test", new InetSocketAddress("127.0.0.1", 0), records)) {
            String server = "127.0.0.1:" + dns.address().getPort();
            for (int i = 11; i <= 13; i++) {
                start(node(i, port).dnsDiscovery("wheelcast.test", port, Duration.ofMillis(300)).dnsServer(server));
            }
            await("the three find each other through DNS", () -> nodes.stream().allMatch(n -> stat(n, Counter.LIVE_MEMBERS) == 2));
            WheelcastNode owner = nodes.get(2);
            owner.schedule("dns-job", Duration.ofSeconds(5)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(nodes.get(0).cancel("dns-job").toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isEqualTo(new CancelOutcome(CancelOutcome.Status.CANCELLED, owner.nodeId()));
            int asked = dns.queries();
            await("the name is resolved again every refresh", () -> dns.queries() >= asked + 3);
            assertThat(nodes).allMatch(n -> stat(n, Counter.DISCOVERY_FAILURES) == 0);
        }
    }

    @Test
    void aNameThatAnswersNothingIsRetriedAndCountedAndTheNodeStartsAnyway() throws Exception {
        int port = TestNetwork.port();
        try (DnsTestServer dns = new DnsTestServer("elsewhere.test", new InetSocketAddress("127.0.0.1", 0), List.of())) {
            WheelcastNode alone = start(node(21, port).seeds("nobody.test:" + port).discoveryRefresh(Duration.ofMillis(200))
                    .dnsServer("127.0.0.1:" + dns.address().getPort()));
            assertThat(alone.schedule("solo", Duration.ofSeconds(5)).toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isEqualTo(ScheduleOutcome.ARMED);
            await("failed lookups are counted and retried", () -> stat(alone, Counter.DISCOVERY_FAILURES) >= 2);
            await("datagrams with nowhere to go are counted", () -> stat(alone, Counter.DATAGRAMS_UNADDRESSED) > 0);
            // A peer that knows this node appears: they join without a restart.
            WheelcastNode peer = start(node(22, port).seeds("127.0.0.21:" + port));
            await("the peer joins the lone node", () -> stat(alone, Counter.LIVE_MEMBERS) == 1 && stat(peer, Counter.LIVE_MEMBERS) == 1);
        }
    }

    @Test
    void badUnicastSettingsFailFastWithClearMessages() {
        assertThatThrownBy(() -> WheelcastNode.builder().unicast().start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unicast mode needs seeds(...) or dnsDiscovery(...)");
        assertThatThrownBy(() -> WheelcastNode.builder().seeds("127.0.0.1:4000").start())
                .hasMessageContaining("apply to unicast mode: call unicast()");
        assertThatThrownBy(() -> WheelcastNode.builder().unicast().seeds("no-port"))
                .hasMessageContaining("seed must be host:port");
        assertThatThrownBy(() -> WheelcastNode.builder().unicast().seeds("host:99999"))
                .hasMessageContaining("seed port must be in [1, 65535]");
        assertThatThrownBy(() -> WheelcastNode.builder().unicast().dnsServer("dns.example:53"))
                .hasMessageContaining("dnsServer must be an IP address and port");
        assertThatThrownBy(() -> WheelcastNode.builder().unicast().bindAddress("localhost"))
                .hasMessageContaining("bindAddress must be an IP address");
    }
}
