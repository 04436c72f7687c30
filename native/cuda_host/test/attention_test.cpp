// attention_hd*_{f32,bf16} on the emulated device against a naive double-precision causal attention per sequence:
// packed batches of sequences of 1, odd and multi-tile lengths (a block holds 16 queries, a tile 32 keys), GQA ratios
// 1, 4 and 7, sliding windows narrower and wider than a tile, every supported head size, guard regions around out;
// sequences with cached keys before their queries (chunked prefill: cu_seqlens_k ≠ cu_seqlens_q, causality aligned
// bottom-right), and a chunk bitwise equal to the same rows computed in one pass over the whole sequence. The same
// cases (with blocks of 64 queries and tiles of 64 keys) for attention_mma_hd*_bf16, the tensor-core kernels of bf16
// precision, whose mma.sync the emulator runs with PTX's fragment layout.
#include "op_test.h"

#include <cuda_bf16.h>

#include <algorithm>

extern "C" int attention_shared_bytes(int hd);
extern "C" int attention_mma_shared_bytes(int hd);

using namespace op_test;

namespace {

/** A kernel family: attention.cu's fp32 kernels (16 queries a block) or attention_mma.cu's tensor-core ones (64). */
struct Family {
    const char* prefix;
    int queries_per_block;
    int (*shared_bytes)(int);
    bool mma;
};
const Family kScalar{"attention_hd", 16, attention_shared_bytes, false};
const Family kMma{"attention_mma_hd", 64, attention_mma_shared_bytes, true};

struct Batch {
    std::vector<int> cu_q{0}, cu_k{0};   // query rows and key rows of each sequence
    std::vector<int> past;               // cached keys of each sequence (before its queries)

