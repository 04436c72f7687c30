package dev.provtrace.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A scratch file with a fixed name (so a crashed run leaves at most one behind, and the next run replaces it)
 * that two live runs can still never share: the file is locked for as long as it is open. A file found under the
 * name and not locked is a leftover of a dead run (a killed process's locks are gone with it) and is replaced; one
 * that is locked belongs to a run still going, and opening is refused with a message naming it.
 */
public final class FixedTempFile implements Closeable {
    /**
     * Temp files this JVM holds. Checked before the file system is asked, because POSIX record locks are per
     * process: probing our own file through a second channel and closing it would drop the lock we hold.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    static {
        // Ctrl-C or kill (SIGINT, SIGTERM) runs shutdown hooks: take our temp files along. After kill -9 one may
        // stay, under its fixed name, until the next run replaces it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Path p : HELD) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // the next run replaces it
                }
            }
        }, "provtrace-temp-cleanup"));
    }

    private final Path path;
    private final FileChannel channel;

    private FixedTempFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    public Path path() { return path; }

    /** Open for writing (and reading); locked until {@link #close()}. */
    public FileChannel channel() { return channel; }

    /** Closes the channel, which releases the lock; the file itself stays (rename or delete it first). */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            HELD.remove(path);
        }
    }

    /** Creates {@code file} empty, open for writing and locked. */
    public static FixedTempFile create(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        if (!HELD.add(key)) throw busy(file);
        try {
            return new FixedTempFile(key, createLocked(file));
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static FileChannel createLocked(Path file) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
            } catch (FileAlreadyExistsException e) {
                removeIfStale(file);
                continue;
            }
            if (tryLock(channel) == null) {
                channel.close();   // someone opened our brand-new file in between: another run wants the same name
                throw busy(file);
            }
            return channel;
        }
        throw busy(file);
    }

    /** Deletes a leftover temp file; refuses when a live run holds it. */
    private static void removeIfStale(Path file) throws IOException {
        FileChannel old;
        try {
            old = FileChannel.open(file, StandardOpenOption.WRITE);
        } catch (java.nio.file.NoSuchFileException gone) {
            return;
        }
        try (old) {
            if (tryLock(old) == null) throw busy(file);
            // Deleted by name while we hold the dead run's lock: whoever comes next creates a fresh file.
            Files.deleteIfExists(file);
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            return null;
        }
    }

    private static IOException busy(Path file) {
        return new IOException(file + ": another provtrace run is writing this output right now (its temporary file is "
                + "in use); wait for it to finish or choose another output");
    }
}
