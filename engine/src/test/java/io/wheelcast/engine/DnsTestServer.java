package io.wheelcast.engine;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server the test controls, on loopback inside the test namespace: answers A queries for
 * one name with a list of addresses (changeable while running), NXDOMAIN for anything else.
 * Discovery tests never ask the machine's resolver.
 */
public final class DnsTestServer implements AutoCloseable {
    private final String name;
    private final List<InetAddress> addresses = new CopyOnWriteArrayList<>();
    private final AtomicInteger queries = new AtomicInteger();
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    public DnsTestServer(String name, InetSocketAddress bind, List<InetAddress> initial) throws InterruptedException {
        this.name = name.endsWith(".") ? name : name + ".";
        this.addresses.addAll(initial);
        this.channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Answer());
                    }
                }).bind(bind).sync().channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public void answer(List<InetAddress> now) {
        addresses.clear();
        addresses.addAll(now);
    }

    public int queries() {
        return queries.get();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    private final class Answer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            queries.incrementAndGet();
            DnsQuestion q = query.recordAt(DnsSection.QUESTION);
            DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
            response.addRecord(DnsSection.QUESTION, q);
            String asked = q.name().endsWith(".") ? q.name() : q.name() + ".";
            if (!asked.equalsIgnoreCase(name)) {
                response.setCode(DnsResponseCode.NXDOMAIN);
            } else if (q.type() == DnsRecordType.A) {
                for (InetAddress a : addresses) {
                    if (a.getAddress().length == 4) {
                        response.addRecord(DnsSection.ANSWER,
                                new DefaultDnsRawRecord(q.name(), DnsRecordType.A, 1, Unpooled.wrappedBuffer(a.getAddress())));
                    }
                }
            }
            ctx.writeAndFlush(response);
        }
    }
}
