package io.wheelcast.engine.protocol;

import io.wheelcast.codec.HeaderFlyweight;
import io.wheelcast.codec.MembersFlyweight;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.membership.MemberAddresses;
import io.wheelcast.engine.membership.Membership;

import java.net.InetSocketAddress;

/**
 * Unicast mode's addressing (see docs/operations.md, "Running without multicast"): learns each
 * member's address from the source of its authenticated datagrams and from the MEMBERS lists
 * that members send with their heartbeats (handled here), notices a seed that is this node, and
 * writes this node's own list. In multicast mode it only counts MEMBERS frames. Loop-confined.
 */
final class PeerDiscovery {
    private final long nodeId;
    private final Counters counters;
    private final Membership membership;
    /** Null in multicast mode. */
    private final MemberAddresses addresses;
    private final EntryFrames frames;
    private final LoopClock clock;
    private final byte[] sixteen = new byte[MembersFlyweight.ADDRESS_LENGTH];
    private final long[] listIds;
    private final int[] listPorts;
    private final byte[][] listAddresses;

    PeerDiscovery(long nodeId, Counters counters, Membership membership, MemberAddresses addresses, EntryFrames frames,
                  int maxListEntries, LoopClock clock) {
        this.nodeId = nodeId;
        this.counters = counters;
        this.membership = membership;
        this.addresses = addresses;
        this.frames = frames;
        this.clock = clock;
        this.listIds = new long[maxListEntries];
        this.listPorts = new int[maxListEntries];
        this.listAddresses = new byte[maxListEntries][];
    }

    /** An accepted datagram from {@code sender}: its source is where the member is. */
    void heardFrom(long sender, InetSocketAddress source) {
        if (addresses != null && source != null && !addresses.heardFrom(sender, source, clock.nowMs, membership)) {
            counters.increment(Counter.MEMBER_ENTRIES_IGNORED);
        }
    }

    /** One of our own datagrams came back: from a seed address, that seed is this node. */
    void ownDatagramFrom(InetSocketAddress source) {
        if (addresses != null && source != null && addresses.self(source)) {
            counters.increment(Counter.SEEDS_SELF);
        }
    }

    void onMembers(HeaderFlyweight header, MembersFlyweight f) {
        counters.increment(Counter.FRAMES_IN_MEMBERS);
        if (addresses == null) {
            return;
        }
        for (int i = 0, n = f.count(); i < n; i++) {
            long id = f.nodeId(i);
            if (id == nodeId || id == 0 || (membership.isAlive(id) && addresses.addressOf(id) != null)) {
                continue; // us, or a member we hear ourselves
            }
            f.address(i, sixteen);
            InetSocketAddress address = f.port(i) == 0 ? null : MemberAddresses.toAddress(f.family(i), sixteen, f.port(i));
            if (address == null || !addresses.learned(id, address, clock.nowMs, membership)) {
                counters.increment(Counter.MEMBER_ENTRIES_IGNORED); // a bad entry, or the table is full
            }
        }
    }

    /** With each heartbeat in unicast mode: the members we hear, where (rotating when they do not fit one frame). */
    void appendMemberList() {
        if (addresses == null) {
            return;
        }
        int n = addresses.memberList(listIds, listPorts, listAddresses, listIds.length, membership);
        if (n > 0) {
            frames.members(listIds, listPorts, listAddresses, n);
        }
    }

    /** Seeds and DNS records as last resolved (unicast mode). */
    void discovered(java.util.List<InetSocketAddress> now) {
        if (addresses != null) {
            addresses.discovered(now);
        }
    }

    /** Where a datagram for the whole cluster goes now (unicast mode); the addresses are in {@link #destinations()}. */
    int destinationCount() {
        return addresses == null ? 0 : addresses.destinationCount(clock.nowMs, membership);
    }

    /** Where {@code member} is (unicast mode), or null while unknown. */
    InetSocketAddress addressOf(long member) {
        return addresses == null ? null : addresses.addressOf(member);
    }

    InetSocketAddress[] destinations() {
        return addresses.destinations();
    }
}
