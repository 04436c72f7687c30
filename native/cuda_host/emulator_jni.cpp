// JNI entry points of the emulated device for dev.provtrace.engine.cuda.EmulatedDevice: device memory (host memory
// here, aligned as cuMemAlloc's), a direct-buffer view of it, and launches by kernel name with arguments passed as
// cuLaunchKernel's kernelParams would be (one slot per argument, in order), checked against the kernel's parameter
// sizes first so that a launcher passing arguments in the wrong order or of the wrong width fails with a message.
#include <jni.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cuda_host_api.h"

namespace {

constexpr size_t kAlignment = 256;   // cuMemAlloc's guarantee; kernels may rely on it for vector loads

std::string to_string(JNIEnv* env, jstring s) {
    const char* chars = env->GetStringUTFChars(s, nullptr);
    std::string out(chars);
    env->ReleaseStringUTFChars(s, chars);
    return out;
}

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_dev_provtrace_engine_cuda_EmulatedDevice_malloc0(JNIEnv*, jclass, jlong bytes) {
    size_t size = (static_cast<size_t>(bytes) + kAlignment - 1) / kAlignment * kAlignment;
    return reinterpret_cast<jlong>(std::aligned_alloc(kAlignment, size == 0 ? kAlignment : size));
}

JNIEXPORT void JNICALL Java_dev_provtrace_engine_cuda_EmulatedDevice_free0(JNIEnv*, jclass, jlong address) {
    std::free(reinterpret_cast<void*>(address));
}

JNIEXPORT jobject JNICALL Java_dev_provtrace_engine_cuda_EmulatedDevice_view0(JNIEnv* env, jclass, jlong address, jlong bytes) {
    return env->NewDirectByteBuffer(reinterpret_cast<void*>(address), bytes);
}

/** Returns null when the kernel ran, else what went wrong. values[i] holds argument i in its low sizes[i] bytes. */
JNIEXPORT jstring JNICALL Java_dev_provtrace_engine_cuda_EmulatedDevice_launch0(
        JNIEnv* env, jclass, jstring kernel, jint gx, jint gy, jint gz, jint bx, jint by, jint bz, jint shared_bytes,
        jlongArray values, jintArray sizes) {
    std::string name = to_string(env, kernel);
    jsize n = env->GetArrayLength(values);
    std::vector<int64_t> slots(n);
    std::vector<jint> given(n);
    env->GetLongArrayRegion(values, 0, n, reinterpret_cast<jlong*>(slots.data()));
    env->GetIntArrayRegion(sizes, 0, n, given.data());
    std::vector<size_t> wanted(64);
    int count = cuda_host_kernel_args(name.c_str(), wanted.data(), static_cast<int>(wanted.size()));
    if (count < 0) return env->NewStringUTF(cuda_host_last_error());
    if (count != n) {
        return env->NewStringUTF((name + " takes " + std::to_string(count) + " arguments, " + std::to_string(n) + " given").c_str());
    }
    for (int i = 0; i < n; i++) {
        if (static_cast<size_t>(given[i]) != wanted[i]) {
            return env->NewStringUTF((name + ": argument " + std::to_string(i) + " is " + std::to_string(wanted[i]) +
                                      " bytes wide, a " + std::to_string(given[i]) + "-byte value was given").c_str());
        }
    }
    // Little-endian: a value narrower than 8 bytes sits at the start of its slot, where the kernel reads it.
    std::vector<void*> params(n);
    for (int i = 0; i < n; i++) params[i] = &slots[i];
    int rc = cuda_host_launch(name.c_str(), gx, gy, gz, bx, by, bz, static_cast<size_t>(shared_bytes), params.data());
    return rc == CUDA_HOST_OK ? nullptr : env->NewStringUTF(cuda_host_last_error());
}

}  // extern "C"
