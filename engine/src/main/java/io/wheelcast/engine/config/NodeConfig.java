package io.wheelcast.engine.config;

import io.wheelcast.engine.Backoff;
import io.wheelcast.engine.FaultPlan;
import io.wheelcast.engine.TransportKind;

import java.net.InetAddress;
import java.util.concurrent.Executor;

/** Validated settings of one node; built by {@link io.wheelcast.engine.WheelcastNodeBuilder}. */
public record NodeConfig(
        InetAddress group,
        int port,
        String networkInterface,
        long clusterId,
        int ttl,
        boolean loopback,
        TransportKind transport,
        boolean busyPoll,
        long receiveCoalescingNanos,
        int receiveBufferBytes,
        int sendBufferBytes,
        int maxDatagramBytes,
        int maxReceiveDatagramBytes,
        int maxIdLength,
        int maxPayloadLength,
        int maxTimers,
        int maxReplicas,
        int maxTombstones,
        int maxPendingCancels,
        int maxSenders,
        int commandQueueCapacity,
        int tickMs,
        int wheelSlots,
        Backoff killBackoff,
        long tombstoneTtlMs,
        long recordTtlMs,
        long listenerTimeoutMs,
        long replicaGraceMs,
        long heartbeatIntervalMs,
        long failureTimeoutMs,
        boolean takeover,
        int replicas,
        FaultPlan faultPlan,
        boolean acceptTextKills,
        boolean emitTextKills,
        io.wheelcast.codec.ClusterKey currentKey,
        io.wheelcast.codec.ClusterKey previousKey,
        long freshnessMs,
        Executor completionExecutor,
        boolean jmx,
        UnicastConfig unicast) {
}
