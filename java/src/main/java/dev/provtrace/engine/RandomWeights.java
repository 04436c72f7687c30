package dev.provtrace.engine;

import dev.provtrace.io.DType;
import dev.provtrace.io.MemoryCheckpoint;
import dev.provtrace.model.ModelConfig;
import dev.provtrace.model.WeightSpec;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random weights of a given architecture, in memory, for benchmarks: matrices uniform in ±0.05 (about the std
 * of HF's 0.02-normal init scaled up so the logits are not flat), norm weights 1, biases small. Deterministic.
 */
public final class RandomWeights {
    private RandomWeights() {}

    public static MemoryCheckpoint create(ModelConfig config, DType dtype, long seed) {
        if (dtype != DType.F32 && dtype != DType.BF16) throw new IllegalArgumentException("random weights are F32 or BF16");
        MemoryCheckpoint ckpt = new MemoryCheckpoint();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Map.Entry<String, long[]> e : WeightSpec.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            ByteBuffer buf = ckpt.add(name, dtype, e.getValue());
            boolean norm = name.endsWith("norm.weight");
            boolean bias = name.endsWith(".bias");
            long n = buf.capacity() / dtype.size();
            for (long i = 0; i < n; i++) {
                float v = norm ? 1f : (float) rnd.nextDouble(-0.05, 0.05) * (bias ? 0.2f : 1f);
                if (dtype == DType.F32) buf.putFloat((int) (i * 4), v);
                else buf.putShort((int) (i * 2), (short) (Float.floatToRawIntBits(v) >>> 16));
            }
        }
        return ckpt;
    }
}
