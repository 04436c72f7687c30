// gemm_f32 and gemm_bf16 (kernels/gemm.cu, the batch-invariant GEMM) on the emulated device against a double
// reference, on edge shapes (one row, one column, k of 1 and not a multiple of the 32-wide step, tiles cut at every
// edge), beta = 0 over a NaN-filled out (never read) and beta = 1 (accumulates), with guard regions; and the point of
// the kernel: a row's outputs are bitwise the same in a GEMM of 1 row and in one of 70 rows.
#include "op_test.h"

#include <cmath>
#include <cstring>
#include <cuda_bf16.h>

using namespace op_test;

namespace {

using bf16 = __nv_bfloat16;

unsigned tiles(int n) { return static_cast<unsigned>((n + 31) / 32); }

/** Launches gemm_<suffix> over a 2-D grid, as the backend does: grid (ceil(n/32), ceil(rows/32)), block (16, 16). */
template <class T>
int gemm(const char* name, const T* x, const T* w, float* out, int rows, int n, int k, float beta) {
    void* params[] = {&x, &w, &out, &rows, &n, &k, &beta, nullptr};
    return cuda_host_launch(name, tiles(n), tiles(rows), 1, 16, 16, 1, 0, params);
}

void run(int rows, int n, int k, bool bf, std::mt19937& rng) {
    std::normal_distribution<float> normal;
    size_t xn = static_cast<size_t>(rows) * k, wn = static_cast<size_t>(n) * k, on = static_cast<size_t>(rows) * n;
    Guarded<float> xf(xn), wf(wn), out(on), acc(on);
    Guarded<bf16> xb(xn), wb(wn);
    for (size_t i = 0; i < xn; i++) {
        xb[i] = __float2bfloat16(normal(rng));
        xf[i] = bf ? __bfloat162float(xb[i]) : normal(rng);
    }
    for (size_t i = 0; i < wn; i++) {
        wb[i] = __float2bfloat16(normal(rng));
        wf[i] = bf ? __bfloat162float(wb[i]) : normal(rng);
    }
    for (size_t i = 0; i < on; i++) {
        out[i] = std::nanf("");
        acc[i] = normal(rng);
    }
    std::vector<float> acc0(acc.data(), acc.data() + on);
    std::string label = std::string(bf ? "gemm_bf16" : "gemm_f32") + " rows=" + std::to_string(rows) + " n=" + std::to_string(n)
                        + " k=" + std::to_string(k);
    int rc = bf ? gemm("gemm_bf16", xb.data(), wb.data(), out.data(), rows, n, k, 0.0f)
                : gemm("gemm_f32", xf.data(), wf.data(), out.data(), rows, n, k, 0.0f);
    check(rc == 0, label + ": launch failed: " + cuda_host_last_error());
    rc = bf ? gemm("gemm_bf16", xb.data(), wb.data(), acc.data(), rows, n, k, 1.0f)
            : gemm("gemm_f32", xf.data(), wf.data(), acc.data(), rows, n, k, 1.0f);
    check(rc == 0, label + " beta=1: launch failed: " + cuda_host_last_error());
    std::vector<double> got(on), want(on), got_acc(on), want_acc(on);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < n; c++) {
            double s = 0;
            for (int i = 0; i < k; i++) s += static_cast<double>(xf[static_cast<size_t>(r) * k + i]) * wf[static_cast<size_t>(c) * k + i];
            size_t o = static_cast<size_t>(r) * n + c;
            want[o] = s;
            got[o] = out[o];
            want_acc[o] = s + acc0[o];
            got_acc[o] = acc[o];
        }
    check(nmse(got, want) <= 1e-10, label + ": NMSE " + std::to_string(nmse(got, want)));
    check(nmse(got_acc, want_acc) <= 1e-10, label + " beta=1: NMSE " + std::to_string(nmse(got_acc, want_acc)));
    check(out.guards_intact() && acc.guards_intact() && xf.guards_intact() && wf.guards_intact() && xb.guards_intact() &&
          wb.guards_intact(), label + ": a guard region was written");

    // row r alone gives bitwise the numbers it has among all the rows
    int r = rows / 2;
    Guarded<float> one(static_cast<size_t>(n));
    rc = bf ? gemm("gemm_bf16", xb.data() + static_cast<size_t>(r) * k, wb.data(), one.data(), 1, n, k, 0.0f)
            : gemm("gemm_f32", xf.data() + static_cast<size_t>(r) * k, wf.data(), one.data(), 1, n, k, 0.0f);
    check(rc == 0, label + " one row: launch failed");
    check(std::memcmp(one.data(), out.data() + static_cast<size_t>(r) * n, n * sizeof(float)) == 0,
          label + ": row " + std::to_string(r) + " alone differs from the same row among " + std::to_string(rows));
}

}  // namespace

int main() {
    std::mt19937 rng(21);
    for (bool bf : {false, true})
        for (auto [rows, n, k] : {std::tuple{1, 1, 1}, std::tuple{1, 47, 31}, std::tuple{70, 33, 65}, std::tuple{33, 64, 32},
                                  std::tuple{5, 100, 96}})
            run(rows, n, k, bf, rng);
    return finish("gemm");
}
