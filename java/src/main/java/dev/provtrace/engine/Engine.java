package dev.provtrace.engine;

import dev.provtrace.model.ModelConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/** Teacher-forced scoring of token sequences under one model. (Stub: the forward pass lands next.) */
public final class Engine implements AutoCloseable {
    public static Engine load(Path modelDir, EngineOptions options) throws IOException {
        throw new UnsupportedOperationException("engine not implemented yet");
    }

    public ModelConfig config() {
        throw new UnsupportedOperationException();
    }

    /**
     * Scores every sequence (each ≥ 1 token), packing them into forward passes of at most batchTokens tokens.
     * Results come back in input order. {@code progress} receives the number of tokens finished after each pass.
     */
    public List<TokenScores> score(List<int[]> sequences, ScoreOptions options, LongConsumer progress) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
}
