package dev.provtrace.cli;

import dev.provtrace.io.RunFolder;
import dev.provtrace.io.RunManifest;
import dev.provtrace.selection.SelectionJob;
import dev.provtrace.selection.Strategy;
import dev.provtrace.trace.BetaChoice;
import dev.provtrace.trace.ModelFingerprint;
import dev.provtrace.trace.PromptBuilder;
import dev.provtrace.trace.PromptSetup;
import dev.provtrace.trace.ScoreCache;
import dev.provtrace.trace.TraceOutputs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The settings that decide the results of trace and select, as their folders' manifests record them
 * ({@link RunManifest}), and the claim a run takes on its folders before it scores anything ({@link RunFolder}).
 * Models are compared by the fingerprint of their files alone; the prompt setup, α, β and the rest are compared as
 * options, so a refusal names exactly what changed. The caches a run uses are listed as its files.
 */
final class RunClaims {
    /** Files of a run that other parts of provtrace write beside the outputs (deleted by --overwrite too). */
    static final String REJECTED = "rejected.jsonl";

    private RunClaims() {}

    /** Claims trace's --out and cache folders. */
    static RunFolder trace(TraceCommand c, Path cacheDir) throws IOException {
        RunManifest m = new RunManifest("trace");
        m.path("--input", c.input);
        prompt(m, c.prompt);
        List<String> roles = new java.util.ArrayList<>();
        List<Path> dirs = new java.util.ArrayList<>(c.teachers);
        for (int i = 0; i < c.teachers.size(); i++) roles.add(dev.provtrace.trace.TraceJob.teacherRole(i));
        roles.addAll(List.of("student", "distilled"));
        dirs.addAll(List.of(c.student, c.distilled));
        for (int i = 0; i < dirs.size(); i++) model(m, roles.get(i), dirs.get(i), c.prompt, cacheDir, c.engineArgs);
        m.set("--alpha", Double.toString(c.alpha)).set("--beta", beta(c.beta)).set("--allow-long", c.engineArgs.allowLong)
                .set("--device", c.engineArgs.device()).set("--precision", c.engineArgs.precision().cliName());
        if (!"auto".equals(c.answerFormat)) m.set("--answer-format", c.answerFormat);   // auto: as runs before it existed
        if (c.figures.positionBins != 20) m.set("--position-bins", c.figures.positionBins);
        for (String f : List.of(TraceOutputs.SENTENCES, TraceOutputs.TRAJECTORIES, TraceOutputs.SUMMARY, TraceOutputs.REPORT,
                REJECTED)) {
            m.output(c.out.resolve(f));
        }
        for (String f : dev.provtrace.report.TraceFigures.names()) {
            m.output(c.out.resolve(TraceOutputs.FIGURES).resolve(f + ".svg"));
            m.output(c.out.resolve(TraceOutputs.FIGURES).resolve(f + ".png"));
        }
        return RunFolder.claim(c.out, "--out", cacheDir, m, c.overwrite);
    }

