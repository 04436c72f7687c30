package dev.provtrace.engine.cpu;

import dev.provtrace.io.DType;
import dev.provtrace.io.TensorView;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * bf16 × bf16 → fp32 GEMMs on oneDNN's matmul primitive (JavaCPP's dnnl preset): on a CPU with AMX-BF16 oneDNN runs
 * them on the tile units (its {@code brg_matmul:avx512_core_amx}), on AVX512-BF16 on {@code vdpbf16ps}, each call in
 * the calling thread (OMP_NUM_THREADS=1, as for {@link OneDnnSgemm}).
 * <p>
 * A weight W [n, k] (bf16 in the file) is packed once into column slices of at most {@link #SLICE_BYTES} (so a slice
 * stays in a core's L2 while the rows of A stream past), each slice reordered into the blocked layout oneDNN's matmul
 * asks for. A call computes C[m, slice] for up to {@link #ROW_TILE} rows of a bf16 A. oneDNN's fast matmul needs
 * fixed shapes (its runtime-M variant falls back to a plain GEMM), so primitives are made per shape and kept: a
 * partial row tile is rounded up to a multiple of {@link #ROW_STEP} rows (A's padding rows are zero, and such a tile
 * writes into per-thread scratch, copied out), which bounds the shapes a run can meet to a few hundred.
 * <p>
 * Every sum is the exact bf16 products accumulated in fp32, the same numbers as fp32 GEMMs on bf16-rounded inputs up
 * to the order of the sums. Memory: 2 bytes per parameter of native memory beside the file's map.
 */
final class OneDnnBf16Gemm implements AutoCloseable {
    /** Most rows of A per call. */
    static final int ROW_TILE = 256;
    /** A partial row tile is rounded up to a multiple of this (zero rows of A; C through scratch). */
    static final int ROW_STEP = 16;
    /** Bytes of one packed column slice of W: kept within a core's L2 beside its rows of A and C. */
    static final long SLICE_BYTES = 1 << 20;
    /** Slices are whole multiples of this many columns (oneDNN's blocked bf16 layouts are 16, 32 or 64 wide). */
    static final int SLICE_STEP = 64;
    /** The rows of the primitive whose weight layout the packed slices take (the layout does not depend on m). */
    private static final int PACK_ROWS = ROW_TILE;

    private static volatile String problem;
    private static volatile boolean checked;
    private static volatile String impl;

    /** Null when oneDNN's bf16 matmul loads, computes and runs in the calling thread; else why not. */
    static synchronized String whyNot() {
        if (!checked) {
            checked = true;
            try (OneDnnBf16Gemm probe = new OneDnnBf16Gemm()) {
                impl = probe.check();
            } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError | IllegalStateException e) {
                problem = "oneDNN's bf16 matmul did not run: " + e;
            }
        }
        if (problem != null) return problem;
        if (!"1".equals(System.getenv("OMP_NUM_THREADS"))) return "oneDNN needs OMP_NUM_THREADS=1";
        return null;
    }

    /** oneDNN's name for the implementation it picks for the pass's bf16 GEMMs, e.g. {@code brg_matmul:avx512_core_amx}. */
    static String implementation() {
        whyNot();
        return impl;
    }

    /** True when oneDNN may use AMX here (the CPU has AMX-BF16 and the kernel granted the tile state). */
    static boolean amx() {
        try {
            int amx = dnnl_cpu_isa_avx512_core_amx;
            return (dnnl_get_effective_cpu_isa() & amx) == amx;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            return false;
        }
    }

    /** {@code provtrace.cpu.bf16}: "auto" (oneDNN where it has AMX), "onednn" or "emulate"; anything else is refused. */
    static String mode() {
        String m = System.getProperty("provtrace.cpu.bf16", "auto").trim().toLowerCase(Locale.ROOT);
        if (!m.equals("auto") && !m.equals("onednn") && !m.equals("emulate")) {
            throw new IllegalArgumentException("provtrace.cpu.bf16 must be auto, onednn or emulate, got '" + m + "'");
        }
        return m;
    }

    /**
     * Whether --precision bf16 on the CPU runs bf16 weights' GEMMs here: always with provtrace.cpu.bf16=onednn (an
     * IllegalStateException says why it cannot), never with =emulate, and by default where oneDNN has AMX (on the
     * CPUs without it, vdpbf16ps runs at half fp32's rate, so rounding the inputs for fp32 GEMMs is faster).
     */
    static boolean chosen() {
        String mode = mode();
        if (mode.equals("emulate")) return false;
        String why = whyNot();
        if (mode.equals("onednn")) {
            if (why != null) throw new IllegalStateException("provtrace.cpu.bf16=onednn cannot run here: " + why);
            return true;
        }
        return why == null && amx();
    }

    /** A raw native address as a JavaCPP pointer (no ownership). */
    static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }

    private static void ok(int status, String what) {
        if (status != dnnl_success) throw new IllegalStateException("oneDNN " + what + " failed (status " + status + ")");
    }

    private static dnnl_memory_desc desc(long rows, long cols, int dtype, int tag) {
        dnnl_memory_desc d = new dnnl_memory_desc();
        ok(dnnl_memory_desc_create_with_tag(d, 2, new long[] {rows, cols}, dtype, tag), "memory descriptor " + rows + "×" + cols);
        return d;
    }

    private static dnnl_memory_desc strided(long rows, long cols, int dtype, long rowStride) {
        dnnl_memory_desc d = new dnnl_memory_desc();
        ok(dnnl_memory_desc_create_with_strides(d, 2, new long[] {rows, cols}, dtype, new long[] {rowStride, 1}),
                "memory descriptor " + rows + "×" + cols + " (row stride " + rowStride + ")");
        return d;
    }

    /** A weight packed into column slices, each in oneDNN's blocked layout (native memory, freed by close). */
    static final class Packed implements AutoCloseable {
        final int n, k, sliceCols;
        private final dnnl_memory[] slices;
        private final BytePointer[] data;

        private Packed(int n, int k, int sliceCols) {
            this.n = n;
            this.k = k;
            this.sliceCols = sliceCols;
            int count = (n + sliceCols - 1) / sliceCols;
            this.slices = new dnnl_memory[count];
            this.data = new BytePointer[count];
        }

        int slices() { return slices.length; }

        int cols(int slice) { return Math.min(sliceCols, n - slice * sliceCols); }

        @Override
        public synchronized void close() {
            for (int s = 0; s < slices.length; s++) {
                if (slices[s] != null) dnnl_memory_destroy(slices[s]);
                if (data[s] != null) data[s].close();
                slices[s] = null;
                data[s] = null;
            }
        }
    }

    /** Columns per slice for a weight of k columns: a multiple of {@link #SLICE_STEP}, at most {@link #SLICE_BYTES}. */
    static int sliceCols(int n, int k) {
        long fit = Math.max(1, SLICE_BYTES / (2L * k) / SLICE_STEP) * SLICE_STEP;
        return (int) Math.min(fit, (n + SLICE_STEP - 1) / SLICE_STEP * SLICE_STEP);
    }

    private record Matmul(dnnl_primitive primitive, long scratchpadBytes) {}

    private record Shape(int m, int cols, int k, long ldc) {}

    /** A thread's stream and scratch (oneDNN's scratchpad, and C for a padded row tile). */
    private static final class Worker {
        final dnnl_stream stream = new dnnl_stream();
        BytePointer scratchpad = new BytePointer(1);
        BytePointer c = new BytePointer(1);

        BytePointer scratchpad(long bytes) {
            if (scratchpad.capacity() < bytes) {
                scratchpad.close();
                scratchpad = new BytePointer(bytes);
            }
            return scratchpad;
        }

        BytePointer c(long bytes) {
            if (c.capacity() < bytes) {
                c.close();
                c = new BytePointer(bytes);
            }
            return c;
        }
    }

    private final dnnl_engine engine = new dnnl_engine();
    private final dnnl_primitive_attr attr = new dnnl_primitive_attr();
    private final Map<Shape, Matmul> matmuls = new ConcurrentHashMap<>();
    private final Map<Long, dnnl_memory_desc> weightLayouts = new ConcurrentHashMap<>();   // by (cols, k)
    private final Map<Long, dnnl_primitive> conversions = new ConcurrentHashMap<>();      // f32 → bf16 by (rows, k)
    private final List<Worker> workers = new ArrayList<>();
    private final ThreadLocal<Worker> worker = ThreadLocal.withInitial(this::newWorker);
    private final List<Packed> packed = new ArrayList<>();

    OneDnnBf16Gemm() {
        ok(dnnl_engine_create(engine, dnnl_cpu, 0), "CPU engine");
        ok(dnnl_primitive_attr_create(attr), "attributes");
        ok(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "user scratchpad");
    }

    private Worker newWorker() {
        Worker w = new Worker();
        ok(dnnl_stream_create(w.stream, engine, dnnl_stream_default_flags), "stream");
        synchronized (workers) {
            workers.add(w);
        }
        return w;
    }

    /**
     * [1 2; 3 4] · [5 6; 7 8]ᵀ through a packed weight and a padded row tile, against its known product; returns the
     * implementation oneDNN picks for the pass's shapes.
     */
    private String check() {
        try (BytePointer w = new BytePointer(8); BytePointer a = new BytePointer(2L * ROW_STEP * 2); BytePointer c = new BytePointer(16)) {
            short[] wb = {bf16(5), bf16(6), bf16(7), bf16(8)};
            for (int i = 0; i < 4; i++) w.putShort(2L * i, wb[i]);
            Pointer.memset(a, 0, a.capacity());   // rows 2 .. ROW_STEP are the padding a partial tile reads
            float[] af = {1, 2, 3, 4};
            for (int i = 0; i < 4; i++) a.putShort(2L * i, bf16(af[i]));
            Packed p = pack(w.address(), 2, 2);
            gemm(a.address(), 2, p, 0, c.address(), 2);
            float[] got = {c.getFloat(0), c.getFloat(4), c.getFloat(8), c.getFloat(12)};
            if (got[0] != 17f || got[1] != 23f || got[2] != 39f || got[3] != 53f) {
                throw new IllegalStateException("wrong product " + java.util.Arrays.toString(got));
            }
            return implementationFor(ROW_TILE, 896, 4864);
        }
    }

    private static short bf16(float f) {
        return (short) (Float.floatToRawIntBits(f) >>> 16);   // the check's values are exact in bf16
    }

    private String implementationFor(int m, int cols, int k) {
        dnnl_primitive_desc pd = matmulDesc(m, cols, k, cols, weightLayout(cols, k));
        try {
            PointerPointer<BytePointer> info = new PointerPointer<>(1);
            ok(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, info), "implementation query");
            return info.get(BytePointer.class, 0).getString();
        } finally {
            dnnl_primitive_desc_destroy(pd);
        }
    }

    private dnnl_primitive_desc matmulDesc(int m, int cols, int k, long ldc, dnnl_memory_desc weights) {
        dnnl_memory_desc src = desc(m, k, dnnl_bf16, dnnl_ab), dst = strided(m, cols, dnnl_f32, ldc);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            ok(dnnl_matmul_primitive_desc_create(pd, engine, src, weights, null, dst, attr),
                    "bf16 matmul " + m + "×" + cols + "×" + k);
            return pd;
        } finally {
            dnnl_memory_desc_destroy(src);
            dnnl_memory_desc_destroy(dst);
        }
    }

    /** The blocked layout oneDNN's matmul wants for a weight slice of {@code cols} columns × k (made once per shape). */
    private dnnl_memory_desc weightLayout(int cols, int k) {
        return weightLayouts.computeIfAbsent(((long) cols << 32) | k, key -> {
            dnnl_memory_desc any = desc(k, cols, dnnl_bf16, dnnl_format_tag_any);
            dnnl_primitive_desc pd = null;
            try {
                pd = matmulDesc(PACK_ROWS, cols, k, cols, any);
                dnnl_memory_desc layout = new dnnl_memory_desc();
                ok(dnnl_memory_desc_clone(layout, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0)), "weight layout");
                return layout;
            } finally {
                if (pd != null) dnnl_primitive_desc_destroy(pd);
                dnnl_memory_desc_destroy(any);
            }
        });
    }

    /** A bf16 weight tensor [n, k] packed (its slices reordered in parallel by {@code parallel}). */
    Packed pack(TensorView view, Parallel parallel) {
        if (view.dtype() != DType.BF16) throw new IllegalArgumentException("tensor " + view.name() + " is " + view.dtype() + ", not bf16");
        long[] shape = view.shape();
        int n = Math.toIntExact(shape[0]), k = Math.toIntExact(view.numel() / shape[0]);
        Packed p = new Packed(n, k, sliceCols(n, k));
        try {
            parallel.forTiles(p.slices(), s -> {
                int cols = p.cols(s);
                ByteBuffer bytes = view.map(2L * s * p.sliceCols * k, 2L * cols * k);
                packSlice(p, s, new BytePointer(bytes).address(), bytes);
            });
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
        register(p);
        return p;
    }

    /** A bf16 weight [n, k] at a native address (row-major), packed; for tests and the start-up check. */
    Packed pack(long address, int n, int k) {
        Packed p = new Packed(n, k, sliceCols(n, k));
        try {
            for (int s = 0; s < p.slices(); s++) packSlice(p, s, address + 2L * s * p.sliceCols * k, null);
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
        register(p);
        return p;
    }

    private void register(Packed p) {
        synchronized (packed) {
            packed.add(p);
        }
    }

    /** Slice s of W (rows [s·sliceCols, +cols) of W, i.e. W's columns as a k × cols matrix stored "ba") reordered. */
    private void packSlice(Packed p, int s, long source, Object keepAlive) {
        int cols = p.cols(s), k = p.k;
        dnnl_memory_desc plain = desc(k, cols, dnnl_bf16, dnnl_ba), layout = weightLayout(cols, k);
        dnnl_memory from = new dnnl_memory(), to = new dnnl_memory();
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        dnnl_primitive reorder = new dnnl_primitive();
        BytePointer data = new BytePointer(Math.max(1, dnnl_memory_desc_get_size(layout)));
        try {
            ok(dnnl_memory_create(from, plain, engine, new Address(source)), "weight source");
            ok(dnnl_memory_create(to, layout, engine, data), "packed weight");
            ok(dnnl_reorder_primitive_desc_create(pd, plain, engine, layout, engine, null), "weight reorder");
            ok(dnnl_primitive_create(reorder, pd), "weight reorder");
            execute(reorder, from, to, "weight reorder");
        } catch (RuntimeException e) {
            dnnl_memory_destroy(to);
            data.close();
            throw e;
        } finally {
            dnnl_primitive_destroy(reorder);
            dnnl_primitive_desc_destroy(pd);
            dnnl_memory_destroy(from);
            dnnl_memory_desc_destroy(plain);
        }
        synchronized (p) {
            p.slices[s] = to;
            p.data[s] = data;
        }
        java.lang.ref.Reference.reachabilityFence(keepAlive);   // the file's map window outlives the reorder
    }

    /**
     * fp32 rows [0, rows) × k at {@code src} (row stride k) to bf16 at {@code dst} (row stride k), rounded to the
     * nearest even; one call of a oneDNN reorder made per (rows, k).
     */
    void toBf16(long src, long dst, int rows, int k) {
        if (rows == 0) return;
        dnnl_primitive reorder = conversions.computeIfAbsent(((long) rows << 32) | k, key -> {
            dnnl_memory_desc f = desc(rows, k, dnnl_f32, dnnl_ab), b = desc(rows, k, dnnl_bf16, dnnl_ab);
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            try {
                ok(dnnl_reorder_primitive_desc_create(pd, f, engine, b, engine, null), "fp32 → bf16 reorder");
                dnnl_primitive r = new dnnl_primitive();
                ok(dnnl_primitive_create(r, pd), "fp32 → bf16 reorder");
                return r;
            } finally {
                dnnl_primitive_desc_destroy(pd);
                dnnl_memory_desc_destroy(f);
                dnnl_memory_desc_destroy(b);
            }
        });
        dnnl_memory_desc f = desc(rows, k, dnnl_f32, dnnl_ab), b = desc(rows, k, dnnl_bf16, dnnl_ab);
        dnnl_memory from = new dnnl_memory(), to = new dnnl_memory();
        try {
            ok(dnnl_memory_create(from, f, engine, new Address(src)), "fp32 rows");
            ok(dnnl_memory_create(to, b, engine, new Address(dst)), "bf16 rows");
            execute(reorder, from, to, "fp32 → bf16 reorder");
        } finally {
            dnnl_memory_destroy(from);
            dnnl_memory_destroy(to);
            dnnl_memory_desc_destroy(f);
            dnnl_memory_desc_destroy(b);
        }
    }

    /** Runs a reorder from → to in the calling thread. */
    private void execute(dnnl_primitive reorder, dnnl_memory from, dnnl_memory to, String what) {
        try (dnnl_exec_arg_t args = new dnnl_exec_arg_t(2)) {
            args.position(0).arg(DNNL_ARG_FROM).memory(from);
            args.position(1).arg(DNNL_ARG_TO).memory(to);
            args.position(0);
            Worker w = worker.get();
            ok(dnnl_primitive_execute(reorder, w.stream, 2, args), what);
            ok(dnnl_stream_wait(w.stream), what);
        }
    }

    private Matmul matmul(Shape shape) {
        return matmuls.computeIfAbsent(shape, s -> {
            dnnl_primitive_desc pd = matmulDesc(s.m(), s.cols(), s.k(), s.ldc(), weightLayout(s.cols(), s.k()));
            try {
                dnnl_primitive primitive = new dnnl_primitive();
                ok(dnnl_primitive_create(primitive, pd), "bf16 matmul " + s.m() + "×" + s.cols() + "×" + s.k());
                return new Matmul(primitive, dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0)));
            } finally {
                dnnl_primitive_desc_destroy(pd);
            }
        });
    }

    /**
     * C[0 .. m, slice's columns] = A · W[slice]ᵀ for m ≤ {@link #ROW_TILE} rows of a bf16 A at {@code a} (row stride
     * k), C at {@code c} (its column 0 is the slice's first column; row stride ldc). When m is not a multiple of
     * {@link #ROW_STEP}, A must hold zero rows up to the next multiple (they are read, their products dropped).
     */
    void gemm(long a, int m, Packed w, int slice, long c, long ldc) {
        if (m <= 0) return;
        if (m > ROW_TILE) throw new IllegalArgumentException(m + " rows in one bf16 GEMM call, at most " + ROW_TILE);
        int cols = w.cols(slice), k = w.k;
        boolean padded = m % ROW_STEP != 0;
        int rows = padded ? (m + ROW_STEP - 1) / ROW_STEP * ROW_STEP : m;
        Worker t = worker.get();
        long out = c, ld = ldc;
        if (padded) {
            out = t.c(4L * rows * cols).address();
            ld = cols;
        }
        Matmul mm = matmul(new Shape(rows, cols, k, ld));
        dnnl_memory_desc srcDesc = desc(rows, k, dnnl_bf16, dnnl_ab), dstDesc = strided(rows, cols, dnnl_f32, ld);
        dnnl_memory_desc padDesc = desc(1, Math.max(1, mm.scratchpadBytes()), dnnl_u8, dnnl_ab);
        dnnl_memory src = new dnnl_memory(), dst = new dnnl_memory(), pad = new dnnl_memory();
        try {
            ok(dnnl_memory_create(src, srcDesc, engine, new Address(a)), "bf16 rows");
            ok(dnnl_memory_create(dst, dstDesc, engine, new Address(out)), "fp32 output");
            ok(dnnl_memory_create(pad, padDesc, engine, t.scratchpad(Math.max(1, mm.scratchpadBytes()))), "scratchpad");
            dnnl_memory weights;
            synchronized (w) {
                weights = w.slices[slice];
            }
            if (weights == null) throw new IllegalStateException("bf16 weight slice " + slice + " used after close");
            try (dnnl_exec_arg_t args = new dnnl_exec_arg_t(4)) {
                args.position(0).arg(DNNL_ARG_SRC).memory(src);
                args.position(1).arg(DNNL_ARG_WEIGHTS).memory(weights);
                args.position(2).arg(DNNL_ARG_DST).memory(dst);
                args.position(3).arg(DNNL_ARG_SCRATCHPAD).memory(pad);
                args.position(0);
                ok(dnnl_primitive_execute(mm.primitive(), t.stream, 4, args), "bf16 matmul " + rows + "×" + cols + "×" + k);
                ok(dnnl_stream_wait(t.stream), "bf16 matmul");
            }
        } finally {
            dnnl_memory_destroy(src);
            dnnl_memory_destroy(dst);
            dnnl_memory_destroy(pad);
            dnnl_memory_desc_destroy(srcDesc);
            dnnl_memory_desc_destroy(dstDesc);
            dnnl_memory_desc_destroy(padDesc);
        }
        if (padded) {
            for (int r = 0; r < m; r++) Pointer.memcpy(new Address(c + 4L * r * ldc), new Address(out + 4L * r * cols), 4L * cols);
        }
    }

    @Override
    public void close() {
        synchronized (packed) {
            for (Packed p : packed) p.close();
            packed.clear();
        }
        for (Matmul m : matmuls.values()) dnnl_primitive_destroy(m.primitive());
        matmuls.clear();
        for (dnnl_primitive r : conversions.values()) dnnl_primitive_destroy(r);
        conversions.clear();
        for (dnnl_memory_desc d : weightLayouts.values()) dnnl_memory_desc_destroy(d);
        weightLayouts.clear();
        synchronized (workers) {
            for (Worker w : workers) {
                dnnl_stream_destroy(w.stream);
                w.scratchpad.close();
                w.c.close();
            }
            workers.clear();
        }
        dnnl_primitive_attr_destroy(attr);
        dnnl_engine_destroy(engine);
    }
}
