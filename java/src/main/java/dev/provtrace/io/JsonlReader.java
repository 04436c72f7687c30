package dev.provtrace.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

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
 * whole stream or being silently replaced by U+FFFD. A string holding a lone surrogate (an escaped {@code "\ud800"}
 * without its pair: valid JSON, but no Unicode text) is reported the same way, with the record's id.
 * <p>
 * A line longer than {@code maxLineBytes} (the {@code --max-line-bytes} option, {@link #DEFAULT_MAX_LINE_BYTES} by
 * default) is streamed past without being kept and reported by its number and size; reading goes on after it. That
 * limit is the only one: Jackson's own 20 MB cap on a string is lifted, as the line limit already bounds memory.
 * Floating-point numbers are read as exact decimals, so a line passed through to an output keeps {@code 1E2} as
 * {@code 1E+2}, never {@code 100.0}, and {@code 1e400} never becomes Infinity.
 */
public final class JsonlReader implements Closeable, Iterable<JsonlRecord> {
    /** Longest line read by default (64 MiB). */
    public static final long DEFAULT_MAX_LINE_BYTES = 64L << 20;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private final Path file;
    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int bufferPos, bufferEnd;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final long maxLineBytes;
    private long lineNumber;
    private long lineBytes;          // length of the current line, counted even past the limit
    private long largestBuffered;    // most bytes of one line ever held (tests check that long lines are not)
    private JsonlRecord pending;
    private boolean iteratorTaken;

    private JsonlReader(Path file, InputStream in, long maxLineBytes) {
        if (maxLineBytes < 1) throw new IllegalArgumentException("--max-line-bytes must be >= 1, got " + maxLineBytes);
        this.file = file;
        this.in = in;
        this.maxLineBytes = Math.min(maxLineBytes, Integer.MAX_VALUE - 8);   // one line must fit a Java array
    }

    public static JsonlReader open(Path file) throws IOException {
        return open(file, DEFAULT_MAX_LINE_BYTES);
    }

    /** Reads {@code file}, skipping (and reporting) every line longer than {@code maxLineBytes}. */
    public static JsonlReader open(Path file, long maxLineBytes) throws IOException {
        return new JsonlReader(file, StandardInput.open(file), maxLineBytes);   // "-": standard input
    }

    /** Reads an already open stream; {@code file} only names it in messages. Closing the reader closes it. */
    public static JsonlReader of(Path file, InputStream in, long maxLineBytes) {
        return new JsonlReader(file, in, maxLineBytes);
    }

    /** The most bytes of a single line held in memory so far (never much more than the line limit). */
    long largestBufferedLine() { return largestBuffered; }

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

    /**
     * Reads up to and excluding the next '\n' into {@link #line}; false at end of file with nothing read. Bytes past
     * the line limit are counted in {@link #lineBytes} but not kept.
     */
    private boolean readLine() throws IOException {
        line.reset();
        lineBytes = 0;
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
            int n = bufferPos - start;
            if (lineBytes + n <= maxLineBytes) line.write(buffer, start, n);
            else if (lineBytes <= maxLineBytes) line.reset();   // over the limit: drop what was kept, keep counting
            lineBytes += n;
            largestBuffered = Math.max(largestBuffered, line.size());
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
        if (lineBytes > maxLineBytes) {
            return JsonlRecord.malformed(new JsonlException(file, lineNumber, "the line is " + lineBytes
                    + " bytes, longer than --max-line-bytes " + maxLineBytes + "; skipped without reading it"));
        }
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
        JsonNode value;
        try {
            value = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            return JsonlRecord.malformed(new JsonlException(file, lineNumber, "malformed JSON" + where + ": " + e.getOriginalMessage()));
        }
        String surrogate = LoneSurrogates.find(value);
        if (surrogate != null) {
            JsonNode id = value.isObject() ? value.get("id") : null;
            return JsonlRecord.malformed(new JsonlException(file, lineNumber, RecordIds.usable(id) ? id : null,
                    "invalid Unicode: " + surrogate));
        }
        return JsonlRecord.parsed(lineNumber, value);
    }

    @Override
    public void close() throws IOException { in.close(); }
}
