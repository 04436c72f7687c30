// What the CPU's AVX-512 kernels share (needs AVX-512F; included by files built with it): a mask of a vector's first
// lanes, and e^x on 16 fp32 lanes.
// e^x: 2^n · e^r with
// n = round(x / ln 2) and r = x − n · ln 2 in two parts (|r| ≤ ln 2 / 2), e^r by its degree-6 Taylor polynomial
// (about 2 ulp), 2^n by scalef. x ≥ 88.7 gives +inf; x below −87.3 goes to subnormals and then 0 (x is clamped at
// −104 first, where the result is 0 already).
#ifndef PROVTRACE_EXP_AVX512_H
#define PROVTRACE_EXP_AVX512_H
#include <immintrin.h>

// The first `count` of 16 lanes (none for count ≤ 0, all for count ≥ 16): the tail of a row or of a head.
static inline __mmask16 lanes(int count) {
    return count >= 16 ? (__mmask16) 0xffff : count <= 0 ? (__mmask16) 0 : (__mmask16) ((1u << count) - 1u);
}

static inline __m512 exp_ps(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-104.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), r);
    __m512 q = _mm512_set1_ps(1.0f / 720);
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.0f / 120));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.0f / 24));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.0f / 6));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(0.5f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.0f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(q, n);
}

#endif
