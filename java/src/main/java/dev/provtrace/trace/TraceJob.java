package dev.provtrace.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.io.JsonlReader;
import dev.provtrace.io.RecordIds;
import dev.provtrace.io.RejectedFile;
import dev.provtrace.io.ValidatedJsonl;
import dev.provtrace.provenance.Aligner;
import dev.provtrace.provenance.Alignment;
import dev.provtrace.provenance.AnswerChecker;
import dev.provtrace.provenance.AnswerFormat;
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
import java.util.List;
import java.util.Map;

/**
 * {@code provtrace trace}: segment every response, score it under the teacher, the student and the distilled
 * model (one after another, each through its own chat template and tokenizer, cached on disk), align tokens to
 * sentences, label, and write sentences.jsonl, trajectories.jsonl, summary.json and report.html.
 * A bad record (invalid JSON or fields, too long for a model) is reported with its line and id and left out;
 * the others go on. The input is streamed ({@link ValidatedJsonl}: read once to validate, once per model to score,
 * twice to label and write), so only a chunk of records and the small per-label tallies are in memory at a time.
 */
public final class TraceJob {
    /**
     * The model folders, in the order they are scored: the teachers (one, or several: each sentence is then
     * attributed to the one it most likely came from), the original student, the distilled student.
     */
    public record Models(List<Path> teachers, Path student, Path distilled) {
        public Models {
            teachers = List.copyOf(teachers);
            if (teachers.isEmpty()) throw new IllegalArgumentException("--teacher is required");
        }

        public Models(Path teacher, Path student, Path distilled) { this(List.of(teacher), student, distilled); }

        public Path teacher() { return teachers.get(0); }

        List<Path> all() {
            List<Path> all = new ArrayList<>(teachers);
            all.add(student);
            all.add(distilled);
            return all;
        }

        /** Role names as the caches and outputs know them: teacher, teacher2, ..., student, distilled. */
        List<String> roles() {
            List<String> r = new ArrayList<>();
            for (int i = 0; i < teachers.size(); i++) r.add(teacherRole(i));
            r.add("student");
            r.add("distilled");
            return r;
        }
    }

    /** The role of teacher i (0-based): "teacher", then "teacher2", "teacher3", ... (the first keeps one teacher's caches). */
    public static String teacherRole(int i) { return i == 0 ? "teacher" : "teacher" + (i + 1); }

    public record Options(PromptBuilder.Format format, Path template, double alpha, BetaChoice beta,
                          EngineOptions engine, AnswerFormat answerFormat, Map<String, PromptSetup> setups) {
        public Options(PromptBuilder.Format format, Path template, double alpha, BetaChoice beta, EngineOptions engine) {
            this(format, template, alpha, beta, engine, AnswerFormat.AUTO, Map.of());
        }

        public Options(PromptBuilder.Format format, Path template, double alpha, BetaChoice beta, EngineOptions engine,
                       AnswerFormat answerFormat) {
            this(format, template, alpha, beta, engine, answerFormat, Map.of());
        }

        /** The system prompt and template kwargs of a role (none unless given); every teacher takes the teacher's. */
        public PromptSetup setup(String role) { return setups.getOrDefault(setupRole(role), PromptSetup.NONE); }
    }

    /** Receives per-model progress: role, records done, records to do. */
    public interface Progress {
        void update(String role, long done, long total);
    }

