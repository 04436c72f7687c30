package dev.provtrace.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.AtomicOutput;
import dev.provtrace.io.parquet.JsonlToParquet;
import dev.provtrace.io.JsonlReader;
import dev.provtrace.io.JsonlRecord;
import dev.provtrace.io.JsonlWriter;
import dev.provtrace.provenance.AdaptiveBeta;
import dev.provtrace.provenance.Classifier;
import dev.provtrace.provenance.Correctness;
import dev.provtrace.provenance.Label;
import dev.provtrace.provenance.PositionCurves;
import dev.provtrace.report.TraceFigures;
import dev.provtrace.report.TraceReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The files of a trace in {@code --out DIR}: sentences.jsonl (one line per sentence with its probabilities and
 * label), trajectories.jsonl (one line per response: label counts, correctness, the response text), summary.json
 * and report.html. Written and read one response at a time, so traces of any size fit in memory; {@code classify}
 * reads them back and relabels with another α/β without any forward pass.
 */
public final class TraceOutputs {
    public static final String SENTENCES = "sentences.jsonl", TRAJECTORIES = "trajectories.jsonl",
            SUMMARY = "summary.json", REPORT = "report.html", CACHE_DIR = "cache", FIGURES = "figures", EXAMPLES = "examples";
    /** Every file a trace (or classify) writes in its folder. */
    public static final List<String> FILES = List.of(SENTENCES, TRAJECTORIES, SUMMARY, REPORT);
    /** Parquet copies of the two record files, on request ({@link #parquetCopies}). */
    public static final String SENTENCES_PARQUET = "sentences.parquet", TRAJECTORIES_PARQUET = "trajectories.parquet";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TraceOutputs() {}

    /** Visits traced responses in order; called twice (β needs every Δ_TS before the first label). */
    public interface ResponseSource {
        void forEach(ResponseSink sink) throws IOException;
    }

    public interface ResponseSink {
        void accept(TracedResponse r) throws IOException;
    }

    /** Chooses β over all responses, then labels and writes them; returns summary.json's content. */
    public static ObjectNode write(ResponseSource source, Path dir, double alpha, BetaChoice choice, ObjectNode run)
            throws IOException {
        return write(source, dir, alpha, choice, run, PositionCurves.DEFAULT_BINS);
    }

    /** As above, with {@code positionBins} bins in the position curves; the figures go to {@code dir/figures}. */
    public static ObjectNode write(ResponseSource source, Path dir, double alpha, BetaChoice choice, ObjectNode run,
                                   int positionBins) throws IOException {
        return write(source, dir, alpha, choice, run, new FigureOptions(positionBins, ExamplePicker.none(), false));
    }

    /**
     * What the figures show: {@code positionBins} bins in the position curves, and a figure per response that
     * {@code examples} picks ({@code logP}: log p instead of p).
     */
    public record FigureOptions(int positionBins, ExamplePicker examples, boolean logP) {}

    /** As above, with the figures' options; the figures go to {@code dir/figures}. */
    public static ObjectNode write(ResponseSource source, Path dir, double alpha, BetaChoice choice, ObjectNode run,
                                   FigureOptions figures) throws IOException {
        int positionBins = figures.positionBins();
        AdaptiveBeta.Histogram deltas = new AdaptiveBeta.Histogram();
        source.forEach(r -> Labeller.addDeltas(r, deltas));
        Labeller.Choice beta = Labeller.choose(choice, deltas);
        Classifier classifier = new Classifier(alpha, beta.beta());
        TraceStats stats = new TraceStats(alpha, beta.beta(), choice, beta.criterion(), positionBins);
        Files.createDirectories(dir);
        boolean done = false;
        JsonlWriter sw = JsonlWriter.open(dir.resolve(SENTENCES)), tw = JsonlWriter.open(dir.resolve(TRAJECTORIES));
        try {
            source.forEach(r -> {
                List<Label> labels = Labeller.label(r, classifier);
                writeResponse(r, labels, sw, tw);
                stats.add(r, labels);
                figures.examples().add(r, labels);
            });
            done = true;
        } finally {
            if (!done) {
                sw.abort();
                tw.abort();
            }
            sw.close();
            tw.close();
        }
        ObjectNode summary = TraceSummary.build(stats);
        summary.set("run", run);
        AtomicOutput.write(dir.resolve(SUMMARY), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(summary));
        TraceReport.write(stats, summary, dir.resolve(REPORT));
        TraceFigures.write(stats, dir.resolve(FIGURES));
        for (ExamplePicker.Chosen c : figures.examples().chosen()) {
            TraceFigures.writeExample(c.response(), c.labels(), figures.logP(), dir.resolve(FIGURES).resolve(EXAMPLES));
        }
        if (!figures.examples().missing().isEmpty()) {
            System.err.println("warning: --examples: no response has the id " + String.join(", ", figures.examples().missing()));
        }
        return summary;
    }

    /**
     * sentences.parquet and trajectories.parquet from the JSONL files in {@code dir}, when {@code asked} or when they
     * are already there (a relabelled folder never keeps Parquet copies of the labels it had before). The JSONL files
     * stay: they are what classify, compare and the reports read. Returns whether the copies were written.
     */
    public static boolean parquetCopies(Path dir, boolean asked) throws IOException {
        Path sp = dir.resolve(SENTENCES_PARQUET), tp = dir.resolve(TRAJECTORIES_PARQUET);
        if (!asked && !Files.exists(sp) && !Files.exists(tp)) return false;
        JsonlToParquet.convert(dir.resolve(SENTENCES), sp);
        JsonlToParquet.convert(dir.resolve(TRAJECTORIES), tp);
        return true;
    }

