package dev.provtrace.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunLockTest {
    private static final String PID = "pid " + ProcessHandle.current().pid() + ", started ";

    @Test
    void aSecondLockInThisJvmIsRefusedNamingTheHolder(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        try (RunLock first = RunLock.folder(out, "--out")) {
            assertTrue(first.holder().startsWith(PID), first.holder());
            assertEquals(first.holder() + "\n", Files.readString(out.resolve(RunLock.FOLDER_LOCK)));
            RunLock.InUseException e = assertThrows(RunLock.InUseException.class, () -> RunLock.folder(out, "--out"));
            assertEquals(out + " is in use by another provtrace run (" + first.holder()
                    + "); wait for it to finish or use another --out", e.getMessage());
            // the same folder named another way is the same lock
            assertThrows(RunLock.InUseException.class, () -> RunLock.folder(dir.resolve("x/../out"), "--out"));
        }
        try (RunLock again = RunLock.folder(out, "--out")) {          // released on close
            assertTrue(again.holder().startsWith(PID));
        }
        assertEquals("", Files.readString(out.resolve(RunLock.FOLDER_LOCK)), "no stale pid once released");
    }

    @Test
    void aLockHeldByAnotherProcessNamesItsPid(@TempDir Path dir) throws Exception {
        Path lockFile = dir.resolve(RunLock.FOLDER_LOCK);
        Process child = LockHolder.start(lockFile);
        try {
            RunLock.InUseException e = assertThrows(RunLock.InUseException.class, () -> RunLock.folder(dir, "--cache"));
            assertTrue(e.getMessage().startsWith(dir + " is in use by another provtrace run (pid " + child.pid() + ", started "),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("); wait for it to finish or use another --cache"), e.getMessage());
        } finally {
            child.destroyForcibly().waitFor();                      // kill -9: the OS drops its lock
        }
        try (RunLock mine = RunLock.folder(dir, "--cache")) {
            assertTrue(mine.holder().startsWith(PID));
        }
    }

    @Test
    void outputsThatAreNotRegularFilesGetNoLockFile(@TempDir Path dir) throws Exception {
        try (RunLock l = RunLock.outputFile(Path.of("-"), "--output")) {
            assertNull(l.holder());
        }
        try (RunLock l = RunLock.outputFile(dir, "--output")) {               // an existing non-regular path
            assertNull(l.holder());
        }
        Path out = dir.resolve("sub/out.jsonl");
        try (RunLock l = RunLock.outputFile(out, "--output")) {
            assertTrue(Files.isRegularFile(dir.resolve("sub/out.jsonl.lock")));
            RunLock.InUseException e = assertThrows(RunLock.InUseException.class, () -> RunLock.outputFile(out, "--output"));
            assertTrue(e.getMessage().startsWith(out + " is in use by another provtrace run (" + PID), e.getMessage());
        }
        Files.writeString(out, "");
        Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), out);
        try (RunLock l = RunLock.outputFile(out, "--output")) {
            RunLock.InUseException e = assertThrows(RunLock.InUseException.class, () -> RunLock.outputFile(link, "--output"));
            assertTrue(e.getMessage().startsWith(link + " is in use by another provtrace run (" + PID), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("link.jsonl.lock")), "the lock is beside the link's target");
    }
}
