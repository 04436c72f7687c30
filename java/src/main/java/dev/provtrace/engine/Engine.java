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
    private final int batchTokens;

    public Engine(ModelConfig config, Checkpoint checkpoint, Backend backend, EngineOptions options) {
        this.config = config;
        this.checkpoint = checkpoint;
        this.backend = backend;
        this.options = options;
        // RoPE positions from load on: what one pass can hold, bounded by the model's context (a longer sequence,
        // let in by --allow-long, grows the table between passes)
        int ropePositions = Math.min(options.batchTokens() > 0 ? options.batchTokens() : EngineOptions.DEFAULT_BATCH_TOKENS,
                Math.max(1, config.maxPositionEmbeddings()));
        this.forward = new ForwardPass(config, backend, ModelWeights.bind(config, checkpoint, backend),
                options.precision(), ropePositions);
        this.batchTokens = options.batchTokens() > 0 ? options.batchTokens() : autoBatchTokens();
    }

    /**
     * --batch-tokens when none was given: what the device's free memory holds after the weights (at most
     * {@link EngineOptions#MAX_AUTO_BATCH_TOKENS}), or {@link EngineOptions#DEFAULT_BATCH_TOKENS} where memory is not
     * the limit (the CPU). A device too full for even one token is an error that says so.
     */
    private int autoBatchTokens() {
        long fit = backend.batchTokensThatFit(config, forward.activationBytesPerToken());
        if (fit < 0) return EngineOptions.DEFAULT_BATCH_TOKENS;
        if (fit < 1) {
            throw new OutOfDeviceMemoryException("out of device memory: the weights of " + config.modelType()
                    + " leave no room for the activations of one token on " + backend.name(), forward.activationBytesPerToken());
        }
        return (int) Math.min(fit, EngineOptions.MAX_AUTO_BATCH_TOKENS);
    }

    /** Most tokens packed into one pass: --batch-tokens, or the backend's choice when it was not given. */
    public int batchTokens() { return batchTokens; }

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
        return score(sequences, null, scoreOptions, progress);
    }

    /**
     * As {@link #score(List, ScoreOptions, LongConsumer)}, scoring in sequence s only the tokens from
     * {@code firstScored[s]} on (≥ 1; the sequence's length scores none): the rows before it still run through
     * the layers (they are the later tokens' context) but never through the LM head, and their scores are NaN
     * (null top-k), as token 0's always are. {@code firstScored} null scores every token.
     * <p>
     * Pipelined: the host packs and uploads pass i+1, then turns the results of pass i into TokenScores while
     * pass i+1 runs on the device (on the CPU and the emulated device every op has finished when it returns, so
     * this is the same work in the same order).
     */
    public List<TokenScores> score(List<int[]> sequences, int[] firstScored, ScoreOptions scoreOptions, LongConsumer progress) {
        if (firstScored != null && firstScored.length != sequences.size()) {
            throw new IllegalArgumentException(firstScored.length + " first-scored tokens for " + sequences.size() + " sequences");
        }
        for (int i = 0; i < sequences.size(); i++) {
            check(i, sequences.get(i));
            if (firstScored != null && (firstScored[i] < 1 || firstScored[i] > sequences.get(i).length)) {
                throw new IllegalArgumentException("sequence " + i + ": first token to score " + firstScored[i]
                        + " is outside [1, " + sequences.get(i).length + "]");
            }
        }
        TokenScores[] results = new TokenScores[sequences.size()];
        Submitted running = null;
        int i = 0;
        while (i < sequences.size()) {
            int j = i, tokens = 0;
            while (j < sequences.size() && (j == i || tokens + sequences.get(j).length <= batchTokens)) {
                tokens += sequences.get(j++).length;
            }
            Submitted next = submit(sequences.subList(i, j), firstScored, i, tokens, scoreOptions);
            if (running != null) running.finish(results, progress);
            running = next;
            i = j;
        }
        if (running != null) running.finish(results, progress);
        return Arrays.asList(results);
    }

    /** A pass whose work is enqueued; {@link #finish} waits for its results and unpacks them into {@code out}. */
    private final class Submitted {
        final Pass pass;
        final int first;      // index of its first sequence in the caller's list
        final int[] from;     // per sequence of the pass: first scored token
        final int tokens;

        Submitted(Pass pass, int first, int[] from, int tokens) {
            this.pass = pass;
            this.first = first;
            this.from = from;
            this.tokens = tokens;
        }

        void finish(TokenScores[] out, LongConsumer progress) {
            try (pass) {
                List<TokenScores> part = unpack(pass, from);
                for (int k = 0; k < part.size(); k++) out[first + k] = part.get(k);
            }
            if (progress != null) progress.accept(tokens);
        }
    }

    /** Packs sequences end to end, uploads the pass and enqueues its forward pass. */
    private Submitted submit(List<int[]> sequences, int[] firstScored, int first, int tokens, ScoreOptions scoreOptions) {
        PackedBatch batch = new PackedBatch(sequences);
        int[] from = new int[batch.sequences()];
        int rows = 0;
        for (int s = 0; s < batch.sequences(); s++) {
            from[s] = firstScored == null ? 1 : firstScored[first + s];
            rows += batch.lengths[s] - from[s];
        }
        int[] scoreRows = new int[rows], targets = new int[rows];
        int r = 0;
        for (int s = 0; s < batch.sequences(); s++) {
            for (int t = from[s]; t < batch.lengths[s]; t++, r++) {
                scoreRows[r] = batch.starts[s] + t - 1;    // the row that predicts token t
                targets[r] = batch.ids[batch.starts[s] + t];
            }
        }
        forward.coverPositions(batch.maxLength());          // between passes: never inside an op
        Pass pass = backend.upload(batch, scoreRows, targets, scoreOptions);
        try {
            forward.run(pass);
        } catch (RuntimeException e) {
            pass.close();
            throw e;
        }
        return new Submitted(pass, first, from, tokens);
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

    /** The TokenScores of each sequence of a finished pass; tokens before from[s] (and token 0) get NaN / null. */
    private static List<TokenScores> unpack(Pass pass, int[] from) {
        PackedBatch batch = pass.batch();
        ScoreOptions scoreOptions = pass.options();
        RowScores rows = pass.results();
        List<TokenScores> out = new ArrayList<>(batch.sequences());
        int r = 0;
        for (int s = 0; s < batch.sequences(); s++) {
            int n = batch.lengths[s];
            float[] lp = new float[n];
            float[] ent = scoreOptions.entropy() ? new float[n] : null;
            int[][] topIds = scoreOptions.topK() > 0 ? new int[n][] : null;
            float[][] topLp = scoreOptions.topK() > 0 ? new float[n][] : null;
            Arrays.fill(lp, 0, from[s], Float.NaN);
            if (ent != null) Arrays.fill(ent, 0, from[s], Float.NaN);
            for (int t = from[s]; t < n; t++, r++) {
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
