package dev.provtrace.cli;

import dev.provtrace.engine.Engine;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.io.AtomicOutput;
import dev.provtrace.io.FileFormat;
import dev.provtrace.io.parquet.ParquetStaging;
import dev.provtrace.io.OutputGuard;
import dev.provtrace.io.RejectedFile;
import dev.provtrace.io.StandardInput;
import dev.provtrace.io.RunLock;
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
                "Input lines: {\"id\": ..., \"text\": \"...\"}, {\"id\": ..., \"input_ids\": [...]} or {\"id\", \"context\", \"continuation\"}",
                "(then also \"continuation_logprob\" and \"is_greedy\", as lm-eval's loglikelihood).",
                "Output lines: {\"id\", \"input_ids\", \"offsets\" (text input; code points), \"token_logprobs\": [null, ...]}",
                "plus \"top_k\": [null, [[id, logprob], ...], ...], \"entropy\", \"token_ranks\", \"tokens\" and sums when asked.",
                "Bad records are reported with file:line (id), listed in <output>.rejected.jsonl and skipped (the rest",
                "are scored); the exit code is then 3."})
final class LogprobsCommand implements Callable<Integer> {
    @Mixin
    EngineArgs engineArgs;

    @Mixin
    RecordArgs records;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE.jsonl", description = "records with \"id\" and \"text\" or \"input_ids\", one JSON object a line (- for standard input)")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "FILE.jsonl|FILE.parquet",
            description = "written atomically when done (- for standard output); a .parquet name writes Parquet")
    Path output;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "also list the K most likely tokens per position (default ${DEFAULT-VALUE}: none)")
    int topK;

    @Option(names = "--entropy", description = "also give the entropy (nats) of each next-token distribution")
    boolean entropy;

    @Option(names = "--no-special-tokens", description = "do not add the tokenizer's special tokens (BOS, ...) to text input")
    boolean noSpecialTokens;

    @Option(names = "--tokens", description = "also give \"tokens\": each id decoded on its own")
    boolean tokens;

    @Option(names = "--split-top-k", description = "top-k as \"top_k_ids\" and \"top_k_logprobs\" arrays instead of [id, logprob] pairs (ids stay integers in pandas/Arrow)")
    boolean splitTopK;

    @Option(names = "--sums", description = "also give \"sum_logprob\", \"mean_logprob\" and \"scored_tokens\" per record")
    boolean sums;

    @Option(names = "--rank", description = "also give \"token_ranks\": each token's rank in the distribution it was scored under (1 = most likely; ties share the better rank, as vLLM). Costs a second sweep of the LM head")
    boolean rank;

    @Option(names = "--format", paramLabel = "jsonl|parquet",
            description = "the output's file format (default: from its name, .parquet for Parquet, else JSON lines); Parquet columns are typed (ids stay integers)")
    String format;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        StandardInput.check("--input", input);
        OutputGuard.refuseInput("--output", output, "--input", input);
        if (topK < 0) throw new IllegalArgumentException("--top-k must be >= 0");
        boolean parquet = FileFormat.of(output, "--output", format) == FileFormat.PARQUET;
        // a stream can be read only once: its length is unknown, the bar shows what is done
        long lines = !StandardInput.isStandardInput(input) && Files.isRegularFile(input) ? LogprobsJob.countLines(input) : 0;
        try (RunLock lock = RunLock.outputFile(output, "--output");      // a second run on this output is refused at once
             Engine engine = Engine.load(model, engineArgs.options());
             HfTokenizer tokenizer = Files.isRegularFile(model.resolve("tokenizer.json")) ? HfTokenizer.load(model) : null) {
            ProgressBar bar = new ProgressBar(System.err, lines, !quiet);
            LogprobsJob job = new LogprobsJob(engine, tokenizer, new ScoreOptions(topK, entropy), !noSpecialTokens,
                    engine.batchTokens(), System.err).maxLineBytes(records.maxLineBytes)
                    .fields(new LogprobsJob.Fields(tokens, splitTopK || parquet, sums, rank));   // pairs would make ids doubles in a column
            // a rerun continues only with the same model files and settings (see LogprobsJob)
            // Parquet: JSON lines staged beside the output (resumable as a JSONL output is), converted when done
            Path scoresTo = parquet ? ParquetStaging.stagingFor(output) : output;
            LogprobsJob.Result r = job.run(input, scoresTo, ModelFingerprint.of(model, "logprobs", engineArgs.device(), engineArgs.precision(), engineArgs.batchInvariant), engineArgs.options(),
                    bar::advance);
            bar.finish();
            if (parquet) ParquetStaging.finish(scoresTo, output);
            System.err.printf("%d records scored (%d tokens) -> %s%s%n", r.written(), r.tokens(), AtomicOutput.describe(output),
                    r.failed() > 0 ? "; " + r.failed() + " bad records reported above and skipped (listed in "
                            + RejectedFile.describe(RejectedFile.besideOutput(output)) + ")" : "");
            System.err.println(RejectedFile.counts(r.read(), r.written(), r.failed()));
            return ExitCodes.forRejected(r.failed());
        }
    }
}
