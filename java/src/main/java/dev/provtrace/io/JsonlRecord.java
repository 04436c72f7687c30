package dev.provtrace.io;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;

/**
 * One non-blank line of a JSONL file: its parsed value, or the reason it could not be parsed. A bad line is a
 * record rather than a thrown exception so that a caller can report it and keep going with the next line;
 * {@link #value()} throws for a bad line, so code that does not check cannot use garbage by accident.
 */
public final class JsonlRecord {
    private final long lineNumber;
    private final JsonNode value;
    private final JsonlException error;

    private JsonlRecord(long lineNumber, JsonNode value, JsonlException error) {
        this.lineNumber = lineNumber;
        this.value = value;
        this.error = error;
    }

    static JsonlRecord parsed(long lineNumber, JsonNode value) { return new JsonlRecord(lineNumber, value, null); }

    static JsonlRecord malformed(JsonlException error) { return new JsonlRecord(error.lineNumber(), null, error); }

    /** 1-based line number in the file (blank lines count). */
    public long lineNumber() { return lineNumber; }

    public boolean isMalformed() { return error != null; }

    /** The parse error of a malformed line, naming the file, the line and the parser's reason. */
    public Optional<JsonlException> error() { return Optional.ofNullable(error); }

    /** The id of a malformed line whose JSON did parse (a lone surrogate in a field), as given; else null. */
    public JsonNode rejectedId() { return error == null ? null : error.id(); }

    /** The parsed JSON value; throws the line's {@link JsonlException} if it is malformed. */
    public JsonNode value() {
        if (error != null) throw error;
        return value;
    }

    @Override
    public String toString() { return error != null ? "JsonlRecord[" + error.getMessage() + "]" : "JsonlRecord[" + lineNumber + ": " + value + "]"; }
}
