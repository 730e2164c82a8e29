package io.wheelcast.examples;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 6-host job-timeout scenario on a simulated LAN (scripts/lan.sh), with and without kernel
 * level datagram loss. Needs root, unshare, ip and nft; skipped with the reason otherwise.
 */
class LanScenarioIT {
    private static final Path SCRIPT = Path.of("../scripts/lan.sh");

    @BeforeAll
    static void requireRootAndTools() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "skipped: the simulated LAN needs root (network namespaces, veths, a bridge)");
        for (String tool : List.of("unshare", "ip", "nft", "curl")) {
            Process p = new ProcessBuilder("sh", "-c", "command -v " + tool).start();
            Assumptions.assumeTrue(p.waitFor() == 0, "skipped: " + tool + " is not installed (scripts/test.sh installs it)");
        }
        Assumptions.assumeTrue(Files.exists(Path.of("target/wheelcast-node.jar")), "skipped: shaded jar not built");
    }

    @ParameterizedTest(name = "loss {0}%")
    @ValueSource(ints = {30})
    void sixHostsThreeHundredJobsVerdictIsOk(int loss) throws Exception {
        List<String> out = run("--scenario", "--hosts", "6", "--jobs", "300", "--loss", String.valueOf(loss));
        String last = out.get(out.size() - 1);
        // A cancel that a slow CI machine delivers after its job's deadline is answered 409 and
        // the job emailed: still correct, so only the verdict and the zero "wrong" are asserted.
        assertThat(last).as(String.join("\n", out)).startsWith("verdict: OK jobs=300 ").contains(" wrong=0 ");
    }

    /** SIGKILL one host after its jobs start: the survivors email its uncancelled jobs exactly once, and no cancelled one. */
    @ParameterizedTest(name = "loss {0}%")
    @ValueSource(ints = {10})
    void aHostKilledMidRunLosesNoJob(int loss) throws Exception {
        List<String> out = run("--scenario", "--kill-host", "--hosts", "6", "--jobs", "300", "--loss", String.valueOf(loss));
        String all = String.join("\n", out);
        String verdict = out.stream().filter(l -> l.startsWith("verdict")).findFirst().orElse("no verdict line");
        assertThat(verdict).as(all).startsWith("verdict: OK jobs=300 ").contains(" wrong=0 ");
        assertThat(all).containsPattern("emailed by survivors +[1-9]");
    }

    /**
     * A LAN that carries no multicast (the bridge drops it; nftables counts what it dropped):
     * the nodes run in unicast mode and find each other through a real DNS server, with and
     * without a host killed mid-run.
     */
    @ParameterizedTest(name = "kill a host: {0}")
    @ValueSource(booleans = {true}) // without a kill: the 24-host run below
    void withoutMulticastNodesFindEachOtherThroughDnsAndTheVerdictIsOk(boolean killHost) throws Exception {
        Process dnsmasq = new ProcessBuilder("sh", "-c", "command -v dnsmasq").start();
        Assumptions.assumeTrue(dnsmasq.waitFor() == 0, "skipped: dnsmasq is not installed (scripts/test.sh installs dnsmasq-base)");
        List<String> args = new ArrayList<>(List.of("--scenario", "--no-multicast", "--hosts", "6", "--jobs", "300"));
        if (killHost) {
            args.add("--kill-host");
        }
        List<String> out = run(args.toArray(new String[0]));
        String all = String.join("\n", out);
        assertThat(out.get(out.size() - 1)).as(all).startsWith("verdict: OK jobs=300 ").contains(" wrong=0 ");
        assertThat(all).containsPattern("multicast frames dropped by the bridge: \\d+")
                .containsPattern("h3 live_members=" + (killHost ? 4 : 5));
        if (killHost) {
            assertThat(all).containsPattern("emailed by survivors +[1-9]");
        }
    }

    /** Two subnets joined by a router that forwards no multicast: unicast mode with a seed on each side. */
    @org.junit.jupiter.api.Test
    void acrossTwoRoutedSubnetsUnicastNodesFormOneCluster() throws Exception {
        List<String> out = run("--scenario", "--subnets", "2", "--hosts", "6", "--jobs", "300");
        String all = String.join("\n", out);
        assertThat(out.get(out.size() - 1)).as(all).startsWith("verdict: OK jobs=300 ").contains(" wrong=0 ");
        assertThat(all).contains("two subnets").containsPattern("h1 live_members=5").containsPattern("h6 live_members=5");
    }

    /**
     * Twenty-four hosts on a LAN without multicast (DNS discovery), bounded replicas at the
     * default k = 2: after the verdict, 200 ten-minute jobs per host stay armed, and no host
     * keeps more than 1.25 x 200 x 2 replicas (every timer on every host would be 4,600).
     */
    @org.junit.jupiter.api.Test
    void twentyFourHostsWithoutMulticastKeepTheirReplicasBounded() throws Exception {
        Process dnsmasq = new ProcessBuilder("sh", "-c", "command -v dnsmasq").start();
        Assumptions.assumeTrue(dnsmasq.waitFor() == 0, "skipped: dnsmasq is not installed (scripts/test.sh installs dnsmasq-base)");
        List<String> out = run("--scenario", "--no-multicast", "--hosts", "24", "--jobs", "300", "--hold-jobs", "200");
        String all = String.join("\n", out);
        assertThat(out.get(out.size() - 1)).as(all).startsWith("verdict: OK jobs=300 ").contains(" wrong=0 ");
        assertThat(all).contains("memory: OK").containsPattern("h24 +live_timers=200 +replicas=\\d+ +heap_after_gc_mb=\\d")
                .containsPattern("h17 live_members=23");
    }

    /**
     * The nemesis run for two minutes (scripts/chaos.sh): crashes and restarts, pauses,
     * partitions and loss bursts while jobs flow; the auditor checks every job's emails against
     * the HTTP answers. Multicast; the unicast run is scripts/chaos.sh --unicast.
     */
    @org.junit.jupiter.api.Test
    void twoMinutesOfCrashesPausesPartitionsAndLossBurstsBreakNoGuarantee() throws Exception {
        List<String> cmd = List.of(SCRIPT.toAbsolutePath().normalize().resolveSibling("chaos.sh").toString(),
                "--duration", "2m", "--seed", "7");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = out.lines().toList();
        assertThat(lines.get(lines.size() - 1)).as(out).startsWith("chaos verdict: OK ");
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("nemesis: start (crash|pause|partition|loss)");
    }

    @org.junit.jupiter.api.Test
    void aKeylessAttackerReplayingAndForgingChangesNothing() throws Exception {
        List<String> out = run("--scenario", "--hosts", "6", "--jobs", "300", "--attacker");
        String last = out.get(out.size() - 1);
        assertThat(last).as(String.join("\n", out))
                .startsWith("verdict (under attack): OK jobs=300 ").contains(" wrong=0 ");
        assertThat(String.join("\n", out)).contains("attack: captured=").containsPattern("reject_auth_missing=[1-9]");
    }

    private static List<String> run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(SCRIPT.toAbsolutePath().normalize().toString());
        cmd.addAll(List.of(args));
        if (!cmd.contains("--hold-jobs")) {
            cmd.addAll(List.of("--hold-jobs", "0")); // the memory report costs a GC per host: one test runs it
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue(); // 24 JVMs start slowly on 2 cores
        lines.add("exit=" + p.exitValue());
        List<String> withoutExit = lines.subList(0, lines.size() - 1);
        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        return withoutExit.isEmpty() ? lines : new ArrayList<>(withoutExit);
    }
}
