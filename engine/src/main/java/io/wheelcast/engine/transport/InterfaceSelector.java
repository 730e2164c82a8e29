package io.wheelcast.engine.transport;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Picks the network interface a node joins its group on. A multicast socket on the wrong
 * interface is the most common failure users report, so every refusal names the interfaces
 * that would work.
 *
 * <p>Internal API.
 */
public final class InterfaceSelector {
    private InterfaceSelector() {
    }

    /**
     * @param spec an interface name ({@code eth1}) or one of its addresses ({@code 10.0.0.5}),
     *             or {@code null} for the first up, multicast-capable, non-loopback interface
     *             with an address of the group's family (loopback if there is no other)
     * @param ipv6 whether the group is IPv6
     * @throws IllegalArgumentException naming the usable interfaces when none matches
     */
    public static NetworkInterface select(String spec, boolean ipv6) {
        try {
            if (spec == null || spec.isBlank()) {
                NetworkInterface loopback = null;
                for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    if (usable(ni, ipv6)) {
                        if (!ni.isLoopback()) {
                            return ni;
                        }
                        loopback = ni;
                    }
                }
                if (loopback != null) {
                    return loopback;
                }
                throw new IllegalArgumentException("no up, multicast-capable interface with an "
                        + (ipv6 ? "IPv6" : "IPv4") + " address; usable interfaces: " + describeUsable(ipv6));
            }
            NetworkInterface ni = NetworkInterface.getByName(spec);
            if (ni == null && looksLikeAddress(spec)) {
                ni = NetworkInterface.getByInetAddress(InetAddress.getByName(spec));
            }
            if (ni == null) {
                throw new IllegalArgumentException("no network interface named or addressed '" + spec
                        + "'; usable interfaces: " + describeUsable(ipv6));
            }
            if (!ni.isUp()) {
                throw new IllegalArgumentException("interface " + ni.getName() + " is down; usable interfaces: "
                        + describeUsable(ipv6));
            }
            if (!ni.supportsMulticast()) {
                throw new IllegalArgumentException("interface " + ni.getName()
                        + " does not support multicast (on Linux: ip link set " + ni.getName()
                        + " multicast on); usable interfaces: " + describeUsable(ipv6));
            }
            if (!hasFamily(ni, ipv6)) {
                throw new IllegalArgumentException("interface " + ni.getName() + " has no "
                        + (ipv6 ? "IPv6" : "IPv4") + " address; usable interfaces: " + describeUsable(ipv6));
            }
            return ni;
        } catch (SocketException | java.net.UnknownHostException e) {
            throw new IllegalArgumentException("cannot list network interfaces: " + e.getMessage(), e);
        }
    }

    private static boolean looksLikeAddress(String spec) {
        return spec.indexOf(':') >= 0 || spec.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static boolean usable(NetworkInterface ni, boolean ipv6) throws SocketException {
        return ni.isUp() && ni.supportsMulticast() && hasFamily(ni, ipv6);
    }

    private static boolean hasFamily(NetworkInterface ni, boolean ipv6) {
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
            if (ipv6 ? a instanceof Inet6Address : a instanceof Inet4Address) {
                return true;
            }
        }
        return false;
    }

    /** "eth1 [10.0.0.5], lo [127.0.0.1]" or "(none)". */
    public static String describeUsable(boolean ipv6) {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (usable(ni, ipv6)) {
                    List<String> addrs = new ArrayList<>();
                    for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                        if (ipv6 ? a instanceof Inet6Address : a instanceof Inet4Address) {
                            addrs.add(a.getHostAddress());
                        }
                    }
                    out.add(ni.getName() + " " + addrs);
                }
            }
        } catch (SocketException e) {
            return "(cannot list: " + e.getMessage() + ")";
        }
        return out.isEmpty() ? "(none)" : String.join(", ", out);
    }
}
