// rmsnorm_* and add_rmsnorm_* on the emulated device against a double-precision reference, on odd and edge shapes
// (one element, one row, dims that are not a multiple of the block, more threads than elements), both weight
// dtypes and both output dtypes (rmsnorm_bf16w_f32, add_rmsnorm_bf16w_f32: bf16 weight, fp32 out), with guard regions around every buffer.
#include "op_test.h"

#include <cuda_bf16.h>

using namespace op_test;

namespace {

float bf16_round(float v) { return __bfloat162float(__float2bfloat16(v)); }

struct Case {
    int rows, dim, block;
    bool add, bf16;
};

void run(const Case& c, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    size_t n = static_cast<size_t>(c.rows) * c.dim;
    Guarded<float> x(n), y(n), wf(c.dim), outf(n);
    Guarded<__nv_bfloat16> wb(c.dim), outb(n);
    std::vector<float> x0(n), y0(n), w0(c.dim);
    for (size_t i = 0; i < n; i++) x[i] = x0[i] = 3.0f * normal(rng);
    for (size_t i = 0; i < n; i++) y[i] = y0[i] = normal(rng);
    for (int i = 0; i < c.dim; i++) {
        w0[i] = c.bf16 ? bf16_round(1.0f + 0.1f * normal(rng)) : 1.0f + 0.1f * normal(rng);
        wf[i] = w0[i];
        wb[i] = __float2bfloat16(w0[i]);
    }
    float eps = 1e-6f;
    std::string name = std::string(c.add ? "add_rmsnorm_" : "rmsnorm_") + (c.bf16 ? "bf16" : "f32");
    int rc;
    if (c.add && c.bf16) rc = launch(name.c_str(), c.rows, c.block, 0, x.data(), (const float*) y.data(), (const __nv_bfloat16*) wb.data(), outb.data(), c.dim, eps);
    else if (c.add) rc = launch(name.c_str(), c.rows, c.block, 0, x.data(), (const float*) y.data(), (const float*) wf.data(), outf.data(), c.dim, eps);
    else if (c.bf16) rc = launch(name.c_str(), c.rows, c.block, 0, x.data(), (const __nv_bfloat16*) wb.data(), outb.data(), c.dim, eps);
    else rc = launch(name.c_str(), c.rows, c.block, 0, x.data(), (const float*) wf.data(), outf.data(), c.dim, eps);
    std::string label = name + " rows=" + std::to_string(c.rows) + " dim=" + std::to_string(c.dim) + " block=" + std::to_string(c.block);
    check(rc == 0, label + ": launch failed: " + cuda_host_last_error());

    std::vector<double> got(n), want(n), sum_got(n), sum_want(n);
    for (int r = 0; r < c.rows; r++) {
        double squares = 0;
        for (int i = 0; i < c.dim; i++) {
            double v = static_cast<double>(x0[r * c.dim + i]) + (c.add ? y0[r * c.dim + i] : 0.0);
            sum_want[r * c.dim + i] = v;
            squares += v * v;
        }
        double inv = 1.0 / std::sqrt(squares / c.dim + eps);
        for (int i = 0; i < c.dim; i++) {
            size_t k = static_cast<size_t>(r) * c.dim + i;
            want[k] = w0[i] * sum_want[k] * inv;
            got[k] = c.bf16 ? __bfloat162float(outb[k]) : outf[k];
            sum_got[k] = x[k];
        }
    }
    double e = nmse(got, want), tolerance = c.bf16 ? 1e-4 : 1e-10;
    check(e <= tolerance, label + ": NMSE " + std::to_string(e) + " above " + std::to_string(tolerance));
    if (c.add) check(nmse(sum_got, sum_want) <= 1e-12, label + ": the residual stream x + y is not written back");
    else check(std::memcmp(x.data(), x0.data(), n * sizeof(float)) == 0, label + ": x changed although nothing is added");
    check(x.guards_intact() && y.guards_intact() && wf.guards_intact() && wb.guards_intact() && outf.guards_intact() &&
          outb.guards_intact(), label + ": a guard region was written");
    if (c.bf16 && !c.add) {   // bf16 weight, fp32 out: the same rows, unrounded
        std::string wide = "rmsnorm_bf16w_f32 rows=" + std::to_string(c.rows) + " dim=" + std::to_string(c.dim) + " block=" + std::to_string(c.block);
        check(launch("rmsnorm_bf16w_f32", c.rows, c.block, 0, x.data(), (const __nv_bfloat16*) wb.data(), outf.data(), c.dim, eps) == 0,
              wide + ": launch failed: " + cuda_host_last_error());
        std::vector<double> got_f(n);
        for (size_t k = 0; k < n; k++) got_f[k] = outf[k];
        double ef = nmse(got_f, want);
        check(ef <= 1e-10, wide + ": NMSE " + std::to_string(ef) + " above 1e-10");
        check(outf.guards_intact() && wb.guards_intact() && x.guards_intact(), wide + ": a guard region was written");
    }
    if (c.bf16 && c.add) {   // bf16 weight, fp32 out, after the add: from the same x0 and y, unrounded
        std::string wide = "add_rmsnorm_bf16w_f32 rows=" + std::to_string(c.rows) + " dim=" + std::to_string(c.dim) + " block=" + std::to_string(c.block);
        for (size_t k = 0; k < n; k++) x[k] = x0[k];
        check(launch("add_rmsnorm_bf16w_f32", c.rows, c.block, 0, x.data(), (const float*) y.data(), (const __nv_bfloat16*) wb.data(),
                     outf.data(), c.dim, eps) == 0, wide + ": launch failed: " + cuda_host_last_error());
        std::vector<double> got_f(n), sum_f(n);
        for (size_t k = 0; k < n; k++) {
            got_f[k] = outf[k];
            sum_f[k] = x[k];
        }
        double ef = nmse(got_f, want);
        check(ef <= 1e-10, wide + ": NMSE " + std::to_string(ef) + " above 1e-10");
        check(nmse(sum_f, sum_want) <= 1e-12, wide + ": the residual stream x + y is not written back");
        check(outf.guards_intact() && wb.guards_intact() && x.guards_intact() && y.guards_intact(), wide + ": a guard region was written");
    }
}

}  // namespace

