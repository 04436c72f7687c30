// Shared by every kernel file: the few things that differ between nvcc and the host build (native/cuda_host), and
// the reductions most kernels need.
#pragma once

#ifdef __CUDACC__
#include <cuda_bf16.h>
// Dynamic shared memory, sized by the launch (cuLaunchKernel's sharedMemBytes).
#define PT_DYNAMIC_SHARED(T, name) \
    extern __shared__ __align__(16) unsigned char pt_dynamic_shared_[]; T* name = reinterpret_cast<T*>(pt_dynamic_shared_)
// The device finds kernels by their extern "C" name in the module; nothing to register.
#define PT_REGISTER(name)
#else
#include "cuda_host.h"
#define PT_DYNAMIC_SHARED(T, name) T* name = reinterpret_cast<T*>(cuda_host::dynamic_shared())
// The host build finds kernels in a registry, with each parameter's size so a launch with the wrong arguments fails.
#define PT_REGISTER(name)                                                                                     \
    static const bool pt_registered_##name = cuda_host::register_kernel(                                      \
        #name, &cuda_host::trampoline<&name>, static_cast<int>(cuda_host::arity(&name)), cuda_host::arg_sizes(&name));
#endif

typedef __nv_bfloat16 bf16;

/** Reads a value stored as fp32 or bf16 as fp32 (weights stay in their file dtype; math is fp32). */
__device__ __forceinline__ float widen(float v) { return v; }
__device__ __forceinline__ float widen(bf16 v) { return __bfloat162float(v); }

/** Stores an fp32 result as the output's dtype (bf16 rounds to nearest even, as the device does). */
__device__ __forceinline__ void store(float* out, long i, float v) { out[i] = v; }
__device__ __forceinline__ void store(bf16* out, long i, float v) { out[i] = __float2bfloat16(v); }

/** Sum over the 32 lanes of a warp (butterfly: every lane gets the total). */
__device__ __forceinline__ float warp_sum(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

/** Max over the 32 lanes of a warp (every lane gets it). */
__device__ __forceinline__ float warp_max(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

/**
 * Sum over a 1-D block of whole warps (blockDim.x a multiple of 32, at most 1024); every thread gets the total. Warps reduce with shuffles, then
 * each warp reduces the 32 per-warp partials the same way, so the order of additions is fixed by the geometry
 * (bitwise reproducible for a given blockDim). Ends with a barrier so a second call may reuse the scratch.
 */
__device__ __forceinline__ float block_sum(float v) {
    __shared__ float partial[32];
    unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = (blockDim.x + 31) / 32;
    v = warp_sum(v);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    v = lane < warps ? partial[lane] : 0.0f;
    v = warp_sum(v);
    __syncthreads();
    return v;
}

/** Two bf16 as one 32-bit fragment word (the lower index in the low half), read from 4-byte aligned memory. */
__device__ __forceinline__ unsigned bf16_pair(const bf16* p) {
#ifdef __CUDACC__
    return *reinterpret_cast<const unsigned*>(p);
#else
    unsigned u;
    memcpy(&u, p, sizeof u);
    return u;
#endif
}

/** Two fp32 rounded to bf16 (nearest even) as one fragment word, lo in the low half. */
__device__ __forceinline__ unsigned bf16_pair(float lo, float hi) {
    return static_cast<unsigned>(__bfloat16_as_ushort(__float2bfloat16(lo))) |
           static_cast<unsigned>(__bfloat16_as_ushort(__float2bfloat16(hi))) << 16;
}

/**
 * d += A·B on the tensor cores, one warp collectively: mma.sync m16n8k16, A 16×16 bf16 (row-major), B 16×8 bf16
 * (column-major), d 16×8 fp32. Fragments as PTX lays them out, with g = lane / 4, c = lane % 4:
 * a[0] = A[g][2c..2c+1], a[1] = A[g+8][2c..2c+1], a[2] = A[g][2c+8..2c+9], a[3] = A[g+8][2c+8..2c+9];
 * b[0] = B[2c..2c+1][g], b[1] = B[2c+8..2c+9][g]; d[0..1] = D[g][2c..2c+1], d[2..3] = D[g+8][2c..2c+1].
 * The host build runs it through cuda_host (the same layout, summed in fp32). sm_80 and later.
 */
__device__ __forceinline__ void mma_bf16_16816(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
#ifdef __CUDACC__
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                 "{%0, %1, %2, %3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#else
    cuda_host::mma_m16n8k16_bf16(d, a, b);
#endif
}
