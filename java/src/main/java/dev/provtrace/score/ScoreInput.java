package dev.provtrace.score;

import com.fasterxml.jackson.databind.JsonNode;
import dev.provtrace.io.InvalidRecord;
import dev.provtrace.io.RecordIds;
import dev.provtrace.tokenizer.Encoding;
import dev.provtrace.tokenizer.HfTokenizer;

/**
 * One record of a {@code logprobs} input file, validated and tokenized: {@code {"id", "text"}} or
 * {@code {"id", "input_ids"}}. Offsets are present for text input only.
 */
record ScoreInput(JsonNode id, int[] ids, Encoding encoding) {

    /** Validation failure of one record; the caller reports it with the file and line and goes on. */
    static final class BadRecord extends Exception {
        BadRecord(String message) { super(message); }
    }

    static ScoreInput parse(JsonNode node, HfTokenizer tokenizer, boolean addSpecialTokens, int vocabSize)
            throws BadRecord {
        if (!node.isObject()) throw new BadRecord("expected a JSON object, got " + node.getNodeType().name().toLowerCase());
        JsonNode id;
        try {
            id = RecordIds.require(node, "id");
        } catch (InvalidRecord e) {
            throw new BadRecord(e.getMessage());
        }
        boolean hasText = node.has("text"), hasIds = node.has("input_ids");
        if (hasText == hasIds) throw new BadRecord("needs exactly one of \"text\" or \"input_ids\"");
        if (hasText) {
            JsonNode t = node.get("text");
            if (!t.isTextual()) throw new BadRecord("\"text\" must be a string, got " + t.getNodeType().name().toLowerCase());
            if (t.asText().isEmpty()) throw new BadRecord("\"text\" is empty: there is nothing to score");
            if (tokenizer == null) throw new BadRecord("text input needs a tokenizer.json in the model folder (or give input_ids)");
            Encoding enc;
            try {
                enc = tokenizer.encode(t.asText(), addSpecialTokens);
            } catch (IllegalArgumentException e) {
                throw new BadRecord(e.getMessage());
            }
            if (enc.size() == 0) throw new BadRecord("\"text\" produced no tokens");
            checkVocabulary(enc.ids(), vocabSize, "the tokenizer produced id");
            return new ScoreInput(id, enc.ids(), enc);
        }
        JsonNode arr = node.get("input_ids");
        if (!arr.isArray()) throw new BadRecord("\"input_ids\" must be an array of integers");
        if (arr.size() == 0) throw new BadRecord("\"input_ids\" is empty: there is nothing to score");
        int[] ids = new int[arr.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode v = arr.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new BadRecord("input_ids[" + i + "] is not an integer: " + v);
            ids[i] = v.asInt();
        }
        checkVocabulary(ids, vocabSize, "input_ids has");
        return new ScoreInput(id, ids, null);
    }

    private static void checkVocabulary(int[] ids, int vocabSize, String what) throws BadRecord {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new BadRecord(what + " " + ids[i] + " at token " + i + ", outside the model's vocabulary [0, " + vocabSize + ")");
            }
        }
    }
}
