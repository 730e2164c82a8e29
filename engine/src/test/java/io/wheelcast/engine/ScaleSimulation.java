package io.wheelcast.engine;

import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * How the protocol scales with the cluster, in virtual time on {@link SimulatedLan} (the same
 * NodeCore code as on sockets; the network and the clock are simulated): N nodes each arm
 * timers at a steady rate, a share of them is cancelled from a random other node, then 1% of
 * the nodes crash. Prints one line per run with the per-node traffic at steady state (by frame
 * type), replicas and memory per node, detection and adoption times after the crash, cancel
 * latency, and doubled or lost expiries. Deterministic from the seed. {@code scripts/scale.sh}
 * runs the sweep; {@code ScaleSimulationTest} runs its small end in the suite.
 *
 * <p>Usage: {@code ScaleSimulation N[,N...] [multicast|unicast|both] [lossPercent[,..]] [seed]}
 */
public final class ScaleSimulation {
    /** What one run is asked to do. */
    record Plan(int nodes, boolean unicast, double lossPercent, long seed, int timersPerNode, long armingMs,
                double cancelShare, int replicas) {
    }

    /** What one run measured. */
    record Result(Plan plan, double sentPerNodePerS, double receivedPerNodePerS, double receivedMaxPerS,
                  double bytesReceivedPerNodePerS, double[] framesReceivedPerNodePerS, double replicasPerNode,
                  long replicasMaxNode, double replicasExpectedPerNode, long heapBytesPerNode, long detectionMs, long detectionLastMs,
                  long adoptionMs, int victimTimers, long takenOver, long cancelP50Ms, long cancelP99Ms, int doubled, int lost,
                  int cancelledFired, long revived, long failureTimeoutMs, double afterCrashReceivedPerNodePerS,
                  double afterCrashReceivedMaxPerS, double[] afterCrashFramesPerNodePerS, long quiescentAfterLastDeadlineMs,
                  long simulatedMs, double realSeconds) {

        String line() {
            String frames = frameList(framesReceivedPerNodePerS);
            return String.format(Locale.ROOT,
                    "scale nodes=%d mode=%s loss=%.0f%% k=%d timers_per_node=%d sent_dgrams_per_node_s=%.1f recv_dgrams_per_node_s=%.1f"
                            + " recv_dgrams_max_node_s=%.1f recv_bytes_per_node_s=%.0f recv_frames_per_node_s=[%s]"
                            + " replicas_per_node=%.1f replicas_max_node=%d replicas_expected=%.1f heap_bytes_per_node=%d"
                            + " detection_first_ms=%d detection_last_ms=%d failure_timeout_ms=%d adopted_after_last_detection_ms=%d victim_timers=%d taken_over=%d"
                            + " cancel_p50_ms=%d cancel_p99_ms=%d doubled=%d lost=%d cancelled_fired=%d members_revived=%d"
                            + " after_crash_recv_dgrams_per_node_s=%.1f after_crash_recv_dgrams_max_node_s=%.1f after_crash_recv_frames_per_node_s=[%s]"
                            + " quiescent_after_last_deadline_ms=%d simulated_s=%.1f seed=%x real_s=%.1f",
                    plan.nodes, plan.unicast ? "unicast" : "multicast", plan.lossPercent, plan.replicas, plan.timersPerNode,
                    sentPerNodePerS, receivedPerNodePerS, receivedMaxPerS, bytesReceivedPerNodePerS, frames,
                    replicasPerNode, replicasMaxNode, replicasExpectedPerNode, heapBytesPerNode, detectionMs, detectionLastMs, failureTimeoutMs,
                    adoptionMs, victimTimers, takenOver, cancelP50Ms, cancelP99Ms, doubled, lost, cancelledFired, revived,
                    afterCrashReceivedPerNodePerS, afterCrashReceivedMaxPerS, frameList(afterCrashFramesPerNodePerS),
                    quiescentAfterLastDeadlineMs, simulatedMs / 1000.0, plan.seed, realSeconds);
        }

        private static String frameList(double[] perType) {
            StringBuilder frames = new StringBuilder();
            for (int t = 0; t < SimulatedLan.FRAME_TYPES.size(); t++) {
                frames.append(t == 0 ? "" : ",").append(SimulatedLan.FRAME_TYPES.get(t).getSimpleName().toLowerCase(Locale.ROOT))
                        .append('=').append(String.format(Locale.ROOT, "%.1f", perType[t]));
            }
            return frames.toString();
        }
    }

