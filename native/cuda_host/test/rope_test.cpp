// rope_f32 and qk_norm_rope_* on the emulated device against a double-precision reference written from Hugging
// Face's definition (rotate_half pairing, per-head RMSNorm before RoPE), for head sizes 64, 96, 128 and 256, GQA
// layouts, arbitrary positions and a v part that must stay untouched.
#include "op_test.h"

#include <cuda_bf16.h>

using namespace op_test;

namespace {

using bf16 = __nv_bfloat16;

void run(int tokens, int heads, int kv_heads, int hd, bool norm, bool bf16_weights, std::mt19937& rng) {
    std::normal_distribution<float> normal;
    int half = hd / 2, width = (heads + 2 * kv_heads) * hd, max_pos = 4096;
    size_t n = static_cast<size_t>(tokens) * width;
    Guarded<float> qkv(n), cos(static_cast<size_t>(max_pos) * half), sin(static_cast<size_t>(max_pos) * half);
    Guarded<float> wq(hd), wk(hd);
    Guarded<bf16> wq_b(hd), wk_b(hd);
    Guarded<int> positions(tokens);
    for (int p = 0; p < max_pos; p++)
        for (int i = 0; i < half; i++) {
            double angle = p * std::pow(10000.0, -2.0 * i / hd);
            cos[static_cast<size_t>(p) * half + i] = static_cast<float>(std::cos(angle));
            sin[static_cast<size_t>(p) * half + i] = static_cast<float>(std::sin(angle));
        }
    for (int i = 0; i < hd; i++) {
        wq_b[i] = __float2bfloat16(1.0f + 0.2f * normal(rng));
        wk_b[i] = __float2bfloat16(1.0f + 0.2f * normal(rng));
        wq[i] = bf16_weights ? __bfloat162float(wq_b[i]) : 1.0f + 0.2f * normal(rng);
        wk[i] = bf16_weights ? __bfloat162float(wk_b[i]) : 1.0f + 0.2f * normal(rng);
    }
    for (int t = 0; t < tokens; t++) positions[t] = t == 0 ? max_pos - 1 : (t * 131) % max_pos;
    for (size_t i = 0; i < n; i++) qkv[i] = 2.0f * normal(rng);
    std::vector<float> x0(qkv.data(), qkv.data() + n);

    std::vector<double> want(n), got(n);
    for (int t = 0; t < tokens; t++)
        for (int h = 0; h < heads + 2 * kv_heads; h++) {
            const float* x = &x0[static_cast<size_t>(t) * width + static_cast<size_t>(h) * hd];
            double* y = &want[static_cast<size_t>(t) * width + static_cast<size_t>(h) * hd];
            if (h >= heads + kv_heads) {   // v
                for (int i = 0; i < hd; i++) y[i] = x[i];
                continue;
            }
            std::vector<double> v(x, x + hd);
            if (norm) {
                double squares = 0;
                for (double e : v) squares += e * e;
                double inv = 1.0 / std::sqrt(squares / hd + 1e-6);
                const float* w = h < heads ? wq.data() : wk.data();
                for (int i = 0; i < hd; i++) v[i] = w[i] * v[i] * inv;
            }
            for (int i = 0; i < half; i++) {
                size_t at = static_cast<size_t>(positions[t]) * half + i;
                y[i] = v[i] * cos[at] - v[i + half] * sin[at];
                y[i + half] = v[i + half] * cos[at] + v[i] * sin[at];
            }
        }
    // two launches over the packed rows, as the backend makes them: q heads with q's norm, then k heads with k's
    unsigned block = (half + 31) / 32 * 32;
    long stride = width;
    const int* p_pos = positions.data();
    const float *p_cos = cos.data(), *p_sin = sin.data();
    float eps = 1e-6f;
    const char* name = !norm ? "rope_f32" : bf16_weights ? "qk_norm_rope_bf16" : "qk_norm_rope_f32";
    std::string label = std::string(name) + " tokens=" + std::to_string(tokens) + " heads=" + std::to_string(heads) + "/" +
                        std::to_string(kv_heads) + " hd=" + std::to_string(hd);
    for (int part = 0; part < 2; part++) {
        float* p_x = qkv.data() + (part == 0 ? 0 : heads * hd);
        const void* p_w = part == 0 ? (bf16_weights ? static_cast<const void*>(wq_b.data()) : wq.data())
                                    : (bf16_weights ? static_cast<const void*>(wk_b.data()) : wk.data());
        void* with_norm[] = {&p_x, &stride, &hd, &p_pos, &p_cos, &p_sin, &p_w, &eps};
        int rc = cuda_host_launch(name, tokens, part == 0 ? heads : kv_heads, 1, block, 1, 1, 0, with_norm);
        check(rc == 0, label + ": launch: " + cuda_host_last_error());
    }
    for (size_t i = 0; i < n; i++) got[i] = qkv[i];
    check(nmse(got, want) <= 1e-12, label + ": NMSE " + std::to_string(nmse(got, want)));
    bool v_same = true;
    for (int t = 0; t < tokens; t++)
        for (int i = (heads + kv_heads) * hd; i < width; i++) v_same &= qkv[static_cast<size_t>(t) * width + i] == x0[static_cast<size_t>(t) * width + i];
    check(v_same, label + ": v is untouched");
    check(qkv.guards_intact() && cos.guards_intact() && wq.guards_intact() && wq_b.guards_intact(), label + ": guards");
}

}  // namespace

int main() {
    std::mt19937 rng(5);
    for (int hd : {64, 96, 128, 256})
        for (bool norm : {false, true}) {
            run(3, 4, 1, hd, norm, false, rng);
            run(2, 7, 7, hd, norm, norm, rng);
        }
    run(1, 14, 2, 64, true, true, rng);
    return finish("rope");
}
