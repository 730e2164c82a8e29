package io.wheelcast.engine;

import io.wheelcast.codec.DecodeStatus;

/**
 * Everything a node counts. Counters only grow; gauges ({@link #isGauge()}) are current
 * values. Read them through {@link WheelcastNode#stats()}.
 */
public enum Counter {
    /** Every received datagram is counted once here and once in exactly one outcome: accepted, a reject, duplicate, stale, own, or text kill. */
    DATAGRAMS_IN, DATAGRAMS_ACCEPTED, BYTES_IN, DATAGRAMS_OUT, BYTES_OUT, SEND_FAILURES,
    FRAMES_IN_SCHEDULE, FRAMES_IN_KILL, FRAMES_IN_KILL_ACK, FRAMES_IN_HEARTBEAT, FRAMES_IN_FIRED, FRAMES_IN_REPLICATED, FRAMES_IN_UNKNOWN,
    FRAMES_OUT_SCHEDULE, FRAMES_OUT_KILL, FRAMES_OUT_KILL_ACK, FRAMES_OUT_HEARTBEAT, FRAMES_OUT_FIRED, FRAMES_OUT_REPLICATED,
    /** One per {@link DecodeStatus} other than OK, in the same order. */
    REJECT_TOO_SHORT, REJECT_TOO_LONG, REJECT_BAD_MAGIC, REJECT_UNSUPPORTED_VERSION, REJECT_WRONG_CLUSTER,
    REJECT_NO_FRAMES, REJECT_TOO_MANY_FRAMES, REJECT_FRAME_HEADER_TRUNCATED, REJECT_FRAME_LENGTH_INVALID,
    REJECT_FRAME_TRUNCATED, REJECT_ID_EMPTY, REJECT_ID_TOO_LONG, REJECT_PAYLOAD_TOO_LONG, REJECT_BAD_OUTCOME,
    REJECT_FRAME_COUNT_MISMATCH, REJECT_TRAILING_BYTES,
    /** With a cluster key: no tag, a key id we do not hold, a wrong tag, a timestamp outside the freshness bound. */
    REJECT_AUTH_MISSING, REJECT_AUTH_UNKNOWN_KEY, REJECT_AUTH_BAD_TAG, REJECT_STALE_TIMESTAMP,
    /** Our own datagrams looped back by the kernel. */
    OWN_DATAGRAMS_IGNORED,
    DUPLICATE_DATAGRAMS, STALE_DATAGRAMS, SEQUENCE_GAPS, SENDER_EVICTIONS,
    TIMERS_ARMED, TIMERS_FIRED, TIMERS_CANCELLED_LOCALLY, TIMERS_CANCELLED_REMOTELY, TIMERS_PRE_CANCELLED,
    SCHEDULES_REJECTED, TIMER_LIMIT_HITS,
    REPLICAS_STORED, REPLICAS_DROPPED_FULL,
    /** SCHEDULE frames of timers this node is not a designated holder of (see replicas(k)): nothing kept. */
    REPLICAS_NOT_HOLDER,
    REPLICAS_EXPIRED, SCHEDULE_AFTER_KILL, SCHEDULE_ID_CONFLICT,
    TOMBSTONES_STORED, TOMBSTONES_DROPPED_FULL, TOMBSTONES_EXPIRED,
    CANCELS_REQUESTED, CANCELS_CANCELLED, CANCELS_ALREADY_FIRED, CANCELS_NOT_FOUND, CANCELS_UNCONFIRMED,
    CANCELS_REJECTED, KILL_RETRANSMITS, KILL_ACKS_UNMATCHED,
    COMMAND_QUEUE_FULL, LISTENER_FAILURES, LISTENER_REJECTED,
    FAULT_DROPPED, FAULT_DUPLICATED, FAULT_DELAYED,
    /** Classic-snippet compatibility: {@code kill:<id>} text datagrams. */
    TEXT_KILLS_IN, TEXT_KILLS_INVALID, TEXT_KILLS_OUT,
    /** Membership: members heard for the first time, heard again after being declared dead, declared dead, said goodbye. */
    MEMBERS_JOINED, MEMBERS_REVIVED, MEMBERS_DEAD, MEMBERS_LEFT, MEMBER_TABLE_FULL,
    /** This node's own loop stalled for longer than a heartbeat interval (GC, VM pause, SIGSTOP). */
    PAUSES_DETECTED,
    /**
     * Replication: SCHEDULE re-sends until a live member holds a replica; replicas handed to a
     * dead owner's adopter; own timers sent to a member that joined as one of their holders.
     */
    SCHEDULE_RETRANSMITS, ORPHANS_FORWARDED, REPLICAS_TRANSFERRED,
    /**
     * Takeover: timers adopted from a dead owner (armed, or already cancelled), adoptions refused
     * at maxTimers, and adopted timers whose firing waited for a designated holder's answer.
     */
    TIMERS_ADOPTED, TIMERS_ADOPTED_CANCELLED, ADOPTIONS_DROPPED_FULL, ADOPTIONS_DEFERRED,
    /** Not adopted: the dead owner sent a heartbeat well after the timer's deadline, so it fired it (its FIRED was lost). */
    TAKEOVERS_PRESUMED_FIRED,
    /** An armed timer given up because another node owns it now, fired it, or cancelled it (after a takeover). */
    TIMERS_YIELDED, TIMERS_FIRED_ELSEWHERE, TIMERS_CANCELLED_ELSEWHERE,
    /** A FIRED for an id whose timer here belongs to another owner: an earlier life of a reused id, ignored. */
    OUTCOMES_OF_OTHER_LIVES,
    /**
     * A survivor's hand-over of a dead owner's timer that reached us after its adopter's
     * announcement (we hold the adopted timer's copy for the live adopter): stale, ignored.
     */
    HANDOVERS_AFTER_ADOPTION,
    /**
     * A timer that finished before its designated backup acknowledged a copy, whose outcome went
     * unanswered by the backup through every re-send: the backup never had a copy, or is unreachable.
     */
    OUTCOMES_UNCONFIRMED,
    /** Kills of a timer this node adopted from a member that is back: that member answers, not our record. */
    KILLS_LEFT_TO_OWNER,
    /**
     * Kills of another member's finished timer answered by this node, which saw how it ended (its
     * FIRED, its owner's cancel, the owner's report that it fired), because the owner is dead or
     * silent: the canceller's answer if no owner answers within its budget (defect 17).
     */
    KILLS_ANSWERED_FOR_DEAD_OWNER,
    /**
     * Unicast mode, routed kills (docs/wire-format.md): kills a replica's holder passed on to
     * the owner (KILL_FORWARD out), forwarded kills received, and kill re-sends that went to
     * every member because the routed ones were not answered.
     */
    FRAMES_OUT_KILL_FORWARD, FRAMES_IN_KILL_FORWARD, KILLS_WIDENED,
    /**
     * Unicast mode: member lists in and out, list entries ignored (unknown address family, or
     * the address table full at maxSenders), datagrams written per destination (the fan-out),
     * datagrams with no destination yet, seeds found to be this node, failed resolutions of
     * seeds or the DNS name.
     */
    FRAMES_IN_MEMBERS, FRAMES_OUT_MEMBERS, MEMBER_ENTRIES_IGNORED, UNICAST_SENDS, DATAGRAMS_UNADDRESSED, SEEDS_SELF,
    DISCOVERY_FAILURES,
    /**
     * Unicast mode: datagrams addressed to one member (a replica to its holders, an answer to
     * its canceller), and those of them sent to every destination instead because that member's
     * address was not known yet.
     */
    DIRECT_DATAGRAMS_OUT, DIRECT_ADDRESS_UNKNOWN,
    /**
     * Expiries and their listeners (docs/operations.md, "Expiry listeners"): SETTLED frames in
     * and out; expiries counted as settled because their listener ran past listenerTimeout; kills
     * of a timer whose listener is still running (answered once it returns: the canceller re-sends).
     */
    FRAMES_IN_SETTLED, FRAMES_OUT_SETTLED, EXPIRIES_SETTLED_BY_TIMEOUT, KILLS_AWAIT_LISTENER,
    /** A bug: the loop's periodic work threw (logged at most every 10 s); the tick goes on regardless. */
    LOOP_ERRORS,
    /** Gauges. */
    LIVE_TIMERS(true), REPLICAS(true), TOMBSTONES(true), PENDING_CANCELS(true), KNOWN_SENDERS(true), LIVE_MEMBERS(true),
    /** Own timers no live member has acknowledged a replica of yet (refreshed every 250 ms): what a crash now would lose. */
    UNREPLICATED_TIMERS(true),
    /** Unicast mode: the addresses datagrams go to now (live members, candidates from member lists, unheard seeds). */
    UNICAST_DESTINATIONS(true),
    /** Expiries handed to the listener that have not returned yet: their FIRED waits, a crash now makes an adopter fire them again. */
    EXPIRIES_UNSETTLED(true);

    private final boolean gauge;

    Counter() {
        this(false);
    }

    Counter(boolean gauge) {
        this.gauge = gauge;
    }

    public boolean isGauge() {
        return gauge;
    }

    private static final Counter[] REJECTS = new Counter[DecodeStatus.values().length];

    static {
        for (DecodeStatus s : DecodeStatus.values()) {
            if (s != DecodeStatus.OK) {
                REJECTS[s.ordinal()] = Counter.valueOf("REJECT_" + s.name());
            }
        }
    }

    /** The counter for a decoder rejection. */
    public static Counter rejection(DecodeStatus status) {
        return REJECTS[status.ordinal()];
    }

    /** Prometheus-style name, e.g. {@code wheelcast_frames_in_kill_total}. */
    public String metricName() {
        return "wheelcast_" + name().toLowerCase(java.util.Locale.ROOT) + (gauge ? "" : "_total");
    }
}
