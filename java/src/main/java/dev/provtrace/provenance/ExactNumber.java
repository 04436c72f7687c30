package dev.provtrace.provenance;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number read from a normalised answer ({@link AnswerNormalizer}) as an exact fraction, so that {@code 0.5},
 * {@code \frac{1}{2}}, {@code 1/2} and {@code 2/4} are the same value and {@code 6.17} is not {@code 6.170001}.
 * Understood forms, each with an optional sign: an integer or decimal, scientific notation ({@code 4.5e33},
 * {@code 4.5\times10^{33}}, {@code 4.5\cdot10^33}), {@code \frac{a}{b}} and {@code a/b} with a and b integers or
 * decimals (signed inside too: {@code \frac{-1}{2}}). Anything else (surds, π, expressions) is not a number here,
 * and {@link AnswerChecker} leaves it undecided. Comparison is exact: a rounded decimal is not equal to a repeating fraction
 * ({@code 0.333} ≠ {@code \frac{1}{3}}).
 */
record ExactNumber(BigInteger numerator, BigInteger denominator) {
    private static final String DECIMAL = "(?:\\d+(?:\\.\\d*)?|\\.\\d+)";
    private static final String SIGNED = "[+-]?" + DECIMAL;
    private static final Pattern PLAIN = Pattern.compile("([+-]?)(" + DECIMAL + ")(?:[eE]([+-]?\\d+)|(?:\\\\times|\\\\cdot|\\*)10\\^(?:\\{([+-]?\\d+)\\}|([+-]?\\d+)))?");
    private static final Pattern LATEX_FRACTION = Pattern.compile("([+-]?)\\\\frac\\{(" + SIGNED + ")\\}\\{(" + SIGNED + ")\\}");
    private static final Pattern SLASH_FRACTION = Pattern.compile("([+-]?)(" + DECIMAL + ")/(" + DECIMAL + ")");
    private static final int MAX_EXPONENT = 400;

    ExactNumber {
        if (denominator.signum() <= 0) throw new IllegalArgumentException("denominator must be positive");
    }

    static Optional<ExactNumber> parse(String s) {
        Matcher m = PLAIN.matcher(s);
        if (m.matches()) {
            String exponent = m.group(3) != null ? m.group(3) : m.group(4) != null ? m.group(4) : m.group(5);
            int e = 0;
            if (exponent != null) {
                if (exponent.replaceAll("[+-]", "").length() > 4) return Optional.empty();
                e = Integer.parseInt(exponent);
                if (Math.abs(e) > MAX_EXPONENT) return Optional.empty();
            }
            BigDecimal value = new BigDecimal(m.group(2)).scaleByPowerOfTen(e);
            return Optional.of(of(m.group(1).equals("-") ? value.negate() : value));
        }
        m = LATEX_FRACTION.matcher(s);
        if (!m.matches()) m = SLASH_FRACTION.matcher(s);
        if (m.matches()) {
            BigDecimal top = new BigDecimal(m.group(2)), bottom = new BigDecimal(m.group(3));
            if (bottom.signum() == 0) return Optional.empty();
            ExactNumber q = of(top).dividedBy(of(bottom));
            return Optional.of(m.group(1).equals("-") ? q.negate() : q);
        }
        return Optional.empty();
    }

    static ExactNumber of(BigDecimal d) {
        BigInteger unscaled = d.unscaledValue();
        return d.scale() <= 0
                ? reduced(unscaled.multiply(BigInteger.TEN.pow(-d.scale())), BigInteger.ONE)
                : reduced(unscaled, BigInteger.TEN.pow(d.scale()));
    }

    ExactNumber dividedBy(ExactNumber o) {
        BigInteger num = numerator.multiply(o.denominator), den = denominator.multiply(o.numerator);
        return den.signum() < 0 ? reduced(num.negate(), den.negate()) : reduced(num, den);
    }

    ExactNumber negate() { return new ExactNumber(numerator.negate(), denominator); }

    ExactNumber times(ExactNumber o) {
        return reduced(numerator.multiply(o.numerator), denominator.multiply(o.denominator));
    }

    private static ExactNumber reduced(BigInteger num, BigInteger den) {
        BigInteger g = num.gcd(den);
        return g.signum() == 0 || g.equals(BigInteger.ONE) ? new ExactNumber(num, den)
                : new ExactNumber(num.divide(g), den.divide(g));
    }
}
