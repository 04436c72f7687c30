package dev.provtrace.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's claim on its output folder and cache folder, taken before anything is scored or written:
 * <ol>
 *   <li>both folders are locked ({@link RunLock}); a second run on either is refused naming the holder;</li>
 *   <li>the folder's manifest ({@link RunManifest}) is compared with this run's settings: outputs made with other
 *       settings or models are refused, naming each difference — or, with {@code --overwrite}, the files provtrace
 *       made there (outputs, caches, manifest; never anything else) are deleted and the run starts afresh. A run
 *       that wrote no output yet (it failed while scoring) is not guarded: a rerun with fixed settings goes on and
 *       keeps the caches that still apply;</li>
 *   <li>this run's manifest is written (atomically).</li>
 * </ol>
 * A rerun with the same settings passes and resumes from its caches. Closing releases the locks.
 */
public final class RunFolder implements AutoCloseable {
    /** Refused: the folder holds outputs of a run with other settings. */
    public static final class SettingsMismatchException extends IllegalArgumentException {
        public SettingsMismatchException(String message) { super(message); }
    }

    private final List<RunLock> locks;
    private final List<Path> deleted;

    private RunFolder(List<RunLock> locks, List<Path> deleted) {
        this.locks = locks;
        this.deleted = deleted;
    }

    /**
     * @param dir       the output folder (made if missing), or null when the run has none (then only the cache is
     *                  locked and no manifest kept)
     * @param option    the option naming {@code dir}, for messages ("--out")
     * @param cacheDir  the score cache folder (locked; may be inside {@code dir}), or null
     * @param manifest  this run's settings and files
     * @param overwrite delete what an earlier run made instead of refusing other settings
     */
    public static RunFolder claim(Path dir, String option, Path cacheDir, RunManifest manifest, boolean overwrite)
            throws IOException {
        List<RunLock> locks = new ArrayList<>();
        try {
            if (dir != null) locks.add(RunLock.folder(dir, option));
            if (cacheDir != null && !sameFolder(cacheDir, dir)) locks.add(RunLock.folder(cacheDir, "--cache"));
            RunManifest earlier = dir == null ? null : readForClaim(dir, overwrite);
            List<Path> deleted = new ArrayList<>();
            if (overwrite) {
                List<Path> mine = new ArrayList<>(manifest.files());
                if (earlier != null) mine.addAll(earlier.files());
                for (Path p : mine) {
                    // only inside the folders this run holds: a file listed elsewhere may belong to a running job
                    if (within(p, dir) || within(p, cacheDir)) {
                        if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(p)) {
                            deleted.add(p);
                        }
                    }
                }
                if (dir != null && Files.deleteIfExists(dir.resolve(RunManifest.FILE))) deleted.add(dir.resolve(RunManifest.FILE));
            } else if (earlier != null && earlier.outputs().stream().anyMatch(Files::exists)) {
                // only outputs are guarded: caches are keyed by model and prompt, so they never mix results
                List<String> diffs = manifest.differencesFrom(earlier);
                if (!diffs.isEmpty()) {
                    throw new SettingsMismatchException(dir + " was made with " + String.join("; ", diffs) + "; use another "
                            + option + ", or --overwrite to start afresh");
                }
            }
            if (dir != null) manifest.write(dir);
            return new RunFolder(locks, deleted);
        } catch (IOException | RuntimeException e) {
            for (RunLock l : locks) {
                try {
                    l.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** An unreadable manifest stops a run, unless it is to be overwritten anyway. */
    private static RunManifest readForClaim(Path dir, boolean overwrite) throws IOException {
        try {
            return RunManifest.read(dir);
        } catch (IOException e) {
            if (overwrite) return null;
            throw e;
        }
    }

    private static boolean sameFolder(Path a, Path b) {
        return b != null && a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    private static boolean within(Path p, Path dir) {
        return dir != null && p.toAbsolutePath().normalize().startsWith(dir.toAbsolutePath().normalize());
    }

    /** The files {@code --overwrite} deleted (for a message). */
    public List<Path> deleted() { return List.copyOf(deleted); }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (int i = locks.size() - 1; i >= 0; i--) {
            try {
                locks.get(i).close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
