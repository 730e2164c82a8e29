package io.wheelcast.engine.membership;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Unicast mode's address book, confined to the event loop: where each member is (learned from
 * its authenticated datagrams' source, or from another member's list), and where to send a
 * datagram meant for the whole cluster: every member heard (alive, or declared dead but not
 * gone), every member-list candidate not yet heard (for a while), and every seed or DNS address
 * not found to be this node.
 * Bounded by maxSenders; what does not fit is counted by the caller.
 */
public final class MemberAddresses {
    /** The destination set is rebuilt at most this often, or at once when an address is learned. */
    private static final long REBUILD_PERIOD_MS = 100;

    private final long[] ids;
    private final InetSocketAddress[] addresses;
    /** 4 or 16 address bytes per entry, for member lists (kept, so a list costs no allocation). */
    private final byte[][] addressBytes;
    private final long[] learnedAt;
    private final boolean[] heardDirectly;
    private final long candidateTtlMs;
    private int size;
    private InetSocketAddress[] discovered = new InetSocketAddress[0];
    private boolean[] discoveredSelf = new boolean[0];
    private final InetSocketAddress[] destinations;
    private int destinationCount;
    private boolean dirty = true;
    private long nextRebuildMs;
    private int listCursor;

    /**
     * @param capacity       members whose address is kept (maxSenders)
     * @param candidateTtlMs how long an address heard of only through a member list is tried
     */
    public MemberAddresses(int capacity, long candidateTtlMs) {
        this.ids = new long[capacity];
        this.addresses = new InetSocketAddress[capacity];
        this.addressBytes = new byte[capacity][];
        this.learnedAt = new long[capacity];
        this.heardDirectly = new boolean[capacity];
        this.candidateTtlMs = candidateTtlMs;
        this.destinations = new InetSocketAddress[capacity + 256];
    }

    private int indexOf(long member) {
        for (int i = 0; i < size; i++) {
            if (ids[i] == member) {
                return i;
            }
        }
        return -1;
    }

    /** An authenticated, accepted datagram from {@code member} came from {@code source}. Returns false if the table is full. */
    public boolean heardFrom(long member, InetSocketAddress source, long nowMs, Membership membership) {
        int i = indexOf(member);
        if (i >= 0) {
            heardDirectly[i] = true;
            learnedAt[i] = nowMs;
            if (!source.equals(addresses[i])) {
                set(i, source);
            }
            return true;
        }
        i = slot(membership);
        if (i < 0) {
            return false;
        }
        ids[i] = member;
        heardDirectly[i] = true;
        learnedAt[i] = nowMs;
        set(i, source);
        return true;
    }

    /**
     * Another member says {@code member} is at {@code address}. Kept only if we know no address
     * for it yet (what a member tells us never overrides what we heard ourselves). Returns false
     * if the table is full.
     */
    public boolean learned(long member, InetSocketAddress address, long nowMs, Membership membership) {
        int i = indexOf(member);
        if (i >= 0) {
            if (!heardDirectly[i] && !address.equals(addresses[i])) {
                set(i, address);
                learnedAt[i] = nowMs;
            }
            return true;
        }
        i = slot(membership);
        if (i < 0) {
            return false;
        }
        ids[i] = member;
        heardDirectly[i] = false;
        learnedAt[i] = nowMs;
        set(i, address);
        return true;
    }

    /** A free slot, or the one of a member no longer alive (the oldest); -1 if all are alive. */
    private int slot(Membership membership) {
        if (size < ids.length) {
            return size++;
        }
        int victim = -1;
        for (int i = 0; i < size; i++) {
            if (!membership.isAlive(ids[i]) && (victim < 0 || learnedAt[i] < learnedAt[victim])) {
                victim = i;
            }
        }
        return victim;
    }

    private void set(int i, InetSocketAddress address) {
        addresses[i] = address;
        addressBytes[i] = address.getAddress().getAddress();
        dirty = true;
    }