    private static final long JOIN_MS = 3_000;
    private static final long MIN_DELAY_MS = 5_000;
    private static final long MAX_DELAY_MS = 15_000;
    /** The window after the crash whose traffic is reported apart: detection, adoption, hand-over. */
    private static final long AFTER_CRASH_MS = 10_000;
    private static final long PROGRESS_EVERY_MS = 5_000;
    /**
     * How often, once every timer's deadline has passed, the run asks whether the cluster is
     * quiescent (no node holds an armed timer or a replica of an unfinished one: nothing can fire
     * any more), and how long it runs on after that, for what is still in flight (25 ms at most).
     */
    private static final long QUIESCENCE_CHECK_MS = 100;
    /** How often, after the first detection, the run looks for copies of the victims' timers not yet taken over (a scan of every node). */
    private static final long ADOPTION_CHECK_MS = 50;
    private static final long AFTER_QUIESCENCE_MS = 1_000;

    private ScaleSimulation() {
    }

    /** The bounds each simulated node is sized to (the defaults would not fit 1,000 nodes in one heap). */
    static WheelcastNodeBuilder sized(Plan plan) {
        int live = plan.timersPerNode; // an upper bound: all of them armed at once
        WheelcastNodeBuilder b = WheelcastNode.builder()
                .replicas(plan.replicas)
                .maxTimers(live + 256)
                .maxReplicas(Math.max(1_024, 4 * live * plan.replicas))
                .maxTombstones(16_384)
                .maxPendingCancels(1_024)
                .maxSenders(plan.nodes + 64)
                .commandQueueCapacity(1_024);
        return plan.unicast ? SimulatedLan.unicast(b) : b;
    }

