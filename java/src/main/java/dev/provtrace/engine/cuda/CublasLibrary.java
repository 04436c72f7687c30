package dev.provtrace.engine.cuda;

import dev.provtrace.engine.NativeLibrary;

import java.io.IOException;

/**
 * cuBLAS through our own JNI library (native/cublas), which dlopen()s {@code $PROVTRACE_CUBLAS} (or
 * {@code -Dprovtrace.cublas}), then {@code libcublas.so.13}, then {@code libcublas.so.12}. Not JCublas: its JNI library
 * is linked against libcublas.so.12's versioned symbols and cannot load where only libcublas.so.13 exists. The JNI
 * library itself needs only libc, so {@link #load()} fails with a message, never a crash, on a machine without CUDA.
 */
public final class CublasLibrary {
    /** cudaDataType_t, cublasComputeType_t and cublasOperation_t values (native/cublas/cublas_abi.h). */
    public static final int CUDA_R_32F = 0, CUDA_R_16BF = 14;
    public static final int COMPUTE_32F = 68, COMPUTE_32F_PEDANTIC = 69;
    public static final int OP_N = 0, OP_T = 1;

    public static final String ENV = "PROVTRACE_CUBLAS";
    private static final String JNI_LIBRARY = "libprovtrace_cublas.so";
    private static CublasLibrary instance;

    private final String path;
    private final int[] version;

    private CublasLibrary(String path, int[] version) {
        this.path = path;
        this.version = version;
    }

    /**
     * Loads cuBLAS once per process. Throws with every place tried and the loader's reason for each, and the
     * variable to set, when none loads.
     */
    public static synchronized CublasLibrary load() throws IOException {
        if (instance != null) return instance;
        loadJni();
        String override = System.getProperty("provtrace.cublas", System.getenv(ENV));
        if (override != null && override.isBlank()) override = null;
        String failures = open0(override);
        if (failures != null) {
            throw new IOException("cuBLAS not found; tried " + failures + ". Set " + ENV
                    + " to the path of a libcublas.so (12 or 13; its libcublasLt beside it), e.g. the nvidia-cublas "
                    + "wheel's nvidia/cu13/lib/libcublas.so.13, or add its folder to LD_LIBRARY_PATH");
        }
        instance = new CublasLibrary(path0(), version0());
        return instance;
    }

    /** True once cuBLAS is loaded in this process (the native side keeps the first library that loaded). */
    public static synchronized boolean isLoaded() { return instance != null; }

    /** The file loaded, as the dynamic loader resolved it. */
    public String path() { return path; }

    /** {major, minor, patch} from cublasGetProperty. */
    public int[] version() { return version.clone(); }

    /** What the start-up line says, e.g. {@code cuBLAS 13.1.1 (/usr/lib/.../libcublas.so.13)}. */
    public String describe() { return "cuBLAS " + version[0] + "." + version[1] + "." + version[2] + " (" + path + ")"; }

    /** A new cuBLAS handle; throws IllegalStateException with cuBLAS's status and its meaning (e.g. no GPU). */
    public long createHandle() { return create0(); }

    public void destroyHandle(long handle) { destroy0(handle); }

    public void setStream(long handle, long stream) { setStream0(handle, stream); }

    /** cublasGemmEx, column-major, alpha and beta on the host, the default algorithm. */
    public void gemmEx(long handle, int transa, int transb, int m, int n, int k, float alpha, long a, int atype, int lda,
                       long b, int btype, int ldb, float beta, long c, int ctype, int ldc, int compute) {
        gemmEx0(handle, transa, transb, m, n, k, alpha, a, atype, lda, b, btype, ldb, beta, c, ctype, ldc, compute);
    }

    /** cublasGemmStridedBatchedEx, column-major; strides in elements. */
    public void gemmStridedBatchedEx(long handle, int transa, int transb, int m, int n, int k, float alpha,
                                     long a, int atype, int lda, long strideA, long b, int btype, int ldb, long strideB,
                                     float beta, long c, int ctype, int ldc, long strideC, int batch, int compute) {
        gemmStridedBatchedEx0(handle, transa, transb, m, n, k, alpha, a, atype, lda, strideA, b, btype, ldb, strideB,
                beta, c, ctype, ldc, strideC, batch, compute);
    }

    /** True when this build carries the cuBLAS binding (cuBLAS itself is looked for only by {@link #load()}). */
    public static boolean bindingAvailable() {
        return NativeLibrary.bundled(JNI_LIBRARY);
    }

    /** The C side's constants in the order CUDA_R_32F, CUDA_R_16BF, COMPUTE_32F, COMPUTE_32F_PEDANTIC, OP_N, OP_T. */
    static int[] nativeConstants() throws IOException {
        loadJni();
        return constants0();
    }

    private static boolean jniLoaded;

    /** Our JNI library, from {@code -Dprovtrace.native.dir} or the jar (as EmulatedDevice's). */
    private static synchronized void loadJni() throws IOException {
        if (jniLoaded) return;
        NativeLibrary.load(JNI_LIBRARY, "cuBLAS binding library", "this build has no cuBLAS binding (" + JNI_LIBRARY + "): see native/README.md");
        jniLoaded = true;
    }

    private static native String open0(String override);

    private static native String path0();

    private static native int[] version0();

    private static native int[] constants0();

    private static native long create0();

    private static native void destroy0(long handle);

    private static native void setStream0(long handle, long stream);

    private static native void gemmEx0(long handle, int transa, int transb, int m, int n, int k, float alpha, long a,
                                       int atype, int lda, long b, int btype, int ldb, float beta, long c, int ctype,
                                       int ldc, int compute);

    private static native void gemmStridedBatchedEx0(long handle, int transa, int transb, int m, int n, int k,
                                                     float alpha, long a, int atype, int lda, long strideA, long b,
                                                     int btype, int ldb, long strideB, float beta, long c, int ctype,
                                                     int ldc, long strideC, int batch, int compute);
}
