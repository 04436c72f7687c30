package dev.provtrace.io;

import java.nio.file.Path;

/** One bad line of a JSONL file: the message reads "FILE:LINE: reason", so a user can open the file at that line. */
public class JsonlException extends RuntimeException {
    private final Path file;
    private final long lineNumber;

    public JsonlException(Path file, long lineNumber, String reason) {
        super(file + ":" + lineNumber + ": " + reason);
        this.file = file;
        this.lineNumber = lineNumber;
    }

    public Path file() { return file; }

    /** 1-based, counting blank lines too, as editors do. */
    public long lineNumber() { return lineNumber; }
}