    /** Claims select's --out folder (when given) and its cache folder. */
    static RunFolder select(SelectCommand c, Path cacheDir, List<Strategy> strategies) throws IOException {
        RunManifest m = new RunManifest("select");
        m.path("--input", c.input).path("--output", c.output);
        prompt(m, c.prompt);
        model(m, "teacher", c.teacher, c.prompt, cacheDir, c.engineArgs);
        model(m, "student", c.student, c.prompt, cacheDir, c.engineArgs);
        m.set("--beta", beta(c.beta)).set("--strategy", Strategy.parse(c.strategy).cliName())
                .set("--compare-all", c.compareAll).set("--per-question", c.perQuestion).set("--format", c.format.toLowerCase())
                .set("--allow-long", c.engineArgs.allowLong).set("--device", c.engineArgs.device()).set("--precision", c.engineArgs.precision().cliName());
        if (strategies.contains(Strategy.RANDOM)) m.set("--seed", c.seed);
        if (strategies.stream().anyMatch(Strategy::needsGrape)) {
            m.set("--grape-prompt", c.grapePrompt.toLowerCase());
            PromptBuilder.Format grape = c.grapePrompt.equalsIgnoreCase("chat") ? PromptBuilder.Format.CHAT : PromptBuilder.Format.GRAPE;
            try {
                PromptBuilder prompts = PromptBuilder.create(c.student, grape, c.prompt.template);
                m.file(ScoreCache.fileFor(cacheDir, "student-grape", ModelFingerprint.of(c.student, prompts.fingerprint(), c.engineArgs.device(), c.engineArgs.precision(), c.engineArgs.batchInvariant)));
            } catch (IOException | RuntimeException e) {
                // left to the job's model checks, as in model()
            }
        }
        if (c.out != null) {
            for (String f : List.of(SelectionJob.CANDIDATES, SelectionJob.SELECTION, SelectionJob.REPORT, REJECTED)) {
                m.output(c.out.resolve(f));
            }
        }
        return RunFolder.claim(c.out, "--out", cacheDir, m, c.overwrite);
    }

    /**
     * After {@code classify} relabelled a trace from {@code scores} into {@code target}: the target's manifest is the
     * trace's with the new α and β (and the target's own outputs), so a later trace there compares against what the
     * folder now holds. Nothing is written when the trace had no manifest.
     */
    static void relabelled(Path scores, Path target, double alpha, String beta) throws IOException {
        RunManifest from = RunManifest.read(scores);
        if (from == null) return;
        RunManifest m = new RunManifest(from.command());
        from.settings().forEach(m::copy);
        m.set("--alpha", Double.toString(alpha)).set("--beta", beta(beta));
        for (String f : List.of(TraceOutputs.SENTENCES, TraceOutputs.TRAJECTORIES, TraceOutputs.SUMMARY, TraceOutputs.REPORT)) {
            m.output(target.resolve(f));
        }
        if (target.toAbsolutePath().normalize().equals(scores.toAbsolutePath().normalize())) {
            for (Path p : from.files()) m.file(p);                  // in place: the caches are still this folder's
        }
        m.write(target);
    }

    private static void prompt(RunManifest m, PromptArgs p) {
        m.set("--prompt-format", p.format().name().toLowerCase()).path("--template", p.template);
        // the prompt setup of each role, only when one is given (runs before these options existed had none)
        for (String role : List.of("teacher", "student", "distilled")) {
            PromptSetup s;
            try {
                s = p.setup(role);
            } catch (RuntimeException e) {
                continue;   // a bad value is refused by the command itself
            }
            if (!s.isEmpty()) m.set("prompt setup of the " + role, s.json().toString());
        }
    }

    /**
     * A model by the fingerprint of its files; its cache file (under this prompt setup) is one of the run's files.
     * A folder that cannot be read or has no usable template is left to the job's checks, which say what is wrong
     * with every model at once: here it is recorded as unreadable and the run goes on to fail there.
     */
    private static void model(RunManifest m, String role, Path dir, PromptArgs p, Path cacheDir, EngineArgs engine) {
        try {
            m.model("--" + role, dir, ModelFingerprint.of(dir, ""));
            PromptSetup setup = p.setup(dev.provtrace.trace.TraceJob.setupRole(role));
            String fp = ModelFingerprint.of(dir, PromptBuilder.create(dir, p.format(), p.template).withSetup(setup).fingerprint(),
                    engine.device(), engine.precision(), engine.batchInvariant);
            m.file(ScoreCache.fileFor(cacheDir, role, fp));
        } catch (IOException | RuntimeException e) {
            m.set("--" + role, dir + " (unreadable)");
        }
    }

    private static String beta(String beta) {
        BetaChoice b = BetaChoice.parse(beta);
        return b.auto() ? "auto" : Double.toString(b.value());
    }
}
