package dev.provtrace.io;

import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * One output file, written so that what is at its path is never clobbered by surprise. Every output of provtrace
 * goes through here. What happens depends on what the path is when the output is opened:
 * <ul>
 *   <li>{@code -}: standard output (progress and messages stay on stderr);</li>
 *   <li>a regular file, or nothing yet: written to a temporary file with a fixed name in the same folder
 *       ({@code .<name>.provtrace-tmp}), synced and renamed onto the name by {@link #commit()}, so the name only
 *       ever holds a complete file and a crash leaves at most that one temp file, which the next run replaces;</li>
 *   <li>a symbolic link: the link is followed and its target written as above (atomically when the target is a
 *       regular file or absent); the link itself is kept;</li>
 *   <li>a FIFO, a character device ({@code /dev/null}, {@code /dev/stdout}), anything reached through
 *       {@code /proc} (the {@code /dev/fd} links), or any other non-regular file: opened and written through,
 *       never replaced or renamed over;</li>
 *   <li>a folder: an error.</li>
 * </ul>
 * Close without commit throws away what an atomic output wrote (the name keeps its old content); a written-through
 * output cannot be taken back.
 */
public final class AtomicOutput implements Closeable {
    /** The path that means standard output (standard input for an input). */
    public static final String STANDARD_STREAM = "-";
    /** Appended to the output's name (after a leading dot) for its temporary file. */
    public static final String TEMP_SUFFIX = ".provtrace-tmp";

    public enum Kind { STANDARD_OUTPUT, ATOMIC, WRITE_THROUGH }

    private static final int MAX_LINKS = 40;

    private final Path path;
    private final Path target;
    private final Kind kind;
    private final FixedTempFile temp;          // ATOMIC only
    private final WritableByteChannel channel;
    private final OutputStream stream;
    private boolean done;

    private AtomicOutput(Path path, Path target, Kind kind, FixedTempFile temp, WritableByteChannel channel, OutputStream stream) {
        this.path = path;
        this.target = target;
        this.kind = kind;
        this.temp = temp;
        this.channel = channel;
        this.stream = stream;
    }

    public static boolean isStandardStream(Path p) { return p != null && p.toString().equals(STANDARD_STREAM); }

    /** The fixed temporary file an atomic write of {@code target} uses: {@code .<name>.provtrace-tmp} beside it. */
    public static Path tempFileFor(Path target) {
        Path abs = target.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + TEMP_SUFFIX);
    }

    public static AtomicOutput open(Path output) throws IOException {
        if (isStandardStream(output)) {
            OutputStream out = new FilterOutputStream(System.out) {
                @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
                @Override public void close() throws IOException { flush(); }   // standard output stays open
            };
            return new AtomicOutput(output, null, Kind.STANDARD_OUTPUT, null, Channels.newChannel(out), out);
        }
        Path abs = output.toAbsolutePath();
        Path target = followLinks(output);
        if (target == null) return writeThrough(output, abs);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException absent) {
            attrs = null;
        } catch (FileSystemException e) {
            throw new IOException(output + ": cannot write there (" + reason(e) + ")", e);
        }
        if (attrs != null && attrs.isDirectory()) {
            throw new IOException(output + (target.equals(abs) ? "" : " (-> " + target + ")")
                    + ": is a folder; an output must be a file");
        }
        if (attrs != null && (!attrs.isRegularFile() || underProc(target.getParent().toRealPath()))) {
            return writeThrough(output, target);
        }
        FixedTempFile temp;
        try {
            Files.createDirectories(target.getParent());
            temp = FixedTempFile.create(tempFileFor(target));
        } catch (FileSystemException e) {
            throw new IOException(output + ": cannot write there (" + reason(e) + ")", e);
        }
        try {
            if (attrs != null) keepPermissions(target, temp.path());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp.path());
            temp.close();
            throw e;
        }
        FileChannel ch = temp.channel();
        return new AtomicOutput(output, target, Kind.ATOMIC, temp, ch, Channels.newOutputStream(ch));
    }

    /**
     * The output's path with its symbolic links followed, or null when a link leads into /proc (/dev/stdout ->
     * /proc/self/fd/1 -> pipe:[..]: such links name open files, not paths to replace).
     */
    private static Path followLinks(Path output) throws IOException {
        Path target = output.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(target); hops++) {
            if (hops == MAX_LINKS) throw new IOException(output + ": too many levels of symbolic links");
            Path folder = target.getParent().toRealPath();
            if (underProc(folder)) return null;
            target = folder.resolve(Files.readSymbolicLink(target));
        }
        return target;
    }

    /**
     * The regular file that {@link #open} writes atomically for {@code output} (links followed; it may not exist
     * yet), or null when the output is written through instead: standard output, a pipe, a device, anything
     * reached through /proc. Files that belong beside an output (its rejected records) exist only in the first case.
     */
    public static Path atomicTarget(Path output) throws IOException {
        if (isStandardStream(output)) return null;
        Path target = followLinks(output);
        if (target == null) return null;
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) return target;
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) || underProc(target.getParent().toRealPath())) return null;
        return target;
    }

    private static AtomicOutput writeThrough(Path output, Path target) throws IOException {
        // APPEND: /dev/stdout redirected to a file (`>>` or `>`) must go on at its end, not overwrite from byte 0
        FileChannel ch;
        try {
            ch = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (FileSystemException e) {
            throw new IOException(output + ": cannot open it for writing (" + reason(e) + ")", e);
        }
        return new AtomicOutput(output, target, Kind.WRITE_THROUGH, null, ch, Channels.newOutputStream(ch));
    }

    /** Java's file-system exceptions often carry only the path; say what went wrong. */
    private static String reason(FileSystemException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied: " + e.getFile();
        if (e instanceof java.nio.file.FileAlreadyExistsException) return e.getFile() + " exists and is not a folder";
        return e.getReason() != null ? e.getFile() + ": " + e.getReason() : e.toString();
    }

    private static boolean underProc(Path realFolder) { return realFolder.startsWith("/proc"); }

    /** A replaced file keeps its mode (a group-readable output stays group-readable). */
    private static void keepPermissions(Path from, Path to) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        if (view == null) return;
        Set<PosixFilePermission> perms = view.readAttributes().permissions();
        Files.setPosixFilePermissions(to, perms);
    }

    /** The path as given. */
    public Path path() { return path; }

    /** Where the bytes end up (the resolved target); null for standard output. */
    public Path target() { return target; }

    public Kind kind() { return kind; }

    /** Unbuffered: wrap it in a buffer and flush that before {@link #commit()}. Closing it does not commit. */
    public OutputStream stream() { return stream; }

    /** The same output as a channel (for ByteBuffers). */
    public WritableByteChannel channel() { return channel; }

    /** Publishes the output: syncs and renames an atomic one onto its name; flushes a written-through one. */
    public void commit() throws IOException {
        if (done) throw new IOException(path + ": already closed");
        done = true;
        switch (kind) {
            case STANDARD_OUTPUT -> stream.flush();
            case WRITE_THROUGH -> channel.close();
            case ATOMIC -> {
                try {
                    temp.channel().force(true);
                    // renamed while still locked, so no other run can take the temp file for a stale one first
                    Files.move(temp.path(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    syncFolder(target.getParent());
                } catch (IOException | RuntimeException e) {
                    deleteTemp();
                    throw new IOException(path + ": could not finish writing: " + e.getMessage(), e);
                } finally {
                    temp.close();
                }
            }
        }
    }

    /** Throws away an atomic output's content (the name keeps what it had); ends a written-through one. */
    public void abort() {
        if (done) return;
        done = true;
        try {
            if (kind == Kind.ATOMIC) {
                deleteTemp();
                temp.close();
            } else if (kind == Kind.WRITE_THROUGH) {
                channel.close();
            } else {
                stream.flush();
            }
        } catch (IOException ignored) {
            // the content is being discarded anyway
        }
    }

    /** Aborts unless {@link #commit()} was called: try-with-resources never publishes by accident. */
    @Override
    public void close() { abort(); }

    private void deleteTemp() {
        try {
            Files.deleteIfExists(temp.path());
        } catch (IOException ignored) {
            // a leftover has the fixed name: the next run replaces it
        }
    }

    /**
     * Makes a rename into {@code folder} durable (best effort: not every file system or platform lets a folder be
     * opened and synced). Used by every writer that publishes a file by renaming it.
     */
    public static void syncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the file's own content is synced; only the rename might be lost on power failure
        }
    }

    /** Writes a whole output at once. */
    public static void write(Path output, byte[] bytes) throws IOException {
        try (AtomicOutput out = open(output)) {
            out.stream().write(bytes);
            out.commit();
        }
    }

    public static void writeString(Path output, String text) throws IOException {
        write(output, text.getBytes(StandardCharsets.UTF_8));
    }

    /** How to name an output in a message ("-> FILE"). */
    public static String describe(Path output) { return isStandardStream(output) ? "standard output" : output.toString(); }
}
