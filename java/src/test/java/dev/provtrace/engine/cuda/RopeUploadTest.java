package dev.provtrace.engine.cuda;

import dev.provtrace.engine.Backend.Buffer;
import dev.provtrace.engine.PackedBatch;
import dev.provtrace.engine.RopeTable;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.engine.Pass;
import dev.provtrace.model.RopeScaling;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The RoPE table goes to the device when it is prepared (at load), never from inside a rope op of a pass. */
class RopeUploadTest {
    @BeforeAll
    static void load() throws Exception {
        assumeTrue(EmulatedDevice.available() || "true".equals(System.getenv("CI")), "no emulated device in this build");
        EmulatedDevice.load();
    }

    /** The emulated device, counting the bytes copied to it. */
    static final class Counting extends ForwardingDevice {
        long uploaded;

        Counting() throws java.io.IOException {}

        @Override public void copyToDevice(long dst, ByteBuffer src) { uploaded += src.remaining(); super.copyToDevice(dst, src); }
    }

    @Test
    void aPreparedTableIsNotUploadedAgainByTheOps() throws Exception {
        Counting dev = new Counting();
        try (CudaBackend be = new CudaBackend(dev, new HostGemm(1, 100), 7, 0)) {
            int hd = 16, heads = 2;
            RopeTable table = new RopeTable(hd, 10000, RopeScaling.NONE, 64);
            table.ensure(9001);
            long before = dev.uploaded;
            be.prepareRope(table);
            long tableBytes = 2L * 4 * table.tabulated() * table.half();
            assertEquals(tableBytes, dev.uploaded - before, "prepareRope uploads cos and sin, whole");
            assertTrue(table.tabulated() >= 9001);

            PackedBatch batch = new PackedBatch(List.of(new int[40], new int[9]));
            Buffer q = be.allocate((long) batch.tokens() * heads * hd), k = be.allocate((long) batch.tokens() * hd);
            try (Pass pass = be.upload(batch, new int[0], new int[0], ScoreOptions.LOGPROBS_ONLY)) {
                long mark = dev.uploaded;
                be.qkNormRope(q, k, null, null, 1e-6f, batch.tokens(), heads, 1, hd, pass, table);
                be.rope(q, 3, 1, hd, new int[] {0, 8999, 9000}, table);   // the fine op, far positions: covered already
                be.prepareRope(table);                                  // prepared again unchanged: nothing to copy
                assertTrue(dev.uploaded - mark < 64, "the ops copied " + (dev.uploaded - mark) + " bytes (the table is " + tableBytes + ")");
            }
            q.close();
            k.close();
        }
    }
}
