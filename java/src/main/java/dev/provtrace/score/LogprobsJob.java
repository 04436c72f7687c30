package dev.provtrace.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.engine.Engine;
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

    /** Input lines longer than this are rejected (streamed past, never held); default 64 MiB. */
    public LogprobsJob maxLineBytes(long bytes) {
        this.maxLineBytes = bytes;
        return this;
    }

    /** Scores {@code input} into {@code output}; the rejected records go to {@code <output>.rejected.jsonl}. */
    public Result run(Path input, Path output, Progress progress) throws IOException {
        long written = 0, failed = 0, tokens = 0;
        nonFinite = 0;
        rejected = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(input, maxLineBytes); JsonlWriter writer = JsonlWriter.open(output)) {
            List<ScoreInput> group = new ArrayList<>();
            List<Long> lines = new ArrayList<>();
            long groupSize = 0, failedInGroup = 0;
            for (JsonlRecord rec; (rec = reader.next()) != null; ) {
                ScoreInput in = null;
                if (rec.isMalformed()) {
                    JsonlException e = rec.error().orElseThrow();
                    errors.println("error: " + e.getMessage());
                    rejected.add(skipped(rec.lineNumber(), e.id(), e.reason()));
                } else {
                    try {
                        in = ScoreInput.parse(rec.value(), tokenizer, addSpecialTokens, engine.config().vocabSize());
                        String tooLong = engine.lengthProblem(in.ids().length);
                        if (tooLong != null) throw new ScoreInput.BadRecord(tooLong);
                    } catch (ScoreInput.BadRecord e) {
                        JsonNode id = RecordIds.of(rec.value());
                        errors.println("error: " + RecordIds.where(input, rec.lineNumber(), id) + ": " + e.getMessage());
                        rejected.add(skipped(rec.lineNumber(), id, e.getMessage()));
                        in = null;
                    }
                }
                if (in == null) {
                    failed++;
                    failedInGroup++;
                    continue;
                }
                group.add(in);
                lines.add(rec.lineNumber());
                groupSize += in.ids().length;
                if (groupSize >= groupTokens) {
                    tokens += flush(group, writer, input, lines);
                    written += group.size();
                    if (progress != null) progress.advance(group.size() + failedInGroup, groupSize);
                    group.clear();
                    lines.clear();
                    groupSize = 0;
                    failedInGroup = 0;
                }
            }
            tokens += flush(group, writer, input, lines);
            written += group.size();
            if (progress != null) progress.advance(group.size() + failedInGroup, groupSize);
        }
        RejectedFile.write(RejectedFile.besideOutput(output), rejected);
        return new Result(written - nonFinite, failed + nonFinite, tokens, written + failed, rejected);
    }

    private static ValidatedJsonl.Skipped skipped(long line, JsonNode id, String reason) {
        return new ValidatedJsonl.Skipped(line, id == null ? null : id.asText(), reason, id);
    }

    /** Records whose scores came out NaN/Inf: reported and not written (counted as failed, not written). */
    private long nonFinite;
    /** Every record left out by the current run, in input order (for rejected.jsonl). */
    private List<ValidatedJsonl.Skipped> rejected;

    private long flush(List<ScoreInput> group, JsonlWriter writer, Path input, List<Long> lines) throws IOException {
        if (group.isEmpty()) return 0;
        List<int[]> seqs = new ArrayList<>(group.size());
        long tokens = 0;
        for (ScoreInput in : group) {
            seqs.add(in.ids());
            tokens += in.ids().length;
        }
        List<TokenScores> scores = engine.score(seqs, options, null);
        for (int i = 0; i < group.size(); i++) {
            String bad = FiniteScores.problem(scores.get(i));
            if (bad != null) {                      // never write "NaN": the weights are broken, not the record
                JsonNode id = group.get(i).id();
                errors.println("error: " + RecordIds.where(input, lines.get(i), id) + ": model gave " + bad);
                rejected.add(skipped(lines.get(i), id, "model gave " + bad));
                nonFinite++;
                continue;
            }
            writer.write(toJson(group.get(i), scores.get(i)));
        }
        return tokens;
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
        ArrayNode lp = o.putArray("token_logprobs");
        lp.addNull();
        for (int t = 1; t < s.length(); t++) lp.add(s.logprobs()[t]);
        if (s.topIds() != null) {
            ArrayNode top = o.putArray("top_k");
            top.addNull();
            for (int t = 1; t < s.length(); t++) {
                ArrayNode row = top.addArray();
                for (int k = 0; k < s.topIds()[t].length; k++) row.addArray().add(s.topIds()[t][k]).add(s.topLogprobs()[t][k]);
            }
        }
        if (s.entropy() != null) {
            ArrayNode e = o.putArray("entropy");
            e.addNull();
            for (int t = 1; t < s.length(); t++) e.add(s.entropy()[t]);
        }
        return o;
    }
}
