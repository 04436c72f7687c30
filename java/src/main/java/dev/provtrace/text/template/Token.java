package dev.provtrace.text.template;

/** One lexer token. {@code value} is the text for data/name/operator tokens, the decoded value for literals. */
record Token(Kind kind, Object value, int line) {
    enum Kind { DATA, VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF }

    boolean is(Kind k) { return kind == k; }

    boolean isName(String name) { return kind == Kind.NAME && value.equals(name); }

    boolean isOp(String op) { return kind == Kind.OPERATOR && value.equals(op); }

    /** jinja2's describe_token, used in syntax error messages. */
    String describe() {
        switch (kind) {
            case NAME: case OPERATOR: return (String) value;
            case VARIABLE_BEGIN: return "begin of print statement";
            case VARIABLE_END: return "end of print statement";
            case BLOCK_BEGIN: return "begin of statement block";
            case BLOCK_END: return "end of statement block";
            case EOF: return "end of template";
            case STRING: return "string";
            case INTEGER: return "integer";
            case FLOAT: return "float";
            default: return "template data / text";
        }
    }
}
