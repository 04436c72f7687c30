// A few helpers the host op tests share: launching by name as the driver API would, guarded buffers, NMSE.
#pragma once

#include "cuda_host_api.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <tuple>
#include <string>
#include <vector>

namespace op_test {

inline int failures = 0;

inline void check(bool ok, const std::string& what) {
    if (!ok) {
        failures++;
        std::fprintf(stderr, "FAIL: %s\n", what.c_str());
    }
}

/** Launches `name` with kernelParams built from the values given, in order. Returns the launcher's code. */
template <class... A>
int launch(const char* name, unsigned grid, unsigned block, size_t shared, A... values) {
    void* params[] = {static_cast<void*>(&values)..., nullptr};
    size_t sizes[32];
    int n = cuda_host_kernel_args(name, sizes, 32);
    size_t given[] = {sizeof(A)...};
    if (n != static_cast<int>(sizeof...(A))) {
        std::fprintf(stderr, "%s takes %d arguments, %zu given\n", name, n, sizeof...(A));
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (sizes[i] != given[i]) {
            std::fprintf(stderr, "%s: argument %d is %zu bytes, %zu given\n", name, i, sizes[i], given[i]);
            return -1;
        }
    return cuda_host_launch(name, grid, 1, 1, block, 1, 1, shared, params);
}

/**
 * A device buffer stand-in with guard regions on both sides, filled with a byte pattern that must survive the
 * kernel: an out-of-bounds store shows up as a changed guard (as in llama.cpp's test-backend-ops).
 */
template <class T>
struct Guarded {
    static constexpr size_t kGuard = 64;
    static constexpr unsigned char kPattern = 0xA5;
    std::vector<unsigned char> bytes;
    size_t n;

    explicit Guarded(size_t count) : bytes((count + 2 * kGuard) * sizeof(T), kPattern), n(count) {}
    T* data() { return reinterpret_cast<T*>(bytes.data()) + kGuard; }
    T& operator[](size_t i) { return data()[i]; }
    bool guards_intact() const {
        for (size_t i = 0; i < kGuard * sizeof(T); i++)
            if (bytes[i] != kPattern || bytes[bytes.size() - 1 - i] != kPattern) return false;
        return true;
    }
};

/** Normalised mean squared error Σ(a − b)² / Σ b², the measure test-backend-ops uses. */
inline double nmse(const std::vector<double>& got, const std::vector<double>& want) {
    double err = 0, norm = 0;
    for (size_t i = 0; i < got.size(); i++) {
        err += (got[i] - want[i]) * (got[i] - want[i]);
        norm += want[i] * want[i];
    }
    return norm == 0 ? err : err / norm;
}

inline int finish(const char* suite) {
    if (failures == 0) std::printf("%s: all checks passed\n", suite);
    else std::printf("%s: %d checks failed\n", suite, failures);
    return failures == 0 ? 0 : 1;
}

}  // namespace op_test
