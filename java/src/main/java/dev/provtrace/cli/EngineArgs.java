package dev.provtrace.cli;

import dev.provtrace.engine.Backends;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.engine.Precision;
import picocli.CommandLine.Option;

/** The scoring options every command that runs models shares (a picocli mixin). */
final class EngineArgs {
    @Option(names = "--threads", paramLabel = "N", description = "threads (default: all cores)")
    Integer threads;

    @Option(names = "--batch-tokens", paramLabel = "N",
            description = "tokens packed into one forward pass (default: 4096 on cpu; on a GPU, what its free memory holds after the weights, at most 65536); a longer text runs in chunks of N tokens (chunked prefill), never truncated")
    Integer batchTokens;

    @Option(names = "--allow-long", description = "score texts longer than a model's max_position_embeddings")
    boolean allowLong;

    @Option(names = "--skip-weight-scan",
            description = "do not scan the weights for NaN/Inf before scoring (default: scanned; a record whose log-probs still come out non-finite is rejected)")
    boolean skipWeightScan;

    @Option(names = "--batch-invariant",
            description = "make each text's numbers bitwise the same whatever it is batched with (on cuda: a fixed-order GEMM kernel instead of cuBLAS, slower; cpu and the scores' cache key note it too; default: off)")
    boolean batchInvariant;

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "where to score: cuda or cuda:N (a GPU), cpu, or cuda-emu (the CUDA backend on an emulated device: slow, for tests); default: cuda when a usable GPU is found, else cpu")
    String device;

    /** --device as given, else what this machine has (the resolved name is what manifests and caches record). */
    String device() {
        if (device == null) device = Backends.defaultDevice();
        return device;
    }

    @Option(names = "--precision", paramLabel = "fp32|bf16|fp16",
            description = "what the GEMMs compute in: fp32; bf16 inputs with fp32 accumulation; or fp16 (cpu with AVX512-FP16 only: fp16 inputs and products, sums in fp16 for 128 k-pairs then fp32; the fast one there) (default: bf16 on a cuda device, fp32 on cpu and cuda-emu); the residual stream and log-softmax are fp32 in all")
    String precision;

    /** --precision as given, else the device's default. */
    Precision precision() {
        return precision != null ? Precision.parse(precision) : Precision.defaultFor(device());
    }

    EngineOptions options() {
        // checked here, not only in EngineOptions, so the message names the option the user typed
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        if (batchTokens != null && batchTokens < 1) throw new IllegalArgumentException("--batch-tokens must be >= 1, got " + batchTokens);
        EngineOptions options = new EngineOptions(threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                batchTokens != null ? batchTokens : EngineOptions.AUTO_BATCH_TOKENS,
                allowLong, !skipWeightScan, device(), precision(), batchInvariant);
        Backends.provider(device());   // an unknown or unavailable device fails here, naming the ones there are
        return options;
    }
}
