package dev.provtrace.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A Hugging Face fast tokenizer loaded from a model folder's tokenizer.json (through DJL's binding of the
 * Rust tokenizers library): the same ids as transformers, never truncated or padded.
 * CONTRACT: offsets in {@link Encoding} are Unicode code points (as Python slices strings).
 */
public final class HfTokenizer implements AutoCloseable {
    public static HfTokenizer load(Path modelDir) throws IOException {
        throw new UnsupportedOperationException("tokenizer not implemented yet");
    }

    /** Encode like {@code tokenizer(text, add_special_tokens=addSpecialTokens)} in transformers. */
    public Encoding encode(String text, boolean addSpecialTokens) {
        throw new UnsupportedOperationException();
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        throw new UnsupportedOperationException();
    }

    /** The vocabulary string of one id (for display), or null if the id is out of range. */
    public String tokenString(int id) {
        throw new UnsupportedOperationException();
    }

    public int vocabSize() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
}
