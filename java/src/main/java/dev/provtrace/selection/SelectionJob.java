package dev.provtrace.selection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.io.AtomicOutput;
import dev.provtrace.io.JsonlReader;
import dev.provtrace.io.FileFormat;
import dev.provtrace.io.JsonlWriter;
import dev.provtrace.io.parquet.JsonlToParquet;
import dev.provtrace.io.parquet.ParquetStaging;
import dev.provtrace.io.RejectedFile;
import dev.provtrace.io.ValidatedJsonl;
import dev.provtrace.provenance.AdaptiveBeta;
import dev.provtrace.provenance.Classifier;
import dev.provtrace.report.SelectionReport;
import dev.provtrace.trace.BetaChoice;
import dev.provtrace.trace.ModelFingerprint;
import dev.provtrace.trace.ModelPreflight;
import dev.provtrace.trace.PromptSetup;
import dev.provtrace.trace.ModelScorer;
import dev.provtrace.trace.PromptBuilder;
import dev.provtrace.trace.RescoringLookup;
import dev.provtrace.trace.ScoreCache;
import dev.provtrace.trace.TraceJob;
import dev.provtrace.trace.TraceRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code provtrace select}: teacher-guided data selection over a candidates file of any size, in passes that each
 * stream the input and keep no text in memory.
 * <ol>
 *   <li>validate: every line parsed once; bad ones reported and skipped; one bit per good line kept;</li>
 *   <li>score: the teacher, then the student (then the student under the GRAPE prompt, when a strategy needs it)
 *       over the input in chunks, each model loaded once and everything it scores appended to its score cache —
 *       a rerun after an interruption scores only what the caches lack;</li>
 *   <li>measure: each candidate's sentences and their p_T, p_S from the caches (segmenter and aligner of
 *       {@code trace}), its GRAPE score; with {@code --beta auto} the Δ_TS go into a histogram and the
 *       probabilities to a temporary file until β is known;</li>
 *   <li>label and select: two-model labels, the statistics of every candidate (to candidates.jsonl), and for each
 *       strategy the best K per question ({@link QuestionTopK}: statistics only);</li>
 *   <li>write: the input streamed once more, the primary strategy's picks written to the output; then
 *       selection.json and report.html.</li>
 * </ol>
 * Memory: one chunk of candidates with their texts, the caches' key indexes, the set of ids during validation,
 * and per strategy K small records per question.
 */
public final class SelectionJob {
    public static final String CANDIDATES_PARQUET = "candidates.parquet";
    public static final String CANDIDATES = "candidates.jsonl", SELECTION = "selection.json", REPORT = "report.html",
            CACHE_DIR = "cache";
    /** Candidates scored per chunk: enough to fill batches, few enough that their texts are small. */
    public static final int DEFAULT_CHUNK = 2048;

    public record Options(Path teacher, Path student, PromptBuilder.Format format, Path template, BetaChoice beta,
                          int perQuestion, long seed, Strategy primary, List<Strategy> strategies,
                          PromptBuilder.Format grapePrompt, OutputFormat outputFormat, EngineOptions engine, int chunkSize,
                          PromptSetup teacherSetup, PromptSetup studentSetup) {
        public Options(Path teacher, Path student, PromptBuilder.Format format, Path template, BetaChoice beta, int perQuestion,
                       long seed, Strategy primary, List<Strategy> strategies, PromptBuilder.Format grapePrompt,
                       OutputFormat outputFormat, EngineOptions engine, int chunkSize) {
            this(teacher, student, format, template, beta, perQuestion, seed, primary, strategies, grapePrompt, outputFormat, engine,
                    chunkSize, PromptSetup.NONE, PromptSetup.NONE);
        }

        public Options {
            if (!strategies.contains(primary)) throw new IllegalArgumentException("the primary strategy must be compared too");
            if (grapePrompt != PromptBuilder.Format.GRAPE && grapePrompt != PromptBuilder.Format.CHAT) {
                throw new IllegalArgumentException("--grape-prompt must be grape or chat");
            }
            if (chunkSize < 1) throw new IllegalArgumentException("chunk size must be >= 1");
            strategies = List.copyOf(strategies);
            if (teacherSetup == null) teacherSetup = PromptSetup.NONE;
            if (studentSetup == null) studentSetup = PromptSetup.NONE;
        }

        boolean grapeNeeded() { return strategies.stream().anyMatch(Strategy::needsGrape); }
    }

