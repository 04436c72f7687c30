package dev.provtrace.trace;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.text.template.ChatTemplate;
import dev.provtrace.text.template.TemplateException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The context a model is teacher-forced on: its chat template rendered for one user turn (the question) with the
 * generation prompt, then the response exactly; or, with {@code raw}, question + newline + response; or, with
 * {@code grape}, the GRAPE baseline's plain prompt {@code "Question: {question}\n Answer: {response}"}. Raw and
 * grape contexts are tokenized with the tokenizer's special tokens (BOS), as {@code tokenizer(text)} does.
 * When the generation prompt already ends in {@code <think>} and the response starts with it, the response's copy
 * is not repeated; offsets still refer to the original response (see {@link PromptContext#responseOffset()}).
 */
public final class PromptBuilder {
    public enum Format { CHAT, RAW, GRAPE }

    /** The GRAPE prompt around the question; the response follows {@link #GRAPE_ANSWER} directly. */
    public static final String GRAPE_QUESTION = "Question: ", GRAPE_ANSWER = "\n Answer: ";

    private static final String THINK = "<think>";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Format format;
    private final ChatTemplate template;   // null for RAW and GRAPE
    private final String templateOrigin;   // named in template errors; null for RAW and GRAPE
    private final PromptSetup setup;       // system prompt and template kwargs (chat only)

    private PromptBuilder(Format format, ChatTemplate template) {
        this(format, template, null, PromptSetup.NONE);
    }

    private PromptBuilder(Format format, ChatTemplate template, String templateOrigin, PromptSetup setup) {
        this.format = format;
        this.template = template;
        this.templateOrigin = templateOrigin;
        this.setup = setup;
    }

    /** This builder with a system prompt and template keyword arguments (chat only; the empty setup changes nothing). */
    public PromptBuilder withSetup(PromptSetup s) {
        if (s == null || s.isEmpty()) return new PromptBuilder(format, template, templateOrigin, PromptSetup.NONE);
        if (format != Format.CHAT) {
            throw new IllegalArgumentException("--system and --chat-kwargs need --prompt-format chat: a " + format.name().toLowerCase()
                    + " context has no chat template to give them to");
        }
        return new PromptBuilder(format, template, templateOrigin, s);
    }

    public PromptSetup setup() { return setup; }

    /**
     * @param templateFile a Jinja chat template to use instead of the model's own (null: the model's)
     */
    public static PromptBuilder create(Path modelDir, Format format, Path templateFile) throws IOException {
        if (format != Format.CHAT) return new PromptBuilder(format, null);
        String origin = templateFile != null ? "template " + templateFile + " (used for " + modelDir + ")"
                : "chat template of " + modelDir;
        try {
            if (templateFile != null) {
                if (!Files.isRegularFile(templateFile)) throw new IOException(templateFile + ": template file not found");
                return new PromptBuilder(format, ChatTemplate.fromString(Files.readString(templateFile),
                        ChatTemplate.specialTokens(modelDir)), origin, PromptSetup.NONE);
            }
            return new PromptBuilder(format, ChatTemplate.load(modelDir), origin, PromptSetup.NONE);
        } catch (TemplateException e) {
            throw new PromptTemplateException(origin, e);
        }
    }

    /** Builds the context of one record. */
    public PromptContext build(String question, String response) {
        return build(question, null, response);
    }

    /**
     * Builds the context of one record whose prompt is a question, or (chat only) a conversation of its own: the
     * messages as given (multi-turn context; the system prompt of the setup goes first unless they start with a
     * system turn), then the generation prompt and the response.
     *
     * @throws IllegalArgumentException for messages in a raw or grape context
     */
    public PromptContext build(String question, JsonNode messages, String response) {
        if (messages != null && format != Format.CHAT) {
            throw new IllegalArgumentException("the record gives \"messages\"; a " + format.name().toLowerCase()
                    + " context needs a \"question\" (use --prompt-format chat)");
        }
        if (format == Format.RAW) {
            String text = question + "\n" + response;
            return new PromptContext(text, question.codePointCount(0, question.length()) + 1, true);
        }
        if (format == Format.GRAPE) {
            String prompt = GRAPE_QUESTION + question + GRAPE_ANSWER;
            return new PromptContext(prompt + response, prompt.codePointCount(0, prompt.length()), true);
        }
        List<Map<String, Object>> conversation = new ArrayList<>();
        if (messages != null) {
            for (JsonNode m : messages) conversation.add(JSON.convertValue(m, new TypeReference<LinkedHashMap<String, Object>>() {}));
        } else {
            conversation.add(message("user", question));
        }
        if (setup.system() != null && !(conversation.get(0).get("role") instanceof String r && r.equals("system"))) {
            conversation.add(0, message("system", setup.system()));
        }
        String prompt;
        try {
            prompt = template.renderConversation(conversation, true, LocalDateTime.now(), setup.kwargs());
        } catch (TemplateException e) {
            throw new PromptTemplateException(templateOrigin, e);
        }
        int drop = 0;
        if (prompt.stripTrailing().endsWith(THINK) && response.startsWith(THINK)) {
            drop = THINK.length();
            if (prompt.endsWith("\n") && response.startsWith("\n", drop)) drop++;
        }
        String text = prompt + response.substring(drop);
        // HF's apply_chat_template(tokenize=True) does not add special tokens: the template writes them itself
        return new PromptContext(text, prompt.codePointCount(0, prompt.length()) - drop, false);
    }

    private static Map<String, Object> message(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    /** Identifies everything that shapes the context (for the score cache). */
    public String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(format.name().getBytes(StandardCharsets.UTF_8));
            if (template != null) {
                md.update(template.source().getBytes(StandardCharsets.UTF_8));
                md.update(new TreeMap<>(template.specialTokens()).toString().getBytes(StandardCharsets.UTF_8));
            }
            if (!setup.isEmpty()) md.update(setup.canonical().getBytes(StandardCharsets.UTF_8));   // none: as before
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
