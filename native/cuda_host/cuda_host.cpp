// The fiber runtime behind cuda_host.h: a kernel registry and a launcher that runs a grid block by block, each
// block as one fiber per thread on the calling host thread. See cuda_host.h for the model and its limits.
#include "cuda_host.h"
#include "cuda_host_api.h"

#include <setjmp.h>
#include <ucontext.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cuda_host {
namespace {

constexpr size_t kStackBytes = 256 * 1024;   // per emulated thread; kernels keep small per-thread arrays
constexpr unsigned kMaxThreads = 1024;       // per block, as on every GPU we target
constexpr size_t kMaxDynamicShared = 227 * 1024;   // sm_90's opt-in maximum per block

struct Kernel {
    Trampoline entry;
    std::vector<size_t> arg_sizes;
};

std::map<std::string, Kernel>& registry() {
    static std::map<std::string, Kernel> kernels;
    return kernels;
}

enum class Wait { None, Block, Warp };

// A fiber starts once through setcontext (onto its own stack) and from then on switches with _setjmp/_longjmp,
// which, unlike swapcontext, save no signal mask and so make no system call: a switch costs tens of nanoseconds,
// and the emulated device spends most of its time switching at barriers and shuffles.
struct Fiber {
    ucontext_t context;
    jmp_buf resume;
    bool started = false;
    ThreadContext built_in;
    unsigned linear = 0;
    bool done = false;
    Wait wait = Wait::None;
    uint64_t wait_generation = 0;
};

struct Warp {
    uint64_t slots[32];
    uint32_t mma_a[32][4], mma_b[32][2];   // the fragments of an mma in flight, per lane
    unsigned live = 0, arrived = 0;
    uint64_t generation = 0;
};

struct Block {
    std::vector<Fiber> fibers;
    std::vector<Warp> warps;
    jmp_buf scheduler;
    unsigned live = 0, arrived = 0;
    uint64_t generation = 0;
    Trampoline entry = nullptr;
    void** args = nullptr;
    void* dynamic_shared = nullptr;
};

thread_local Block* running_block = nullptr;
thread_local Fiber* running_fiber = nullptr;
thread_local std::vector<std::unique_ptr<char[]>> stacks;   // reused from launch to launch
thread_local std::string last_error;

Warp& warp_of(Fiber& f) { return running_block->warps[f.linear / 32]; }

void yield_to_scheduler() {
    if (_setjmp(running_fiber->resume) == 0) _longjmp(running_block->scheduler, 1);
}

void release_if_complete(Block& b) {
    if (b.arrived > 0 && b.arrived == b.live) {
        b.arrived = 0;
        b.generation++;
    }
}

void release_if_complete(Warp& w) {
    if (w.arrived > 0 && w.arrived == w.live) {
        w.arrived = 0;
        w.generation++;
    }
}

void fiber_main() {
    running_block->entry(running_block->args);
    Fiber& f = *running_fiber;
    Block& b = *running_block;
    f.done = true;
    b.live--;
    warp_of(f).live--;
    // A thread that has finished no longer holds back its block's or warp's barrier.
    release_if_complete(b);
    release_if_complete(warp_of(f));
    _longjmp(b.scheduler, 1);   // never resumed: the scheduler skips finished fibers
}

bool released(const Fiber& f, const Block& b) {
    switch (f.wait) {
        case Wait::None: return true;
        case Wait::Block: return b.generation != f.wait_generation;
        case Wait::Warp: return b.warps[f.linear / 32].generation != f.wait_generation;
    }
    return true;
}

std::string describe_deadlock(const Block& b) {
    unsigned at_block = 0, at_warp = 0;
    for (const Fiber& f : b.fibers) {
        if (f.done) continue;
        if (f.wait == Wait::Block) at_block++;
        if (f.wait == Wait::Warp) at_warp++;
    }
    return "deadlock in block (" + std::to_string(b.fibers[0].built_in.block_idx.x) + ", " +
           std::to_string(b.fibers[0].built_in.block_idx.y) + ", " + std::to_string(b.fibers[0].built_in.block_idx.z) +
           "): " + std::to_string(at_block) + " threads wait at __syncthreads, " + std::to_string(at_warp) +
           " at a warp sync, " + std::to_string(b.fibers.size() - b.live) + " have returned";
}

/** Runs one block to completion; false (with last_error set) on a deadlock. */
bool run_block(Block& b, const dim3& grid, const dim3& block, const uint3& block_idx) {
    unsigned n = block.x * block.y * block.z;
    while (stacks.size() < n) stacks.emplace_back(new char[kStackBytes]);
    b.fibers.assign(n, Fiber{});
    b.warps.assign((n + 31) / 32, Warp{});
    b.live = n;
    b.arrived = 0;
    b.generation = 0;
    for (unsigned i = 0; i < n; i++) {
        Fiber& f = b.fibers[i];
        f.linear = i;
        f.built_in.thread_idx = {i % block.x, (i / block.x) % block.y, i / (block.x * block.y)};
        f.built_in.block_idx = block_idx;
        f.built_in.block_dim = block;
        f.built_in.grid_dim = grid;
        b.warps[i / 32].live++;
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = stacks[i].get();
        f.context.uc_stack.ss_size = kStackBytes;
        f.context.uc_link = nullptr;
        makecontext(&f.context, fiber_main, 0);
    }
    while (b.live > 0) {
        bool progressed = false;
        for (Fiber& f : b.fibers) {
            if (f.done || !released(f, b)) continue;
            f.wait = Wait::None;
            running_fiber = &f;
            if (_setjmp(b.scheduler) == 0) {
                if (!f.started) {
                    f.started = true;
                    setcontext(&f.context);
                }
                _longjmp(f.resume, 1);
            }
            progressed = true;
        }
        if (!progressed) {
            last_error = describe_deadlock(b);
            return false;
        }
    }
    return true;
}

}  // namespace

