/* Every value of cublas_abi.h against NVIDIA's own headers (built only where cublas_api.h is found), so a wrong
 * constant cannot slip in. Compile-time: a mismatch fails the build naming the constant. */
#include <cublas_api.h>
#include <library_types.h>
#include <stdio.h>

#include "../cublas_abi.h"

#define SAME(ours, theirs) _Static_assert((ours) == (theirs), #ours " differs from " #theirs " in NVIDIA's headers")
SAME(PT_CUDA_R_32F, CUDA_R_32F);
SAME(PT_CUDA_R_16BF, CUDA_R_16BF);
SAME(PT_CUBLAS_COMPUTE_32F, CUBLAS_COMPUTE_32F);
SAME(PT_CUBLAS_COMPUTE_32F_PEDANTIC, CUBLAS_COMPUTE_32F_PEDANTIC);
SAME(PT_CUBLAS_OP_N, CUBLAS_OP_N);
SAME(PT_CUBLAS_OP_T, CUBLAS_OP_T);
SAME(PT_CUBLAS_GEMM_DEFAULT, CUBLAS_GEMM_DEFAULT);
SAME(PT_CUBLAS_DEFAULT_MATH, CUBLAS_DEFAULT_MATH);
SAME(PT_CUBLAS_PEDANTIC_MATH, CUBLAS_PEDANTIC_MATH);
SAME(PT_MAJOR_VERSION, MAJOR_VERSION);
SAME(PT_MINOR_VERSION, MINOR_VERSION);
SAME(PT_PATCH_LEVEL, PATCH_LEVEL);
SAME(PT_CUBLAS_STATUS_SUCCESS, CUBLAS_STATUS_SUCCESS);
SAME(PT_CUBLAS_STATUS_NOT_INITIALIZED, CUBLAS_STATUS_NOT_INITIALIZED);
SAME(PT_CUBLAS_STATUS_ALLOC_FAILED, CUBLAS_STATUS_ALLOC_FAILED);
SAME(PT_CUBLAS_STATUS_INVALID_VALUE, CUBLAS_STATUS_INVALID_VALUE);
SAME(PT_CUBLAS_STATUS_ARCH_MISMATCH, CUBLAS_STATUS_ARCH_MISMATCH);
SAME(PT_CUBLAS_STATUS_MAPPING_ERROR, CUBLAS_STATUS_MAPPING_ERROR);
SAME(PT_CUBLAS_STATUS_EXECUTION_FAILED, CUBLAS_STATUS_EXECUTION_FAILED);
SAME(PT_CUBLAS_STATUS_INTERNAL_ERROR, CUBLAS_STATUS_INTERNAL_ERROR);
SAME(PT_CUBLAS_STATUS_NOT_SUPPORTED, CUBLAS_STATUS_NOT_SUPPORTED);
SAME(PT_CUBLAS_STATUS_LICENSE_ERROR, CUBLAS_STATUS_LICENSE_ERROR);
/* Every enum we pass as an int is int-sized in the real ABI. */
_Static_assert(sizeof(cublasComputeType_t) == sizeof(int), "cublasComputeType_t is not int-sized");
_Static_assert(sizeof(cudaDataType_t) == sizeof(int), "cudaDataType_t is not int-sized");

int main(void) {
    printf("cublas_abi.h: 22 constants equal NVIDIA's headers (CUBLAS_VERSION %d)\n", CUBLAS_VERSION);
    return 0;
}
