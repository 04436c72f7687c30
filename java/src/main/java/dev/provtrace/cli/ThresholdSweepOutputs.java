package dev.provtrace.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.JsonlWriter;
import dev.provtrace.io.OutputGuard;
import dev.provtrace.io.RunLock;
import dev.provtrace.io.RunManifest;
import dev.provtrace.provenance.AdaptiveBeta;
import dev.provtrace.report.Heatmap;
import dev.provtrace.trace.BetaChoice;
import dev.provtrace.trace.Labeller;
import dev.provtrace.trace.ThresholdSweep;
import dev.provtrace.trace.TraceOutputs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code classify --sweep}: the sensitivity of a trace's labels to α and β, from its stored probabilities. Writes
 * sweep.jsonl (one line per (α, β), α-major) and, in figures/, a heatmap of the Teacher share and, when the trace has
 * both correct and incorrect responses, one of the correct-minus-incorrect Teacher share, each as SVG and PNG.
 * The trace's own files are not touched; the new files join the folder's manifest as its outputs.
 */
final class ThresholdSweepOutputs {
    static final String FILE = "sweep.jsonl", FIGURES = "figures";
    static final String GAP_FIGURE = "sweep_teacher_gap", SHARE_FIGURE = "sweep_teacher_share";

    private ThresholdSweepOutputs() {}

    static int run(Path scores, Path target, String spec, double alpha, String betaOption) throws IOException {
        TraceOutputs.ResponseSource source = TraceOutputs.reader(scores);
        double beta = fixedBeta(spec, betaOption, source);
        ThresholdSweep.Grid grid = ThresholdSweep.parse(spec, alpha, beta);
        Path file = target.resolve(FILE), figures = target.resolve(FIGURES);
        OutputGuard.refuseStandardStream("--out", target);
        for (String read : List.of(TraceOutputs.SENTENCES, TraceOutputs.TRAJECTORIES)) {
            OutputGuard.refuseInput("--out", file, "--scores", scores.resolve(read));
        }
        List<Path> written = new ArrayList<>();
        ThresholdSweep sweep;
        try (RunLock lock = RunLock.folder(target, "--out")) {          // not while a trace writes there
            sweep = ThresholdSweep.of(source, grid);
            try (JsonlWriter w = JsonlWriter.open(file)) {
                for (ObjectNode row : sweep.rows()) w.write(row);
            }
            written.add(file);
            double[] a = grid.alpha().values(), b = grid.beta().values();
            Double[][] share = new Double[a.length][b.length], gap = new Double[a.length][b.length];
            boolean anyGap = false;
            for (int i = 0; i < a.length; i++) {
                for (int j = 0; j < b.length; j++) {
                    share[i][j] = sweep.teacherShare(i, j);
                    gap[i][j] = sweep.teacherGap(i, j);
                    anyGap |= gap[i][j] != null;
                }
            }
            Heatmap.write(new Heatmap.Spec("Teacher share of labelled sentences", "β", b, "α", a, share, "Teacher share",
                    false, "%.3f"), figures, SHARE_FIGURE);
            written.add(figures.resolve(SHARE_FIGURE + ".svg"));
            written.add(figures.resolve(SHARE_FIGURE + ".png"));
            if (anyGap) {
                Heatmap.write(new Heatmap.Spec("Teacher share: correct − incorrect responses", "β", b, "α", a, gap,
                        "correct − incorrect", true, "%+.3f"), figures, GAP_FIGURE);
                written.add(figures.resolve(GAP_FIGURE + ".svg"));
                written.add(figures.resolve(GAP_FIGURE + ".png"));
            }
            recordOutputs(target, written);
        }
        System.out.printf(Locale.ROOT, "swept %d × %d (α × β) over %d sentences of %d responses (%d correct, %d incorrect; %d unscored sentences)%n",
                grid.alpha().values().length, grid.beta().values().length, sweep.sentences(), sweep.responses(),
                sweep.correctResponses(), sweep.incorrectResponses(), sweep.unscored());
        for (Path p : written) System.out.println("wrote " + p);
        return 0;
    }

    /**
     * The β of a sweep that does not vary β: --beta's value, or with --beta auto the one the trace's Δ_TS
     * histogram gives (as a trace would choose it).
     */
    private static double fixedBeta(String spec, String betaOption, TraceOutputs.ResponseSource source) throws IOException {
        BetaChoice choice = BetaChoice.parse(betaOption);
        if (!choice.auto()) return choice.value();
        if (spec.replace(" ", "").matches("(.*,)?beta=.*")) return Double.NaN;   // swept: never used
        AdaptiveBeta.Histogram deltas = new AdaptiveBeta.Histogram();
        source.forEach(r -> Labeller.addDeltas(r, deltas));
        return Labeller.choose(choice, deltas).beta();
    }

    /** In a folder with a manifest (a trace's), the sweep's files become its outputs (--overwrite then removes them). */
    private static void recordOutputs(Path target, List<Path> files) throws IOException {
        RunManifest m = RunManifest.read(target);
        if (m == null) return;
        for (Path p : files) m.output(p);
        m.write(target);
    }
}
