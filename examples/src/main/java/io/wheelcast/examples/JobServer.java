package io.wheelcast.examples;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wheelcast.engine.CancelOutcome;
import io.wheelcast.engine.ScheduleOutcome;
import io.wheelcast.engine.ScheduleRejectedException;
import io.wheelcast.engine.WheelcastNode;
import io.wheelcast.micrometer.WheelcastMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The story as a service: an HTTP job server embedding one Wheelcast node. POST starts a job
 * with a cluster timer, DELETE (on any host) cancels it cluster-wide, expiry "emails" the user
 * (a JSON line in the outbox file).
 */
@Command(name = "job-server", mixinStandardHelpOptions = true,
        description = {"HTTP job server with a cluster-wide job timeout.",
                "POST /jobs?timeout=10s[&id=ID]   start a job, arm its timer",
                "DELETE /jobs/ID                  cancel anywhere: 200 cancelled, 409 already fired, 404 unknown, 503 unconfirmed",
                "GET /jobs/ID, GET /metrics (Prometheus), GET /health"})
public final class JobServer implements Callable<Integer> {
    @Mixin
    NodeOptions net;

    @Option(names = "--http-port", description = "HTTP port (default: ${DEFAULT-VALUE}).", defaultValue = "8080")
    int httpPort;

    @Option(names = "--http-bind", description = "HTTP bind address (default: ${DEFAULT-VALUE}).", defaultValue = "0.0.0.0")
    String httpBind;

    @Option(names = "--outbox", description = "File the failure emails are appended to, one JSON line each (default: ${DEFAULT-VALUE}).",
            defaultValue = "outbox.jsonl")
    Path outbox;

    @Option(names = "--no-text-kills", description = "Do not accept classic 'kill:<id>' text datagrams (accepted by default here).")
    boolean noTextKills;

    enum State { RUNNING, CANCELLED, FAILED_EMAILED }

    private final Map<String, State> jobs = new ConcurrentHashMap<>();
    private final ExecutorService mailer = Executors.newSingleThreadExecutor(r -> new Thread(r, "mailer"));
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private WheelcastNode node;
    private Writer outboxWriter;

