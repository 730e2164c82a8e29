package io.wheelcast.engine.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.config.UnicastConfig;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.protocol.DatagramSink;
import io.wheelcast.engine.protocol.NodeCore;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A node's socket and its event loop: picks the transport (epoll or NIO) and the interface,
 * binds, joins the group, and wires received datagrams into the {@link NodeCore} it creates on
 * that loop. Sends go through {@link DatagramSink}, on the loop only: to the group, or in
 * unicast mode to every destination the core names (one write per member, the same bytes).
 */
public final class NodeChannel {
    private final MultiThreadIoEventLoopGroup group;
    private final EventLoop loop;
    private final DatagramChannel channel;
    private final NodeCore core;
    private final TransportSelector.Kind transport;
    private final NetworkInterface networkInterface;
    private final InetSocketAddress groupAddress;
    private final Counters counters;
    private final boolean unicast;
    private final DnsDiscovery discovery;
    /** Fault injection for partition tests: while set, nothing is sent and everything received is dropped. */
    private volatile boolean isolated;

    /**
     * Opens the channel and the core.
     *
     * @throws IllegalArgumentException for a bad interface (the message lists usable interfaces)
     * @throws IllegalStateException    if the socket cannot be bound or the group joined
     */
    public NodeChannel(NodeConfig config, long nodeId, Counters counters, LongSupplier clock) {
        this.counters = counters;
        UnicastConfig u = config.unicast();
        this.unicast = u != null;
        boolean ipv6 = unicast ? u.bindAddress() instanceof Inet6Address : config.group() instanceof Inet6Address;
        // Unicast needs no multicast interface (a pod may have none that supports it).
        this.networkInterface = unicast ? null : InterfaceSelector.select(config.networkInterface(), ipv6);
        this.transport = TransportSelector.choose(config.transport().name().toLowerCase(Locale.ROOT));
        this.groupAddress = new InetSocketAddress(config.group(), config.port());
        ReceiveCoalescing coalescing = config.receiveCoalescingNanos() > 0
                ? new ReceiveCoalescing(config.receiveCoalescingNanos()) : null;
        this.group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("wheelcast-loop-" + Long.toHexString(nodeId & 0xFFFF), true),
                TransportSelector.ioHandlerFactory(transport, config.busyPoll(), coalescing));
        this.loop = (EventLoop) group.next();
        this.core = new NodeCore(config, nodeId, counters, new GroupSink(), clock.getAsLong());
        DatagramChannel ch = null;
        // One 64 KiB buffer per read, split into slots of the largest datagram accepted: recvmmsg
        // then fills up to 64 KiB / maxReceiveDatagramBytes datagrams per system call.
        int receiveBufferBytes = Math.max(65_536, 2 * config.maxReceiveDatagramBytes());
        TransportSelector.ReceiveMode receiveMode = TransportSelector.receiveMode(config.busyPoll(), coalescing != null);
        try {
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channelFactory(() -> TransportSelector.newChannel(transport, ipv6))
                    .option(ChannelOption.SO_REUSEADDR, !unicast) // a unicast port is this node's alone
                    .option(ChannelOption.SO_RCVBUF, config.receiveBufferBytes())
                    .option(ChannelOption.SO_SNDBUF, config.sendBufferBytes());
            if (!unicast) {
                bootstrap.option(ChannelOption.IP_MULTICAST_IF, networkInterface)
                        .option(ChannelOption.IP_MULTICAST_LOOP_DISABLED, !config.loopback());
            }
            ch = (DatagramChannel) bootstrap
                    .option(ChannelOption.RCVBUF_ALLOCATOR,
                            TransportSelector.receiveAllocator(transport, receiveMode, receiveBufferBytes,
                                    config.maxReceiveDatagramBytes()))
                    .handler(new NodeChannelHandler(core, counters, clock, config.faultPlan(), () -> isolated,
                            coalescing != null ? coalescing::onRead : () -> { }))
                    .register().syncUninterruptibly().channel();
            TransportSelector.configureReceive(ch, receiveMode, config.maxReceiveDatagramBytes());
            if (unicast) {
                ch.bind(u.bindAddress() == null ? new InetSocketAddress(config.port())
                        : new InetSocketAddress(u.bindAddress(), config.port())).syncUninterruptibly();
            } else {
                TransportSelector.setMulticastTtl(ch, config.ttl(), ipv6);
                ch.bind(new InetSocketAddress(config.port())).syncUninterruptibly();
                ch.joinGroup(groupAddress, networkInterface).syncUninterruptibly();
            }
        } catch (RuntimeException e) {
            if (ch != null) {
                ch.close().awaitUninterruptibly();
            }
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
            throw new IllegalStateException(unicast
                    ? "cannot bind " + (u.bindAddress() == null ? "*" : u.bindAddress().getHostAddress()) + ":" + config.port()
                    + " for unicast: " + e
                    : "cannot join " + config.group().getHostAddress() + ":" + config.port()
                    + " on interface " + networkInterface.getName() + ": " + e, e);
        }
        this.channel = ch;
        this.discovery = unicast ? new DnsDiscovery(loop, transport, ipv6, u, core, counters) : null;
        if (discovery != null) {
            discovery.start();
        }
    }

    public EventLoop loop() {
        return loop;
    }

    /** The protocol, confined to {@link #loop()}. */
    public NodeCore core() {
        return core;
    }

    /** "epoll", "io_uring" or "nio". */
    public String transport() {
        return transport.name().toLowerCase(Locale.ROOT);
    }

    public NetworkInterface networkInterface() {
        return networkInterface;
    }

    public InetSocketAddress groupAddress() {
        return groupAddress;
    }

    /** The multicast TTL (hop limit) the socket really has, read back from the kernel. */
    public int multicastTtl() {
        return TransportSelector.multicastTtl(channel, groupAddress.getAddress() instanceof Inet6Address);
    }

    /** Cuts the node off the network, both ways, or reconnects it (counted as {@code FAULT_DROPPED}). */
    public void isolate(boolean cutOff) {
        this.isolated = cutOff;
    }

    /** Whether the node sends to its members' own addresses instead of a group. */
    public boolean unicast() {
        return unicast;
    }

    /** The local address the socket is bound to. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Leaves the group, closes the socket and stops the loop; call after the core said goodbye. */
    public void close() {
        if (discovery != null) {
            discovery.close();
        }
        if (!unicast && channel.isActive()) {
            channel.leaveGroup(groupAddress, networkInterface).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Writes datagrams to the group through the channel; used only on the loop. */
    private final class GroupSink implements DatagramSink {
        @Override
        public ByteBuf allocate(int capacity) {
            return channel.alloc().directBuffer(capacity);
        }

        @Override
        public void send(ByteBuf datagram) {
            if (isolated) {
                datagram.release();
                counters.increment(Counter.FAULT_DROPPED);
                return;
            }
            if (!unicast) {
                channel.write(new DatagramPacket(datagram, groupAddress), channel.voidPromise());
                return;
            }
            int n = core.destinationCount();
            if (n == 0) {
                datagram.release(); // no member, seed or DNS record answers yet: counted, retried with the next datagram
                counters.increment(Counter.DATAGRAMS_UNADDRESSED);
                return;
            }
            InetSocketAddress[] to = core.destinations();
            for (int i = 0; i < n - 1; i++) {
                channel.write(new DatagramPacket(datagram.retainedDuplicate(), to[i]), channel.voidPromise());
            }
            channel.write(new DatagramPacket(datagram, to[n - 1]), channel.voidPromise());
            counters.add(Counter.UNICAST_SENDS, n);
        }

        @Override
        public void sendTo(ByteBuf datagram, long member) {
            InetSocketAddress to = unicast ? core.addressOf(member) : null;
            if (to == null || isolated) {
                if (unicast && !isolated) {
                    counters.increment(Counter.DIRECT_ADDRESS_UNKNOWN); // every destination gets it; the others ignore it
                }
                send(datagram);
                return;
            }
            channel.write(new DatagramPacket(datagram, to), channel.voidPromise());
            counters.increment(Counter.UNICAST_SENDS);
        }

        @Override
        public void flush() {
            channel.flush();
        }
    }
}
