package dev.provtrace.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file: 8-byte little-endian header length N, N bytes of JSON, then the tensor data.
 * The header is validated completely on open (see {@link SafetensorsHeader}); the data is memory-mapped per
 * tensor on demand and never copied to the heap, so a checkpoint larger than the Java heap loads fine.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** One mapping can address at most this many bytes (a ByteBuffer is int-indexed). */
    static final int MAX_WINDOW_BYTES = Integer.MAX_VALUE;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, MappedTensor> tensors;
    private volatile boolean closed;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, SafetensorsHeader header, int windowBytes) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.metadata = header.metadata();
        Map<String, MappedTensor> byName = new LinkedHashMap<>();
        for (TensorEntry e : header.entries()) byName.put(e.name(), new MappedTensor(this, e, windowBytes));
        this.tensors = Collections.unmodifiableMap(byName);
    }

    /** Opens and validates the file; throws {@link SafetensorsException} naming the file and the problem. */
    public static SafetensorsFile open(Path path) {
        return open(path, MAX_WINDOW_BYTES);
    }

    /** Tests pass a tiny {@code windowBytes} to exercise the code paths of tensors larger than 2 GiB. */
    static SafetensorsFile open(Path path, int windowBytes) {
        // At least one element of the widest dtype must fit, or readFloats could not make progress.
        if (windowBytes < 8) throw new IllegalArgumentException("windowBytes must be at least 8: " + windowBytes);
        if (Files.isDirectory(path)) throw new SafetensorsException(path + ": is a folder, not a safetensors file");
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(path + ": file not found");
        } catch (IOException e) {
            throw new SafetensorsException(path + ": cannot open: " + e, e);
        }
        try {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw new SafetensorsException(path + ": file is " + fileSize
                        + " bytes, shorter than the 8-byte header length (truncated, or not a safetensors file)");
            }
            long headerBytes = readLittleEndianLong(channel, 0);
            checkHeaderLength(path, headerBytes, fileSize);
            byte[] header = readFully(channel, 8, (int) headerBytes);
            long dataBytes = fileSize - 8 - headerBytes;
            SafetensorsHeader parsed = SafetensorsHeader.parse(path, header, dataBytes);
            return new SafetensorsFile(path, channel, 8 + headerBytes, parsed, windowBytes);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new SafetensorsException(path + ": cannot read: " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static void checkHeaderLength(Path path, long headerBytes, long fileSize) {
        // Read as unsigned: a negative long is a length above 2^63, i.e. certainly corrupt.
        String shown = Long.toUnsignedString(headerBytes);
        if (headerBytes == 0) throw new SafetensorsException(path + ": header length is 0 (a safetensors header is a JSON object)");
        if (headerBytes < 0 || headerBytes > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new SafetensorsException(path + ": header length " + shown + " is larger than the 100 MB limit"
                    + " of Hugging Face's safetensors (corrupt file, or not a safetensors file)");
        }
        if (headerBytes > fileSize - 8) {
            throw new SafetensorsException(path + ": header length " + shown + " is larger than the "
                    + (fileSize - 8) + " bytes that follow it (truncated file?)");
        }
    }

    private static long readLittleEndianLong(FileChannel channel, long position) throws IOException {
        return ByteBuffer.wrap(readFully(channel, position, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static byte[] readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) throw new IOException("unexpected end of file at byte " + (position + buffer.position()));
        }
        return buffer.array();
    }

    public Path path() { return path; }

    /** The header's {@code __metadata__} (e.g. {@code format: pt}); empty when absent. */
    public Map<String, String> metadata() { return metadata; }

    /** Tensor names in header order. */
    public Set<String> names() { return tensors.keySet(); }

    public boolean has(String name) { return tensors.containsKey(name); }

    public TensorView tensor(String name) {
        MappedTensor t = tensors.get(name);
        if (t == null) throw new SafetensorsException(path + ": no tensor \"" + name + "\"");
        return t;
    }

    /** Size of the data region: the sum of all tensors' bytes (the format leaves no holes). */
    public long dataBytes() {
        long sum = 0;
        for (MappedTensor t : tensors.values()) sum += t.byteSize();
        return sum;
    }

    /**
     * Maps {@code length} bytes starting {@code dataOffset} bytes into the data region. Java 17 cannot unmap
     * explicitly without unsafe tricks that crash the JVM if a buffer is still in use; the mapping goes away when
     * the garbage collector frees the buffer.
     */
    ByteBuffer mapData(long dataOffset, int length, String tensorName) {
        if (closed) throw new SafetensorsException(path + ": tensor \"" + tensorName + "\": file is closed");
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + dataOffset, length)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new SafetensorsException(path + ": tensor \"" + tensorName + "\": cannot map " + length
                    + " bytes at data offset " + dataOffset + ": " + e, e);
        }
    }

    boolean isClosed() { return closed; }

    /** Closes the channel; buffers already handed out stay readable until they are garbage collected. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Read-only channel: nothing was written that a failed close could lose.
        }
    }

    @Override
    public String toString() { return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]"; }
}
