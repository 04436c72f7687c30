// The scoring tail: log-softmax over the vocabulary, one chunk of LM-head logits at a time, so a batch never holds
// [rows × vocab] logits. cuBLAS writes the logits of vocabulary columns [start, start + cols) for every scored row;
// logits_chunk_f32 folds them into a per-row online state; logits_finish_f32 turns the state into results.
#include "common.cuh"

/**
 * Per-row state, fp32, [rows, 4]: m = max logit so far, s = Σ e^(l − m), d = Σ e^(l − m)·(l − m), t = the target's
 * logit (NaN until the chunk holding the target is seen). Top-k so far: top_val/top_id [rows, k], best first, ties
 * towards the smaller id (as the CPU backend). logits_init_f32 sets m = −inf, s = d = 0, t = NaN, top = (−inf, −1).
 * Launch: grid (ceil(rows / 256)), block (256).
 */
extern "C" __global__ void logits_init_f32(int rows, float* state, float* top_val, int* top_id, int k) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    state[4 * r + 0] = -INFINITY;
    state[4 * r + 1] = 0.0f;
    state[4 * r + 2] = 0.0f;
    state[4 * r + 3] = NAN;
    for (int j = 0; j < k; j++) {
        top_val[static_cast<long>(r) * k + j] = -INFINITY;
        top_id[static_cast<long>(r) * k + j] = -1;
    }
}
PT_REGISTER(logits_init_f32)

/** (v, id) ranks before (w, jd): larger value first, then the smaller id. */
__device__ __forceinline__ bool ranks_before(float v, int id, float w, int jd) { return v > w || (v == w && id < jd); }

/** Best (value, id) by ranks_before over the 32 lanes of a warp (butterfly: every lane gets it). */
__device__ __forceinline__ void warp_best(float& v, int& id) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        float ov = __shfl_xor_sync(0xffffffffu, v, offset);
        int oid = __shfl_xor_sync(0xffffffffu, id, offset);
        if (ranks_before(ov, oid, v, id)) {
            v = ov;
            id = oid;
        }
    }
}

/** Block-wide best (value, id) by ranks_before; every thread gets it. blockDim.x whole warps. */
__device__ void block_best(float& v, int& id) {
    __shared__ float vals[32];
    __shared__ int ids[32];
    warp_best(v, id);
    unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = (blockDim.x + 31) / 32;
    if (lane == 0) {
        vals[warp] = v;
        ids[warp] = id;
    }
    __syncthreads();
    v = lane < warps ? vals[lane] : -INFINITY;
    id = lane < warps ? ids[lane] : 0x7fffffff;
    warp_best(v, id);
    __syncthreads();
}

/**
 * Folds one chunk of logits into the state. Row r: logits[r, c] is the logit of token start + c, c < cols.
 *   chunk max cm, cs = Σ e^(l − cm), cd = Σ e^(l − cm)(l − cm); with M = max(m, cm), a = e^(m − M), b = e^(cm − M):
 *   s ← a·s + b·cs,  d ← a·(d + (m − M)·s) + b·(cd + (cm − M)·cs),  m ← M   (the first chunk just takes cs, cd);
 *   t ← the logit of targets[r] when it falls in this chunk;
 *   top-k: the chunk's k best by ranks_before (k block-wide selections, each the best ranking after the last), merged
 *   with the k kept so far.
 * Layouts: logits [rows, ld] fp32 (ld ≥ cols: cuBLAS's leading dimension); targets [rows] int32; state [rows, 4];
 * top_val/top_id [rows, k], k ≤ 64.
 * Launch: grid (rows), block (256); no dynamic shared memory.
 */