    static Result run(Plan plan) {
        long realStart = System.nanoTime();
        int n = plan.nodes;
        long heapBefore = usedHeapAfterGc();
        SimulatedLan lan = new SimulatedLan(n, plan.seed, plan.lossPercent, 1, sized(plan));
        long simStart = lan.now;
        lan.traceId = System.getProperty("wheelcast.scale.trace"); // debugging a seed: every frame naming this timer id
        SplittableRandom random = new SplittableRandom(plan.seed ^ 0x5CA1EL);
        long failureTimeoutMs = sized(plan).build().failureTimeoutMs();
        lan.run(JOIN_MS);

        // The workload: each node arms timersPerNode timers spread over armingMs, delays 5-15 s;
        // a share of them is cancelled from a random other node, before its deadline.
        int total = n * plan.timersPerNode;
        long[] armAt = new long[total];
        long[] delay = new long[total];
        long[] cancelAt = new long[total];
        int[] canceller = new int[total];
        for (int t = 0; t < total; t++) {
            int owner = t % n;
            int i = t / n;
            armAt[t] = JOIN_MS + (plan.armingMs * i) / plan.timersPerNode + random.nextLong(plan.armingMs / plan.timersPerNode + 1);
            delay[t] = MIN_DELAY_MS + random.nextLong(MAX_DELAY_MS - MIN_DELAY_MS);
            if (random.nextDouble() < plan.cancelShare) {
                cancelAt[t] = armAt[t] + 500 + random.nextLong(delay[t] - 1_000);
                canceller[t] = (owner + 1 + random.nextInt(n - 1)) % n;
            } else {
                cancelAt[t] = -1;
            }
        }
        Integer[] byArm = sortedBy(armAt);
        Integer[] byCancel = sortedBy(cancelAt);
        boolean[] neverArmed = new boolean[total];

        int victims = Math.max(1, n / 100);
        long crashAt = JOIN_MS + plan.armingMs / 2;
        long steadyFrom = JOIN_MS + plan.armingMs / 4;
        long steadyTo = crashAt;
        // The longest a run lasts: 10 s after the last deadline. It ends earlier, a second after the
        // cluster is quiescent (nothing left that could fire: the doubled and lost counts are final).
        long endAt = JOIN_MS + plan.armingMs + MAX_DELAY_MS + 10_000;
        long lastDeadline = 0;
        for (int t = 0; t < total; t++) {
            lastDeadline = Math.max(lastDeadline, armAt[t] + delay[t]);
        }
        long quiescentAt = -1;

        Histogram cancelLatency = new Histogram(3);
        Map<String, Integer> cancelledOk = new HashMap<>();
        long[] detectedAt = {-1, -1};
        int[] detections = {0};
        long[] victimIds = new long[victims];
        for (int v = 0; v < victims; v++) {
            victimIds[v] = SimulatedLan.NODE_ID_BASE + v;
        }
        for (int i = victims; i < n; i++) {
            lan.node(i).setMembershipListener(e -> {
                if (e.type() == MemberEvent.Type.DEAD && e.memberId() < SimulatedLan.NODE_ID_BASE + victims) {
                    detections[0]++;
                    if (detectedAt[0] < 0) {
                        detectedAt[0] = lan.now;
                    }
                    detectedAt[1] = lan.now;
                }
            }, Runnable::run);
        }

        int armed = 0;
        int cancelled = 0;
        long[] steadyStart = null;
        long[] steadyReceived = null;
        long[] steadySent = null;
        long[] steadyBytes = null;
        long[][] steadyFrames = null;
        long liveTimers = 0;
        long replicas = 0;
        long replicasMax = 0;
        long heapPerNode = 0;
        int victimTimers = 0;
        long adoptedAt = -1;
        for (long now = lan.now; now < endAt; now = lan.now) {
            if (now == crashAt) { // before this millisecond's arming: a timer armed by a victim never left it
                for (int i = 0; i < n; i++) { // live timers and the replicas of them, just before the crash
                    liveTimers += lan.counters(i).get(Counter.LIVE_TIMERS);
                    replicas += lan.counters(i).get(Counter.REPLICAS);
                    replicasMax = Math.max(replicasMax, lan.counters(i).get(Counter.REPLICAS));
                }
                heapPerNode = (usedHeapAfterGc() - heapBefore) / n; // the whole simulation's heap, tables full, per node
                for (int v = 0; v < victims; v++) {
                    victimTimers += (int) lan.counters(v).get(Counter.LIVE_TIMERS);
                    lan.crashed[v] = true;
                }
            }
            while (armed < total && armAt[byArm[armed]] <= now) {
                int t = byArm[armed++];
                if (lan.crashed[t % n]) {
                    neverArmed[t] = true; // its owner is gone: the workload moves on
                    continue;
                }
                lan.node(t % n).schedule(id(t), delay[t], null, new CompletableFuture<>(), now);
            }
            while (cancelled < total && cancelAt[byCancel[cancelled]] >= 0 && cancelAt[byCancel[cancelled]] <= now) {
                int t = byCancel[cancelled++];
                if (lan.crashed[canceller[t]] || neverArmed[t]) {
                    continue;
                }
                boolean steady = now < crashAt; // latency at steady state; after the crash, a dead owner's timers wait for adoption
                CompletableFuture<CancelOutcome> f = new CompletableFuture<>();
                long sentAt = now;
                String key = name(t);
                f.thenAccept(o -> {
                    if (steady) {
                        cancelLatency.recordValue(Math.max(0, lan.now - sentAt));
                    }
                    if (o.status() == CancelOutcome.Status.CANCELLED) {
                        cancelledOk.put(key, 1);
                    }
                });
                lan.node(canceller[t]).cancel(id(t), f, now);
            }
            while (cancelled < total && cancelAt[byCancel[cancelled]] < 0) {
                cancelled++;
            }
            if (now == steadyFrom) {
                lan.countTraffic = true;
            }
            if (now == steadyTo) { // the steady window's totals; counting goes on through the crash's aftermath
                steadyStart = new long[] {steadyTo - steadyFrom};
                steadyReceived = lan.datagramsReceived.clone();
                steadySent = lan.datagramsSent.clone();
                steadyBytes = lan.bytesReceived.clone();
                steadyFrames = new long[n][];
                for (int i = 0; i < n; i++) {
                    steadyFrames[i] = lan.framesReceived[i].clone();
                }
            }
            if (now == crashAt + AFTER_CRASH_MS) {
                lan.countTraffic = false;
            }
            if (detectedAt[0] >= 0 && adoptedAt < 0 && now % ADOPTION_CHECK_MS == 0 && noCopyLeftOfTheVictims(lan, victims)) {
                adoptedAt = lan.now;
            }
            if (quiescentAt < 0 && now >= Math.max(lastDeadline, crashAt + AFTER_CRASH_MS) && now % QUIESCENCE_CHECK_MS == 0
                    && quiescent(lan)) {
                quiescentAt = now;
                endAt = Math.min(endAt, now + AFTER_QUIESCENCE_MS);
            }
            if ((now - JOIN_MS) % PROGRESS_EVERY_MS == 0) { // a long run shows it is moving (stderr: the report stays clean)
                System.err.printf(Locale.ROOT, "scale progress nodes=%d mode=%s loss=%.0f%% sim_s=%d/%d real_s=%.0f%n", n,
                        plan.unicast ? "unicast" : "multicast", plan.lossPercent, now / 1000, endAt / 1000,
                        (System.nanoTime() - realStart) / 1e9);
            }
            lan.run(1);
        }

        double seconds = steadyStart[0] / 1000.0;
        double sent = 0;
        double received = 0;
        double receivedMax = 0;
        double bytesReceived = 0;
        double[] frames = new double[SimulatedLan.FRAME_TYPES.size()];
        int survivors = n - victims;
        double afterSeconds = AFTER_CRASH_MS / 1000.0;
        double afterReceived = 0;
        double afterReceivedMax = 0;
        double[] afterFrames = new double[frames.length];
        for (int i = victims; i < n; i++) {
            sent += steadySent[i] / seconds;
            received += steadyReceived[i] / seconds;
            receivedMax = Math.max(receivedMax, steadyReceived[i] / seconds);
            bytesReceived += steadyBytes[i] / seconds;
            for (int t = 0; t < frames.length; t++) {
                frames[t] += steadyFrames[i][t] / seconds / survivors;
                afterFrames[t] += (lan.framesReceived[i][t] - steadyFrames[i][t]) / afterSeconds / survivors;
            }
            double after = (lan.datagramsReceived[i] - steadyReceived[i]) / afterSeconds;
            afterReceived += after / survivors;
            afterReceivedMax = Math.max(afterReceivedMax, after);
        }

        int doubled = 0;
        int lost = 0;
        int cancelledFired = 0;
        Map<String, Integer> fires = new HashMap<>();
        Map<String, StringBuilder> how = new HashMap<>();
        for (int i = 0; i < n; i++) {
            for (TimerExpiry e : lan.expiries.get(i)) {
                fires.merge(e.idAsString(), 1, Integer::sum);
                how.computeIfAbsent(e.idAsString(), k -> new StringBuilder()).append(" node=").append(i).append("@").append(e.firedAtMs())
                        .append(e.adopted() ? "(adopted from " + (e.adoptedFromId() - SimulatedLan.NODE_ID_BASE) + ")" : "");
            }
        }
        StringBuilder doubles = new StringBuilder();
        StringBuilder losts = new StringBuilder();
        for (int t = 0; t < total; t++) {
            int f = fires.getOrDefault(name(t), 0);
            boolean wasCancelled = cancelledOk.containsKey(name(t));
            if (neverArmed[t]) {
                continue;
            }
            if (wasCancelled) {
                cancelledFired += f > 0 ? 1 : 0;
            } else if (cancelAt[t] < 0 && f == 0) {
                lost++;
                if (lost <= 5) {
                    losts.append(" ").append(name(t)).append(" owner=").append(t % n).append(" armed=").append(armAt[t])
                            .append(" due=").append(armAt[t] + delay[t]).append(" crash=").append(crashAt);
                }
            } else if (f > 1) {
                doubled++;
                if (doubled <= 5) {
                    doubles.append(" ").append(name(t)).append(" owner=").append(t % n).append(" armed=").append(armAt[t])
                            .append(" due=").append(armAt[t] + delay[t]).append(" crash=").append(crashAt).append(how.get(name(t)));
                }
            }
        }
        long revived = 0; // a member declared dead and heard again: a false suspicion (the victims never come back)
        for (int i = 0; i < n; i++) {
            revived += lan.counters(i).get(Counter.MEMBERS_REVIVED);
        }
        if (adoptedAt < 0) { // what became of the timers the victims held at the crash, when not all were taken over
            int firedAdopted = 0;
            int firedByOwner = 0;
            int cancelledOnes = 0;
            int other = 0;
            Map<String, Boolean> adoptedFire = new HashMap<>();
            for (int i = 0; i < n; i++) {
                for (TimerExpiry e : lan.expiries.get(i)) {
                    adoptedFire.merge(e.idAsString(), e.adopted(), Boolean::logicalOr);
                }
            }
            for (int t = 0; t < total; t++) {
                if (t % n >= victims || neverArmed[t] || armAt[t] >= crashAt || armAt[t] + delay[t] < crashAt) {
                    continue;
                }
                Boolean a = adoptedFire.get(name(t));
                if (cancelledOk.containsKey(name(t))) {
                    cancelledOnes++;
                } else if (a == null) {
                    other++;
                } else if (a) {
                    firedAdopted++;
                } else {
                    firedByOwner++;
                }
            }
            System.out.println("scale victims: taken over " + adoptedSoFar(lan, victims) + " of " + victimTimers + "; of theirs due after the crash: fired adopted "
                    + firedAdopted + ", fired by the owner " + firedByOwner + ", cancelled " + cancelledOnes + ", neither " + other);
        }
        if (doubles.length() > 0) {
            System.out.println("scale doubles:" + doubles);
        }
        if (losts.length() > 0) {
            System.out.println("scale lost:" + losts);
        }
        return new Result(plan, sent / survivors, received / survivors, receivedMax, bytesReceived / survivors, frames,
                (double) replicas / n, replicasMax, (double) liveTimers * plan.replicas / n, heapPerNode,
                detectedAt[0] < 0 ? -1 : detectedAt[0] - crashAt, detectedAt[1] < 0 ? -1 : detectedAt[1] - crashAt,
                adoptedAt < 0 || detectedAt[1] < 0 ? -1 : Math.max(0, adoptedAt - detectedAt[1]), victimTimers, adoptedSoFar(lan, victims),
                cancelLatency.getValueAtPercentile(50), cancelLatency.getValueAtPercentile(99), doubled, lost, cancelledFired,
                revived, failureTimeoutMs, afterReceived, afterReceivedMax, afterFrames, quiescentAt < 0 ? -1 : quiescentAt - lastDeadline,
                lan.now - simStart, (System.nanoTime() - realStart) / 1e9);
    }

