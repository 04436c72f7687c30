// embed_*, gather_rows_f32, swiglu_* and add_bias_* on the emulated device against double-precision references,
// on edge shapes (one row, one column, element counts that are not a multiple of the block), with guard regions.
#include "op_test.h"

#include <cuda_bf16.h>

using namespace op_test;

namespace {

using bf16 = __nv_bfloat16;

unsigned blocks(long n, unsigned block) { return static_cast<unsigned>((n + block - 1) / block); }

void embed_cases(std::mt19937& rng) {
    std::normal_distribution<float> normal;
    for (auto [vocab, cols, tokens] : {std::tuple{5, 1, 1}, std::tuple{50, 33, 7}, std::tuple{300, 896, 3}}) {
        Guarded<float> table(static_cast<size_t>(vocab) * cols), out(static_cast<size_t>(tokens) * cols);
        Guarded<bf16> table_b(static_cast<size_t>(vocab) * cols);
        Guarded<int> ids(tokens);
        for (size_t i = 0; i < table.n; i++) {
            table[i] = normal(rng);
            table_b[i] = __float2bfloat16(table[i]);
        }
        for (int t = 0; t < tokens; t++) ids[t] = static_cast<int>((t * 7919 + 3) % vocab);
        ids[tokens - 1] = vocab - 1;   // the last row of the table
        std::string shape = " vocab=" + std::to_string(vocab) + " cols=" + std::to_string(cols);
        for (bool bf : {false, true}) {
            int rc = bf ? launch("embed_bf16", tokens, 256, 0, (const int*) ids.data(), (const bf16*) table_b.data(), out.data(), cols)
                        : launch("embed_f32", tokens, 256, 0, (const int*) ids.data(), (const float*) table.data(), out.data(), cols);
            check(rc == 0, "embed launch" + shape);
            bool exact = true;
            for (int t = 0; t < tokens; t++)
                for (int c = 0; c < cols; c++) {
                    size_t from = static_cast<size_t>(ids[t]) * cols + c;
                    float want = bf ? __bfloat162float(table_b[from]) : table[from];
                    exact &= out[static_cast<size_t>(t) * cols + c] == want;
                }
            check(exact, std::string(bf ? "embed_bf16" : "embed_f32") + " copies the rows exactly" + shape);
            check(out.guards_intact() && table.guards_intact() && table_b.guards_intact(), "embed guards" + shape);
        }
        Guarded<int> rows(2);
        rows[0] = tokens - 1;
        rows[1] = 0;
        Guarded<float> gathered(2 * static_cast<size_t>(cols));
        check(launch("gather_rows_f32", 2, 256, 0, (const int*) rows.data(), (const float*) out.data(), gathered.data(), cols) == 0, "gather launch");
        bool exact = true;
        for (int c = 0; c < cols; c++)
            exact &= gathered[c] == out[static_cast<size_t>(tokens - 1) * cols + c] && gathered[cols + c] == out[c];
        check(exact && gathered.guards_intact(), "gather_rows_f32 picks the rows asked for" + shape);
    }
}

void widen_cases(std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 10.0f);
    for (long n : {1L, 255L, 257L, 5000L}) {
        Guarded<bf16> src(static_cast<size_t>(n));
        Guarded<float> dst(static_cast<size_t>(n));
        for (long i = 0; i < n; i++) src[i] = __float2bfloat16(normal(rng));
        if (n > 3) {
            src[1] = __float2bfloat16(-0.0f);
            src[2] = __float2bfloat16(3.0e38f);   // large finite values widen unchanged
        }
        check(launch("widen_bf16", blocks(n, 256), 256, 0, (const bf16*) src.data(), dst.data(), n) == 0, "widen launch");
        bool exact = true;
        for (long i = 0; i < n; i++) {
            uint16_t bits;
            std::memcpy(&bits, &src[i], 2);
            uint32_t wide = static_cast<uint32_t>(bits) << 16;   // the definition of bf16: the top half of an fp32
            float want;
            std::memcpy(&want, &wide, 4);
            float got = dst[i];
            exact &= std::memcmp(&got, &want, 4) == 0;
        }
        check(exact && src.guards_intact() && dst.guards_intact(), "widen_bf16 is the exact top-half widening, n=" + std::to_string(n));
    }
}

