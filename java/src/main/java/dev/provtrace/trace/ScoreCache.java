package dev.provtrace.trace;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Per-model cache of scored texts on disk, so a crash or a later change of α/β never re-scores what was scored.
 * One append-only binary file per model fingerprint; each entry is length-prefixed and CRC-checked; the file is
 * forced to disk after every scored batch. On open the file is scanned once into an in-memory index (record key →
 * file offset, so memory does not grow with token counts); a truncated or corrupt tail (a crash mid-write) is cut
 * off with a warning, and those records are scored again. Entries are read back from the file on demand.
 */
public final class ScoreCache implements AutoCloseable {
    private static final int MAGIC = 0x50545343;            // "PTSC"
    private static final int VERSION = 1;

    private final Path file;
    private final Map<String, Long> offsets = new HashMap<>();
    private final FileChannel channel;
    private long end;

    private ScoreCache(Path file, FileChannel channel, long end) {
        this.file = file;
        this.channel = channel;
        this.end = end;
    }

    /**
     * Where the cache of one model (in one role, under one prompt setup) lives inside a cache folder:
     * {@code ROLE-FINGERPRINT16.bin}, so trace and select share the caches of a folder when their setups agree.
     */
    public static Path fileFor(Path cacheDir, String role, String fingerprint) {
        return cacheDir.resolve(role + "-" + fingerprint.substring(0, 16) + ".bin");
    }

    /** Opens (or creates) the cache file of one model; entries written by another fingerprint are an error. */
    public static ScoreCache open(Path file, String fingerprint, Consumer<String> warnings) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            Map<String, Long> index = new HashMap<>();
            long valid;
            if (ch.size() == 0) {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                DataOutputStream h = new DataOutputStream(head);
                h.writeInt(MAGIC);
                h.writeInt(VERSION);
                h.writeUTF(fingerprint);
                ch.write(ByteBuffer.wrap(head.toByteArray()));
                ch.force(false);
                valid = ch.size();
            } else {
                DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch.position(0))));
                valid = readHeader(in, file, fingerprint);
                try {
                    for (long size; (size = readEntry(in, valid, index)) >= 0; ) valid += size;
                } catch (CorruptTail e) {
                    warnings.accept(file + ": cache ends in an incomplete entry (interrupted run?); "
                            + "it is dropped and those records are scored again");
                }
                if (valid < ch.size()) ch.truncate(valid);
            }
            ScoreCache cache = new ScoreCache(file, ch, valid);
            cache.offsets.putAll(index);
            return cache;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Thrown internally when the tail of the file is cut or does not check out. */
    private static final class CorruptTail extends Exception {}

    private static long readHeader(DataInputStream in, Path file, String fingerprint) throws IOException {
        try {
            if (in.readInt() != MAGIC) throw new IOException(file + ": not a provtrace score cache");
            int version = in.readInt();
            if (version != VERSION) throw new IOException(file + ": score cache version " + version + ", expected " + VERSION);
            String fp = in.readUTF();
            if (!fp.equals(fingerprint)) {
                throw new IOException(file + ": score cache belongs to another model or prompt setup (" + fp + ")");
            }
            return 8 + 2 + fp.getBytes(StandardCharsets.UTF_8).length;
        } catch (EOFException e) {
            throw new IOException(file + ": score cache header is truncated");
        }
    }

    /** Reads one entry at {@code offset}, indexing it; returns its size in bytes, or -1 at a clean end of file. */
    private static long readEntry(DataInputStream in, long offset, Map<String, Long> index) throws IOException, CorruptTail {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return -1;
        }
        if (length <= 0) throw new CorruptTail();
        byte[] body = new byte[length];
        try {
            in.readFully(body);
            if (crc(body) != in.readLong()) throw new CorruptTail();
        } catch (EOFException e) {
            throw new CorruptTail();
        }
        index.put(new DataInputStream(new ByteArrayInputStream(body)).readUTF(), offset);
        return 4L + length + 8;
    }

    private static long crc(byte[] body) {
        CRC32 c = new CRC32();
        c.update(body);
        return c.getValue();
    }

    public Path file() { return file; }

    public int size() { return offsets.size(); }

    public boolean contains(String key) { return offsets.containsKey(key); }

    /** The entry of a record key, read from the file, or null when it was never scored. */
    public synchronized ScoredText get(String key) throws IOException {
        Long at = offsets.get(key);
        if (at == null) return null;
        ByteBuffer len = ByteBuffer.allocate(4);
        channel.read(len, at);
        byte[] body = new byte[len.flip().getInt()];
        ByteBuffer bb = ByteBuffer.wrap(body);
        for (long pos = at + 4; bb.hasRemaining(); ) {
            int n = channel.read(bb, pos);
            if (n < 0) throw new IOException(file + ": cache entry of " + key + " is cut short");
            pos += n;
        }
        DataInputStream b = new DataInputStream(new ByteArrayInputStream(body));
        b.readUTF();
        int n = b.readInt();
        int[] ids = new int[n], starts = new int[n], ends = new int[n];
        float[] lp = new float[n];
        for (int i = 0; i < n; i++) ids[i] = b.readInt();
        for (int i = 0; i < n; i++) starts[i] = b.readInt();
        for (int i = 0; i < n; i++) ends[i] = b.readInt();
        for (int i = 0; i < n; i++) lp[i] = b.readFloat();
        return new ScoredText(ids, starts, ends, lp, b.readInt(), b.readInt());
    }

    /**
     * Appends one entry (written, not yet forced to disk: call {@link #sync()} after a batch; an entry cut by a crash
     * fails its CRC and is scored again).
     */
    public synchronized void put(String key, ScoredText s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 16 * s.size());
        DataOutputStream b = new DataOutputStream(bytes);
        b.writeUTF(key);
        b.writeInt(s.size());
        for (int v : s.ids()) b.writeInt(v);
        for (int v : s.starts()) b.writeInt(v);
        for (int v : s.ends()) b.writeInt(v);
        for (float v : s.logprobs()) b.writeFloat(v);
        b.writeInt(s.responseStart());
        b.writeInt(s.responseEnd());
        byte[] body = bytes.toByteArray();
        ByteBuffer entry = ByteBuffer.allocate(4 + body.length + 8);
        entry.putInt(body.length).put(body).putLong(crc(body)).flip();
        long at = end;
        while (entry.hasRemaining()) end += channel.write(entry, end);
        offsets.put(key, at);
    }

    /** Forces the entries written so far to disk (once per scored batch, not per entry). */
    public synchronized void sync() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.force(false);
        channel.close();
    }
}
