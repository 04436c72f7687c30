package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.provtrace.io.AtomicOutput;
import dev.provtrace.io.OutputGuard;
import dev.provtrace.io.RejectedFile;
import dev.provtrace.io.StandardInput;
import dev.provtrace.io.RunFolder;
import dev.provtrace.selection.OutputFormat;
import dev.provtrace.selection.SelectionJob;
import dev.provtrace.selection.Strategy;
import dev.provtrace.trace.BetaChoice;
import dev.provtrace.trace.PromptBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "select", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        description = {"Teacher-guided data selection: per question, keep the candidates with the most Teacher sentences.",
                "Each candidate teacher response is labelled under the teacher and the original student (two-model",
                "labels); --compare-all compares the baselines.",
                "Input lines: {\"id\", \"question_id\", \"question\", \"response\", ...}; extra fields are carried through.",
                "Output: the selected candidates in input order, each with n_sentences, teacher_count, common_count,",
                "student_count, unscored_count, teacher_ratio, response_chars (and grape_score when computed).",
                "Labels: Teacher if Δ_TS = p_T − p_S > β, Student if −Δ_TS > β, else Common; p = exp(mean token log-prob).",
                "",
                "Strategies (each selects min(K, valid candidates) per question; every ranking ends in the input line):",
                "  max-teacher-count  most Teacher sentences; ties: higher teacher_ratio, shorter response, earlier line",
                "  min-teacher-count  fewest Teacher sentences; ties: lower teacher_ratio, shorter response, earlier line",
                "  max-teacher-ratio  highest teacher_ratio; ties: more Teacher sentences, shorter response, earlier line",
                "  longest            longest response (code points); ties: earlier line",
                "  random             smallest hash of (--seed, candidate id); ties: earlier line",
                "  grape              highest mean log-prob of the response's tokens under the student (tokens whose",
                "                     first character is in the response); ties: shorter response, earlier line",
                "",
                "Scores are cached (--cache DIR, else --out DIR/cache, else .provtrace-cache next to --output): an",
                "interrupted run, rerun with the same arguments, scores only what is missing and writes the same output.",
                "The input is streamed in passes (--chunk candidates in memory at a time), never held whole.",
                "Bad lines (malformed, invalid Unicode, over --max-line-bytes, missing fields or wrong types, empty response,",
                "duplicate id, no sentences, too long for a model) are reported with file:line (id), listed in",
                "--out DIR/rejected.jsonl (else <output>.rejected.jsonl) and skipped; the exit code is then 3.", ""})
final class SelectCommand implements Callable<Integer> {
    @Mixin
    EngineArgs engineArgs;

    @Mixin
    PromptArgs prompt;

    @Mixin
    RecordArgs records;

    @Option(names = "--teacher", required = true, paramLabel = "DIR", description = "the teacher model folder") Path teacher;
    @Option(names = "--student", required = true, paramLabel = "DIR", description = "the original student, before training")
    Path student;
    @Option(names = "--input", required = true, paramLabel = "FILE.jsonl",
            description = "candidate responses, one JSON object a line (- for standard input, copied to the cache folder as "
                    + StandardInput.SPOOL_FILE + " since it is read in passes)") Path input;
    @Option(names = "--output", required = true, paramLabel = "FILE.jsonl|FILE.parquet",
            description = "the selected candidates (written atomically; - for standard output, the summary then goes to stderr); "
                    + "a .parquet name writes Parquet, and --out's candidates.parquet beside candidates.jsonl")
    Path output;

    @Option(names = "--strategy", defaultValue = "max-teacher-count", paramLabel = "S",
            description = "the strategy whose picks go to --output (default ${DEFAULT-VALUE})")
    String strategy;

    @Option(names = "--compare-all", description = "also select with every other strategy (scored once) for selection.json and the report")
    boolean compareAll;

    @Option(names = "--per-question", defaultValue = "1", paramLabel = "K", description = "candidates kept per question (default ${DEFAULT-VALUE})")
    int perQuestion;

    @Option(names = "--beta", defaultValue = "0.1", description = "Teacher/Student when ±Δ_TS > β; a number or auto (default ${DEFAULT-VALUE})")
    String beta;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "seed of the random strategy (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "also write candidates.jsonl (statistics of every candidate), selection.json and report.html here (default: not written)")
    Path out;

    @Option(names = "--cache", paramLabel = "DIR", description = "score caches (default: --out DIR/cache, else .provtrace-cache next to --output)")
    Path cache;

    @Option(names = "--format", defaultValue = "jsonl", description = "jsonl (input line + statistics) or sft ({\"id\", \"messages\": [user, assistant]}); default ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--grape-prompt", defaultValue = "plain",
            description = "GRAPE's context: plain (\"Question: {question}\\n Answer: {response}\") or chat (the student's chat template); default ${DEFAULT-VALUE}")
    String grapePrompt;