ThreadContext& current() { return running_fiber->built_in; }

void sync_block() {
    Block& b = *running_block;
    Fiber& f = *running_fiber;
    f.wait = Wait::Block;
    f.wait_generation = b.generation;
    b.arrived++;
    release_if_complete(b);
    while (!released(f, b)) yield_to_scheduler();
    f.wait = Wait::None;
}

void sync_warp() {
    Fiber& f = *running_fiber;
    Warp& w = warp_of(f);
    f.wait = Wait::Warp;
    f.wait_generation = w.generation;
    w.arrived++;
    release_if_complete(w);
    while (!released(f, *running_block)) yield_to_scheduler();
    f.wait = Wait::None;
}

uint64_t* warp_slots() { return warp_of(*running_fiber).slots; }

namespace {
float bf16_half(uint32_t word, int high) {   // one bf16 of a fragment word, widened (exact)
    uint32_t bits = (high ? word >> 16 : word & 0xFFFFu) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}
}  // namespace

void mma_m16n8k16_bf16(float* d, const uint32_t* a, const uint32_t* b) {
    Warp& w = warp_of(*running_fiber);
    unsigned lane = lane_id();
    if (warp_live_lanes() != 32) {
        std::fputs("cuda_host: mma.sync in a warp of fewer than 32 lanes (a kernel bug: undefined on a GPU)\n", stderr);
        std::abort();
    }
    std::memcpy(w.mma_a[lane], a, sizeof w.mma_a[lane]);
    std::memcpy(w.mma_b[lane], b, sizeof w.mma_b[lane]);
    sync_warp();
    // A[r][k] lives in lane (r % 8)·4 + (k % 8)/2, word (r / 8) + 2·(k / 8), half k % 2;
    // B[k][n] in lane n·4 + (k % 8)/2, word k / 8, half k % 2
    auto A = [&](int r, int k) { return bf16_half(w.mma_a[(r % 8) * 4 + (k % 8) / 2][r / 8 + 2 * (k / 8)], k % 2); };
    auto B = [&](int k, int n) { return bf16_half(w.mma_b[n * 4 + (k % 8) / 2][k / 8], k % 2); };
    int g = static_cast<int>(lane) / 4, c = static_cast<int>(lane) % 4;
    for (int e = 0; e < 4; e++) {
        int r = g + 8 * (e / 2), n = 2 * c + e % 2;
        float sum = 0.0f;
        for (int k = 0; k < 16; k++) sum += A(r, k) * B(k, n);
        d[e] += sum;
    }
    sync_warp();   // nobody stages the next mma before every lane has read this one
}

unsigned lane_id() { return running_fiber->linear % 32; }

unsigned warp_live_lanes() {
    unsigned n = static_cast<unsigned>(running_block->fibers.size());
    unsigned first = running_fiber->linear / 32 * 32;
    return n - first < 32 ? n - first : 32;
}

void* dynamic_shared() { return running_block->dynamic_shared; }

bool register_kernel(const char* name, Trampoline entry, int nargs, const size_t* sizes) {
    registry()[name] = Kernel{entry, std::vector<size_t>(sizes, sizes + nargs)};
    return true;
}

}  // namespace cuda_host

using namespace cuda_host;

extern "C" const char* cuda_host_last_error() { return last_error.c_str(); }

extern "C" int cuda_host_kernel_args(const char* name, size_t* sizes, int capacity) {
    auto it = registry().find(name);
    if (it == registry().end()) {
        last_error = std::string("no kernel named ") + name;
        return -1;
    }
    const std::vector<size_t>& s = it->second.arg_sizes;
    for (size_t i = 0; i < s.size() && i < static_cast<size_t>(capacity); i++) sizes[i] = s[i];
    return static_cast<int>(s.size());
}

extern "C" int cuda_host_launch(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                                unsigned bz, size_t dynamic_shared_bytes, void** args) {
    auto it = registry().find(name);
    if (it == registry().end()) {
        last_error = std::string("no kernel named ") + name;
        return CUDA_HOST_NO_KERNEL;
    }
    unsigned threads = bx * by * bz;
    if (threads == 0 || threads > kMaxThreads || gx * gy * gz == 0) {
        last_error = std::string(name) + ": invalid launch geometry (block of " + std::to_string(threads) +
                     " threads, grid of " + std::to_string(gx * gy * gz) + " blocks)";
        return CUDA_HOST_BAD_GEOMETRY;
    }
    if (dynamic_shared_bytes > kMaxDynamicShared) {
        last_error = std::string(name) + ": " + std::to_string(dynamic_shared_bytes) +
                     " bytes of dynamic shared memory, more than a block may have";
        return CUDA_HOST_BAD_GEOMETRY;
    }
    std::vector<std::max_align_t> shared((dynamic_shared_bytes + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t));
    Block b;
    b.entry = it->second.entry;
    b.args = args;
    b.dynamic_shared = shared.empty() ? nullptr : shared.data();
    Block* outer = running_block;
    running_block = &b;
    dim3 grid(gx, gy, gz), block(bx, by, bz);
    for (unsigned z = 0; z < gz; z++)
        for (unsigned y = 0; y < gy; y++)
            for (unsigned x = 0; x < gx; x++) {
                if (!run_block(b, grid, block, uint3{x, y, z})) {
                    last_error = std::string(name) + ": " + last_error;
                    running_block = outer;
                    return CUDA_HOST_DEADLOCK;
                }
            }
    running_block = outer;
    return CUDA_HOST_OK;
}
