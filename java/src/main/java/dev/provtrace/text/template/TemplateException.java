package dev.provtrace.text.template;

/**
 * A chat template failed to compile or to render.
 *
 * <p>{@link #pythonType()} names the exception jinja2 (inside transformers) would raise: {@code TemplateError} for
 * the template's own {@code raise_exception(message)}, {@code TemplateSyntaxError}, {@code UndefinedError},
 * {@code SecurityError} (a mutating method refused by the sandbox), {@code TypeError}, {@code ValueError}...
 * For {@code raise_exception}, {@link #getMessage()} is exactly the template's message; otherwise it reads
 * {@code "<type>: <message>"} followed by the template line when known.
 */
public class TemplateException extends RuntimeException {
    private final String pythonType;
    private final String detail;
    private int line;

    public TemplateException(String pythonType, String detail, int line) {
        super(detail);
        this.pythonType = pythonType;
        this.detail = detail;
        this.line = line;
    }

    static TemplateException syntax(String message, int line) {
        return new TemplateException("TemplateSyntaxError", message, line);
    }

    static TemplateException python(String type, String message) {
        return new TemplateException(type, message, 0);
    }

    static TemplateException raised(String message) {
        return new TemplateException("TemplateError", message, 0);
    }

    /** The Python exception class transformers would surface (TemplateError for raise_exception). */
    public String pythonType() { return pythonType; }

    /** The bare message, without type or line. */
    public String detail() { return detail; }

    /** 1-based template line, or 0 when unknown. */
    public int line() { return line; }

    /** True when the template itself raised through {@code raise_exception(message)}. */
    public boolean raisedByTemplate() { return "TemplateError".equals(pythonType); }

    /**
     * The error as the chat-template fixtures record it: the message for {@code raise_exception}, otherwise
     * {@code "<ExceptionType>: <message>"}.
     */
    public String pythonMessage() {
        return raisedByTemplate() ? detail : pythonType + ": " + detail;
    }

    TemplateException atLine(int l) {
        if (line <= 0 && l > 0) line = l;
        return this;
    }

    @Override
    public String getMessage() {
        if (raisedByTemplate()) return detail;
        return pythonMessage() + (line > 0 ? " (template line " + line + ")" : "");
    }
}
