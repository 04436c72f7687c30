package dev.provtrace.text.template;

/**
 * jinja2's default {@code Undefined}: renders as "", is falsy, iterates as empty, has length 0 and equals only
 * another Undefined. Attribute access, subscripts, calls, arithmetic and ordering raise {@code UndefinedError}
 * with jinja2's message. The sandbox's "unsafe" undefined (a refused mutating method) raises {@code SecurityError}.
 */
final class Undefined {
    private static final Object MISSING = new Object();

    private final String hint;
    private final Object obj;
    private final Object name;
    private final String errorType;

    private Undefined(String hint, Object obj, Object name, String errorType) {
        this.hint = hint;
        this.obj = obj;
        this.name = name;
        this.errorType = errorType;
    }

    /** A variable that is not defined. */
    static Undefined name(String name) { return new Undefined(null, MISSING, name, "UndefinedError"); }

    /** A missing attribute or item of obj. */
    static Undefined member(Object obj, Object name) { return new Undefined(null, obj, name, "UndefinedError"); }

    static Undefined hint(String hint) { return new Undefined(hint, MISSING, null, "UndefinedError"); }

    /** The sandbox's answer to a method that would mutate its object. */
    static Undefined unsafe(Object obj, String attr) {
        return new Undefined("access to attribute '" + attr + "' of '" + PyObjects.typeName(obj)
                + "' object is unsafe.", obj, attr, "SecurityError");
    }

    String message() {
        if (hint != null) return hint;
        if (obj == MISSING) return PyObjects.repr(name) + " is undefined";
        if (!(name instanceof String)) return PyObjects.objectTypeRepr(obj) + " has no element " + PyObjects.repr(name);
        return PyStr.repr(PyObjects.objectTypeRepr(obj)) + " has no attribute " + PyStr.repr((String) name);
    }

    /** Raises the error any real use of this undefined value raises. */
    TemplateException fail() {
        return TemplateException.python(errorType, message());
    }

    @Override
    public String toString() { return ""; }
}
