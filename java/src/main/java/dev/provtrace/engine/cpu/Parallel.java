package dev.provtrace.engine.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits element-wise work (rows, slices) over a fixed set of threads; the caller takes a share.
 * Each part gets an index in [0, threads).
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

    /** Items [0, n) in up to {@code threads} contiguous parts of at least minPerPart items. */
    void forRange(int n, int minPerPart, PartTask task) {
        int parts = Math.max(1, Math.min(threads, n / Math.max(1, minPerPart)));
        if (n <= 0) return;
        run(parts, p -> task.run(p, (int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
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
