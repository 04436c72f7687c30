/*
 * provtrace's binding of cuBLAS: dlopen()s $PROVTRACE_CUBLAS, then libcublas.so.13, then libcublas.so.12, and calls
 * it through dlsym'd pointers with our own prototypes (cublas_abi.h). Why not JCublas: JCublas 12.6's JNI library
 * links against libcublas.so.12's versioned symbols, so it cannot load where only libcublas.so.13 exists.
 * This file links against libc and libdl only: it loads on a machine without any CUDA, and says why cuBLAS did not.
 * Java side: dev.provtrace.engine.cuda.CublasLibrary.
 */
#define _GNU_SOURCE /* dladdr: the path of the file actually loaded */
#include <dlfcn.h>
#include <jni.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cublas_abi.h"

static void *library;
static char library_path[4096];
static pt_cublasCreate_v2 create_fn;
static pt_cublasDestroy_v2 destroy_fn;
static pt_cublasSetStream_v2 set_stream_fn;
static pt_cublasSetMathMode set_math_mode_fn;
static pt_cublasGetProperty get_property_fn;
static pt_cublasGemmEx gemm_ex_fn;
static pt_cublasGemmStridedBatchedEx gemm_strided_batched_ex_fn;

const char *pt_cublas_status_message(int status) {
    switch (status) {
    case PT_CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case PT_CUBLAS_STATUS_NOT_INITIALIZED:
        return "CUBLAS_STATUS_NOT_INITIALIZED: no usable GPU or NVIDIA driver (libcuda.so.1 missing, too old, or no device visible)";
    case PT_CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED: out of device memory";
    case PT_CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE: a bad argument (size, leading dimension or type)";
    case PT_CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH: this GPU lacks a feature the call needs (e.g. bf16)";
    case PT_CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR: cannot access GPU memory";
    case PT_CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED: the GPU program failed to run";
    case PT_CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR: an internal cuBLAS failure (often a driver/runtime mismatch)";
    case PT_CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED: this combination of types, layouts or compute type is not supported";
    case PT_CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
    default: return "unknown cuBLAS status";
    }
}

static void throw_state(JNIEnv *env, const char *message) {
    jclass cls = (*env)->FindClass(env, "java/lang/IllegalStateException");
    if (cls != NULL) (*env)->ThrowNew(env, cls, message);
}

static int check(JNIEnv *env, const char *call, int status) {
    if (status == PT_CUBLAS_STATUS_SUCCESS) return 1;
    char message[512];
    snprintf(message, sizeof message, "%s failed with status %d: %s", call, status, pt_cublas_status_message(status));
    throw_state(env, message);
    return 0;
}

static int try_open(const char *name, char *report, size_t report_size) {
    /* RTLD_GLOBAL is not needed: libcublas finds libcublasLt beside it through its own RUNPATH ($ORIGIN). */
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    size_t used = strlen(report);
    if (handle == NULL) {
        const char *why = dlerror();
        snprintf(report + used, report_size - used, "%s%s: %s", used ? "; " : "", name, why ? why : "unknown error");
        return 0;
    }
    const char *missing = NULL;
#define RESOLVE(var, type, symbol) if ((var = (type)dlsym(handle, symbol)) == NULL && missing == NULL) missing = symbol
    RESOLVE(create_fn, pt_cublasCreate_v2, "cublasCreate_v2");
    RESOLVE(destroy_fn, pt_cublasDestroy_v2, "cublasDestroy_v2");
    RESOLVE(set_stream_fn, pt_cublasSetStream_v2, "cublasSetStream_v2");
    RESOLVE(set_math_mode_fn, pt_cublasSetMathMode, "cublasSetMathMode");
    RESOLVE(get_property_fn, pt_cublasGetProperty, "cublasGetProperty");
    RESOLVE(gemm_ex_fn, pt_cublasGemmEx, "cublasGemmEx");
    RESOLVE(gemm_strided_batched_ex_fn, pt_cublasGemmStridedBatchedEx, "cublasGemmStridedBatchedEx");
#undef RESOLVE
    if (missing != NULL) {
        snprintf(report + used, report_size - used, "%s%s: loaded but has no symbol %s (not a cuBLAS ≥ 11)",
                 used ? "; " : "", name, missing);
        dlclose(handle);
        return 0;
    }
    library = handle;
    /* The file actually loaded (a bare soname resolves through the loader path), for the start-up line. */
    Dl_info info;
    if (dladdr((void *)create_fn, &info) && info.dli_fname != NULL) snprintf(library_path, sizeof library_path, "%s", info.dli_fname);
    else snprintf(library_path, sizeof library_path, "%s", name);
    return 1;
}

/* Returns null when loaded, else "<name>: <why>; ..." for every place tried. */
JNIEXPORT jstring JNICALL Java_dev_provtrace_engine_cuda_CublasLibrary_open0(JNIEnv *env, jclass cls, jstring override) {
    (void)cls;
    if (library != NULL) return NULL;
    char report[8192] = "";
    if (override != NULL) {
        const char *path = (*env)->GetStringUTFChars(env, override, NULL);
        int ok = try_open(path, report, sizeof report);
        (*env)->ReleaseStringUTFChars(env, override, path);
        if (ok) return NULL;
    }
    if (try_open("libcublas.so.13", report, sizeof report)) return NULL;
    if (try_open("libcublas.so.12", report, sizeof report)) return NULL;
    return (*env)->NewStringUTF(env, report);
}

