package dev.provtrace.provenance;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a response's final answer matches a reference answer.
 * <ul>
 *   <li><b>Which answer.</b> The content of the last {@code \boxed{}} / {@code \fbox{}} ({@link BoxedAnswer}).
 *       For a multiple-choice reference (a single letter) the choice can also come from a final "Answer: B"
 *       phrase when there is no box ({@link ChoiceAnswer}).</li>
 *   <li><b>Same answer.</b> Both sides are normalised ({@link AnswerNormalizer}); equal strings match. Otherwise,
 *       if both are numbers they match by exact value ({@link ExactNumber}: {@code 0.5 = \frac{1}{2} = 1/2 =
 *       \frac12}). A leading assignment ({@code x=5}) is dropped from one side when the other has none. Tuples
 *       and intervals with the same brackets match element by element.</li>
 *   <li><b>Percentages.</b> A number with {@code %} matches either the number itself or a hundredth of it:
 *       {@code 50\%} matches both {@code 50} and {@code 0.5}. References often leave the % out, and models
 *       write a percentage as a fraction as often as not; a wrong answer rarely coincides with the other reading.</li>
 *   <li><b>Unknown, not wrong.</b> {@link Correctness#UNKNOWN} when the reference is missing or blank, when the
 *       response has no (complete, non-empty) box, or, for a multiple-choice reference, when no letter can be
 *       read (a boxed value instead of a letter is not judged).</li>
 * </ul>
 */
public final class AnswerChecker {
    private AnswerChecker() {}

    public static Correctness check(String response, String reference) {
        if (reference == null || reference.isBlank() || response == null) return Correctness.UNKNOWN;
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
        return equivalent(boxed.get(), ref) ? Correctness.CORRECT : Correctness.INCORRECT;
    }

    /** The final answer the checker would compare: the last box's content, if any. */
    public static Optional<String> finalAnswer(String response) {
        return BoxedAnswer.last(response).filter(b -> !b.isBlank());
    }

    /** True when two answers (LaTeX, not normalised) are the same by the rules above. */
    public static boolean equivalent(String answer, String reference) {
        String a = AnswerNormalizer.normalize(answer), r = AnswerNormalizer.normalize(reference);
        if (a.isEmpty() || r.isEmpty()) return false;
        String aValue = AnswerNormalizer.withoutAssignment(a), rValue = AnswerNormalizer.withoutAssignment(r);
        if (aValue != null && rValue == null) a = aValue;
        if (rValue != null && aValue == null) r = rValue;
        return sameNormalized(a, r);
    }

    private static boolean sameNormalized(String a, String r) {
        if (a.equals(r)) return true;
        List<ExactNumber> aValues = numericReadings(a), rValues = numericReadings(r);
        for (ExactNumber x : aValues) if (rValues.contains(x)) return true;
        if (!aValues.isEmpty() || !rValues.isEmpty()) return false;
        return sameElements(a, r);
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

    /** (1,\frac12) vs (1,0.5): same brackets, same number of top-level elements, each equivalent. */
    private static boolean sameElements(String a, String r) {
        if (a.length() < 2 || r.length() < 2) return false;
        char open = a.charAt(0), close = a.charAt(a.length() - 1);
        if ("([".indexOf(open) < 0 || ")]".indexOf(close) < 0) return false;
        if (open != r.charAt(0) || close != r.charAt(r.length() - 1)) return false;
        List<String> as = topLevelParts(a.substring(1, a.length() - 1)), rs = topLevelParts(r.substring(1, r.length() - 1));
        if (as == null || rs == null || as.size() != rs.size() || as.size() < 2) return false;
        for (int i = 0; i < as.size(); i++) if (!sameNormalized(as.get(i), rs.get(i))) return false;
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
