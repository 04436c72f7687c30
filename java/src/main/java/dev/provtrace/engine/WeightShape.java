package dev.provtrace.engine;

import dev.provtrace.io.TensorView;

/**
 * A weight tensor as every backend computes with it: rows (the first dim; 1-D tensors are one row) × cols (the rest),
 * checked once so that each backend refuses a tensor it cannot use with the same message.
 */
public record WeightShape(int rows, int cols) {
    public static WeightShape of(TensorView view) {
        if (!view.dtype().isComputeFloat()) {
            throw new IllegalArgumentException(view.file() + ": tensor " + view.name() + " has dtype " + view.dtype()
                    + "; only F32, BF16 and F16 weights can be computed with");
        }
        long[] shape = view.shape();
        long r = shape.length <= 1 ? 1 : shape[0];
        long c = shape.length == 0 ? 1 : view.numel() / Math.max(1, r);
        if (r > Integer.MAX_VALUE || c > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(view.file() + ": tensor " + view.name() + " is too large per dimension");
        }
        return new WeightShape((int) r, (int) c);
    }
}
