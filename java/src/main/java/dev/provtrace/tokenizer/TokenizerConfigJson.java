package dev.provtrace.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one setting of a model folder's optional tokenizer_config.json that transformers 5 still applies on top of a
 * tokenizer.json: {@code clean_up_tokenization_spaces}, which removes spaces before punctuation in decoded text.
 *
 * <p>What transformers 5.18 does with the rest, and so what this project does:
 * <ul>
 *   <li>{@code add_bos_token} / {@code add_eos_token}: dropped by {@code from_pretrained} whenever a tokenizer.json
 *       exists ({@code tokenization_utils_base.py}), so the post-processor of tokenizer.json alone decides which
 *       special tokens are added. (transformers 4's LlamaTokenizerFast rebuilt the post-processor from them; 5
 *       no longer does.) The fixture sentencepiece-bpe-with-config checks this.</li>
 *   <li>{@code clean_up_tokenization_spaces}: applied in decode, except for BPE models, where transformers 5 skips it
 *       because it corrupts BPE output (see {@link #cleansDecodedText()}).</li>
 *   <li>{@code tokenizer_class}: AutoTokenizer may instantiate a model-specific class (e.g. LlamaTokenizerFast) whose
 *       constructor rebuilds the normalizer / pre-tokenizer from code instead of taking them from tokenizer.json.
 *       This project follows tokenizer.json, i.e. {@code PreTrainedTokenizerFast(tokenizer_file=...)}.</li>
 * </ul>
 */
record TokenizerConfigJson(boolean cleanUpTokenizationSpaces, String modelType) {
    static final String FILE_NAME = "tokenizer_config.json";

    /** Reads modelDir/tokenizer_config.json if present; a missing file means transformers' defaults. */
    static TokenizerConfigJson read(Path modelDir, String modelType) throws IOException {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return new TokenizerConfigJson(false, modelType);
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("Cannot parse " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException("Cannot parse " + file + ": not a JSON object");
        }
        boolean cleanUp = root.path("clean_up_tokenization_spaces").asBoolean(false);
        return new TokenizerConfigJson(cleanUp, modelType);
    }

    /** Whether decode must clean up spaces: asked for, and not a BPE model (transformers 5 rule). */
    boolean cleansDecodedText() {
        return cleanUpTokenizationSpaces && !"BPE".equals(modelType);
    }

    /** transformers' {@code clean_up_tokenization}, character for character. */
    static String cleanUpTokenization(String text) {
        return text.replace(" .", ".")
                .replace(" ?", "?")
                .replace(" !", "!")
                .replace(" ,", ",")
                .replace(" ' ", "'")
                .replace(" n't", "n't")
                .replace(" 'm", "'m")
                .replace(" 's", "'s")
                .replace(" 've", "'ve")
                .replace(" 're", "'re");
    }
}
