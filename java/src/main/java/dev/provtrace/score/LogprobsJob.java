package dev.provtrace.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.engine.Engine;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.engine.FiniteScores;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.engine.TokenScores;
import dev.provtrace.io.JsonlException;
import dev.provtrace.io.JsonlReader;
import dev.provtrace.io.JsonlRecord;
import dev.provtrace.io.JsonlWriter;
import dev.provtrace.io.RecordIds;
import dev.provtrace.io.RejectedFile;
import dev.provtrace.io.ValidatedJsonl;
import dev.provtrace.tokenizer.Encoding;
import dev.provtrace.tokenizer.HfTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code provtrace logprobs}: streams a JSONL file of texts or token ids through one model and writes, per record,
 * every token's log-probability given its prefix (plus top-k and entropy when asked). Records are scored in
 * groups of about {@code 4 × batchTokens} tokens, in input order. A bad record is reported with its file, line and
 * id and skipped; the others go on, and the job's result counts the failures.
 */
public final class LogprobsJob {
    /**
     * What a run did: the output has {@code written} lines; {@code failed} records were reported and skipped (and
     * are listed in {@code rejected}); {@code read == written + failed} non-blank lines were read.
     */
    public record Result(long written, long failed, long tokens, long read, List<ValidatedJsonl.Skipped> rejected) {
        public Result(long written, long failed, long tokens) { this(written, failed, tokens, written + failed, List.of()); }
    }

    /** Receives progress after each scored group: records done (scored or failed) and tokens scored. */
    public interface Progress {
        void advance(long records, long tokens);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Engine engine;
    private final HfTokenizer tokenizer;   // null when the folder has none (input_ids only)
    private final ScoreOptions options;
    private final boolean addSpecialTokens;
    private final int groupTokens;
    private final PrintStream errors;

    public LogprobsJob(Engine engine, HfTokenizer tokenizer, ScoreOptions options, boolean addSpecialTokens,
                       int batchTokens, PrintStream errors) {
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.options = options;
        this.addSpecialTokens = addSpecialTokens;
        this.groupTokens = (int) Math.min(Integer.MAX_VALUE, 4L * batchTokens);
        this.errors = errors;
    }

