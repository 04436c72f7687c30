package dev.provtrace.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The kernel families of kernels/*.cu as the jar carries them: one fatbin per file under native/kernels/ (sm_80,
 * sm_86, sm_89, sm_90 + compute_90 PTX). A real device loads each family's module once and finds a kernel by name in
 * the first module that has it. The list is checked against kernels/*.cu by a test, so a new family is not forgotten.
 */
final class CudaKernels {
    static final List<String> FAMILIES = List.of("embed", "rmsnorm", "rope", "swiglu", "attention", "attention_mma", "logsoftmax", "gemm");
    /** What tools/build_fatbin.sh compiles for (named in the "no kernel image" error). */
    static final List<String> TARGETS = List.of("sm_80", "sm_86", "sm_89", "sm_90", "compute_90 (PTX)");

    private CudaKernels() {}

    static String resource(String family) { return "/native/kernels/" + family + ".fatbin"; }

    /** The fatbin of one family, or an error saying that this build has no fatbins (it was built without nvcc). */
    static byte[] fatbin(String family) throws IOException {
        try (InputStream in = CudaKernels.class.getResourceAsStream(resource(family))) {
            if (in == null) {
                throw new IOException("this build has no CUDA kernels (" + resource(family) + " is not in the jar): it was built "
                        + "without nvcc; rebuild on a machine with the CUDA toolkit (see native/README.md)");
            }
            return in.readAllBytes();
        }
    }
}