int main() {
    std::mt19937 rng(7);
    for (bool add : {false, true})
        for (bool bf16 : {false, true})
            for (Case c : {Case{1, 1, 32}, Case{1, 33, 32}, Case{3, 31, 64}, Case{2, 896, 256}, Case{5, 1000, 256},
                           Case{1, 4103, 1024}, Case{4, 64, 1024}}) {
                c.add = add;
                c.bf16 = bf16;
                run(c, rng);
            }

    // fp32 weight, bf16 out (the bf16 path over an fp32 checkpoint), with and without the add, and the gathered
    // final norm in all four weight/out combinations: each against the double reference of the rows it reads.
    for (auto [rows, dim, block] : {std::tuple{1, 33, 32}, std::tuple{5, 1000, 256}}) {
        size_t n = static_cast<size_t>(rows) * dim;
        Guarded<float> x(n), y(n), wf(dim), outf(n);
        Guarded<__nv_bfloat16> wb(dim), outb(n);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::vector<float> x0(n);
        for (size_t i = 0; i < n; i++) x[i] = x0[i] = 2.0f * normal(rng);
        for (size_t i = 0; i < n; i++) y[i] = normal(rng);
        for (int i = 0; i < dim; i++) {
            wb[i] = __float2bfloat16(1.0f + 0.1f * normal(rng));
            wf[i] = __bfloat162float(wb[i]);
        }
        auto reference = [&](const std::vector<float>& xs, int row) {   // normed row `row` of xs, fp32 weight values
            double squares = 0;
            for (int i = 0; i < dim; i++) squares += static_cast<double>(xs[row * dim + i]) * xs[row * dim + i];
            double inv = 1.0 / std::sqrt(squares / dim + 1e-6);
            std::vector<double> out(dim);
            for (int i = 0; i < dim; i++) out[i] = wf[i] * (xs[row * dim + i] * inv);
            return out;
        };
        std::string shape = " rows=" + std::to_string(rows) + " dim=" + std::to_string(dim);
        check(launch("rmsnorm_f32w_bf16", rows, block, 0, x.data(), (const float*) wf.data(), outb.data(), dim, 1e-6f) == 0, "rmsnorm_f32w_bf16 launch");
        std::vector<double> got(n), want(n);
        for (int r = 0; r < rows; r++) {
            std::vector<double> ref = reference(x0, r);
            for (int i = 0; i < dim; i++) {
                want[r * dim + i] = ref[i];
                got[r * dim + i] = __bfloat162float(outb[r * dim + i]);
            }
        }
        check(nmse(got, want) <= 1e-4, "rmsnorm_f32w_bf16" + shape + ": NMSE " + std::to_string(nmse(got, want)));
        check(launch("add_rmsnorm_f32w_bf16", rows, block, 0, x.data(), (const float*) y.data(), (const float*) wf.data(), outb.data(), dim, 1e-6f) == 0,
              "add_rmsnorm_f32w_bf16 launch");
        std::vector<float> sum(n);
        for (size_t i = 0; i < n; i++) sum[i] = x0[i] + y[i];
        for (int r = 0; r < rows; r++) {
            std::vector<double> ref = reference(sum, r);
            for (int i = 0; i < dim; i++) {
                want[r * dim + i] = ref[i];
                got[r * dim + i] = __bfloat162float(outb[r * dim + i]);
            }
        }
        check(nmse(got, want) <= 1e-4, "add_rmsnorm_f32w_bf16" + shape + ": NMSE " + std::to_string(nmse(got, want)));
        bool written_back = true;
        for (size_t i = 0; i < n; i++) written_back &= x[i] == sum[i];
        check(written_back, "add_rmsnorm_f32w_bf16" + shape + ": the residual stream x + y is not written back");
        // gather: rows in reverse order, the last one twice when there are several
        int picked = rows > 1 ? rows + 1 : 1;
        Guarded<int> idx(picked);
        for (int i = 0; i < picked; i++) idx[i] = i < rows ? rows - 1 - i : rows - 1;
        Guarded<float> gf(static_cast<size_t>(picked) * dim);
        Guarded<__nv_bfloat16> gb(static_cast<size_t>(picked) * dim);
        for (const char* name : {"gather_rmsnorm_f32", "gather_rmsnorm_bf16w_f32", "gather_rmsnorm_f32w_bf16", "gather_rmsnorm_bf16"}) {
            std::string k = name;
            bool w_bf16 = k == "gather_rmsnorm_bf16w_f32" || k == "gather_rmsnorm_bf16";
            bool o_bf16 = k == "gather_rmsnorm_f32w_bf16" || k == "gather_rmsnorm_bf16";
            const void* w = w_bf16 ? static_cast<const void*>(wb.data()) : static_cast<const void*>(wf.data());
            void* o = o_bf16 ? static_cast<void*>(gb.data()) : static_cast<void*>(gf.data());
            check(launch(name, picked, block, 0, (const int*) idx.data(), x.data(), w, o, dim, 1e-6f) == 0, k + " launch: " + cuda_host_last_error());
            std::vector<double> g(static_cast<size_t>(picked) * dim), wv(g.size());
            for (int p = 0; p < picked; p++) {
                std::vector<double> ref = reference(sum, idx[p]);
                for (int i = 0; i < dim; i++) {
                    wv[p * dim + i] = ref[i];
                    g[p * dim + i] = o_bf16 ? __bfloat162float(gb[p * dim + i]) : gf[p * dim + i];
                }
            }
            double e = nmse(g, wv), tolerance = o_bf16 ? 1e-4 : 1e-10;
            check(e <= tolerance, k + shape + ": NMSE " + std::to_string(e));
            check(gf.guards_intact() && gb.guards_intact() && x.guards_intact() && idx.guards_intact(), k + shape + ": a guard region was written");
        }
        check(x.guards_intact() && y.guards_intact() && wf.guards_intact() && outb.guards_intact(), "f32w_bf16" + shape + ": a guard region was written");
    }

    // In place (out = x) in fp32: each thread rewrites only what it read itself.
    {
        Guarded<float> x(2 * 300), w(300);
        std::vector<float> x0(600);
        for (int i = 0; i < 600; i++) x[i] = x0[i] = static_cast<float>(i % 17) - 8.0f;
        for (int i = 0; i < 300; i++) w[i] = 0.5f;
        check(launch("rmsnorm_f32", 2, 128, 0, x.data(), (const float*) w.data(), x.data(), 300, 1e-5f) == 0, "in-place launch");
        for (int r = 0; r < 2; r++) {
            double squares = 0;
            for (int i = 0; i < 300; i++) squares += static_cast<double>(x0[r * 300 + i]) * x0[r * 300 + i];
            double inv = 1.0 / std::sqrt(squares / 300 + 1e-5);
            for (int i = 0; i < 300; i++)
                check(std::fabs(x[r * 300 + i] - 0.5 * x0[r * 300 + i] * inv) < 1e-5, "in-place value " + std::to_string(r * 300 + i));
        }
    }

    // A launch with the wrong argument types is refused before it runs.
    Guarded<float> a(8);
    check(launch("rmsnorm_f32", 1, 32, 0, a.data(), (const float*) a.data(), a.data(), 8.0, 1e-5f) == -1, "wrong argument size refused");
    return finish("rmsnorm");
}
