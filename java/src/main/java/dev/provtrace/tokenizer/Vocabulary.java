package dev.provtrace.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The id to token-string table of a tokenizer.json (model vocabulary plus added tokens), read by this project
 * because DJL's binding exposes neither {@code id_to_token} nor the vocabulary size.
 *
 * <p>Read with a streaming parser that skips everything else (the merges of a 150k-token BPE would otherwise make a
 * large tree). Lookups follow the Rust library: an added token's content wins over the model's entry for its id;
 * the size counts distinct token strings of vocabulary and added tokens, as
 * {@code get_vocab_size(with_added_tokens=True)} (= {@code len(tokenizer)} in transformers) does.
 *
 * @param modelType the {@code model.type} of tokenizer.json ("BPE", "Unigram", "WordPiece", "WordLevel"), or "" if
 *     absent (old files)
 */
record Vocabulary(String modelType, String[] tokenById, int size) {

    /** The token string of an id, or null when no token has that id. */
    String token(int id) {
        return id >= 0 && id < tokenById.length ? tokenById[id] : null;
    }

    static Vocabulary read(Path tokenizerJson) throws IOException {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
                .build();
        try (InputStream in = Files.newInputStream(tokenizerJson); JsonParser parser = factory.createParser(in)) {
            return new Reader(parser).read();
        }
    }

    /** One pass over the top-level object: "model" gives type and vocab, "added_tokens" the extra tokens. */
    private static final class Reader {
        private final JsonParser parser;
        private final Map<Integer, String> modelTokens = new HashMap<>();
        private final Map<Integer, String> addedTokens = new HashMap<>();
        private String modelType = "";
        private boolean sawModel;

        Reader(JsonParser parser) {
            this.parser = parser;
        }

        Vocabulary read() throws IOException {
            expect(parser.nextToken(), JsonToken.START_OBJECT, "a JSON object");
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("model") && value == JsonToken.START_OBJECT) {
                    readModel();
                } else if (field.equals("added_tokens") && value == JsonToken.START_ARRAY) {
                    readAddedTokens();
                } else {
                    parser.skipChildren();
                }
            }
            if (parser.nextToken() != null) {
                throw new IOException("unexpected content after the top-level object");
            }
            if (!sawModel) {
                throw new IOException("no \"model\" object");
            }
            return build();
        }

        private void readModel() throws IOException {
            sawModel = true;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("type") && value == JsonToken.VALUE_STRING) {
                    modelType = parser.getText();
                } else if (field.equals("vocab") && value == JsonToken.START_OBJECT) {
                    readVocabMap();
                } else if (field.equals("vocab") && value == JsonToken.START_ARRAY) {
                    readUnigramVocab();
                } else {
                    parser.skipChildren();
                }
            }
        }

        /** BPE, WordPiece, WordLevel: {"token": id, ...}. */
        private void readVocabMap() throws IOException {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String token = parser.currentName();
                expect(parser.nextToken(), JsonToken.VALUE_NUMBER_INT, "an integer id for vocab entry " + token);
                modelTokens.put(parser.getIntValue(), token);
            }
        }

        /** Unigram: [["piece", score], ...]; the id is the position. */
        private void readUnigramVocab() throws IOException {
            int id = 0;
            while (parser.nextToken() == JsonToken.START_ARRAY) {
                expect(parser.nextToken(), JsonToken.VALUE_STRING, "a piece string in a Unigram vocab entry");
                modelTokens.put(id++, parser.getText());
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    parser.skipChildren();
                }
            }
        }

        private void readAddedTokens() throws IOException {
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                Integer id = null;
                String content = null;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (field.equals("id") && value == JsonToken.VALUE_NUMBER_INT) {
                        id = parser.getIntValue();
                    } else if (field.equals("content") && value == JsonToken.VALUE_STRING) {
                        content = parser.getText();
                    } else {
                        parser.skipChildren();
                    }
                }
                if (id == null || content == null) {
                    throw new IOException("an added_tokens entry lacks \"id\" or \"content\"");
                }
                addedTokens.put(id, content);
            }
        }

        private Vocabulary build() {
            int maxId = -1;
            for (int id : modelTokens.keySet()) maxId = Math.max(maxId, id);
            for (int id : addedTokens.keySet()) maxId = Math.max(maxId, id);
            String[] tokenById = new String[maxId + 1];
            modelTokens.forEach((id, token) -> tokenById[id] = token);
            addedTokens.forEach((id, token) -> tokenById[id] = token);
            Set<String> distinct = new HashSet<>(modelTokens.values());
            distinct.addAll(addedTokens.values());
            return new Vocabulary(modelType, tokenById, distinct.size());
        }

        private void expect(JsonToken actual, JsonToken wanted, String what) throws IOException {
            if (actual != wanted) {
                throw new IOException("expected " + what + " at " + parser.currentLocation().offsetDescription()
                        + ", found " + actual);
            }
        }
    }
}
