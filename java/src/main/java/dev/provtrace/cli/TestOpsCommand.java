package dev.provtrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.engine.Backend;
import dev.provtrace.engine.BackendProvider;
import dev.provtrace.engine.Backends;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.engine.Precision;
import dev.provtrace.engine.check.OpResult;
import dev.provtrace.engine.check.OpSuite;
import dev.provtrace.io.AtomicOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code provtrace test-ops}: every op of each backend against the naive reference backend (NMSE tolerances, guard
 * regions), the way llama.cpp's test-backend-ops checks its backends. Runs where no JDK or Maven is (a GPU box), so a
 * real device's kernels are checked by the same cases CI runs on the emulated one.
 */
@Command(name = "test-ops", mixinStandardHelpOptions = true,
        description = "Check every op of a backend against the naive reference backend (random and edge shapes).")
final class TestOpsCommand implements Callable<Integer> {
    @Option(names = "--device", paramLabel = "DEVICE", split = ",",
            description = "backends to check (cpu, cuda-emu, cuda[:N]; several with commas; default: every available one)")
    List<String> devices;

    @Option(names = "--op", paramLabel = "OP", split = ",",
            description = "only these ops (default: all). Ops: ${COMPLETION-CANDIDATES}", completionCandidates = OpNames.class)
    List<String> ops;

    @Option(names = "--precision", paramLabel = "fp32|fp16",
            description = "the backends' GEMM precision: fp32 (default), or fp16 (cpu on AVX512-FP16: its GEMM outputs are then held to the fp16 bound); bf16 buffers are checked on every backend that has them either way")
    String precision;

    @Option(names = "--seed", defaultValue = "42", description = "random seed of the inputs (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "worker threads of the cpu and cuda-emu backends (default: all cores)")
    Integer threads;

    @Option(names = "--verbose", description = "print every comparison, not only the failed ones")
    boolean verbose;

    @Option(names = "--json", paramLabel = "FILE", description = "also write every comparison as JSON to FILE (- for standard output; default: not written)")
    Path json;

    static final class OpNames extends ArrayList<String> {
        OpNames() { super(OpSuite.ops()); }
    }

    @Override
    public Integer call() throws Exception {
        Precision p = precision == null ? Precision.FP32 : Precision.parse(precision);
        if (p == Precision.BF16) {
            throw new IllegalArgumentException("--precision takes fp32 or fp16 here: bf16 buffers are checked on every backend that has them");
        }
        List<String> chosen = devices != null ? devices : p == Precision.FP16 ? List.of("cpu") : availableDevices();
        for (String op : ops == null ? List.<String>of() : ops) {
            if (!OpSuite.ops().contains(op)) throw new IllegalArgumentException("--op " + op + " is not an op (ops: " + String.join(", ", OpSuite.ops()) + ")");
        }
        int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        List<EngineOptions> options = new ArrayList<>();
        List<BackendProvider> providers = new ArrayList<>();
        for (String d : chosen) {   // an unknown or unavailable device, or one without this precision: before any work
            EngineOptions o = new EngineOptions(threadCount, 4096, false).withDevice(d).withPrecision(p);
            options.add(o);
            providers.add(Backends.provider(o));
        }
        PrintStream out = AtomicOutput.isStandardStream(json) ? System.err : System.out;
        ObjectMapper om = new ObjectMapper();
        ObjectNode report = om.createObjectNode();
        report.put("seed", seed);
        ArrayNode runs = report.putArray("devices");
        int failedTotal = 0;
        for (int i = 0; i < chosen.size(); i++) {
            String device = chosen.get(i);
            List<OpResult> results;
            String name;
            try (Backend backend = providers.get(i).openForOpTests(options.get(i), OpSuite.VOCAB_CHUNK, OpSuite.WIDEN_SLICE)) {
                name = backend.name();
                out.println(device + ": " + name + ", against the reference backend");
                results = OpSuite.run(backend, op -> ops == null || ops.contains(op), seed);
            }
            int failed = (int) results.stream().filter(r -> !r.passed()).count();
            failedTotal += failed;
            print(out, device, results, failed);
            ObjectNode run = runs.addObject();
            run.put("device", device);
            run.put("backend", name);
            run.put("passed", results.size() - failed);
            run.put("failed", failed);
            ArrayNode list = run.putArray("results");
            for (OpResult r : results) {
                ObjectNode o = list.addObject();
                o.put("op", r.op());
                o.put("shape", r.shape());
                o.put("output", r.output());
                if (Double.isFinite(r.nmse())) o.put("nmse", r.nmse()); else o.putNull("nmse");
                o.put("tolerance", r.tolerance());
                o.put("passed", r.passed());
                if (!r.passed()) o.put("failure", r.failure());
            }
        }
        report.put("failed", failedTotal);
        if (json != null) AtomicOutput.write(json, om.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
        return failedTotal == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** Every device this build and machine can open, the reference itself aside. */
    static List<String> availableDevices() {
        List<String> out = new ArrayList<>();
        for (BackendProvider p : Backends.providers()) {
            if (p.available() && !p.device().equals("reference")) out.add(p.device());
        }
        return out;
    }

    /** One line per op (and per failed comparison, or per comparison with --verbose), then the device's total. */
    private void print(PrintStream out, String device, List<OpResult> results, int failed) {
        Map<String, List<OpResult>> byOp = new LinkedHashMap<>();
        for (OpResult r : results) byOp.computeIfAbsent(r.op(), k -> new ArrayList<>()).add(r);
        for (Map.Entry<String, List<OpResult>> e : byOp.entrySet()) {
            long ok = e.getValue().stream().filter(OpResult::passed).count();
            double worst = 0;
            for (OpResult r : e.getValue()) if (Double.isFinite(r.nmse())) worst = Math.max(worst, r.nmse());
            out.printf("  %-18s %4d/%-4d %-4s worst NMSE %.2g%n", e.getKey(), ok, e.getValue().size(),
                    ok == e.getValue().size() ? "OK" : "FAIL", worst);
            for (OpResult r : e.getValue()) {
                if (!r.passed() || verbose) {
                    out.printf("    %s %s [%s]: %s%n", r.passed() ? "ok  " : "FAIL", r.shape(), r.output(),
                            r.passed() ? String.format("NMSE %.2g <= %.1g", r.nmse(), r.tolerance()) : r.failure());
                }
            }
        }
        out.println(device + ": " + (results.size() - failed) + "/" + results.size() + " comparisons passed"
                + (failed == 0 ? "" : ", " + failed + " FAILED"));
    }
}
