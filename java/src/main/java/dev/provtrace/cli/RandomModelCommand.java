package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.engine.RandomWeights;
import dev.provtrace.io.AtomicOutput;
import dev.provtrace.io.DType;
import dev.provtrace.io.OutputGuard;
import dev.provtrace.model.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** Writes a model folder with random weights of a real model's shape, for benchmarks and memory checks. */
@Command(name = "random-model", mixinStandardHelpOptions = true,
        description = "Write config.json + model.safetensors with random weights of a preset's (or a config.json's) shape.")
final class RandomModelCommand implements Callable<Integer> {
    /** The bundled presets: Hugging Face's own config.json of each model, under /presets/NAME.json in the jar. */
    static final List<String> PRESETS = List.of("qwen2.5-0.5b", "qwen2.5-7b", "llama-2-7b", "llama-3.1-8b");

    @Option(names = "--preset", required = true, paramLabel = "PRESET|config.json",
            description = "qwen2.5-0.5b, qwen2.5-7b, llama-2-7b, llama-3.1-8b, or a config.json file")
    String preset;

    @Option(names = "--dtype", defaultValue = "bf16", description = "f32 or bf16 (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for config.json and model.safetensors (created if missing)")
    Path out;

    @Option(names = "--seed", defaultValue = "1234", description = "seed of the random weights (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        ObjectMapper om = new ObjectMapper();
        JsonNode raw = presetJson(preset);
        ModelConfig config = ModelConfig.parse(raw, preset);
        DType d = BenchCommand.parseDtype(dtype);
        OutputGuard.refuseStandardStream("--out", out);
        Files.createDirectories(out);
        AtomicOutput.write(out.resolve("config.json"), om.writerWithDefaultPrettyPrinter().writeValueAsBytes(raw));
        System.err.printf("writing %s random %s weights (%.2f B parameters) to %s%n", config.modelType(), d,
                config.parameterCount() / 1e9, out);
        RandomWeights.write(config, d, seed, out.resolve("model.safetensors"));
        return 0;
    }

    /** A bundled preset by name, or a config.json file. */
    static JsonNode presetJson(String name) throws Exception {
        ObjectMapper om = new ObjectMapper();
        Path p = Path.of(name);
        if (Files.isRegularFile(p)) return om.readTree(p.toFile());
        try (InputStream in = RandomModelCommand.class.getResourceAsStream("/presets/" + name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException(name + ": neither a config.json file nor a bundled preset ("
                        + String.join(", ", PRESETS) + ")");
            }
            return om.readTree(in);
        }
    }
}
