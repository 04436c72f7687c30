package dev.provtrace.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A word-level Hugging Face tokenizer of the demo trio: what its tokenizer.json and tokenizer_config.json say, and
 * the same pipeline in Java (added tokens first, then the pre-tokenizer, each piece looked up in the vocabulary),
 * which the generator uses to build the vocabulary and count bigrams. Texts are ASCII, so Java's and the Rust
 * library's regex classes agree.
 *
 * <ul>
 *   <li>Teacher: pre-tokenizer {@code Whitespace} (\w+|[^\w\s]+): words and punctuation apart
 *       ("sign." → "sign", "."); special tokens first in the vocabulary, then the words in alphabetical order;
 *       chat markers {@code <|system|> <|user|> <|assistant|>}; BOS {@code <s>}.</li>
 *   <li>Student: {@code WhitespaceSplit}, then chunks of at most six letters/digits that keep the punctuation after
 *       them ("sign." → "sign.", "addition," → "additi", "on,"); words in order of first use, special tokens at
 *       the end of the vocabulary; ChatML markers {@code <|im_start|> <|im_end|>}; BOS {@code <|startoftext|>}.</li>
 * </ul>
 * Both add their BOS through a TemplateProcessing post-processor and know {@code <think>} / {@code </think>} as
 * added (not special) tokens.
 */
final class WordTokenizer {
    private static final Pattern TEACHER_PIECES = Pattern.compile("\\w+|[^\\w\\s]+");
    private static final String STUDENT_CHUNK_REGEX = "[A-Za-z0-9]{1,6}[^A-Za-z0-9\\s]*|[^A-Za-z0-9\\s]+";
    private static final Pattern STUDENT_CHUNKS = Pattern.compile(STUDENT_CHUNK_REGEX);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    static final String THINK = "<think>";
    static final String END_THINK = "</think>";

    final boolean teacher;
    final String unk, bos, eos;
    /** Last token of the chat template's generation prompt. */
    final String promptEnd;
    final String chatTemplate;
    private final List<String> added;              // added tokens, longest first for matching
    private final Map<String, Integer> vocab;      // in id order
    private final String[] byId;

    private WordTokenizer(boolean teacher, Collection<String> texts) {
        this.teacher = teacher;
        List<String> specials;
        if (teacher) {
            unk = "<unk>";
            bos = "<s>";
            eos = "</s>";
            specials = List.of(unk, bos, eos, "<|system|>", "<|user|>", "<|assistant|>", THINK, END_THINK);
            chatTemplate = "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}\n"
                    + "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";
        } else {
            unk = "[UNK]";
            bos = "<|startoftext|>";
            eos = "<|endoftext|>";
            specials = List.of(unk, bos, eos, "<|im_start|>", "<|im_end|>", THINK, END_THINK);
            chatTemplate = "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
                    + "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
        }
        added = new ArrayList<>(specials);
        added.sort((a, b) -> b.length() - a.length());
        List<String> promptPieces = pieces(renderPrompt("?"));
        promptEnd = promptPieces.get(promptPieces.size() - 1);      // "<|assistant|>"; the student's "assist" "ant"

        Set<String> words = teacher ? new TreeSet<>() : new LinkedHashSet<>();
        List<String> all = new ArrayList<>(texts);
        if (!teacher) all.add(0, "system user assistant");      // the ChatML roles are plain words here
        for (String text : all) {
            for (String piece : pieces(text)) if (!specials.contains(piece)) words.add(piece);
        }
        vocab = new LinkedHashMap<>();
        if (teacher) specials.forEach(s -> vocab.put(s, vocab.size()));
        words.forEach(w -> vocab.put(w, vocab.size()));
        if (!teacher) specials.forEach(s -> vocab.put(s, vocab.size()));
        byId = vocab.keySet().toArray(new String[0]);
    }

    static WordTokenizer teacher(Collection<String> texts) { return new WordTokenizer(true, texts); }

    static WordTokenizer student(Collection<String> texts) { return new WordTokenizer(false, texts); }

    int size() { return byId.length; }

    String token(int id) { return byId[id]; }

    int id(String piece) {
        Integer id = vocab.get(piece);
        return id != null ? id : vocab.get(unk);
    }

    boolean isAdded(String token) { return added.contains(token); }

    /** The pieces of {@code text} (no BOS): added tokens matched first, the rest pre-tokenized. */
    List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int best = -1;
            String match = null;
            for (String a : added) {
                int at = text.indexOf(a, from);
                if (at >= 0 && (best < 0 || at < best)) {
                    best = at;
                    match = a;
                }
            }
            int end = best < 0 ? text.length() : best;
            preTokenize(text.substring(from, end), out);
            if (match == null) break;
            out.add(match);
            from = best + match.length();
        }
        return out;
    }

    private void preTokenize(String text, List<String> out) {
        if (teacher) {
            Matcher m = TEACHER_PIECES.matcher(text);
            while (m.find()) out.add(m.group());
        } else {
            for (String word : WHITESPACE.split(text)) {
                Matcher m = STUDENT_CHUNKS.matcher(word);
                while (m.find()) out.add(m.group());
            }
        }
    }

    int[] ids(String text) {
        return pieces(text).stream().mapToInt(this::id).toArray();
    }

    /**
     * Whether the token ends a sentence or a prompt, i.e. whatever comes before a sentence's first token: a piece
     * ending in "." (sentences end with a period and have none inside), the BOS, the think tags, the last token of
     * the generation prompt.
     */
    boolean isBoundary(int id) {
        String t = byId[id];
        return t.endsWith(".") || t.equals(bos) || t.equals(THINK) || t.equals(END_THINK) || t.equals(promptEnd);
    }

    /** What the chat template renders for one user message with add_generation_prompt=True. */
    String renderPrompt(String question) {
        return teacher ? "<|user|>\n" + question + "\n<|assistant|>\n"
                : "<|im_start|>user\n" + question + "<|im_end|>\n<|im_start|>assistant\n";
    }

    ObjectNode tokenizerJson(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode addedTokens = root.putArray("added_tokens");
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            if (!added.contains(e.getKey())) continue;
            boolean special = !e.getKey().equals(THINK) && !e.getKey().equals(END_THINK);
            addedTokens.addObject()
                    .put("id", e.getValue())
                    .put("content", e.getKey())
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", special);
        }
        root.putNull("normalizer");
        if (teacher) {
            root.putObject("pre_tokenizer").put("type", "Whitespace");
        } else {
            ObjectNode seq = root.putObject("pre_tokenizer");
            seq.put("type", "Sequence");
            ArrayNode list = seq.putArray("pretokenizers");
            list.addObject().put("type", "WhitespaceSplit");
            ObjectNode split = list.addObject();
            split.put("type", "Split");
            split.putObject("pattern").put("Regex", STUDENT_CHUNK_REGEX);
            split.put("behavior", "Isolated");
            split.put("invert", false);
        }
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bosEntry = post.putObject("special_tokens").putObject(bos);
        bosEntry.put("id", bos);
        bosEntry.putArray("ids").add(vocab.get(bos));
        bosEntry.putArray("tokens").add(bos);
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        model.put("unk_token", unk);
        return root;
    }

    ObjectNode tokenizerConfigJson(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        root.put("tokenizer_class", "PreTrainedTokenizerFast");
        root.put("bos_token", bos);
        root.put("eos_token", eos);
        root.put("unk_token", unk);
        root.put("clean_up_tokenization_spaces", false);
        root.put("model_max_length", DemoTrio.MAX_POSITIONS);
        root.put("chat_template", chatTemplate);
        return root;
    }
}
