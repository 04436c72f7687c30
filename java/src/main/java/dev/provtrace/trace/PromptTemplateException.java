package dev.provtrace.trace;

import dev.provtrace.text.template.TemplateException;

/**
 * A chat template that failed to compile or render while building a model's contexts, with the template's origin
 * (the model folder, or the --template file and the model it was used for) in front of the message: a run scores
 * several models, and "TemplateSyntaxError: unexpected '}'" alone does not say whose template is broken. The
 * Python type, detail and line of the original are kept.
 */
public final class PromptTemplateException extends TemplateException {
    private final String origin;

    PromptTemplateException(String origin, TemplateException cause) {
        super(cause.pythonType(), cause.detail(), cause.line());
        this.origin = origin;
        initCause(cause);
    }

    /** "chat template of models/teacher" or "template t.jinja (used for models/teacher)". */
    public String origin() { return origin; }

    @Override
    public String getMessage() {
        String m = super.getMessage();
        return origin + ": " + (raisedByTemplate() ? "the template raised: " + m : m);
    }
}
