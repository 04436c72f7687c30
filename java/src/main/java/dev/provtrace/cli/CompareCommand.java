package dev.provtrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.io.AtomicOutput;
import dev.provtrace.io.OutputGuard;
import dev.provtrace.io.RunFolder;
import dev.provtrace.io.RunManifest;
import dev.provtrace.report.CompareReport;
import dev.provtrace.trace.TraceComparison;
import dev.provtrace.trace.TraceOutputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Several traces side by side (e.g. teacher–student pairs): label fractions, correctness association, "
                + "position curves, β, per run, as compare.json, compare.html and figures (SVG and PNG); no model is loaded.")
final class CompareCommand implements Callable<Integer> {
    static final String JSON_FILE = "compare.json", HTML_FILE = "compare.html";

    @Parameters(paramLabel = "OUT", arity = "2..*", description = "the --out folders of two or more traces")
    List<Path> runs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write compare.json, compare.html and figures/")
    Path out;

    @Option(names = "--overwrite", description = "DIR holds a comparison of other traces: replace it")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        OutputGuard.refuseStandardStream("--out", out);
        for (Path r : runs) {
            if (Files.isDirectory(out) && Files.isDirectory(r) && Files.isSameFile(out, r)) {
                throw new IllegalArgumentException("--out " + out + " is one of the traces compared; write the comparison elsewhere");
            }
        }
        List<TraceComparison.Run> read = TraceComparison.read(runs);
        RunManifest m = new RunManifest("compare");
        for (int i = 0; i < runs.size(); i++) m.path("trace " + (i + 1), runs.get(i));
        List<Path> outputs = new ArrayList<>(List.of(out.resolve(JSON_FILE), out.resolve(HTML_FILE)));
        for (String f : List.of(CompareReport.LABELS, CompareReport.CORRECTNESS, CompareReport.POSITIONS)) {
            outputs.add(out.resolve("figures").resolve(f + ".svg"));
            outputs.add(out.resolve("figures").resolve(f + ".png"));
        }
        refuseForeignFiles(outputs);
        for (Path p : outputs) m.output(p);
        try (RunFolder claim = RunFolder.claim(out, "--out", null, m, overwrite)) {
            AtomicOutput.write(out.resolve(JSON_FILE),
                    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(TraceComparison.json(read)));
            CompareReport.write(read, out);
        }
        System.out.println("compared " + read.size() + " traces:");
        for (TraceComparison.Run r : read) {
            Double gap = r.teacherGap();
            System.out.printf(java.util.Locale.ROOT, "  %-24s TEACHER %.3f  correct − incorrect %s  β %.3f%n", r.name(),
                    r.summary().get("labels").get("overall").get("fractions").path("TEACHER").asDouble(),
                    gap == null ? "–" : String.format(java.util.Locale.ROOT, "%+.3f", gap), r.summary().get("beta").asDouble());
        }
        System.out.println("wrote " + out.resolve(JSON_FILE) + ", " + out.resolve(HTML_FILE) + " and " + out.resolve("figures"));
        return 0;
    }

    /** A file where this comparison writes that no earlier provtrace run there made is not ours to replace. */
    private void refuseForeignFiles(List<Path> outputs) throws java.io.IOException {
        RunManifest earlier = Files.isDirectory(out) ? RunManifest.read(out) : null;
        for (Path p : outputs) {
            if (Files.exists(p) && (earlier == null || !earlier.outputs().contains(p.toAbsolutePath().normalize()))) {
                throw new IllegalArgumentException("--out: " + p + " exists and no provtrace compare wrote it; use another --out");
            }
        }
        if (Files.isRegularFile(out.resolve(TraceOutputs.SUMMARY))) {
            throw new IllegalArgumentException("--out " + out + " holds a trace (summary.json); write the comparison elsewhere");
        }
    }
}