    /** Number of lines in a file (for progress): counts newlines plus a last unterminated line. */
    public static long countLines(Path file) throws IOException {
        long lines = 0;
        int last = '\n';
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) if (buf[i] == '\n') lines++;
                last = buf[n - 1];
            }
        }
        return last == '\n' ? lines : lines + 1;
    }

    private long maxLineBytes = JsonlReader.DEFAULT_MAX_LINE_BYTES;

    /**
     * Extra output fields, on request: {@code tokens} (each id decoded alone), {@code splitTopK} (top-k as
     * {@code top_k_ids} and {@code top_k_logprobs}, so ids stay integers in pandas/Arrow), {@code sums}
     * ({@code sum_logprob}, {@code mean_logprob}, {@code scored_tokens}), {@code ranks} ({@code token_ranks}: each
     * token's rank in the distribution it was scored under, 1 = most likely, vLLM's definition).
     */
    public record Fields(boolean tokens, boolean splitTopK, boolean sums, boolean ranks) {
        public static final Fields NONE = new Fields(false, false, false, false);

        public Fields(boolean tokens, boolean splitTopK, boolean sums) { this(tokens, splitTopK, sums, false); }

        String settings() { return "tokens=" + tokens + " split_top_k=" + splitTopK + " sums=" + sums + " ranks=" + ranks; }
    }

    private Fields fields = Fields.NONE;

    /** Adds the fields asked for. */
    public LogprobsJob fields(Fields f) {
        this.fields = f;
        return this;
    }

    /** Input lines longer than this are rejected (streamed past, never held); default 64 MiB. */
    public LogprobsJob maxLineBytes(long bytes) {
        this.maxLineBytes = bytes;
        return this;
    }

    /**
     * Scores {@code input} into {@code output} in one go: a kill loses the run (see the resumable overload). The
     * rejected records go to {@code <output>.rejected.jsonl} (stderr only when the output is not a file).
     */
    public Result run(Path input, Path output, Progress progress) throws IOException {
        JsonlWriter writer = JsonlWriter.open(output);
        Result r;
        try {
            r = score(input, 0, PartialOutput.Done.NOTHING, new ArrayList<>(), (lines, rejected, done) -> {
                for (ObjectNode line : lines) writer.write(line);
            }, progress);
        } catch (IOException | RuntimeException | Error e) {
            writer.abort();     // a run that failed half-way must not publish what it had
            throw e;
        }
        writer.close();
        RejectedFile.write(RejectedFile.besideOutput(output), r.rejected());
        return r;
    }

    /**
     * Scores {@code input} into {@code output} so that a killed run, rerun with the same arguments, continues from
     * its last complete group and ends with the very bytes of an uninterrupted run ({@link PartialOutput}).
     * {@code modelFingerprint} and {@code engine} are what the scores depend on besides this job's own options and
     * the input. Where the output is not a regular file (or the input is not one) there is nothing to resume, and
     * the output is written through as {@link #run(Path, Path, Progress)} does.
     */
    public Result run(Path input, Path output, String modelFingerprint, EngineOptions engine, Progress progress)
            throws IOException {
        if (!PartialOutput.appliesTo(output) || !Files.isRegularFile(input)) return run(input, output, progress);
        InputDigest digest = InputDigest.of(input);
        String settings = "threads=" + engine.threads() + " batch_tokens=" + engine.batchTokens() + " allow_long="
                + engine.allowLong() + " top_k=" + options.topK() + " entropy=" + options.entropy() + " special_tokens="
                + addSpecialTokens + " group_tokens=" + groupTokens + " " + fields.settings();
        try (PartialOutput partial = PartialOutput.open(output,
                new PartialOutput.Setup(modelFingerprint, settings, digest.sha256()), errors)) {
            PartialOutput.Done from = partial.resumedFrom();
            if (from.line() > 0) {
                errors.printf("resuming: %d of %d records already scored in %s%s%n", from.records(), digest.lines(),
                        partial.partial().getFileName(), from.failed() > 0
                                ? " (" + from.failed() + " bad records among them, reported by the earlier run)" : "");
                if (progress != null) progress.advance(from.records(), 0);
            }
            Path sidecar = RejectedSidecar.fileFor(partial.partial());
            List<ValidatedJsonl.Skipped> earlier = RejectedSidecar.resume(sidecar, from.line());
            Result r = score(input, from.line(), from, earlier, (lines, rejected, done) -> {
                RejectedSidecar.append(sidecar, rejected);   // on disk before the progress record counts them
                partial.commit(lines, done);
            }, progress);
            partial.finish();
            RejectedFile.write(RejectedFile.besideOutput(output), r.rejected());
            Files.deleteIfExists(sidecar);
            return r;
        }
    }

    /** Receives each scored group's output lines, its rejected records, and the count of everything done. */
    private interface GroupSink {
        void accept(List<ObjectNode> lines, List<ValidatedJsonl.Skipped> rejected, PartialOutput.Done done) throws IOException;
    }

    /**
     * The scoring loop: lines up to {@code skipThrough} were done by an earlier run ({@code before} says what, and
     * {@code rejected} holds its rejected records; this run's are added to it).
     */
    private Result score(Path input, long skipThrough, PartialOutput.Done before, List<ValidatedJsonl.Skipped> rejected,
                         GroupSink sink, Progress progress) throws IOException {
        long written = before.written(), failed = before.failed(), tokens = before.tokens();
        try (JsonlReader reader = JsonlReader.open(input, maxLineBytes)) {
            List<ScoreInput> group = new ArrayList<>();
            List<Long> groupLines = new ArrayList<>();
            List<ValidatedJsonl.Skipped> groupRejected = new ArrayList<>();
            long groupSize = 0, failedInGroup = 0, line = skipThrough;
            for (JsonlRecord rec; (rec = reader.next()) != null; ) {
                if (rec.lineNumber() <= skipThrough) continue;
                line = rec.lineNumber();
                ScoreInput in = null;
                if (rec.isMalformed()) {
                    JsonlException e = rec.error().orElseThrow();
                    errors.println("error: " + e.getMessage());
                    groupRejected.add(skipped(rec.lineNumber(), e.id(), e.reason()));
                } else {
                    try {
                        in = ScoreInput.parse(rec.value(), tokenizer, addSpecialTokens, engine.config().vocabSize());
                        String tooLong = engine.lengthProblem(in.ids().length);
                        if (tooLong != null) throw new ScoreInput.BadRecord(tooLong);
                    } catch (ScoreInput.BadRecord e) {
                        JsonNode id = RecordIds.of(rec.value());
                        errors.println("error: " + RecordIds.where(input, rec.lineNumber(), id) + ": " + e.getMessage());
                        groupRejected.add(skipped(rec.lineNumber(), id, e.getMessage()));
                        in = null;
                    }
                }
                if (in == null) {
                    failed++;
                    failedInGroup++;
                    continue;
                }
                group.add(in);
                groupLines.add(rec.lineNumber());
                groupSize += in.ids().length;
                if (groupSize >= groupTokens) {
                    List<ObjectNode> lines = score(input, group, groupLines, groupRejected);
                    long bad = group.size() - lines.size();   // non-finite scores: rejected, not written
                    tokens += groupSize;
                    written += lines.size();
                    failed += bad;
                    rejected.addAll(groupRejected);
                    sink.accept(lines, groupRejected, new PartialOutput.Done(line, written, failed, tokens));
                    if (progress != null) progress.advance(group.size() + failedInGroup, groupSize);
                    group.clear();
                    groupLines.clear();
                    groupRejected.clear();
                    groupSize = 0;
                    failedInGroup = 0;
                }
            }
            List<ObjectNode> lines = score(input, group, groupLines, groupRejected);
            tokens += groupSize;
            written += lines.size();
            failed += group.size() - lines.size();
            rejected.addAll(groupRejected);
            sink.accept(lines, groupRejected, new PartialOutput.Done(line, written, failed, tokens));
            if (progress != null) progress.advance(group.size() + failedInGroup, groupSize);
        }
        rejected.sort(java.util.Comparator.comparingLong(ValidatedJsonl.Skipped::line));
        return new Result(written, failed, tokens, written + failed, List.copyOf(rejected));
    }

    private static ValidatedJsonl.Skipped skipped(long line, JsonNode id, String reason) {
        return new ValidatedJsonl.Skipped(line, id == null ? null : id.asText(), reason, id);
    }

    /**
     * One group's output lines, in input order. A record whose scores come out NaN/Inf is reported, added to
     * {@code rejected} and left out: never write "NaN" (the weights are broken, not the record).
     */
    private List<ObjectNode> score(Path input, List<ScoreInput> group, List<Long> lineNumbers,
                                   List<ValidatedJsonl.Skipped> rejected) {
        if (group.isEmpty()) return List.of();
        List<int[]> seqs = new ArrayList<>(group.size());
        for (ScoreInput in : group) seqs.add(in.ids());
        // top-1 at least: a context/continuation record says whether its continuation is the greedy one
        ScoreOptions asked = new ScoreOptions(Math.max(1, options.topK()), options.entropy(), fields.ranks());
        List<TokenScores> scores = engine.score(seqs, asked, null);
        List<ObjectNode> lines = new ArrayList<>(group.size());
        for (int i = 0; i < group.size(); i++) {
            String bad = FiniteScores.problem(scores.get(i));
            if (bad != null) {
                JsonNode id = group.get(i).id();
                errors.println("error: " + RecordIds.where(input, lineNumbers.get(i), id) + ": model gave " + bad);
                rejected.add(skipped(lineNumbers.get(i), id, "model gave " + bad));
                continue;
            }
            lines.add(toJson(group.get(i), scores.get(i)));
        }
        return lines;
    }

    private ObjectNode toJson(ScoreInput in, TokenScores s) {
        ObjectNode o = JSON.createObjectNode();
        o.set("id", in.id());
        ArrayNode ids = o.putArray("input_ids");
        for (int id : in.ids()) ids.add(id);
        Encoding enc = in.encoding();
        if (enc != null) {
            ArrayNode offsets = o.putArray("offsets");
            for (int i = 0; i < enc.size(); i++) offsets.addArray().add(enc.starts()[i]).add(enc.ends()[i]);
        }
        if (fields.tokens() && tokenizer != null) {
            ArrayNode tokens = o.putArray("tokens");
            for (int id : in.ids()) tokens.add(tokenizer.decode(new int[] {id}, false));
        }
        ArrayNode lp = o.putArray("token_logprobs");
        lp.addNull();
        for (int t = 1; t < s.length(); t++) lp.add(s.logprobs()[t]);
        if (fields.ranks()) {
            ArrayNode ranks = o.putArray("token_ranks");
            ranks.addNull();
            for (int t = 1; t < s.length(); t++) ranks.add(s.rank()[t]);
        }
        if (options.topK() > 0 && fields.splitTopK()) {
            ArrayNode ids2 = o.putArray("top_k_ids"), lps = o.putArray("top_k_logprobs");
            ids2.addNull();
            lps.addNull();
            for (int t = 1; t < s.length(); t++) {
                ArrayNode a = ids2.addArray(), b = lps.addArray();
                for (int k = 0; k < s.topIds()[t].length; k++) {
                    a.add(s.topIds()[t][k]);
                    b.add(s.topLogprobs()[t][k]);
                }
            }
        } else if (options.topK() > 0) {
            ArrayNode top = o.putArray("top_k");
            top.addNull();
            for (int t = 1; t < s.length(); t++) {
                ArrayNode row = top.addArray();
                for (int k = 0; k < s.topIds()[t].length; k++) row.addArray().add(s.topIds()[t][k]).add(s.topLogprobs()[t][k]);
            }
        }
        if (fields.sums()) {   // over the tokens that have a prefix (1 .. n-1), summed in double
            double sum = 0;
            for (int t = 1; t < s.length(); t++) sum += s.logprobs()[t];
            o.put("sum_logprob", sum);
            o.put("scored_tokens", s.length() - 1);
            if (s.length() > 1) o.put("mean_logprob", sum / (s.length() - 1));
            else o.putNull("mean_logprob");
        }
        if (in.continuationStart() >= 0) {   // lm-eval's loglikelihood: the continuation's sum, and is it greedy
            double sum = 0;
            boolean greedy = true;
            for (int t = in.continuationStart(); t < s.length(); t++) {
                sum += s.logprobs()[t];
                greedy &= s.topIds()[t][0] == in.ids()[t];
            }
            o.put("continuation_start", in.continuationStart());
            o.put("continuation_tokens", s.length() - in.continuationStart());
            o.put("continuation_logprob", sum);
            o.put("is_greedy", greedy);
        }
        if (s.entropy() != null) {
            ArrayNode e = o.putArray("entropy");
            e.addNull();
            for (int t = 1; t < s.length(); t++) e.add(s.entropy()[t]);
        }
        return o;
    }
}
