package io.wheelcast.engine;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The nemesis run of scripts/chaos.sh in virtual time, deterministic from its seed: six hosts
 * take jobs (some cancelled through another host, some late, some ids reused), while crashes
 * with restarts (a new incarnation), pauses, partitions and loss bursts come and go as the
 * nemesis of scripts/lan.sh schedules them. The audit is ChaosAudit's, on what users see: the schedule and cancel answers and
 * the expiries each host delivered. A violation found by the real run is traced here first.
 */
@Timeout(600)
class SimulatedNemesisTest {
    private static final int HOSTS = 6;
    private static final long JOB_EVERY_MS = 50;
    private static final long FAULT_SETTLE_MS = 5_000;
    private static final long LAST_INSTANT_MS = 200;
    /**
     * An owner that crashes this soon after arming a timer may not have sent its SCHEDULE yet (the
     * simulation runs the POST and the SIGKILL in one millisecond): no copy anywhere, the window
     * before the first acknowledgement that docs/operations.md states (UNREPLICATED_TIMERS).
     */
    private static final long UNACKNOWLEDGED_MS = 5;

    /** One job life, as its users saw it. */
    static final class Life {
        final String id;
        final int host;
        final long postAt;
        final long deadline;
        boolean started;
        int cancelVia = -1;
        long cancelAt;
        /** The cancel's answer; null while unanswered (or its host crashed before answering). */
        CancelOutcome.Status outcome;
        final List<Long> emails = new ArrayList<>();

        Life(String id, int host, long postAt, long timeoutMs) {
            this.id = id;
            this.host = host;
            this.postAt = postAt;
            this.deadline = postAt + timeoutMs;
        }
    }

    record Fault(String kind, List<Integer> hosts, long start, long end) {
        boolean touches(Life l) {
            long firstEmail = l.emails.stream().mapToLong(Long::longValue).min().orElse(0);
            long lifeEnd = Math.max(l.deadline, firstEmail) + FAULT_SETTLE_MS;
            if (l.postAt > end + FAULT_SETTLE_MS || lifeEnd < start) {
                return false;
            }
            return kind.equals("partition") || hosts.contains(l.host) || (l.cancelVia >= 0 && hosts.contains(l.cancelVia));
        }

        @Override
        public String toString() {
            return kind + " " + hosts + " " + start + ".." + end;
        }
    }

    private record Action(long at, long order, Runnable run) {
    }

    private final PriorityQueue<Action> actions = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private long order;
    private SimulatedLan lan;
    private SplittableRandom random;
    private final List<Life> lives = new ArrayList<>();
    private final Map<String, Life> current = new HashMap<>();
    private final List<Life> reusable = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private boolean bursting;
    private int seq;
    private int unacknowledged;

    private void at(long t, Runnable r) {
        actions.add(new Action(t, order++, r));
    }

    /** Both modes, seeds 1 to {@code -Dwheelcast.nemesis.seeds} (3 in the build; a campaign runs hundreds). */
    static Stream<Arguments> cases() {
        int seeds = Integer.getInteger("wheelcast.nemesis.seeds", 3);
        return Stream.of(false, true).flatMap(unicast -> LongStream.rangeClosed(1, seeds).mapToObj(seed -> Arguments.of(unicast, seed)));
    }

    @ParameterizedTest(name = "unicast={0} seed={1}")
    @MethodSource("cases")
    void everyJobEndsAsItsUsersWereTold(boolean unicast, long seed) {
        String only = System.getProperty("wheelcast.nemesis.case"); // "false,2": trace one case
        assumeTrue(only == null || only.equals(unicast + "," + seed));
        long runMs = Long.getLong("wheelcast.nemesis.ms", 120_000);
        random = new SplittableRandom(seed);
        WheelcastNodeBuilder builder = unicast ? SimulatedLan.unicast(WheelcastNode.builder()) : WheelcastNode.builder();
        lan = new SimulatedLan(HOSTS, seed, 0, 1, builder.maxTimers(16_384).maxReplicas(16_384));
        lan.traceId = System.getProperty("wheelcast.nemesis.trace");
        lan.run(3_000);
        long start = lan.now;
        long end = start + runMs;
        for (long t = start; t < end; t += JOB_EVERY_MS) {
            at(t, this::job);
        }
        at(start + 5_000, () -> nextFault(end - 20_000));
        while (lan.now < end + 40_000) {
            for (Action a; (a = actions.peek()) != null && a.at <= lan.now; ) {
                actions.poll().run.run();
            }
            lan.run(1);
        }
        audit(unicast, seed);
    }

