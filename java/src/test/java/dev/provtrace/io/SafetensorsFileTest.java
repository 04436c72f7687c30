package dev.provtrace.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.provtrace.io.TestSafetensorsWriter.bits16;
import static dev.provtrace.io.TestSafetensorsWriter.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsFileTest {
    @TempDir Path dir;

    private static final float[] F32_VALUES = {1.5f, -0.0f, 3.4028235e38f, 1.4e-45f, Float.NEGATIVE_INFINITY, -7.25f};
    // 1.0, -2.0, 65504, smallest subnormal, largest subnormal, +inf, -inf, NaN
    private static final int[] F16_BITS = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x7C00, 0xFC00, 0x7E00};
    private static final float[] F16_VALUES = {1.0f, -2.0f, 65504f, 0x1p-24f, 1023 * 0x1p-24f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
    // 1.0, 1.5, -2.0, smallest subnormal, -inf, 3.140625
    private static final int[] BF16_BITS = {0x3F80, 0x3FC0, 0xC000, 0x0001, 0xFF80, 0x4049};
    private static final float[] BF16_VALUES = {1.0f, 1.5f, -2.0f, 0x1p-133f, Float.NEGATIVE_INFINITY, 3.140625f};

    private Path mixedFile() {
        return new TestSafetensorsWriter()
                .metadata("format", "pt")
                .f32("a.f32", shape(2, 3), F32_VALUES)
                .add("b.f16", DType.F16, shape(8), bits16(F16_BITS))
                .add("c.bf16", DType.BF16, shape(3, 2), bits16(BF16_BITS))
                .write(dir.resolve("mixed.safetensors"));
    }

    private static float[] readAll(TensorView t) {
        float[] out = new float[(int) t.numel()];
        t.readFloats(0, out, 0, out.length);
        return out;
    }

    @Test
    void headerAndMetadataAreRead() {
        try (SafetensorsFile f = SafetensorsFile.open(mixedFile())) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(List.of("a.f32", "b.f16", "c.bf16"), List.copyOf(f.names()));
            TensorView a = f.tensor("a.f32");
            assertEquals(DType.F32, a.dtype());
            assertArrayEquals(new long[]{2, 3}, a.shape());
            assertEquals(6, a.numel());
            assertEquals(24, a.byteSize());
            assertEquals(dir.resolve("mixed.safetensors"), a.file());
            assertEquals(24 + 16 + 12, f.dataBytes());
        }
    }

    @Test
    void floatsRoundTripExactlyForEveryComputeDtype() {
        try (SafetensorsFile f = SafetensorsFile.open(mixedFile())) {
            assertArrayEquals(F32_VALUES, readAll(f.tensor("a.f32")));
            assertArrayEquals(F16_VALUES, readAll(f.tensor("b.f16")));   // assertArrayEquals treats NaN == NaN
            assertArrayEquals(BF16_VALUES, readAll(f.tensor("c.bf16")));
            assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(readAll(f.tensor("a.f32"))[1]));
        }
    }

    @Test
    void readFloatsHonoursOffsets() {
        try (SafetensorsFile f = SafetensorsFile.open(mixedFile())) {
            float[] dst = {9, 9, 9, 9, 9};
            f.tensor("b.f16").readFloats(2, dst, 1, 3);
            assertArrayEquals(new float[]{9, 65504f, 0x1p-24f, 1023 * 0x1p-24f, 9}, dst);
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> f.tensor("b.f16").readFloats(6, dst, 0, 3));
            assertTrue(e.getMessage().contains("b.f16") && e.getMessage().contains("outside"), e.getMessage());
        }
    }

    @Test
    void buffersAreDirectReadOnlyLittleEndianAtZero() {
        try (SafetensorsFile f = SafetensorsFile.open(mixedFile())) {
            ByteBuffer all = f.tensor("a.f32").mapAll();
            assertTrue(all.isDirect());
            assertTrue(all.isReadOnly());
            assertEquals(ByteOrder.LITTLE_ENDIAN, all.order());
            assertEquals(0, all.position());
            assertEquals(24, all.remaining());
            assertEquals(1.5f, all.getFloat(0));
            ByteBuffer window = f.tensor("a.f32").map(20, 4);
            assertEquals(ByteOrder.LITTLE_ENDIAN, window.order());
            assertEquals(0, window.position());
            assertEquals(4, window.remaining());
            assertTrue(window.isReadOnly() && window.isDirect());
            assertEquals(-7.25f, window.getFloat(0));
            ByteBuffer c = f.tensor("c.bf16").mapAll();
            assertEquals((short) 0x3F80, c.getShort(0));
        }
    }

    @Test
    void mapIsBoundsChecked() {
        try (SafetensorsFile f = SafetensorsFile.open(mixedFile())) {
            TensorView a = f.tensor("a.f32");
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> a.map(20, 8));
            assertTrue(e.getMessage().contains("\"a.f32\"") && e.getMessage().contains("outside"), e.getMessage());
            assertThrows(SafetensorsException.class, () -> a.map(-1, 2));
        }
    }

    @Test
    void scalarsAndEmptyTensorsAreAllowed() {
        Path file = new TestSafetensorsWriter()
                .f32("scalar", shape(), 42f)
                .f32("empty", shape(0, 5))
                .f32("after", shape(1), 7f)
                .write(dir.resolve("edge.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(1, f.tensor("scalar").numel());
            assertArrayEquals(new float[]{42f}, readAll(f.tensor("scalar")));
            assertEquals(0, f.tensor("empty").numel());
            assertEquals(0, f.tensor("empty").mapAll().remaining());
            assertArrayEquals(new float[]{7f}, readAll(f.tensor("after")));
        }
    }

    @Test
    void readFloatsRejectsIntegerDtypes() {
        Path file = new TestSafetensorsWriter().add("ids", DType.I32, shape(2), new byte[8]).write(dir.resolve("i.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> f.tensor("ids").readFloats(0, new float[2], 0, 2));
            assertTrue(e.getMessage().contains("\"ids\"") && e.getMessage().contains("I32"), e.getMessage());
        }
    }

    /** A window of 8 bytes stands in for the 2 GiB limit: tensors above it take the per-request mapping path. */
    @Test
    void readFloatsCrossesWindowBoundaries() {
        float[] big = new float[11];
        for (int i = 0; i < big.length; i++) big[i] = i * 1.25f - 3;
        int[] halfBits = {0x3C00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600, 0x4700};      // 1..7 in f16
        Path file = new TestSafetensorsWriter()
                .f32("first", shape(3), 100f, 200f, 300f)                                    // so later tensors start mid-data
                .f32("big", shape(11), big)
                .add("halves", DType.F16, shape(7), bits16(halfBits))
                .add("brains", DType.BF16, shape(5), bits16(0x3F80, 0x4000, 0x4040, 0x4080, 0x40A0))
                .write(dir.resolve("windows.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(file, 8)) {
            float[] dst = new float[12];
            f.tensor("big").readFloats(1, dst, 2, 9);   // 9 elements, 2 per window: five mappings
            float[] expected = new float[12];
            System.arraycopy(big, 1, expected, 2, 9);
            assertArrayEquals(expected, dst);
            assertArrayEquals(big, readAll(f.tensor("big")));
            assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6, 7}, readAll(f.tensor("halves")));
            assertArrayEquals(new float[]{1, 2, 3, 4, 5}, readAll(f.tensor("brains")));
            assertEquals(big[5], f.tensor("big").map(20, 8).getFloat(0));
            assertEquals(big[6], f.tensor("big").map(20, 8).getFloat(4));

            SafetensorsException tooBig = assertThrows(SafetensorsException.class, () -> f.tensor("big").mapAll());
            assertTrue(tooBig.getMessage().contains("windows.safetensors") && tooBig.getMessage().contains("\"big\"")
                    && tooBig.getMessage().contains("too large for one mapping"), tooBig.getMessage());
            assertThrows(SafetensorsException.class, () -> f.tensor("big").map(0, 12));
        }
    }

    @Test
    void closedFileRefusesToMap() {
        SafetensorsFile f = SafetensorsFile.open(mixedFile());
        TensorView a = f.tensor("a.f32");
        f.close();
        SafetensorsException e = assertThrows(SafetensorsException.class, a::mapAll);
        assertTrue(e.getMessage().contains("closed") && e.getMessage().contains("\"a.f32\""), e.getMessage());
    }

    @Test
    void headerIsPaddedLikeHuggingFace() throws Exception {
        Path file = mixedFile();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        assertEquals(0, n % 8);
        assertEquals(' ', b.get((int) (8 + n - 1)));
        assertEquals(8 + n + 52, Files.size(file));
    }

    @Test
    void missingTensorNamesFileAndTensor() {
        try (SafetensorsFile f = SafetensorsFile.open(mixedFile())) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> f.tensor("nope"));
            assertTrue(e.getMessage().contains("mixed.safetensors") && e.getMessage().contains("\"nope\""), e.getMessage());
            assertFalse(f.has("nope"));
        }
    }
}
