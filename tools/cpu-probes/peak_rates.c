// Peak arithmetic rate of one core for the three AVX-512 multiply-add instructions a CPU GEMM could use:
// fp32 FMA (vfmadd231ps, 16 MACs), bf16 dot (vdpbf16ps, 32 MACs into fp32), fp16 FMA (vfmadd231ph, 32 MACs in fp16).
// Twelve independent accumulators per loop hide the latency, so each figure is the instruction's throughput.
// Why: it bounds what any GEMM on this CPU can reach (tools/cpu-probes/README.md has the figures and what follows).
// Build: gcc -O2 -march=sapphirerapids peak_rates.c (tools/cpu-probes/run.sh does it and runs both probes).
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#define STEPS 200000000L
#define KEEP(v) __asm__ volatile("" ::"v"(v[0]), "v"(v[1]), "v"(v[2]), "v"(v[3]), "v"(v[4]), "v"(v[5]), \
                                 "v"(v[6]), "v"(v[7]), "v"(v[8]), "v"(v[9]), "v"(v[10]), "v"(v[11]))

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void report(const char *name, double elapsed, int flops_per_instruction) {
  printf("%-28s %5.2f G instructions/s  %6.1f GFLOP/s per core\n", name, STEPS / elapsed / 1e9,
         STEPS / elapsed * flops_per_instruction / 1e9);
}

int main(void) {
  __m512 acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm512_setzero_ps();
  __m512 x = _mm512_set1_ps(1.0f), y = _mm512_set1_ps(1e-9f);
  double t = seconds();
  for (long n = 0; n < STEPS / 12; n++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
    KEEP(acc);
  }
  report("fp32 FMA (vfmadd231ps)", seconds() - t, 32);

  __m512bh ones = (__m512bh)_mm512_set1_epi16(0x3f80);
  for (int i = 0; i < 12; i++) acc[i] = _mm512_setzero_ps();
  t = seconds();
  for (long n = 0; n < STEPS / 12; n++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) acc[i] = _mm512_dpbf16_ps(acc[i], ones, ones);
    KEEP(acc);
  }
  report("bf16 dot (vdpbf16ps)", seconds() - t, 64);

  __m512h hacc[12];
  for (int i = 0; i < 12; i++) hacc[i] = _mm512_setzero_ph();
  __m512h hx = _mm512_set1_ph((_Float16)1.0f), hy = _mm512_set1_ph((_Float16)1e-4f);
  t = seconds();
  for (long n = 0; n < STEPS / 12; n++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) hacc[i] = _mm512_fmadd_ph(hacc[i], hx, hy);
    KEEP(hacc);
  }
  report("fp16 FMA (vfmadd231ph)", seconds() - t, 64);
  float sink = 0;
  for (int i = 0; i < 12; i++) sink += _mm512_reduce_add_ps(acc[i]) + (float)hacc[i][0];
  return sink == 12345.0f;  // keeps the results live
}