    private void job() {
        long now = lan.now;
        Life reuse = null;
        if (random.nextInt(100) < 5) {
            for (int i = 0; i < reusable.size() && reuse == null; i++) {
                Life l = reusable.get(i);
                if (now > l.deadline + 40_000 && current.get(l.id) == l) {
                    reuse = reusable.remove(i);
                }
            }
        }
        String id = reuse != null ? reuse.id : "n-" + (seq++);
        int host = random.nextInt(HOSTS);
        long timeoutMs = 2_000 + random.nextInt(4_000);
        int dice = random.nextInt(100);
        boolean cancel = dice < 50;
        boolean late = dice < 5;
        int via = (host + 1 + random.nextInt(HOSTS - 1)) % HOSTS;
        long after = late ? timeoutMs + 500 + random.nextInt(1_000) : 200 + random.nextInt((int) timeoutMs - 700);
        if (lan.crashed[host] || lan.paused[host]) {
            return; // the POST finds nobody to answer it: no job
        }
        Life life = new Life(id, host, now, timeoutMs);
        lives.add(life);
        current.put(id, life);
        CompletableFuture<ScheduleOutcome> armed = new CompletableFuture<>();
        lan.node(host).schedule(bytes(id), timeoutMs, bytes("p"), armed, now);
        life.started = armed.isDone() && !armed.isCompletedExceptionally();
        if (!cancel && reuse == null && life.started) {
            reusable.add(life);
        }
        if (cancel) {
            at(now + after, () -> {
                if (lan.crashed[via] || lan.paused[via]) {
                    return; // the DELETE reached nobody: the job was not cancelled
                }
                life.cancelVia = via;
                life.cancelAt = lan.now;
                CompletableFuture<CancelOutcome> answer = new CompletableFuture<>();
                answer.whenComplete((o, e) -> life.outcome = e != null ? CancelOutcome.Status.UNCONFIRMED : o.status());
                lan.node(via).cancel(bytes(id), answer, lan.now);
            });
        }
    }

    /**
     * The nemesis of scripts/lan.sh: one fault at a time, 2-5 s apart, and now and then a loss
     * burst on one host beside it. A crashed host's new process takes a few seconds to start.
     */
    private void nextFault(long lastStart) {
        if (lan.now >= lastStart) {
            return;
        }
        at(lan.now + 2_000 + random.nextInt(4_000), () -> fault(lastStart));
    }

    private void fault(long lastStart) {
        long now = lan.now;
        if (random.nextInt(4) == 0 && !bursting) {
            int h = random.nextInt(HOSTS);
            bursting = true;
            loss(List.of(h), 10 + random.nextInt(41), now + 3_000 + random.nextInt(13_000), () -> bursting = false);
        }
        int h = random.nextInt(HOSTS);
        Runnable next = () -> nextFault(lastStart);
        switch (random.nextInt(4)) {
            case 0 -> { // SIGKILL; the new process starts 1-5 s later and serves after its JVM started (~2 s)
                lan.crashed[h] = true;
                begin("crash", List.of(h), now + 1_000 + random.nextInt(5_000) + 2_000, () -> {
                    lan.restart(h);
                    next.run();
                });
            }
            case 1 -> { // SIGSTOP for 1-10 s
                lan.paused[h] = true;
                begin("pause", List.of(h), now + 1_000 + random.nextInt(10_000), () -> {
                    lan.resume(h);
                    next.run();
                });
            }
            case 2 -> { // two sides, for 5-20 s
                List<Integer> side = new ArrayList<>();
                int mask = 1 + random.nextInt((1 << HOSTS) - 2);
                for (int i = 0; i < HOSTS; i++) {
                    lan.side[i] = mask >> i & 1;
                    if (lan.side[i] == 1) {
                        side.add(i);
                    }
                }
                begin("partition", side, now + 5_000 + random.nextInt(16_000), () -> {
                    Arrays.fill(lan.side, 0);
                    next.run();
                });
            }
            default -> { // 10-50% loss on one or two hosts for 3-15 s
                int other = random.nextInt(HOSTS);
                loss(other == h ? List.of(h) : List.of(h, other), 10 + random.nextInt(41), now + 3_000 + random.nextInt(13_000), next);
            }
        }
    }

    /** What reaches the hosts, and what they send, is lost at this rate until {@code end}. */
    private void loss(List<Integer> hosts, double percent, long end, Runnable then) {
        hosts.forEach(h -> lan.lossOf[h] = percent);
        begin("loss", hosts, end, () -> {
            hosts.forEach(h -> lan.lossOf[h] = 0);
            then.run();
        });
    }

