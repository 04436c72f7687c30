package dev.provtrace.io.parquet;

import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Snappy (what pandas and pyarrow write by default) and no compression, in pure Java (aircompressor): parquet-java's
 * own codec factory loads Hadoop's compression classes even for uncompressed pages, and its Snappy is native.
 */
public final class SnappyCodecs implements CompressionCodecFactory {
    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return new Compressor(check(codec));
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return new Decompressor(check(codec));
    }

    @Override
    public void release() {}

    private static CompressionCodecName check(CompressionCodecName codec) {
        if (codec != CompressionCodecName.SNAPPY && codec != CompressionCodecName.UNCOMPRESSED) {
            throw new UnsupportedOperationException("Parquet pages compressed with " + codec + " (only SNAPPY and UNCOMPRESSED here)");
        }
        return codec;
    }

    private static final class Compressor implements BytesInputCompressor {
        private final CompressionCodecName codec;

        Compressor(CompressionCodecName codec) { this.codec = codec; }

        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            if (codec == CompressionCodecName.UNCOMPRESSED) return bytes;
            byte[] in = bytes.toByteArray();
            SnappyCompressor snappy = new SnappyCompressor();
            byte[] out = new byte[snappy.maxCompressedLength(in.length)];
            int n = snappy.compress(in, 0, in.length, out, 0, out.length);
            return BytesInput.from(out, 0, n);
        }

        @Override public CompressionCodecName getCodecName() { return codec; }

        @Override public void release() {}
    }

    private static final class Decompressor implements BytesInputDecompressor {
        private final CompressionCodecName codec;

        Decompressor(CompressionCodecName codec) { this.codec = codec; }

        private byte[] decompress(byte[] in, int length, int uncompressedSize) throws IOException {
            byte[] out = new byte[uncompressedSize];
            if (codec == CompressionCodecName.UNCOMPRESSED) {
                System.arraycopy(in, 0, out, 0, uncompressedSize);
                return out;
            }
            int n = new SnappyDecompressor().decompress(in, 0, length, out, 0, uncompressedSize);
            if (n != uncompressedSize) throw new IOException("a Snappy page gave " + n + " bytes, its header says " + uncompressedSize);
            return out;
        }

        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            if (codec == CompressionCodecName.UNCOMPRESSED) return bytes;
            byte[] in = bytes.toByteArray();
            return BytesInput.from(decompress(in, in.length, uncompressedSize));
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize) throws IOException {
            byte[] in = new byte[compressedSize];
            input.duplicate().get(in);
            output.put(decompress(in, compressedSize, uncompressedSize));
        }

        @Override public void release() {}
    }
}
