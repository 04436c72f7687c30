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
     * A sequence longer than batchTokens runs in chunks of batchTokens tokens (chunked prefill): it starts a pass of
     * its own, each chunk's keys and values stay on the backend for the later chunks' attention, and sequences that
     * fit are packed after its last chunk. Its scores are the ones of one pass over the whole sequence (bitwise where
     * the GEMMs do not depend on the rows beside them: --batch-invariant).
     * <p>
     * Pipelined: the host packs and uploads pass i+1, then turns the results of pass i into scores while
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
        List<Plan> plans = plan(sequences, batchTokens);
        Scores out = new Scores(sequences, firstScored, scoreOptions);
        Submitted running = null;
        for (int p = 0; p < plans.size(); p++) {
            Plan plan = plans.get(p);
            Piece head = plan.pieces().get(0);
            if (plan.keepKv() && head.from() == 0) forward.reserveKv(keptRows(plans, p), batchTokens);   // before a long sequence's first chunk
            Submitted next = submit(plan, sequences, out, scoreOptions);
            if (running != null) running.finish(out, progress);
            running = next;
        }
        if (running != null) running.finish(out, progress);
        return out.done();
    }

    /** Tokens [from, to) of sequence {@code seq} in a pass. */
    record Piece(int seq, int from, int to) {}

    /**
     * One pass: its pieces in order, its tokens, and whether its first piece is a chunk that goes on in a later pass
     * (its keys and values are kept). Only the first piece of a pass may be a later chunk.
     */
    record Plan(List<Piece> pieces, int tokens, boolean keepKv) {}

    /**
     * Packs sequences in order into passes of at most {@code batchTokens} tokens. A sequence longer than that starts a
     * pass of its own and runs in chunks of batchTokens tokens, one pass each; sequences that fit are packed after its
     * last chunk. Nothing is reordered, dropped or cut short: the pieces of each sequence cover it.
     */
    static List<Plan> plan(List<int[]> sequences, int batchTokens) {
        List<Plan> plans = new ArrayList<>();
        int i = 0, pos = 0;
        while (i < sequences.size()) {
            List<Piece> pieces = new ArrayList<>();
            int len = sequences.get(i).length;
            if (len - pos > batchTokens) {                                     // a chunk that goes on in the next pass
                pieces.add(new Piece(i, pos, pos + batchTokens));
                pos += batchTokens;
                plans.add(new Plan(pieces, batchTokens, true));
                continue;
            }
            pieces.add(new Piece(i, pos, len));
            int tokens = len - pos;
            i++;
            pos = 0;
            while (i < sequences.size() && sequences.get(i).length <= batchTokens - tokens) {
                pieces.add(new Piece(i, 0, sequences.get(i).length));
                tokens += sequences.get(i++).length;
            }
            plans.add(new Plan(pieces, tokens, false));
        }
        return plans;
    }

    /** Kept key rows the long sequence starting at plans[p] needs: over its chunks, its cached tokens + the pass's. */
    private static int keptRows(List<Plan> plans, int p) {
        int seq = plans.get(p).pieces().get(0).seq(), rows = 0;
        for (int q = p; q < plans.size() && plans.get(q).pieces().get(0).seq() == seq; q++) {
            rows = Math.max(rows, plans.get(q).pieces().get(0).from() + plans.get(q).tokens());
        }
        return rows;
    }

    /** The scores of every sequence, filled pass by pass (a long sequence's over several). */
    private static final class Scores {
        final List<int[]> sequences;
        final int[] firstScored;
        final ScoreOptions options;
        final float[][] logprob, entropy, topLogprobs[];
        final int[][][] topIds;
        final int[][] rank;

        Scores(List<int[]> sequences, int[] firstScored, ScoreOptions options) {
            this.sequences = sequences;
            this.firstScored = firstScored;
            this.options = options;
            int n = sequences.size();
            logprob = new float[n][];
            entropy = new float[n][];
            topLogprobs = new float[n][][];
            topIds = new int[n][][];
            rank = new int[n][];
        }

        int from(int seq) { return firstScored == null ? 1 : firstScored[seq]; }

        /** Tokens t in [begin, end) of a piece have their row scored: it predicts t + 1, a scored token. */
        int begin(Piece p) { return Math.max(p.from(), from(p.seq()) - 1); }

        int end(Piece p) { return Math.max(begin(p), Math.min(p.to(), sequences.get(p.seq()).length - 1)); }

        /** Sequence {@code seq}'s arrays, made on first use with NaN (null top-k) before its first scored token. */
        void open(int seq) {
            if (logprob[seq] != null) return;
            int n = sequences.get(seq).length, from = from(seq);
            logprob[seq] = new float[n];
            Arrays.fill(logprob[seq], 0, from, Float.NaN);
            if (options.entropy()) {
                entropy[seq] = new float[n];
                Arrays.fill(entropy[seq], 0, from, Float.NaN);
            }
            if (options.topK() > 0) {
                topIds[seq] = new int[n][];
                topLogprobs[seq] = new float[n][];
            }
            if (options.rank()) rank[seq] = new int[n];
        }

        List<TokenScores> done() {
            List<TokenScores> out = new ArrayList<>(sequences.size());
            for (int s = 0; s < sequences.size(); s++) {
                if (logprob[s] == null) throw new IllegalStateException("sequence " + s + " was never scored");
                out.add(new TokenScores(logprob[s], topIds[s], topLogprobs[s], entropy[s], rank[s]));
            }
            return out;
        }
    }

    /** A pass whose work is enqueued; {@link #finish} waits for its results and files them under their sequences. */
    private final class Submitted {
        final Pass pass;
        final Plan plan;

        Submitted(Pass pass, Plan plan) {
            this.pass = pass;
            this.plan = plan;
        }

        void finish(Scores out, LongConsumer progress) {
            try (pass) {
                RowScores rows = pass.results();
                int r = 0;
                for (Piece piece : plan.pieces()) {
                    out.open(piece.seq());
                    for (int t = out.begin(piece); t < out.end(piece); t++, r++) {
                        int token = t + 1;   // row t predicts token t + 1
                        out.logprob[piece.seq()][token] = rows.logprob[r];
                        if (out.entropy[piece.seq()] != null) out.entropy[piece.seq()][token] = rows.entropy[r];
                        if (out.rank[piece.seq()] != null) out.rank[piece.seq()][token] = rows.rank[r];
                        if (out.topIds[piece.seq()] != null) {
                            out.topIds[piece.seq()][token] = rows.topIds[r];
                            out.topLogprobs[piece.seq()][token] = rows.topLogprobs[r];
                        }
                    }
                }
                if (r != rows.logprob.length) throw new IllegalStateException(rows.logprob.length + " rows scored, " + r + " filed");
            }
            if (progress != null) progress.accept(plan.tokens());
        }
    }

    /** Packs a plan's pieces end to end, uploads the pass and enqueues its forward pass. */
    private Submitted submit(Plan plan, List<int[]> sequences, Scores out, ScoreOptions scoreOptions) {
        List<int[]> ids = new ArrayList<>(plan.pieces().size());
        int[] cached = new int[plan.pieces().size()];
        for (int i = 0; i < cached.length; i++) {
            Piece piece = plan.pieces().get(i);
            int[] seq = sequences.get(piece.seq());
            ids.add(piece.from() == 0 && piece.to() == seq.length ? seq : Arrays.copyOfRange(seq, piece.from(), piece.to()));
            cached[i] = piece.from();
        }
        PackedBatch batch = new PackedBatch(ids, cached);
        int rows = 0;
        for (Piece piece : plan.pieces()) rows += out.end(piece) - out.begin(piece);
        int[] scoreRows = new int[rows], targets = new int[rows];
        int r = 0;
        for (int i = 0; i < cached.length; i++) {
            Piece piece = plan.pieces().get(i);
            int[] seq = sequences.get(piece.seq());
            for (int t = out.begin(piece); t < out.end(piece); t++, r++) {
                scoreRows[r] = batch.starts[i] + t - piece.from();   // the row of token t predicts token t + 1
                targets[r] = seq[t + 1];
            }
        }
        forward.coverPositions(batch.positionsEnd());        // between passes: never inside an op
        Pass pass = backend.upload(batch, scoreRows, targets, scoreOptions);
        try {
            forward.run(pass, plan.keepKv());
        } catch (RuntimeException e) {
            pass.close();
            throw e;
        }
        return new Submitted(pass, plan);
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

    @Override
    public void close() {
        forward.close();
        backend.close();
        checkpoint.close();
    }
}
