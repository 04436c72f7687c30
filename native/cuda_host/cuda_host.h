// CUDA on the host: lets the kernels in kernels/*.cu compile with g++ and run on the CPU, unchanged.
//
// Why: CI has no GPU. Compiling the very same kernel sources for the host lets every launch the CUDA backend makes
// (grid, block, shared memory, argument order and values) run in CI against a reference, so only the thin driver
// and cuBLAS calls are left for a real device to confirm.
//
// How: each emulated CUDA thread is a fiber (ucontext). One host thread runs one block at a time: all fibers of
// the block, switched cooperatively, so a `__shared__` variable is a `static thread_local` (one copy per host
// thread = per running block) and `__syncthreads()` is a barrier at which a fiber yields until every live fiber of
// its block arrived. Warp shuffles go through a per-warp exchange buffer between two warp barriers. A barrier no
// fiber can pass (some threads at __syncthreads, others at a warp sync or finished) is reported as a deadlock
// instead of hanging. bf16 is the host side of nvcc's own cuda_bf16.h, so rounding is the device's.
//
// What differs from a GPU: threads of a block interleave only at barriers and shuffles (a data race between two
// barriers is not exercised as on hardware; the op tests' guard regions and ASan catch out-of-bounds accesses),
// and blocks run one after another.
#pragma once

#include <cuda_bf16.h>   // host side: __nv_bfloat16, dim3/uint3, and __device__/__global__ as host no-ops

#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

namespace cuda_host {

/** What a kernel sees of itself: the built-in index variables of the emulated thread that is running. */
struct ThreadContext {
    uint3 thread_idx;
    uint3 block_idx;
    dim3 block_dim;
    dim3 grid_dim;
};

ThreadContext& current();        // the running emulated thread
void sync_block();               // __syncthreads()
void sync_warp();                // __syncwarp(): all live lanes of the caller's warp
uint64_t* warp_slots();          // the caller's warp's exchange buffer, one 8-byte slot per lane
unsigned lane_id();              // threadIdx linearised, mod 32
unsigned warp_live_lanes();      // lanes of the caller's warp that exist (a last partial warp has fewer)
void* dynamic_shared();          // the launch's dynamic shared memory (extern __shared__)

/**
 * mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 as one warp's collective: d += A·B, A 16×16 and B 16×8 bf16,
 * d 16×8 fp32, each lane holding PTX's fragments (g = lane / 4, c = lane % 4; two bf16 per word, the lower column
 * or row in the low half): a[0] = A[g][2c, 2c+1], a[1] = A[g+8][2c, 2c+1], a[2] = A[g][2c+8, 2c+9],
 * a[3] = A[g+8][2c+8, 2c+9]; b[0] = B[2c, 2c+1][g], b[1] = B[2c+8, 2c+9][g]; d[0..1] = D[g][2c, 2c+1],
 * d[2..3] = D[g+8][2c, 2c+1]. Products of bf16 are exact in fp32; each lane sums its 16 in k order and adds them
 * to d (the tensor core's internal order is its own: results agree to fp32 rounding, not bitwise).
 */
void mma_m16n8k16_bf16(float* d, const uint32_t* a, const uint32_t* b);

/** A kernel entry as the launcher calls it: the argument array exactly as cuLaunchKernel's kernelParams. */
using Trampoline = void (*)(void** args);

bool register_kernel(const char* name, Trampoline entry, int nargs, const size_t* arg_sizes);

template <class... A, std::size_t... I>
void invoke(void (*f)(A...), void** args, std::index_sequence<I...>) {
    f(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(args[I])...);
}

template <class... A>
constexpr std::size_t arity(void (*)(A...)) { return sizeof...(A); }

template <auto F>
void trampoline(void** args) { invoke(F, args, std::make_index_sequence<arity(F)>{}); }

template <class... A>
struct ArgSizes {
    static constexpr size_t value[sizeof...(A) + 1] = {sizeof(A)..., 0};
};

template <class... A>
const size_t* arg_sizes(void (*)(A...)) { return ArgSizes<A...>::value; }

template <class T>
T exchange(T v, int src, bool valid) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffles move values of at most 8 bytes");
    uint64_t* slots = warp_slots();
    unsigned lane = lane_id();
    std::memcpy(&slots[lane], &v, sizeof(T));
    sync_warp();
    T r = v;
    if (valid && static_cast<unsigned>(src) >= warp_live_lanes()) {
        // Reading a lane that does not exist (a partial last warp) is undefined on a GPU: give a poison value
        // (all bits set: NaN, -1) so that a kernel relying on it fails its test instead of passing by luck.
        std::memset(&r, 0xFF, sizeof(T));
    } else if (valid) {
        std::memcpy(&r, &slots[src], sizeof(T));
    }
    sync_warp();   // nobody overwrites a slot before every lane has read its partner's
    return r;
}