    /** @param read non-blank input lines: {@code read == traced + failed} */
    public record Result(int traced, int failed, ObjectNode summary, long read) {
        public Result(int traced, int failed, ObjectNode summary) { this(traced, failed, summary, traced + failed); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Models models;
    private final Options options;
    private final PrintStream errors;
    private final Segmenter segmenter = new Segmenter();

    private long maxLineBytes = JsonlReader.DEFAULT_MAX_LINE_BYTES;

    /** Input lines longer than this are rejected (streamed past, never held); default 64 MiB. */
    public TraceJob maxLineBytes(long bytes) {
        this.maxLineBytes = bytes;
        return this;
    }

    private TraceOutputs.FigureOptions figures =
            new TraceOutputs.FigureOptions(dev.provtrace.provenance.PositionCurves.DEFAULT_BINS, ExamplePicker.none(), false);

    /** What the figures show: position bins (summary, report, figures), the responses that get a figure of their own. */
    public TraceJob figures(TraceOutputs.FigureOptions f) {
        this.figures = f;
        return this;
    }

    public TraceJob(Models models, Options options, PrintStream errors) {
        this.models = models;
        this.options = options;
        this.errors = errors;
    }

    /** Records scored per model call: what is held in memory at a time while scoring. */
    static final int CHUNK = 1024;

    public Result run(Path input, Path outDir, Progress progress) throws IOException {
        return run(input, outDir, outDir.resolve("cache"), progress);
    }

    /** As {@link #run(Path, Path, Progress)}, with the score caches in {@code cacheDir}. */
    public Result run(Path input, Path outDir, Path cacheDir, Progress progress) throws IOException {
        // every folder checked (and weights scanned) before the first model is scored
        List<String> roles = models.roles();
        List<Path> dirs = models.all();
        ModelPreflight preflight = new ModelPreflight(options.template(), options.engine(), errors::println);
        for (int m = 0; m < dirs.size(); m++) preflight.add(roles.get(m), dirs.get(m), options.setup(roles.get(m)), options.format());
        EngineOptions scoring = preflight.check();
        ValidatedJsonl<TraceRecord> in = ValidatedJsonl.validate(input, TraceRecord::parse, TraceRecord::id, errors, maxLineBytes);
        int invalid = in.skipped().size();

        ScoreCache[] caches = new ScoreCache[dirs.size()];
        ObjectNode run = JSON.createObjectNode();
        run.put("input", input.toString());
        run.put("prompt_format", options.format().name().toLowerCase());
        run.put("answer_format", options.answerFormat().cliName());
        if (options.template() != null) run.put("template", options.template().toString());
        ArrayNode modelInfo = run.putArray("models");
        RescoringLookup lookup = new RescoringLookup();
        try {
            for (int m = 0; m < dirs.size(); m++) {
                Path dir = dirs.get(m);
                String role = roles.get(m);
                PromptBuilder prompts = PromptBuilder.create(dir, options.format(), options.template()).withSetup(options.setup(role));
                String fp = ModelFingerprint.of(dir, prompts.fingerprint(), options.engine().device(), options.engine().precision(), options.engine().batchInvariant());
                caches[m] = ScoreCache.open(ScoreCache.fileFor(cacheDir, role, fp), fp,
                        w -> errors.println("warning: " + w));
                ObjectNode info = modelInfo.addObject().put("role", role).put("folder", dir.toString()).put("fingerprint", fp)
                        .put("cache", caches[m].file().toString());
                if (!options.setup(role).isEmpty()) info.setAll(options.setup(role).json());   // system, chat_kwargs
                ModelScorer scorer = new ModelScorer(role, dir, prompts, scoring);
                lookup.register(caches[m], scorer);
                scoreModel(role, scorer, caches[m], in, progress);
            }
            ArrayNode failedNode = run.putArray("failed_records");
            for (ValidatedJsonl.Skipped f : in.skipped().subList(invalid, in.skipped().size())) {
                ObjectNode o = failedNode.addObject();
                o.set("id", f.idValue() == null ? JSON.nullNode() : f.idValue());
                o.put("line", f.line()).put("reason", f.reason());
            }
            run.put("invalid_lines", invalid);
            ObjectNode summary = TraceOutputs.write(sink -> in.forEachChunk(CHUNK, chunk -> {
                for (TraceRecord r : chunk) sink.accept(trace(r, caches, in, lookup));
            }), outDir, options.alpha(), options.beta(), run, figures);
            in.writeRejected(RejectedFile.inFolder(outDir));
            return new Result(in.count(), in.skipped().size(), summary, in.read());
        } finally {
            lookup.close();
            for (ScoreCache c : caches) if (c != null) c.close();
        }
    }

    /** Scores one model over every record not rejected so far, a chunk at a time, the engine loaded once. */
    private void scoreModel(String role, ModelScorer scorer, ScoreCache cache, ValidatedJsonl<TraceRecord> in,
                            Progress progress) throws IOException {
        long total = in.count();
        long[] done = {0};
        if (progress != null) progress.update(role, 0, total);
        try (ModelScorer.Session session = scorer.open()) {
            in.forEachChunk(CHUNK, chunk -> {
                for (ModelScorer.Failure f : session.scoreMissing(chunk, cache, n -> {
                    done[0] += n;
                    if (progress != null) progress.update(role, done[0], total);
                })) {
                    in.reject(f.record().line(), f.record().idValue(), f.reason());
                }
            });
        }
    }

    /** The role whose prompt setup a role takes: every teacher the teacher's (--teacher-system, --teacher-chat-kwargs). */
    public static String setupRole(String role) { return role.startsWith("teacher") ? "teacher" : role; }

    /** Segments one response and aligns each model's cached tokens to its sentences. */
    private TracedResponse trace(TraceRecord r, ScoreCache[] caches, ValidatedJsonl<TraceRecord> in, RescoringLookup lookup)
            throws IOException {
        List<Sentence> sentences = segmenter.segment(r.response());
        List<SentenceSpan> spans = sentences.stream().map(s -> new SentenceSpan(s.start(), s.end())).toList();
        List<String> roles = models.roles();
        int k = models.teachers().size();
        Alignment[] a = new Alignment[caches.length];
        for (int m = 0; m < caches.length; m++) {
            ScoredText st = lookup.get(caches[m], r);        // checked (CRC, key); scored again if its entry fails
            if (st == null) {   // scored in an earlier pass, so the line is not what it was then
                throw new IOException(RecordIds.where(in.file(), r.line(), r.idValue()) + ": the input file changed during the run"
                        + " (this record was not scored by the " + roles.get(m) + "); rerun on a file that stays as it is");
            }
            // the aligner looks at the response's characters; the prompt's only decide that its tokens are the prompt's
            String context = " ".repeat(st.responseStart()) + r.response();
            a[m] = Aligner.align(context, st.responseStart(), spans, ScoredTokens.of(st.starts(), st.ends(), st.logprobs()));
        }
        List<TracedSentence> out = new ArrayList<>(sentences.size());
        for (int i = 0; i < sentences.size(); i++) {
            Sentence s = sentences.get(i);
            SentenceScore st = a[k].sentences().get(i), d = a[k + 1].sentences().get(i);
            if (k == 1) {
                SentenceScore t = a[0].sentences().get(i);
                out.add(new TracedSentence(i, s.start(), s.end(), s.text(), t.probability(), st.probability(), d.probability(),
                        t.tokenCount(), st.tokenCount(), d.tokenCount()));
                continue;
            }
            double[] pT = new double[k];
            for (int j = 0; j < k; j++) pT[j] = a[j].sentences().get(i).probability();
            int best = TracedSentence.closestTeacher(pT, st.probability());
            SentenceScore t = a[Math.max(best, 0)].sentences().get(i);
            out.add(new TracedSentence(i, s.start(), s.end(), s.text(), best < 0 ? Double.NaN : t.probability(), st.probability(),
                    d.probability(), t.tokenCount(), st.tokenCount(), d.tokenCount(), pT, best));
        }
        Correctness c = r.correct() != null ? (r.correct() ? Correctness.CORRECT : Correctness.INCORRECT)
                : r.answer() != null ? AnswerChecker.check(r.response(), r.answer(), options.answerFormat()) : Correctness.UNKNOWN;
        return new TracedResponse(r.id(), r.group(), c, r.response(), out, r.idValue());
    }
}
