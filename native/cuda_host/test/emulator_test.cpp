// The emulated device's own semantics, checked with small kernels whose results are known by hand: built-in
// indices over 3-D grids and blocks, __syncthreads ordering through shared memory, every shuffle with widths and
// out-of-range sources, ballot on a partial warp, dynamic shared memory, deadlock and geometry errors; mma.sync's
// fragment layout (PTX's m16n8k16: lane g·4 + c holds A rows g and g + 8, B column g, D rows g and g + 8) against a
// plain matrix product.
#include "../../../kernels/common.cuh"
#include "op_test.h"

using namespace op_test;

extern "C" __global__ void emu_indices(int* out) {
    unsigned t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    unsigned b = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    unsigned threads = blockDim.x * blockDim.y * blockDim.z;
    out[b * threads + t] = static_cast<int>(b * 1000 + t);
}
PT_REGISTER(emu_indices)

// Thread i writes i into shared memory; after the barrier each thread reads its mirror's value.
extern "C" __global__ void emu_reverse(int* out) {
    __shared__ int values[256];
    values[threadIdx.x] = static_cast<int>(threadIdx.x);
    __syncthreads();
    out[threadIdx.x] = values[blockDim.x - 1 - threadIdx.x];
}
PT_REGISTER(emu_reverse)

extern "C" __global__ void emu_shuffles(int* out, int width) {
    int lane = static_cast<int>(threadIdx.x % 32);
    int base = static_cast<int>(threadIdx.x) * 4;
    out[base + 0] = __shfl_xor_sync(0xffffffffu, lane, 5, width);
    out[base + 1] = __shfl_down_sync(0xffffffffu, lane, 3, width);
    out[base + 2] = __shfl_up_sync(0xffffffffu, lane, 2, width);
    out[base + 3] = __shfl_sync(0xffffffffu, lane, 1, width);
}
PT_REGISTER(emu_shuffles)

extern "C" __global__ void emu_ballot(unsigned* out) {
    unsigned bits = __ballot_sync(0xffffffffu, threadIdx.x % 3 == 0);
    if (threadIdx.x % 32 == 0) out[threadIdx.x / 32] = bits;
}
PT_REGISTER(emu_ballot)

extern "C" __global__ void emu_block_sum(float* out) {
    float s = block_sum(static_cast<float>(threadIdx.x + 1));
    float t = block_sum(1.0f);   // a second reduction reuses the scratch
    if (threadIdx.x == 0) {
        out[0] = s;
        out[1] = t;
    }
}
PT_REGISTER(emu_block_sum)

extern "C" __global__ void emu_dynamic_shared(int* out, int n) {
    PT_DYNAMIC_SHARED(int, buffer);
    for (int i = threadIdx.x; i < n; i += blockDim.x) buffer[i] = i * 2;
    __syncthreads();
    for (int i = threadIdx.x; i < n; i += blockDim.x) out[i] = buffer[n - 1 - i];
}
PT_REGISTER(emu_dynamic_shared)

// Half of warp 0 waits at __syncthreads while the other half waits in a shuffle: no thread can go on.
extern "C" __global__ void emu_deadlock(int* out) {
    if (threadIdx.x < 16) __syncthreads();
    else out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, 1, 1);
}
PT_REGISTER(emu_deadlock)

// Threads that return early no longer hold back the barrier of those that stay.
extern "C" __global__ void emu_early_return(int* out) {
    if (threadIdx.x >= 40) return;
    __syncthreads();
    out[threadIdx.x] = 1;
}
PT_REGISTER(emu_early_return)

// One m16n8k16 mma, D = A·B + C, with every fragment gathered from and scattered to plain row-major matrices
// (A [16][16], B [16][8], C and D [16][8]) by the layout common.cuh documents.
extern "C" __global__ void emu_mma(const bf16* a, const bf16* b, const float* c, float* d) {
    int lane = threadIdx.x, g = lane / 4, t = lane % 4;
    unsigned fa[4] = {bf16_pair(a + g * 16 + 2 * t), bf16_pair(a + (g + 8) * 16 + 2 * t), bf16_pair(a + g * 16 + 2 * t + 8),
                      bf16_pair(a + (g + 8) * 16 + 2 * t + 8)};
    bf16 col[4] = {b[(2 * t) * 8 + g], b[(2 * t + 1) * 8 + g], b[(2 * t + 8) * 8 + g], b[(2 * t + 9) * 8 + g]};   // B column g
    unsigned fb[2] = {bf16_pair(col), bf16_pair(col + 2)};
    float acc[4] = {c[g * 8 + 2 * t], c[g * 8 + 2 * t + 1], c[(g + 8) * 8 + 2 * t], c[(g + 8) * 8 + 2 * t + 1]};
    mma_bf16_16816(acc, fa, fb);
    d[g * 8 + 2 * t] = acc[0];
    d[g * 8 + 2 * t + 1] = acc[1];
    d[(g + 8) * 8 + 2 * t] = acc[2];
    d[(g + 8) * 8 + 2 * t + 1] = acc[3];
}
PT_REGISTER(emu_mma)

