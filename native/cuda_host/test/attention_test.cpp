// attention_hd*_{f32,bf16} on the emulated device against a naive double-precision causal attention per sequence:
// packed batches of sequences of 1, odd and multi-tile lengths (a block holds 16 queries, a tile 32 keys), GQA ratios
// 1, 4 and 7, sliding windows narrower and wider than a tile, every supported head size, guard regions around out.
#include "op_test.h"

#include <cuda_bf16.h>

#include <algorithm>

extern "C" int attention_shared_bytes(int hd);

using namespace op_test;

namespace {

void run(const std::vector<int>& lengths, int heads, int kv_heads, int hd, int window, bool bf16_out, std::mt19937& rng) {
    std::normal_distribution<float> normal;
    std::vector<int> cu(1, 0);
    for (int n : lengths) cu.push_back(cu.back() + n);
    int tokens = cu.back(), width = (heads + 2 * kv_heads) * hd, max_len = *std::max_element(lengths.begin(), lengths.end());
    float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    Guarded<float> qkv(static_cast<size_t>(tokens) * width), out(static_cast<size_t>(tokens) * heads * hd);
    Guarded<__nv_bfloat16> out_b(static_cast<size_t>(tokens) * heads * hd);
    Guarded<int> cu_seqlens(cu.size());
    for (size_t i = 0; i < qkv.n; i++) qkv[i] = 1.5f * normal(rng);
    for (size_t i = 0; i < cu.size(); i++) cu_seqlens[i] = cu[i];

    std::vector<double> want(out.n), got(out.n);
    for (size_t s = 0; s + 1 < cu.size(); s++)
        for (int t = cu[s]; t < cu[s + 1]; t++)
            for (int h = 0; h < heads; h++) {
                int g = h / (heads / kv_heads);
                std::vector<double> w;
                double mx = -1e300;
                for (int j = cu[s]; j <= t; j++) {
                    if (window > 0 && t - j >= window) continue;
                    double dot = 0;
                    for (int d = 0; d < hd; d++)
                        dot += static_cast<double>(qkv[static_cast<size_t>(t) * width + h * hd + d]) * qkv[static_cast<size_t>(j) * width + (heads + g) * hd + d];
                    w.push_back(dot * scale);
                    mx = std::max(mx, w.back());
                }
                double z = 0;
                for (double& x : w) z += (x = std::exp(x - mx));
                for (int d = 0; d < hd; d++) {
                    double acc = 0;
                    int i = 0;
                    for (int j = cu[s]; j <= t; j++) {
                        if (window > 0 && t - j >= window) continue;
                        acc += w[i++] / z * qkv[static_cast<size_t>(j) * width + (heads + kv_heads + g) * hd + d];
                    }
                    want[static_cast<size_t>(t) * heads * hd + h * hd + d] = acc;
                }
            }

    std::string name = "attention_hd" + std::to_string(hd) + (bf16_out ? "_bf16" : "_f32");
    // one packed q|k|v projection seen through three pointers with a common stride (separate buffers are the same
    // with strides heads·HD and kv_heads·HD; the separate layout is run below too)
    const float* p_q = qkv.data();
    const float* p_k = p_q + heads * hd;
    const float* p_v = p_k + kv_heads * hd;
    long q_stride = width, kv_stride = width;
    void* p_out = bf16_out ? static_cast<void*>(out_b.data()) : out.data();
    const int* p_cu = cu_seqlens.data();
    void* args[] = {&p_q, &p_k, &p_v, &p_out, &p_cu, &q_stride, &kv_stride, &heads, &kv_heads, &scale, &window};
    std::string label = name + " lengths=" + std::to_string(lengths.size()) + "(max " + std::to_string(max_len) + ") heads=" +
                        std::to_string(heads) + "/" + std::to_string(kv_heads) + " window=" + std::to_string(window);
    int rc = cuda_host_launch(name.c_str(), (max_len + 15) / 16, heads, static_cast<unsigned>(lengths.size()), 128, 1, 1,
                              attention_shared_bytes(hd), args);
    check(rc == 0, label + ": launch: " + cuda_host_last_error());
    for (size_t i = 0; i < out.n; i++) got[i] = bf16_out ? __bfloat162float(out_b[i]) : out[i];
    double e = nmse(got, want), tolerance = bf16_out ? 1e-4 : 1e-10;
    check(e <= tolerance, label + ": NMSE " + std::to_string(e));
    check(out.guards_intact() && out_b.guards_intact() && qkv.guards_intact(), label + ": guards");

    // the same attention from three separate buffers: the result must not change by a bit
    Guarded<float> q(static_cast<size_t>(tokens) * heads * hd), k(static_cast<size_t>(tokens) * kv_heads * hd),
        v(static_cast<size_t>(tokens) * kv_heads * hd), out2(out.n);
    Guarded<__nv_bfloat16> out2_b(out.n);
    for (int t = 0; t < tokens; t++) {
        for (int i = 0; i < heads * hd; i++) q[static_cast<size_t>(t) * heads * hd + i] = qkv[static_cast<size_t>(t) * width + i];
        for (int i = 0; i < kv_heads * hd; i++) {
            k[static_cast<size_t>(t) * kv_heads * hd + i] = qkv[static_cast<size_t>(t) * width + heads * hd + i];
            v[static_cast<size_t>(t) * kv_heads * hd + i] = qkv[static_cast<size_t>(t) * width + (heads + kv_heads) * hd + i];
        }
    }
    p_q = q.data();
    p_k = k.data();
    p_v = v.data();
    q_stride = static_cast<long>(heads) * hd;
    kv_stride = static_cast<long>(kv_heads) * hd;
    p_out = bf16_out ? static_cast<void*>(out2_b.data()) : out2.data();
    check(cuda_host_launch(name.c_str(), (max_len + 15) / 16, heads, static_cast<unsigned>(lengths.size()), 128, 1, 1,
                           attention_shared_bytes(hd), args) == 0, label + ": separate buffers: launch");
    bool same = bf16_out ? std::memcmp(out_b.data(), out2_b.data(), out.n * sizeof(__nv_bfloat16)) == 0
                         : std::memcmp(out.data(), out2.data(), out.n * sizeof(float)) == 0;
    check(same && out2.guards_intact() && q.guards_intact() && k.guards_intact() && v.guards_intact(),
          label + ": separate q, k, v buffers give the packed layout's result");
}

}  // namespace

int main() {
    std::mt19937 rng(13);
    for (int hd : {64, 96, 128, 256}) run({1, 17, 40}, 4, 1, hd, 0, false, rng);
    run({70, 1, 33}, 7, 1, 64, 0, false, rng);     // GQA 7
    run({50, 2}, 2, 2, 128, 0, true, rng);         // MHA, bf16 out
    run({90}, 4, 1, 64, 5, false, rng);            // window narrower than a tile
    run({100, 45}, 4, 2, 96, 33, false, rng);      // window just wider than a tile
    run({16, 32, 48}, 8, 2, 64, 0, true, rng);     // lengths on block and tile edges
    run({1, 40, 9}, 4, 2, 16, 0, false, rng);      // small heads: lanes past HD idle
    run({45}, 4, 1, 32, 7, false, rng);
    run({3, 37}, 2, 1, 4, 0, false, rng);
    run({33}, 2, 2, 8, 0, false, rng);
    run({1, 40, 9}, 4, 2, 16, 0, true, rng);       // small heads, bf16 out (the tiny models' bf16 pass)
    run({3, 37}, 2, 1, 4, 0, true, rng);
    return finish("attention");
}
