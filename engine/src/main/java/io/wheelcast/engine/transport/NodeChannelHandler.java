package io.wheelcast.engine.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.FaultPlan;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.protocol.NodeCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Feeds received datagrams to the {@link NodeCore} and flushes once per read batch. Applies
 * the seeded {@link FaultPlan} (if any) before decoding. Stateful: one per channel.
 */
final class NodeChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(NodeChannelHandler.class);
    private static final int MAX_DELAYED = 10_000;

    private final NodeCore core;
    private final Counters counters;
    private final LongSupplier clock;
    private final FaultPlan faults;
    private final BooleanSupplier isolated;
    private final SplittableRandom random;
    private final Runnable afterReadBurst;
    private int delayed;
    private long lastErrorLogMs;

    NodeChannelHandler(NodeCore core, Counters counters, LongSupplier clock, FaultPlan faults, BooleanSupplier isolated,
                       Runnable afterReadBurst) {
        this.afterReadBurst = afterReadBurst;
        this.isolated = isolated;
        this.core = core;
        this.counters = counters;
        this.clock = clock;
        this.faults = faults;
        this.random = faults.active() ? new SplittableRandom(faults.seed()) : null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        try {
            ByteBuf content = packet.content();
            if (isolated.getAsBoolean()) {
                counters.increment(Counter.FAULT_DROPPED); // a partition, injected
            } else if (random == null) {
                core.onDatagram(content, packet.sender(), clock.getAsLong());
            } else {
                injectFaults(ctx, content, packet.sender());
            }
        } finally {
            packet.release();
        }
    }

    private void injectFaults(ChannelHandlerContext ctx, ByteBuf content, java.net.InetSocketAddress source) {
        if (random.nextDouble() * 100 < faults.dropPercent()) {
            counters.increment(Counter.FAULT_DROPPED);
            return;
        }
        if (random.nextDouble() * 100 < faults.delayPercent() && delayed < MAX_DELAYED) {
            counters.increment(Counter.FAULT_DELAYED);
            ByteBuf copy = ctx.alloc().heapBuffer(content.readableBytes()).writeBytes(content, content.readerIndex(),
                    content.readableBytes());
            delayed++;
            long delay = 1 + random.nextInt(Math.max(1, faults.maxDelayMs()));
            ctx.executor().schedule(() -> {
                delayed--;
                try {
                    core.onDatagram(copy, source, clock.getAsLong());
                    core.flush();
                } finally {
                    copy.release();
                }
            }, delay, TimeUnit.MILLISECONDS);
            return;
        }
        core.onDatagram(content, source, clock.getAsLong());
        if (random.nextDouble() * 100 < faults.duplicatePercent()) {
            counters.increment(Counter.FAULT_DUPLICATED);
            core.onDatagram(content, source, clock.getAsLong());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        core.flush();
        afterReadBurst.run();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        counters.increment(Counter.SEND_FAILURES);
        long now = clock.getAsLong();
        if (now - lastErrorLogMs > 10_000) { // rate-limited: a broken route must not flood the log
            lastErrorLogMs = now;
            LOG.warn("wheelcast channel error (further ones for 10 s only counted): {}", cause.toString());
        }
    }
}
