package dev.provtrace.selection;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A temporary file of {@link CandidateScores}, for {@code --beta auto}: β is chosen from the Δ_TS of every
 * sentence, so labelling has to wait until all candidates were scored; their per-sentence probabilities wait
 * here (16 bytes a sentence) instead of in memory. Deleted on close.
 */
final class ScoresSpill implements Closeable {
    /** Receives spilled scores in the order they were written. */
    interface Reader {
        void accept(CandidateScores s) throws IOException;
    }

    private final Path file;
    private DataOutputStream out;

    ScoresSpill(Path folder) throws IOException {
        Files.createDirectories(folder);
        file = Files.createTempFile(folder, ".select-scores-", ".tmp");
        out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    }

    void write(CandidateScores s) throws IOException { s.write(out); }

    /** Ends writing and streams everything back. */
    void readAll(Reader reader) throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            while (true) {
                CandidateScores s;
                try {
                    in.mark(8);
                    if (in.read() < 0) return;
                    in.reset();
                    s = CandidateScores.read(in);
                } catch (EOFException e) {
                    throw new IOException(file + ": cut short", e);
                }
                reader.accept(s);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (out != null) out.close();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
