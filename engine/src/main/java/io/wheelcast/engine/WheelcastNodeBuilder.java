package io.wheelcast.engine;

import io.wheelcast.codec.ClusterKey;
import io.wheelcast.codec.HeaderFlyweight;
import io.wheelcast.codec.ScheduleFlyweight;
import io.wheelcast.codec.WireFormat;
import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.config.UnicastConfig;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link WheelcastNode}, from {@link WheelcastNode#builder()}. Defaults suit a LAN with a 1500-byte MTU; see the README's table.
 */
public final class WheelcastNodeBuilder {
    private InetAddress group;
    private int port = 45454;
    private String networkInterface;
    private long clusterId = 0;
    private int ttl = 1;
    private boolean loopback = true;
    private TransportKind transport = TransportKind.AUTO;
    private boolean busyPoll;
    private long receiveCoalescingNanos;
    private int receiveBufferBytes = 4 << 20;
    private int sendBufferBytes = 1 << 20;
    private int maxDatagramBytes = 1400;
    private int maxReceiveDatagramBytes = 2048;
    private int maxIdLength = 64;
    private int maxPayloadLength = 1024;
    private int maxTimers = 65_536;
    private int maxReplicas = 65_536;
    private int replicas = 2;
    private int maxTombstones = 65_536;
    private int maxPendingCancels = 16_384;
    private int maxSenders = 1024;
    private int commandQueueCapacity = 65_536;
    private int tickMs = 1;
    private int wheelSlots = 4096;
    private Backoff killBackoff = Backoff.DEFAULT;
    private long tombstoneTtlMs = 30_000;
    private long recordTtlMs = 30_000;
    private long listenerTimeoutMs = 30_000;
    private long replicaGraceMs = 5_000;
    private long heartbeatIntervalMs = 1_000;
    private long failureTimeoutMs = -1;
    private boolean takeover = true;
    private FaultPlan faultPlan = FaultPlan.NONE;
    private Executor completionExecutor = ForkJoinPool.commonPool();
    private boolean acceptTextKills;
    private boolean emitTextKills;
    private ClusterKey currentKey;
    private ClusterKey previousKey;
    private long freshnessMs = 10_000;
    private boolean jmx;
    private boolean unicast;
    private InetAddress bindAddress;
    private final List<InetSocketAddress> seeds = new ArrayList<>();
    private String dnsName;
    private int dnsPort;
    private long dnsRefreshMs = 10_000;
    private InetSocketAddress dnsServer;

    WheelcastNodeBuilder() {
        try {
            group = InetAddress.getByName("239.255.42.99");
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Multicast group (IPv4 239.0.0.0/8 for a site, or IPv6 ff15::/16 and similar). Default 239.255.42.99. */
    public WheelcastNodeBuilder group(String address) {
        InetAddress a;
        try {
            a = InetAddress.getByName(Objects.requireNonNull(address, "group"));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("group '" + address + "' is not an address", e);
        }
        if (!a.isMulticastAddress()) {
            throw new IllegalArgumentException("group " + address + " is not a multicast address");
        }
        this.group = a;
        return this;
    }

    public WheelcastNodeBuilder port(int port) {
        this.port = range("port", port, 1, 65_535);
        return this;
    }

    /** Interface name ({@code eth1}) or address; default: first up, multicast-capable, non-loopback. */
    public WheelcastNodeBuilder networkInterface(String nameOrAddress) {
        this.networkInterface = nameOrAddress;
        return this;
    }

    /** Unsigned 32-bit id; datagrams of other clusters sharing the group and port are dropped. Default 0. */
    public WheelcastNodeBuilder clusterId(long clusterId) {
        if (clusterId < 0 || clusterId > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("clusterId must be an unsigned 32-bit value, got " + clusterId);
        }
        this.clusterId = clusterId;
        return this;
    }

    /** Multicast hops: 1 (default) stays on the LAN segment, 0 stays on this host. */
    public WheelcastNodeBuilder ttl(int ttl) {
        this.ttl = range("ttl", ttl, 0, 255);
        return this;
    }

    /** Deliver our datagrams to other nodes on this host too (default true; needed for several nodes per host). */
    public WheelcastNodeBuilder loopback(boolean loopback) {
        this.loopback = loopback;
        return this;
    }

    /**
     * The socket implementation (default {@link TransportKind#AUTO}: epoll, else NIO). Asking for
     * {@link TransportKind#EPOLL} or {@link TransportKind#IO_URING} where it does not load fails
     * {@code start()} with the reason; io_uring combines with neither {@link #busyPoll} nor
     * {@link #receiveCoalescing}.
     */
    public WheelcastNodeBuilder transport(TransportKind transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
        return this;
    }

    /**
     * Low-latency mode: the event loop spins on epoll instead of sleeping in it, trading one
     * core at 100% for no wake-up latency. Pin the process (taskset) so the spin has its own
     * core. Epoll only. Default off.
     */
    public WheelcastNodeBuilder busyPoll(boolean busyPoll) {
        this.busyPoll = busyPoll;
        return this;
    }

    /**
     * Receive coalescing (interrupt moderation): after a wake-up that read datagrams the loop
     * waits this long before it reads again, so each read takes a batch. Cuts the receiver's CPU
     * per kill at high one-kill-per-datagram rates (fewer wake-ups, system calls and KILL_ACK
     * datagrams) and adds up to the window (plus the OS timer's slack, ~50 us) to the handling
     * of datagrams that arrive during it, and to commands from other threads. A datagram that
     * finds the loop idle is handled at once. Zero (default) turns it off; at most 10 ms;
     * not with {@link #busyPoll}.
     */
    public WheelcastNodeBuilder receiveCoalescing(Duration window) {
        long nanos = window.toNanos();
        if (nanos < 0 || nanos > TimeUnit.MILLISECONDS.toNanos(10)) {
            throw new IllegalArgumentException("receiveCoalescing must be between 0 and 10 ms: " + window);
        }
        this.receiveCoalescingNanos = nanos;
        return this;
    }

    public WheelcastNodeBuilder receiveBufferBytes(int bytes) {
        this.receiveBufferBytes = range("receiveBufferBytes", bytes, 4096, 1 << 30);
        return this;
    }

    public WheelcastNodeBuilder sendBufferBytes(int bytes) {
        this.sendBufferBytes = range("sendBufferBytes", bytes, 4096, 1 << 30);
        return this;
    }

    /** Largest datagram sent (frames are packed up to it). Default 1400: fits a 1500 MTU for IPv4 and IPv6. */
    public WheelcastNodeBuilder maxDatagramBytes(int bytes) {
        this.maxDatagramBytes = range("maxDatagramBytes", bytes, 256, 65_507);
        return this;
    }

    /**
     * Largest datagram received (default 2048). Longer ones arrive truncated and are dropped as
     * malformed. Smaller values let one recvmmsg call carry more datagrams.
     */
    public WheelcastNodeBuilder maxReceiveDatagramBytes(int bytes) {
        this.maxReceiveDatagramBytes = range("maxReceiveDatagramBytes", bytes, 256, 65_507);
        return this;
    }

    public WheelcastNodeBuilder maxIdLength(int bytes) {
        this.maxIdLength = range("maxIdLength", bytes, 1, 1024);
        return this;
    }

    public WheelcastNodeBuilder maxPayloadLength(int bytes) {
        this.maxPayloadLength = range("maxPayloadLength", bytes, 0, 32_768);
        return this;
    }

    public WheelcastNodeBuilder maxTimers(int n) {
        this.maxTimers = range("maxTimers", n, 1, 1 << 24);
        return this;
    }

    public WheelcastNodeBuilder maxReplicas(int n) {
        this.maxReplicas = range("maxReplicas", n, 1, 1 << 24);
        return this;
    }

    public WheelcastNodeBuilder maxTombstones(int n) {
        this.maxTombstones = range("maxTombstones", n, 1, 1 << 24);
        return this;
    }

    public WheelcastNodeBuilder maxPendingCancels(int n) {
        this.maxPendingCancels = range("maxPendingCancels", n, 1, 1 << 22);
        return this;
    }

    public WheelcastNodeBuilder maxSenders(int n) {
        this.maxSenders = range("maxSenders", n, 1, 1 << 20);
        return this;
    }

    public WheelcastNodeBuilder commandQueueCapacity(int n) {
        this.commandQueueCapacity = range("commandQueueCapacity", n, 16, 1 << 24);
        return this;
    }

    /** Timer resolution in ms (default 1). */
    public WheelcastNodeBuilder tickMs(int ms) {
        this.tickMs = range("tickMs", ms, 1, 1000);
        return this;
    }

    public WheelcastNodeBuilder wheelSlots(int slots) {
        if (Integer.bitCount(slots) != 1 || slots < 16) {
            throw new IllegalArgumentException("wheelSlots must be a power of two >= 16, got " + slots);
        }
        this.wheelSlots = slots;
        return this;
    }

    /** KILL retransmit schedule and the cancel timeout. Default 5 ms doubling to 200 ms, 2 s, 16 sends. */
    public WheelcastNodeBuilder killBackoff(Backoff backoff) {
        this.killBackoff = Objects.requireNonNull(backoff, "backoff");
        return this;
    }

    public WheelcastNodeBuilder cancelTimeout(Duration timeout) {
        long ms = timeout.toMillis();
        Backoff b = killBackoff;
        this.killBackoff = new Backoff(b.initialMs(), b.maxMs(), ms, Math.max(b.maxAttempts(), (int) (ms / b.maxMs()) + 8));
        return this;
    }

    /** How long a kill for an unknown id is remembered (default 30 s). */
    public WheelcastNodeBuilder tombstoneTtl(Duration ttl) {
        this.tombstoneTtlMs = positive("tombstoneTtl", ttl.toMillis());
        return this;
    }

    /** How long a fired or cancelled timer is remembered to answer late kills (default 30 s). */
    public WheelcastNodeBuilder recordTtl(Duration ttl) {
        this.recordTtlMs = positive("recordTtl", ttl.toMillis());
        return this;
    }

    /**
     * How long an expiry listener may run before its timer counts as delivered anyway (default
     * 30 s). A timer's holders learn that it fired only once its listener returned, so that a
     * crash of this node before then makes a survivor fire it again (at-least-once) instead of
     * nobody; a listener that runs longer, or an executor that drops tasks silently, would
     * otherwise hold the holders' copies until this node dies. Counted as
     * {@code EXPIRIES_SETTLED_BY_TIMEOUT}.
     */
    public WheelcastNodeBuilder listenerTimeout(Duration timeout) {
        this.listenerTimeoutMs = positive("listenerTimeout", timeout.toMillis());
        return this;
    }

    public WheelcastNodeBuilder replicaGrace(Duration grace) {
        this.replicaGraceMs = positive("replicaGrace", grace.toMillis());
        return this;
    }

    /**
     * Silence after which a member is declared dead and its timers are taken over (default
     * 3 heartbeat intervals + 500 ms: 3.5 s). Shorter detects faster; too short declares
     * members dead on a lossy network or across a GC pause (they come back and the takeover
     * is undone, at the price of traffic). Must exceed the heartbeat interval.
     */
    public WheelcastNodeBuilder failureTimeout(Duration timeout) {
        this.failureTimeoutMs = positive("failureTimeout", timeout.toMillis());
        return this;
    }

    /**
     * Whether timers survive their owner (default true). True: each own timer is replicated
     * to a live member, and a dead owner's timers are adopted and fired by a survivor:
     * at-least-once, so a timer may fire on both sides of a network partition. False:
     * at-most-once, a timer fires only on the node that armed it and dies with it.
     */
    public WheelcastNodeBuilder takeover(boolean takeover) {
        this.takeover = takeover;
        return this;
    }

    /**
     * How many members keep a replica of each timer (default 2): the top-{@code k} rendezvous
     * winners for its id among the live members other than its owner. The first of them adopts
     * the timer if the owner dies; the others cover that one dying too. Each node then holds
     * about cluster timers x k / members replicas instead of a replica of every timer, so size
     * {@link #maxReplicas(int)} from that. Other members keep only tombstones of early kills.
     */
    public WheelcastNodeBuilder replicas(int k) {
        this.replicas = range("replicas", k, 1, 64);
        return this;
    }

    /** Heartbeat interval (default 1 s, jittered by 10%); zero disables heartbeats and with them failover. */
    public WheelcastNodeBuilder heartbeatInterval(Duration interval) {
        long ms = interval.toMillis();
        if (ms < 0) {
            throw new IllegalArgumentException("heartbeatInterval must be >= 0");
        }
        this.heartbeatIntervalMs = ms;
        return this;
    }

    /** Seeded fault injection on receive, for tests and demos. Default none. */
    public WheelcastNodeBuilder faultPlan(FaultPlan plan) {
        this.faultPlan = Objects.requireNonNull(plan, "plan");
        return this;
    }

    /**
     * Treat plain-text datagrams {@code kill:<id>} (the classic multicast snippet) as kills.
     * Off by default: they carry no cluster id, sequence or authentication.
     */
    public WheelcastNodeBuilder acceptTextKills(boolean accept) {
        this.acceptTextKills = accept;
        return this;
    }

    /** Also send a {@code kill:<id>} text datagram with each cancel, for nodes still running the snippet. */
    public WheelcastNodeBuilder emitTextKills(boolean emit) {
        this.emitTextKills = emit;
        return this;
    }

    /**
     * Authenticate every datagram with HMAC-SHA-256 under this key; datagrams without a valid
     * tag, replayed, or older than the freshness bound are dropped and counted.
     */
    public WheelcastNodeBuilder clusterKey(ClusterKey key) {
        return clusterKeys(key, null);
    }

    /**
     * Key rotation: sign with {@code current}, accept {@code current} and {@code previous}.
     * Roll out the new key as previous everywhere, then as current, then drop the old one.
     */
    public WheelcastNodeBuilder clusterKeys(ClusterKey current, ClusterKey previous) {
        this.currentKey = Objects.requireNonNull(current, "current");
        if (previous != null && previous.keyId() == current.keyId()) {
            throw new IllegalArgumentException("current and previous keys need different key ids");
        }
        this.previousKey = previous;
        return this;
    }

    /**
     * With a key: how far a datagram's timestamp may be from this node's wall clock (default
     * 10 s). Bounds replays after a receiver forgot a sender; needs clocks synchronised (NTP)
     * to well within it.
     */
    public WheelcastNodeBuilder freshness(Duration maxSkew) {
        this.freshnessMs = positive("freshness", maxSkew.toMillis());
        return this;
    }

    /**
     * Unicast mode, for networks that carry no multicast (Kubernetes pod networks, cloud VPCs,
     * subnets behind a router): the same frames, tag and checks, sent to every member's own
     * address instead of a group. Members are found from {@link #seeds} and/or
     * {@link #dnsDiscovery}, then learn each other from heartbeats and member lists. Bind with
     * {@link #port} and {@link #bindAddress}. See docs/operations.md, "Running without multicast".
     */
    public WheelcastNodeBuilder unicast() {
        this.unicast = true;
        return this;
    }

    /**
     * Unicast: the local address to bind (default: every address). Needed when several nodes
     * share a host, each on its own address (127.0.0.x in tests).
     */
    public WheelcastNodeBuilder bindAddress(String address) {
        InetAddress a = ipLiteral(Objects.requireNonNull(address, "address"));
        if (a == null) {
            throw new IllegalArgumentException("bindAddress must be an IP address, got '" + address + "'");
        }
        this.bindAddress = a;
        return this;
    }

    /**
     * Unicast: where to look for the first members, as {@code host:port} ({@code [v6]:port} for
     * IPv6 literals). Host names are resolved asynchronously on the event loop and re-resolved
     * every {@code dnsRefresh}; an unreachable or unresolvable seed is retried and counted, never
     * fatal. A seed that turns out to be this node itself is recognised and skipped.
     */
    public WheelcastNodeBuilder seeds(String... hostPorts) {
        for (String hp : hostPorts) {
            seeds.add(parseHostPort(hp, "seed"));
        }
        return this;
    }

    /**
     * Unicast: the A/AAAA records of {@code name} are candidate members, all on {@code port}
     * (the Kubernetes headless-Service convention: deploy it with
     * {@code publishNotReadyAddresses: true}); re-resolved every {@code refresh}.
     */
    public WheelcastNodeBuilder dnsDiscovery(String name, int port, Duration refresh) {
        this.dnsName = Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("dnsDiscovery needs a name");
        }
        this.dnsPort = range("dns port", port, 1, 65_535);
        this.dnsRefreshMs = positive("dns refresh", refresh.toMillis());
        return this;
    }

    /** Unicast: how often seeds with host names and the DNS name are resolved again (default 10 s). */
    public WheelcastNodeBuilder discoveryRefresh(Duration refresh) {
        this.dnsRefreshMs = positive("discoveryRefresh", refresh.toMillis());
        return this;
    }

    /** Unicast: the DNS server to ask, {@code host:port} (default: the system's, from /etc/resolv.conf). */
    public WheelcastNodeBuilder dnsServer(String hostPort) {
        InetSocketAddress a = parseHostPort(hostPort, "dnsServer");
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("dnsServer must be an IP address and port, got '" + hostPort + "'");
        }
        this.dnsServer = a;
        return this;
    }

    /** {@code host:port} or {@code [v6]:port}; IP literals resolved without DNS, names left unresolved. */
    private static InetSocketAddress parseHostPort(String hostPort, String what) {
        Objects.requireNonNull(hostPort, what);
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException(what + " must be host:port, got '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int p;
        try {
            p = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " port is not a number in '" + hostPort + "'");
        }
        range(what + " port", p, 1, 65_535);
        InetAddress literal = ipLiteral(host);
        if (literal != null) {
            return new InetSocketAddress(literal, p);
        }
        if (host.isBlank() || host.contains(":")) {
            throw new IllegalArgumentException(what + " host is not a name or address in '" + hostPort + "'");
        }
        return InetSocketAddress.createUnresolved(host, p);
    }

    /** An IP literal as an address, parsed without any DNS lookup; null if {@code text} is not one. */
    private static InetAddress ipLiteral(String text) {
        byte[] bytes = io.netty.util.NetUtil.createByteArrayFromIpAddressString(text);
        try {
            return bytes == null ? null : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null; // 4 or 16 bytes from the parser: cannot happen
        }
    }

    /**
     * Registers the node's {@link WheelcastNodeMXBean} with the platform MBean server on start
     * (as {@code io.wheelcast:type=WheelcastNode,name=<node id in hex>}) and unregisters it on
     * close, so JConsole, VisualVM and jmx_exporter see it. Default off.
     */
    public WheelcastNodeBuilder jmx(boolean register) {
        this.jmx = register;
        return this;
    }

    /** Executor that completes schedule and cancel futures (default: the common pool). */
    public WheelcastNodeBuilder completionExecutor(Executor executor) {
        this.completionExecutor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /**
     * Validates the settings without opening a socket, as {@link #start()} would; for tools and
     * tests that drive the protocol directly. The returned type is internal (not exported).
     *
     * @throws IllegalArgumentException for settings that contradict each other
     */
    public NodeConfig build() {
        if (currentKey != null && acceptTextKills) {
            throw new IllegalArgumentException("acceptTextKills cannot be combined with a cluster key: text kills "
                    + "carry no authentication tag");
        }
        if (maxReceiveDatagramBytes < maxDatagramBytes) {
            throw new IllegalArgumentException("maxReceiveDatagramBytes (" + maxReceiveDatagramBytes
                    + ") must be at least maxDatagramBytes (" + maxDatagramBytes + ")");
        }
        if (transport == TransportKind.IO_URING && (busyPoll || receiveCoalescingNanos > 0)) {
            throw new IllegalArgumentException((busyPoll ? "busyPoll" : "receiveCoalescing")
                    + " needs the epoll transport: io_uring's event loop has no select strategy to spin or wait in");
        }
        if (busyPoll && receiveCoalescingNanos > 0) {
            throw new IllegalArgumentException("busyPoll and receiveCoalescing exclude each other: one spins for "
                    + "the lowest latency, the other sleeps to batch");
        }
        int room = maxDatagramBytes - HeaderFlyweight.HEADER_LENGTH
                - WireFormat.AUTH_TAG_LENGTH - ScheduleFlyweight.FIXED_LENGTH;
        if (maxIdLength + maxPayloadLength > room) {
            throw new IllegalArgumentException("maxIdLength + maxPayloadLength (" + (maxIdLength + maxPayloadLength)
                    + ") must fit one datagram: at most " + room + " with maxDatagramBytes " + maxDatagramBytes);
        }
        if (failureTimeoutMs > 0 && heartbeatIntervalMs > 0 && failureTimeoutMs <= heartbeatIntervalMs) {
            throw new IllegalArgumentException("failureTimeout (" + failureTimeoutMs + " ms) must exceed heartbeatInterval ("
                    + heartbeatIntervalMs + " ms): every member would be declared dead between two heartbeats");
        }
        if (unicast && seeds.isEmpty() && dnsName == null) {
            throw new IllegalArgumentException("unicast mode needs seeds(...) or dnsDiscovery(...): with neither, "
                    + "this node could only wait to be found");
        }
        if (!unicast && (!seeds.isEmpty() || dnsName != null || bindAddress != null)) {
            throw new IllegalArgumentException("seeds, dnsDiscovery and bindAddress apply to unicast mode: call unicast()");
        }
        if (unicast && heartbeatIntervalMs == 0) {
            throw new IllegalArgumentException("unicast mode needs heartbeats: members learn each other's addresses from them");
        }
        return new NodeConfig(group, port, networkInterface, clusterId, ttl, loopback, transport, busyPoll,
                receiveCoalescingNanos, receiveBufferBytes, sendBufferBytes, maxDatagramBytes, maxReceiveDatagramBytes, maxIdLength, maxPayloadLength, maxTimers,
                maxReplicas, maxTombstones, maxPendingCancels, maxSenders, commandQueueCapacity, tickMs,
                wheelSlots, killBackoff, tombstoneTtlMs, recordTtlMs, listenerTimeoutMs, replicaGraceMs, heartbeatIntervalMs,
                failureTimeoutMs > 0 ? failureTimeoutMs : 3 * heartbeatIntervalMs + 500,
                takeover && heartbeatIntervalMs > 0, replicas,
                faultPlan, acceptTextKills, emitTextKills, currentKey, previousKey, freshnessMs, completionExecutor, jmx,
                unicast ? new UnicastConfig(bindAddress, seeds, dnsName, dnsPort, dnsRefreshMs, dnsServer) : null);
    }

    /**
     * Opens the socket, joins the group and starts the loop.
     *
     * @throws IllegalArgumentException for a bad setting or interface (the message lists usable interfaces)
     * @throws IllegalStateException    if the socket cannot be bound or the group joined
     */
    public WheelcastNode start() {
        return new WheelcastNode(build());
    }

    private static int range(String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    private static long positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + v + " ms");
        }
        return v;
    }
}