extern "C" __global__ void logits_chunk_f32(const float* logits, int ld, int cols, int start, const int* targets,
                                            float* state, float* top_val, int* top_id, int k) {
    const float* l = logits + static_cast<long>(blockIdx.x) * ld;
    float* st = state + 4 * blockIdx.x;
    float cm = -INFINITY;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) cm = fmaxf(cm, l[c]);
    cm = warp_max(cm);
    __shared__ float warp_maxes[32];
    unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = (blockDim.x + 31) / 32;
    if (lane == 0) warp_maxes[warp] = cm;
    __syncthreads();
    cm = warp_max(lane < warps ? warp_maxes[lane] : -INFINITY);
    float cs = 0.0f, cd = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float x = l[c] - cm, e = expf(x);
        cs += e;
        cd += e * x;
    }
    cs = block_sum(cs);
    cd = block_sum(cd);

    __shared__ float chunk_val[64];
    __shared__ int chunk_id[64];
    float last_v = INFINITY;
    int last_id = -1;
    for (int j = 0; j < k; j++) {
        float v = -INFINITY;
        int id = 0x7fffffff;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) {
            float x = l[c];
            int xid = start + c;
            if (ranks_before(last_v, last_id, x, xid) && ranks_before(x, xid, v, id)) {
                v = x;
                id = xid;
            }
        }
        block_best(v, id);
        if (threadIdx.x == 0) {
            chunk_val[j] = v;
            chunk_id[j] = id < start + cols ? id : -1;
        }
        last_v = v;
        last_id = id;
    }
    __syncthreads();
    if (threadIdx.x != 0) return;

    float m = st[0], s = st[1], d = st[2];
    if (s == 0.0f) {
        st[0] = cm;
        st[1] = cs;
        st[2] = cd;
    } else {
        float M = fmaxf(m, cm), a = expf(m - M), b = expf(cm - M);
        st[1] = a * s + b * cs;
        st[2] = a * (d + (m - M) * s) + b * (cd + (cm - M) * cs);
        st[0] = M;
    }
    int target = targets[blockIdx.x];
    if (target >= start && target < start + cols) st[3] = l[target - start];

    if (k == 0) return;
    float* kv = top_val + static_cast<long>(blockIdx.x) * k;
    int* ki = top_id + static_cast<long>(blockIdx.x) * k;
    float merged_v[64];
    int merged_i[64];
    int a = 0, b = 0;
    for (int j = 0; j < k; j++) {
        bool take_old = b >= k || chunk_id[b] < 0 || (a < k && ki[a] >= 0 && ranks_before(kv[a], ki[a], chunk_val[b], chunk_id[b]));
        if (take_old) {
            merged_v[j] = kv[a];
            merged_i[j] = ki[a++];
        } else {
            merged_v[j] = chunk_val[b];
            merged_i[j] = chunk_id[b++];
        }
    }
    for (int j = 0; j < k; j++) {
        kv[j] = merged_v[j];
        ki[j] = merged_i[j];
    }
}
PT_REGISTER(logits_chunk_f32)

/**
 * The rank's second sweep, after every chunk went through logits_chunk_f32 (so t, the target's logit, is known):
 * rank[r] = 1 + #{c over all chunks : logits[r, c] > t}. The chunks are the same GEMMs again, so the logits are
 * bitwise those of the first sweep and the target never counts against itself. The chunk at start 0 begins the
 * count at 1, later chunks add to it. Counts are summed in fp32, exact below 2^24 per chunk.
 * Layouts: logits [rows, ld] fp32; state [rows, 4] (t at 3); rank [rows] int32.
 * Launch: grid (rows), block (256); no dynamic shared memory.
 */
extern "C" __global__ void logits_rank_f32(const float* logits, int ld, int cols, int start, const float* state, int* rank) {
    const float* l = logits + static_cast<long>(blockIdx.x) * ld;
    float t = state[4 * blockIdx.x + 3];
    float above = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) above += l[c] > t ? 1.0f : 0.0f;
    above = block_sum(above);
    if (threadIdx.x == 0) rank[blockIdx.x] = (start == 0 ? 1 : rank[blockIdx.x]) + static_cast<int>(above);
}
PT_REGISTER(logits_rank_f32)

/**
 * Results from the state: log Z = m + log s; logprob[r] = t − log Z; entropy[r] = log s − d / s (nats);
 * top_logprob[r, j] = top_val[r, j] − log Z. entropy and top_logprob may be null when not asked for.
 * Launch: grid (ceil(rows / 256)), block (256).
 */
extern "C" __global__ void logits_finish_f32(int rows, const float* state, const float* top_val, int k, float* logprob,
                                             float* entropy, float* top_logprob) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    float m = state[4 * r], s = state[4 * r + 1], d = state[4 * r + 2], t = state[4 * r + 3];
    float log_s = logf(s), log_z = m + log_s;
    logprob[r] = t - log_z;
    if (entropy != nullptr) entropy[r] = log_s - d / s;
    if (top_logprob != nullptr)
        for (int j = 0; j < k; j++) top_logprob[static_cast<long>(r) * k + j] = top_val[static_cast<long>(r) * k + j] - log_z;
}
PT_REGISTER(logits_finish_f32)
