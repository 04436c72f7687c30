package dev.provtrace.text.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/** Python's {@code str % args} and {@code str.format(...)} (with the format-spec mini-language). */
final class PyFormat {
    private PyFormat() {}

    // ---------------- printf-style ----------------

    static String percent(String fmt, Object args) {
        List<Object> positional;
        Map<?, ?> mapping = null;
        // Python treats any non-tuple, non-str argument with __getitem__ as a mapping: no "not all arguments
        // converted" error for lists, dicts, ranges or Undefined
        boolean mappingLike = args instanceof Map || args instanceof List || args instanceof PyRange
                || args instanceof Undefined;
        if (args instanceof PyTuple) positional = ((PyTuple) args).items();
        else {
            positional = List.of(args == null ? NONE : args);
            if (args instanceof Map) mapping = (Map<?, ?>) args;
        }
        StringBuilder out = new StringBuilder();
        int argi = 0;
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c != '%') { out.append(c); continue; }
            if (++i >= n) throw TemplateException.python("ValueError", "incomplete format");
            Object value = MISSING_ARG;
            if (fmt.charAt(i) == '(') {
                int close = fmt.indexOf(')', i);
                if (close < 0) throw TemplateException.python("ValueError", "incomplete format key");
                if (mapping == null) {
                    if (args instanceof List) {
                        throw TemplateException.python("TypeError", "list indices must be integers or slices, not str");
                    }
                    throw TemplateException.python("TypeError", "format requires a mapping");
                }
                Object v = PyObjects.mapGet(mapping, fmt.substring(i + 1, close));
                if (v == PyObjects.MISSING) {
                    throw TemplateException.python("KeyError", PyStr.repr(fmt.substring(i + 1, close)));
                }
                value = v;
                i = close + 1;
            }
            String flags = "";
            while (i < n && "-+ #0".indexOf(fmt.charAt(i)) >= 0) flags += fmt.charAt(i++);
            int width = -1, precision = -1;
            if (i < n && fmt.charAt(i) == '*') {
                width = (int) PyObjects.toIndex(next(positional, argi++));
                i++;
            } else {
                int s = i;
                while (i < n && Character.isDigit(fmt.charAt(i))) i++;
                if (i > s) width = Integer.parseInt(fmt.substring(s, i));
            }
            if (i < n && fmt.charAt(i) == '.') {
                i++;
                if (i < n && fmt.charAt(i) == '*') {
                    precision = (int) PyObjects.toIndex(next(positional, argi++));
                    i++;
                } else {
                    int s = i;
                    while (i < n && Character.isDigit(fmt.charAt(i))) i++;
                    precision = i > s ? Integer.parseInt(fmt.substring(s, i)) : 0;
                }
            }
            if (i >= n) throw TemplateException.python("ValueError", "incomplete format");
            char type = fmt.charAt(i);
            if (type == '%') { out.append('%'); continue; }
            if (value == MISSING_ARG) value = next(positional, argi++);
            if (value == NONE) value = null;
            String body;
            boolean numeric = false;
            switch (type) {
                case 's': body = PyObjects.str(value); if (precision >= 0) body = truncate(body, precision); break;
                case 'r': case 'a': body = PyObjects.repr(value); if (precision >= 0) body = truncate(body, precision); break;
                case 'c': body = value instanceof String ? (String) value
                        : new String(Character.toChars((int) PyObjects.toIndex(value))); break;
                case 'd': case 'i': case 'u':
                    body = signed(integerOf(value, type).toString(), flags);
                    numeric = true;
                    break;
                case 'o': case 'x': case 'X': {
                    BigInteger v = integerOf(value, type);
                    String digits = v.abs().toString(type == 'o' ? 8 : 16);
                    if (type == 'X') digits = digits.toUpperCase();
                    if (flags.contains("#")) digits = (type == 'o' ? "0o" : type == 'x' ? "0x" : "0X") + digits;
                    body = signed((v.signum() < 0 ? "-" : "") + digits, flags);
                    numeric = true;
                    break;
                }
                case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
                    if (!PyObjects.isNumber(value)) {
                        throw TemplateException.python("TypeError", "must be real number, not " + PyObjects.typeName(value));
                    }
                    body = signed(formatFloat(PyObjects.toDouble(value), type, precision < 0 ? 6 : precision,
                            flags.contains("#")), flags);
                    numeric = true;
                    break;
                }
                default:
                    throw TemplateException.python("ValueError", "unsupported format character '" + type
                            + "' (0x" + Integer.toHexString(type) + ") at index " + i);
            }
            if (width > PyStr.length(body)) {
                int padLen = width - PyStr.length(body);
                if (flags.contains("-")) body = body + " ".repeat(padLen);
                else if (numeric && flags.contains("0")) {
                    int signLen = !body.isEmpty() && "+- ".indexOf(body.charAt(0)) >= 0 ? 1 : 0;
                    if (body.startsWith("0x", signLen) || body.startsWith("0X", signLen) || body.startsWith("0o", signLen)) signLen += 2;
                    body = body.substring(0, signLen) + "0".repeat(padLen) + body.substring(signLen);
                } else body = " ".repeat(padLen) + body;
            }
            out.append(body);
        }
        if (argi < positional.size() && !mappingLike) {
            throw TemplateException.python("TypeError", "not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private static final Object MISSING_ARG = new Object();
    private static final Object NONE = new Object();

    private static Object next(List<Object> positional, int i) {
        if (i >= positional.size()) throw TemplateException.python("TypeError", "not enough arguments for format string");
        return positional.get(i);
    }

    private static String truncate(String s, int precision) {
        int n = PyStr.length(s);
        return precision >= n ? s : s.substring(0, s.offsetByCodePoints(0, precision));
    }

    private static BigInteger integerOf(Object value, char type) {
        if (PyObjects.isInt(value)) return PyObjects.big(value);
        if (value instanceof Double) {
            if (type == 'x' || type == 'X' || type == 'o') {
                throw TemplateException.python("TypeError", "%" + type + " format: an integer is required, not float");
            }
            return new BigDecimal((Double) value).toBigInteger();
        }
        throw TemplateException.python("TypeError", "%" + type + " format: a real number is required, not "
                + PyObjects.typeName(value));
    }

    private static String signed(String body, String flags) {
        if (body.startsWith("-")) return body;
        if (flags.contains("+")) return "+" + body;
        if (flags.contains(" ")) return " " + body;
        return body;
    }

    /** %e %f %g of |x| with sign: Python's correctly rounded float formatting. */
    static String formatFloat(double x, char type, int precision, boolean alt) {
        boolean upper = Character.isUpperCase(type);
        char t = Character.toLowerCase(type);
        String sign = (x < 0 || (x == 0 && 1 / x < 0)) ? "-" : "";
        double ax = Math.abs(x);
        String body;
        if (Double.isNaN(x)) { body = "nan"; sign = ""; }
        else if (Double.isInfinite(x)) body = "inf";
        else if (t == 'f') {
            body = new BigDecimal(ax).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
            if (alt && precision == 0) body += ".";
        } else if (t == 'e') {
            body = expFormat(ax, precision, alt);
        } else { // g
            int p = precision == 0 ? 1 : precision;
            if (ax == 0) {
                body = alt ? "0." + "0".repeat(p - 1) : "0";
            } else {
                BigDecimal r = new BigDecimal(ax).round(new MathContext(p, RoundingMode.HALF_EVEN));
                int exp = r.precision() - r.scale() - 1;
                if (exp >= -4 && exp < p) {
                    body = r.setScale(Math.max(0, p - 1 - exp), RoundingMode.HALF_EVEN).toPlainString();
                    if (!alt) body = stripZeros(body);
                } else {
                    body = expFormat(ax, p - 1, alt);
                    if (!alt) {
                        int e = body.indexOf('e');
                        body = stripZeros(body.substring(0, e)) + body.substring(e);
                    }
                }
            }
        }
        if (upper) body = body.toUpperCase();
        return sign + body;
    }

    private static String stripZeros(String s) {
        if (s.indexOf('.') < 0) return s;
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String expFormat(double ax, int precision, boolean alt) {
        if (ax == 0) {
            return "0" + (precision > 0 ? "." + "0".repeat(precision) : alt ? "." : "") + "e+00";
        }
        BigDecimal r = new BigDecimal(ax).round(new MathContext(precision + 1, RoundingMode.HALF_EVEN));
        int exp = r.precision() - r.scale() - 1;
        String digits = r.unscaledValue().toString();
        digits = (digits + "0".repeat(precision + 1)).substring(0, precision + 1);
        String mant = digits.charAt(0) + (precision > 0 ? "." + digits.substring(1) : alt ? "." : "");
        String e = Integer.toString(Math.abs(exp));
        return mant + "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" : "") + e;
    }

    // ---------------- str.format ----------------

    static String format(String fmt, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder out = new StringBuilder();
        int auto = 0;
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c == '}') {
                if (i + 1 < n && fmt.charAt(i + 1) == '}') { out.append('}'); i++; continue; }
                throw TemplateException.python("ValueError", "Single '}' encountered in format string");
            }
            if (c != '{') { out.append(c); continue; }
            if (i + 1 < n && fmt.charAt(i + 1) == '{') { out.append('{'); i++; continue; }
            if (i + 1 >= n) throw TemplateException.python("ValueError", "Single '{' encountered in format string");
            int depth = 1, j = i + 1;
            while (j < n && depth > 0) {
                if (fmt.charAt(j) == '{') depth++;
                else if (fmt.charAt(j) == '}') depth--;
                if (depth > 0) j++;
            }
            if (j >= n) throw TemplateException.python("ValueError", "expected '}' before end of string");
            String field = fmt.substring(i + 1, j);
            i = j;
            String spec = "";
            char conv = 0;
            int colon = indexOutsideBrackets(field, ':');
            if (colon >= 0) { spec = field.substring(colon + 1); field = field.substring(0, colon); }
            int bang = indexOutsideBrackets(field, '!');
            if (bang >= 0) {
                if (bang + 2 != field.length()) {
                    throw TemplateException.python("ValueError", "expected ':' after conversion specifier");
                }
                conv = field.charAt(bang + 1);
                field = field.substring(0, bang);
            }
            int k = 0;
            while (k < field.length() && field.charAt(k) != '.' && field.charAt(k) != '[') k++;
            String first = field.substring(0, k);
            Object value;
            if (first.isEmpty()) {
                if (auto < 0) throw TemplateException.python("ValueError",
                        "cannot switch from manual field specification to automatic field numbering");
                value = argAt(args, auto++);
            } else if (first.chars().allMatch(Character::isDigit)) {
                if (auto > 0) throw TemplateException.python("ValueError",
                        "cannot switch from automatic field numbering to manual field specification");
                auto = -1;
                value = argAt(args, Integer.parseInt(first));
            } else {
                if (!kwargs.containsKey(first)) throw TemplateException.python("KeyError", PyStr.repr(first));
                value = kwargs.get(first);
            }
            while (k < field.length()) {
                if (field.charAt(k) == '.') {
                    int e = k + 1;
                    while (e < field.length() && field.charAt(e) != '.' && field.charAt(e) != '[') e++;
                    value = PyObjects.getattr(value, field.substring(k + 1, e));
                    k = e;
                } else {
                    int e = field.indexOf(']', k);
                    if (e < 0) throw TemplateException.python("ValueError", "Missing ']' in format string");
                    String key = field.substring(k + 1, e);
                    Object keyObj = key.chars().allMatch(Character::isDigit) && !key.isEmpty() ? (Object) Long.parseLong(key) : key;
                    value = PyObjects.getitem(value, keyObj);
                    k = e + 1;
                }
            }
            if (conv == 'r' || conv == 'a') value = PyObjects.repr(value);
            else if (conv == 's') value = PyObjects.str(value);
            else if (conv != 0) throw TemplateException.python("ValueError", "Unknown conversion specifier " + conv);
            if (spec.indexOf('{') >= 0) spec = format(spec, args, kwargs);
            out.append(formatValue(value, spec));
        }
        return out.toString();
    }

    private static int indexOutsideBrackets(String s, char c) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char x = s.charAt(i);
            if (x == '[') depth++;
            else if (x == ']') depth--;
            else if (x == c && depth == 0) return i;
        }
        return -1;
    }

    private static Object argAt(List<Object> args, int i) {
        // jinja2's SandboxedFormatter (string.Formatter) indexes the args tuple directly
        if (i >= args.size()) throw TemplateException.python("IndexError", "tuple index out of range");
        return args.get(i);
    }

    /** Python's format(value, spec). */
    static String formatValue(Object value, String spec) {
        if (spec.isEmpty()) return PyObjects.str(value);
        int i = 0, n = spec.length();
        String fill = " ";
        char align = 0;
        if (n >= 2 && "<>=^".indexOf(spec.charAt(spec.offsetByCodePoints(0, 1))) >= 0) {
            int cpLen = Character.charCount(spec.codePointAt(0));
            fill = spec.substring(0, cpLen);
            align = spec.charAt(cpLen);
            i = cpLen + 1;
        } else if (n >= 1 && "<>=^".indexOf(spec.charAt(0)) >= 0) {
            align = spec.charAt(0);
            i = 1;
        }
        char sign = '-';
        if (i < n && "+- ".indexOf(spec.charAt(i)) >= 0) sign = spec.charAt(i++);
        boolean alt = false;
        if (i < n && spec.charAt(i) == '#') { alt = true; i++; }
        if (i < n && spec.charAt(i) == '0') {
            if (align == 0) { fill = "0"; align = '='; }
            i++;
        }
        int s = i;
        while (i < n && Character.isDigit(spec.charAt(i))) i++;
        int width = i > s ? Integer.parseInt(spec.substring(s, i)) : -1;
        char grouping = 0;
        if (i < n && (spec.charAt(i) == ',' || spec.charAt(i) == '_')) grouping = spec.charAt(i++);
        int precision = -1;
        if (i < n && spec.charAt(i) == '.') {
            s = ++i;
            while (i < n && Character.isDigit(spec.charAt(i))) i++;
            if (i == s) throw TemplateException.python("ValueError", "Format specifier missing precision");
            precision = Integer.parseInt(spec.substring(s, i));
        }
        char type = 0;
        if (i < n) type = spec.charAt(i++);
        if (i < n) throw TemplateException.python("ValueError", "Invalid format specifier");
        String body;
        boolean numeric;
        if (value instanceof String && (type == 0 || type == 's')) {
            body = precision >= 0 ? truncate((String) value, precision) : (String) value;
            numeric = false;
            if (align == 0) align = '<';
        } else if (PyObjects.isInt(value) && (type == 0 || "dbcoxXn".indexOf(type) >= 0)) {
            BigInteger v = PyObjects.big(value);
            if (type == 'c') body = new String(Character.toChars(v.intValue()));
            else {
                int radix = type == 'b' ? 2 : type == 'o' ? 8 : (type == 'x' || type == 'X') ? 16 : 10;
                body = v.abs().toString(radix);
                if (type == 'X') body = body.toUpperCase();
                if (grouping != 0) body = group(body, grouping, radix == 10 ? 3 : 4);
                if (alt && radix != 10) body = (radix == 2 ? "0b" : radix == 8 ? "0o" : type == 'X' ? "0X" : "0x") + body;
                body = applySign(v.signum() < 0, body, sign);
            }
            numeric = true;
        } else if (PyObjects.isNumber(value)) {
            double d = PyObjects.toDouble(value);
            char t = type == 0 ? 'r' : type;
            if (t == '%') {
                body = formatFloat(Math.abs(d) * 100, 'f', precision < 0 ? 6 : precision, alt) + "%";
            } else if (t == 'r') {
                body = precision < 0 ? PyObjects.floatRepr(Math.abs(d))
                        : formatFloat(Math.abs(d), 'g', precision, alt);
                if (precision >= 0 && body.indexOf('.') < 0 && body.indexOf('e') < 0 && !body.equals("inf")
                        && !body.equals("nan")) {
                    body += ".0"; // no type: like 'g', but fixed-point output keeps a digit after the point
                }
            } else if ("eEfFgG".indexOf(t) >= 0) {
                body = formatFloat(Math.abs(d), t, precision < 0 ? 6 : precision, alt);
            } else {
                throw TemplateException.python("ValueError", "Unknown format code '" + type + "' for object of type '"
                        + PyObjects.typeName(value) + "'");
            }
            if (grouping != 0) {
                int dot = body.indexOf('.');
                String intPart = dot < 0 ? body : body.substring(0, dot);
                if (intPart.chars().allMatch(Character::isDigit)) {
                    body = group(intPart, grouping, 3) + (dot < 0 ? "" : body.substring(dot));
                }
            }
            boolean negative = d < 0 || (d == 0 && 1 / d < 0);
            body = applySign(negative && !Double.isNaN(d), body, sign);
            numeric = true;
        } else {
            if (!spec.isEmpty() && !(value instanceof String)) {
                throw TemplateException.python("TypeError", "unsupported format string passed to "
                        + PyObjects.typeName(value) + ".__format__");
            }
            throw TemplateException.python("ValueError", "Unknown format code '" + type + "' for object of type 'str'");
        }
        if (align == 0) align = numeric ? '>' : '<';
        int len = PyStr.length(body);
        if (width <= len) return body;
        int pad = width - len;
        switch (align) {
            case '<': return body + fill.repeat(pad);
            case '>': return fill.repeat(pad) + body;
            case '^': return fill.repeat(pad / 2) + body + fill.repeat(pad - pad / 2);
            default: {
                int signLen = !body.isEmpty() && "+- ".indexOf(body.charAt(0)) >= 0 ? 1 : 0;
                if (body.startsWith("0x", signLen) || body.startsWith("0X", signLen) || body.startsWith("0o", signLen)
                        || body.startsWith("0b", signLen)) signLen += 2;
                return body.substring(0, signLen) + fill.repeat(pad) + body.substring(signLen);
            }
        }
    }

    private static String applySign(boolean negative, String body, char sign) {
        if (negative) return "-" + body;
        if (sign == '+') return "+" + body;
        if (sign == ' ') return " " + body;
        return body;
    }

    private static String group(String digits, char sep, int size) {
        StringBuilder sb = new StringBuilder();
        int n = digits.length();
        for (int i = 0; i < n; i++) {
            if (i > 0 && (n - i) % size == 0) sb.append(sep);
            sb.append(digits.charAt(i));
        }
        return sb.toString();
    }
}
