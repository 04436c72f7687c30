package dev.provtrace.text.template;

/** A model folder without a usable chat template (no chat_template.jinja and no chat_template in its config). */
public class NoChatTemplateException extends RuntimeException {
    public NoChatTemplateException(String message) { super(message); }
}
