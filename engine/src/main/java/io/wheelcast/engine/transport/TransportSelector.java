package io.wheelcast.engine.transport;

import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;

import java.nio.channels.spi.SelectorProvider;

/**
 * Native epoll when it loads (recvmmsg batching, fewer copies), NIO otherwise, io_uring on
 * request; the choice and the reason are reported, never silent.
 *
 * <p>Internal API.
 */
public final class TransportSelector {
    /** The chosen implementation. */
    public enum Kind {
        EPOLL, IO_URING, NIO
    }

    private TransportSelector() {
    }

    /**
     * @param requested "auto", "epoll", "io_uring" or "nio"
     * @throws IllegalStateException if epoll or io_uring is required but does not load here
     */
    public static Kind choose(String requested) {
        switch (requested) {
            case "nio":
                return Kind.NIO;
            case "io_uring":
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("io_uring transport requested but unavailable: "
                            + IoUring.unavailabilityCause());
                }
                return Kind.IO_URING;
            case "epoll":
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("epoll transport requested but unavailable: "
                            + Epoll.unavailabilityCause());
                }
                return Kind.EPOLL;
            default:
                return Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO;
        }
    }

    public static IoHandlerFactory ioHandlerFactory(Kind kind) {
        return ioHandlerFactory(kind, false, null);
    }

    /**
     * @param busyPoll spin on {@code epoll_wait} with a zero timeout instead of sleeping in it:
     *                 one core at 100%, no wake-up latency (epoll only)
     * @param coalescing the loop's select strategy when receive coalescing is on, else {@code null};
     *                   one loop per strategy
     */
    public static IoHandlerFactory ioHandlerFactory(Kind kind, boolean busyPoll, ReceiveCoalescing coalescing) {
        if (kind == Kind.IO_URING) {
            if (busyPoll || coalescing != null) {
                throw new IllegalStateException((busyPoll ? "busyPoll" : "receiveCoalescing")
                        + " needs the epoll transport (io_uring's loop has no select strategy to spin or wait in)");
            }
            return IoUringIoHandler.newFactory();
        }
        if (busyPoll) {
            if (kind != Kind.EPOLL) {
                throw new IllegalStateException("busyPoll needs the epoll transport (NIO cannot busy-poll)");
            }
            SelectStrategy spin = (selectSupplier, hasTasks) -> SelectStrategy.BUSY_WAIT;
            return EpollIoHandler.newFactory(0, () -> spin);
        }
        if (coalescing != null) {
            return kind == Kind.EPOLL ? EpollIoHandler.newFactory(0, () -> coalescing)
                    : NioIoHandler.newFactory(SelectorProvider.provider(), () -> coalescing);
        }
        return kind == Kind.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    public static DatagramChannel newChannel(Kind kind, boolean ipv6) {
        SocketProtocolFamily family = ipv6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        if (kind == Kind.EPOLL) {
            return new EpollDatagramChannel(family);
        }
        if (kind == Kind.IO_URING) {
            return new IoUringDatagramChannel(family);
        }
        return new NioDatagramChannel(family);
    }

    private static final IntegerUnixChannelOption IP_MULTICAST_TTL =
            new IntegerUnixChannelOption("IP_MULTICAST_TTL", 0 /* IPPROTO_IP */, 33);
    private static final IntegerUnixChannelOption IPV6_MULTICAST_HOPS =
            new IntegerUnixChannelOption("IPV6_MULTICAST_HOPS", 41 /* IPPROTO_IPV6 */, 18);

    /**
     * Sets the multicast hop limit. Netty's epoll and io_uring map {@code ChannelOption.IP_MULTICAST_TTL}
     * to the unicast {@code IP_TTL} (which rejects 0 and does not govern multicast), so for them
     * the real socket option is set directly.
     */
    public static void setMulticastTtl(DatagramChannel ch, int ttl, boolean ipv6) {
        if (ch instanceof EpollDatagramChannel || ch instanceof IoUringDatagramChannel) {
            ch.config().setOption(ipv6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL, ttl);
        } else {
            ch.config().setOption(ChannelOption.IP_MULTICAST_TTL, ttl);
        }
    }

    /** The multicast hop limit the socket really has. */
    public static int multicastTtl(DatagramChannel ch, boolean ipv6) {
        if (ch instanceof EpollDatagramChannel || ch instanceof IoUringDatagramChannel) {
            return ch.config().getOption(ipv6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL);
        }
        return ch.config().getOption(ChannelOption.IP_MULTICAST_TTL);
    }

    /** How the event loop reads its socket; picked from the loop's mode by {@link #receiveMode}. */
    public enum ReceiveMode {
        /** Blocking loop: {@code recvmmsg} (epoll), at most 16 datagrams per wake-up. */
        BATCHED,
        /** {@link ReceiveCoalescing}: {@code recvmmsg}, what a window gathered, stopping at the first short call. */
        COALESCED,
        /**
         * Busy-poll: one {@code recvmsg} per datagram, up to 16 per turn of the spin. At one
         * datagram per call Netty's {@code recvmmsg} costs more than it saves (it sets up every
         * slot and makes a {@code getsockopt} per call): W2 round trips measured 16.6-19.7 us
         * with single reads against 23.3-24.6 us with {@code recvmmsg}, side by side (15.4 us in
         * {@code bench.sh W2} since). Reading only one per turn was no faster and fell behind
         * bursts: arming 171,000 timers, the W2 owner lost 336 of its 4,303 looped-back SCHEDULE
         * datagrams to a full socket buffer, and in 2 of 6 starts the first KILL sent right after.
         */
        SINGLE
    }

    /** The read path for a loop that busy-polls, coalesces, or (neither) blocks. */
    public static ReceiveMode receiveMode(boolean busyPoll, boolean coalescing) {
        return busyPoll ? ReceiveMode.SINGLE : coalescing ? ReceiveMode.COALESCED : ReceiveMode.BATCHED;
    }

    /** Enables recvmmsg (unless {@code mode} reads single datagrams): datagrams of at most {@code maxDatagram} bytes. */
    public static void configureReceive(DatagramChannel ch, ReceiveMode mode, int maxDatagram) {
        if (ch instanceof EpollDatagramChannel && mode != ReceiveMode.SINGLE) {
            ch.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, maxDatagram);
        }
    }

    /**
     * Receive buffers per read: {@code batchBytes} for {@code recvmmsg} (epoll splits each into
     * slots of the largest datagram), {@code maxDatagram} for single reads. Batched, a wake-up
     * reads at most 16 datagrams; coalesced, what a window gathered, up to
     * {@link ReceiveCoalescing#MAX_DATAGRAMS_PER_WAKE_UP}, and on epoll it stops at the first call
     * that leaves slots free ({@link ShortReadStopsAllocator}); single, up to 16 datagrams.
     */
    public static RecvByteBufAllocator receiveAllocator(Kind kind, ReceiveMode mode, int batchBytes, int maxDatagram) {
        if (kind == Kind.IO_URING) { // one datagram per buffer (no recvmmsg slots to split a batch buffer into)
            return new FixedRecvByteBufAllocator(maxDatagram).maxMessagesPerRead(16);
        }
        switch (mode) {
            case SINGLE:
                return new FixedRecvByteBufAllocator(maxDatagram).maxMessagesPerRead(16);
            case COALESCED:
                return kind == Kind.EPOLL
                        ? new ShortReadStopsAllocator(batchBytes, ReceiveCoalescing.MAX_DATAGRAMS_PER_WAKE_UP)
                        : new FixedRecvByteBufAllocator(batchBytes).maxMessagesPerRead(ReceiveCoalescing.MAX_DATAGRAMS_PER_WAKE_UP);
            default:
                return new FixedRecvByteBufAllocator(batchBytes).maxMessagesPerRead(16);
        }
    }
}
