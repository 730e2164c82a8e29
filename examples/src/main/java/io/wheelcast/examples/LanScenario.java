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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The job-timeout story as a check, driven over HTTP against running job servers (started by
 * scripts/lan.sh, one per simulated host): start jobs, cancel two thirds through a host other
 * than the owner, wait past the deadlines, then audit every outbox. The last line printed is
 * machine-readable; the exit code is 0 only when the verdict is OK.
 */
@Command(name = "lan-scenario", mixinStandardHelpOptions = true,
        description = "Drive the job-timeout scenario against running job servers and audit the outboxes.")
public final class LanScenario implements Callable<Integer> {
    @Option(names = "--hosts", required = true, split = ",", description = "Job server base URLs, e.g. http://10.77.0.1:8080")
    List<String> hosts;

    @Option(names = "--outboxes", required = true, split = ",", description = "Outbox files, in the same order as --hosts.")
    List<Path> outboxes;

    @Option(names = "--jobs", defaultValue = "300", description = "Jobs to start (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--timeout-ms", defaultValue = "4000", description = "Base job timeout; each adds up to 2 s (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the load balancer's random picks.")
    long seed;

    @Option(names = "--kill-pid", description = "SIGKILL this host process after the jobs start (the --kill-host run).")
    Long killPid;

    @Option(names = "--kill-index", defaultValue = "-1", description = "Index in --hosts of the host --kill-pid belongs to.")
    int killIndex;

    @Option(names = "--loss", defaultValue = "0", description = "Loss percent injected by the caller, for the report.")
    double loss;

    @Option(names = "--hold-jobs", defaultValue = "0", description = {"After the audit, start this many 10-minute jobs on every host",
            "and leave them armed, for the memory report of scripts/lan.sh (default: ${DEFAULT-VALUE})."})
    int holdJobs;