    /**
     * @param candidates good candidates that were labelled
     * @param skipped    lines reported and left out
     * @param selection  selection.json's content
 * @param read       non-blank input lines: {@code read == candidates + skipped}
     */
    public record Result(int candidates, long selected, int skipped, double beta, ObjectNode selection, long read) {
        public Result(int candidates, long selected, int skipped, double beta, ObjectNode selection) {
            this(candidates, selected, skipped, beta, selection, candidates + skipped);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options options;
    private final PrintStream errors;

    private long maxLineBytes = JsonlReader.DEFAULT_MAX_LINE_BYTES;

    /** Input lines longer than this are rejected (streamed past, never held); default 64 MiB. */
    public SelectionJob maxLineBytes(long bytes) {
        this.maxLineBytes = bytes;
        return this;
    }

    public SelectionJob(Options options, PrintStream errors) {
        this.options = options;
        this.errors = errors;
    }

    /**
     * @param outDir   where candidates.jsonl, selection.json and report.html go (null: none of them)
     * @param cacheDir the score caches (made if missing)
     */
    public Result run(Path input, Path output, Path outDir, Path cacheDir, TraceJob.Progress progress) throws IOException {
        // both folders checked (and weights scanned) before the teacher is scored
        EngineOptions scoring = new ModelPreflight(options.template(), options.engine(), errors::println)
                .add("teacher", options.teacher(), options.teacherSetup(), options.format())
                .add("student", options.student(), options.studentSetup(), options.grapeNeeded()
                        ? new PromptBuilder.Format[] {options.format(), options.grapePrompt()}
                        : new PromptBuilder.Format[] {options.format()}).check();
        ValidatedJsonl<Candidate> in = ValidatedJsonl.validate(input, Candidate::parse, Candidate::id, errors, maxLineBytes);
        ObjectNode run = JSON.createObjectNode();
        run.put("input", input.toString());
        run.put("output", output.toString());
        run.put("prompt_format", options.format().name().toLowerCase());
        if (options.template() != null) run.put("template", options.template().toString());
        ArrayNode models = run.putArray("models");
        List<ScoreCache> opened = new ArrayList<>();
        RescoringLookup lookup = new RescoringLookup();
        try {
            PromptBuilder teacherPrompts = PromptBuilder.create(options.teacher(), options.format(), options.template())
                    .withSetup(options.teacherSetup());
            PromptBuilder studentPrompts = PromptBuilder.create(options.student(), options.format(), options.template())
                    .withSetup(options.studentSetup());
            String studentFp = ModelFingerprint.of(options.student(), studentPrompts.fingerprint(), options.engine().device(), options.engine().precision(), options.engine().batchInvariant());
            ScoreCache teacher = open(cacheDir, "teacher", options.teacher(),
                    ModelFingerprint.of(options.teacher(), teacherPrompts.fingerprint(), options.engine().device(), options.engine().precision(), options.engine().batchInvariant()), models, opened);
            ScoreCache student = open(cacheDir, "student", options.student(), studentFp, models, opened);
            score(in, "teacher", options.teacher(), teacherPrompts, teacher, progress, scoring, lookup);
            score(in, "student", options.student(), studentPrompts, student, progress, scoring, lookup);
            ScoreCache grape = null;
            if (options.grapeNeeded()) {
                run.put("grape_prompt", options.grapePrompt().name().toLowerCase());
                PromptBuilder grapePrompts = PromptBuilder.create(options.student(), options.grapePrompt(), options.template());
                String grapeFp = ModelFingerprint.of(options.student(), grapePrompts.fingerprint(), options.engine().device(), options.engine().precision(), options.engine().batchInvariant());
                if (grapeFp.equals(studentFp)) {
                    grape = student;                 // --grape-prompt chat: the student's own scores already are GRAPE's
                } else {
                    grape = open(cacheDir, "student-grape", options.student(), grapeFp, models, opened);
                    score(in, "student (GRAPE prompt)", options.student(), grapePrompts, grape, progress, scoring, lookup);
                }
            }
            return labelAndSelect(in, new SentenceProbabilities(teacher, student, grape, lookup), output, outDir, cacheDir, run);
        } finally {
            lookup.close();
            for (ScoreCache c : opened) c.close();
        }
    }

    private ScoreCache open(Path cacheDir, String role, Path dir, String fp, ArrayNode models, List<ScoreCache> opened)
            throws IOException {
        ScoreCache cache = ScoreCache.open(ScoreCache.fileFor(cacheDir, role, fp), fp, w -> errors.println("warning: " + w));
        opened.add(cache);
        ObjectNode info = models.addObject().put("role", role).put("folder", dir.toString()).put("fingerprint", fp)
                .put("cache", cache.file().toString());
        PromptSetup setup = role.equals("teacher") ? options.teacherSetup() : role.equals("student") ? options.studentSetup() : PromptSetup.NONE;
        if (!setup.isEmpty()) info.setAll(setup.json());   // system, chat_kwargs
        return cache;
    }

    /** Scores one model over every good candidate its cache lacks, chunk by chunk, with the model loaded once. */
    private void score(ValidatedJsonl<Candidate> in, String role, Path dir, PromptBuilder prompts, ScoreCache cache,
                       TraceJob.Progress progress, EngineOptions engine, RescoringLookup lookup) throws IOException {
        long total = in.count();
        long[] done = {0};
        if (progress != null) progress.update(role, 0, total);
        ModelScorer scorer = new ModelScorer(role, dir, prompts, engine);
        lookup.register(cache, scorer);
        try (ModelScorer.Session session = scorer.open()) {
            in.forEachChunk(options.chunkSize(), chunk -> {
                List<TraceRecord> records = chunk.stream().map(Candidate::toTraceRecord).toList();
                for (ModelScorer.Failure f : session.scoreMissing(records, cache, n -> {
                    done[0] += n;
                    if (progress != null) progress.update(role, done[0], total);
                })) {
                    in.reject(f.record().line(), f.record().idValue(), f.reason());
                }
            });
        }
    }

    private Result labelAndSelect(ValidatedJsonl<Candidate> in, SentenceProbabilities probabilities, Path output, Path outDir,
                                  Path cacheDir, ObjectNode run) throws IOException {
        List<QuestionTopK> selections = new ArrayList<>();
        for (Strategy s : options.strategies()) selections.add(new QuestionTopK(s, options.perQuestion(), options.seed()));
        GroupStats all = new GroupStats();
        boolean withGrape = options.grapeNeeded();
        AdaptiveBeta.Histogram deltas = new AdaptiveBeta.Histogram();
        AdaptiveBeta.Result criterion;
        double beta;
        JsonlWriter candidatesOut = outDir == null ? null : JsonlWriter.open(outDir.resolve(CANDIDATES));
        Labeller labeller = new Labeller(selections, all, candidatesOut, withGrape);
        try (ScoresSpill spill = options.beta().auto() ? new ScoresSpill(outDir != null ? outDir : cacheDir) : null) {
            // with a fixed β each candidate is labelled as soon as it is measured; with auto it waits in the spill
            Classifier fixed = spill == null ? new Classifier(Classifier.DEFAULT_ALPHA, options.beta().value()) : null;
            in.forEachChunk(options.chunkSize(), chunk -> {
                for (Candidate c : chunk) {
                    CandidateScores s = probabilities.of(c);
                    if (s.sentences() == 0) {
                        in.reject(c.line(), c.idValue(), "the response has no sentences (only whitespace and reasoning tags)");
                        continue;
                    }
                    for (int k = 0; k < s.sentences(); k++) deltas.add(s.pTeacher()[k] - s.pStudent()[k]);
                    if (spill != null) spill.write(s);
                    else labeller.accept(s, fixed);
                }
            });
            criterion = deltas.values() > 0 ? AdaptiveBeta.choose(deltas) : null;
            beta = options.beta().value();
            if (spill != null) {
                if (criterion == null || !criterion.separated()) {
                    throw new IllegalStateException("--beta auto: the Δ_TS of the " + deltas.values() + " scored sentences do not "
                            + "separate into a central part and tails (all in one histogram bin); give --beta a value");
                }
                beta = criterion.beta();
                Classifier chosen = new Classifier(Classifier.DEFAULT_ALPHA, beta);
                spill.readAll(s -> labeller.accept(s, chosen));
            }
            if (candidatesOut != null) candidatesOut.close();
        } catch (IOException | RuntimeException e) {
            if (candidatesOut != null) candidatesOut.abort();
            throw e;
        }

        QuestionTopK primary = selections.get(options.strategies().indexOf(options.primary()));
        in.checkUnchanged();
        // a .parquet output: the selected lines staged as JSON lines, then converted (candidates.parquet beside them)
        boolean parquet = FileFormat.of(output, "--output", null) == FileFormat.PARQUET;
        Path writeTo = parquet ? ParquetStaging.stagingFor(output) : output;
        long written = SelectedWriter.write(in.file(), primary.selected(), options.outputFormat(), withGrape, writeTo,
                maxLineBytes);
        if (parquet) {
            ParquetStaging.finish(writeTo, output);
            if (outDir != null) JsonlToParquet.convert(outDir.resolve(CANDIDATES), outDir.resolve(CANDIDATES_PARQUET));
        }

        ObjectNode selection = SelectionComparison.build(selections, all, withGrape);
        putRun(run, in, beta, criterion, all);
        selection.set("run", run);
        if (outDir != null) {
            Files.createDirectories(outDir);
            AtomicOutput.write(outDir.resolve(SELECTION), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(selection));
            SelectionReport.write(selection, outDir.resolve(REPORT));
        }
        in.writeRejected(outDir != null ? RejectedFile.inFolder(outDir) : RejectedFile.besideOutput(output));
        return new Result((int) all.candidates(), written, in.skipped().size(), beta, selection, in.read());
    }

    private void putRun(ObjectNode run, ValidatedJsonl<Candidate> in, double beta, AdaptiveBeta.Result criterion, GroupStats all) {
        run.put("beta", beta);
        run.put("beta_mode", options.beta().auto() ? "auto" : "fixed");
        if (criterion != null) {
            ObjectNode c = run.putObject("beta_criterion");
            c.put("method", "Otsu on the |Δ_TS| histogram (bin width " + criterion.binWidth() + ")");
            c.put("separated", criterion.separated());
            if (criterion.separated()) c.put("chosen_beta", criterion.beta());
            c.put("separability", criterion.separability());
        }
        run.put("per_question", options.perQuestion());
        run.put("seed", options.seed());
        run.put("strategy", options.primary().cliName());
        run.put("output_format", options.outputFormat().name().toLowerCase());
        run.put("candidates", all.candidates());
        ArrayNode skipped = run.putArray("skipped");
        for (ValidatedJsonl.Skipped s : in.skipped()) {
            ObjectNode o = skipped.addObject().put("line", s.line());
            if (s.idValue() == null) o.putNull("id");
            else o.set("id", s.idValue());
            o.put("reason", s.reason());
        }
    }

    /** Labels a candidate, records its statistics and offers it to every strategy. */
    private static final class Labeller {
        private final List<QuestionTopK> selections;
        private final GroupStats all;
        private final JsonlWriter out;
        private final boolean withGrape;

        Labeller(List<QuestionTopK> selections, GroupStats all, JsonlWriter out, boolean withGrape) {
            this.selections = selections;
            this.all = all;
            this.out = out;
            this.withGrape = withGrape;
        }

        void accept(CandidateScores s, Classifier classifier) throws IOException {
            CandidateStats stats = CandidateStats.label(s, classifier);
            all.add(stats);
            for (QuestionTopK q : selections) q.offer(stats);
            if (out != null) {
                ObjectNode o = JSON.createObjectNode();
                o.set("id", stats.idValue());
                o.set("question_id", stats.questionIdValue());
                o.put("line", stats.line());
                stats.putInto(o, withGrape);
                out.write(o);
            }
        }
    }
}
