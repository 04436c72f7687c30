package dev.provtrace.demo;

import dev.provtrace.provenance.Label;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.DType;
import dev.provtrace.io.AtomicOutput;
import dev.provtrace.io.SafetensorsWriter;
import dev.provtrace.model.ModelConfig;
import dev.provtrace.model.WeightSpec;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bundled demo: a teacher, an original student and a distilled student whose behaviour is known by
 * construction, and twelve responses whose sentences were planted with a provenance label.
 *
 * <p>Each model is a valid Hugging Face Llama folder computing a bigram model exactly: one-hot token embeddings
 * (hidden size = vocab_size V, the tokenizer's size padded to a multiple of 8), one decoder layer whose attention and MLP weights are all zero (the residual
 * stream stays the one-hot vector), a final norm weight that makes RMSNorm(e_i) = e_i exactly in fp32, and an LM
 * head holding the table: {@code lm_head[j][i] = log P(j | i)}. So the engine's log p(token | prefix) is the table's
 * log P(token | previous token) within fp32 rounding.
 *
 * <p>Tables ({@link BigramTable}): teacher from Teacher + Shared sentences, student from Student + Shared, distilled
 * from all four kinds (it was trained from the student, on the teacher's outputs, and picked up a habit of its own:
 * the Boosted sentences). Teacher and student have different word-level tokenizers and chat templates
 * ({@link WordTokenizer}); the distilled model uses the student's.
 *
 * <p>{@link #generate} writes (deterministically, byte for byte):
 * <pre>
 * models/teacher/    config.json model.safetensors tokenizer.json tokenizer_config.json
 * models/student/    ...
 * models/distilled/  ...
 * demo-input.jsonl   {"id","question","response","answer","correct","group"} per line
 * planted.json       per record, every planted sentence: text, code-point span in the response, label, p per model
 * </pre>
 */
public final class DemoTrio {
    /** The labelling thresholds the planted labels are designed for. */
    public static final double ALPHA = 0.1, BETA = 0.1;
    public static final String MODELS_DIR = "models";
    public static final String INPUT_FILE = "demo-input.jsonl";
    public static final String PLANTED_FILE = "planted.json";
    static final int MAX_POSITIONS = 4096;
    static final double SMOOTHING = 0.02;
    static final double RMS_NORM_EPS = 1e-6;
    private static final int HEADS = 4, KV_HEADS = 2, HEAD_DIM = 4, INTERMEDIATE = 8, VOCAB_MULTIPLE = 8;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Pretty JSON with "key": value and "\n" line ends on every OS (byte-identical everywhere). */
    private static final ObjectWriter PRETTY = JSON.writer(new DefaultPrettyPrinter(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    public enum Role {
        TEACHER("teacher"), STUDENT("student"), DISTILLED("distilled");

        private final String dirName;

        Role(String dirName) {
            this.dirName = dirName;
        }

        /** The folder name under models/. */
        public String dirName() { return dirName; }
    }

    private DemoTrio() {}

    /** Tokenizers, tables and records, built once. */
    private static final class Built {
        static final Built INSTANCE = new Built();

        final WordTokenizer teacherTok, studentTok;
        final BigramTable[] tables = new BigramTable[Role.values().length];
        final int teacherVocab, studentVocab;       // the models' vocab_size (= hidden_size), padded
        final List<DemoRecord> records;

        private Built() {
            List<String> texts = new ArrayList<>(DemoCorpus.allSentences());
            for (DemoCorpus.Plan p : DemoCorpus.PLANS) texts.add(p.question());
            teacherTok = WordTokenizer.teacher(texts);
            studentTok = WordTokenizer.student(texts);
            teacherVocab = paddedVocab(teacherTok.size());
            studentVocab = paddedVocab(studentTok.size());
            List<String> all = DemoCorpus.allSentences();
            tables[Role.TEACHER.ordinal()] = BigramTable.estimate(teacherTok,
                    DemoCorpus.sentences(Label.TEACHER, Label.SHARED), all, SMOOTHING, teacherVocab);
            tables[Role.STUDENT.ordinal()] = BigramTable.estimate(studentTok,
                    DemoCorpus.sentences(Label.STUDENT, Label.SHARED), all, SMOOTHING, studentVocab);
            tables[Role.DISTILLED.ordinal()] = BigramTable.estimate(studentTok,
                    DemoCorpus.sentences(Label.TEACHER, Label.STUDENT, Label.SHARED, Label.BOOSTED), all, SMOOTHING,
                    studentVocab);
            List<DemoRecord> recs = new ArrayList<>();
            for (DemoCorpus.Plan plan : DemoCorpus.PLANS) {
                DemoCorpus.Rendered r = DemoCorpus.render(plan);
                List<PlantedSentence> sentences = new ArrayList<>();
                for (int i = 0; i < r.keys().size(); i++) {
                    String text = DemoCorpus.SENTENCES.get(r.keys().get(i));
                    double[] p = new double[3];
                    for (Role role : Role.values()) {
                        WordTokenizer tok = tokenizer(role);
                        p[role.ordinal()] = rounded(tables[role.ordinal()].sentenceProbability(tok, text, tok.id(tok.bos)));
                    }
                    sentences.add(new PlantedSentence(text, r.spans().get(i)[0], r.spans().get(i)[1],
                            DemoCorpus.label(r.keys().get(i)), p[0], p[1], p[2]));
                }
                recs.add(new DemoRecord(plan.id(), plan.question(), r.response(), plan.answer(), plan.correct(),
                        plan.group(), sentences));
            }
            records = List.copyOf(recs);
        }

        WordTokenizer tokenizer(Role role) { return role == Role.TEACHER ? teacherTok : studentTok; }
    }

    /** p rounded to 6 decimals, so planted.json and {@link #records()} hold the same numbers on any JDK. */
    private static double rounded(double p) {
        return new BigDecimal(p).setScale(6, RoundingMode.HALF_EVEN).doubleValue();      // exact expansion, no toString
    }

    /** The demo records with their planted sentences (the ground truth that planted.json holds). */
    public static List<DemoRecord> records() { return Built.INSTANCE.records; }

    public static Path modelDir(Path outDir, Role role) { return outDir.resolve(MODELS_DIR).resolve(role.dirName()); }

    public static Path inputFile(Path outDir) { return outDir.resolve(INPUT_FILE); }

    public static Path plantedFile(Path outDir) { return outDir.resolve(PLANTED_FILE); }

    /** What the role's chat template renders for one user message with add_generation_prompt=True. */
    public static String renderPrompt(Role role, String question) {
        return Built.INSTANCE.tokenizer(role).renderPrompt(question);
    }

    /** log P(next | previous) as the role's LM head holds it (fp32). */
    public static float logProb(Role role, int previous, int next) {
        return Built.INSTANCE.tables[role.ordinal()].logProb(previous, next);
    }

    /** The role's tokenizer as the generator sees it (the distilled model shares the student's). */
    static WordTokenizer tokenizer(Role role) { return Built.INSTANCE.tokenizer(role); }

    /** Vocabulary size of the role's tokenizer ({@code len(tokenizer)}). */
    public static int vocabSize(Role role) { return Built.INSTANCE.tokenizer(role).size(); }

    /**
     * The role's {@code vocab_size} (= hidden_size): the tokenizer's size padded up to a multiple of 8 (as many
     * real checkpoints pad theirs) at which the final norm is exact; the padding ids are never produced.
     */
    public static int modelVocabSize(Role role) {
        return role == Role.TEACHER ? Built.INSTANCE.teacherVocab : Built.INSTANCE.studentVocab;
    }

    /** The smallest multiple of 8 ≥ tokens for which {@link #finalNormWeight} is exact. */
    static int paddedVocab(int tokens) {
        float eps = (float) RMS_NORM_EPS;
        for (int v = (tokens + VOCAB_MULTIPLE - 1) / VOCAB_MULTIPLE * VOCAB_MULTIPLE; ; v += VOCAB_MULTIPLE) {
            if (!Float.isNaN(finalNormWeight(v, eps))) return v;
        }
    }

    /** Writes the three model folders, demo-input.jsonl and planted.json under {@code outDir}. */
    public static void generate(Path outDir) throws IOException {
        Built b = Built.INSTANCE;
        for (Role role : Role.values()) {
            writeModel(modelDir(outDir, role), b.tokenizer(role), b.tables[role.ordinal()], modelVocabSize(role));
        }
        StringBuilder jsonl = new StringBuilder();
        ObjectNode planted = JSON.createObjectNode();
        planted.put("alpha", ALPHA).put("beta", BETA);
        planted.put("note", "spans are [start, end) in Unicode code points of the response; p_* = exp(mean token "
                + "log-prob) of the sentence under each model, by construction");
        ArrayNode recs = planted.putArray("records");
        for (DemoRecord r : b.records) {
            ObjectNode line = JSON.createObjectNode();
            line.put("id", r.id()).put("question", r.question()).put("response", r.response())
                    .put("answer", r.answer()).put("correct", r.correct()).put("group", r.group());
            jsonl.append(JSON.writeValueAsString(line)).append('\n');
            ObjectNode rec = recs.addObject();
            rec.put("id", r.id());
            ArrayNode ss = rec.putArray("sentences");
            for (PlantedSentence s : r.sentences()) {
                ss.addObject().put("text", s.text()).put("start", s.start()).put("end", s.end())
                        .put("label", s.label().name())
                        .put("p_teacher", BigDecimal.valueOf(s.pTeacher()).setScale(6, RoundingMode.HALF_EVEN))
                        .put("p_student", BigDecimal.valueOf(s.pStudent()).setScale(6, RoundingMode.HALF_EVEN))
                        .put("p_distilled", BigDecimal.valueOf(s.pDistilled()).setScale(6, RoundingMode.HALF_EVEN));
            }
        }
        Files.createDirectories(outDir);
        AtomicOutput.writeString(inputFile(outDir), jsonl.toString());
        writeJson(plantedFile(outDir), planted);
    }

    /** {@code DemoTrio OUT_DIR}: writes the demo there (for tools/check_demo_trio.py and by hand). */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: DemoTrio OUT_DIR");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        generate(out);
        System.out.println("demo trio written to " + out.toAbsolutePath());
    }

    /** Reads planted.json (and demo-input.jsonl for the other fields) back into records. */
    public static List<DemoRecord> readPlanted(Path outDir) throws IOException {
        JsonNode planted = JSON.readTree(plantedFile(outDir).toFile());
        List<String> lines = Files.readAllLines(inputFile(outDir), StandardCharsets.UTF_8);
        JsonNode recs = planted.get("records");
        if (recs == null || recs.size() != lines.size()) {
            throw new IOException(plantedFile(outDir) + ": expected " + lines.size() + " records as in " + INPUT_FILE);
        }
        List<DemoRecord> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode in = JSON.readTree(lines.get(i));
            JsonNode rec = recs.get(i);
            if (!in.get("id").asText().equals(rec.get("id").asText())) {
                throw new IOException(plantedFile(outDir) + ": record " + i + " is " + rec.get("id") + ", "
                        + INPUT_FILE + " has " + in.get("id"));
            }
            List<PlantedSentence> sentences = new ArrayList<>();
            for (JsonNode s : rec.get("sentences")) {
                sentences.add(new PlantedSentence(s.get("text").asText(), s.get("start").asInt(), s.get("end").asInt(),
                        Label.valueOf(s.get("label").asText()), s.get("p_teacher").asDouble(),
                        s.get("p_student").asDouble(), s.get("p_distilled").asDouble()));
            }
            out.add(new DemoRecord(in.get("id").asText(), in.get("question").asText(), in.get("response").asText(),
                    in.get("answer").asText(), in.get("correct").asBoolean(), in.get("group").asText(), sentences));
        }
        return out;
    }

    private static void writeJson(Path file, JsonNode node) throws IOException {
        AtomicOutput.writeString(file, PRETTY.writeValueAsString(node) + "\n");
    }

    /**
     * The final-norm weight w with fp32 RMSNorm(e_i)·w = e_i exactly, computed as the CPU backend computes RMSNorm:
     * mean = 1f/V, inv = (float) (1 / sqrt(mean + eps)), out = w · (1 · inv). NaN when no fp32 w gives exactly 1
     * (about 7% of V; {@link #paddedVocab} skips those).
     */
    static float finalNormWeight(int v, float eps) {
        float inv = rmsInverse(v, eps);
        float up = (float) (1.0 / inv), down = up;
        for (int k = 0; k < 8; k++) {
            if (up * inv == 1f) return up;
            if (down * inv == 1f) return down;
            up = Math.nextUp(up);
            down = Math.nextDown(down);
        }
        return Float.NaN;
    }

    /** 1/sqrt(mean(e_i²) + eps) as the CPU backend's RMSNorm computes it for a one-hot row of length V. */
    static float rmsInverse(int v, float eps) {
        float mean = 1f / v;
        return (float) (1.0 / Math.sqrt(mean + eps));
    }

    private static void writeModel(Path dir, WordTokenizer tok, BigramTable table, int v) throws IOException {
        Files.createDirectories(dir);
        if (table.size() != v) throw new IllegalStateException("table and model vocabulary sizes differ");
        ObjectNode config = JSON.createObjectNode();
        config.putArray("architectures").add("LlamaForCausalLM");
        config.put("model_type", "llama");
        config.put("vocab_size", v);
        config.put("hidden_size", v);
        config.put("intermediate_size", INTERMEDIATE);
        config.put("num_hidden_layers", 1);
        config.put("num_attention_heads", HEADS);
        config.put("num_key_value_heads", KV_HEADS);
        config.put("head_dim", HEAD_DIM);
        config.put("hidden_act", "silu");
        config.put("max_position_embeddings", MAX_POSITIONS);
        config.put("rms_norm_eps", RMS_NORM_EPS);
        config.put("rope_theta", 10000.0);
        config.put("attention_bias", false);
        config.put("mlp_bias", false);
        config.put("tie_word_embeddings", false);
        config.put("bos_token_id", tok.id(tok.bos));
        config.put("eos_token_id", tok.id(tok.eos));
        config.put("torch_dtype", "float32");
        writeJson(dir.resolve("config.json"), config);
        writeJson(dir.resolve("tokenizer.json"), tok.tokenizerJson(JSON));
        writeJson(dir.resolve("tokenizer_config.json"), tok.tokenizerConfigJson(JSON));

        ModelConfig cfg = ModelConfig.parse(config, dir.resolve("config.json").toString());
        float eps = (float) cfg.rmsNormEps();
        float normWeight = finalNormWeight(v, eps);
        if (Float.isNaN(normWeight)) throw new IllegalStateException("no exact final norm weight for V=" + v);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        WeightSpec.expectedShapes(cfg).forEach((name, shape) -> entries.add(new SafetensorsWriter.Entry(name, DType.F32, shape)));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), entries, Map.of("format", "pt"),
                (entry, first, chunk) -> fill(entry, first, chunk, table, normWeight));
    }

    private static void fill(SafetensorsWriter.Entry entry, long first, ByteBuffer chunk, BigramTable table, float normWeight) {
        String name = entry.name();
        int n = chunk.remaining() / 4;
        long cols = entry.shape()[entry.shape().length - 1];
        for (int k = 0; k < n; k++) {
            long e = first + k;
            float value;
            if (name.equals("model.embed_tokens.weight")) {
                value = e / cols == e % cols ? 1f : 0f;                       // one-hot rows
            } else if (name.equals("lm_head.weight")) {
                value = table.logProb((int) (e % cols), (int) (e / cols));   // lm_head[j][i] = log P(j | i)
            } else if (name.equals("model.norm.weight")) {
                value = normWeight;
            } else if (name.endsWith("layernorm.weight")) {
                value = 1f;
            } else {
                value = 0f;                                                   // attention and MLP
            }
            chunk.putFloat(k * 4, value);
        }
    }
}
