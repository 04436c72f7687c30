package dev.provtrace.demo;

import dev.provtrace.provenance.Classifier;
import dev.provtrace.provenance.Label;
import dev.provtrace.demo.DemoTrio.Role;
import dev.provtrace.engine.Engine;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.engine.TokenScores;
import dev.provtrace.model.ModelConfig;
import dev.provtrace.tokenizer.Encoding;
import dev.provtrace.tokenizer.HfTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo trio does what it was built to do: the engine reproduces each bigram table through the real Llama
 * forward pass, and scoring the planted responses gives back the planted labels with wide margins.
 */
class DemoTrioTest {
    @TempDir
    static Path out;
    static long generateMillis;

    @BeforeAll
    static void generate() throws IOException {
        long t0 = System.nanoTime();
        DemoTrio.generate(out);
        generateMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    /** Scores every record's prompt + response under one model; returns the encodings and the scores. */
    record Scored(List<Encoding> encodings, List<Integer> promptLengths, List<TokenScores> scores) {}

    static Scored score(Role role) throws IOException {
        Path dir = DemoTrio.modelDir(out, role);
        try (HfTokenizer tok = HfTokenizer.load(dir); Engine engine = Engine.load(dir, new EngineOptions(1, 4096, false))) {
            assertEquals(DemoTrio.vocabSize(role), tok.vocabSize());
            assertEquals(DemoTrio.modelVocabSize(role), engine.config().vocabSize());
            assertTrue(engine.config().vocabSize() >= tok.vocabSize());
            List<Encoding> encs = new ArrayList<>();
            List<Integer> promptLengths = new ArrayList<>();
            List<int[]> seqs = new ArrayList<>();
            for (DemoRecord r : DemoTrio.records()) {
                String prompt = DemoTrio.renderPrompt(role, r.question());
                Encoding e = tok.encode(prompt + r.response(), true);
                encs.add(e);
                promptLengths.add(prompt.codePointCount(0, prompt.length()));
                seqs.add(e.ids());
            }
            return new Scored(encs, promptLengths, engine.score(seqs, ScoreOptions.LOGPROBS_ONLY, null));
        }
    }

    @Test
    void engineLogprobsAreTheBigramTables() throws IOException {
        for (Role role : Role.values()) {
            WordTokenizer wt = DemoTrio.tokenizer(role);
            Scored s = score(role);
            double worst = 0;
            int checked = 0;
            for (int r = 0; r < s.encodings().size(); r++) {
                DemoRecord rec = DemoTrio.records().get(r);
                int[] ids = s.encodings().get(r).ids();
                String text = DemoTrio.renderPrompt(role, rec.question()) + rec.response();
                // DJL's ids = BOS + the generator's own tokenization (so the counts were made on the real tokens)
                int[] expected = new int[ids.length];
                expected[0] = wt.id(wt.bos);
                System.arraycopy(wt.ids(text), 0, expected, 1, ids.length - 1);
                assertArrayEquals(expected, ids, role + " " + rec.id() + ": tokenizer.json and generator disagree");
                assertTrue(Arrays.stream(ids).noneMatch(id -> id == wt.id(wt.unk)), role + " " + rec.id() + " has <unk>");
                float[] lp = s.scores().get(r).logprobs();
                for (int t = 1; t < ids.length; t++) {
                    double d = Math.abs(lp[t] - DemoTrio.logProb(role, ids[t - 1], ids[t]));
                    worst = Math.max(worst, d);
                    assertTrue(d <= 1e-5, role + " " + rec.id() + " token " + t + " (" + wt.token(ids[t]) + "): engine "
                            + lp[t] + ", table " + DemoTrio.logProb(role, ids[t - 1], ids[t]));
                    checked++;
                }
            }
            System.out.printf(Locale.ROOT, "%s: %d tokens, max |engine - table| = %.2e%n", role, checked, worst);
        }
    }

    @Test
    void finalNormIsExactForTheDemoVocabularies() throws IOException {
        for (Role role : Role.values()) {
            ModelConfig cfg = ModelConfig.load(DemoTrio.modelDir(out, role).resolve("config.json"));
            float eps = (float) cfg.rmsNormEps();
            float w = DemoTrio.finalNormWeight(cfg.vocabSize(), eps);
            assertEquals(1f, w * (1f * DemoTrio.rmsInverse(cfg.vocabSize(), eps)), 0f, role + " V=" + cfg.vocabSize());
            assertEquals(cfg.vocabSize(), cfg.hiddenSize());
            assertEquals(0, cfg.vocabSize() % 8);
            assertEquals(0, cfg.hiddenSize() % cfg.numHeads(), "transformers 5 wants hidden_size % heads == 0");
        }
    }

    @Test
    void scoringThePlantedResponsesGivesThePlantedLabels() throws IOException {
        Map<Role, Scored> scored = new EnumMap<>(Role.class);
        for (Role role : Role.values()) scored.put(role, score(role));
        // label -> role -> {min, max}
        Map<Label, Map<Role, double[]>> ranges = new TreeMap<>();
        double worstVsPlanted = 0;
        int sentences = 0;
        for (int r = 0; r < DemoTrio.records().size(); r++) {
            DemoRecord rec = DemoTrio.records().get(r);
            for (PlantedSentence ps : rec.sentences()) {
                assertEquals(ps.text(), codePoints(rec.response(), ps.start(), ps.end()), rec.id() + " span");
                double[] p = new double[3];
                for (Role role : Role.values()) {
                    Scored s = scored.get(role);
                    p[role.ordinal()] = sentenceProbability(s.encodings().get(r), s.scores().get(r).logprobs(),
                            s.promptLengths().get(r), ps, rec.id() + " " + role);
                    worstVsPlanted = Math.max(worstVsPlanted, Math.abs(p[role.ordinal()] - ps.p(role)));
                    assertEquals(ps.p(role), p[role.ordinal()], 1e-4, rec.id() + " " + role + " \"" + ps.text() + "\"");
                    double[] mm = ranges.computeIfAbsent(ps.label(), k -> new EnumMap<>(Role.class))
                            .computeIfAbsent(role, k -> new double[] {1, 0});
                    mm[0] = Math.min(mm[0], p[role.ordinal()]);
                    mm[1] = Math.max(mm[1], p[role.ordinal()]);
                }
                double pT = p[0], pS = p[1], pD = p[2];
                String what = rec.id() + " \"" + ps.text() + "\" planted " + ps.label()
                        + String.format(Locale.ROOT, ": pT=%.4f pS=%.4f pD=%.4f", pT, pS, pD);
                assertEquals(ps.label(), new Classifier(DemoTrio.ALPHA, DemoTrio.BETA).label(pT, pS, pD), what);
                switch (ps.label()) {
                    case SHARED -> assertTrue(Math.max(Math.abs(pT - pS), Math.max(Math.abs(pT - pD), Math.abs(pS - pD)))
                            <= DemoTrio.ALPHA / 2, what);
                    case TEACHER -> assertTrue(pT - pS > 0.3, what);
                    case STUDENT -> assertTrue(pS - pT > 0.3, what);
                    case BOOSTED -> assertTrue(Math.abs(pT - pS) <= DemoTrio.BETA / 2 && pD - Math.max(pT, pS) > 0.3, what);
                }
                sentences++;
            }
        }
        assertTrue(sentences >= 50, "planted sentences: " + sentences);
        assertEquals(Label.values().length, ranges.size(), "every label is planted");
        System.out.printf(Locale.ROOT, "%d planted sentences; max |engine p - planted p| = %.2e%n", sentences, worstVsPlanted);
        ranges.forEach((label, byRole) -> {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-8s", label.name()));
            byRole.forEach((role, mm) -> sb.append(String.format(Locale.ROOT, "  p_%s in [%.4f, %.4f]",
                    role.dirName(), mm[0], mm[1])));
            System.out.println(sb);
        });
    }

    /** exp(mean log-prob) over the tokens whose first character lies in the sentence's span of the response. */
    static double sentenceProbability(Encoding e, float[] logprobs, int promptLength, PlantedSentence ps, String what) {
        double sum = 0;
        int n = 0;
        int start = promptLength + ps.start(), end = promptLength + ps.end();
        for (int t = 1; t < e.size(); t++) {
            if (e.starts()[t] >= start && e.starts()[t] < end) {
                assertTrue(e.ends()[t] <= end, what + ": token " + t + " crosses the end of the sentence");
                sum += logprobs[t];
                n++;
            }
        }
        assertTrue(n > 0, what + ": no tokens in the sentence");
        return Math.exp(sum / n);
    }

    static String codePoints(String s, int start, int end) {
        return s.substring(s.offsetByCodePoints(0, start), s.offsetByCodePoints(0, end));
    }

    @Test
    void tokenizersAndTemplatesDiffer() throws IOException {
        try (HfTokenizer teacher = HfTokenizer.load(DemoTrio.modelDir(out, Role.TEACHER));
             HfTokenizer student = HfTokenizer.load(DemoTrio.modelDir(out, Role.STUDENT))) {
            String text = "Formally, multiplication distributes over addition, which justifies regrouping.";
            Encoding t = teacher.encode(text, false), s = student.encode(text, false);
            List<String> tp = new ArrayList<>(), sp = new ArrayList<>();
            for (int i = 0; i < t.size(); i++) tp.add(teacher.tokenString(t.ids()[i]));
            for (int i = 0; i < s.size(); i++) sp.add(student.tokenString(s.ids()[i]));
            assertEquals(List.of("Formally", ",", "multiplication", "distributes", "over", "addition", ",", "which",
                    "justifies", "regrouping", "."), tp);
            assertEquals(List.of("Formal", "ly,", "multip", "licati", "on", "distri", "butes", "over", "additi", "on,",
                    "which", "justif", "ies", "regrou", "ping."), sp);
            assertEquals(6, s.starts()[1], "\"ly,\" starts after \"Formal\"");
            assertEquals(9, s.ends()[1]);
            // the think tags are single tokens, the BOS comes from the post-processor with the span [0, 0)
            Encoding withBos = teacher.encode("<think>\nOk so</think>", true);
            assertEquals(List.of("<s>", "<think>", "Ok", "so", "</think>"),
                    Arrays.stream(withBos.ids()).mapToObj(teacher::tokenString).toList());
            assertEquals(0, withBos.ends()[0]);
        }
        for (Role role : Role.values()) {
            String config = Files.readString(DemoTrio.modelDir(out, role).resolve("tokenizer_config.json"));
            assertTrue(config.contains("\"chat_template\""), role + " has a chat template");
        }
        assertTrue(!DemoTrio.renderPrompt(Role.TEACHER, "q").equals(DemoTrio.renderPrompt(Role.STUDENT, "q")));
    }

    @Test
    void plantedFileIsTheGroundTruth() throws IOException {
        List<DemoRecord> read = DemoTrio.readPlanted(out);
        assertEquals(DemoTrio.records(), read);
        assertEquals(12, read.size());
        assertEquals(2, read.stream().map(DemoRecord::group).distinct().count());
        assertTrue(read.stream().anyMatch(DemoRecord::correct) && read.stream().anyMatch(r -> !r.correct()));
        assertTrue(read.stream().anyMatch(r -> r.response().contains("<think>")));
        assertTrue(read.stream().anyMatch(r -> !r.response().contains("<think>")));
        for (DemoRecord r : read) {
            // everything outside the planted sentences is whitespace or a think tag
            StringBuilder rest = new StringBuilder();
            int at = 0;
            for (PlantedSentence s : r.sentences()) {
                rest.append(codePoints(r.response(), at, s.start()));
                at = s.end();
            }
            rest.append(codePoints(r.response(), at, r.response().codePointCount(0, r.response().length())));
            assertEquals("", rest.toString().replace("<think>", "").replace("</think>", "").strip(), r.id());
        }
    }

    @Test
    void generationIsDeterministicSmallAndFast(@TempDir Path again) throws IOException {
        assertTrue(generateMillis < 5000, "generation took " + generateMillis + " ms");
        DemoTrio.generate(again);
        List<Path> first = files(out), second = files(again);
        assertEquals(first.stream().map(p -> out.relativize(p).toString()).toList(),
                second.stream().map(p -> again.relativize(p).toString()).toList());
        long total = 0;
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(Files.readAllBytes(first.get(i)), Files.readAllBytes(second.get(i)), first.get(i).toString());
            total += Files.size(first.get(i));
            System.out.printf(Locale.ROOT, "%-40s %,10d bytes%n", out.relativize(first.get(i)), Files.size(first.get(i)));
        }
        System.out.printf(Locale.ROOT, "total %,d bytes, generated in %d ms%n", total, generateMillis);
        assertTrue(total < 4_000_000, "demo output is " + total + " bytes");
    }

    static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