    Batch(const std::vector<int>& lengths, const std::vector<int>& cached) {
        for (size_t s = 0; s < lengths.size(); s++) {
            int c = s < cached.size() ? cached[s] : 0;
            past.push_back(c);
            cu_q.push_back(cu_q.back() + lengths[s]);
            cu_k.push_back(cu_k.back() + c + lengths[s]);
        }
    }
    int sequences() const { return static_cast<int>(past.size()); }
    int tokens() const { return cu_q.back(); }
    int keys() const { return cu_k.back(); }
    int max_len() const {
        int m = 0;
        for (int s = 0; s < sequences(); s++) m = std::max(m, cu_q[s + 1] - cu_q[s]);
        return m;
    }
};

/** Launches a family's <hd>_* kernel with separate q [tokens, heads·hd] and k, v [keys, kv_heads·hd] buffers. */
int launch_attention(const Family& f, const std::string& name, const Batch& b, const float* q, const float* k, const float* v, void* out,
                     Guarded<int>& cu_q, Guarded<int>& cu_k, int heads, int kv_heads, int hd, float scale, int window) {
    for (int s = 0; s <= b.sequences(); s++) {
        cu_q[s] = b.cu_q[s];
        cu_k[s] = b.cu_k[s];
    }
    const int* p_cq = cu_q.data();
    const int* p_ck = cu_k.data();
    long q_stride = static_cast<long>(heads) * hd, kv_stride = static_cast<long>(kv_heads) * hd;
    void* args[] = {&q, &k, &v, &out, &p_cq, &p_ck, &q_stride, &kv_stride, &heads, &kv_heads, &scale, &window};
    int per_block = f.queries_per_block;
    return cuda_host_launch(name.c_str(), (b.max_len() + per_block - 1) / per_block, heads, static_cast<unsigned>(b.sequences()),
                            128, 1, 1, f.shared_bytes(hd), args);
}

void run(const Family& f, const std::vector<int>& lengths, int heads, int kv_heads, int hd, int window, bool bf16_out, std::mt19937& rng,
         const std::vector<int>& cached = {}) {
    std::normal_distribution<float> normal;
    Batch b(lengths, cached);
    int tokens = b.tokens(), keys = b.keys(), qw = heads * hd, kw = kv_heads * hd;
    float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    Guarded<float> q(static_cast<size_t>(tokens) * qw), k(static_cast<size_t>(keys) * kw), v(static_cast<size_t>(keys) * kw);
    Guarded<float> out(static_cast<size_t>(tokens) * qw);
    Guarded<__nv_bfloat16> out_b(out.n);
    Guarded<int> cu_q(b.cu_q.size()), cu_k(b.cu_k.size());
    for (size_t i = 0; i < q.n; i++) q[i] = 1.5f * normal(rng);
    for (size_t i = 0; i < k.n; i++) k[i] = 1.5f * normal(rng);
    for (size_t i = 0; i < v.n; i++) v[i] = 1.5f * normal(rng);

    std::vector<double> want(out.n), got(out.n);
    for (int s = 0; s < b.sequences(); s++)
        for (int t = b.cu_q[s]; t < b.cu_q[s + 1]; t++) {
            int pos = b.past[s] + t - b.cu_q[s];   // its key is row cu_k[s] + pos
            for (int h = 0; h < heads; h++) {
                int g = h / (heads / kv_heads);
                std::vector<double> w;
                double mx = -1e300;
                for (int j = 0; j <= pos; j++) {
                    if (window > 0 && pos - j >= window) continue;
                    double dot = 0;
                    for (int d = 0; d < hd; d++)
                        dot += static_cast<double>(q[static_cast<size_t>(t) * qw + h * hd + d]) * k[static_cast<size_t>(b.cu_k[s] + j) * kw + g * hd + d];
                    w.push_back(dot * scale);
                    mx = std::max(mx, w.back());
                }
                double z = 0;
                for (double& x : w) z += (x = std::exp(x - mx));
                for (int d = 0; d < hd; d++) {
                    double acc = 0;
                    int i = 0;
                    for (int j = 0; j <= pos; j++) {
                        if (window > 0 && pos - j >= window) continue;
                        acc += w[i++] / z * v[static_cast<size_t>(b.cu_k[s] + j) * kw + g * hd + d];
                    }
                    want[static_cast<size_t>(t) * qw + h * hd + d] = acc;
                }
            }
        }

    std::string name = f.prefix + std::to_string(hd) + (bf16_out ? "_bf16" : "_f32");
    std::string label = name + " lengths=" + std::to_string(lengths.size()) + "(max " + std::to_string(b.max_len()) + ", " +
                        std::to_string(keys - tokens) + " cached) heads=" + std::to_string(heads) + "/" + std::to_string(kv_heads) +
                        " window=" + std::to_string(window);
    void* p_out = bf16_out ? static_cast<void*>(out_b.data()) : out.data();
    int rc = launch_attention(f, name, b, q.data(), k.data(), v.data(), p_out, cu_q, cu_k, heads, kv_heads, hd, scale, window);
    check(rc == 0, label + ": launch: " + cuda_host_last_error());
    for (size_t i = 0; i < out.n; i++) got[i] = bf16_out ? __bfloat162float(out_b[i]) : out[i];
    // bf16 out; the tensor-core kernels also round q, k, v and p to bf16 (NMSE about 1.5e-5 against 1e-6)
    double e = nmse(got, want), tolerance = bf16_out ? 1e-4 : 1e-10;
    if (getenv("ATTENTION_TEST_VERBOSE")) std::printf("%s: NMSE %.3g\n", label.c_str(), e);
    check(e <= tolerance, label + ": NMSE " + std::to_string(e));
    check(out.guards_intact() && out_b.guards_intact() && q.guards_intact() && k.guards_intact() && v.guards_intact() &&
              cu_q.guards_intact() && cu_k.guards_intact(),
          label + ": guards");
    if (keys != tokens) return;

    // without cached keys: the same attention through one packed q|k|v projection (three pointers, one common
    // stride) must not change by a bit
    int width = qw + 2 * kw;
    Guarded<float> qkv(static_cast<size_t>(tokens) * width), out2(out.n);
    Guarded<__nv_bfloat16> out2_b(out.n);
    for (int t = 0; t < tokens; t++) {
        for (int i = 0; i < qw; i++) qkv[static_cast<size_t>(t) * width + i] = q[static_cast<size_t>(t) * qw + i];
        for (int i = 0; i < kw; i++) {
            qkv[static_cast<size_t>(t) * width + qw + i] = k[static_cast<size_t>(t) * kw + i];
            qkv[static_cast<size_t>(t) * width + qw + kw + i] = v[static_cast<size_t>(t) * kw + i];
        }
    }
    const float* p_q = qkv.data();
    const float* p_k = p_q + qw;
    const float* p_v = p_k + kw;
    const int* p_cq = cu_q.data();
    const int* p_ck = cu_q.data();
    long q_stride = width, kv_stride = width;
    p_out = bf16_out ? static_cast<void*>(out2_b.data()) : out2.data();
    void* args[] = {&p_q, &p_k, &p_v, &p_out, &p_cq, &p_ck, &q_stride, &kv_stride, &heads, &kv_heads, &scale, &window};
    int per_block = f.queries_per_block;
    check(cuda_host_launch(name.c_str(), (b.max_len() + per_block - 1) / per_block, heads, static_cast<unsigned>(b.sequences()),
                           128, 1, 1, f.shared_bytes(hd), args) == 0, label + ": packed q|k|v: launch");
    bool same = bf16_out ? std::memcmp(out_b.data(), out2_b.data(), out.n * sizeof(__nv_bfloat16)) == 0
                         : std::memcmp(out.data(), out2.data(), out.n * sizeof(float)) == 0;
    check(same && out2.guards_intact() && qkv.guards_intact(), label + ": packed q|k|v gives the separate buffers' result");
}

/**
 * One sequence of `length` tokens in one pass, then its rows from `from` on as a chunk with `from` cached keys (the
 * same k and v): the chunk's outputs must equal the whole pass's rows bitwise, for chunk starts on and off block and
 * tile boundaries and with a window (the kernel's tiles start at multiples of 32 keys wherever a block starts).
 */
void chunk_matches_whole(const Family& f, int length, int from, int heads, int kv_heads, int hd, int window, std::mt19937& rng) {
    std::normal_distribution<float> normal;
    int qw = heads * hd, kw = kv_heads * hd;
    float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    size_t out_size = f.mma ? sizeof(__nv_bfloat16) : sizeof(float);   // fp32 buffers hold either, compared as bytes
    Guarded<float> q(static_cast<size_t>(length) * qw), k(static_cast<size_t>(length) * kw), v(k.n), whole(q.n);
    Guarded<float> chunk(static_cast<size_t>(length - from) * qw);
    Guarded<int> cu_q(2), cu_k(2);
    for (size_t i = 0; i < q.n; i++) q[i] = normal(rng);
    for (size_t i = 0; i < k.n; i++) k[i] = normal(rng);
    for (size_t i = 0; i < v.n; i++) v[i] = normal(rng);
    std::string name = f.prefix + std::to_string(hd) + (f.mma ? "_bf16" : "_f32");
    std::string label = name + " chunk [" + std::to_string(from) + ", " + std::to_string(length) + ") window=" + std::to_string(window);
    check(launch_attention(f, name, Batch({length}, {0}), q.data(), k.data(), v.data(), whole.data(), cu_q, cu_k, heads, kv_heads,
                           hd, scale, window) == 0, label + ": whole: launch");
    check(launch_attention(f, name, Batch({length - from}, {from}), q.data() + static_cast<size_t>(from) * qw, k.data(), v.data(),
                           chunk.data(), cu_q, cu_k, heads, kv_heads, hd, scale, window) == 0, label + ": chunk: launch");
    const unsigned char* w_bytes = reinterpret_cast<const unsigned char*>(whole.data());
    check(std::memcmp(w_bytes + static_cast<size_t>(from) * qw * out_size, chunk.data(), chunk.n * out_size) == 0,
          label + ": the chunk's rows equal the whole pass's bitwise");
    check(whole.guards_intact() && chunk.guards_intact(), label + ": guards");
}

}  // namespace