    private void begin(String kind, List<Integer> hosts, long end, Runnable heal) {
        faults.add(new Fault(kind, hosts, lan.now, end));
        at(end, heal);
    }

    private void audit(boolean unicast, long seed) {
        Map<String, List<Life>> byId = new HashMap<>();
        for (Life l : lives) {
            byId.computeIfAbsent(l.id, k -> new ArrayList<>()).add(l);
        }
        int emails = 0;
        List<String> orphans = new ArrayList<>();
        for (int host = 0; host < HOSTS; host++) {
            for (TimerExpiry e : lan.expiries.get(host)) {
                emails++;
                Life owner = null;
                for (Life l : byId.getOrDefault(e.idAsString(), List.of())) {
                    if (l.postAt <= e.firedAtMs() && (owner == null || l.postAt > owner.postAt)) {
                        owner = l;
                    }
                }
                if (owner == null) {
                    orphans.add(e.idAsString() + "@" + e.firedAtMs());
                } else {
                    owner.emails.add(e.firedAtMs());
                }
            }
        }
        List<String> violations = new ArrayList<>(orphans);
        for (Life l : lives) {
            String v = check(l);
            if (v != null) {
                StringBuilder sb = new StringBuilder(l.id + " (host " + l.host + ", posted " + l.postAt + ", deadline "
                        + l.deadline + (l.cancelVia >= 0 ? ", cancel via " + l.cancelVia + " at " + l.cancelAt + ": " + l.outcome : "")
                        + ", emails " + l.emails + "): " + v);
                faults.stream().filter(f -> f.touches(l)).forEach(f -> sb.append("; ").append(f));
                violations.add(sb.toString());
            }
        }
        Map<String, Integer> kinds = new HashMap<>();
        faults.forEach(f -> kinds.merge(f.kind, 1, Integer::sum));
        String figures = "seed=" + seed + " unicast=" + unicast + " lives=" + lives.size() + " emails=" + emails
                + " faults=" + kinds + " datagrams=" + lan.sent + " dropped=" + lan.dropped + " lost_unacknowledged=" + unacknowledged + " violations=" + violations.size();
        System.out.println("simulated nemesis: " + figures);
        violations.forEach(v -> System.out.println("  violation " + v));
        if (lan.traceId != null) {
            faults.forEach(f -> System.out.println("  fault " + f));
        }
        assertThat(violations).as(figures).isEmpty();
    }

    private String check(Life l) {
        int got = l.emails.size();
        boolean partition = faults.stream().anyMatch(f -> f.kind.equals("partition") && f.touches(l));
        boolean faulted = faults.stream().anyMatch(f -> f.touches(l));
        if (!l.started) {
            return got == 0 ? null : "schedule refused, yet " + got + " emails";
        }
        if (l.cancelVia < 0) {
            return exactlyOnce(l, got, partition);
        }
        if (l.outcome == CancelOutcome.Status.CANCELLED) {
            return got == 0 || (partition && got == 1) ? null : "cancel said cancelled, yet " + got + " emails";
        }
        if (l.outcome == CancelOutcome.Status.ALREADY_FIRED) {
            return exactlyOnce(l, got, partition);
        }
        if (!faulted) {
            return "cancel answered " + l.outcome + " with no fault near the job";
        }
        return got <= 1 || partition ? null : "cancel answered " + l.outcome + ", yet " + got + " emails";
    }

    private String exactlyOnce(Life l, int got, boolean partition) {
        if (got == 1 || (partition && got > 1)) {
            return null;
        }
        if (got == 0) {
            for (Fault f : faults) {
                if (f.kind.equals("crash") && f.hosts.contains(l.host) && f.start >= l.postAt && f.start - l.postAt <= UNACKNOWLEDGED_MS) {
                    unacknowledged++;
                    return null; // the documented window: no holder had acknowledged a copy yet (docs/operations.md)
                }
            }
            return "lost: never emailed";
        }
        if (got == 2) {
            long first = Math.min(l.emails.get(0), l.emails.get(1));
            for (Fault f : faults) {
                if ((f.kind.equals("crash") || f.kind.equals("pause")) && f.hosts.contains(l.host)
                        && f.start >= first && f.start - first <= LAST_INSTANT_MS) {
                    return null; // the documented last-instant double
                }
            }
        }
        return "emailed " + got + " times";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
