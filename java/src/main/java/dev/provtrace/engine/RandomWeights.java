package dev.provtrace.engine;

import dev.provtrace.io.DType;
import dev.provtrace.io.MemoryCheckpoint;
import dev.provtrace.io.SafetensorsWriter;
import dev.provtrace.model.ModelConfig;
import dev.provtrace.model.WeightSpec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random weights of a given architecture for benchmarks and memory checks: matrices uniform in ±0.05, norm weights
 * 1, biases ±0.01. Deterministic for a given seed.
 */
public final class RandomWeights {
    private RandomWeights() {}

    /** All tensors in native memory (no file). */
    public static MemoryCheckpoint create(ModelConfig config, DType dtype, long seed) {
        checkDtype(dtype);
        MemoryCheckpoint ckpt = new MemoryCheckpoint();
        for (Map.Entry<String, long[]> e : WeightSpec.expectedShapes(config).entrySet()) {
            ByteBuffer buf = ckpt.add(e.getKey(), dtype, e.getValue());
            fill(e.getKey(), dtype, seed, 0, buf);
        }
        return ckpt;
    }

    /** A model.safetensors for the config in {@code dir} (config.json is the caller's). */
    public static void write(ModelConfig config, DType dtype, long seed, Path file) throws IOException {
        checkDtype(dtype);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        WeightSpec.expectedShapes(config).forEach((name, shape) -> entries.add(new SafetensorsWriter.Entry(name, dtype, shape)));
        SafetensorsWriter.write(file, entries, Map.of("format", "pt"),
                (entry, first, chunk) -> fill(entry.name(), dtype, seed, first, chunk));
    }

    private static void checkDtype(DType dtype) {
        if (dtype != DType.F32 && dtype != DType.BF16) throw new IllegalArgumentException("random weights are F32 or BF16");
    }

    /** Elements [first, first + chunk.remaining()/size) of tensor {@code name}. */
    private static void fill(String name, DType dtype, long seed, long first, ByteBuffer chunk) {
        boolean norm = name.endsWith("norm.weight"), bias = name.endsWith(".bias");
        SplittableRandom rnd = new SplittableRandom(seed ^ name.hashCode() * 0x9E3779B97F4A7C15L ^ first);
        int n = chunk.remaining() / dtype.size();
        for (int i = 0; i < n; i++) {
            float v = norm ? 1f : (float) rnd.nextDouble(-0.05, 0.05) * (bias ? 0.2f : 1f);
            if (dtype == DType.F32) chunk.putFloat(i * 4, v);
            else chunk.putShort(i * 2, (short) (Float.floatToRawIntBits(v) >>> 16));
        }
    }
}
