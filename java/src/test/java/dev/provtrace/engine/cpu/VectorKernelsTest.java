package dev.provtrace.engine.cpu;

import dev.provtrace.engine.Bf16;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vectorised bf16 rounding bit for bit against {@link Bf16#round}, NaNs included (the op suite's NMSE cannot see NaN bits). */
class VectorKernelsTest {
    @Test
    void roundToBf16IsBf16RoundBitForBit() {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[100_003];
        for (int i = 0; i < x.length; i++) {
            int bits = r.nextInt();
            if (i % 5 == 0) bits = (bits & 0xffff0000) | 0x8000;            // an exact tie
            if (i % 7 == 0) bits = 0x7f800000 | (bits & 0x807fffff) | 1;   // a NaN (signalling or quiet, either sign)
            x[i] = Float.intBitsToFloat(bits);
        }
        x[0] = Float.intBitsToFloat(0x7f7fffff);   // rounds up to infinity
        x[1] = Float.intBitsToFloat(0xff800000);   // -infinity
        float[] got = x.clone();
        VectorKernels.roundToBf16(got, got.length);
        for (int i = 0; i < x.length; i++) {
            int want = Float.floatToRawIntBits(Bf16.round(x[i]));
            assertEquals(want, Float.floatToRawIntBits(got[i]), "element " + i + " (bits " + Integer.toHexString(Float.floatToRawIntBits(x[i])) + ")");
        }
    }
}
