package dev.provtrace.cli;

import dev.provtrace.engine.Engine;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.score.LogprobsJob;
import dev.provtrace.tokenizer.HfTokenizer;
import dev.provtrace.trace.ModelFingerprint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "logprobs", mixinStandardHelpOptions = true,
        description = {"Teacher-forced log-probability of every token given its prefix, as Hugging Face computes it.",
                "Resumable: after a kill, the same command continues where the run stopped (from .OUTPUT.partial).",
                "Input lines: {\"id\": ..., \"text\": \"...\"} or {\"id\": ..., \"input_ids\": [...]}.",
                "Output lines: {\"id\", \"input_ids\", \"offsets\" (text input; code points), \"token_logprobs\": [null, ...]}",
                "plus \"top_k\": [null, [[id, logprob], ...], ...] and \"entropy\": [null, ...] when asked.",
                "Exit code 2 when some records were bad (each is reported with its line; the rest are scored)."})
final class LogprobsCommand implements Callable<Integer> {
    @Mixin
    EngineArgs engineArgs;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE.jsonl")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "FILE.jsonl", description = "written atomically when done")
    Path output;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "also list the K most likely tokens per position")
    int topK;

    @Option(names = "--entropy", description = "also give the entropy (nats) of each next-token distribution")
    boolean entropy;

    @Option(names = "--no-special-tokens", description = "do not add the tokenizer's special tokens (BOS, ...) to text input")
    boolean noSpecialTokens;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(input)) throw new IllegalArgumentException(input + ": input file not found");
        if (topK < 0) throw new IllegalArgumentException("--top-k must be >= 0");
        long lines = LogprobsJob.countLines(input);
        try (Engine engine = Engine.load(model, engineArgs.options());
             HfTokenizer tokenizer = Files.isRegularFile(model.resolve("tokenizer.json")) ? HfTokenizer.load(model) : null) {
            ProgressBar bar = new ProgressBar(System.err, lines, !quiet);
            LogprobsJob job = new LogprobsJob(engine, tokenizer, new ScoreOptions(topK, entropy), !noSpecialTokens,
                    engineArgs.batchTokens, System.err);
            // a rerun continues only with the same model files and settings (see LogprobsJob)
            LogprobsJob.Result r = job.run(input, output, ModelFingerprint.of(model, "logprobs"), engineArgs.options(),
                    bar::advance);
            bar.finish();
            System.err.printf("%d records scored (%d tokens) -> %s%s%n", r.written(), r.tokens(), output,
                    r.failed() > 0 ? "; " + r.failed() + " bad records reported above and skipped" : "");
            return r.failed() > 0 ? 2 : 0;
        }
    }
}