    @Override
    public Integer call() throws Exception {
        if (hosts.size() != outboxes.size()) {
            throw new IllegalArgumentException("--hosts and --outboxes differ in length");
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        SplittableRandom random = new SplittableRandom(seed);
        int n = hosts.size();
        int[] ownerHost = new int[jobs];
        long[] deadlineNs = new long[jobs];
        long start = System.nanoTime();
        // Enough threads that cancels waiting out a dead owner's timeout do not delay the others.
        ExecutorService pool = Executors.newFixedThreadPool(killPid == null ? 16 : 64);
        boolean[] cancel = new boolean[jobs];
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            order.add(j);
        }
        for (int i = order.size() - 1; i > 0; i--) { // seeded shuffle: exactly two thirds are cancelled
            java.util.Collections.swap(order, i, random.nextInt(i + 1));
        }
        for (int k = 0; k < jobs * 2 / 3; k++) {
            cancel[order.get(k)] = true;
        }
        List<Future<String>> posts = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            int h = j % n;
            ownerHost[j] = h;
            long timeout = timeoutMs + random.nextLong(2_000);
            int job = j;
            URI uri = URI.create(hosts.get(h) + "/jobs?id=job-" + j + "&timeout=" + timeout + "ms");
            posts.add(pool.submit(() -> {
                String r = send(http, HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()));
                deadlineNs[job] = System.nanoTime() + timeout * 1_000_000L; // armed before the answer: an upper bound
                return r;
            }));
        }
        int postFailures = 0;
        for (Future<String> f : posts) {
            if (!f.get().startsWith("201")) {
                postFailures++;
            }
        }
        if (killPid != null) {
            // The documented guarantee covers timers with a live holder: wait (up to 5 s) until the
            // victim's UNREPLICATED_TIMERS gauge (refreshed every 250 ms) reads 0, then SIGKILL it.
            long unreplicated = awaitReplicated(http, hosts.get(killIndex));
            ProcessHandle.of(killPid).ifPresent(ProcessHandle::destroyForcibly);
            System.out.println("killed host " + (killIndex + 1) + " (pid " + killPid + ") with SIGKILL after starting the jobs"
                    + " (unreplicated timers at the kill: " + unreplicated + ")");
        }
        // Cancel two thirds, each through a random host other than the owner (the load balancer's pick).
        int[] cancelCode = new int[jobs];
        double[] cancelMs = new double[jobs];
        List<Future<?>> deletes = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            if (!cancel[j]) {
                continue;
            }
            int via;
            do { // the load balancer's pick: any live host but the owner
                via = (ownerHost[j] + 1 + random.nextInt(n - 1)) % n;
            } while (killPid != null && via == killIndex);
            int job = j;
            URI uri = URI.create(hosts.get(via) + "/jobs/job-" + j);
            deletes.add(pool.submit(() -> {
                long t0 = System.nanoTime();
                String r = send(http, HttpRequest.newBuilder(uri).DELETE());
                cancelMs[job] = (System.nanoTime() - t0) / 1e6;
                cancelCode[job] = Integer.parseInt(r.substring(0, 3));
                return null;
            }));
        }
        for (Future<?> f : deletes) {
            f.get();
        }
        long lastDeadline = Arrays.stream(deadlineNs).max().orElse(System.nanoTime());
        // With a dead host, its timers fire after the survivors detect the death (3.5 s, longer on a lossy LAN).
        long waitMs = Math.max(0, (lastDeadline - System.nanoTime()) / 1_000_000L) + (killPid == null ? 3_000 : 12_000);
        System.out.println("started " + jobs + " jobs on " + n + " hosts, cancels sent; waiting " + waitMs + " ms past the deadlines");
        Thread.sleep(waitMs);

        Map<String, Integer> emails = new HashMap<>();
        List<String> invalidOutboxLines = new ArrayList<>();
        int adoptedEmails = 0;
        for (int h = 0; h < outboxes.size(); h++) {
            Path p = outboxes.get(h);
            if (Files.exists(p)) {
                List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
                for (int l = 0; l < lines.size(); l++) {
                    String jobId;
                    try {
                        jobId = JobJson.read(lines.get(l), JobJson.Email.class).job();
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        invalidOutboxLines.add(p + ":" + (l + 1) + " is not an email line: " + e.getOriginalMessage());
                        continue;
                    }
                    emails.merge(jobId, 1, Integer::sum);
                    if (jobId.startsWith("job-")) {
                        int job = Integer.parseInt(jobId.substring("job-".length()));
                        if (killPid != null && ownerHost[job] == killIndex && h != killIndex) {
                            adoptedEmails++;
                        }
                    }
                }
            }
        }
        int cancelled = 0;
        int expected = 0;
        int sent = 0;
        int wrong = 0;
        int unconfirmed = 0;
        int deadHostJobs = 0;
        int deadHostMissing = 0;
        List<String> problems = new ArrayList<>(invalidOutboxLines);
        List<Double> latencies = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            String id = "job-" + j;
            int got = emails.getOrDefault(id, 0);
            sent += got;
            boolean onDeadHost = ownerHost[j] == killIndex && killPid != null;
            if (onDeadHost) {
                deadHostJobs++;
            }
            if (!cancel[j]) {
                expected++;
                if (got != 1) {
                    wrong++;
                    if (onDeadHost && got == 0) {
                        deadHostMissing++;
                    }
                    problems.add(id + ": not cancelled, expected 1 email, got " + got);
                }
                continue;
            }
            latencies.add(cancelMs[j]);
            switch (cancelCode[j]) {
                case 200 -> {
                    cancelled++;
                    if (got != 0) {
                        wrong++;
                        problems.add(id + ": DELETE said cancelled, but " + got + " email(s) were sent");
                    }
                }
                case 409 -> {
                    expected++;
                    if (got != 1) {
                        wrong++;
                        problems.add(id + ": DELETE said already fired, but " + got + " email(s)");
                    }
                }
                case 503 -> {
                    unconfirmed++;
                    if (got != 0) { // even unconfirmed, a kill is remembered: the adopter takes the timer over as cancelled
                        wrong++;
                        problems.add(id + ": DELETE unconfirmed, and " + got + " email(s) were sent");
                    }
                    if (!onDeadHost) {
                        wrong++;
                        problems.add(id + ": DELETE unconfirmed although the owner is alive");
                    }
                }
                case 404 -> {
                    if (!onDeadHost || got != 0) {
                        wrong++;
                        problems.add(id + ": DELETE said not found, emails " + got);
                    } else {
                        unconfirmed++; // the owner is dead and its replica expired: honest, but not a cancel
                    }
                }
                default -> {
                    wrong++;
                    problems.add(id + ": DELETE answered " + cancelCode[j] + ", emails " + got);
                }
            }
        }
        int holdFailures = holdJobs > 0 ? hold(http, pool) : 0;
        pool.shutdown();
        latencies.sort(Double::compare);
        double p50 = percentile(latencies, 50);
        double p99 = percentile(latencies, 99);
        boolean ok = wrong == 0 && postFailures == 0 && holdFailures == 0 && invalidOutboxLines.isEmpty();
        System.out.println();
        System.out.printf("%-26s %8s%n", "jobs started", jobs);
        System.out.printf("%-26s %8s%n", "start failures", postFailures);
        System.out.printf("%-26s %8s%n", "cancelled (200)", cancelled);
        System.out.printf("%-26s %8s%n", "unconfirmed (503)", unconfirmed);
        System.out.printf("%-26s %8s%n", "emails expected", expected);
        System.out.printf("%-26s %8s%n", "emails sent", sent);
        System.out.printf("%-26s %8s%n", "wrong", wrong);
        System.out.printf("%-26s %8s%n", "invalid outbox lines", invalidOutboxLines.size());
        System.out.printf("%-26s %8.1f%n", "cancel p50 ms", p50);
        System.out.printf("%-26s %8.1f%n", "cancel p99 ms", p99);
        System.out.printf("%-26s %8.0f%n", "injected loss %", loss);
        if (holdJobs > 0) {
            System.out.printf("%-26s %8s%n", "held jobs per host", holdJobs);
            System.out.printf("%-26s %8s%n", "held jobs not started", holdFailures);
        }
        if (killPid != null) {
            System.out.printf("%-26s %8s%n", "jobs on the killed host", deadHostJobs);
            System.out.printf("%-26s %8s%n", "their emails never sent", deadHostMissing);
            System.out.printf("%-26s %8s%n", "emailed by survivors", adoptedEmails);
        }
        problems.stream().limit(10).forEach(p -> System.out.println("  " + p));
        System.out.printf("verdict: %s jobs=%d cancelled=%d expected_emails=%d sent_emails=%d wrong=%d cancel_p50_ms=%.1f cancel_p99_ms=%.1f "
                        + "loss_pct=%.0f elapsed_s=%.1f%n", ok ? "OK" : "FAIL", jobs, cancelled, expected, sent, wrong, p50, p99, loss,
                (System.nanoTime() - start) / 1e9);
        return ok ? 0 : 1;
    }

    /** Polls a host's unreplicated_timers gauge until two readings 300 ms apart are 0, or 5 s; returns the last reading (-1: none). */
    private static long awaitReplicated(HttpClient http, String host) throws InterruptedException {
        long last = -1;
        int zeros = 0;
        for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end && zeros < 2; ) {
            Thread.sleep(300);
            String metrics = send(http, HttpRequest.newBuilder(URI.create(host + "/metrics")).GET());
            for (String line : metrics.split("\n")) {
                if (line.startsWith("wheelcast_unreplicated_timers")) {
                    last = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            zeros = last == 0 ? zeros + 1 : 0;
        }
        return last;
    }

    /** Starts --hold-jobs 10-minute jobs on every live host and leaves them armed; returns how many failed to start. */
    private int hold(HttpClient http, ExecutorService pool) throws Exception {
        List<Future<String>> posts = new ArrayList<>();
        for (int h = 0; h < hosts.size(); h++) {
            if (killPid != null && h == killIndex) {
                continue;
            }
            for (int i = 0; i < holdJobs; i++) {
                URI uri = URI.create(hosts.get(h) + "/jobs?id=hold-h" + (h + 1) + "-" + i + "&timeout=600s");
                posts.add(pool.submit(() -> send(http, HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()))));
            }
        }
        int failures = 0;
        for (Future<String> f : posts) {
            if (!f.get().startsWith("201")) {
                failures++;
            }
        }
        return failures;
    }

    private static String send(HttpClient http, HttpRequest.Builder req) {
        try {
            HttpResponse<String> r = http.send(req.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (Exception e) {
            return "599 " + e;
        }
    }

    private static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