void swiglu_cases(std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 3.0f);
    for (auto [rows, inter] : {std::pair{1L, 1}, std::pair{3L, 37}, std::pair{5L, 4864}}) {
        size_t n = static_cast<size_t>(rows) * inter;
        Guarded<float> gate_up(2 * n), out(n);
        Guarded<bf16> out_b(n);
        for (size_t i = 0; i < 2 * n; i++) gate_up[i] = normal(rng);
        if (n > 1) gate_up[0] = -90.0f;   // e^90 overflows to inf: silu must still give ≈ 0, not NaN
        std::vector<double> want(n), got(n), got_b(n);
        for (long r = 0; r < rows; r++)
            for (int c = 0; c < inter; c++) {
                double g = gate_up[r * 2 * inter + c], u = gate_up[r * 2 * inter + inter + c];
                want[r * inter + c] = g / (1.0 + std::exp(-g)) * u;
            }
        check(launch("swiglu_f32", blocks(n, 256), 256, 0, (const float*) gate_up.data(), out.data(), rows, inter) == 0, "swiglu launch");
        check(launch("swiglu_bf16", blocks(n, 256), 256, 0, (const float*) gate_up.data(), out_b.data(), rows, inter) == 0, "swiglu bf16 launch");
        bool finite = true;
        for (size_t i = 0; i < n; i++) {
            got[i] = out[i];
            got_b[i] = __bfloat162float(out_b[i]);
            finite &= std::isfinite(got[i]) && std::isfinite(got_b[i]);
        }
        std::string shape = " rows=" + std::to_string(rows) + " inter=" + std::to_string(inter);
        check(finite, "swiglu is finite for large negative gates" + shape);
        check(nmse(got, want) <= 1e-12, "swiglu_f32 NMSE " + std::to_string(nmse(got, want)) + shape);
        check(nmse(got_b, want) <= 1e-4, "swiglu_bf16 NMSE " + std::to_string(nmse(got_b, want)) + shape);
        check(out.guards_intact() && out_b.guards_intact() && gate_up.guards_intact(), "swiglu guards" + shape);
    }
}

void bias_cases(std::mt19937& rng) {
    std::normal_distribution<float> normal;
    for (auto [rows, cols] : {std::pair{1L, 1}, std::pair{7L, 1152}, std::pair{2L, 129}}) {
        size_t n = static_cast<size_t>(rows) * cols;
        Guarded<float> x(n), y(n), bias(cols);
        Guarded<bf16> bias_b(cols);
        for (size_t i = 0; i < n; i++) x[i] = y[i] = normal(rng);
        for (int c = 0; c < cols; c++) {
            bias[c] = normal(rng);
            bias_b[c] = __float2bfloat16(bias[c]);
        }
        std::vector<float> x0(x.data(), x.data() + n);
        check(launch("add_bias_f32", blocks(n, 256), 256, 0, x.data(), (const float*) bias.data(), rows, cols) == 0, "bias launch");
        check(launch("add_bias_bf16", blocks(n, 256), 256, 0, y.data(), (const bf16*) bias_b.data(), rows, cols) == 0, "bias bf16 launch");
        bool exact = true;
        for (size_t i = 0; i < n; i++) {
            exact &= x[i] == x0[i] + bias[i % cols];
            exact &= y[i] == x0[i] + __bfloat162float(bias_b[i % cols]);
        }
        check(exact && x.guards_intact() && y.guards_intact(), "add_bias adds the column's bias, rows=" + std::to_string(rows) + " cols=" + std::to_string(cols));
    }
}

