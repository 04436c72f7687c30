package dev.provtrace.io;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

/**
 * One bad line of a JSONL file: the message reads "FILE:LINE: reason" (or "FILE:LINE (id X): reason" when the line
 * parsed far enough to have an id), so a user can open the file at that line.
 */
public class JsonlException extends RuntimeException {
    private final Path file;
    private final long lineNumber;
    private final JsonNode id;
    private final String reason;

    public JsonlException(Path file, long lineNumber, String reason) {
        this(file, lineNumber, null, reason);
    }

    /** @param id the record's id as given (a string or integer node), or null when it has none that can be used */
    public JsonlException(Path file, long lineNumber, JsonNode id, String reason) {
        super(RecordIds.where(file, lineNumber, id) + ": " + reason);
        this.file = file;
        this.lineNumber = lineNumber;
        this.id = id;
        this.reason = reason;
    }

    /** What is wrong, without the file and line. */
    public String reason() { return reason; }

    public Path file() { return file; }

    /** 1-based, counting blank lines too, as editors do. */
    public long lineNumber() { return lineNumber; }

    /** The record's id as given, or null. */
    public JsonNode id() { return id; }
}