    @Override
    public Integer call() throws Exception {
        outboxWriter = Files.newBufferedWriter(outbox, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        // Text kills carry no tag: accepted only in clusters without a key.
        node = net.builder().acceptTextKills(!noTextKills && net.keyFile == null).start();
        WheelcastMetrics.of(node).bindTo(metrics);
        new JvmMemoryMetrics().bindTo(metrics);
        node.onExpire(e -> sendFailureEmail(e.idAsString(), e.lateByMs(), e.adopted()), mailer);
        node.onRemoteCancel((id, by) -> {
            String job = new String(id, StandardCharsets.UTF_8);
            jobs.put(job, State.CANCELLED);
            System.out.println("job " + job + " cancelled by " + (by == 0 ? "a text kill" : "node " + Long.toHexString(by)));
        }, mailer);
        MultiThreadIoEventLoopGroup http = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(http).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65_536), new Handler());
                        }
                    }).bind(httpBind, httpPort).sync().channel();
            System.out.println("job-server http=" + httpBind + ":" + httpPort + " node=" + Long.toHexString(node.nodeId())
                    + " transport=" + node.transport() + (node.unicast() ? " unicast=" + node.localAddress() : " iface=" + node.networkInterface().getName())
                    + " group=" + node.groupAddress() + " outbox=" + outbox);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                node.close();
            }));
            server.closeFuture().sync();
        } finally {
            http.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            node.close();
            mailer.shutdown();
        }
        return 0;
    }

    private void sendFailureEmail(String jobId, long lateMs, boolean adopted) {
        jobs.put(jobId, State.FAILED_EMAILED);
        String line = JobJson.write(new JobJson.Email(jobId, Long.toHexString(node.nodeId()), Instant.now().toString(),
                "Your job " + jobId + " timed out and was stopped"));
        try {
            outboxWriter.write(line);
            outboxWriter.write('\n');
            outboxWriter.flush();
        } catch (IOException e) {
            System.err.println("outbox write failed: " + e);
        }
        // How late the engine fired it, and whether it was another node's (adopted): a nemesis run's violation is read from these
        System.out.println("email: job " + jobId + " timed out (fired " + lateMs + " ms late" + (adopted ? ", adopted)" : ")"));
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String path = q.path();
            Exchange ex = new Exchange(ctx, HttpUtil.isKeepAlive(req), req.method().name(), route(path));
            try {
                if (path.equals("/jobs") && req.method().equals(HttpMethod.POST)) {
                    startJob(ex, req, q);
                } else if (path.startsWith("/jobs/") && path.length() > 6) {
                    String id = path.substring(6);
                    if (req.method().equals(HttpMethod.DELETE)) {
                        cancelJob(ex, id);
                    } else if (req.method().equals(HttpMethod.GET)) {
                        State s = jobs.get(id);
                        if (s == null) {
                            ex.reply(HttpResponseStatus.NOT_FOUND, error("job " + id + " is not owned by this host"));
                        } else {
                            ex.reply(HttpResponseStatus.OK, JobJson.write(new JobJson.JobState(id, s.name())));
                        }
                    } else {
                        ex.reply(HttpResponseStatus.METHOD_NOT_ALLOWED, error("use GET or DELETE on /jobs/ID"));
                    }
                } else if (path.equals("/metrics") && req.method().equals(HttpMethod.GET)) {
                    ex.send(HttpResponseStatus.OK, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8");
                } else if (path.equals("/health")) {
                    ex.reply(HttpResponseStatus.OK, JobJson.write(new JobJson.Message(null, "ok")));
                } else {
                    ex.reply(HttpResponseStatus.NOT_FOUND, error("no route " + req.method() + " " + path));
                }
            } catch (IllegalArgumentException e) {
                ex.reply(HttpResponseStatus.BAD_REQUEST, error(e.getMessage()));
            }
        }

        private void startJob(Exchange ex, FullHttpRequest req, QueryStringDecoder q) {
            Map<String, List<String>> params = new java.util.HashMap<>(q.parameters());
            String body = req.content().toString(StandardCharsets.UTF_8).trim();
            if (!body.isEmpty()) {
                params.putAll(new QueryStringDecoder(body, false).parameters());
            }
            List<String> timeout = params.get("timeout");
            if (timeout == null || timeout.isEmpty()) {
                throw new IllegalArgumentException("missing timeout (e.g. POST /jobs?timeout=10s)");
            }
            Duration d = DurationConverter.parse(timeout.get(0));
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            String id = params.containsKey("id") ? params.get("id").get(0) : "job-" + UUID.randomUUID().toString().substring(0, 8);
            if (id.isEmpty() || id.contains("/")) {
                throw new IllegalArgumentException("id must be non-empty and contain no '/'");
            }
            node.schedule(id, d).whenComplete((o, e) -> {
                if (e != null) {
                    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    boolean dup = t instanceof ScheduleRejectedException r && r.reason() == ScheduleRejectedException.Reason.DUPLICATE_ID;
                    ex.reply(dup ? HttpResponseStatus.CONFLICT : HttpResponseStatus.SERVICE_UNAVAILABLE, error(t.getMessage()));
                    return;
                }
                jobs.put(id, o == ScheduleOutcome.ARMED ? State.RUNNING : State.CANCELLED);
                ex.reply(HttpResponseStatus.CREATED, JobJson.write(new JobJson.Created(id,
                        Long.toHexString(node.nodeId()), d.toMillis(), o == ScheduleOutcome.ARMED ? "RUNNING" : "CANCELLED_BEFORE_START")));
            });
        }

        private void cancelJob(Exchange ex, String id) {
            long t0 = System.nanoTime();
            node.cancel(id).whenComplete((o, e) -> {
                if (e != null) {
                    ex.reply(HttpResponseStatus.SERVICE_UNAVAILABLE, error(String.valueOf(e.getMessage())));
                    return;
                }
                long nanos = System.nanoTime() - t0;
                Timer.builder("jobs.cancel").description("DELETE /jobs/ID: the cluster-wide cancel, by outcome")
                        .tag("outcome", o.status().name()).publishPercentileHistogram().register(metrics)
                        .record(nanos, TimeUnit.NANOSECONDS);
                if (o.status() == CancelOutcome.Status.CANCELLED && o.ownerId() == node.nodeId()) {
                    jobs.put(id, State.CANCELLED);
                }
                HttpResponseStatus status = switch (o.status()) {
                    case CANCELLED -> HttpResponseStatus.OK;
                    case ALREADY_FIRED -> HttpResponseStatus.CONFLICT;
                    case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
                    case UNCONFIRMED -> HttpResponseStatus.SERVICE_UNAVAILABLE;
                };
                double ms = Math.round(nanos / 1e4) / 100.0;
                ex.reply(status, JobJson.write(new JobJson.CancelReply(id, o.status().name(),
                        o.ownerId() == 0 ? "" : Long.toHexString(o.ownerId()), ms)));
            });
        }
    }

    /** A route template for the request timer's tag: ids never become tag values (unbounded cardinality). */
    private static String route(String path) {
        if (path.equals("/jobs") || path.equals("/metrics") || path.equals("/health")) {
            return path;
        }
        return path.startsWith("/jobs/") ? "/jobs/{id}" : "other";
    }

    /** One HTTP request: answered once, timed from arrival to the reply ({@code http.server.requests}). */
    private final class Exchange {
        private final ChannelHandlerContext ctx;
        private final boolean keepAlive;
        private final String method;
        private final String route;
        private final long startNanos = System.nanoTime();

        Exchange(ChannelHandlerContext ctx, boolean keepAlive, String method, String route) {
            this.ctx = ctx;
            this.keepAlive = keepAlive;
            this.method = method;
            this.route = route;
        }

        void reply(HttpResponseStatus status, String json) {
            send(status, json, "application/json");
        }

        void send(HttpResponseStatus status, String body, String type) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            HttpUtil.setContentLength(res, res.content().readableBytes());
            Timer.builder("http.server.requests").description("Job server HTTP requests, arrival to reply")
                    .tags("method", method, "uri", route, "status", Integer.toString(status.code()))
                    .publishPercentileHistogram().register(metrics)
                    .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
            if (keepAlive) {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(res);
            } else {
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    private static String error(String message) {
        return JobJson.write(JobJson.Message.error(String.valueOf(message)));
    }
}
