package dev.provtrace.engine;

import dev.provtrace.io.Checkpoint;
import dev.provtrace.model.ModelConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Teacher-forced scoring of token sequences under one model: sequences are packed into forward passes of at most
 * {@code batchTokens} tokens (no padding, so batching never changes the numbers) and every token with a prefix
 * gets log p(token | prefix).
 */
public final class Engine implements AutoCloseable {
    private final ModelConfig config;
    private final Checkpoint checkpoint;
    private final Backend backend;
    private final ForwardPass forward;
    private final EngineOptions options;

    public Engine(ModelConfig config, Checkpoint checkpoint, Backend backend, EngineOptions options) {
        this.config = config;
        this.checkpoint = checkpoint;
        this.backend = backend;
        this.options = options;
        this.forward = new ForwardPass(config, backend, ModelWeights.bind(config, checkpoint, backend));
    }

    /**
     * Loads config.json and the safetensors of a Hugging Face model folder onto the backend of
     * {@link EngineOptions#device()} (looked up through {@link Backends}), after checking the
     * tensors against the config and (unless {@link EngineOptions#scanWeights()} is off) scanning them for NaN/Inf.
     */
    public static Engine load(Path modelDir, EngineOptions options) throws IOException {
        ModelConfig config = ModelConfig.load(modelDir.resolve("config.json"));
        Checkpoint ckpt = Checkpoint.open(modelDir);
        try {
            dev.provtrace.model.WeightSpec.validate(ckpt, config, w -> System.err.println("warning: " + w));
            if (options.scanWeights()) dev.provtrace.model.FiniteWeights.require(ckpt, config, options.threads());
            Backends.announce(options);
            Backend backend = Backends.open(options);
            try {
                return new Engine(config, ckpt, backend, options);
            } catch (RuntimeException e) {
                backend.close();
                throw e;
            }
        } catch (RuntimeException | IOException e) {
            ckpt.close();
            throw e;
        }
    }

    public ModelConfig config() { return config; }

    public Checkpoint checkpoint() { return checkpoint; }

    public Backend backend() { return backend; }

    /**
     * Scores every sequence (each ≥ 1 token), packing them into forward passes of at most batchTokens tokens.
     * Results come back in input order. {@code progress} receives the number of tokens finished after each pass.
     */
    public List<TokenScores> score(List<int[]> sequences, ScoreOptions scoreOptions, LongConsumer progress) {
        for (int i = 0; i < sequences.size(); i++) check(i, sequences.get(i));
        TokenScores[] results = new TokenScores[sequences.size()];
        int i = 0;
        while (i < sequences.size()) {
            int j = i, tokens = 0;
            while (j < sequences.size() && (j == i || tokens + sequences.get(j).length <= options.batchTokens())) {
                tokens += sequences.get(j++).length;
            }
            List<TokenScores> part = scoreBatch(sequences.subList(i, j), scoreOptions);
            for (int k = i; k < j; k++) results[k] = part.get(k - i);
            if (progress != null) progress.accept(tokens);
            i = j;
        }
        return Arrays.asList(results);
    }

    private void check(int index, int[] ids) {
        if (ids.length == 0) throw new IllegalArgumentException("sequence " + index + " is empty");
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] < 0 || ids[t] >= config.vocabSize()) {
                throw new IllegalArgumentException("sequence " + index + ", token " + t + ": id " + ids[t]
                        + " is outside the model's vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        String tooLong = lengthProblem(ids.length);
        if (tooLong != null) throw new IllegalArgumentException("sequence " + index + ": " + tooLong);
    }

    /** Why a sequence of this many tokens would be refused, or null if it can be scored. */
    public String lengthProblem(int tokens) {
        if (tokens > config.maxPositionEmbeddings() && !options.allowLong()) {
            return tokens + " tokens is more than the model's max_position_embeddings " + config.maxPositionEmbeddings()
                    + " (--allow-long scores it anyway; it is never truncated)";
        }
        return null;
    }

    /** One forward pass over sequences packed end to end. */
    private List<TokenScores> scoreBatch(List<int[]> sequences, ScoreOptions scoreOptions) {
        PackedBatch batch = new PackedBatch(sequences);
        int[] predicting = new int[batch.tokens() - batch.sequences()];
        int r = 0;
        for (int s = 0; s < batch.sequences(); s++) {
            for (int t = 0; t + 1 < batch.lengths[s]; t++) predicting[r++] = batch.starts[s] + t;
        }
        RowScores rows = forward.run(batch, predicting, scoreOptions);
        List<TokenScores> out = new ArrayList<>(sequences.size());
        r = 0;
        for (int s = 0; s < batch.sequences(); s++) {
            int n = batch.lengths[s];
            float[] lp = new float[n];
            float[] ent = scoreOptions.entropy() ? new float[n] : null;
            int[][] topIds = scoreOptions.topK() > 0 ? new int[n][] : null;
            float[][] topLp = scoreOptions.topK() > 0 ? new float[n][] : null;
            lp[0] = Float.NaN;
            if (ent != null) ent[0] = Float.NaN;
            for (int t = 1; t < n; t++, r++) {
                lp[t] = rows.logprob[r];
                if (ent != null) ent[t] = rows.entropy[r];
                if (topIds != null) {
                    topIds[t] = rows.topIds[r];
                    topLp[t] = rows.topLogprobs[r];
                }
            }
            out.add(new TokenScores(lp, topIds, topLp, ent));
        }
        return out;
    }

    @Override
    public void close() {
        forward.close();
        backend.close();
        checkpoint.close();
    }
}
