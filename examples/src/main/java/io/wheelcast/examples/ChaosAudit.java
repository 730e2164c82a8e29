package io.wheelcast.examples;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a nemesis run against the guarantees README.md and docs/operations.md state, from what
 * users saw only: the HTTP answers with their times, the outboxes, the job servers' gauges.
 *
 * <ul>
 * <li>A job whose DELETE answered 200 is never emailed (a partition around its deadline
 * excepted: a cancel reaches only its own side; then at most once).</li>
 * <li>409 (already fired): exactly one email (at least one across a partition).</li>
 * <li>A started job nobody cancelled: exactly one email, never lost to a crash (at least one
 * across a partition). The documented last-instant exception: a second email when its owner
 * was killed or stopped within 200 ms after it fired.</li>
 * <li>A cancel left unanswered (503, 404, no answer) while faults touched the job: at most one
 * email; with no fault near the job it is itself a violation (a live cluster answers).</li>
 * <li>A job that was never started (an error, or started pre-cancelled) is never emailed.</li>
 * <li>A restarted host serves a job within 20 s; no host's tables or heap keep growing.</li>
 * </ul>
 */
final class ChaosAudit {
    /** Settle after a fault: detection, adoption and the answers after a heal. */
    private static final long FAULT_SETTLE_MS = 5_000;
    private static final long LAST_INSTANT_MS = 200;
    private static final long RESTART_SERVES_WITHIN_MS = 20_000;

    /** One injected fault as the nemesis logged it. */
    static final class Fault {
        final String kind;
        final String who;
        final long start;
        long end = Long.MAX_VALUE;

        Fault(String kind, String who, long start) {
            this.kind = kind;
            this.who = who;
            this.start = start;
        }

        /** Host indices (0-based) the fault names: "3", "2,5@30" (loss %), "1,2,3/4,5,6" (partition sides). */
        Set<Integer> hosts() {
            Set<Integer> out = new HashSet<>();
            int at = who.indexOf('@'); // a loss burst's percentage follows its hosts
            for (String part : (at < 0 ? who : who.substring(0, at)).split("[,/ ]")) {
                if (!part.isEmpty()) {
                    out.add(Integer.parseInt(part) - 1);
                }
            }
            return out;
        }

        /**
         * Whether the fault overlaps the job's life: from its POST to its deadline, or to its first
         * email if that came later (a job still unfired past its deadline, say behind a paused
         * owner's quarantine, is pending: a partition that starts then covers its deadline as
         * the owner sees it, and both sides may fire it, as documented), plus a settle.
         */
        boolean touches(ChaosWorkload.Life life) {
            long firstEmail = life.emails.stream().mapToLong(Long::longValue).min().orElse(0);
            long lifeEnd = Math.max(life.deadlineLatest(), firstEmail) + FAULT_SETTLE_MS;
            long faultEnd = end == Long.MAX_VALUE ? Long.MAX_VALUE : end + FAULT_SETTLE_MS;
            if (life.postSentAt > faultEnd || lifeEnd < start) {
                return false;
            }
            if (kind.equals("partition")) {
                return true;
            }
            Set<Integer> h = hosts();
            return h.contains(life.host) || (life.cancelVia >= 0 && h.contains(life.cancelVia));
        }
    }

    private final List<ChaosWorkload.Life> lives;
    private final Map<String, List<Long>> emails;
    /** Emails sent by a restarted host's new incarnation: job id to (time, host index). */
    private final Map<String, List<long[]>> byRestarted;
    private final List<Fault> faults;
    private final List<String> gauges;
    private final int hosts;

    ChaosAudit(List<ChaosWorkload.Life> lives, Map<String, List<Long>> emails, Map<String, List<long[]>> byRestarted,
               List<Fault> faults, List<String> gauges, int hosts) {
        this.lives = lives;
        this.emails = emails;
        this.byRestarted = byRestarted;
        this.faults = faults;
        this.gauges = gauges;
        this.hosts = hosts;
    }

