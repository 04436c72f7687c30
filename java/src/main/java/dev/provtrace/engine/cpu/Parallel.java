package dev.provtrace.engine.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits work (rows, slices, GEMM tiles) over a fixed set of threads, the caller one of them; parts are pulled
 * as threads come free rather than dealt out in advance.
 */
final class Parallel implements AutoCloseable {
    /** Work on items [from, to) as part {@code part}. */
    interface PartTask {
        void run(int part, int from, int to);
    }

    private final int threads;
    private final ExecutorService pool;

    Parallel(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "provtrace-cpu");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    int threads() { return threads; }

    /** Contiguous parts per thread that {@link #forRange} makes when there are items enough. */
    private static final int PARTS_PER_THREAD = 4;

    /**
     * Items [0, n) in contiguous parts of at least minPerPart items, up to {@value #PARTS_PER_THREAD} per thread,
     * pulled by the threads as they come free (a thread slowed by another process does fewer); part indices are
     * in [0, parts).
     */
    void forRange(int n, int minPerPart, PartTask task) {
        if (n <= 0) return;
        int parts = Math.max(1, Math.min(threads * PARTS_PER_THREAD, n / Math.max(1, minPerPart)));
        if (parts == 1 || threads == 1) {
            task.run(0, 0, n);
            return;
        }
        forTiles(parts, p -> task.run(p, (int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
    }

    /** Work on item {@code i}. */
    interface TileTask {
        void run(int i);
    }

    /**
     * Items [0, n) pulled one at a time by every thread (the caller too) until none is left: a thread that shares
     * its core with another process simply takes fewer, where a static split would wait for its share.
     */
    void forTiles(int n, TileTask task) {
        if (n <= 0) return;
        AtomicInteger next = new AtomicInteger();
        run(Math.min(threads, n), p -> {
            for (int i; (i = next.getAndIncrement()) < n; ) task.run(i);
        });
    }

    private interface Part {
        void run(int part);
    }

    private void run(int parts, Part body) {
        if (parts == 1 || pool == null) {
            body.run(0);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            int part = p;
            futures.add(pool.submit(() -> body.run(part)));
        }
        RuntimeException first = null;
        try {
            body.run(0);
        } catch (RuntimeException e) {
            first = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (first == null) first = c instanceof RuntimeException re ? re : new IllegalStateException(c);
            }
        }
        if (first != null) throw first;
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
