// The C interface of the emulated device: what the Java side (and the C++ op tests) call. It mirrors the driver
// API's cuLaunchKernel: a kernel by name, the grid, the block, dynamic shared memory and kernelParams (an array of
// pointers to each argument's value, in the kernel's parameter order).
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    CUDA_HOST_OK = 0,
    CUDA_HOST_NO_KERNEL = 1,
    CUDA_HOST_BAD_GEOMETRY = 2,
    CUDA_HOST_DEADLOCK = 3,
};

/** Runs a kernel to completion; 0 on success, else an error code with cuda_host_last_error() saying what. */
int cuda_host_launch(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                     size_t dynamic_shared_bytes, void** args);

/** The byte size of each parameter of a kernel (up to capacity); returns the parameter count, or -1. */
int cuda_host_kernel_args(const char* name, size_t* sizes, int capacity);

/** What the last failed call on this thread said. */
const char* cuda_host_last_error(void);

#ifdef __cplusplus
}
#endif
