package dev.provtrace.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds NaN and ±Infinity in F32, BF16 and F16 tensors without converting anything to float: a value is
 * non-finite exactly when its exponent bits are all ones, so the mapped bytes are read 8 at a time and tested
 * lane by lane with a few integer operations. One NaN in {@code lm_head} poisons every log-prob of every record,
 * so a model is scanned before it is used. Tensors are cut into chunks scanned on several threads; each tensor
 * reports its first (lowest-index) bad element.
 */
public final class NonFiniteScan {
    /** Bytes per unit of work: small enough to spread a few large tensors over all threads. */
    static final int CHUNK_BYTES = 32 << 20;
    private static final int BLOCK_WORDS = 1024;

    /** The first non-finite element of one tensor. */
    public record Finding(String tensor, Path file, DType dtype, long[] shape, long index, String value) {
        /** e.g. {@code model.safetensors: tensor lm_head.weight has a non-finite value (NaN) at index 4711 [row 9, col 103]} */
        public String message() {
            return file.getFileName() + ": tensor " + tensor + " has a non-finite value (" + value + ") at index " + index
                    + position(shape, index);
        }
    }

    private NonFiniteScan() {}

    /**
     * Scans the named tensors (those of other dtypes are skipped) on {@code threads} threads and returns one
     * finding per tensor that holds a non-finite value, in the order the names were given.
     */
    public static List<Finding> scan(Checkpoint checkpoint, Collection<String> names, int threads) {
        return scan(checkpoint, names, threads, CHUNK_BYTES);
    }

    /** Tests pass a tiny {@code chunkBytes} (a multiple of 8) to cut small tensors into many chunks. */
    static List<Finding> scan(Checkpoint checkpoint, Collection<String> names, int threads, int chunkBytes) {
        List<TensorView> tensors = new ArrayList<>();
        for (String n : names) {
            TensorView t = checkpoint.tensor(n);
            if (t.dtype().isComputeFloat() && t.byteSize() > 0) tensors.add(t);
        }
        AtomicLong[] first = new AtomicLong[tensors.size()];
        List<Runnable> work = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            TensorView t = tensors.get(i);
            AtomicLong found = first[i] = new AtomicLong(Long.MAX_VALUE);
            for (long start = 0; start < t.byteSize(); start += chunkBytes) {
                long from = start, length = Math.min(chunkBytes, t.byteSize() - start);
                work.add(() -> {
                    if (from / t.dtype().size() > found.get()) return;     // an earlier bad value is already known
                    long bad = firstNonFinite(t.map(from, length), t.dtype());
                    if (bad >= 0) found.accumulateAndGet(from / t.dtype().size() + bad, Math::min);
                });
            }
        }
        run(work, threads);
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            long index = first[i].get();
            if (index == Long.MAX_VALUE) continue;
            TensorView t = tensors.get(i);
            findings.add(new Finding(t.name(), t.file(), t.dtype(), t.shape(), index, valueAt(t, index)));
        }
        return findings;
    }

    private static void run(List<Runnable> work, int threads) {
        if (threads <= 1 || work.size() <= 1) {
            work.forEach(Runnable::run);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, work.size()), r -> {
            Thread th = new Thread(r, "weight-scan");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Runnable r : work) futures.add(pool.submit(r));
            for (Future<?> f : futures) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("weight scan interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Index of the first non-finite element in {@code buf} (little-endian, from position 0), or -1.
     * Per lane: x = bits &amp; EXP is EXP exactly when the value is NaN or ±Inf; (x ^ EXP) is then 0, and adding
     * LOW (all ones below the lane's top bit) sets the top bit of every lane except those. The lanes' values stay
     * below the top bit, so nothing carries into the next lane.
     */
    static long firstNonFinite(ByteBuffer buf, DType dtype) {
        long exp, low, top;
        switch (dtype) {
            case BF16 -> { exp = 0x7F807F807F807F80L; low = 0x7FFF7FFF7FFF7FFFL; top = 0x8000800080008000L; }
            case F16 -> { exp = 0x7C007C007C007C00L; low = 0x7FFF7FFF7FFF7FFFL; top = 0x8000800080008000L; }
            case F32 -> { exp = 0x7F8000007F800000L; low = 0x7FFFFFFF7FFFFFFFL; top = 0x8000000080000000L; }
            default -> throw new IllegalArgumentException("no float scan for " + dtype);
        }
        int size = dtype.size(), bytes = buf.limit(), words = bytes / 8, wordBytes = words * 8;
        // blocks copied in bulk into an array and tested without branches: the loop the JIT vectorizes best
        long[] block = new long[BLOCK_WORDS];
        LongBuffer longs = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(0).limit(wordBytes).slice()
                .order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        for (int first = 0; first < words; first += BLOCK_WORDS) {
            int n = Math.min(BLOCK_WORDS, words - first);
            longs.get(first, block, 0, n);
            long bad = 0;
            for (int k = 0; k < n; k++) bad |= ((((block[k] & exp) ^ exp) + low) & top) ^ top;
            if (bad == 0) continue;
            for (int i = first * 8; i < (first + n) * 8; i += size) if (!isFinite(buf, i, dtype)) return i / size;
        }
        for (int j = wordBytes; j + size <= bytes; j += size) if (!isFinite(buf, j, dtype)) return j / size;
        return -1;
    }

    private static boolean isFinite(ByteBuffer buf, int at, DType dtype) {
        return switch (dtype) {
            case BF16 -> (buf.getShort(at) & 0x7F80) != 0x7F80;
            case F16 -> (buf.getShort(at) & 0x7C00) != 0x7C00;
            default -> (buf.getInt(at) & 0x7F800000) != 0x7F800000;
        };
    }

    /** "NaN", "Infinity" or "-Infinity". */
    private static String valueAt(TensorView t, long index) {
        float[] one = new float[1];
        t.readFloats(index, one, 0, 1);
        return Float.isNaN(one[0]) ? "NaN" : one[0] > 0 ? "Infinity" : "-Infinity";
    }

    /** " [row r, col c]" for a matrix, " [i, j, k]" for more dimensions, "" for a vector. */
    static String position(long[] shape, long index) {
        if (shape.length < 2) return "";
        long[] at = new long[shape.length];
        long rest = index;
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = rest % shape[d];
            rest /= shape[d];
        }
        if (shape.length == 2) return " [row " + at[0] + ", col " + at[1] + "]";
        StringBuilder sb = new StringBuilder(" [");
        for (int d = 0; d < at.length; d++) sb.append(d > 0 ? ", " : "").append(at[d]);
        return sb.append("]").toString();
    }
}
