package dev.provtrace.text.template;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import static dev.provtrace.text.template.PyObjects.big;
import static dev.provtrace.text.template.PyObjects.isInt;
import static dev.provtrace.text.template.PyObjects.isNumber;
import static dev.provtrace.text.template.PyObjects.normalize;
import static dev.provtrace.text.template.PyObjects.toDouble;
import static dev.provtrace.text.template.PyObjects.typeName;

/** Python's arithmetic operators (ints are arbitrary precision, / is true division, // and % floor). */
final class Operators {
    private Operators() {}

    static Object binary(String op, Object a, Object b) {
        if (a instanceof Undefined) throw ((Undefined) a).fail();
        if (b instanceof Undefined && !(op.equals("%") && a instanceof String)) throw ((Undefined) b).fail();
        switch (op) {
            case "+": return add(a, b);
            case "-": return sub(a, b);
            case "*": return mul(a, b);
            case "/": return truediv(a, b);
            case "//": return floordiv(a, b);
            case "%": return mod(a, b);
            case "**": return pow(a, b);
            default: throw new IllegalArgumentException(op);
        }
    }

    private static TemplateException unsupported(String op, Object a, Object b) {
        return TemplateException.python("TypeError", "unsupported operand type(s) for " + op + ": '"
                + typeName(a) + "' and '" + typeName(b) + "'");
    }

    static Object add(Object a, Object b) {
        if (isInt(a) && isInt(b)) {
            if (a instanceof Long && b instanceof Long) {
                long x = (Long) a, y = (Long) b, r = x + y;
                if (((x ^ r) & (y ^ r)) >= 0) return r;
            }
            return normalize(big(a).add(big(b)));
        }
        if (isNumber(a) && isNumber(b)) return toDouble(a) + toDouble(b);
        if (a instanceof String && b instanceof String) return (String) a + b;
        if (a instanceof List && b instanceof List) {
            List<Object> out = new ArrayList<>((List<?>) a);
            out.addAll((List<?>) b);
            return out;
        }
        if (a instanceof PyTuple && b instanceof PyTuple) {
            List<Object> out = new ArrayList<>(((PyTuple) a).items());
            out.addAll(((PyTuple) b).items());
            return new PyTuple(out);
        }
        if (a instanceof String || a instanceof List || a instanceof PyTuple) {
            throw TemplateException.python("TypeError", "can only concatenate " + typeName(a) + " (not \""
                    + typeName(b) + "\") to " + typeName(a));
        }
        throw unsupported("+", a, b);
    }

    static Object sub(Object a, Object b) {
        if (isInt(a) && isInt(b)) {
            if (a instanceof Long && b instanceof Long) {
                long x = (Long) a, y = (Long) b, r = x - y;
                if (((x ^ y) & (x ^ r)) >= 0) return r;
            }
            return normalize(big(a).subtract(big(b)));
        }
        if (isNumber(a) && isNumber(b)) return toDouble(a) - toDouble(b);
        throw unsupported("-", a, b);
    }

    static Object mul(Object a, Object b) {
        if (isInt(a) && isInt(b)) return normalize(big(a).multiply(big(b)));
        if (isNumber(a) && isNumber(b)) return toDouble(a) * toDouble(b);
        boolean seqA = a instanceof String || a instanceof List || a instanceof PyTuple;
        boolean seqB = b instanceof String || b instanceof List || b instanceof PyTuple;
        if (seqA && isInt(b)) return repeat(a, b);
        if (seqB && isInt(a)) return repeat(b, a);
        if (seqA || seqB) {
            throw TemplateException.python("TypeError",
                    "can't multiply sequence by non-int of type '" + typeName(seqA ? b : a) + "'");
        }
        throw unsupported("*", a, b);
    }