inline int segment_start(int width) { return static_cast<int>(lane_id()) & ~(width - 1); }

}  // namespace cuda_host

// ---- built-in variables --------------------------------------------------------------------------------------
#define threadIdx (cuda_host::current().thread_idx)
#define blockIdx (cuda_host::current().block_idx)
#define blockDim (cuda_host::current().block_dim)
#define gridDim (cuda_host::current().grid_dim)
#ifndef warpSize
#define warpSize 32
#endif

#undef __shared__
#define __shared__ static thread_local
#ifndef __launch_bounds__
#define __launch_bounds__(...)
#endif
#ifndef __restrict__
#define __restrict__ __restrict
#endif

// ---- synchronisation ---------------------------------------------------------------------------------------
inline void __syncthreads() { cuda_host::sync_block(); }
inline void __syncwarp(unsigned = 0xffffffffu) { cuda_host::sync_warp(); }

// Shuffles: `width` splits the warp into segments as on the device; a source outside the segment yields the
// caller's own value, as shfl does; a source lane that does not exist (last partial warp) yields poison.
template <class T>
T __shfl_sync(unsigned, T v, int src, int width = 32) {
    int s = cuda_host::segment_start(width) + (src & (width - 1));
    return cuda_host::exchange(v, s, true);
}
template <class T>
T __shfl_xor_sync(unsigned, T v, int lane_mask, int width = 32) {
    int lane = static_cast<int>(cuda_host::lane_id()), start = cuda_host::segment_start(width);
    int s = lane ^ lane_mask;
    return cuda_host::exchange(v, s, s >= start && s < start + width);
}
template <class T>
T __shfl_down_sync(unsigned, T v, unsigned delta, int width = 32) {
    int lane = static_cast<int>(cuda_host::lane_id()), start = cuda_host::segment_start(width);
    int s = lane + static_cast<int>(delta);
    return cuda_host::exchange(v, s, s < start + width);
}
template <class T>
T __shfl_up_sync(unsigned, T v, unsigned delta, int width = 32) {
    int lane = static_cast<int>(cuda_host::lane_id()), start = cuda_host::segment_start(width);
    int s = lane - static_cast<int>(delta);
    return cuda_host::exchange(v, s, s >= start);
}
inline unsigned __ballot_sync(unsigned, int predicate) {
    uint64_t* slots = cuda_host::warp_slots();
    unsigned lane = cuda_host::lane_id(), live = cuda_host::warp_live_lanes();
    slots[lane] = predicate != 0;
    cuda_host::sync_warp();
    unsigned bits = 0;
    for (unsigned l = 0; l < live; l++) bits |= static_cast<unsigned>(slots[l] != 0) << l;
    cuda_host::sync_warp();
    return bits;
}
inline int __any_sync(unsigned mask, int predicate) { return __ballot_sync(mask, predicate) != 0; }
inline int __all_sync(unsigned mask, int predicate) {
    unsigned live = cuda_host::warp_live_lanes();
    unsigned all = live == 32 ? 0xffffffffu : (1u << live) - 1;
    return __ballot_sync(mask, predicate) == all;
}

// ---- atomics (std::atomic_ref, so they stay atomic if blocks ever run on several host threads) ----------------
template <class T>
T atomicAdd(T* address, T value) { return std::atomic_ref<T>(*address).fetch_add(value); }
inline int atomicMax(int* address, int value) {
    std::atomic_ref<int> a(*address);
    int old = a.load();
    while (old < value && !a.compare_exchange_weak(old, value)) {}
    return old;
}
inline unsigned atomicCAS(unsigned* address, unsigned compare, unsigned value) {
    std::atomic_ref<unsigned>(*address).compare_exchange_strong(compare, value);
    return compare;
}

// ---- device math intrinsics: their host meaning ------------------------------------------------------------------
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __saturatef(float x) { return fminf(fmaxf(x, 0.0f), 1.0f); }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
template <class T>
T __ldg(const T* p) { return *p; }
// The device's integer min/max overloads.
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline long min(long a, long b) { return a < b ? a : b; }
inline long max(long a, long b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