int main() {
    {
        std::vector<int> out(2 * 3 * 2 * 4 * 2 * 3, -1);
        void* p[] = {&out};
        int* ptr = out.data();
        p[0] = &ptr;
        check(cuda_host_launch("emu_indices", 2, 3, 2, 4, 2, 3, 0, p) == 0, "3-D launch");
        bool ok = true;
        for (unsigned b = 0; b < 12; b++)
            for (unsigned t = 0; t < 24; t++) ok &= out[b * 24 + t] == static_cast<int>(b * 1000 + t);
        check(ok, "every (block, thread) of a 3-D grid runs once with its own indices");
    }
    {
        std::vector<int> out(200, -1);
        check(launch("emu_reverse", 1, 200, 0, out.data()) == 0, "reverse launch");
        bool ok = true;
        for (int i = 0; i < 200; i++) ok &= out[i] == 199 - i;
        check(ok, "__syncthreads orders shared-memory writes before reads");
    }
    for (int width : {32, 8}) {
        std::vector<int> out(64 * 4, -1);
        check(launch("emu_shuffles", 1, 64, 0, out.data(), width) == 0, "shuffle launch");
        bool ok = true;
        for (int t = 0; t < 64; t++) {
            int lane = t % 32, start = lane & ~(width - 1);
            int x = lane ^ 5, d = lane + 3, u = lane - 2;
            ok &= out[t * 4 + 0] == (x >= start && x < start + width ? x : lane);
            ok &= out[t * 4 + 1] == (d < start + width ? d : lane);
            ok &= out[t * 4 + 2] == (u >= start ? u : lane);
            ok &= out[t * 4 + 3] == start + 1;
        }
        check(ok, "shuffles (xor, down, up, indexed) at width " + std::to_string(width));
    }
    {
        std::vector<unsigned> out(2, 0);
        check(launch("emu_ballot", 1, 40, 0, out.data()) == 0, "ballot launch");
        unsigned want0 = 0, want1 = 0;
        for (int t = 0; t < 32; t++) want0 |= (t % 3 == 0 ? 1u : 0u) << t;
        for (int t = 32; t < 40; t++) want1 |= (t % 3 == 0 ? 1u : 0u) << (t - 32);
        check(out[0] == want0 && out[1] == want1, "ballot over a full and a partial warp");
    }
    {
        std::vector<float> out(2, 0);
        check(launch("emu_block_sum", 1, 992, 0, out.data()) == 0, "block_sum launch");
        check(out[0] == 492528.0f && out[1] == 992.0f, "block_sum over 31 warps, called twice");
        // block_sum needs whole warps: a partial last warp shuffles with lanes that do not exist.
        check(launch("emu_block_sum", 1, 1000, 0, out.data()) == 0 && out[0] != 500500.0f,
              "a partial warp's shuffle reads poison, not a plausible value");
    }
    {
        std::vector<int> out(300, -1);
        check(launch("emu_dynamic_shared", 1, 64, 300 * sizeof(int), out.data(), 300) == 0, "dynamic shared launch");
        bool ok = true;
        for (int i = 0; i < 300; i++) ok &= out[i] == (299 - i) * 2;
        check(ok, "dynamic shared memory of the launch's size");
    }
    {
        std::vector<int> out(64, 0);
        check(launch("emu_deadlock", 1, 64, 0, out.data()) == CUDA_HOST_DEADLOCK, "deadlock reported");
        std::string msg = cuda_host_last_error();
        check(msg.find("emu_deadlock: deadlock in block (0, 0, 0)") != std::string::npos && msg.find("at __syncthreads") != std::string::npos,
              "deadlock message names the kernel and the block: " + msg);
    }
    {
        std::vector<int> out(64, 0);
        check(launch("emu_early_return", 1, 64, 0, out.data()) == 0, "early return launch");
        bool ok = true;
        for (int i = 0; i < 64; i++) ok &= out[i] == (i < 40 ? 1 : 0);
        check(ok, "returned threads release the barrier");
    }
    {
        int* none = nullptr;
        check(launch("emu_reverse", 1, 1025, 0, none) == CUDA_HOST_BAD_GEOMETRY, "a block of 1025 threads is refused");
        check(launch("emu_dynamic_shared", 1, 32, 300 * 1024, none, 0) == CUDA_HOST_BAD_GEOMETRY, "300 KiB of shared memory is refused");
        void* p[] = {&none};
        check(cuda_host_launch("no_such_kernel", 1, 1, 1, 1, 1, 1, 0, p) == CUDA_HOST_NO_KERNEL &&
              std::string(cuda_host_last_error()) == "no kernel named no_such_kernel", "an unknown kernel is named");
    }
    {
        // small integers and halves: every product and sum is exact, so D must equal the plain product exactly
        std::vector<bf16> a(16 * 16), b(16 * 8);
        std::vector<float> c(16 * 8), d(16 * 8, -1.0f);
        for (int i = 0; i < 16 * 16; i++) a[i] = __float2bfloat16(static_cast<float>((i * 7) % 11 - 5) * 0.5f);
        for (int i = 0; i < 16 * 8; i++) b[i] = __float2bfloat16(static_cast<float>((i * 5) % 9 - 4));
        for (int i = 0; i < 16 * 8; i++) c[i] = static_cast<float>(i % 13);
        check(launch("emu_mma", 1, 32, 0, static_cast<const bf16*>(a.data()), static_cast<const bf16*>(b.data()),
                     static_cast<const float*>(c.data()), d.data()) == 0, "mma launch");
        bool ok = true;
        for (int r = 0; r < 16; r++)
            for (int n = 0; n < 8; n++) {
                float want = c[r * 8 + n];
                for (int k = 0; k < 16; k++) want += __bfloat162float(a[r * 16 + k]) * __bfloat162float(b[k * 8 + n]);
                ok &= d[r * 8 + n] == want;
            }
        check(ok, "mma_bf16_16816 with PTX's fragment layout is D = A·B + C");
    }
    return finish("emulator");
}
