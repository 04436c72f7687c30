package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.OutputGuard;
import dev.provtrace.io.RunLock;
import dev.provtrace.trace.BetaChoice;
import dev.provtrace.trace.TraceOutputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Relabel an earlier trace with other α/β from its sentence probabilities: no model is loaded.")
final class ClassifyCommand implements Callable<Integer> {
    @Option(names = "--scores", required = true, paramLabel = "DIR", description = "the --out folder of a trace")
    Path scores;

    @Option(names = "--alpha", defaultValue = "0.1", description = "Shared when all |Δ| ≤ α (default ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--beta", defaultValue = "0.1", description = "Teacher/Student when ±Δ_TS > β; a number or auto (default ${DEFAULT-VALUE})")
    String beta;

    @Option(names = "--out", paramLabel = "DIR", description = "where to write (default: --scores itself)")
    Path out;

    @Option(names = "--sweep", paramLabel = "SPEC",
            description = "instead of relabelling: label fractions over a grid, e.g. alpha=0.05:0.2:0.025,beta=0.05:0.3:0.025 "
                    + "(START:STOP:STEP or one value; a threshold not named keeps --alpha / --beta), written as "
                    + ThresholdSweepOutputs.FILE + " and heatmaps in figures/ (SVG and PNG); default: no sweep, relabel")
    String sweep;

    @picocli.CommandLine.Mixin
    FigureArgs figures;

    @picocli.CommandLine.Mixin
    RecordFormatArgs recordFormat;

    @Override
    public Integer call() throws Exception {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException("--alpha must be >= 0");
        Path target = out != null ? out : scores;
        recordFormat.parquet();
        if (sweep != null) return ThresholdSweepOutputs.run(scores, target, sweep, alpha, beta);
        refuseClobbering(target);
        ObjectMapper om = new ObjectMapper();
        Path summaryFile = scores.resolve(TraceOutputs.SUMMARY);
        ObjectNode run = Files.isRegularFile(summaryFile) && om.readTree(summaryFile.toFile()).get("run") instanceof ObjectNode r
                ? r : om.createObjectNode();
        run.put("relabelled_from", scores.toString());
        JsonNode summary;
        try (RunLock lock = RunLock.folder(target, "--out")) {          // not while a trace writes there
            summary = TraceOutputs.write(TraceOutputs.reader(scores), target, alpha, BetaChoice.parse(beta), run, figures.options());
            TraceOutputs.parquetCopies(target, recordFormat.parquet());
            RunClaims.relabelled(scores, target, alpha, beta);
        }
        TraceCommand.printSummary(summary, target);
        return 0;
    }

    /**
     * Relabelling in place (--out omitted, or the --scores folder itself) is safe: the old files are read before
     * the new ones are renamed over them. An --out folder elsewhere whose files are --scores' files (links) is not:
     * the user means to keep the original labels.
     */
    private void refuseClobbering(Path target) throws IOException {
        OutputGuard.refuseStandardStream("--out", target);
        if (out == null || Files.isDirectory(out) && Files.isDirectory(scores) && Files.isSameFile(out, scores)) return;
        for (String written : TraceOutputs.FILES) {
            for (String read : List.of(TraceOutputs.SENTENCES, TraceOutputs.TRAJECTORIES, TraceOutputs.SUMMARY)) {
                OutputGuard.refuseInput("--out", target.resolve(written), "--scores", scores.resolve(read));
            }
        }
    }
}
