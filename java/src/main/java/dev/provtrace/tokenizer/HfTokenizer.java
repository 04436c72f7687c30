package dev.provtrace.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * A Hugging Face fast tokenizer loaded from a model folder's tokenizer.json (through DJL's binding of the
 * Rust tokenizers library): the same ids as transformers, never truncated or padded.
 * CONTRACT: offsets in {@link Encoding} are Unicode code points (as Python slices strings).
 *
 * <p>The reference is {@code transformers.PreTrainedTokenizerFast(tokenizer_file=...)} (transformers 5): the whole
 * pipeline comes from tokenizer.json, special tokens written in the text (e.g. {@code <|im_start|>}) are matched as
 * single tokens, and with {@code addSpecialTokens} the post-processor adds BOS etc. For what tokenizer_config.json
 * changes (almost nothing in transformers 5) see {@link TokenizerConfigJson}.
 *
 * <p>Thread-safe: the native tokenizer is only read after loading. Close it to free the native memory.
 */
public final class HfTokenizer implements AutoCloseable {
    static final String TOKENIZER_FILE = "tokenizer.json";

    static {
        DjlOfflineMode.enable();
    }

    private final HuggingFaceTokenizer djl;
    private final Vocabulary vocabulary;
    private final TokenizerConfigJson config;

    private HfTokenizer(HuggingFaceTokenizer djl, Vocabulary vocabulary, TokenizerConfigJson config) {
        this.djl = djl;
        this.vocabulary = vocabulary;
        this.config = config;
    }

    /**
     * Loads modelDir/tokenizer.json (and modelDir/tokenizer_config.json if present).
     *
     * @throws NoSuchFileException naming the missing tokenizer.json
     * @throws IOException naming the file when it is not a valid tokenizer
     */
    public static HfTokenizer load(Path modelDir) throws IOException {
        Path file = modelDir.resolve(TOKENIZER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no tokenizer.json in the model folder");
        }
        Vocabulary vocabulary;
        try {
            vocabulary = Vocabulary.read(file);
        } catch (IOException e) {
            throw new IOException("Cannot parse tokenizer " + file + ": " + e.getMessage(), e);
        }
        TokenizerConfigJson config = TokenizerConfigJson.read(modelDir, vocabulary.modelType());
        return new HfTokenizer(loadDjl(file), vocabulary, config);
    }

    /**
     * DJL defaults to truncating at 512 tokens and padding; both are switched off and checked, because a silently
     * truncated trace would be scored wrong. No tokenizer_config path is given to DJL on purpose: DJL would then
     * rewrite the text in Java (prefix space, accent stripping) and its offsets would no longer be the input's.
     */
    private static HuggingFaceTokenizer loadDjl(Path file) throws IOException {
        HuggingFaceTokenizer djl;
        try {
            djl = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(true)
                    .build();
        } catch (RuntimeException e) {
            throw new IOException("Cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
        if (!"DO_NOT_TRUNCATE".equals(djl.getTruncation()) || !"DO_NOT_PAD".equals(djl.getPadding())) {
            String state = djl.getTruncation() + "/" + djl.getPadding();
            djl.close();
            throw new IllegalStateException("DJL did not turn off truncation/padding for " + file + ": " + state);
        }
        return djl;
    }

    /**
     * Encode like {@code tokenizer(text, add_special_tokens=addSpecialTokens)} in transformers.
     *
     * @throws IllegalArgumentException if the text has an unpaired UTF-16 surrogate: it is not Unicode text, Python
     *     cannot pass it to the tokenizer either, and DJL would turn it into three U+FFFD, shifting later offsets
     */
    public Encoding encode(String text, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        requireNoUnpairedSurrogate(text);
        ai.djl.huggingface.tokenizers.Encoding encoded = djl.encode(text, addSpecialTokens, false);
        return toEncoding(encoded.getIds(), encoded.getCharTokenSpans());
    }

    static void requireNoUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("text has an unpaired surrogate U+" + Integer.toHexString(c)
                        .toUpperCase(Locale.ROOT) + " at UTF-16 index " + i);
            }
        }
    }

    /**
     * DJL 0.38 already gives spans in Unicode scalar values (its Rust side encodes with char offsets), i.e. Python's
     * code point indices, not Java UTF-16 indices nor UTF-8 bytes; a token that is part of one character (byte-level
     * pieces of an emoji) gets that character's span, as in Python. The one conversion needed: DJL leaves the span of
     * a token added by the post-processor null, where transformers reports (0, 0).
     */
    static Encoding toEncoding(long[] djlIds, CharSpan[] spans) {
        int n = djlIds.length;
        int[] ids = new int[n];
        int[] starts = new int[n];
        int[] ends = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = Math.toIntExact(djlIds[i]);
            if (spans[i] != null) {
                starts[i] = spans[i].getStart();
                ends[i] = spans[i].getEnd();
            }
        }
        return new Encoding(ids, starts, ends);
    }

    /**
     * Like transformers' {@code tokenizer.decode(ids, skip_special_tokens=...)}: the tokenizer.json decoder, then the
     * tokenizer_config.json space clean-up where transformers 5 applies it (never for BPE models).
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] djlIds = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            djlIds[i] = ids[i];
        }
        String text = djl.decode(djlIds, skipSpecialTokens);
        return config.cleansDecodedText() ? TokenizerConfigJson.cleanUpTokenization(text) : text;
    }

    /** The vocabulary string of one id (for display), or null if the id is out of range. */
    public String tokenString(int id) {
        return vocabulary.token(id);
    }

    /** Number of tokens including added tokens, as {@code len(tokenizer)} in transformers. */
    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public void close() {
        djl.close();
    }
}