    private static void writeResponse(TracedResponse r, List<Label> labels, JsonlWriter sw, JsonlWriter tw) throws IOException {
        Map<Label, Integer> counts = new EnumMap<>(Label.class);
        int unscored = 0;
        for (int k = 0; k < r.sentences().size(); k++) {
            TracedSentence s = r.sentences().get(k);
            Label lab = labels.get(k);
            if (lab == null) unscored++;
            else counts.merge(lab, 1, Integer::sum);
            ObjectNode o = JSON.createObjectNode();
            o.set("id", r.idValue());
            o.put("index", s.index());
            o.put("start", s.start());
            o.put("end", s.end());
            o.put("text", s.text());
            putProbability(o, "p_T", s.pT());
            putProbability(o, "p_S", s.pS());
            putProbability(o, "p_D", s.pD());
            o.put("tokens_T", s.tokensT());
            o.put("tokens_S", s.tokensS());
            o.put("tokens_D", s.tokensD());
            o.put("label", lab == null ? null : lab.name());
            if (s.pTeachers() != null) {   // several teachers: each one's p, and the one a Teacher sentence came from
                var pts = o.putArray("p_teachers");
                for (double p : s.pTeachers()) {
                    if (Double.isNaN(p)) pts.addNull();
                    else pts.add(p);
                }
                o.put("teacher", lab == Label.TEACHER && s.teacher() >= 0 ? TraceJob.teacherRole(s.teacher()) : null);
            }
            sw.write(o);
        }
        ObjectNode t = JSON.createObjectNode();
        t.set("id", r.idValue());
        t.put("group", r.group());
        t.put("correct", r.correctness() == Correctness.UNKNOWN ? null : r.correctness() == Correctness.CORRECT);
        t.put("sentences", r.sentences().size());
        ObjectNode c = t.putObject("counts");
        for (Label lab : Label.values()) c.put(lab.name(), counts.getOrDefault(lab, 0));
        t.put("unscored", unscored);
        t.put("response", r.response());
        tw.write(t);
    }

    private static void putProbability(ObjectNode o, String key, double p) {
        if (Double.isNaN(p)) o.putNull(key);
        else o.put(key, p);
    }

    /** The responses of an earlier trace in {@code dir}, read back one at a time in their original order. */
    public static ResponseSource reader(Path dir) throws IOException {
        Path tPath = dir.resolve(TRAJECTORIES), sPath = dir.resolve(SENTENCES);
        for (Path p : List.of(tPath, sPath)) {
            if (!Files.isRegularFile(p)) throw new IOException(p + ": not found (is " + dir + " the --out folder of a trace?)");
        }
        return sink -> {
            try (JsonlReader tr = JsonlReader.open(tPath); JsonlReader sr = JsonlReader.open(sPath)) {
                for (JsonlRecord rec; (rec = tr.next()) != null; ) {
                    TraceLineFields n = new TraceLineFields(tPath, rec);
                    JsonNode id = n.id();
                    int count = n.count("sentences");
                    List<TracedSentence> sentences = new ArrayList<>(count);
                    for (int k = 0; k < count; k++) {
                        JsonlRecord srec = sr.next();
                        TraceLineFields s = srec == null ? null : new TraceLineFields(sPath, srec);
                        if (s == null || !sameId(s.id(), id)) {
                            throw new IOException(sPath + ": response " + id + " should have " + count
                                    + " sentences here (line " + (srec == null ? "end of file" : srec.lineNumber()) + ")");
                        }
                        double[] pTeachers = s.probabilities("p_teachers");
                        sentences.add(new TracedSentence(s.count("index"), s.count("start"), s.count("end"),
                                s.text("text"), s.probability("p_T"), s.probability("p_S"), s.probability("p_D"),
                                s.count("tokens_T"), s.count("tokens_S"), s.count("tokens_D"), pTeachers,
                                pTeachers == null ? 0 : TracedSentence.closestTeacher(pTeachers, s.probability("p_S"))));
                    }
                    Boolean c = n.optionalBoolean("correct");
                    Correctness correctness = c == null ? Correctness.UNKNOWN : c ? Correctness.CORRECT : Correctness.INCORRECT;
                    sink.accept(new TracedResponse(id.asText(), n.text("group"), correctness, n.text("response"), sentences, id));
                }
                if (sr.next() != null) throw new IOException(sPath + ": more sentences than " + tPath + " accounts for");
            }
        };
    }

    /** All responses of an earlier trace in memory (for tests and small traces). */
    public static List<TracedResponse> read(Path dir) throws IOException {
        List<TracedResponse> out = new ArrayList<>();
        reader(dir).forEach(out::add);
        return out;
    }

    /** The same id: same text and same JSON type (5 is not "5"; 5 as an int and as a BigInteger are). */
    private static boolean sameId(JsonNode a, JsonNode b) {
        return a.isTextual() == b.isTextual() && a.asText().equals(b.asText());
    }
}