    @Option(names = "--chunk", defaultValue = "" + SelectionJob.DEFAULT_CHUNK, paramLabel = "N",
            description = "candidates read into memory at a time (default ${DEFAULT-VALUE})")
    int chunk;
    @Option(names = "--overwrite", description = "--out holds a run with other settings: delete its outputs and this run's caches and start afresh")
    boolean overwrite;
    @Option(names = "--quiet", description = "no progress bars") boolean quiet;

    @Override
    public Integer call() throws Exception {
        StandardInput.check("--input", input);
        refuseClobbering();
        if (perQuestion < 1) throw new IllegalArgumentException("--per-question must be >= 1");
        dev.provtrace.io.FileFormat.of(output, "--output", null);   // a .csv or .json name is refused before any model loads
        if (chunk < 1) throw new IllegalArgumentException("--chunk must be >= 1, got " + chunk);
        Strategy primary = Strategy.parse(strategy);
        List<Strategy> strategies = compareAll ? Arrays.asList(Strategy.values()) : List.of(primary);
        SelectionJob.Options options = new SelectionJob.Options(teacher, student, prompt.format(), prompt.template,
                BetaChoice.parse(beta), perQuestion, seed, primary, strategies, grapeFormat(grapePrompt),
                OutputFormat.parse(format), engineArgs.options(), chunk, prompt.setup("teacher"), prompt.setup("student"));
        prompt.refuseRole("distilled");
        Path cacheDir = cache != null ? cache : out != null ? out.resolve(SelectionJob.CACHE_DIR)
                : output.toAbsolutePath().getParent().resolve(".provtrace-cache");
        ModelProgress progress = new ModelProgress(!quiet);
        try (RunFolder claim = RunClaims.select(this, cacheDir, strategies)) {     // locks, settings check, manifest
            Path rereadable = StandardInput.rereadable(input, cacheDir, System.err);
            SelectionJob.Result r = new SelectionJob(options, System.err).maxLineBytes(records.maxLineBytes)
                    .run(rereadable, output, out, cacheDir, progress);
            progress.finish();
            // with --output - the selected lines own standard output
            printSummary(r, output, out, AtomicOutput.isStandardStream(output) ? System.err : System.out);
            if (r.skipped() > 0) System.err.println(r.skipped() + " lines were reported above and left out (listed in "
                    + RejectedFile.describe(out != null ? RejectedFile.inFolder(out) : RejectedFile.besideOutput(output)) + ")");
            // "written" counts the candidates labelled (candidates.jsonl); the output holds the selected subset of them
            System.err.println(RejectedFile.counts(r.read(), r.candidates(), r.skipped()) + "; " + r.selected() + " selected to "
                    + AtomicOutput.describe(output));
            return ExitCodes.forRejected(r.skipped());
        }
    }

    /** No output may be the input, nor two outputs one file; checked before anything is scored or written. */
    private void refuseClobbering() throws IOException {
        OutputGuard.refuseInput("--output", output, "--input", input);
        if (out == null) return;
        OutputGuard.refuseStandardStream("--out", out);
        for (String name : List.of(SelectionJob.CANDIDATES, SelectionJob.SELECTION, SelectionJob.REPORT)) {
            OutputGuard.refuseInput("--out", out.resolve(name), "--input", input);
            OutputGuard.refuseSame("--output", output, "--out", out.resolve(name));
        }
    }

    private static PromptBuilder.Format grapeFormat(String s) {
        return switch (s.toLowerCase()) {
            case "plain" -> PromptBuilder.Format.GRAPE;
            case "chat" -> PromptBuilder.Format.CHAT;
            default -> throw new IllegalArgumentException("--grape-prompt must be plain or chat, got " + s);
        };
    }

    private static void printSummary(SelectionJob.Result r, Path output, Path out, PrintStream stdout) {
        JsonNode run = r.selection().get("run");
        stdout.printf("%d candidates of %d questions; β = %.3f (%s)%n", r.candidates(),
                r.selection().get("candidates").path("questions").asInt(), r.beta(), run.get("beta_mode").asText());
        for (JsonNode s : r.selection().get("strategies")) {
            stdout.printf("  %-18s %d selected: mean Teacher %.2f, Common %.2f, Student %.2f; teacher ratio %.1f%%; %.0f chars%s%n",
                    s.get("strategy").asText(), s.get("candidates").asLong(), s.get("mean_teacher_count").asDouble(),
                    s.get("mean_common_count").asDouble(), s.get("mean_student_count").asDouble(),
                    100 * s.get("mean_teacher_ratio").asDouble(), s.get("mean_response_chars").asDouble(),
                    s.hasNonNull("mean_grape_score") ? String.format("; GRAPE %.3f", s.get("mean_grape_score").asDouble()) : "");
        }
        stdout.println("output (" + run.get("strategy").asText() + "): " + r.selected() + " lines -> "
                + (AtomicOutput.isStandardStream(output) ? "standard output" : output.toAbsolutePath()));
        if (out != null) stdout.println("report: " + out.resolve(SelectionJob.REPORT).toAbsolutePath());
    }
}
