package io.wheelcast.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover with real processes and sockets: four nodes, each in its own JVM ({@link ChildNodeMain}).
 * The owner of 10,000 timers is killed with SIGKILL (no goodbye), or stopped with SIGSTOP past
 * the failure timeout and resumed with SIGCONT. Every timer must fire exactly once across the
 * four processes.
 */
@Timeout(150)
class ProcessFailoverTest {
    private static final int TIMERS = 10_000;
    private static final long HEARTBEAT_MS = 200;
    private static final long FAILURE_TIMEOUT_MS = 1_000;

    private final List<Child> nodes = new ArrayList<>();
    private final Map<String, Integer> fires = new ConcurrentHashMap<>();
    private final List<Long> adoptedLateMs = Collections.synchronizedList(new ArrayList<>());
    /** When the test read each "fired ID own" line (only the owner arms timers): at or after the fire. */
    private final Map<String, Long> ownFiredReadAtNanos = new ConcurrentHashMap<>();

    /** One node process: its stdin, and its answer lines (fired lines are counted instead). */
    private final class Child {
        final Process process;
        final PrintWriter in;
        final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

        Child(int port, long cluster, String unicastAddress) throws IOException {
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            // stdout is the child's answer channel: the JVM's own warnings go to stderr, and no
            // hsperfdata file is made (a stale or foreign one made the JVM print a warning first).
            // -Dwheelcast.child.log=debug: each child logs its takeover decisions to stderr
            process = new ProcessBuilder(java, "-Xmx256m", "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr",
                    "-Dorg.slf4j.simpleLogger.log.io.wheelcast.engine.protocol.Failover=" + System.getProperty("wheelcast.child.log", "warn"),
                    "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                    "-Dorg.slf4j.simpleLogger.showThreadName=false", "-Dwheelcast.child.port=" + port,
                    "-cp", System.getProperty("java.class.path"), ChildNodeMain.class.getName(),
                    String.valueOf(port), String.valueOf(cluster), String.valueOf(HEARTBEAT_MS), String.valueOf(FAILURE_TIMEOUT_MS),
                    unicastAddress == null ? "" : unicastAddress)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Thread reader = new Thread(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("fired ")) {
                            String[] p = line.split(" ");
                            fires.merge(p[1], 1, Integer::sum);
                            if (p[2].equals("own")) {
                                ownFiredReadAtNanos.put(p[1], System.nanoTime());
                            }
                            if (p[2].equals("adopted")) {
                                adoptedLateMs.add(Long.parseLong(p[3]));
                            }
                        } else {
                            answers.add(line);
                        }
                    }
                } catch (IOException ignored) {
                    // the process was killed
                }
            }, "child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        String ask(String command) throws InterruptedException {
            in.println(command);
            String answer = answers.poll(30, TimeUnit.SECONDS);
            assertThat(answer).as("answer to " + command).isNotNull();
            return answer;
        }

        long stat(Counter c) throws InterruptedException {
            String a = ask("stat " + c.name());
            assertThat(a).startsWith("stat ");
            return Long.parseLong(a.substring(5));
        }

        void signal(String signal) throws Exception {
            assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor()).isZero();
        }
    }

    @AfterEach
    void stop() {
        nodes.forEach(c -> c.process.destroyForcibly());
    }

    /** Four nodes: multicast, or unicast bound to 127.0.0.1-4 with 127.0.0.1 as everyone's seed. */
    private Child startCluster(long cluster, boolean unicast) throws Exception {
        int port = TestNetwork.port();
        for (int i = 0; i < 4; i++) {
            nodes.add(new Child(port, cluster, unicast ? "127.0.0." + (i + 1) : null));
        }
        for (Child c : nodes) {
            assertThat(c.answers.poll(30, TimeUnit.SECONDS)).startsWith("node ");
        }
        long end = System.currentTimeMillis() + 10_000;
        for (Child c : nodes) {
            while (c.stat(Counter.LIVE_MEMBERS) < 3 && System.currentTimeMillis() < end) {
                Thread.sleep(50);
            }
        }
        Child owner = nodes.get(0);
        assertThat(owner.stat(Counter.LIVE_MEMBERS)).isEqualTo(3);
        return owner;
    }

    /** Until every timer of the owner has a replica on another node (the gauge refreshes every 250 ms). */
    private static void awaitReplicated(Child owner) throws InterruptedException {
        Thread.sleep(300); // the gauge read right after arming may predate the arming
        long end = System.currentTimeMillis() + 15_000;
        long unreplicated;
        while ((unreplicated = owner.stat(Counter.UNREPLICATED_TIMERS)) > 0 && System.currentTimeMillis() < end) {
            Thread.sleep(100);
        }
        assertThat(unreplicated).as("owner's unreplicated timers").isZero();
    }

    private long sum(List<Child> children, Counter c) throws InterruptedException {
        long n = 0;
        for (Child child : children) {
            n += child.stat(c);
        }
        return n;
    }

    private void awaitAllFired(long maxMs) throws InterruptedException {
        long end = System.currentTimeMillis() + maxMs;
        while (System.currentTimeMillis() < end && fires.size() < TIMERS) {
            Thread.sleep(100);
        }
        Thread.sleep(1_500); // a double would show up here
    }

    private String figures() {
        int lost = 0;
        int doubled = 0;
        for (int i = 0; i < TIMERS; i++) {
            int n = fires.getOrDefault("t-" + i, 0);
            lost += n == 0 ? 1 : 0;
            doubled += n > 1 ? 1 : 0;
        }
        List<Long> late = new ArrayList<>(adoptedLateMs);
        late.sort(null);
        long p99 = late.isEmpty() ? 0 : late.get(Math.min(late.size() - 1, (int) (late.size() * 0.99)));
        long max = late.isEmpty() ? 0 : late.get(late.size() - 1);
        return "lost=" + lost + " doubled=" + doubled + " adopted_fired=" + late.size() + " late_p99_ms=" + p99 + " late_max_ms=" + max;
    }

    @ParameterizedTest(name = "unicast={0}")
    @ValueSource(booleans = {false, true})
    void sigkilledOwnersTimersFireExactlyOnceOnTheSurvivors(boolean unicast) throws Exception {
        Child owner = startCluster(unicast ? 93 : 91, unicast);
        // Deadlines 1.5-7.5 s out: some fall due while the death is being detected and fire late.
        // (A child prints "fired" in its listener, before its FIRED datagram leaves, so a kill cannot hide a fire.)
        assertThat(owner.ask("arm " + TIMERS + " 1500 6000")).isEqualTo("armed " + TIMERS);
        awaitReplicated(owner);
        long killedAt = System.nanoTime();
        owner.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
        List<Child> survivors = nodes.subList(1, 4);
        awaitAllFired(30_000);
        // The documented last-instant exception (docs/operations.md, "Guarantees"): the owner ran a
        // listener (and printed "fired") just before the SIGKILL, and died before the FIRED, which
        // waits for the listener's return, left. Starved CPUs widen that instant (CI, both cores busy).
        List<Long> doubledFiredMsBeforeKill = new ArrayList<>();
        fires.forEach((id, n) -> {
            if (n > 1) {
                long readAt = ownFiredReadAtNanos.getOrDefault(id, Long.MIN_VALUE);
                doubledFiredMsBeforeKill.add(readAt == Long.MIN_VALUE ? Long.MAX_VALUE : Math.max(0, (killedAt - readAt) / 1_000_000));
            }
        });
        String figures = figures() + " declared_dead=" + sum(survivors, Counter.MEMBERS_DEAD)
                + " adopted=" + sum(survivors, Counter.TIMERS_ADOPTED) + " doubled_fired_ms_before_kill=" + doubledFiredMsBeforeKill;
        System.out.println("process failover sigkill (unicast=" + unicast + "): " + figures);
        assertThat(figures).as(figures).startsWith("lost=0 ");
        assertThat(doubledFiredMsBeforeKill).as(figures).allSatisfy(ms -> assertThat(ms).isLessThanOrEqualTo(100L));
    }

    @Test
    void sigstoppedOwnerResumesWithoutDoubleFiresOrSuspicions() throws Exception {
        Child owner = startCluster(92, false);
        assertThat(owner.ask("arm " + TIMERS + " 3000 4000")).isEqualTo("armed " + TIMERS);
        awaitReplicated(owner);
        List<Child> survivors = nodes.subList(1, 4);
        owner.signal("STOP");
        long stoppedAt = System.currentTimeMillis();
        while (System.currentTimeMillis() - stoppedAt < 15_000 && sum(survivors, Counter.TIMERS_ADOPTED) < TIMERS) {
            Thread.sleep(100); // until the survivors declare it dead and adopt its timers
        }
        long adopted = sum(survivors, Counter.TIMERS_ADOPTED);
        long stoppedMs = System.currentTimeMillis() - stoppedAt;
        owner.signal("CONT");
        awaitAllFired(20_000);
        String figures = figures() + " adopted=" + adopted + " stopped_ms=" + stoppedMs
                + " owner_yielded=" + owner.stat(Counter.TIMERS_YIELDED) + " owner_fired=" + owner.stat(Counter.TIMERS_FIRED)
                + " owner_pauses=" + owner.stat(Counter.PAUSES_DETECTED) + " owner_declared_dead=" + owner.stat(Counter.MEMBERS_DEAD)
                + " survivors_declared_dead=" + sum(survivors, Counter.MEMBERS_DEAD)
                + " survivors_revived=" + sum(survivors, Counter.MEMBERS_REVIVED);
        System.out.println("process failover sigstop: " + figures);
        assertThat(adopted).as(figures).isEqualTo(TIMERS);
        assertThat(figures).as(figures).startsWith("lost=0 doubled=0 ");
        assertThat(owner.stat(Counter.PAUSES_DETECTED)).as(figures).isPositive();
        assertThat(owner.stat(Counter.MEMBERS_DEAD)).as("the resumed node suspects no one: " + figures).isZero();
        assertThat(sum(survivors, Counter.MEMBERS_DEAD)).as("only the stopped node, once per survivor: " + figures).isEqualTo(3);
    }
}