    boolean run() {
        Map<String, List<ChaosWorkload.Life>> byId = new LinkedHashMap<>();
        for (ChaosWorkload.Life l : lives) {
            byId.computeIfAbsent(l.id, k -> new ArrayList<>()).add(l);
        }
        List<String> problems = new ArrayList<>();
        int orphanEmails = 0;
        for (Map.Entry<String, List<Long>> e : emails.entrySet()) {
            List<ChaosWorkload.Life> ls = byId.get(e.getKey());
            for (long at : e.getValue()) {
                ChaosWorkload.Life owner = null;
                if (ls != null) {
                    for (ChaosWorkload.Life l : ls) {
                        if (at >= l.postSentAt && at < l.nextLifeAt) {
                            owner = l;
                        }
                    }
                }
                if (owner == null) {
                    orphanEmails++;
                    problems.add(e.getKey() + ": an email at " + at + " for no job life of that id");
                } else {
                    owner.emails.add(at);
                }
            }
        }
        Map<String, int[]> table = new LinkedHashMap<>(); // kind -> injected, touched, violations
        Map<String, List<Long>> cancelMs = new LinkedHashMap<>(); // kind -> DELETE round trips of the jobs it touched
        Map<String, List<Long>> lateMs = new LinkedHashMap<>(); // kind -> first email's lateness past the deadline
        for (String k : List.of("crash", "pause", "partition", "loss", "none")) {
            table.put(k, new int[3]);
        }
        for (Fault f : faults) {
            table.computeIfAbsent(f.kind, k -> new int[3])[0]++;
        }
        int violations = orphanEmails;
        int lastInstant = 0;
        int sent = 0;
        int adoptedByRestarted = 0;
        int adoptedByRestartedWrong = 0;
        for (ChaosWorkload.Life l : lives) {
            boolean restartedAdopter = adoptedByRestarted(l);
            adoptedByRestarted += restartedAdopter ? 1 : 0;
            Set<String> kinds = new TreeSet<>();
            for (Fault f : faults) {
                if (f.touches(l)) {
                    kinds.add(f.kind);
                }
            }
            if (kinds.isEmpty()) {
                kinds.add("none");
            }
            for (String k : kinds) {
                table.computeIfAbsent(k, x -> new int[3])[1]++;
                if (l.cancelVia >= 0 && l.cancelAnsweredAt > 0) {
                    cancelMs.computeIfAbsent(k, x -> new ArrayList<>()).add(l.cancelAnsweredAt - l.cancelSentAt);
                }
                if (!l.emails.isEmpty() && l.postAnsweredAt > 0) {
                    long first = l.emails.stream().mapToLong(Long::longValue).min().getAsLong();
                    lateMs.computeIfAbsent(k, x -> new ArrayList<>()).add(Math.max(0, first - l.deadlineLatest()));
                }
            }
            sent += l.emails.size();
            String wrong = check(l, kinds);
            if (wrong != null && wrong.startsWith("last-instant")) {
                lastInstant++;
                wrong = null;
            }
            if (wrong != null) {
                violations++;
                adoptedByRestartedWrong += restartedAdopter ? 1 : 0;
                for (String k : kinds) {
                    table.get(k)[2]++;
                }
                problems.add(l.id + " (host " + (l.host + 1) + ", timeout " + l.timeoutMs + " ms, post " + l.postCode
                        + ", cancel " + (l.cancelVia < 0 ? "none" : l.cancelCode + " via host " + (l.cancelVia + 1))
                        + ", emails " + l.emails.size() + ", faults " + kinds + "): " + wrong + "; " + timeline(l));
            }
        }
        for (Fault f : faults) {
            if (f.kind.equals("crash") && f.end != Long.MAX_VALUE) {
                String wrong = servedAfterRestart(f);
                if (wrong != null) {
                    violations++;
                    table.get("crash")[2]++;
                    problems.add(wrong);
                }
            }
        }
        String growth = tablesAndHeapBounded();
        if (growth != null) {
            violations++;
            problems.add(growth);
        }
        System.out.println();
        System.out.printf("%-10s %9s %13s %11s %22s %28s%n", "fault", "injected", "jobs touched", "violations",
                "cancel ms p50/p99/max", "email late ms p50/p99/max");
        table.forEach((k, v) -> System.out.printf("%-10s %9d %13d %11d %22s %28s%n", k, v[0], v[1], v[2],
                percentiles(cancelMs.get(k)), percentiles(lateMs.get(k))));
        System.out.printf("job lives %d, emails %d, documented last-instant doubles %d%n", lives.size(), sent, lastInstant);
        System.out.printf("jobs of other hosts emailed by a restarted host's new incarnation (adopted) %d, violations among them %d%n",
                adoptedByRestarted, adoptedByRestartedWrong);
        problems.stream().limit(20).forEach(p -> System.out.println("  " + p));
        StringBuilder counts = new StringBuilder();
        table.forEach((k, v) -> {
            if (!k.equals("none")) {
                counts.append(counts.length() == 0 ? "" : ",").append(k).append(':').append(v[0]);
            }
        });
        boolean ok = violations == 0;
        System.out.printf("chaos verdict: %s lives=%d emails=%d violations=%d last_instant_doubles=%d faults=%s%n",
                ok ? "OK" : "FAIL", lives.size(), sent, violations, lastInstant, counts);
        return ok;
    }

