/*
 * The part of cuBLAS's ABI that provtrace uses, written out here so that the binding builds with gcc alone (no CUDA
 * headers) and loads whichever libcublas the machine has (12 or 13). Values from the public cuBLAS documentation and
 * cublas_api.h / library_types.h; test/cublas_abi_check.c compares each with the real headers wherever they exist.
 */
#ifndef PROVTRACE_CUBLAS_ABI_H
#define PROVTRACE_CUBLAS_ABI_H

#include <stddef.h>
#include <stdint.h>

/* cudaDataType_t (library_types.h) */
#define PT_CUDA_R_32F 0
#define PT_CUDA_R_16BF 14
/* cublasComputeType_t */
#define PT_CUBLAS_COMPUTE_32F 68
#define PT_CUBLAS_COMPUTE_32F_PEDANTIC 69
/* cublasOperation_t */
#define PT_CUBLAS_OP_N 0
#define PT_CUBLAS_OP_T 1
/* cublasGemmAlgo_t */
#define PT_CUBLAS_GEMM_DEFAULT (-1)
/* cublasMath_t */
#define PT_CUBLAS_DEFAULT_MATH 0
#define PT_CUBLAS_PEDANTIC_MATH 2
/* libraryPropertyType */
#define PT_MAJOR_VERSION 0
#define PT_MINOR_VERSION 1
#define PT_PATCH_LEVEL 2
/* cublasStatus_t */
#define PT_CUBLAS_STATUS_SUCCESS 0
#define PT_CUBLAS_STATUS_NOT_INITIALIZED 1
#define PT_CUBLAS_STATUS_ALLOC_FAILED 3
#define PT_CUBLAS_STATUS_INVALID_VALUE 7
#define PT_CUBLAS_STATUS_ARCH_MISMATCH 8
#define PT_CUBLAS_STATUS_MAPPING_ERROR 11
#define PT_CUBLAS_STATUS_EXECUTION_FAILED 13
#define PT_CUBLAS_STATUS_INTERNAL_ERROR 14
#define PT_CUBLAS_STATUS_NOT_SUPPORTED 15
#define PT_CUBLAS_STATUS_LICENSE_ERROR 16

/* Handles and streams are opaque pointers; every enum is passed as an int (the C ABI of an enum on x86-64). */
typedef void *pt_cublas_handle;
typedef void *pt_cuda_stream;
typedef int (*pt_cublasCreate_v2)(pt_cublas_handle *handle);
typedef int (*pt_cublasDestroy_v2)(pt_cublas_handle handle);
typedef int (*pt_cublasSetStream_v2)(pt_cublas_handle handle, pt_cuda_stream stream);
typedef int (*pt_cublasSetMathMode)(pt_cublas_handle handle, int mode);
typedef int (*pt_cublasGetProperty)(int type, int *value);
typedef int (*pt_cublasGemmEx)(pt_cublas_handle handle, int transa, int transb, int m, int n, int k,
                               const void *alpha, const void *a, int atype, int lda,
                               const void *b, int btype, int ldb, const void *beta,
                               void *c, int ctype, int ldc, int compute, int algo);
typedef int (*pt_cublasGemmStridedBatchedEx)(pt_cublas_handle handle, int transa, int transb, int m, int n, int k,
                                             const void *alpha, const void *a, int atype, int lda, long long stride_a,
                                             const void *b, int btype, int ldb, long long stride_b, const void *beta,
                                             void *c, int ctype, int ldc, long long stride_c, int batch, int compute,
                                             int algo);

/* A message for a status code: what it means for a provtrace user, not only its name. */
const char *pt_cublas_status_message(int status);

#endif
