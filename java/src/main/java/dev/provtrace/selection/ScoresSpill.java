package dev.provtrace.selection;

import dev.provtrace.io.AtomicOutput;
import dev.provtrace.io.FixedTempFile;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
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

    /** Fixed, so a killed run leaves at most this one behind and the next run replaces it. */
    static final String FILE = ".select-scores" + AtomicOutput.TEMP_SUFFIX;

    private final FixedTempFile temp;
    private final Path file;
    private DataOutputStream out;

    ScoresSpill(Path folder) throws IOException {
        Files.createDirectories(folder);
        temp = FixedTempFile.create(folder.resolve(FILE));
        file = temp.path();
        out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(temp.channel()), 1 << 16));
    }

    void write(CandidateScores s) throws IOException { s.write(out); }

    /** Ends writing and streams everything back. */
    void readAll(Reader reader) throws IOException {
        if (out != null) {
            out.flush();   // not close: that would close the channel, which holds the lock
            out = null;
        }
        // read back through the locked channel itself: closing another descriptor of the file would drop the lock
        temp.channel().position(0);
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(temp.channel()), 1 << 16));
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

    @Override
    public void close() throws IOException {
        try {
            if (out != null) out.flush();
        } finally {
            Files.deleteIfExists(file);
            temp.close();
        }
    }
}
