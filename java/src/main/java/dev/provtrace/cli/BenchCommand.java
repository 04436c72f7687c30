package dev.provtrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.engine.Engine;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.engine.FlopCount;
import dev.provtrace.engine.RandomWeights;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.engine.TimedBackend;
import dev.provtrace.engine.Backends;
import dev.provtrace.engine.DeviceRates;
import dev.provtrace.engine.Precision;
import dev.provtrace.engine.cpu.SgemmRate;
import dev.provtrace.io.AtomicOutput;
import dev.provtrace.io.Checkpoint;
import dev.provtrace.io.DType;
import dev.provtrace.model.ModelConfig;
import dev.provtrace.model.WeightSpec;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Forward-pass throughput (tokens/s, achieved GFLOP/s) for given batch shapes, and in the same run the machine's
 * own rate, so the headline figure is a ratio that means the same on any machine: on the CPU its OpenBLAS sgemm, on a
 * CUDA device (real or emulated) the device's own large GEMM in the pass's GEMM dtype and its copy bandwidth, with
 * the peak device memory beside what the full logits of a pass would take.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the forward pass against this machine's own dense fp32 matmul rate.")
final class BenchCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--model", paramLabel = "DIR", description = "Hugging Face model folder (this or --random is required)")
        Path model;

        @Option(names = "--random", paramLabel = "PRESET|config.json",
                description = "random weights for a bundled preset (qwen2.5-0.5b, qwen2.5-7b, llama-2-7b, llama-3.1-8b) or a config.json")
        String random;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--dtype", defaultValue = "f32", description = "weight dtype for --random: f32 or bf16 (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--shape", paramLabel = "BxT", split = ",", defaultValue = "1x512",
            description = "batch shapes: B sequences of T tokens (default ${DEFAULT-VALUE}); several with commas")
    List<String> shapes;

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "backend to time: cpu, cuda-emu, cuda or cuda:N (default: cuda when a usable GPU is found, else cpu)")
    String device;

    @Option(names = "--precision", paramLabel = "fp32|bf16|fp16", description = "GEMM precision (default: the device's, as for logprobs)")
    String precision;

    @Option(names = "--batch-invariant", description = "time the batch-invariant mode (its fixed-order GEMM kernel instead of cuBLAS; default: off)")
    boolean batchInvariant;

    @Option(names = "--batch-tokens", paramLabel = "N",
            description = "most tokens in one pass; a longer text runs in chunks of N tokens, its keys and values kept (chunked prefill) (default: each shape in one pass)")
    Integer batchTokens;

    @Option(names = "--threads", description = "threads (default: all cores)")
    Integer threads;

    @Option(names = "--runs", defaultValue = "3", description = "timed runs per shape after one warm-up (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--sgemm-n", defaultValue = "2048", description = "size of the reference square sgemm (default ${DEFAULT-VALUE})")
    int sgemmN;

    @Option(names = "--device-gemm-n", paramLabel = "N",
            description = "size of the device's own reference GEMM on cuda and cuda-emu (default: 8192 on cuda, 256 on cuda-emu)")
    Integer deviceGemmN;

    @Option(names = "--copy-mib", paramLabel = "MIB",
            description = "size of the device's reference copy in MiB (default: 1024 on cuda, 16 on cuda-emu; at most a quarter of free memory)")
    Integer copyMib;

    @Option(names = "--ids", paramLabel = "FILE.jsonl",
            description = "time these token ids instead of --shape's random ones: one {\"input_ids\": [...]} per sequence, all in one "
                    + "pass set (tools/bench_vs_transformers.py gives both sides the same ids this way); default: --shape's random ids")
    Path ids;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE (- for standard output; default: not written)")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        if (runs < 1) throw new IllegalArgumentException("--runs must be >= 1, got " + runs);
        if (sgemmN < 1) throw new IllegalArgumentException("--sgemm-n must be >= 1, got " + sgemmN);
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        // with --json - the JSON owns standard output; the readable lines go to stderr
        PrintStream out = AtomicOutput.isStandardStream(json) ? System.err : System.out;
        ModelConfig config;
        Checkpoint ckpt;
        if (source.model != null) {
            config = ModelConfig.load(source.model.resolve("config.json"));
            ckpt = Checkpoint.open(source.model);
            WeightSpec.validate(ckpt, config, w -> System.err.println("warning: " + w));
        } else {
            config = ModelConfig.parse(RandomModelCommand.presetJson(source.random), source.random);
            DType d = parseDtype(dtype);
            System.err.printf("generating random %s weights (%.2f B parameters)...%n", d, config.parameterCount() / 1e9);
            ckpt = RandomWeights.create(config, d, 1234);
        }
        String dev = device != null ? device : Backends.defaultDevice();
        if (batchTokens != null && batchTokens < 1) throw new IllegalArgumentException("--batch-tokens must be >= 1, got " + batchTokens);
        EngineOptions engineOptions = new EngineOptions(t, batchTokens != null ? batchTokens : Integer.MAX_VALUE, true, false, dev)
                .withPrecision(precision != null ? Precision.parse(precision) : Precision.defaultFor(dev))
                .withBatchInvariant(batchInvariant);
        System.err.println(Backends.deviceLine(engineOptions));
        // On a GPU the ops only enqueue: the per-op split then shows launch time, while a pass's total (ending in
        // the one copy of its results) is the device's time.
        TimedBackend timed = new TimedBackend(Backends.open(engineOptions));
        ObjectMapper om = new ObjectMapper();
        ObjectNode report = om.createObjectNode();
        report.put("model", source.model != null ? source.model.toString() : source.random);
        report.put("config", config.toString());
        report.put("threads", t);
        report.put("device", dev);
        report.put("precision", engineOptions.precision().cliName());
        report.put("batch_invariant", batchInvariant);
        if (batchTokens != null) report.put("batch_tokens", batchTokens);
        report.put("weights_bytes", ckpt.totalBytes());
        ArrayNode results = report.putArray("shapes");

        out.printf("model: %s%n  %s, %.3f B parameters, weights %.2f GB, backend %s%n",
                report.get("model").asText(), config.modelType(), config.parameterCount() / 1e9,
                ckpt.totalBytes() / 1e9, timed.name());
        boolean emulated = dev.startsWith("cuda-emu");
        int gemmN = deviceGemmN != null ? deviceGemmN : emulated ? 256 : 8192;
        long copyBytes = (copyMib != null ? copyMib : emulated ? 16 : 1024) * (1L << 20);
        if (gemmN < 1 || copyBytes < 1) throw new IllegalArgumentException("--device-gemm-n and --copy-mib must be >= 1");
        DType gemmType = engineOptions.precision() == Precision.BF16 ? DType.BF16 : DType.F32;
        try (Engine engine = new Engine(config, ckpt, timed, engineOptions)) {
            DeviceRates deviceRates = timed.measureRates(gemmType, gemmN, copyBytes, 2);   // null on the cpu
            if (deviceRates == null) {
                SgemmRate.measure(sgemmN, t, 2);   // warm OpenBLAS's threads up: its first calls after a thread change are slow
                // the GEMM the backend runs (its library in tiles over its threads) beside OpenBLAS's own threading
                double own = SgemmRate.measureBackendGemm(sgemmN, t, 3), openblas = SgemmRate.measure(sgemmN, t, 3);
                String backendGemm = SgemmRate.backendGemm();
                ObjectNode g = report.putObject("gemm_reference");
                g.put("n", sgemmN);
                g.put("backend_gemm", backendGemm);
                g.put("backend_gemm_gflops", own);
                g.put("openblas_sgemm_gflops", openblas);
                out.printf("GEMM %d³, %d threads, best of 3: %s %.1f GFLOP/s; OpenBLAS sgemm on its own threads %.1f GFLOP/s%n",
                        sgemmN, t, backendGemm, own, openblas);
                if (engineOptions.precision() == Precision.FP16) {   // the GEMM the pass's weights run on, beside fp32's
                    double fp16 = SgemmRate.measureFp16Gemm(sgemmN, sgemmN, sgemmN, t, 3);
                    g.put("fp16_gemm_gflops", fp16);
                    out.printf("GEMM %d³, %d threads, best of 3: our AVX512-FP16 GEMM in tiles (--precision fp16) %.1f GFLOP/s%n",
                            sgemmN, t, fp16);
                }
                if (engineOptions.precision() == Precision.BF16) {   // oneDNN's bf16 matmul, whether or not the pass takes it
                    double bf16 = SgemmRate.measureBf16Gemm(sgemmN, sgemmN, sgemmN, t, 3);
                    g.put("bf16_gemm_gflops", bf16);
                    boolean used = timed.name().contains("oneDNN bf16 matmul");
                    out.printf("GEMM %d³, %d threads, best of 3: %s in tiles %.1f GFLOP/s (%s)%n", sgemmN, t, SgemmRate.bf16Gemm(), bf16,
                            used ? "the pass's bf16 weights run on it" : "not used by this pass: it takes bf16 weights, where oneDNN has AMX or with -Dprovtrace.cpu.bf16=onednn");
                }
            }
            else {
                ObjectNode d = report.putObject("device_reference");
                d.put("gemm", deviceRates.gemm());
                d.put("gemm_tflops", deviceRates.gemmFlopsPerS() / 1e12);
                d.put("copy_bytes", deviceRates.copyBytes());
                d.put("copy_gb_s", deviceRates.copyBytesPerS() / 1e9);
                out.printf("device reference: %s: %.2f TFLOP/s; device-to-device copy of %d MiB: %.1f GB/s (read + write)%n",
                        deviceRates.gemm(), deviceRates.gemmFlopsPerS() / 1e12, deviceRates.copyBytes() >> 20, deviceRates.copyBytesPerS() / 1e9);
            }
            List<String> workloads = ids != null ? List.of("ids:" + ids) : shapes;
            for (String shape : workloads) {
                List<int[]> seqs;
                if (ids != null) {
                    seqs = readIds(ids, config.vocabSize());
                } else {
                    int[] bt = parseShape(shape);
                    seqs = randomSequences(bt[0], bt[1], config.vocabSize());
                }
                int[] lengths = seqs.stream().mapToInt(q -> q.length).toArray();
                long tokens = Arrays.stream(lengths).asLongStream().sum();
                double flops = FlopCount.forward(config, lengths);
                engine.score(seqs, ScoreOptions.LOGPROBS_ONLY, null);              // warm-up (JIT, page-in)
                timed.reset();
                // paired runs: the reference right before each pass, so both see the same machine state
                double[] secs = new double[runs], reference = new double[runs], ratio = new double[runs];
                for (int r = 0; r < runs; r++) {
                    reference[r] = deviceRates == null ? SgemmRate.measure(sgemmN, t, 1)
                            : timed.measureRates(gemmType, gemmN, 0, 1).gemmFlopsPerS() / 1e9;   // the GEMM only
                    long t0 = System.nanoTime();
                    engine.score(seqs, ScoreOptions.LOGPROBS_ONLY, null);
                    secs[r] = (System.nanoTime() - t0) / 1e9;
                    ratio[r] = flops / secs[r] / 1e9 / reference[r];
                }
                Map<String, Long> ops = timed.nanos();
                double median = median(secs);
                ObjectNode row = results.addObject();
                row.put("shape", shape);
                row.put("tokens", tokens);
                row.put("gflop_per_pass", flops / 1e9);
                row.put("median_s", median);
                row.put("best_s", Arrays.stream(secs).min().orElseThrow());
                row.put("tokens_per_s", tokens / median);
                row.put("gflops", flops / median / 1e9);
                double bestReference = Arrays.stream(reference).max().orElseThrow();
                double bestRatio = flops / row.get("best_s").asDouble() / 1e9 / bestReference;
                String name = deviceRates == null ? "sgemm" : "device_gemm";
                if (deviceRates == null) row.put("sgemm_n", sgemmN); else row.put("device_gemm_n", gemmN);
                row.put(name + "_gflops", median(reference));
                row.put(name + "_best_gflops", bestReference);
                row.put("ratio_to_" + name, bestRatio);
                row.put("ratio_to_" + name + "_median_of_pairs", median(ratio));
                ObjectNode breakdown = row.putObject("op_seconds_per_pass");
                long total = ops.values().stream().mapToLong(Long::longValue).sum();
                ops.forEach((k, v) -> breakdown.put(k, v / 1e9 / runs));
                out.printf("shape %s: %.3f s/pass (median of %d), %.1f tokens/s, %.1f GFLOP/s%n",
                        shape, median, runs, tokens / median, flops / median / 1e9);
                StringBuilder sb = new StringBuilder(deviceRates == null ? "  time by op:" : "  time by op (enqueue time on a GPU; the pass total is the device's):");
                ops.forEach((k, v) -> sb.append(String.format(" %s %.1f%%", k, 100.0 * v / Math.max(1, total))));
                out.println(sb);
                if (deviceRates == null) {
                    out.printf("  machine sgemm %dx%dx%d (OpenBLAS, %d threads), measured before each pass: %.1f GFLOP/s (median)%n",
                            sgemmN, sgemmN, sgemmN, t, median(reference));
                    out.printf("  forward pass / machine sgemm = %.0f%% (best pass %.1f GFLOP/s over best sgemm %.1f GFLOP/s)%n",
                            100 * bestRatio, flops / row.get("best_s").asDouble() / 1e9, bestReference);
                } else {
                    long peak = timed.peakDeviceBytes(), logits = tokens * config.vocabSize() * 4L;
                    row.put("peak_device_bytes", peak);
                    row.put("full_logits_bytes", logits);
                    out.printf("  device GEMM %d³ measured before each pass: %.1f GFLOP/s (median)%n", gemmN, median(reference));
                    out.printf("  forward pass / device GEMM = %.0f%% (best pass %.1f GFLOP/s over best GEMM %.1f GFLOP/s)%n",
                            100 * bestRatio, flops / row.get("best_s").asDouble() / 1e9, bestReference);
                    out.printf("  peak device memory %.1f MiB (weights, activations, scratch); the full logits of this pass alone would be %.1f MiB%n",
                            peak / (double) (1 << 20), logits / (double) (1 << 20));
                    profile(engine, timed, seqs, deviceRates, row.putObject("op_rates"), out);
                }
                out.printf("  per-pass ratios (each with the reference measured just before it): %s, median %.0f%%%n",
                        percentList(ratio), 100 * median(ratio));
            }
        } finally {
            ckpt.close();
        }
        if (json != null) AtomicOutput.write(json, om.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
        return 0;
    }

    /**
     * One more pass with every op waiting for the device (so each op's time is its kernels', not its launch's), and
     * each op's achieved rate from the useful FLOPs and the bytes it must move ({@link TimedBackend#work()}): FLOP/s
     * against the device's GEMM for ops that compute (GEMMs, attention), bytes/s against its copy bandwidth for the
     * memory-bound rest.
     */
    private static void profile(Engine engine, TimedBackend timed, List<int[]> seqs, DeviceRates rates, ObjectNode json,
                                PrintStream out) {
        timed.reset();
        timed.synchronizeEachOp(true);
        try {
            engine.score(seqs, ScoreOptions.LOGPROBS_ONLY, null);
        } finally {
            timed.synchronizeEachOp(false);
        }
        Map<String, Long> nanos = timed.nanos();
        Map<String, double[]> work = timed.work();
        StringBuilder sb = new StringBuilder("  each op, waited for (one profiling pass):");
        nanos.forEach((op, ns) -> {
            double[] w = work.get(op);
            if (w == null || ns == 0) return;
            double s = ns / 1e9;
            ObjectNode o = json.putObject(op);
            o.put("seconds", s);
            o.put("gflop", w[0] / 1e9);
            o.put("gbytes", w[1] / 1e9);
            o.put("gflops", w[0] / s / 1e9);
            o.put("gb_s", w[1] / s / 1e9);
            boolean computes = w[0] > 0;
            double ratio = computes ? w[0] / s / rates.gemmFlopsPerS() : w[1] / s / rates.copyBytesPerS();
            o.put(computes ? "ratio_to_device_gemm" : "ratio_to_copy", ratio);
            sb.append(String.format("%n    %-20s %9.3f ms  %s  (%.0f%% of the device's %s)", op, 1e3 * s,
                    computes ? String.format("%8.2f TFLOP/s", w[0] / s / 1e12) : String.format("%8.1f GB/s   ", w[1] / s / 1e9),
                    100 * ratio, computes ? "GEMM" : "copy"));
        });
        out.println(sb);
    }

    static DType parseDtype(String dtype) {
        return switch (dtype.toLowerCase()) {
            case "f32", "fp32", "float32" -> DType.F32;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new IllegalArgumentException("--dtype must be f32 or bf16, got " + dtype);
        };
    }

    private static int[] parseShape(String s) {
        String[] p = s.toLowerCase().split("x");
        if (p.length != 2) throw new IllegalArgumentException("--shape must look like 1x512, got " + s);
        int b = Integer.parseInt(p[0].trim()), t = Integer.parseInt(p[1].trim());
        if (b < 1 || t < 1) throw new IllegalArgumentException("--shape needs positive sizes, got " + s);
        return new int[] {b, t};
    }

    /** The sequences of an --ids file: one JSON object with "input_ids" per line, each id inside the vocabulary. */
    static List<int[]> readIds(Path file, int vocab) throws java.io.IOException {
        List<int[]> out = new ArrayList<>();
        ObjectMapper om = new ObjectMapper();
        int line = 0;
        for (String l : java.nio.file.Files.readAllLines(file)) {
            line++;
            if (l.isBlank()) continue;
            com.fasterxml.jackson.databind.JsonNode a = om.readTree(l).get("input_ids");
            if (a == null || !a.isArray() || a.size() < 2) {
                throw new IllegalArgumentException(file + ":" + line + ": needs \"input_ids\", a list of at least 2 token ids");
            }
            int[] q = new int[a.size()];
            for (int i = 0; i < q.length; i++) {
                q[i] = a.get(i).asInt(-1);
                if (!a.get(i).isInt() || q[i] < 0 || q[i] >= vocab) {
                    throw new IllegalArgumentException(file + ":" + line + ": input_ids[" + i + "] = " + a.get(i) + " is not a token id of this model (vocabulary " + vocab + ")");
                }
            }
            out.add(q);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no sequences");
        return out;
    }

    private static List<int[]> randomSequences(int b, int t, int vocab) {
        SplittableRandom rnd = new SplittableRandom(42);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < b; i++) out.add(rnd.ints(t, 0, vocab).toArray());
        return out;
    }

    private static String percentList(double[] x) {
        StringBuilder sb = new StringBuilder();
        for (double v : x) sb.append(sb.length() == 0 ? "" : " ").append(String.format("%.0f%%", 100 * v));
        return sb.toString();
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