void split_and_add_cases(std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 3.0f);
    for (long n : {1L, 255L, 257L, 3000L}) {
        Guarded<float> gate(n), up(n), x(n), y(n);
        for (long i = 0; i < n; i++) {
            gate[i] = normal(rng);
            up[i] = normal(rng);
            x[i] = normal(rng);
            y[i] = normal(rng);
        }
        if (n > 1) gate[1] = -90.0f;   // silu of a large negative gate is ≈ 0, not NaN
        std::vector<double> want(n), got(n);
        std::vector<float> x0(x.data(), x.data() + n);
        for (long i = 0; i < n; i++) want[i] = gate[i] / (1.0 + std::exp(-static_cast<double>(gate[i]))) * up[i];
        check(launch("swiglu_split_f32", blocks(n, 256), 256, 0, gate.data(), (const float*) up.data(), n) == 0, "swiglu_split launch");
        check(launch("add_f32", blocks(n, 256), 256, 0, x.data(), (const float*) y.data(), n) == 0, "add launch");
        bool exact = true, finite = true;
        for (long i = 0; i < n; i++) {
            got[i] = gate[i];
            finite &= std::isfinite(got[i]);
            exact &= x[i] == x0[i] + y[i];
        }
        std::string shape = " n=" + std::to_string(n);
        check(finite && nmse(got, want) <= 1e-12, "swiglu_split_f32 NMSE " + std::to_string(nmse(got, want)) + shape);
        check(exact, "add_f32 adds element by element" + shape);
        check(gate.guards_intact() && up.guards_intact() && x.guards_intact() && y.guards_intact(), "swiglu_split/add guards" + shape);
    }
}

}  // namespace

/** split_qkv_{f32,bf16}: each column of the packed GEMM output lands in q, k or v, with its packed bias added. */
void split_qkv_cases(std::mt19937& rng) {
    std::normal_distribution<float> normal;
    for (auto [rows, qdim, kvdim, with_bias] : {std::tuple{1, 4, 2, false}, std::tuple{7, 64, 16, true}, std::tuple{3, 33, 5, true}}) {
        int width = qdim + 2 * kvdim;
        Guarded<float> qkv(static_cast<size_t>(rows) * width), bias_f(width), q(static_cast<size_t>(rows) * qdim),
            k(static_cast<size_t>(rows) * kvdim), v(static_cast<size_t>(rows) * kvdim);
        Guarded<bf16> bias_b(width);
        for (size_t i = 0; i < qkv.n; i++) qkv[i] = normal(rng);
        for (int c = 0; c < width; c++) {
            bias_b[c] = __float2bfloat16(normal(rng));
            bias_f[c] = __bfloat162float(bias_b[c]);
        }
        std::string shape = " rows=" + std::to_string(rows) + " q=" + std::to_string(qdim) + " kv=" + std::to_string(kvdim);
        for (bool bf : {false, true}) {
            long n = static_cast<long>(rows) * width;
            const void* bias = !with_bias ? nullptr : bf ? static_cast<const void*>(bias_b.data()) : static_cast<const void*>(bias_f.data());
            int rc = launch(bf ? "split_qkv_bf16" : "split_qkv_f32", blocks(n, 256), 256, 0, (const float*) qkv.data(), bias,
                            q.data(), k.data(), v.data(), static_cast<long>(rows), qdim, kvdim);
            check(rc == 0, std::string("split_qkv launch") + shape + ": " + cuda_host_last_error());
            bool exact = true;
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < width; c++) {
                    float want = qkv[static_cast<size_t>(r) * width + c] + (with_bias ? bias_f[c] : 0.0f);
                    float got = c < qdim ? q[static_cast<size_t>(r) * qdim + c]
                              : c < qdim + kvdim ? k[static_cast<size_t>(r) * kvdim + c - qdim]
                                                 : v[static_cast<size_t>(r) * kvdim + c - qdim - kvdim];
                    exact &= got == want;
                }
            check(exact, std::string(bf ? "split_qkv_bf16" : "split_qkv_f32") + " puts each column where it belongs" + shape);
            check(q.guards_intact() && k.guards_intact() && v.guards_intact() && qkv.guards_intact(), "split_qkv guards" + shape);
        }
    }
}

int main() {
    std::mt19937 rng(11);
    embed_cases(rng);
    widen_cases(rng);
    swiglu_cases(rng);
    bias_cases(rng);
    split_and_add_cases(rng);
    split_qkv_cases(rng);
    return finish("elementwise");
}
