package io.wheelcast.examples;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The nemesis run's workload and auditor (scripts/chaos.sh): keeps jobs flowing through the
 * job servers' HTTP API for a while (a seeded share cancelled through another host, some after
 * their deadline, some ids reused once they finished), while scripts/lan.sh injects faults and
 * logs them. Then it audits what users saw, and nothing else: the HTTP answers with their
 * times, and the outboxes. Prints one row per fault kind and a last line
 * {@code chaos verdict: OK|FAIL ...}; exit code 0 only for OK.
 */
@Command(name = "chaos-workload", mixinStandardHelpOptions = true,
        description = "Jobs through the job servers while faults are injected, then an audit of answers and outboxes.")
public final class ChaosWorkload implements Callable<Integer> {
    @Option(names = "--hosts", required = true, split = ",", description = "Job server base URLs.")
    List<String> hosts;

    @Option(names = "--outboxes", required = true, split = ",", description = "Outbox files, in the order of --hosts.")
    List<Path> outboxes;

    @Option(names = "--duration", defaultValue = "2m", converter = DurationConverter.class, description = "How long jobs are started (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--faults", required = true, description = "The nemesis log: lines 'EPOCH_MS start|end KIND HOSTS'.")
    Path faults;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--rate", defaultValue = "20", description = "Jobs started per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--settle", defaultValue = "25s", converter = DurationConverter.class,
            description = "Wait after the last deadline before the audit: detection, adoption, a healed partition (default: ${DEFAULT-VALUE}).")
    Duration settle;

    /** One life of a job id: from its POST to the next POST of the same id. */
    static final class Life {
        final String id;
        final int host;
        final long timeoutMs;
        final boolean cancel;
        final boolean lateCancel;
        final long postSentAt;
        volatile long postAnsweredAt;
        volatile int postCode;
        volatile String postState = "";
        volatile int cancelVia = -1;
        volatile long cancelSentAt;
        volatile long cancelAnsweredAt;
        volatile int cancelCode;
        final List<Long> emails = new CopyOnWriteArrayList<>();
        volatile long nextLifeAt = Long.MAX_VALUE;

        Life(String id, int host, long timeoutMs, boolean cancel, boolean lateCancel, long postSentAt) {
            this.id = id;
            this.host = host;
            this.timeoutMs = timeoutMs;
            this.cancel = cancel;
            this.lateCancel = lateCancel;
            this.postSentAt = postSentAt;
        }

        long deadlineLatest() {
            return (postAnsweredAt > 0 ? postAnsweredAt : postSentAt) + timeoutMs;
        }

        boolean started() {
            return postCode == 201;
        }
    }

    private final List<Life> lives = new CopyOnWriteArrayList<>();
    private final Map<String, Life> current = new ConcurrentHashMap<>();
    private final List<String> gauges = new CopyOnWriteArrayList<>();
    private HttpClient http;

    @Override
    public Integer call() throws Exception {
        if (hosts.size() != outboxes.size()) {
            throw new IllegalArgumentException("--hosts and --outboxes differ in length");
        }
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).executor(Executors.newFixedThreadPool(32)).build();
        SplittableRandom random = new SplittableRandom(seed);
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(4);
        long start = System.currentTimeMillis();
        long end = start + duration.toMillis();
        int n = hosts.size();
        int seq = 0;
        List<Life> reusable = new ArrayList<>();
        System.out.printf("chaos workload: %d hosts, %d jobs/s for %d s, seed %d%n", n, rate, duration.toSeconds(), seed);
        timers.scheduleAtFixedRate(() -> sampleGauges(System.currentTimeMillis()), 0, 10, TimeUnit.SECONDS);
        for (long now = start; now < end; now = System.currentTimeMillis()) {
            String id;
            Life reuse = null;
            if (random.nextInt(100) < 5) { // an id reused after its previous life finished uncancelled
                for (int i = 0; i < reusable.size() && reuse == null; i++) {
                    Life l = reusable.get(i);
                    // After recordTtl (30 s): sooner, a cancel may be answered about the previous timer (README)
                    if (l.postCode == 201 && now > l.deadlineLatest() + 40_000 && current.get(l.id) == l) {
                        reuse = l;
                        reusable.remove(i);
                    }
                }
            }
            id = reuse != null ? reuse.id : "c" + seed + "-" + (seq++);
            int host = random.nextInt(n);
            long timeoutMs = 2_000 + random.nextInt(4_000);
            int dice = random.nextInt(100);
            boolean cancel = dice < 50;
            boolean late = dice < 5; // a cancel sent after the deadline: the owner must answer 409
            Life life = new Life(id, host, timeoutMs, cancel, late, now);
            if (reuse != null) {
                reuse.nextLifeAt = now;
            }
            lives.add(life);
            current.put(id, life);
            if (!cancel && reuse == null) {
                reusable.add(life);
            }
            post(life);
            if (cancel) {
                int via = (host + 1 + random.nextInt(n - 1)) % n; // the load balancer's pick: not the owner
                long after = late ? timeoutMs + 500 + random.nextInt(1_000) : 200 + random.nextInt((int) timeoutMs - 700);
                timers.schedule(() -> delete(life, via), after, TimeUnit.MILLISECONDS);
            }
            long sleep = 1_000L / rate;
            Thread.sleep(sleep);
        }
        long lastDeadline = lives.stream().mapToLong(Life::deadlineLatest).max().orElse(end);
        long wait = Math.max(0, lastDeadline - System.currentTimeMillis()) + settle.toMillis();
        System.out.printf("chaos workload: %d job lives started; waiting %d ms past the last deadline%n", lives.size(), wait);
        Thread.sleep(wait);
        timers.shutdownNow();
        sampleGauges(System.currentTimeMillis());
        Map<String, List<long[]>> byRestarted = new ConcurrentHashMap<>();
        Map<String, List<Long>> emails = readEmails(byRestarted);
        return new ChaosAudit(lives, emails, byRestarted, readFaults(), gauges, hosts.size()).run() ? 0 : 1;
    }

    private void post(Life life) {
        URI uri = URI.create(hosts.get(life.host) + "/jobs?id=" + life.id + "&timeout=" + life.timeoutMs + "ms");
        http.sendAsync(request(uri).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, e) -> {
                    life.postAnsweredAt = System.currentTimeMillis();
                    life.postCode = e != null ? 599 : r.statusCode();
                    life.postState = e != null ? "" : r.body();
                });
    }

    private void delete(Life life, int via) {
        life.cancelVia = via;
        life.cancelSentAt = System.currentTimeMillis();
        URI uri = URI.create(hosts.get(via) + "/jobs/" + life.id);
        http.sendAsync(request(uri).DELETE().build(), HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, e) -> {
                    life.cancelAnsweredAt = System.currentTimeMillis();
                    life.cancelCode = e != null ? 599 : r.statusCode();
                });
    }

    private static HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15));
    }

    /** Each host's table gauges and heap, every 10 s: "EPOCH_MS host live replicas tombstones heap_bytes" (-1: no answer). */
    private void sampleGauges(long now) {
        for (int h = 0; h < hosts.size(); h++) {
            long live = -1;
            long replicas = -1;
            long tombstones = -1;
            long heap = -1;
            try {
                HttpResponse<String> r = http.send(request(URI.create(hosts.get(h) + "/metrics")).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                heap = 0;
                for (String line : r.body().split("\n")) {
                    if (line.startsWith("wheelcast_live_timers")) {
                        live = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    } else if (line.startsWith("wheelcast_replicas")) {
                        replicas = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    } else if (line.startsWith("wheelcast_tombstones")) {
                        tombstones = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    } else if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
                        heap += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
            } catch (Exception e) {
                // down, stopped or cut off: no sample
            }
            gauges.add(now + " " + h + " " + live + " " + replicas + " " + tombstones + " " + heap);
        }
    }

    /**
     * Every email in every outbox (restarted hosts append to theirs), by job id: the times it was
     * sent. Those sent by a restarted incarnation (another node id than the first the host's
     * server.log names) also go to {@code byRestarted}, as (time, host index).
     */
    private Map<String, List<Long>> readEmails(Map<String, List<long[]>> byRestarted) throws Exception {
        Map<String, List<Long>> emails = new ConcurrentHashMap<>();
        for (int h = 0; h < outboxes.size(); h++) {
            Path p = outboxes.get(h);
            if (!Files.exists(p)) {
                continue;
            }
            String first = firstNodeId(p.resolveSibling("server.log"));
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JobJson.Email e = JobJson.read(line, JobJson.Email.class);
                long at = Instant.parse(e.at()).toEpochMilli();
                emails.computeIfAbsent(e.job(), k -> new ArrayList<>()).add(at);
                if (first != null && !first.equals(e.owner())) {
                    byRestarted.computeIfAbsent(e.job(), k -> new ArrayList<>()).add(new long[] {at, h});
                }
            }
        }
        return emails;
    }

    /** The node id of a host's first job server ("job-server ... node=ID ..."), or null. */
    private static String firstNodeId(Path serverLog) throws Exception {
        if (!Files.exists(serverLog)) {
            return null;
        }
        for (String line : Files.readAllLines(serverLog, StandardCharsets.UTF_8)) {
            int at = line.startsWith("job-server ") ? line.indexOf(" node=") : -1;
            if (at >= 0) {
                int end = line.indexOf(' ', at + 6);
                return line.substring(at + 6, end < 0 ? line.length() : end);
            }
        }
        return null;
    }

    private List<ChaosAudit.Fault> readFaults() throws Exception {
        List<ChaosAudit.Fault> out = new ArrayList<>();
        Map<String, ChaosAudit.Fault> open = new ConcurrentHashMap<>();
        for (String line : Files.readAllLines(faults, StandardCharsets.UTF_8)) {
            String[] p = line.trim().split(" ", 4);
            if (p.length < 3) {
                continue;
            }
            long at = Long.parseLong(p[0]);
            String kind = p[2];
            String who = p.length > 3 ? p[3] : "";
            if (p[1].equals("start")) {
                ChaosAudit.Fault f = new ChaosAudit.Fault(kind, who, at);
                open.put(kind + " " + who, f);
                out.add(f);
            } else {
                ChaosAudit.Fault f = open.remove(kind + " " + who);
                if (f != null) {
                    f.end = at;
                }
            }
        }
        return out;
    }
}
