package dev.provtrace.trace;

import dev.provtrace.io.RunLock;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Per-model cache of scored texts on disk, so a crash or a later change of α/β never re-scores what was scored.
 * One append-only binary file per model fingerprint (format {@value #VERSION}):
 * <pre>
 *   header: int "PTSC", int version, UTF fingerprint
 *   entry:  long SYNC, int length, body[length] (UTF record key, tokens...), long CRC-32 of length and body
 * </pre>
 * The file is forced to disk after every scored batch. On open it is scanned once into an in-memory index (record
 * key → file offset, so memory does not grow with token counts), checking every entry's CRC:
 * <ul>
 *   <li>a damaged entry in the middle is skipped: the scan resynchronises on the next {@code SYNC} that starts a
 *       valid entry, keeps everything after it, and the file is rewritten without the damage;</li>
 *   <li>a cut tail (a crash mid-write) is cut off;</li>
 * </ul>
 * either way with a warning, and only those records are scored again. Every {@link #get} reads the entry back and
 * checks its CRC and that it holds the key asked for; an entry that fails is reported and dropped from the index, so
 * the caller scores the record again (and never reads another record's scores). A cache of format 1 is converted.
 * Opening a cache locks it ({@link RunLock}, {@code FILE.lock}): a second opener, in this process or another, is
 * refused with the holder's pid.
 */
public final class ScoreCache implements AutoCloseable {
    private static final int MAGIC = 0x50545343;            // "PTSC"
    static final int VERSION = 2;
    /** Starts every entry, so that a scan can find the next entry after a damaged one. */
    static final long SYNC = 0xC35A718E5054454EL;
    private static final byte[] SYNC_BYTES = ByteBuffer.allocate(8).putLong(SYNC).array();
    /** Bytes around an entry's body: SYNC and length before it, CRC after it. */
    private static final int HEAD = 12, TAIL = 8;
    private static final int CHUNK = 1 << 17;                // > the longest UTF key (2 + 65535 bytes)

    private final Path file;
    private final Map<String, Long> offsets;
    private final Consumer<String> warnings;
    private final RunLock lock;
    private FileChannel channel;
    private long end;

    private ScoreCache(Path file, FileChannel channel, long end, Map<String, Long> offsets, Consumer<String> warnings,
                       RunLock lock) {
        this.file = file;
        this.channel = channel;
        this.end = end;
        this.offsets = offsets;
        this.warnings = warnings;
        this.lock = lock;
    }

    /**
     * Where the cache of one model (in one role, under one prompt setup) lives inside a cache folder:
     * {@code ROLE-FINGERPRINT16.bin}, so trace and select share the caches of a folder when their setups agree.
     */
    public static Path fileFor(Path cacheDir, String role, String fingerprint) {
        return cacheDir.resolve(role + "-" + fingerprint.substring(0, 16) + ".bin");
    }

    /** The lock file of a cache file. */
    static Path lockFileFor(Path file) {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    /**
     * Opens (or creates) the cache file of one model; a cache written for another fingerprint is an error, and so is
     * a cache another run has open.
     */
    public static ScoreCache open(Path file, String fingerprint, Consumer<String> warnings) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        RunLock lock = RunLock.acquire(lockFileFor(file), "score cache " + file, "--cache");
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Map<String, Long> index = new HashMap<>();
            long headerEnd;
            if (ch.size() == 0) {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                DataOutputStream h = new DataOutputStream(head);
                h.writeInt(MAGIC);
                h.writeInt(VERSION);
                h.writeUTF(fingerprint);
                ch.write(ByteBuffer.wrap(head.toByteArray()), 0);
                ch.force(false);
                headerEnd = ch.size();
            } else {
                int version = version(ch, file);
                headerEnd = checkFingerprint(ch, file, fingerprint);
                if (version == 1) {
                    ch = convertFromVersion1(ch, file, headerEnd, warnings);
                } else if (version != VERSION) {
                    throw new IOException(file + ": score cache of format " + version + " (this provtrace reads formats 1 and "
                            + VERSION + "); delete it, or rerun with --overwrite, to score again");
                }
            }
            Scan scan = scan(ch, headerEnd, index);
            if (scan.tailAt() >= 0) {
                warnings.accept(file + ": the cache ends in an incomplete entry at byte " + scan.tailAt()
                        + " (an interrupted run?); it is cut off there and that record is scored again");
            }
            if (!scan.damaged().isEmpty()) {
                int n = scan.damagedEntries().size();
                List<String> at = scan.damagedEntries().stream().map(d -> Long.toString(d)).toList();
                warnings.accept(file + ": " + n + (n == 1 ? " damaged entry skipped (byte " : " damaged entries skipped (bytes ")
                        + String.join(", ", at) + "), " + scan.keptAfterDamage() + " entries after " + (n == 1 ? "it" : "them")
                        + " kept; " + (n == 1 ? "its record is" : "their records are") + " scored again");
                ch = rewrite(ch, file, headerEnd, scan, index);
            } else if (scan.end() < ch.size()) {
                ch.truncate(scan.end());
                ch.force(false);
            }
            return new ScoreCache(file, ch, ch.size(), index, warnings, lock);
        } catch (IOException | RuntimeException e) {
            try {
                if (ch != null) ch.close();
            } finally {
                lock.close();
            }
            throw e;
        }
    }

    private static int version(FileChannel ch, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        if (read(ch, b, 0) < 8) throw new IOException(file + ": score cache header is truncated");
        if (b.getInt(0) != MAGIC) throw new IOException(file + ": not a provtrace score cache");
        return b.getInt(4);
    }

    /** Returns where the header ends. */
    private static long checkFingerprint(FileChannel ch, Path file, String fingerprint) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(2);
        if (read(ch, len, 8) < 2) throw new IOException(file + ": score cache header is truncated");
        int n = Short.toUnsignedInt(len.getShort(0));
        ByteBuffer fp = ByteBuffer.allocate(n);
        if (read(ch, fp, 10) < n) throw new IOException(file + ": score cache header is truncated");
        String stored = new String(fp.array(), StandardCharsets.UTF_8);
        if (!stored.equals(fingerprint)) {
            throw new IOException(file + ": score cache belongs to another model or prompt setup (" + stored + ")");
        }
        return 10L + n;
    }

    /**
     * What the scan found: the end of the last good entry (where the next is appended), the damaged regions
     * {@code [start, end)} skipped, where the damaged entries in them start, the entries kept after the first of
     * them, and where a cut tail begins (-1: none).
     */
    private record Scan(long end, List<long[]> damaged, List<Long> damagedEntries, long keptAfterDamage, long tailAt) {}

    private static Scan scan(FileChannel ch, long headerEnd, Map<String, Long> index) throws IOException {
        long size = ch.size(), pos = headerEnd, keptAfter = 0;
        List<long[]> damaged = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        while (pos < size) {
            Entry e = entryAt(ch, pos, size);
            if (e != null) {
                index.put(e.key(), pos);
                pos += e.size();
                if (!damaged.isEmpty()) keptAfter++;
                continue;
            }
            List<Long> inner = new ArrayList<>();
            long next = nextEntry(ch, pos + 1, size, inner);
            if (next < 0) break;                           // nothing good after it: a cut tail
            damaged.add(new long[] {pos, next});
            starts.add(pos);
            starts.addAll(inner);                          // entries whose own marker is intact but not the rest
            pos = next;
        }
        return new Scan(pos, damaged, starts, keptAfter, pos < size ? pos : -1);
    }

    /** A valid entry's key and size in bytes. */
    private record Entry(String key, long size) {}

    /** The entry at {@code pos} if one starts there and checks out (SYNC, length, CRC, key), else null. */
    private static Entry entryAt(FileChannel ch, long pos, long size) throws IOException {
        if (size - pos < HEAD + 2 + TAIL) return null;
        ByteBuffer head = ByteBuffer.allocate(HEAD);
        if (read(ch, head, pos) < HEAD || head.getLong(0) != SYNC) return null;
        int length = head.getInt(8);
        if (length < 2 || length > size - pos - HEAD - TAIL) return null;
        CRC32 crc = new CRC32();
        crc.update(head.array(), 8, 4);
        byte[] first = null;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, length));
        for (long done = 0; done < length; ) {
            buf.clear().limit((int) Math.min(buf.capacity(), length - done));
            if (read(ch, buf, pos + HEAD + done) < buf.limit()) return null;
            crc.update(buf.array(), 0, buf.limit());
            if (first == null) first = java.util.Arrays.copyOf(buf.array(), buf.limit());
            done += buf.limit();
        }
        ByteBuffer tail = ByteBuffer.allocate(TAIL);
        if (read(ch, tail, pos + HEAD + length) < TAIL || tail.getLong(0) != crc.getValue()) return null;
        String key = key(first);
        return key == null ? null : new Entry(key, HEAD + (long) length + TAIL);
    }

    private static String key(byte[] bodyStart) {
        try {
            return new DataInputStream(new ByteArrayInputStream(bodyStart)).readUTF();
        } catch (IOException e) {
            return null;
        }
    }

    /** The offset of the next valid entry at or after {@code from}, or -1; adds markers passed over to {@code passed}. */
    private static long nextEntry(FileChannel ch, long from, long size, List<Long> passed) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        for (long at = from; at + 8 <= size; ) {
            buf.clear();
            int n = read(ch, buf, at);
            if (n < 8) return -1;
            byte[] b = buf.array();
            for (int i = 0; i + 8 <= n; i++) {
                if (b[i] == SYNC_BYTES[0] && java.util.Arrays.equals(b, i, i + 8, SYNC_BYTES, 0, 8)) {
                    if (entryAt(ch, at + i, size) != null) return at + i;
                    if (passed.isEmpty() || passed.get(passed.size() - 1) != at + i) passed.add(at + i);
                }
            }
            at += n - 7;                                   // a marker may straddle two windows
        }
        return -1;
    }

    /** Rewrites the file without its damaged regions and cut tail, via a fixed-name temp; updates the index. */
    private static FileChannel rewrite(FileChannel ch, Path file, long headerEnd, Scan scan, Map<String, Long> index)
            throws IOException {
        List<long[]> keep = new ArrayList<>();
        long from = headerEnd;
        for (long[] d : scan.damaged()) {
            keep.add(new long[] {from, d[0]});
            from = d[1];
        }
        keep.add(new long[] {from, scan.end()});
        Path tmp = file.resolveSibling(file.getFileName() + ".rewrite");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            copy(ch, 0, headerEnd, out);
            for (long[] k : keep) copy(ch, k[0], k[1] - k[0], out);
            out.force(true);
        }
        for (Map.Entry<String, Long> e : index.entrySet()) {
            long removed = 0;
            for (long[] d : scan.damaged()) if (d[1] <= e.getValue()) removed += d[1] - d[0];
            e.setValue(e.getValue() - removed);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        ch.close();
        return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private static void copy(FileChannel in, long pos, long count, FileChannel out) throws IOException {
        for (long done = 0; done < count; ) {
            long n = in.transferTo(pos + done, count - done, out);
            if (n <= 0) throw new EOFException("short copy");
            done += n;
        }
    }

    /**
     * Converts a format-1 cache (entries: int length, body, long CRC of body; no SYNC) to the current format,
     * keeping its entries up to the first that does not check out.
     */
    private static FileChannel convertFromVersion1(FileChannel ch, Path file, long headerEnd, Consumer<String> warnings)
            throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".rewrite");
        long kept = 0, size = ch.size(), pos = headerEnd;
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer header = ByteBuffer.allocate((int) headerEnd);
            read(ch, header, 0);
            header.putInt(4, VERSION);
            out.write(header.flip());
            ByteBuffer len = ByteBuffer.allocate(4), crc = ByteBuffer.allocate(8);
            while (read(ch, len.clear(), pos) == 4) {
                int length = len.getInt(0);
                if (length <= 0 || length > size - pos - 12) break;
                ByteBuffer body = ByteBuffer.allocate(length);
                if (read(ch, body, pos + 4) < length || read(ch, crc.clear(), pos + 4 + length) < 8) break;
                if (crc.getLong(0) != crc(body.array())) break;
                out.write(frame(body.array()));
                kept++;
                pos += 4L + length + 8;
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        ch.close();
        warnings.accept(file + ": score cache of format 1 (an older provtrace) converted to format " + VERSION + "; "
                + kept + " entries kept" + (pos < size ? ", an incomplete tail at byte " + pos + " cut off" : ""));
        return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** Reads into {@code b} from {@code pos} until it is full or the file ends; returns the bytes read. */
    private static int read(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        int start = b.position();
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position() - start);
            if (n < 0) break;
        }
        return b.position() - start;
    }

    private static long crc(byte[] body) {
        CRC32 c = new CRC32();
        c.update(body);
        return c.getValue();
    }

    /** SYNC, length, body, CRC of length and body. */
    private static ByteBuffer frame(byte[] body) {
        ByteBuffer entry = ByteBuffer.allocate(HEAD + body.length + TAIL);
        entry.putLong(SYNC).putInt(body.length).put(body);
        CRC32 c = new CRC32();
        c.update(entry.array(), 8, 4 + body.length);
        return entry.putLong(c.getValue()).flip();
    }

    public Path file() { return file; }

    public synchronized int size() { return offsets.size(); }

    public synchronized boolean contains(String key) { return offsets.containsKey(key); }

    /** As {@link #get(String, String)}, naming the record by its key. */
    public ScoredText get(String key) throws IOException {
        return get(key, key);
    }

    /**
     * The entry of a record key, read from the file and checked (CRC, key), or null when it was never scored or its
     * entry fails the check: then the failure is reported (naming {@code record}, e.g. its id) and the key dropped
     * from the index, so {@link #contains} is false and the caller scores the record again.
     */
    public synchronized ScoredText get(String key, String record) throws IOException {
        Long at = offsets.get(key);
        if (at == null) return null;
        String problem;
        try {
            problem = null;
            ByteBuffer head = ByteBuffer.allocate(HEAD);
            long size = channel.size();
            if (read(channel, head, at) < HEAD) {
                problem = "is cut short";
            } else if (head.getLong(0) != SYNC) {
                problem = "fails its checksum (no entry starts there)";
            } else {
                int length = head.getInt(8);
                if (length < 2 || length > size - at - HEAD - TAIL) {
                    problem = "fails its checksum (its length runs past the end of the file)";
                } else {
                    ByteBuffer body = ByteBuffer.allocate(HEAD + length + TAIL);
                    if (read(channel, body, at) < body.capacity()) {
                        problem = "is cut short";
                    } else {
                        CRC32 c = new CRC32();
                        c.update(body.array(), 8, 4 + length);
                        if (c.getValue() != body.getLong(HEAD + length)) {
                            problem = "fails its checksum";
                        } else {
                            DataInputStream b = new DataInputStream(new ByteArrayInputStream(body.array(), HEAD, length));
                            String stored = b.readUTF();
                            if (!stored.equals(key)) {
                                problem = "holds the scores of another record (key " + stored + ")";
                            } else {
                                return decode(b);
                            }
                        }
                    }
                }
            }
        } catch (EOFException | UTFDataFormatException | NegativeArraySizeException e) {
            problem = "does not decode";
        }
        warnings.accept(file + ": cache entry of record \"" + record + "\" at byte " + at + " " + problem
                + "; scoring it again");
        offsets.remove(key);
        return null;
    }

    private static ScoredText decode(DataInputStream b) throws IOException {
        int n = b.readInt();
        if (n < 0 || 16L * n > b.available()) throw new EOFException();
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
        ByteBuffer entry = frame(bytes.toByteArray());
        long at = end;
        while (entry.hasRemaining()) end += channel.write(entry, end);
        offsets.put(key, at);
    }

    /** Forces the entries written so far to disk (once per scored batch, not per entry). */
    public synchronized void sync() throws IOException {
        channel.force(false);
    }

    @Override
    public synchronized void close() throws IOException {
        if (!channel.isOpen()) return;
        try {
            channel.force(false);
            channel.close();
        } finally {
            lock.close();
        }
    }
}
