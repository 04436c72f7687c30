package dev.provtrace.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.io.JsonlReader;
import dev.provtrace.io.JsonlRecord;
import dev.provtrace.provenance.Aligner;
import dev.provtrace.provenance.Alignment;
import dev.provtrace.provenance.AnswerChecker;
import dev.provtrace.provenance.Correctness;
import dev.provtrace.provenance.Segmenter;
import dev.provtrace.provenance.Sentence;
import dev.provtrace.provenance.SentenceScore;
import dev.provtrace.provenance.SentenceSpan;
import dev.provtrace.provenance.ScoredTokens;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code provtrace trace}: segment every response, score it under the teacher, the student and the distilled
 * model (one after another, each through its own chat template and tokenizer, cached on disk), align tokens to
 * sentences, label, and write sentences.jsonl, trajectories.jsonl, summary.json and report.html.
 * A bad record (invalid JSON or fields, too long for a model) is reported with its line and id and left out;
 * the others go on. The input is streamed (read once to validate, once per model to score, twice to label and
 * write), so only a chunk of records and the small per-label tallies are in memory at a time.
 */
public final class TraceJob {
    /** The three model folders, in the order they are scored. */
    public record Models(Path teacher, Path student, Path distilled) {
        List<Path> all() { return List.of(teacher, student, distilled); }
    }

    public record Options(PromptBuilder.Format format, Path template, double alpha, BetaChoice beta,
                          EngineOptions engine) {}

    /** Receives per-model progress: role, records done, records to do. */
    public interface Progress {
        void update(String role, long done, long total);
    }

    public record Result(int traced, int failed, ObjectNode summary) {}

