package dev.provtrace.engine;

import dev.provtrace.io.TensorView;

/**
 * The ops the forward pass is written against, once. The CPU backend (OpenBLAS + Vector API) and the CUDA
 * backend implement them on their own buffers. All activations are fp32, row-major, one row per token.
 * Weights stay in their file dtype; a backend widens them to fp32 as it uses them.
 */
public interface Backend extends AutoCloseable {

    /** An fp32 activation buffer owned by the backend. */
    interface Buffer extends AutoCloseable {
        long capacity();

        /** Copy {@code n} floats starting at {@code offset} to the heap (for tests and results). */
        float[] read(long offset, int n);

        /** Copy from the heap into this buffer at {@code offset}. */
        void write(long offset, float[] src);

        @Override
        void close();
    }

    /** A weight tensor made usable by the backend (a view of the mapped file on CPU, a device copy on GPU). */
    interface Weight {
        TensorView view();

        /** Number of rows (first dim); 1-D tensors are one row. */
        int rows();

        /** Elements per row (product of the remaining dims; the length for 1-D tensors). */
        int cols();
    }

    String name();

    Buffer allocate(long floats);

    Weight weight(TensorView tensor);

    /** out[t, :] = table[ids[t], :]  — out is [ids.length, table.cols]. */
    void embed(Weight table, int[] ids, Buffer out);

    /**
     * out[r, :] = weight ⊙ x[r, :] / sqrt(mean(x[r, :]²) + eps) for rows r < rows, each of {@code dim} elements.
     * Used with dim = hidden (layer norms) and dim = headDim over rows = tokens·heads (Qwen3 q/k norms).
     * out may be x.
     */
    void rmsnorm(Buffer x, Weight weight, float eps, Buffer out, int rows, int dim);

    /** out[r, n] = Σ_k x[r, k] · w[n, k] (+ bias[n])  — x [rows, K], w [N, K] as stored by HF, out [rows, N]. */
    void matmul(Buffer x, Weight w, Weight bias, Buffer out, int rows);

    /**
     * Rotary embedding in place, "rotate_half" pairing (dimension i with i + headDim/2) as Hugging Face does:
     * x' [i] = x[i]·cos − x[i+h]·sin,  x'[i+h] = x[i+h]·cos + x[i]·sin,  with cos/sin of row positions[r].
     * x is [rows, heads·headDim].
     */
    void rope(Buffer x, int rows, int heads, int headDim, int[] positions, RopeTable table);

    /**
     * Causal grouped-query attention over packed sequences (no attention across sequences):
     * out[t, h] = Σ_j softmax_j(q[t,h]·k[j,g]·scale) v[j,g] with g = h / (heads/kvHeads), j in the same sequence,
     * j ≤ t, and t − j < window when window > 0. q/out are [tokens, heads·headDim], k/v [tokens, kvHeads·headDim].
     */
    void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, int heads, int kvHeads,
                   int headDim, float scale, int window);

    /** dst[i, :] = src[rows[i], :] for rows of {@code width} floats (gathers the rows that predict a token). */
    void gatherRows(Buffer src, int[] rows, int width, Buffer dst);

    /** gate[i] = silu(gate[i]) · up[i] for i < n. */
    void swiglu(Buffer gate, Buffer up, long n);

    /** x[i] += y[i] for i < n. */
    void add(Buffer x, Buffer y, long n);

    /**
     * Next-token scores: for each row r of hidden [rows, H], logits = hidden[r]·lmHeadᵀ (never all rows × vocab
     * at once), then log-softmax in fp32: the log-prob of targets[r], optionally top-k and entropy.
     */
    void nextTokenScores(Buffer hidden, int rows, Weight lmHead, int[] targets, ScoreOptions options, RowScores out);

    @Override
    void close();
}
