/*
 * JNI for the CPU backend's native kernels (Java side: dev.provtrace.engine.cpu.Fp16Gemm, NativeSoftmax and
 * NativeAttention).
 * Compiled without AVX-512 flags: the supported0 functions run on any x86-64, and Java calls nothing else of a kernel
 * unless its check said yes. Addresses are native memory Java owns (JavaCPP pointers) or a packed weight made here;
 * every call is single-threaded, Java's threads split the work.
 */
#include <jni.h>
#include <stdint.h>

#include "attention_f32.h"
#include "fp16_gemm.h"
#include "softmax_rows.h"
#include "widen_bf16.h"

#define JNI_NAME(name) Java_dev_provtrace_engine_cpu_Fp16Gemm_##name

JNIEXPORT jboolean JNICALL JNI_NAME(supported0)(JNIEnv *env, jclass cls) {
    (void) env; (void) cls;
    return fp16_cpu_supported() ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jlong JNICALL JNI_NAME(weightNew0)(JNIEnv *env, jclass cls, jint n, jint k) {
    (void) env; (void) cls;
    return (jlong) (intptr_t) fp16_weight_new(n, k);
}

JNIEXPORT void JNICALL JNI_NAME(weightPack0)(JNIEnv *env, jclass cls, jlong w, jlong src, jint row0, jint rows) {
    (void) env; (void) cls;
    fp16_weight_pack_rows((fp16_weight *) (intptr_t) w, (const float *) (intptr_t) src, row0, rows);
}

JNIEXPORT void JNICALL JNI_NAME(weightFree0)(JNIEnv *env, jclass cls, jlong w) {
    (void) env; (void) cls;
    fp16_weight_free((fp16_weight *) (intptr_t) w);
}

JNIEXPORT jlong JNICALL JNI_NAME(activationsBytes0)(JNIEnv *env, jclass cls, jint m, jint k) {
    (void) env; (void) cls;
    return (jlong) fp16_activations_bytes(m, k);
}

JNIEXPORT void JNICALL JNI_NAME(packActivations0)(JNIEnv *env, jclass cls, jlong a, jlong lda, jint m, jint k, jint row0,
                                                  jint rows, jlong dst) {
    (void) env; (void) cls;
    fp16_pack_activations((const float *) (intptr_t) a, lda, m, k, row0, rows, (void *) (intptr_t) dst);
}

JNIEXPORT jint JNICALL JNI_NAME(gemm0)(JNIEnv *env, jclass cls, jlong packedA, jint m, jint k, jlong w, jlong bias,
                                       jboolean accumulate, jint row0, jint rows, jint col0, jint cols, jlong c, jlong ldc) {
    (void) env; (void) cls;
    return fp16_gemm((const void *) (intptr_t) packedA, m, k, (const fp16_weight *) (intptr_t) w, (const float *) (intptr_t) bias,
                     accumulate == JNI_TRUE, row0, rows, col0, cols, (float *) (intptr_t) c, ldc);
}

JNIEXPORT jint JNICALL JNI_NAME(gemmSwiglu0)(JNIEnv *env, jclass cls, jlong packedA, jint m, jint k, jlong gate, jlong gateBias,
                                             jlong up, jlong upBias, jint row0, jint rows, jint col0, jint cols, jlong c, jlong ldc) {
    (void) env; (void) cls;
    return fp16_gemm_swiglu((const void *) (intptr_t) packedA, m, k, (const fp16_weight *) (intptr_t) gate,
                            (const float *) (intptr_t) gateBias, (const fp16_weight *) (intptr_t) up, (const float *) (intptr_t) upBias,
                            row0, rows, col0, cols, (float *) (intptr_t) c, ldc);
}

#define SOFTMAX_NAME(name) Java_dev_provtrace_engine_cpu_NativeSoftmax_##name

JNIEXPORT jboolean JNICALL SOFTMAX_NAME(supported0)(JNIEnv *env, jclass cls) {
    (void) env; (void) cls;
    return softmax_cpu_supported() ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL SOFTMAX_NAME(causalRows0)(JNIEnv *env, jclass cls, jlong scores, jint keys, jint group, jint p0, jint k0,
                                                 jint window, jint row0, jint row1) {
    (void) env; (void) cls;
    softmax_causal_rows((float *) (intptr_t) scores, keys, group, p0, k0, window, row0, row1);
}

#define ATTENTION_NAME(name) Java_dev_provtrace_engine_cpu_NativeAttention_##name

JNIEXPORT void JNICALL ATTENTION_NAME(packKeys0)(JNIEnv *env, jclass cls, jlong k, jlong ldk, jint keys, jint headDim, jlong kt,
                                                 jint block0, jint block1) {
    (void) env; (void) cls;
    attention_pack_keys((const float *) (intptr_t) k, ldk, keys, headDim, (float *) (intptr_t) kt, block0, block1);
}

JNIEXPORT void JNICALL ATTENTION_NAME(rows0)(JNIEnv *env, jclass cls, jlong q, jlong ldq, jlong kt, jlong v, jlong ldv, jlong out,
                                             jlong ldo, jint headDim, jint group, jint past, jfloat scale, jint window,
                                             jint row0, jint row1) {
    (void) env; (void) cls;
    attention_f32_rows((const float *) (intptr_t) q, ldq, (const float *) (intptr_t) kt, (const float *) (intptr_t) v, ldv,
                       (float *) (intptr_t) out, ldo, headDim, group, past, scale, window, row0, row1);
}

#define WIDEN_NAME(name) Java_dev_provtrace_engine_cpu_NativeWiden_##name

JNIEXPORT void JNICALL WIDEN_NAME(widen0)(JNIEnv *env, jclass cls, jlong src, jlong dst, jlong n) {
    (void) env; (void) cls;
    widen_bf16((const uint16_t *) (intptr_t) src, (float *) (intptr_t) dst, (size_t) n);
}
