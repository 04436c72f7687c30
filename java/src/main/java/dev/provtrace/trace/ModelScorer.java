package dev.provtrace.trace;

import dev.provtrace.engine.Engine;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.engine.FiniteScores;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.engine.TokenScores;
import dev.provtrace.tokenizer.Encoding;
import dev.provtrace.tokenizer.HfTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Scores one model over the records its cache lacks: one teacher-forced forward pass per record (never one per
 * sentence), packed into batches, each result written to the cache as soon as its batch is done. The model is
 * loaded only when something is missing and released afterwards, so the models of a trace are never in memory
 * together. A {@link Session} keeps it loaded across many calls, for inputs scored chunk by chunk.
 */
public final class ModelScorer {
    private final String role;
    private final Path modelDir;
    private final PromptBuilder prompts;
    private final EngineOptions options;

    public ModelScorer(String role, Path modelDir, PromptBuilder prompts, EngineOptions options) {
        this.role = role;
        this.modelDir = modelDir;
        this.prompts = prompts;
        this.options = options;
    }

    /** A record this model could not score, and why (the others go on). */
    public record Failure(TraceRecord record, String reason) {}

    /**
     * Scores the records missing from {@code cache}; returns the failures. {@code progress} gets the number of
     * records finished (scored or failed).
     */
    public List<Failure> scoreMissing(List<TraceRecord> records, ScoreCache cache, LongConsumer progress) throws IOException {
        try (Session session = open()) {
            return session.scoreMissing(records, cache, progress);
        }
    }

    /** A session whose engine, once loaded for the first missing record, stays loaded until it is closed. */
    public Session open() { return new Session(); }

    public final class Session implements AutoCloseable {
        private Engine engine;
        private HfTokenizer tokenizer;

        private Session() {}

        /** As {@link ModelScorer#scoreMissing}, without reloading the model between calls. */
        public List<Failure> scoreMissing(List<TraceRecord> records, ScoreCache cache, LongConsumer progress) throws IOException {
            List<Failure> failures = new ArrayList<>();
            List<TraceRecord> todo = new ArrayList<>();
            for (TraceRecord r : records) {
                if (cache.contains(ModelFingerprint.recordKey(r.promptKey(), r.response()))) continue;
                todo.add(r);
            }
            if (progress != null && todo.size() < records.size()) progress.accept(records.size() - todo.size());
            if (todo.isEmpty()) return failures;
            load();
            Map<String, Pending> group = new LinkedHashMap<>();
            long groupTokens = 0;
            for (TraceRecord r : todo) {
                PromptContext ctx;
                try {
                    ctx = prompts.build(r.question(), r.messages(), r.response());
                } catch (IllegalArgumentException | PromptTemplateException e) {   // this record's messages: its failure
                    failures.add(new Failure(r, role + " model: " + e.getMessage()));
                    if (progress != null) progress.accept(1);
                    continue;
                }
                Encoding enc = tokenizer.encode(ctx.text(), ctx.addSpecialTokens());
                String problem = enc.size() == 0 ? "the context has no tokens" : engine.lengthProblem(enc.size());
                if (problem == null) problem = vocabularyProblem(enc, engine.config().vocabSize());
                if (problem != null) {
                    failures.add(new Failure(r, role + " model: " + problem));
                    if (progress != null) progress.accept(1);
                    continue;
                }
                String key = ModelFingerprint.recordKey(r.promptKey(), r.response());
                if (group.containsKey(key)) {                       // the same question and response twice
                    group.get(key).records().add(r);                // scored once; fails with the first if it fails
                    if (progress != null) progress.accept(1);
                    continue;
                }
                group.put(key, new Pending(new ArrayList<>(List.of(r)), ctx, enc));
                groupTokens += enc.size();
                if (groupTokens >= 4L * engine.batchTokens()) {
                    flush(engine, group, cache, progress, failures);
                    groupTokens = 0;
                }
            }
            flush(engine, group, cache, progress, failures);
            return failures;
        }

        private void load() throws IOException {
            if (engine != null) return;
            if (!Files.isRegularFile(modelDir.resolve("tokenizer.json"))) {
                throw new IOException(modelDir + " (" + role + "): no tokenizer.json; every model needs its own tokenizer");
            }
            engine = Engine.load(modelDir, options);
            try {
                tokenizer = HfTokenizer.load(modelDir);
            } catch (IOException | RuntimeException e) {
                engine.close();
                engine = null;
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                if (tokenizer != null) tokenizer.close();
            } finally {
                if (engine != null) engine.close();
                tokenizer = null;
                engine = null;
            }
        }
    }

    private record Pending(List<TraceRecord> records, PromptContext context, Encoding encoding) {}

    private static String vocabularyProblem(Encoding enc, int vocab) {
        for (int id : enc.ids()) {
            if (id < 0 || id >= vocab) return "the tokenizer produced id " + id + ", outside the model's vocabulary [0, " + vocab + ")";
        }
        return null;
    }

    /**
     * The first token (≥ 1) that can count for the response: the first whose span ends after the response start.
     * The aligner assigns a token to the response by a code point inside its span, so a token ending at or before
     * the response start is always a prompt token, and its log-prob (which only the LM head would add) is never
     * used; those rows skip the LM head and are NaN in the cache. Zero-width (special) tokens before it are
     * ignored by the aligner anyway.
     */
    static int firstResponseToken(Encoding enc, int responseStart) {
        int[] ends = enc.ends();
        for (int t = 1; t < ends.length; t++) if (ends[t] > responseStart) return t;
        return ends.length;
    }

    /** Scores a group; a record whose scores are not all finite is a failure and never reaches the cache. */
    private void flush(Engine engine, Map<String, Pending> group, ScoreCache cache, LongConsumer progress, List<Failure> failures)
            throws IOException {
        if (group.isEmpty()) return;
        List<int[]> seqs = new ArrayList<>(group.size());
        int[] firstScored = new int[group.size()];
        int n = 0;
        for (Pending p : group.values()) {
            seqs.add(p.encoding().ids());
            firstScored[n++] = firstResponseToken(p.encoding(), p.context().responseOffset());
        }
        List<TokenScores> scores = engine.score(seqs, firstScored, ScoreOptions.LOGPROBS_ONLY, null);
        int i = 0;
        for (Map.Entry<String, Pending> e : group.entrySet()) {
            Pending p = e.getValue();
            int from = firstScored[i];
            TokenScores scored = scores.get(i++);
            String nonFinite = FiniteScores.problem(scored, from);
            if (nonFinite != null) {
                for (TraceRecord r : p.records()) failures.add(new Failure(r, role + " model gave " + nonFinite));
                continue;
            }
            Encoding enc = p.encoding();
            int length = p.context().text().codePointCount(0, p.context().text().length());
            cache.put(e.getKey(), new ScoredText(enc.ids(), enc.starts(), enc.ends(), scored.logprobs(),
                    p.context().responseOffset(), length));
        }
        cache.sync();
        if (progress != null) progress.accept(group.size());
        group.clear();
    }
}
