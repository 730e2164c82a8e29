package io.wheelcast.engine;

import java.util.List;
import java.util.Map;

/**
 * A node as JMX sees it (JConsole, VisualVM, jmx_exporter), registered with
 * {@link WheelcastNodeBuilder#jmx(boolean)}. Read-only; every attribute is a fresh reading.
 */
public interface WheelcastNodeMXBean {
    /** This incarnation's node id, hex. */
    String getNodeId();

    /** "epoll", "io_uring" or "nio". */
    String getTransport();

    String getNetworkInterface();

    /** The group, as address:port. */
    String getGroup();

    /** Every counter and gauge, by its metric name (as {@code /metrics} names them). */
    Map<String, Long> getCounters();

    long getLiveTimers();

    long getReplicas();

    long getTombstones();

    long getPendingCancels();

    /** Own timers no live member has acknowledged yet: what a crash of this node now would lose. */
    long getUnreplicatedTimers();

    long getLiveMembers();

    /** The live members this node sees, hex ids (asked from the event loop; empty if it does not answer within 1 s). */
    List<String> getMembers();

    /** Every setting of the node, by its builder name. */
    Map<String, String> getConfiguration();

    long getCancelRoundTripCount();

    long getCancelRoundTripP50Micros();

    long getCancelRoundTripP99Micros();

    long getCancelRoundTripMaxMicros();

    long getAdoptionLatenessP99Micros();

    long getReplicationDelayP99Micros();
}
