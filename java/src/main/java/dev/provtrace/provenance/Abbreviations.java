package dev.provtrace.provenance;

import java.util.Set;

/**
 * Abbreviations whose period is not a sentence end. ICU's sentence rules already keep "e.g. the" together (a
 * lowercase word follows), but cut "e.g. Alice", "Dr. Smith" and "Fig. 3"; these lists undo those cuts.
 * <p>
 * Matching is exact (case-sensitive) so that "ms." (milliseconds) or "sec." (seconds) at a sentence end still cut.
 * "etc." is deliberately absent: in reasoning traces it mostly ends a sentence ("..., \(a = 75\), etc. But ..." in
 * the fixtures), and ICU already keeps "etc.)" and "etc., and" together.
 */
final class Abbreviations {
    /** Never the last word of a sentence: whatever follows belongs to the same sentence. */
    private static final Set<String> NEVER_FINAL = Set.of(
            "e.g.", "E.g.", "i.e.", "I.e.", "cf.", "Cf.", "vs.", "Vs.", "viz.", "approx.", "Approx.", "resp.", "esp.",
            "incl.", "w.r.t.", "W.r.t.", "s.t.", "a.k.a.", "i.i.d.",
            "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "St.", "Jr.", "Sr.",
            "Fig.", "fig.", "Figs.", "Eq.", "eq.", "Eqs.", "eqs.", "Sec.", "Ch.", "Thm.", "Lem.", "Def.", "Prop.", "Cor.");

    /** Abbreviations only before a number ("No. 5", "p. 12"); elsewhere ordinary words ("No. That fails."). */
    private static final Set<String> BEFORE_NUMBER = Set.of("No.", "no.", "Nos.", "Vol.", "vol.", "p.", "pp.", "Ex.", "Prob.", "Nr.");

    private Abbreviations() {}

    /**
     * True when the period at {@code dot} closes an abbreviation that must not end a sentence, given the position
     * {@code next} of the first character after the following whitespace.
     */
    static boolean keepsSentenceOpen(String text, int from, int dot, int next) {
        int start = dot;
        while (start > from && (isAsciiLetter(text.charAt(start - 1)) || text.charAt(start - 1) == '.')) start--;
        if (start > from && Character.isLetterOrDigit(text.charAt(start - 1))) return false;   // "1st." is no "St."
        String word = text.substring(start, dot + 1);
        if (NEVER_FINAL.contains(word)) return true;
        if (word.equals("al.") && start >= from + 3 && text.startsWith("et ", start - 3)) return true;   // et al.
        return BEFORE_NUMBER.contains(word) && next < text.length() && Character.isDigit(text.charAt(next));
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
