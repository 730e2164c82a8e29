package io.wheelcast.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;

/**
 * The fan-out of unicast mode: one frame for everyone becomes one datagram write per member.
 * On the event loop, as the engine's sink does it (a retained duplicate and a DatagramPacket
 * per destination, one flush per datagram), a 200-byte datagram to 1, 4 or 16 members over
 * loopback; the members' sockets are never read (the kernel drops once their buffers are full,
 * after the whole send path). Reported per datagram; the slope over members is the cost of one
 * more member. Needs a network namespace with lo up (bench.sh runs it in one).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class FanOutBenchmark {
    private static final int DATAGRAMS = 1_000;

    @Param({"1", "4", "16"})
    int members;

    private EventLoopGroup group;
    private Channel channel;
    private DatagramChannel[] sinks;
    private InetSocketAddress[] to;
    private ByteBuf datagram;

    @Setup(Level.Trial)
    public void open() throws Exception {
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        channel = new Bootstrap().group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        sinks = new DatagramChannel[members];
        to = new InetSocketAddress[members];
        for (int i = 0; i < members; i++) {
            sinks[i] = DatagramChannel.open().setOption(StandardSocketOptions.SO_RCVBUF, 4096)
                    .bind(new InetSocketAddress("127.0.0." + (20 + i), 0));
            to[i] = (InetSocketAddress) sinks[i].getLocalAddress();
        }
        datagram = Unpooled.directBuffer(200).writeZero(200);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        channel.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        for (DatagramChannel s : sinks) {
            s.close();
        }
        datagram.release();
    }

    @Benchmark
    @OperationsPerInvocation(DATAGRAMS)
    public void datagramToEveryMember() throws Exception {
        channel.eventLoop().submit(() -> {
            for (int d = 0; d < DATAGRAMS; d++) {
                for (InetSocketAddress a : to) {
                    channel.write(new DatagramPacket(datagram.retainedDuplicate(), a), channel.voidPromise());
                }
                channel.flush();
            }
        }).sync();
    }
}
