package dev.provtrace.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunFolderTest {
    private static RunManifest manifest(Path out, Path cache, String alpha, Path student) {
        return new RunManifest("trace").path("--input", Path.of("in.jsonl")).model("--student", student, "ab".repeat(32))
                .set("--alpha", alpha).output(out.resolve("sentences.jsonl")).file(cache.resolve("student-0123.bin"));
    }

    @Test
    void otherSettingsAreRefusedNamingEachDifferenceOnlyWhenOutputsExist(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out"), cache = out.resolve("cache");
        try (RunFolder f = RunFolder.claim(out, "--out", cache, manifest(out, cache, "0.1", Path.of("s")), false)) {
            Files.writeString(out.resolve("sentences.jsonl"), "{}\n");
        }
        RunManifest other = new RunManifest("trace").path("--input", Path.of("in.jsonl")).model("--student", Path.of("s2"), "cd".repeat(32))
                .set("--alpha", "0.2").set("--beta", "0.1").output(out.resolve("sentences.jsonl"));
        RunFolder.SettingsMismatchException e = assertThrows(RunFolder.SettingsMismatchException.class,
                () -> RunFolder.claim(out, "--out", cache, other, false));
        assertEquals(out + " was made with --student s (fingerprint abababababab), now s2 (fingerprint cdcdcdcdcdcd); "
                + "--alpha 0.1, now 0.2; --beta (not used), now 0.1; use another --out, or --overwrite to start afresh", e.getMessage());
        // refused without keeping the locks
        try (RunLock l = RunLock.folder(out, "--out"); RunLock c = RunLock.folder(cache, "--cache")) {
            assertTrue(l.holder() != null && c.holder() != null);
        }
        // the same settings pass; and once the outputs are gone, so do others
        RunFolder.claim(out, "--out", cache, manifest(out, cache, "0.1", Path.of("s")), false).close();
        Files.delete(out.resolve("sentences.jsonl"));
        RunFolder.claim(out, "--out", cache, other, false).close();
        assertEquals("0.2", RunManifest.read(out).settings().get("--alpha").value());
    }

    @Test
    void overwriteDeletesOnlyWhatProvtraceMadeInsideItsFolders(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out"), cache = out.resolve("cache"), outside = Files.writeString(dir.resolve("outside.txt"), "x");
        Files.createDirectories(cache);
        Path target = Files.writeString(dir.resolve("target.txt"), "kept");
        RunManifest earlier = manifest(out, cache, "0.1", Path.of("s")).output(outside).output(out.resolve("link"));
        earlier.write(out);
        Files.writeString(out.resolve("sentences.jsonl"), "{}\n");
        Files.writeString(cache.resolve("student-0123.bin"), "cache");
        Files.writeString(out.resolve("notes.txt"), "the user's");
        Files.createSymbolicLink(out.resolve("link"), target);
        try (RunFolder f = RunFolder.claim(out, "--out", cache, manifest(out, cache, "0.5", Path.of("s")), true)) {
            assertEquals(List.of(out.resolve("sentences.jsonl"), cache.resolve("student-0123.bin"), out.resolve(RunManifest.FILE))
                    .stream().map(p -> p.toAbsolutePath().normalize()).toList(),
                    f.deleted().stream().map(p -> p.toAbsolutePath().normalize()).toList());
        }
        assertFalse(Files.exists(out.resolve("sentences.jsonl")));
        assertEquals("x", Files.readString(outside), "listed, but outside the run's folders");
        assertEquals("the user's", Files.readString(out.resolve("notes.txt")));
        assertTrue(Files.isSymbolicLink(out.resolve("link")), "a symlink is not provtrace's file");
        assertEquals("kept", Files.readString(target));
        assertEquals("0.5", RunManifest.read(out).settings().get("--alpha").value());
    }

    @Test
    void anUnreadableManifestIsNamedAndOverwriteReplacesIt(@TempDir Path dir) throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve(RunManifest.FILE), "{\"command\": ");
        IOException e = assertThrows(IOException.class,
                () -> RunFolder.claim(out, "--out", null, manifest(out, out, "0.1", Path.of("s")), false));
        assertTrue(e.getMessage().startsWith(out.resolve(RunManifest.FILE) + ": not a readable provtrace run manifest ("),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("); delete it, or rerun with --overwrite"), e.getMessage());
        RunFolder.claim(out, "--out", null, manifest(out, out, "0.1", Path.of("s")), true).close();
        assertEquals("trace", RunManifest.read(out).command());
    }
}
