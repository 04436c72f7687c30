package dev.provtrace.engine.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Splits a range of independent work items (rows, heads) over a fixed set of threads; the caller takes a share. */
final class Parallel implements AutoCloseable {
    /** Work on items [from, to). */
    interface RangeTask {
        void run(int from, int to);
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

    /** Runs task over [0, n) in up to {@code threads} contiguous parts; items below minPerPart stay on one thread. */
    void forRange(int n, int minPerPart, RangeTask task) {
        int parts = Math.max(1, Math.min(threads, n / Math.max(1, minPerPart)));
        if (parts == 1 || pool == null) {
            if (n > 0) task.run(0, n);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) n * p / parts), to = (int) ((long) n * (p + 1) / parts);
            futures.add(pool.submit(() -> task.run(from, to)));
        }
        task.run(0, (int) ((long) n / parts));
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) throw re;
                if (c instanceof Error err) throw err;
                throw new IllegalStateException(c);
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
