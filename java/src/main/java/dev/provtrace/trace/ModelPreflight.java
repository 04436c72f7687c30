package dev.provtrace.trace;

import dev.provtrace.engine.EngineOptions;
import dev.provtrace.io.SafetensorsCheckpoint;
import dev.provtrace.model.FiniteWeights;
import dev.provtrace.model.ModelConfig;
import dev.provtrace.model.WeightSpec;
import dev.provtrace.tokenizer.HfTokenizer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Opens and checks every model folder of a run before the first model is scored, so that a broken third model
 * is reported in seconds rather than after hours of scoring the first two: config.json (values in range),
 * every safetensors header (offsets inside the file), every tensor the forward pass reads (present, shape,
 * dtype), tokenizer.json, and the chat template (rendered once) where a prompt format needs it. First the
 * quick checks of all folders, then, unless {@link EngineOptions#scanWeights()} is off, the NaN/Inf scan of each
 * model's weights. Errors name the model's option and folder: {@code --distilled models/d: model.safetensors: ...}.
 */
public final class ModelPreflight {
    /** A model folder that cannot be used; the message names its option and folder. */
    public static final class Failure extends IOException {
        Failure(String message) { super(message); }
    }

    private record Model(String role, Path dir, Set<PromptBuilder.Format> formats, PromptSetup setup) {}

    /** Weights above this size get a note on stderr while they are scanned, so a pause is explained. */
    private static final long NOTE_BYTES = 1L << 30;

    private final Path template;
    private final EngineOptions engine;
    private final Consumer<String> notes;
    private final List<Model> models = new ArrayList<>();

    /**
     * @param template a chat template file to use for every model instead of their own (null: their own)
     * @param notes    receives a line before a large model's weights are scanned
     */
    public ModelPreflight(Path template, EngineOptions engine, Consumer<String> notes) {
        this.template = template;
        this.engine = engine;
        this.notes = notes;
    }

    /** Adds a model by its role ("teacher": reported as --teacher) and the prompt formats it will be scored with. */
    public ModelPreflight add(String role, Path dir, PromptBuilder.Format... formats) {
        return add(role, dir, PromptSetup.NONE, formats);
    }

    /** As above, with the system prompt and template kwargs its chat contexts get (tried in the test render). */
    public ModelPreflight add(String role, Path dir, PromptSetup setup, PromptBuilder.Format... formats) {
        models.add(new Model(role, dir, new LinkedHashSet<>(List.of(formats)), setup));
        return this;
    }

    /**
     * Checks every model added; throws {@link Failure} for the first that cannot be used. Returns the engine
     * options to score with: without the load-time scan when it was done here (no need to read the weights twice).
     */
    public EngineOptions check() throws IOException {
        for (Model m : models) checkFolder(m);
        if (!engine.scanWeights()) return engine;
        Set<Path> scanned = new HashSet<>();
        for (Model m : models) {
            if (scanned.add(m.dir().toAbsolutePath().normalize())) scan(m);
        }
        return engine.withoutWeightScan();
    }

    private void checkFolder(Model m) throws Failure {
        Path dir = m.dir();
        if (!Files.isDirectory(dir)) throw failure(m, Files.exists(dir) ? "is not a folder" : "model folder not found");
        try {
            ModelConfig config = ModelConfig.load(dir.resolve("config.json"));
            try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir, w -> {})) {
                WeightSpec.validate(ckpt, config, w -> {});   // warnings come once, when the model is loaded
            }
            if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
                throw failure(m, "no tokenizer.json; every model needs its own tokenizer");
            }
            try (HfTokenizer ignored = HfTokenizer.load(dir)) {
                // loading is the check
            }
            for (PromptBuilder.Format f : m.formats()) {
                PromptBuilder prompts = PromptBuilder.create(dir, f, template)
                        .withSetup(f == PromptBuilder.Format.CHAT ? m.setup() : PromptSetup.NONE);
                try {
                    prompts.build("What is 6 times 7?", "42");
                } catch (RuntimeException e) {
                    String why = message(e);   // template errors already say which template they come from
                    throw failure(m, why.startsWith("chat template") || why.startsWith("template ") ? why : "chat template: " + why);
                }
            }
        } catch (Failure e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw failure(m, relative(dir, message(e)));
        }
    }

    private void scan(Model m) throws Failure {
        try {
            ModelConfig config = ModelConfig.load(m.dir().resolve("config.json"));
            try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(m.dir(), w -> {})) {
                if (ckpt.totalBytes() >= NOTE_BYTES) {
                    notes.accept(String.format("checking the %s's %.1f GB of weights for NaN/Inf (--skip-weight-scan skips this)",
                            m.role(), ckpt.totalBytes() / 1e9));
                }
                String problem = FiniteWeights.problem(ckpt, config, engine.threads());
                if (problem != null) throw failure(m, problem);
            }
        } catch (Failure e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw failure(m, relative(m.dir(), message(e)));
        }
    }

    private static Failure failure(Model m, String problem) {
        return new Failure("--" + m.role() + " " + m.dir() + ": " + problem);
    }

    private static String message(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** Drops the folder from the front of a message that already starts with it (it is named once, up front). */
    static String relative(Path dir, String message) {
        String d = dir.toString();
        if (message.startsWith(d + File.separator)) return message.substring(d.length() + 1);
        if (message.startsWith(d + ": ")) return message.substring(d.length() + 2);
        return message;
    }
}
