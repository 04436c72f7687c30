package dev.provtrace.score;

import com.fasterxml.jackson.databind.JsonNode;
import dev.provtrace.io.InvalidRecord;
import dev.provtrace.io.RecordIds;
import dev.provtrace.tokenizer.Encoding;
import dev.provtrace.tokenizer.HfTokenizer;

/**
 * One record of a {@code logprobs} input file, validated and tokenized: {@code {"id", "text"}},
 * {@code {"id", "input_ids"}}, or {@code {"id", "context", "continuation"}} (lm-eval's loglikelihood requests).
 * Offsets are present for text input only.
 *
 * @param continuationStart for a context/continuation record, the index of the continuation's first token; else -1
 */
record ScoreInput(JsonNode id, int[] ids, Encoding encoding, int continuationStart) {
    ScoreInput(JsonNode id, int[] ids, Encoding encoding) {
        this(id, ids, encoding, -1);
    }

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
        boolean hasText = node.has("text"), hasIds = node.has("input_ids"), hasPair = node.has("context") || node.has("continuation");
        if ((hasText ? 1 : 0) + (hasIds ? 1 : 0) + (hasPair ? 1 : 0) != 1) {
            throw new BadRecord("needs exactly one of \"text\", \"input_ids\", or \"context\" with \"continuation\"");
        }
        if (hasPair) return pair(id, node, tokenizer, addSpecialTokens, vocabSize);
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

    /**
     * A context/continuation pair tokenized as lm-eval's HF models do: whitespace ending the context moves to the
     * continuation, the whole text and the context are tokenized, and the continuation is the whole's tokens after
     * the context's (so a token that spans the boundary belongs to the continuation's side as the whole splits it).
     */
    private static ScoreInput pair(JsonNode id, JsonNode node, HfTokenizer tokenizer, boolean addSpecialTokens, int vocabSize)
            throws BadRecord {
        JsonNode c = node.get("context"), k = node.get("continuation");
        if (c == null || !c.isTextual()) throw new BadRecord("\"context\" must be a string (it may be empty)");
        if (k == null || !k.isTextual()) throw new BadRecord("\"continuation\" must be a string");
        if (k.asText().isEmpty()) throw new BadRecord("\"continuation\" is empty: there is nothing to score");
        if (tokenizer == null) throw new BadRecord("context/continuation input needs a tokenizer.json in the model folder");
        String context = c.asText(), continuation = k.asText();
        int keep = context.length();
        while (keep > 0 && Character.isWhitespace(context.charAt(keep - 1))) keep--;
        continuation = context.substring(keep) + continuation;
        context = context.substring(0, keep);
        Encoding whole, head;
        try {
            whole = tokenizer.encode(context + continuation, addSpecialTokens);
            head = tokenizer.encode(context, addSpecialTokens);
        } catch (IllegalArgumentException e) {
            throw new BadRecord(e.getMessage());
        }
        int start = head.size();
        if (start == 0) {
            throw new BadRecord("the context has no tokens (empty, and the tokenizer adds no BOS): the continuation's first "
                    + "token has no prefix to be scored after");
        }
        if (start >= whole.size()) throw new BadRecord("the continuation produced no tokens of its own");
        checkVocabulary(whole.ids(), vocabSize, "the tokenizer produced id");
        return new ScoreInput(id, whole.ids(), whole, start);
    }

    private static void checkVocabulary(int[] ids, int vocabSize, String what) throws BadRecord {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new BadRecord(what + " " + ids[i] + " at token " + i + ", outside the model's vocabulary [0, " + vocabSize + ")");
            }
        }
    }
}