    private static Object repeat(Object seq, Object times) {
        long n = Math.max(0, PyObjects.toIndex(times));
        if (seq instanceof String) return ((String) seq).repeat((int) n);
        List<?> items = seq instanceof List ? (List<?>) seq : ((PyTuple) seq).items();
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < n; i++) out.addAll(items);
        return seq instanceof List ? out : new PyTuple(out);
    }

    static Object truediv(Object a, Object b) {
        if (!isNumber(a) || !isNumber(b)) throw unsupported("/", a, b);
        if (isInt(a) && isInt(b)) {
            if (big(b).signum() == 0) throw TemplateException.python("ZeroDivisionError", "division by zero");
            if (big(a).bitLength() <= 53 && big(b).bitLength() <= 53) return toDouble(a) / toDouble(b);
            return new java.math.BigDecimal(big(a)).divide(new java.math.BigDecimal(big(b)),
                    java.math.MathContext.DECIMAL128).doubleValue();
        }
        double y = toDouble(b);
        if (y == 0) throw TemplateException.python("ZeroDivisionError", "float division by zero");
        return toDouble(a) / y;
    }

    static Object floordiv(Object a, Object b) {
        if (!isNumber(a) || !isNumber(b)) throw unsupported("//", a, b);
        if (isInt(a) && isInt(b)) {
            BigInteger y = big(b);
            if (y.signum() == 0) {
                throw TemplateException.python("ZeroDivisionError", "integer division or modulo by zero");
            }
            BigInteger[] qr = big(a).divideAndRemainder(y);
            BigInteger q = qr[0];
            if (qr[1].signum() != 0 && qr[1].signum() != y.signum()) q = q.subtract(BigInteger.ONE);
            return normalize(q);
        }
        double x = toDouble(a), y = toDouble(b);
        if (y == 0) throw TemplateException.python("ZeroDivisionError", "float floor division by zero");
        // CPython's float_floor_div
        double mod = x % y;
        double div = (x - mod) / y;
        if (mod != 0) {
            if ((y < 0) != (mod < 0)) div -= 1.0;
        }
        if (div != 0) {
            double fl = Math.floor(div);
            if (div - fl > 0.5) fl += 1.0;
            return fl;
        }
        return Math.copySign(0.0, x / y);
    }

    private static double floatMod(double x, double y) {
        double r = x % y;
        if (r != 0 && (r < 0) != (y < 0)) r += y;
        else if (r == 0) r = Math.copySign(0.0, y);
        return r;
    }

    static Object mod(Object a, Object b) {
        if (a instanceof String) return PyFormat.percent((String) a, b);
        if (!isNumber(a) || !isNumber(b)) throw unsupported("%", a, b);
        if (isInt(a) && isInt(b)) {
            BigInteger y = big(b);
            if (y.signum() == 0) throw TemplateException.python("ZeroDivisionError", "integer modulo by zero");
            BigInteger r = big(a).mod(y.abs());
            if (y.signum() < 0 && r.signum() != 0) r = r.add(y);
            return normalize(r);
        }
        double y = toDouble(b);
        if (y == 0) throw TemplateException.python("ZeroDivisionError", "float modulo");
        return floatMod(toDouble(a), y);
    }

    static Object pow(Object a, Object b) {
        if (!isNumber(a) || !isNumber(b)) throw unsupported("** or pow()", a, b);
        if (isInt(a) && isInt(b) && big(b).signum() >= 0) {
            long e = PyObjects.toIndex(b);
            if (e > 100_000) throw TemplateException.python("OverflowError", "exponent too large");
            return normalize(big(a).pow((int) e));
        }
        double x = toDouble(a), y = toDouble(b);
        if (x == 0 && y < 0) {
            throw TemplateException.python("ZeroDivisionError", "0.0 cannot be raised to a negative power");
        }
        double r = Math.pow(x, y);
        if (Double.isInfinite(r) && !Double.isInfinite(x) && !Double.isInfinite(y)) {
            throw TemplateException.python("OverflowError", "(34, 'Numerical result out of range')");
        }
        return r;
    }

    static Object neg(Object a) {
        if (a instanceof Undefined) throw ((Undefined) a).fail();
        if (isInt(a)) return normalize(big(a).negate());
        if (a instanceof Double) return -(Double) a;
        throw TemplateException.python("TypeError", "bad operand type for unary -: '" + typeName(a) + "'");
    }

    static Object pos(Object a) {
        if (a instanceof Undefined) throw ((Undefined) a).fail();
        if (isInt(a)) return normalize(big(a));
        if (a instanceof Double) return a;
        throw TemplateException.python("TypeError", "bad operand type for unary +: '" + typeName(a) + "'");
    }
}