JNIEXPORT jstring JNICALL Java_dev_provtrace_engine_cuda_CublasLibrary_path0(JNIEnv *env, jclass cls) {
    (void)cls;
    return library == NULL ? NULL : (*env)->NewStringUTF(env, library_path);
}

/* {major, minor, patch}, from cublasGetProperty: needs no handle, so no GPU. */
JNIEXPORT jintArray JNICALL Java_dev_provtrace_engine_cuda_CublasLibrary_version0(JNIEnv *env, jclass cls) {
    (void)cls;
    int v[3];
    if (!check(env, "cublasGetProperty(MAJOR_VERSION)", get_property_fn(PT_MAJOR_VERSION, &v[0]))) return NULL;
    if (!check(env, "cublasGetProperty(MINOR_VERSION)", get_property_fn(PT_MINOR_VERSION, &v[1]))) return NULL;
    if (!check(env, "cublasGetProperty(PATCH_LEVEL)", get_property_fn(PT_PATCH_LEVEL, &v[2]))) return NULL;
    jintArray out = (*env)->NewIntArray(env, 3);
    if (out != NULL) (*env)->SetIntArrayRegion(env, out, 0, 3, v);
    return out;
}

/* A handle in the default math mode: TF32 is used only when a call asks for it (CUBLAS_COMPUTE_32F_FAST_TF32 or the
 * TF32 math mode), and the fp32 path asks CUBLAS_COMPUTE_32F_PEDANTIC per call; a pedantic handle would also keep
 * the bf16 GEMMs off the tensor cores. */
JNIEXPORT jlong JNICALL Java_dev_provtrace_engine_cuda_CublasLibrary_create0(JNIEnv *env, jclass cls) {
    (void)cls;
    pt_cublas_handle handle = NULL;
    if (!check(env, "cublasCreate", create_fn(&handle))) return 0;
    if (!check(env, "cublasSetMathMode(CUBLAS_DEFAULT_MATH)", set_math_mode_fn(handle, PT_CUBLAS_DEFAULT_MATH))) {
        destroy_fn(handle);
        return 0;
    }
    return (jlong)(intptr_t)handle;
}

JNIEXPORT void JNICALL Java_dev_provtrace_engine_cuda_CublasLibrary_destroy0(JNIEnv *env, jclass cls, jlong handle) {
    (void)cls;
    check(env, "cublasDestroy", destroy_fn((pt_cublas_handle)(intptr_t)handle));
}

JNIEXPORT void JNICALL Java_dev_provtrace_engine_cuda_CublasLibrary_setStream0(JNIEnv *env, jclass cls, jlong handle, jlong stream) {
    (void)cls;
    check(env, "cublasSetStream", set_stream_fn((pt_cublas_handle)(intptr_t)handle, (pt_cuda_stream)(intptr_t)stream));
}

/* cublasGemmEx, column-major as cuBLAS sees it; alpha/beta are host floats (the default pointer mode). */
JNIEXPORT void JNICALL Java_dev_provtrace_engine_cuda_CublasLibrary_gemmEx0(
    JNIEnv *env, jclass cls, jlong handle, jint transa, jint transb, jint m, jint n, jint k, jfloat alpha,
    jlong a, jint atype, jint lda, jlong b, jint btype, jint ldb, jfloat beta, jlong c, jint ctype, jint ldc,
    jint compute) {
    (void)cls;
    float al = alpha, be = beta;
    check(env, "cublasGemmEx",
          gemm_ex_fn((pt_cublas_handle)(intptr_t)handle, transa, transb, m, n, k, &al, (const void *)(intptr_t)a, atype, lda,
                     (const void *)(intptr_t)b, btype, ldb, &be, (void *)(intptr_t)c, ctype, ldc, compute,
                     PT_CUBLAS_GEMM_DEFAULT));
}

JNIEXPORT void JNICALL Java_dev_provtrace_engine_cuda_CublasLibrary_gemmStridedBatchedEx0(
    JNIEnv *env, jclass cls, jlong handle, jint transa, jint transb, jint m, jint n, jint k, jfloat alpha,
    jlong a, jint atype, jint lda, jlong stride_a, jlong b, jint btype, jint ldb, jlong stride_b, jfloat beta,
    jlong c, jint ctype, jint ldc, jlong stride_c, jint batch, jint compute) {
    (void)cls;
    float al = alpha, be = beta;
    check(env, "cublasGemmStridedBatchedEx",
          gemm_strided_batched_ex_fn((pt_cublas_handle)(intptr_t)handle, transa, transb, m, n, k, &al,
                                     (const void *)(intptr_t)a, atype, lda, stride_a, (const void *)(intptr_t)b, btype,
                                     ldb, stride_b, &be, (void *)(intptr_t)c, ctype, ldc, stride_c, batch, compute,
                                     PT_CUBLAS_GEMM_DEFAULT));
}

/* The enum values this library uses, so Java's constants can be checked against the one place they are defined. */
JNIEXPORT jintArray JNICALL Java_dev_provtrace_engine_cuda_CublasLibrary_constants0(JNIEnv *env, jclass cls) {
    (void)cls;
    jint v[] = {PT_CUDA_R_32F, PT_CUDA_R_16BF, PT_CUBLAS_COMPUTE_32F, PT_CUBLAS_COMPUTE_32F_PEDANTIC, PT_CUBLAS_OP_N, PT_CUBLAS_OP_T};
    jintArray out = (*env)->NewIntArray(env, 6);
    if (out != NULL) (*env)->SetIntArrayRegion(env, out, 0, 6, v);
    return out;
}