    /** What is wrong with one job life, or null; "last-instant ..." for the documented exception. */
    private String check(ChaosWorkload.Life l, Set<String> kinds) {
        int got = l.emails.size();
        boolean partition = kinds.contains("partition");
        boolean faulted = !kinds.contains("none");
        if (l.postCode == 599) {
            return got <= 1 || partition ? null : "POST unanswered, yet " + got + " emails";
        }
        if (!l.started()) {
            return got == 0 ? null : "POST answered " + l.postCode + ", yet " + got + " emails";
        }
        if (l.postState.contains("CANCELLED_BEFORE_START")) {
            return got == 0 ? null : "started pre-cancelled, yet " + got + " emails";
        }
        if (l.cancelVia < 0) {
            return exactlyOnce(l, got, partition);
        }
        return switch (l.cancelCode) {
            case 200 -> got == 0 || (partition && got == 1) ? null : "DELETE said cancelled, yet " + got + " emails";
            case 409 -> exactlyOnce(l, got, partition);
            case 0 -> "the DELETE was never answered by the HTTP client";
            default -> !faulted ? "DELETE answered " + l.cancelCode + " with no fault near the job"
                    : got <= 1 || partition ? null : "DELETE answered " + l.cancelCode + ", yet " + got + " emails";
        };
    }

    private String exactlyOnce(ChaosWorkload.Life l, int got, boolean partition) {
        if (got == 1 || (partition && got > 1)) {
            return null;
        }
        if (got == 0) {
            return "lost: never emailed";
        }
        if (got == 2) {
            long first = Math.min(l.emails.get(0), l.emails.get(1));
            for (Fault f : faults) {
                if ((f.kind.equals("crash") || f.kind.equals("pause")) && f.hosts().contains(l.host)
                        && f.start >= first && f.start - first <= LAST_INSTANT_MS) {
                    return "last-instant double";
                }
            }
        }
        return "emailed " + got + " times";
    }

    /**
     * A violation's timeline in milliseconds from its POST, so that the run's summary alone says
     * what happened around it: the answer, the latest deadline, each email and each fault that
     * touched it.
     */
    private String timeline(ChaosWorkload.Life l) {
        StringBuilder sb = new StringBuilder("timeline ms from POST: answered +").append(l.postAnsweredAt - l.postSentAt)
                .append(", deadline +").append(l.deadlineLatest() - l.postSentAt);
        if (l.cancelVia >= 0) {
            sb.append(", DELETE sent +").append(l.cancelSentAt - l.postSentAt).append(" answered +").append(l.cancelAnsweredAt - l.postSentAt);
        }
        l.emails.stream().sorted().forEach(at -> sb.append(", email +").append(at - l.postSentAt));
        for (Fault f : faults) {
            if (f.touches(l)) {
                sb.append(", ").append(f.kind).append(' ').append(f.who).append(" +").append(f.start - l.postSentAt)
                        .append("..").append(f.end == Long.MAX_VALUE ? "end" : "+" + (f.end - l.postSentAt));
            }
        }
        return sb.toString();
    }

