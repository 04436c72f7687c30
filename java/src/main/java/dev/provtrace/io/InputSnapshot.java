package dev.provtrace.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What an input file looked like when it was validated: size, modification time and a CRC-32 of every byte. A job
 * that reads its input again in later passes checks the first two before each pass and the CRC after it, so a file
 * replaced, truncated or appended to during a run is reported as such instead of surfacing as a missing score or a
 * NullPointerException far from the cause.
 */
record InputSnapshot(long size, FileTime modified, long crc) {

    static InputSnapshot of(Path file, long crc) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new InputSnapshot(a.size(), a.lastModifiedTime(), crc);
    }

    /** Throws when {@code file} no longer has this size and modification time. */
    void checkAttributes(Path file) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw changed(file, "it can no longer be read (" + e.getMessage() + ")");
        }
        if (a.size() != size) throw changed(file, "it was " + size + " bytes when validated and is " + a.size() + " now");
        if (!a.lastModifiedTime().equals(modified)) {
            throw changed(file, "it was modified at " + a.lastModifiedTime() + ", after it was validated (" + modified + ")");
        }
    }

    /** Throws when a pass read other bytes than validation did. */
    void checkCrc(Path file, long passCrc) throws IOException {
        if (passCrc != crc) throw changed(file, "its content is not what was validated (CRC-32 " + hex(crc) + ", now " + hex(passCrc) + ")");
    }

    static IOException changed(Path file, String how) {
        return new IOException(file + ": the input file changed during the run: " + how
                + "; the run stopped rather than mix two versions. Rerun on a file that stays as it is until the run ends.");
    }

    private static String hex(long crc) { return String.format("%08x", crc); }
}
