package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.demo.DemoCandidates;
import dev.provtrace.demo.DemoRecord;
import dev.provtrace.demo.DemoTrio;
import dev.provtrace.demo.PlantedSentence;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.io.OutputGuard;
import dev.provtrace.trace.BetaChoice;
import dev.provtrace.trace.PromptBuilder;
import dev.provtrace.trace.TraceJob;
import dev.provtrace.trace.TraceOutputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The whole pipeline on a bundled teacher / student / distilled trio whose behaviour is known by construction
 * (generated on the fly: bigram models with planted Shared, Teacher, Student and Boosted sentences), on the CPU.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Trace a generated teacher/student/distilled trio with planted labels and check them.",
                "The trio's models, the input, all outputs and demo-candidates.jsonl (three candidate responses",
                "per question, for `provtrace select`) stay in --out, to rerun any command on them."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "demo-out", paramLabel = "DIR", description = "default: ${DEFAULT-VALUE}")
    Path out;

    @Option(names = "--threads", paramLabel = "N", description = "threads (default: all cores)") Integer threads;

    @Option(names = "--quiet", description = "no progress bars") boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        long start = System.nanoTime();
        OutputGuard.refuseStandardStream("--out", out);
        DemoTrio.generate(out);
        System.err.println("demo trio written to " + out.resolve(DemoTrio.MODELS_DIR) + " (teacher, student, distilled)");
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        TraceJob.Models models = new TraceJob.Models(DemoTrio.modelDir(out, DemoTrio.Role.TEACHER),
                DemoTrio.modelDir(out, DemoTrio.Role.STUDENT), DemoTrio.modelDir(out, DemoTrio.Role.DISTILLED));
        TraceJob.Options options = new TraceJob.Options(PromptBuilder.Format.CHAT, null, DemoTrio.ALPHA,
                new BetaChoice(false, DemoTrio.BETA), new EngineOptions(t, 4096, false));
        ModelProgress progress = new ModelProgress(!quiet);
        TraceJob.Result r = new TraceJob(models, options, System.err).run(DemoTrio.inputFile(out), out, progress);
        progress.finish();
        int[] agreement = compareWithPlanted(out);
        TraceCommand.printSummary(r.summary(), out);
        System.out.printf("planted labels recovered: %d of %d sentences (%.1f s)%n", agreement[0], agreement[1],
                (System.nanoTime() - start) / 1e9);
        System.out.println("rerun any step on these files, e.g.:");
        System.out.println("  " + ShellCommand.of("classify", "--scores", out, "--beta", "auto"));
        Path candidates = out.resolve(DemoCandidates.FILE);
        DemoCandidates.write(candidates);
        System.out.println("or select data:");
        System.out.println("  " + ShellCommand.of("select", "--teacher", models.teacher(), "--student", models.student(),
                "--input", candidates, "--output", out.resolve("selected.jsonl"), "--compare-all", "--out",
                out.resolve("selection")));
        return agreement[0] == agreement[1] && r.failed() == 0 ? 0 : 1;
    }

    /** [sentences whose label equals the planted one, planted sentences]. */
    static int[] compareWithPlanted(Path out) throws Exception {
        Map<String, String> got = new HashMap<>();
        ObjectMapper om = new ObjectMapper();
        for (String line : Files.readAllLines(out.resolve(TraceOutputs.SENTENCES))) {
            JsonNode n = om.readTree(line);
            got.put(n.get("id").asText() + "@" + n.get("start").asInt() + ":" + n.get("end").asInt(),
                    n.get("label").isNull() ? "UNSCORED" : n.get("label").asText());
        }
        int ok = 0, total = 0;
        List<DemoRecord> planted = DemoTrio.readPlanted(out);
        for (DemoRecord rec : planted) {
            for (PlantedSentence s : rec.sentences()) {
                total++;
                String label = got.get(rec.id() + "@" + s.start() + ":" + s.end());
                if (s.label().name().equals(label)) ok++;
                else System.err.printf("mismatch: %s [%d, %d) %s planted %s, traced %s%n", rec.id(), s.start(), s.end(),
                        s.text(), s.label(), label == null ? "no such sentence" : label);
            }
        }
        if (got.size() != total) System.err.printf("the trace has %d sentences, the plan %d%n", got.size(), total);
        return new int[] {got.size() == total ? ok : Math.min(ok, total - 1), total};
    }
}