    /** "p50/p99/max" of a list of milliseconds, or "-" if empty. */
    private static String percentiles(List<Long> ms) {
        if (ms == null || ms.isEmpty()) {
            return "-";
        }
        long[] v = ms.stream().mapToLong(Long::longValue).sorted().toArray();
        return v[(v.length - 1) / 2] + "/" + v[(int) Math.min(v.length - 1, Math.ceil(v.length * 0.99) - 1)] + "/" + v[v.length - 1];
    }

    /** Whether a restarted host's new incarnation emailed this job, which another host had started. */
    private boolean adoptedByRestarted(ChaosWorkload.Life l) {
        List<long[]> sent = byRestarted.get(l.id);
        if (sent == null) {
            return false;
        }
        for (long[] s : sent) {
            if (s[1] != l.host && s[0] >= l.postSentAt && s[0] < l.nextLifeAt) {
                return true;
            }
        }
        return false;
    }

    private String servedAfterRestart(Fault crash) {
        int host = crash.hosts().iterator().next();
        long lastPost = lives.stream().mapToLong(l -> l.postSentAt).max().orElse(0);
        if (lastPost < crash.end + RESTART_SERVES_WITHIN_MS) {
            return null; // the run ended too soon after the restart to tell
        }
        for (ChaosWorkload.Life l : lives) {
            if (l.host == host && l.started() && l.postSentAt >= crash.end && l.postSentAt <= crash.end + RESTART_SERVES_WITHIN_MS) {
                return null;
            }
        }
        return "host " + (host + 1) + " restarted at " + crash.end + " started no job within " + RESTART_SERVES_WITHIN_MS + " ms";
    }

    /** Per host, the tables (live + replicas + tombstones) and the heap in the last third of the run against the middle third. */
    private String tablesAndHeapBounded() {
        if (gauges.isEmpty()) {
            return null;
        }
        long first = Long.parseLong(gauges.get(0).split(" ")[0]);
        long last = Long.parseLong(gauges.get(gauges.size() - 1).split(" ")[0]);
        long third = (last - first) / 3;
        if (third < 20_000) {
            return null; // too short a run to see a trend
        }
        for (int h = 0; h < hosts; h++) {
            long midTables = 0;
            long midHeap = 0;
            long endTables = 0;
            long endHeap = 0;
            for (String g : gauges) {
                String[] p = g.split(" ");
                if (Integer.parseInt(p[1]) != h || Long.parseLong(p[2]) < 0) {
                    continue;
                }
                long at = Long.parseLong(p[0]);
                long tables = Long.parseLong(p[2]) + Long.parseLong(p[3]) + Long.parseLong(p[4]);
                long heap = Long.parseLong(p[5]);
                if (at >= first + third && at < first + 2 * third) {
                    midTables = Math.max(midTables, tables);
                    midHeap = Math.max(midHeap, heap);
                } else if (at >= first + 2 * third) {
                    endTables = Math.max(endTables, tables);
                    endHeap = Math.max(endHeap, heap);
                }
            }
            if (midTables > 0 && endTables > 2 * midTables + 1_000) {
                return "host " + (h + 1) + ": tables grew from " + midTables + " to " + endTables + " entries";
            }
            if (midHeap > 0 && endHeap > 2 * midHeap + (64 << 20)) {
                return "host " + (h + 1) + ": heap grew from " + midHeap + " to " + endHeap + " bytes";
            }
        }
        return null;
    }
}
