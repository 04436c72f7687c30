package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.provtrace.io.OutputGuard;
import dev.provtrace.provenance.AnswerFormat;
import dev.provtrace.io.RejectedFile;
import dev.provtrace.io.StandardInput;
import dev.provtrace.io.RunFolder;
import dev.provtrace.provenance.Label;
import dev.provtrace.trace.BetaChoice;
import dev.provtrace.trace.TraceJob;
import dev.provtrace.trace.TraceOutputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Label every sentence of every response Shared / Teacher / Student / Boosted.",
                "Input lines: {\"id\", \"question\", \"response\", \"answer\"?, \"correct\"?, \"group\"?}.",
                "Writes sentences.jsonl, trajectories.jsonl, summary.json and report.html to --out.",
                "Scores are cached in --out/cache (or --cache); a rerun scores what is missing.",
                "--out remembers its settings: other models, input, α or β are refused there",
                "(relabel with classify, or use another --out, or --overwrite).",
                "Bad records are reported with file:line (id), listed in --out/rejected.jsonl and left out; the exit code is then 3."})
final class TraceCommand implements Callable<Integer> {
    @Mixin
    EngineArgs engineArgs;

    @Mixin
    PromptArgs prompt;

    @Mixin
    RecordArgs records;

    @Option(names = "--teacher", required = true, paramLabel = "DIR",
            description = "teacher model folder (M_T); give it several times to attribute each sentence to the teacher it most "
                    + "likely came from (the largest p_Ti - p_S)") List<Path> teachers;
    @Option(names = "--student", required = true, paramLabel = "DIR", description = "original student folder (M_S)") Path student;
    @Option(names = "--distilled", required = true, paramLabel = "DIR", description = "distilled student folder (M_D)") Path distilled;
    @Option(names = "--input", required = true, paramLabel = "FILE.jsonl",
            description = "records to trace (- for standard input, copied to --out/cache/" + StandardInput.SPOOL_FILE
                    + " since it is read in passes)") Path input;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "outputs and the score cache") Path out;

    @Option(names = "--alpha", defaultValue = "0.1", description = "Shared when all |Δ| ≤ α (default ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--beta", defaultValue = "0.1", description = "Teacher/Student when ±Δ_TS > β; a number or auto (default ${DEFAULT-VALUE})")
    String beta;

    @Option(names = "--cache", paramLabel = "DIR", description = "score caches (default: --out DIR/cache); may be shared by runs of other --out, α or β")
    Path cache;

    @Option(names = "--overwrite", description = "--out holds a run with other settings: delete its outputs and caches and start afresh")
    boolean overwrite;

    @Option(names = "--quiet", description = "no progress bars") boolean quiet;
    @Option(names = "--answer-format", defaultValue = "auto", paramLabel = "auto|boxed|choice|number",
            description = "how a record's \"answer\" is checked against the response's final answer: the last \\boxed{} "
                    + "(and \"Answer: C\" for a letter; auto), boxes only, multiple choice (box, \"Answer: C\", a closing \"(C)\"), "
                    + "or a number (box or \"the answer is 42\"); default ${DEFAULT-VALUE}")
    String answerFormat;
    @picocli.CommandLine.Mixin
    FigureArgs figures;


    @picocli.CommandLine.Mixin
    RecordFormatArgs recordFormat;

    @Override
    public Integer call() throws Exception {
        StandardInput.check("--input", input);
        OutputGuard.refuseStandardStream("--out", out);
        for (String name : TraceOutputs.FILES) OutputGuard.refuseInput("--out", out.resolve(name), "--input", input);
        if (!(alpha >= 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException("--alpha must be >= 0");
        recordFormat.parquet();   // a bad --format is refused before any model is loaded
        TraceJob.Options options = new TraceJob.Options(prompt.format(), prompt.template, alpha, BetaChoice.parse(beta),
                engineArgs.options(), AnswerFormat.parse(answerFormat), java.util.Map.of("teacher", prompt.setup("teacher"),
                "student", prompt.setup("student"), "distilled", prompt.setup("distilled")));
        ModelProgress progress = new ModelProgress(!quiet);
        TraceJob job = new TraceJob(new TraceJob.Models(teachers, student, distilled), options, System.err)
                .maxLineBytes(records.maxLineBytes).figures(figures.options());
        Path cacheDir = cache != null ? cache : out.resolve(TraceOutputs.CACHE_DIR);
        try (RunFolder claim = RunClaims.trace(this, cacheDir)) {     // locks, settings check, manifest
            TraceJob.Result r = job.run(StandardInput.rereadable(input, out.resolve(TraceOutputs.CACHE_DIR), System.err), out,
                    cacheDir, progress);
            progress.finish();
            if (TraceOutputs.parquetCopies(out, recordFormat.parquet())) {
                System.err.println("Parquet copies: " + out.resolve(TraceOutputs.SENTENCES_PARQUET) + ", " + out.resolve(TraceOutputs.TRAJECTORIES_PARQUET));
            }
            printSummary(r.summary(), out);
            if (r.failed() > 0) System.err.println(r.failed() + " records were reported above and left out (listed in "
                    + RejectedFile.inFolder(out) + ")");
            System.err.println(RejectedFile.counts(r.read(), r.traced(), r.failed()));
            return ExitCodes.forRejected(r.failed());
        }
    }

    static void printSummary(JsonNode summary, Path out) {
        JsonNode f = summary.get("labels").get("overall").get("fractions");
        StringBuilder sb = new StringBuilder();
        for (Label l : Label.values()) sb.append(String.format(" %s %.1f%%", l.name().toLowerCase(), 100 * f.get(l.name()).asDouble()));
        System.out.printf("%d responses, %d sentences (%d unscored); α = %s, β = %.3f (%s):%s%n",
                summary.get("responses").asInt(), summary.get("sentences").asInt(), summary.get("unscored_sentences").asInt(),
                summary.get("alpha").asText(), summary.get("beta").asDouble(), summary.get("beta_mode").asText(), sb);
        System.out.println("report: " + out.resolve(TraceOutputs.REPORT).toAbsolutePath());
    }
}