    /**
     * Every survivor adopted the victims' timers it won, handed over the rest (answered), or knows
     * how they ended: no replica of theirs is left that is neither. (Counting adoptions against the
     * victims' live timers was wrong once a timer cancelled through a holder needed none.)
     */
    private static boolean noCopyLeftOfTheVictims(SimulatedLan lan, int victims) {
        java.util.function.LongPredicate victim = owner -> owner >= SimulatedLan.NODE_ID_BASE && owner < SimulatedLan.NODE_ID_BASE + victims;
        for (int i = victims; i < lan.nodes.size(); i++) {
            if (lan.node(i).holdsUnfinishedReplicaOf(victim)) {
                return false;
            }
        }
        return true;
    }

    /** No live node holds anything that could still fire (the crashed ones never will). */
    private static boolean quiescent(SimulatedLan lan) {
        for (int i = 0; i < lan.nodes.size(); i++) {
            if (!lan.crashed[i] && lan.node(i).holdsUnfinishedTimers()) {
                return false;
            }
        }
        return true;
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Timers of the crashed nodes taken over so far: adopted (armed or as cancelled) or presumed fired. */
    private static long adoptedSoFar(SimulatedLan lan, int victims) {
        long sum = 0;
        for (int i = victims; i < lan.nodes.size(); i++) {
            sum += lan.counters(i).get(Counter.TIMERS_ADOPTED) + lan.counters(i).get(Counter.TIMERS_ADOPTED_CANCELLED)
                    + lan.counters(i).get(Counter.TAKEOVERS_PRESUMED_FIRED);
        }
        return sum;
    }

    private static Integer[] sortedBy(long[] at) {
        Integer[] order = new Integer[at.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Long.compare(at[a], at[b]));
        return order;
    }

    private static String name(int t) {
        return "t" + t;
    }

    private static byte[] id(int t) {
        return name(t).getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        for (String s : (args.length > 0 ? args[0] : "6,24,100").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        String modes = args.length > 1 ? args[1] : "both";
        List<Double> losses = new ArrayList<>();
        for (String s : (args.length > 2 ? args[2] : "0,10").split(",")) {
            losses.add(Double.parseDouble(s.trim()));
        }
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 0x5CA1EL;
        int timers = Integer.getInteger("wc.scale.timers", 1_000);
        long armingMs = Duration.ofSeconds(Long.getLong("wc.scale.armingSeconds", 40)).toMillis();
        double cancelShare = Double.parseDouble(System.getProperty("wc.scale.cancelShare", "0.1"));
        for (int nodes : sizes) {
            for (double loss : losses) {
                for (boolean unicast : new boolean[] {false, true}) {
                    if ((unicast && modes.equals("multicast")) || (!unicast && modes.equals("unicast"))) {
                        continue;
                    }
                    Result r = run(new Plan(nodes, unicast, loss, seed, timers, armingMs, cancelShare, 2));
                    System.out.println(r.line());
                }
            }
        }
    }
}
