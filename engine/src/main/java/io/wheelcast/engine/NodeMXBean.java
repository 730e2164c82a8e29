package io.wheelcast.engine;

import io.wheelcast.engine.config.NodeConfig;

import java.lang.management.ManagementFactory;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** The {@link WheelcastNodeMXBean} of one node: reads its stats, latencies and, through the command queue, its members. */
final class NodeMXBean implements WheelcastNodeMXBean {
    private final WheelcastNode node;
    private final NodeConfig config;
    private final ObjectName name;

    NodeMXBean(WheelcastNode node, NodeConfig config) {
        this.node = node;
        this.config = config;
        try {
            this.name = new ObjectName("io.wheelcast:type=WheelcastNode,name=" + Long.toHexString(node.nodeId()));
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    void register() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            server.registerMBean(this, name);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register " + name + " with the platform MBean server: " + e, e);
        }
    }

    void unregister() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (JMException e) {
            // already gone: nothing to undo
        }
    }

    ObjectName objectName() {
        return name;
    }

    @Override
    public String getNodeId() {
        return Long.toHexString(node.nodeId());
    }

    @Override
    public String getTransport() {
        return node.transport();
    }

    @Override
    public String getNetworkInterface() {
        return node.networkInterface() == null ? "none (unicast)" : node.networkInterface().getName();
    }

    @Override
    public String getGroup() {
        if (node.unicast()) {
            return "unicast on " + node.localAddress().getAddress().getHostAddress() + ":" + node.localAddress().getPort();
        }
        return node.groupAddress().getAddress().getHostAddress() + ":" + node.groupAddress().getPort();
    }

    @Override
    public Map<String, Long> getCounters() {
        Map<String, Long> out = new LinkedHashMap<>();
        node.stats().asMap().forEach((c, v) -> out.put(c.metricName(), v));
        return out;
    }

    @Override
    public long getLiveTimers() {
        return node.stats().get(Counter.LIVE_TIMERS);
    }

    @Override
    public long getReplicas() {
        return node.stats().get(Counter.REPLICAS);
    }

    @Override
    public long getTombstones() {
        return node.stats().get(Counter.TOMBSTONES);
    }

    @Override
    public long getPendingCancels() {
        return node.stats().get(Counter.PENDING_CANCELS);
    }

    @Override
    public long getUnreplicatedTimers() {
        return node.stats().get(Counter.UNREPLICATED_TIMERS);
    }

    @Override
    public long getLiveMembers() {
        return node.stats().get(Counter.LIVE_MEMBERS);
    }

    @Override
    public List<String> getMembers() {
        List<String> out = new ArrayList<>();
        try {
            for (long m : node.members().toCompletableFuture().get(1, TimeUnit.SECONDS)) {
                out.add(Long.toHexString(m));
            }
        } catch (Exception e) {
            // closed, or the loop did not answer in time: an empty view, not an exception in JConsole
        }
        return out;
    }

    @Override
    public Map<String, String> getConfiguration() {
        Map<String, String> out = new LinkedHashMap<>();
        for (RecordComponent c : NodeConfig.class.getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(config);
                String name = c.getName();
                if (name.endsWith("Key")) {
                    v = v == null ? "none" : "key id " + ((io.wheelcast.codec.ClusterKey) v).keyId(); // never the secret
                }
                out.put(name, String.valueOf(v));
            } catch (ReflectiveOperationException e) {
                out.put(c.getName(), "unreadable: " + e);
            }
        }
        return out;
    }

    @Override
    public long getCancelRoundTripCount() {
        return node.latency(Latency.CANCEL_ROUND_TRIP).count();
    }

    @Override
    public long getCancelRoundTripP50Micros() {
        return node.latency(Latency.CANCEL_ROUND_TRIP).percentileMicros(50);
    }

    @Override
    public long getCancelRoundTripP99Micros() {
        return node.latency(Latency.CANCEL_ROUND_TRIP).percentileMicros(99);
    }

    @Override
    public long getCancelRoundTripMaxMicros() {
        return node.latency(Latency.CANCEL_ROUND_TRIP).maxMicros();
    }

    @Override
    public long getAdoptionLatenessP99Micros() {
        return node.latency(Latency.ADOPTION_LATENESS).percentileMicros(99);
    }

    @Override
    public long getReplicationDelayP99Micros() {
        return node.latency(Latency.REPLICATION_DELAY).percentileMicros(99);
    }
}
