package dev.provtrace.provenance;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a response's final answer matches a reference answer, and says {@link Correctness#UNKNOWN}
 * whenever it cannot prove either. A wrong "incorrect" moves a response from the correct curve to the incorrect
 * one, so only what is decided exactly is decided:
 * <ul>
 *   <li><b>Which answer.</b> The content of the last {@code \boxed{}} / {@code \fbox{}} ({@link BoxedAnswer}).
 *       For a multiple-choice reference (a single letter) the choice can also come from a final "Answer: B"
 *       phrase when there is no box ({@link ChoiceAnswer}).</li>
 *   <li><b>Equal</b> when the normalised strings are identical ({@link AnswerNormalizer}), whatever they hold.</li>
 *   <li><b>Equal or different</b> when both sides are exact rational numbers ({@link ExactNumber}: integers,
 *       decimals, scientific notation, {@code \frac{a}{b}}, {@code a/b}, with signs): {@code 0.5 = \frac{1}{2}},
 *       {@code 6.18 ≠ 6.17}. A number with {@code %} stands for the number itself or a hundredth of it
 *       ({@code 50\%} matches {@code 50} and {@code 0.5}, not {@code 0.05}): references often leave the % out.</li>
 *   <li><b>Equal or different</b> for a multiple-choice reference: the letters are compared.</li>
 *   <li>A leading assignment ({@code x=5}) is dropped from one side when the other has none, and from both when
 *       both assign the same name; tuples and intervals with the same brackets and the same number of elements
 *       are equal when every element is (never different: {@code (1,2)} may be a set of two solutions).</li>
 *   <li><b>Unknown</b> for everything else: symbolic expressions ({@code x^2+2x+1} vs {@code (x+1)^2}), radicals
 *       ({@code 2\sqrt{3}} vs {@code \sqrt{12}}), π, sets, intervals, matrices, text, a number against a
 *       non-number; and when the reference is missing or blank, the response has no (complete, non-empty) box,
 *       or, for a multiple-choice reference, no letter can be read (a boxed value instead of a letter).</li>
 * </ul>
 */
public final class AnswerChecker {
    private AnswerChecker() {}

    /** {@link #check(String, String, AnswerFormat)} with {@link AnswerFormat#AUTO}. */
    public static Correctness check(String response, String reference) {
        return check(response, reference, AnswerFormat.AUTO);
    }

    /** Whether the response's final answer, read as {@code format} says, matches the reference. */
    public static Correctness check(String response, String reference, AnswerFormat format) {
        if (reference == null || reference.isBlank() || response == null) return Correctness.UNKNOWN;
        return switch (format) {
            case AUTO -> auto(response, reference);
            case BOXED -> boxed(response, reference);
            case CHOICE -> choice(response, reference);
            case NUMBER -> number(response, reference);
        };
    }

    private static Correctness boxed(String response, String reference) {
        String ref = BoxedAnswer.last(reference).orElse(reference);
        Optional<String> boxed = finalAnswer(response);
        if (boxed.isEmpty()) return Correctness.UNKNOWN;
        Optional<Character> choice = ChoiceAnswer.referenceLetter(ref);
        if (choice.isPresent()) {
            Optional<Character> given = ChoiceAnswer.boxedLetter(boxed.get());
            return given.isEmpty() ? Correctness.UNKNOWN : given.get().equals(choice.get()) ? Correctness.CORRECT : Correctness.INCORRECT;
        }
        return compare(boxed.get(), ref);
    }

    private static Correctness choice(String response, String reference) {
        Optional<Character> choice = ChoiceAnswer.referenceLetter(BoxedAnswer.last(reference).orElse(reference));
        if (choice.isEmpty()) return Correctness.UNKNOWN;
        Optional<String> boxed = finalAnswer(response);
        Optional<Character> given = boxed.isPresent() ? ChoiceAnswer.boxedLetter(boxed.get())
                : ChoiceAnswer.statedLetter(response).or(() -> ChoiceAnswer.closingLetter(response));
        if (given.isEmpty()) return Correctness.UNKNOWN;
        return given.get().equals(choice.get()) ? Correctness.CORRECT : Correctness.INCORRECT;
    }

    private static Correctness number(String response, String reference) {
        Optional<ExactNumber> want = ExactNumber.parse(AnswerNormalizer.normalize(BoxedAnswer.last(reference).orElse(reference)));
        if (want.isEmpty()) return Correctness.UNKNOWN;
        Optional<String> answer = finalAnswer(response).or(() -> NumberAnswer.statedNumber(response));
        if (answer.isEmpty()) return Correctness.UNKNOWN;
        Optional<ExactNumber> got = ExactNumber.parse(AnswerNormalizer.normalize(answer.get()));
        if (got.isEmpty()) return Correctness.UNKNOWN;   // a boxed expression: not this format's to decide
        return got.get().equals(want.get()) ? Correctness.CORRECT : Correctness.INCORRECT;
    }