    private static final String[] ROLES = {"teacher", "student", "distilled"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Models models;
    private final Options options;
    private final PrintStream errors;
    private final Segmenter segmenter = new Segmenter();

    public TraceJob(Models models, Options options, PrintStream errors) {
        this.models = models;
        this.options = options;
        this.errors = errors;
    }

    /** Records scored per model call: what is held in memory at a time while scoring. */
    static final int CHUNK = 1024;

    public Result run(Path input, Path outDir, Progress progress) throws IOException {
        BitSet good = new BitSet();
        int invalid = validate(input, good);
        long valid = good.cardinality();

        Map<String, String> failures = new LinkedHashMap<>();          // record id -> reason
        ScoreCache[] caches = new ScoreCache[3];
        ObjectNode run = JSON.createObjectNode();
        run.put("input", input.toString());
        run.put("prompt_format", options.format().name().toLowerCase());
        if (options.template() != null) run.put("template", options.template().toString());
        ArrayNode modelInfo = run.putArray("models");
        try {
            for (int m = 0; m < 3; m++) {
                Path dir = models.all().get(m);
                PromptBuilder prompts = PromptBuilder.create(dir, options.format(), options.template());
                String fp = ModelFingerprint.of(dir, prompts.fingerprint());
                caches[m] = ScoreCache.open(ScoreCache.fileFor(outDir.resolve("cache"), ROLES[m], fp), fp,
                        w -> errors.println("warning: " + w));
                modelInfo.addObject().put("role", ROLES[m]).put("folder", dir.toString()).put("fingerprint", fp)
                        .put("cache", caches[m].file().toString());
                scoreModel(m, new ModelScorer(ROLES[m], dir, prompts, options.engine()), caches[m], input, good,
                        valid - failures.size(), failures, progress);
            }
            ArrayNode failedNode = run.putArray("failed_records");
            failures.forEach((id, why) -> failedNode.addObject().put("id", id).put("reason", why));
            run.put("invalid_lines", invalid);
            long[] traced = {0};
            ObjectNode summary = TraceOutputs.write(sink -> {
                traced[0] = 0;
                forEachGood(input, good, r -> {
                    if (failures.containsKey(r.id())) return;
                    sink.accept(trace(r, caches));
                    traced[0]++;
                });
            }, outDir, options.alpha(), options.beta(), run);
            return new Result((int) traced[0], invalid + failures.size(), summary);
        } finally {
            for (ScoreCache c : caches) if (c != null) c.close();
        }
    }

    /** Scores one model over every good record not failed so far, a chunk at a time, the engine loaded once. */
    private void scoreModel(int m, ModelScorer scorer, ScoreCache cache, Path input, BitSet good, long total,
                            Map<String, String> failures, Progress progress) throws IOException {
        String role = ROLES[m];
        long[] done = {0};
        if (progress != null) progress.update(role, 0, total);
        List<TraceRecord> chunk = new ArrayList<>(CHUNK);
        try (ModelScorer.Session session = scorer.open()) {
            RecordSink flush = ignored -> {
                for (ModelScorer.Failure f : session.scoreMissing(chunk, cache, n -> {
                    done[0] += n;
                    if (progress != null) progress.update(role, done[0], total);
                })) {
                    errors.println("error: " + input + ":" + f.record().line() + " (id \"" + f.record().id() + "\"): " + f.reason());
                    failures.put(f.record().id(), f.reason());
                }
                chunk.clear();
            };
            Map<String, String> before = Map.copyOf(failures);
            forEachGood(input, good, r -> {
                if (before.containsKey(r.id())) return;
                chunk.add(r);
                if (chunk.size() >= CHUNK) flush.accept(null);
            });
            if (!chunk.isEmpty()) flush.accept(null);
        }
    }

    private interface RecordSink {
        void accept(TraceRecord r) throws IOException;
    }

    /** Streams the input's valid records (the lines marked in {@code good}) to {@code sink}. */
    private static void forEachGood(Path input, BitSet good, RecordSink sink) throws IOException {
        try (JsonlReader reader = JsonlReader.open(input)) {
            for (JsonlRecord rec; (rec = reader.next()) != null; ) {
                if (!good.get((int) rec.lineNumber())) continue;
                try {
                    sink.accept(TraceRecord.parse(rec.lineNumber(), rec.value()));
                } catch (TraceRecord.Invalid e) {
                    throw new IOException(input + ":" + rec.lineNumber() + " changed while it was being traced");
                }
            }
        }
    }

    /** Checks every line; marks the valid ones in {@code good}, reports the others; returns their number. */
    private int validate(Path input, BitSet good) throws IOException {
        int bad = 0;
        Set<String> ids = new HashSet<>();
        try (JsonlReader reader = JsonlReader.open(input)) {
            for (JsonlRecord rec; (rec = reader.next()) != null; ) {
                if (rec.isMalformed()) {
                    errors.println("error: " + rec.error().orElseThrow().getMessage());
                    bad++;
                    continue;
                }
                try {
                    TraceRecord r = TraceRecord.parse(rec.lineNumber(), rec.value());
                    if (!ids.add(r.id())) throw new TraceRecord.Invalid("id \"" + r.id() + "\" appears twice in the input");
                    good.set(Math.toIntExact(rec.lineNumber()));
                } catch (TraceRecord.Invalid e) {
                    String id = rec.value().isObject() && rec.value().hasNonNull("id") ? " (id " + rec.value().get("id") + ")" : "";
                    errors.println("error: " + input + ":" + rec.lineNumber() + id + ": " + e.getMessage());
                    bad++;
                }
            }
        }
        return bad;
    }

    /** Segments one response and aligns each model's cached tokens to its sentences. */
    private TracedResponse trace(TraceRecord r, ScoreCache[] caches) throws IOException {
        List<Sentence> sentences = segmenter.segment(r.response());
        List<SentenceSpan> spans = sentences.stream().map(s -> new SentenceSpan(s.start(), s.end())).toList();
        String key = ModelFingerprint.recordKey(r.question(), r.response());
        Alignment[] a = new Alignment[3];
        for (int m = 0; m < 3; m++) {
            ScoredText st = caches[m].get(key);
            // the aligner looks at the response's characters; the prompt's only decide that its tokens are the prompt's
            String context = " ".repeat(st.responseStart()) + r.response();
            a[m] = Aligner.align(context, st.responseStart(), spans, ScoredTokens.of(st.starts(), st.ends(), st.logprobs()));
        }
        List<TracedSentence> out = new ArrayList<>(sentences.size());
        for (int i = 0; i < sentences.size(); i++) {
            Sentence s = sentences.get(i);
            SentenceScore t = a[0].sentences().get(i), st = a[1].sentences().get(i), d = a[2].sentences().get(i);
            out.add(new TracedSentence(i, s.start(), s.end(), s.text(), t.probability(), st.probability(), d.probability(),
                    t.tokenCount(), st.tokenCount(), d.tokenCount()));
        }
        Correctness c = r.correct() != null ? (r.correct() ? Correctness.CORRECT : Correctness.INCORRECT)
                : r.answer() != null ? AnswerChecker.check(r.response(), r.answer()) : Correctness.UNKNOWN;
        return new TracedResponse(r.id(), r.group(), c, r.response(), out);
    }
}
