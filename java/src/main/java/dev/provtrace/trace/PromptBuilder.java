package dev.provtrace.trace;

import dev.provtrace.text.template.ChatMessage;
import dev.provtrace.text.template.ChatTemplate;
import dev.provtrace.text.template.TemplateException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
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

    private final Format format;
    private final ChatTemplate template;   // null for RAW and GRAPE
    private final String templateOrigin;   // named in template errors; null for RAW and GRAPE

    private PromptBuilder(Format format, ChatTemplate template) {
        this(format, template, null);
    }

    private PromptBuilder(Format format, ChatTemplate template, String templateOrigin) {
        this.format = format;
        this.template = template;
        this.templateOrigin = templateOrigin;
    }

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
                        ChatTemplate.specialTokens(modelDir)), origin);
            }
            return new PromptBuilder(format, ChatTemplate.load(modelDir), origin);
        } catch (TemplateException e) {
            throw new PromptTemplateException(origin, e);
        }
    }

    /** Builds the context of one record. */
    public PromptContext build(String question, String response) {
        if (format == Format.RAW) {
            String text = question + "\n" + response;
            return new PromptContext(text, question.codePointCount(0, question.length()) + 1, true);
        }
        if (format == Format.GRAPE) {
            String prompt = GRAPE_QUESTION + question + GRAPE_ANSWER;
            return new PromptContext(prompt + response, prompt.codePointCount(0, prompt.length()), true);
        }
        String prompt;
        try {
            prompt = template.render(List.of(ChatMessage.user(question)), true);
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

    /** Identifies everything that shapes the context (for the score cache). */
    public String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(format.name().getBytes(StandardCharsets.UTF_8));
            if (template != null) {
                md.update(template.source().getBytes(StandardCharsets.UTF_8));
                md.update(new TreeMap<>(template.specialTokens()).toString().getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