int main() {
    std::mt19937 rng(13);
    for (int hd : {64, 96, 128, 256}) run(kScalar, {1, 17, 40}, 4, 1, hd, 0, false, rng);
    run(kScalar, {70, 1, 33}, 7, 1, 64, 0, false, rng);     // GQA 7
    run(kScalar, {50, 2}, 2, 2, 128, 0, true, rng);         // MHA, bf16 out
    run(kScalar, {90}, 4, 1, 64, 5, false, rng);            // window narrower than a tile
    run(kScalar, {100, 45}, 4, 2, 96, 33, false, rng);      // window just wider than a tile
    run(kScalar, {16, 32, 48}, 8, 2, 64, 0, true, rng);     // lengths on block and tile edges
    run(kScalar, {1, 40, 9}, 4, 2, 16, 0, false, rng);      // small heads: lanes past HD idle
    run(kScalar, {45}, 4, 1, 32, 7, false, rng);
    run(kScalar, {3, 37}, 2, 1, 4, 0, false, rng);
    run(kScalar, {33}, 2, 2, 8, 0, false, rng);
    run(kScalar, {1, 40, 9}, 4, 2, 16, 0, true, rng);       // small heads, bf16 out (the tiny models' bf16 pass)
    run(kScalar, {3, 37}, 2, 1, 4, 0, true, rng);
    // cached keys before the queries (chunked prefill): one chunk, several, one query row, cached on tile edges
    run(kScalar, {20}, 4, 1, 64, 0, false, rng, {45});
    run(kScalar, {1, 17, 40}, 4, 2, 128, 0, false, rng, {70, 0, 3});
    run(kScalar, {1}, 2, 1, 64, 0, true, rng, {100});
    run(kScalar, {33, 5}, 7, 1, 64, 9, false, rng, {64, 32});   // window narrower than the cache
    run(kScalar, {40}, 4, 2, 96, 50, false, rng, {31});         // window reaching into the cache
    run(kScalar, {9, 12}, 4, 2, 16, 0, true, rng, {7, 40});      // small heads, bf16 out
    for (int from : {16, 32, 45, 64, 77}) chunk_matches_whole(kScalar, 120, from, 4, 2, 64, 0, rng);
    for (int from : {1, 31, 50}) chunk_matches_whole(kScalar, 100, from, 2, 1, 128, 37, rng);
    chunk_matches_whole(kScalar, 60, 29, 3, 3, 16, 5, rng);
    // the tensor-core kernels (bf16 out): every head size, blocks of 64 queries and tiles of 64 keys (32 at 256)
    for (int hd : {16, 32, 64, 96, 128, 256}) run(kMma, {1, 17, 70}, 4, 1, hd, 0, true, rng);
    run(kMma, {130, 1, 33}, 7, 1, 64, 0, true, rng);     // GQA 7, a sequence over two blocks and three tiles
    run(kMma, {64, 128, 65}, 2, 2, 128, 0, true, rng);   // lengths on block and tile edges
    run(kMma, {150}, 4, 1, 64, 5, true, rng);            // window narrower than an mma row block
    run(kMma, {140, 45}, 4, 2, 96, 70, true, rng);       // window just wider than a tile
    run(kMma, {100}, 4, 2, 256, 40, true, rng);          // HD 256: tiles of 32 keys
    run(kMma, {20}, 4, 1, 64, 0, true, rng, {45});       // cached keys (chunked prefill)
    run(kMma, {1, 17, 80}, 4, 2, 128, 0, true, rng, {130, 0, 3});
    run(kMma, {33, 5}, 7, 1, 64, 9, true, rng, {64, 32});
    for (int from : {16, 64, 77, 128}) chunk_matches_whole(kMma, 200, from, 4, 2, 64, 0, rng);
    for (int from : {1, 31, 70}) chunk_matches_whole(kMma, 160, from, 2, 1, 128, 37, rng);
    chunk_matches_whole(kMma, 90, 29, 3, 3, 256, 45, rng);
    return finish("attention");
}
