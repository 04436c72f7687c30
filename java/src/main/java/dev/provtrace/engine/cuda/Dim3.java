package dev.provtrace.engine.cuda;

/** A launch's grid or block extent, as CUDA's dim3. */
public record Dim3(int x, int y, int z) {
    public Dim3 {
        if (x < 1 || y < 1 || z < 1) throw new IllegalArgumentException("dim3 extents must be >= 1, got (" + x + ", " + y + ", " + z + ")");
    }

    public static Dim3 of(int x) { return new Dim3(x, 1, 1); }

    public static Dim3 of(int x, int y) { return new Dim3(x, y, 1); }

    /** ceil(n / per): the blocks that cover n items. */
    public static int blocks(long n, int per) { return (int) Math.max(1, (n + per - 1) / per); }
}
