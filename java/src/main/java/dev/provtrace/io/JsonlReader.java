package dev.provtrace.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Streams a JSONL file one line at a time, so input of any size needs memory for one line only. Each non-blank
 * line becomes a {@link JsonlRecord}; a malformed line becomes a record carrying its error, and reading goes on
 * with the next line, so one bad line never hides the rest of the file.
 * <p>
 * Lines are split on raw bytes and each line is decoded as strict UTF-8 on its own (rather than through a
 * BufferedReader), so that invalid UTF-8 is reported for its line, with its number, instead of aborting the
 * whole stream or being silently replaced by U+FFFD.
 */
public final class JsonlReader implements Closeable, Iterable<JsonlRecord> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path file;
    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int bufferPos, bufferEnd;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private long lineNumber;
    private JsonlRecord pending;
    private boolean iteratorTaken;

    private JsonlReader(Path file, InputStream in) {
        this.file = file;
        this.in = in;
    }

    public static JsonlReader open(Path file) throws IOException {
        return new JsonlReader(file, StandardInput.open(file));   // "-": standard input
    }

    public Path file() { return file; }

    /** The next non-blank line, or null at the end of the file. */
    public JsonlRecord next() throws IOException {
        if (pending != null) {
            JsonlRecord r = pending;
            pending = null;
            return r;
        }
        while (readLine()) {
            JsonlRecord r = parse();
            if (r != null) return r;
        }
        return null;
    }

    /** Single pass: the records are read from the stream as the iterator advances. I/O errors are unchecked. */
    @Override
    public Iterator<JsonlRecord> iterator() {
        if (iteratorTaken) throw new IllegalStateException(file + ": a JsonlReader can be iterated only once");
        iteratorTaken = true;
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (pending == null) {
                    try {
                        pending = JsonlReader.this.next();
                    } catch (IOException e) {
                        throw new UncheckedIOException(file + ": read failed after line " + lineNumber, e);
                    }
                }
                return pending != null;
            }

            @Override
            public JsonlRecord next() {
                if (!hasNext()) throw new NoSuchElementException();
                JsonlRecord r = pending;
                pending = null;
                return r;
            }
        };
    }

    /** Reads up to and excluding the next '\n' into {@link #line}; false at end of file with nothing read. */
    private boolean readLine() throws IOException {
        line.reset();
        boolean any = false;
        while (true) {
            if (bufferPos == bufferEnd) {
                int n = in.read(buffer);
                if (n < 0) break;
                bufferPos = 0;
                bufferEnd = n;
            }
            any = true;
            int start = bufferPos;
            while (bufferPos < bufferEnd && buffer[bufferPos] != '\n') bufferPos++;
            line.write(buffer, start, bufferPos - start);
            if (bufferPos < bufferEnd) {
                bufferPos++;   // the '\n'
                break;
            }
        }
        if (!any) return false;
        lineNumber++;
        return true;
    }

    /** The record for the current line, or null for a blank line. */
    private JsonlRecord parse() {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return JsonlRecord.malformed(new JsonlException(file, lineNumber, "not valid UTF-8"));
        }
        if (lineNumber == 1 && text.startsWith("\uFEFF")) text = text.substring(1);   // byte order mark
        if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);         // Windows line ends
        if (text.isBlank()) return null;
        try {
            return JsonlRecord.parsed(lineNumber, JSON.readTree(text));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            return JsonlRecord.malformed(new JsonlException(file, lineNumber, "malformed JSON" + where + ": " + e.getOriginalMessage()));
        }
    }

    @Override
    public void close() throws IOException { in.close(); }
}
