package dev.provtrace.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What an output path is decides how it is written; nothing but a regular file (or nothing) is ever replaced. */
class AtomicOutputTest {
    @TempDir Path dir;

    private List<String> listing(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aRegularFileIsReplacedWholeThroughItsFixedTempFile() throws Exception {
        Path out = dir.resolve("o.jsonl");
        Files.writeString(out, "old\n");
        try (AtomicOutput o = AtomicOutput.open(out)) {
            assertEquals(AtomicOutput.Kind.ATOMIC, o.kind());
            o.stream().write("new\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("old\n", Files.readString(out), "the name keeps the old content until commit");
            assertEquals(List.of(".o.jsonl.provtrace-tmp", "o.jsonl"), listing(dir));
            o.commit();
        }
        assertEquals("new\n", Files.readString(out));
        assertEquals(List.of("o.jsonl"), listing(dir), "no temp file is left");
    }

    @Test
    void closingWithoutCommitLeavesTheOldContentAndNoTempFile() throws Exception {
        Path out = dir.resolve("o.json");
        Files.writeString(out, "old");
        try (AtomicOutput o = AtomicOutput.open(out)) {
            o.stream().write("half".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("old", Files.readString(out));
        assertEquals(List.of("o.json"), listing(dir));
    }

    @Test
    void aStaleTempFileOfACrashedRunIsReplaced() throws Exception {
        Path out = dir.resolve("summary.json");
        Path stale = dir.resolve(".summary.json.provtrace-tmp");
        Files.writeString(stale, "x".repeat(10_000));   // a killed run's half-written file, larger than the new one
        AtomicOutput.writeString(out, "{}\n");
        assertEquals("{}\n", Files.readString(out));
        assertEquals(List.of("summary.json"), listing(dir));
        assertEquals(stale, AtomicOutput.tempFileFor(out));
    }

    @Test
    void aTempFileInUseByAnotherWriterIsNotTaken() throws Exception {
        Path out = dir.resolve("o.jsonl");
        try (AtomicOutput first = AtomicOutput.open(out)) {
            IOException e = assertThrows(IOException.class, () -> AtomicOutput.open(dir.resolve("./o.jsonl")));
            assertTrue(e.getMessage().contains(".o.jsonl.provtrace-tmp: another provtrace run is writing this output"),
                    e.getMessage());
            first.stream().write('1');
            first.commit();
        }
        assertEquals("1", Files.readString(out), "the first writer was not disturbed");
    }

    @Test
    void aTempFileOfALiveRunInAnotherProcessIsRefusedAndOnceThatRunIsKilledReplaced() throws Exception {
        Path out = dir.resolve("selected.jsonl");
        Files.writeString(out, "previous\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                TempFileHolder.class.getName(), out.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String said = new String(child.getInputStream().readNBytes("writing\n".length()), StandardCharsets.UTF_8);
            assertEquals("writing\n", said);
            IOException e = assertThrows(IOException.class, () -> AtomicOutput.open(out));
            assertEquals(dir.resolve(".selected.jsonl.provtrace-tmp") + ": another provtrace run is writing this output right now "
                    + "(its temporary file is in use); wait for it to finish or choose another output", e.getMessage());
        } finally {
            child.destroyForcibly();   // SIGKILL: its temp file stays behind, unlocked
            child.waitFor();
        }
        assertEquals("half a line", Files.readString(dir.resolve(".selected.jsonl.provtrace-tmp")));
        assertEquals("previous\n", Files.readString(out), "the killed run never touched the output");
        AtomicOutput.writeString(out, "new\n");
        assertEquals("new\n", Files.readString(out));
        assertEquals(List.of("selected.jsonl"), listing(dir), "the dead run's temp file was replaced, none is left");
    }

    @Test
    void aReplacedFileKeepsItsPermissions() throws Exception {
        Path out = dir.resolve("shared.jsonl");
        Files.writeString(out, "old");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r-----"));
        AtomicOutput.writeString(out, "new");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    }

    @Test
    void aSymlinkIsFollowedAndKept() throws Exception {
        Path real = Files.createDirectories(dir.resolve("data")).resolve("real.jsonl");
        Files.writeString(real, "old\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), Path.of("data/real.jsonl"));   // relative
        try (JsonlWriter w = JsonlWriter.open(link)) {
            w.write(Map.of("n", 1));
        }
        assertTrue(Files.isSymbolicLink(link), "the link itself is never replaced");
        assertEquals(Path.of("data/real.jsonl"), Files.readSymbolicLink(link));
        assertEquals("{\"n\":1}\n", Files.readString(real), "its target got the output");
        assertEquals(List.of("real.jsonl"), listing(real.getParent()), "the temp file was beside the target, and is gone");
        assertEquals(List.of("data", "link.jsonl"), listing(dir));
    }

    @Test
    void aChainOfSymlinksToAMissingFileCreatesTheFile() throws Exception {
        Path real = dir.resolve("made.json");
        Path second = Files.createSymbolicLink(dir.resolve("second"), real);
        Path first = Files.createSymbolicLink(dir.resolve("first"), second.getFileName());
        AtomicOutput.writeString(first, "made");
        assertEquals("made", Files.readString(real));
        assertTrue(Files.isSymbolicLink(first) && Files.isSymbolicLink(second));
    }

    @Test
    void aFifoIsWrittenThroughAndStaysAFifo() throws Exception {
        Path fifo = dir.resolve("pipe.jsonl");
        assumeTrue(mkfifo(fifo), "mkfifo is not available");
        byte[] expected;
        {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 20_000; i++) sb.append("{\"i\":").append(i).append("}\n");   // more than a pipe buffer
            expected = sb.toString().getBytes(StandardCharsets.UTF_8);
        }
        CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try (JsonlWriter w = JsonlWriter.open(fifo)) {
            for (int i = 0; i < 20_000; i++) w.write(Map.of("i", i));
        }
        assertArrayEquals(expected, reader.get(60, TimeUnit.SECONDS), "the reader got every byte");
        assertTrue(Files.readAttributes(fifo, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther(),
                "still a FIFO");
        assertEquals(List.of("pipe.jsonl"), listing(dir), "no temp file beside a FIFO");
    }

    @Test
    void devNullIsWrittenThroughAndStaysADevice() throws Exception {
        Path devNull = Path.of("/dev/null");
        assumeTrue(Files.isWritable(devNull));
        try (AtomicOutput o = AtomicOutput.open(devNull)) {
            assertEquals(AtomicOutput.Kind.WRITE_THROUGH, o.kind());
            o.stream().write(new byte[100_000]);
            o.commit();
        }
        assertTrue(Files.readAttributes(devNull, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther());
        assertEquals(0, Files.size(devNull));
    }

    @Test
    void dashIsStandardOutput() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try (JsonlWriter w = JsonlWriter.open(Path.of("-"))) {
                w.write(Map.of("id", "a"));
            }
        } finally {
            System.setOut(old);
        }
        assertEquals("{\"id\":\"a\"}\n", captured.toString(StandardCharsets.UTF_8));
        assertFalse(Files.exists(Path.of("-")), "no file named - is made");
    }

    @Test
    void aFolderIsAClearError() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("outdir"));
        IOException e = assertThrows(IOException.class, () -> AtomicOutput.open(folder));
        assertEquals(folder + ": is a folder; an output must be a file", e.getMessage());
        Path link = Files.createSymbolicLink(dir.resolve("to-folder"), folder);
        IOException viaLink = assertThrows(IOException.class, () -> AtomicOutput.open(link));
        assertEquals(link + " (-> " + folder + "): is a folder; an output must be a file", viaLink.getMessage());
    }

    /** Makes a FIFO with the system's mkfifo; false where there is none. */
    static boolean mkfifo(Path path) {
        try {
            Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