    /** Our own datagram came back from {@code source}: if a seed or DNS address is that, it is us. Returns true the first time. */
    public boolean self(InetSocketAddress source) {
        for (int i = 0; i < discovered.length; i++) {
            if (!discoveredSelf[i] && discovered[i].equals(source)) {
                discoveredSelf[i] = true;
                dirty = true;
                return true;
            }
        }
        return false;
    }

    /** The seeds' and DNS name's addresses now (a new resolution replaces the last); addresses found to be us stay skipped. */
    public void discovered(List<InetSocketAddress> now) {
        InetSocketAddress[] next = now.toArray(new InetSocketAddress[0]);
        boolean[] self = new boolean[next.length];
        for (int i = 0; i < next.length; i++) {
            for (int j = 0; j < discovered.length; j++) {
                if (discoveredSelf[j] && discovered[j].equals(next[i])) {
                    self[i] = true;
                }
            }
        }
        discovered = next;
        discoveredSelf = self;
        dirty = true;
    }

    /** Where a datagram for the whole cluster goes now; the addresses are in {@link #destinations()}. */
    public int destinationCount(long nowMs, Membership membership) {
        if (dirty || nowMs >= nextRebuildMs) {
            rebuild(nowMs, membership);
        }
        return destinationCount;
    }

    public InetSocketAddress[] destinations() {
        return destinations;
    }

    private void rebuild(long nowMs, Membership membership) {
        dirty = false;
        nextRebuildMs = nowMs + REBUILD_PERIOD_MS;
        int n = 0;
        for (int i = 0; i < size; i++) {
            long id = ids[i];
            // Dead members stay addressed (not those that said goodbye): after a partition heals,
            // both sides must hear each other again even if neither is the other's seed.
            boolean known = membership.isAlive(id) || (membership.isDead(id) && !membership.hasLeft(id));
            // A member list's entry not heard yet. A sender heard directly that sends no heartbeats
            // (a one-shot tool, a benchmark's sender) is no member: its address only serves answers to it.
            boolean candidate = !heardDirectly[i] && !membership.isAlive(id) && !membership.isDead(id)
                    && nowMs - learnedAt[i] < candidateTtlMs;
            if (known || candidate) {
                n = add(addresses[i], n);
            }
        }
        for (int i = 0; i < discovered.length; i++) {
            if (!discoveredSelf[i]) {
                n = add(discovered[i], n);
            }
        }
        if (n < destinationCount) {
            Arrays.fill(destinations, n, destinationCount, null);
        }
        destinationCount = n;
    }

    private int add(InetSocketAddress a, int n) {
        if (n >= destinations.length) {
            return n;
        }
        for (int j = 0; j < n; j++) {
            if (destinations[j].equals(a)) {
                return n;
            }
        }
        destinations[n] = a;
        return n + 1;
    }

    /**
     * Fills the arrays with up to {@code max} live members and their addresses for a member
     * list, starting where the last list stopped, so that lists longer than one frame rotate.
     */
    public int memberList(long[] outIds, int[] outPorts, byte[][] outAddresses, int max, Membership membership) {
        int n = 0;
        for (int k = 0; k < size && n < max; k++) {
            int i = (listCursor + k) % size;
            if (membership.isAlive(ids[i]) && heardDirectly[i]) {
                outIds[n] = ids[i];
                outPorts[n] = addresses[i].getPort();
                outAddresses[n] = addressBytes[i];
                n++;
            }
        }
        listCursor = size == 0 ? 0 : (listCursor + Math.max(1, n)) % size;
        return n;
    }

    /** Where {@code member} is, or null. */
    public InetSocketAddress addressOf(long member) {
        int i = indexOf(member);
        return i < 0 ? null : addresses[i];
    }

    /** An entry of a member list as a socket address; null for an address family other than 4 or 6. */
    public static InetSocketAddress toAddress(int family, byte[] sixteen, int port) {
        try {
            if (family == 4) {
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOf(sixteen, 4)), port);
            }
            if (family == 6) {
                return new InetSocketAddress(InetAddress.getByAddress(sixteen.clone()), port);
            }
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
        return null;
    }
}
