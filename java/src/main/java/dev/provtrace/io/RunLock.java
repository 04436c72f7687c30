package dev.provtrace.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps two provtrace runs off the same output folder, cache or output file: the second is refused at once with
 * the holder's pid and start time. The lock is an OS file lock ({@link FileChannel#tryLock}), so the OS drops it
 * when the holder dies, even by kill -9: there is never a stale lock to delete by hand. The lock file holds one
 * line, {@code pid N, started T}, for the message; it is emptied (not deleted) on release, because deleting a lock
 * file lets a late opener lock the unlinked file while a third run locks a new one.
 * <p>
 * Within one JVM the OS lock cannot tell two runs apart, and on Linux closing any channel of a locked file drops
 * the JVM's lock on it; so locks this JVM holds are kept in a table and checked first, and a held lock file is
 * never opened a second time.
 */
public final class RunLock implements AutoCloseable {
    /** The lock file of a folder. */
    public static final String FOLDER_LOCK = ".provtrace.lock";

    /** The lock covers one byte far past the holder line, so readers on any OS can still read that line. */
    private static final long REGION = Long.MAX_VALUE - 1;

    private static final Map<Path, String> HELD_HERE = new HashMap<>();

    /** Refused: another run holds the lock. */
    public static final class InUseException extends IOException {
        public InUseException(String message) { super(message); }
    }

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks a folder (made if missing) through {@code DIR/.provtrace.lock}.
     *
     * @param option the option that names the folder, for the hint ("use another --cache")
     */
    public static RunLock folder(Path dir, String option) throws IOException {
        Files.createDirectories(dir);
        return acquire(dir.resolve(FOLDER_LOCK), dir.toString(), option);
    }

    /**
     * Locks a single output file through {@code FILE.lock} beside it (beside a link's target). Nothing is locked for
     * an output that is written through rather than to a file of ours ({@code -}, a FIFO, a device, {@code /dev/stdout}
     * even when it is redirected to a file): no lock file is made beside those. {@link AtomicOutput#atomicTarget}
     * decides, as it does for the file the output is written to.
     */
    public static RunLock outputFile(Path output, String option) throws IOException {
        // a link is written through to its target: two links to one file are one output
        Path target = AtomicOutput.atomicTarget(output);
        if (target == null) return none();
        target = Files.exists(target) ? target.toRealPath() : target.normalize();   // one lock whatever path names it
        Files.createDirectories(target.getParent());
        return acquire(target.resolveSibling(target.getFileName() + ".lock"), output.toString(), option);
    }

    /** A lock that holds nothing (for outputs that cannot have a lock file beside them). */
    public static RunLock none() { return new RunLock(null, null, null); }

    /**
     * Locks {@code lockFile} (made if missing) for this run.
     *
     * @param what   what the lock protects, as the message names it
     * @param option the option to change to get out of the way, for the hint
     */
    public static RunLock acquire(Path lockFile, String what, String option) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        Files.createDirectories(key.getParent());
        key = key.getParent().toRealPath().resolve(key.getFileName());
        String holder = "pid " + ProcessHandle.current().pid() + ", started "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS);
        synchronized (HELD_HERE) {
            String held = HELD_HERE.get(key);
            if (held != null) throw inUse(what, held, option);
            FileChannel ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                FileLock lock;
                try {
                    lock = ch.tryLock(REGION, 1, false);
                } catch (OverlappingFileLockException e) {
                    lock = null;                           // held in this JVM by a channel not made here
                } catch (IOException e) {
                    throw new IOException(what + ": cannot lock " + key + " (" + e.getMessage()
                            + "; does this file system support file locks?)", e);
                }
                if (lock == null) {
                    String line = readHolder(ch);
                    throw inUse(what, line.isEmpty() ? "holder unknown" : line, option);
                }
                ch.truncate(0);
                ch.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                ch.force(false);
                HELD_HERE.put(key, holder);
                return new RunLock(key, ch, lock);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
    }

    private static InUseException inUse(String what, String holder, String option) {
        return new InUseException(what + " is in use by another provtrace run (" + holder
                + "); wait for it to finish or use another " + option);
    }

    private static String readHolder(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(200);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) { }
        String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return (nl >= 0 ? s.substring(0, nl) : s).strip();
    }

    /** The holder line this lock wrote ({@code pid N, started T}), or null for {@link #none()}. */
    public String holder() {
        synchronized (HELD_HERE) {
            return key == null ? null : HELD_HERE.get(key);
        }
    }

    @Override
    public void close() throws IOException {
        if (channel == null) return;
        synchronized (HELD_HERE) {
            if (!channel.isOpen()) return;
            try {
                channel.truncate(0);                       // no stale pid in the file once the run is over
                lock.release();
            } finally {
                channel.close();
                HELD_HERE.remove(key);
            }
        }
    }
}
