package dev.provtrace.provenance;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a LaTeX final answer into a canonical string so that different spellings of the same answer compare
 * equal as strings (numbers are then compared by value, see {@link ExactNumber}). In order:
 * <ol>
 *   <li>Unicode minus → '-', '×' → {@code \times}; math delimiters {@code $ \( \) \[ \]} and the money sign
 *       {@code \$} removed;</li>
 *   <li>{@code \left}, {@code \right}, {@code \displaystyle} and spacing ({@code \! \, \; \: \quad \qquad},
 *       backslash-space, {@code ~}) removed; {@code \dfrac}, {@code \tfrac} → {@code \frac};</li>
 *   <li>degree marks ({@code ^\circ}, {@code ^{\circ}}, '°', {@code \degree}) removed;</li>
 *   <li>a unit in a text command after a number ({@code 10\text{ cm}}, {@code 5\mbox{ square units}}) removed;
 *       other {@code \text{...}}, {@code \textbf{...}}, {@code \mathrm{...}}, {@code \mbox{...}} unwrapped;</li>
 *   <li>all whitespace removed, trailing periods removed;</li>
 *   <li>one-character arguments braced: {@code \frac12} → {@code \frac{1}{2}}, {@code \sqrt2} →
 *       {@code \sqrt{2}}; one-character sub/superscripts unbraced: {@code 52_{8}} → {@code 52_8};</li>
 *   <li>thousands separators removed from a number written with them: {@code 1,000} and {@code 1{,}000} →
 *       {@code 1000} (only digit groups of exactly three, so the pair {@code (1,20)} is left alone).</li>
 * </ol>
 * A leading assignment ({@code x=}) is removed separately by {@link #withoutAssignment}, because whether to remove
 * it depends on the other side.
 */
final class AnswerNormalizer {
    private static final Pattern TEXT_UNIT = Pattern.compile(
            "^(.*?\\S)\\s*\\\\(?:text|textrm|mathrm|mbox)\\s*\\{\\s*[A-Za-z][A-Za-z .]*(?:\\^\\{?[23]\\}?)?\\s*\\}$");
    private static final Pattern TEXT_WRAPPER = Pattern.compile(
            "\\\\(?:text|textrm|textbf|textnormal|mathrm|mathbf|mbox)\\s*\\{([^{}]*)\\}");
    private static final Pattern THOUSANDS = Pattern.compile("^[+-]?\\d{1,3}(,\\d{3})+(\\.\\d+)?$");
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "^((?:[A-Za-z]|\\\\[A-Za-z]+)(?:_\\{?[A-Za-z0-9]+\\}?)?)=(?!=)(.+)$");

    private AnswerNormalizer() {}

    static String normalize(String answer) {
        String s = answer.replace('\u2212', '-').replace("\u00d7", "\\times ");
        s = s.replace("\\$", "").replace("$", "")
                .replace("\\(", "").replace("\\)", "").replace("\\[", "").replace("\\]", "");
        s = s.replaceAll("\\\\(?:left|right|displaystyle)(?![A-Za-z])", "");
        s = s.replaceAll("\\\\(?:quad|qquad)(?![A-Za-z])", " ").replaceAll("\\\\[!,;: ]", " ").replace('~', ' ');
        s = s.replaceAll("\\\\[dt]frac(?![A-Za-z])", "\\\\frac");
        s = s.replaceAll("\\^\\s*\\{\\s*\\\\circ\\s*\\}|\\^\\s*\\\\circ(?![A-Za-z])|\u00b0|\\\\degree(?![A-Za-z])", "");
        s = s.strip();
        Matcher unit = TEXT_UNIT.matcher(s);
        if (unit.matches() && ExactNumber.parse(normalize(unit.group(1))).isPresent()) s = unit.group(1);
        for (String previous = null; !s.equals(previous); ) {
            previous = s;
            s = TEXT_WRAPPER.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        }
        s = s.replaceAll("\\s+", "");
        s = s.replaceAll("\\.+$", "");
        s = s.replaceAll("\\\\frac(\\w)(\\w)", "\\\\frac{$1}{$2}")
                .replaceAll("\\\\frac(\\w)\\{", "\\\\frac{$1}{")
                .replaceAll("\\\\frac\\{([^{}]*)\\}(\\w)", "\\\\frac{$1}{$2}")
                .replaceAll("\\\\sqrt(\\w)", "\\\\sqrt{$1}")
                .replaceAll("([_^])\\{(\\w)\\}", "$1$2");
        String grouped = s.replace("{,}", ",");
        if (THOUSANDS.matcher(grouped).matches()) s = grouped.replace(",", "");
        return s;
    }

    /** The right-hand side of a leading simple assignment ({@code x=5}, {@code \theta=30}, {@code a_1=2}), or null. */
    static String withoutAssignment(String normalized) {
        String[] parts = assignment(normalized);
        return parts != null ? parts[1] : null;
    }

    /** {name, value} of a leading simple assignment ({@code x=5} gives {"x", "5"}), or null. */
    static String[] assignment(String normalized) {
        Matcher m = ASSIGNMENT.matcher(normalized);
        return m.matches() ? new String[] {m.group(1), m.group(2)} : null;
    }
}