    private static Correctness auto(String response, String reference) {
        String ref = BoxedAnswer.last(reference).orElse(reference);
        Optional<String> boxed = BoxedAnswer.last(response).filter(b -> !b.isBlank());

        Optional<Character> choice = ChoiceAnswer.referenceLetter(ref);
        if (choice.isPresent()) {
            Optional<Character> given = boxed.isPresent() ? ChoiceAnswer.boxedLetter(boxed.get())
                    : ChoiceAnswer.statedLetter(response);
            if (given.isEmpty()) return Correctness.UNKNOWN;
            return given.get().equals(choice.get()) ? Correctness.CORRECT : Correctness.INCORRECT;
        }
        if (boxed.isEmpty()) return Correctness.UNKNOWN;
        return compare(boxed.get(), ref);
    }

    /** The final answer the checker would compare: the last box's content, if any. */
    public static Optional<String> finalAnswer(String response) {
        return BoxedAnswer.last(response).filter(b -> !b.isBlank());
    }

    /** True when two answers (LaTeX, not normalised) are provably the same by the rules above. */
    public static boolean equivalent(String answer, String reference) {
        return compare(answer, reference) == Correctness.CORRECT;
    }

    /** Two answers (LaTeX, not normalised): CORRECT when provably equal, INCORRECT when provably different, else UNKNOWN. */
    public static Correctness compare(String answer, String reference) {
        String a = AnswerNormalizer.normalize(answer), r = AnswerNormalizer.normalize(reference);
        if (a.isEmpty() || r.isEmpty()) return Correctness.UNKNOWN;
        if (a.equals(r)) return Correctness.CORRECT;
        String[] aAssign = AnswerNormalizer.assignment(a), rAssign = AnswerNormalizer.assignment(r);
        if (aAssign != null && rAssign == null) a = aAssign[1];
        else if (rAssign != null && aAssign == null) r = rAssign[1];
        else if (aAssign != null) {
            if (!aAssign[0].equals(rAssign[0])) return Correctness.UNKNOWN;   // x=5 vs y=5: different questions?
            a = aAssign[1];
            r = rAssign[1];
        }
        return sameNormalized(a, r);
    }

    private static Correctness sameNormalized(String a, String r) {
        if (a.equals(r)) return Correctness.CORRECT;
        List<ExactNumber> aValues = numericReadings(a), rValues = numericReadings(r);
        if (!aValues.isEmpty() && !rValues.isEmpty()) {
            for (ExactNumber x : aValues) if (rValues.contains(x)) return Correctness.CORRECT;
            return Correctness.INCORRECT;
        }
        if (!aValues.isEmpty() || !rValues.isEmpty()) return Correctness.UNKNOWN;   // 5 vs \sqrt{25}
        return sameElements(a, r) ? Correctness.CORRECT : Correctness.UNKNOWN;
    }

    /** The values a normalised answer can stand for: none, its value, or for "p%" both p and p/100. */
    private static List<ExactNumber> numericReadings(String s) {
        boolean percent = s.endsWith("\\%") || s.endsWith("%");
        String body = percent ? s.substring(0, s.length() - (s.endsWith("\\%") ? 2 : 1)) : s;
        List<ExactNumber> out = new ArrayList<>(2);
        ExactNumber.parse(body).ifPresent(v -> {
            out.add(v);
            if (percent) out.add(v.dividedBy(ExactNumber.of(java.math.BigDecimal.valueOf(100))));
        });
        return out;
    }

    /** (1,\frac12) vs (1,0.5): same brackets, same number of top-level elements, each provably equal. */
    private static boolean sameElements(String a, String r) {
        if (a.length() < 2 || r.length() < 2) return false;
        char open = a.charAt(0), close = a.charAt(a.length() - 1);
        if ("([".indexOf(open) < 0 || ")]".indexOf(close) < 0) return false;
        if (open != r.charAt(0) || close != r.charAt(r.length() - 1)) return false;
        List<String> as = topLevelParts(a.substring(1, a.length() - 1)), rs = topLevelParts(r.substring(1, r.length() - 1));
        if (as == null || rs == null || as.size() != rs.size() || as.size() < 2) return false;
        for (int i = 0; i < as.size(); i++) if (sameNormalized(as.get(i), rs.get(i)) != Correctness.CORRECT) return false;
        return true;
    }

    private static List<String> topLevelParts(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0, from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') depth--;
            else if (c == ',' && depth == 0) { parts.add(s.substring(from, i)); from = i + 1; }
            if (depth < 0) return null;
        }
        parts.add(s.substring(from));
        return parts;
    }
}
