package dev.provtrace.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.provtrace.io.TestSafetensorsWriter.bits16;
import static dev.provtrace.io.TestSafetensorsWriter.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NonFiniteScanTest {
    private static List<NonFiniteScan.Finding> scan(Path dir, int threads, int chunkBytes, String... names) {
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir, w -> {})) {
            return NonFiniteScan.scan(ckpt, names.length > 0 ? List.of(names) : ckpt.names(), threads, chunkBytes);
        }
    }

    private static int[] finiteBf16(int n) {
        int[] bits = new int[n];
        for (int i = 0; i < n; i++) bits[i] = i % 3 == 0 ? 0x3F80 : i % 3 == 1 ? 0xBF00 : 0x7F7F;  // 1, -0.5, max finite
        return bits;
    }

    @Test
    void findsTheFirstBadValueOfEachTensorWithItsIndexAndKind(@TempDir Path dir) throws Exception {
        int[] up = finiteBf16(4099);          // odd: the last 3 elements are past the last whole 8-byte word
        up[1234] = 0x7F80;                    // +Inf
        up[4000] = 0xFFC1;                    // a later NaN: not the first
        int[] tail = finiteBf16(4099);
        tail[4097] = 0xFF80;                  // -Inf in the tail
        int[] clean = finiteBf16(4099);
        clean[7] = 0x0001;                    // a subnormal and
        clean[8] = 0x8000;                    // -0 are finite
        float[] head = new float[12 * 128];
        head[9 * 128 + 103] = Float.NaN;
        new TestSafetensorsWriter()
                .add("up", DType.BF16, shape(4099), bits16(up))
                .add("tail", DType.BF16, shape(4099), bits16(tail))
                .add("clean", DType.BF16, shape(4099), bits16(clean))
                .f32("lm_head.weight", shape(12, 128), head)
                .add("half", DType.F16, shape(2, 2, 3), bits16(0x3C00, 0x7BFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7C00, 0))
                .add("ids", DType.I64, shape(2), new byte[16])
                .write(dir.resolve("model.safetensors"));

        for (int[] run : new int[][] {{1, NonFiniteScan.CHUNK_BYTES}, {3, 64}, {4, 8}}) {
            List<NonFiniteScan.Finding> f = scan(dir, run[0], run[1]);
            String where = "threads " + run[0] + ", chunks of " + run[1] + " bytes";
            assertEquals(4, f.size(), where);
            assertEquals("half", f.get(0).tensor(), where);
            assertEquals("model.safetensors: tensor half has a non-finite value (Infinity) at index 10 [1, 1, 1]",
                    f.get(0).message(), where);
            assertEquals("model.safetensors: tensor lm_head.weight has a non-finite value (NaN) at index 1255 [row 9, col 103]",
                    f.get(1).message(), where);
            assertEquals("model.safetensors: tensor tail has a non-finite value (-Infinity) at index 4097", f.get(2).message(), where);
            assertEquals("model.safetensors: tensor up has a non-finite value (Infinity) at index 1234", f.get(3).message(), where);
            assertEquals(1234, f.get(3).index(), where);
        }
        assertTrue(scan(dir, 2, 64, "clean", "ids").isEmpty(), "subnormals, -0, max finite and integer tensors are fine");
    }

    @Test
    void everyLaneOfAWordIsTested(@TempDir Path dir) {
        // one bad value at each position of an 8-byte word, for each 16-bit type and f32
        for (int lane = 0; lane < 4; lane++) {
            int[] b = new int[8];
            b[4 + lane] = 0x7FC0;
            int[] h = new int[8];
            h[4 + lane] = 0xFE00;
            float[] f = new float[4];
            f[lane % 2 + 2] = Float.NEGATIVE_INFINITY;
            Path d = dir.resolve("lane" + lane);
            new TestSafetensorsWriter().add("b", DType.BF16, shape(8), bits16(b)).add("h", DType.F16, shape(8), bits16(h))
                    .f32("f", shape(4), f).write(d.resolve("model.safetensors"));
            List<NonFiniteScan.Finding> found = scan(d, 1, NonFiniteScan.CHUNK_BYTES, "b", "h", "f");
            assertEquals(List.of(4L + lane, 4L + lane, (long) (lane % 2 + 2)), found.stream().map(NonFiniteScan.Finding::index).toList());
            assertEquals(List.of("NaN", "NaN", "-Infinity"), found.stream().map(NonFiniteScan.Finding::value).toList());
        }
    }
}
