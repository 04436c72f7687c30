package dev.provtrace.provenance;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Multiple-choice answers (GPQA style, options A–J). A reference is a choice when it is a single capital letter,
 * possibly written {@code (B)}, {@code B)}, {@code \text{(B)}} or {@code B.}. The response's choice is read from
 * its last box ({@code \boxed{B}}, {@code \boxed{(B)}}, {@code \boxed{\text{(B)}}}, {@code \boxed{(B) 42}}), or,
 * when there is no box, from the last "Answer: B" / "the answer is (B)" phrase. That phrase is searched only after
 * the end of the reasoning ({@code </think>} or {@code <|end_of_thought|>}) when the response has one, so a guess
 * made while thinking does not count as the final answer.
 */
final class ChoiceAnswer {
    private static final Pattern LETTER = Pattern.compile("^\\(?([A-J])(?:\\)|:|\\.|$).*", Pattern.DOTALL);
    private static final Pattern ANSWER_PHRASE = Pattern.compile(
            "(?i:answer)(?:\\s+(?i:is))?\\s*:?\\s*(?:\\*\\*)?\\s*(?:\\\\text(?:bf)?\\{)?\\s*\\(?([A-J])\\)?(?![A-Za-z0-9])");
    private static final String[] END_OF_REASONING = {"</think>", "<|end_of_thought|>"};
    private static final Pattern CLOSING_LETTER = Pattern.compile("(?<![A-Za-z0-9])\\(([A-J])\\)[\\s.*_]*$");

    private ChoiceAnswer() {}

    /** The letter of a reference that is a single choice, or empty. */
    static Optional<Character> referenceLetter(String reference) {
        String s = AnswerNormalizer.normalize(reference);
        return s.matches("\\(?[A-J]\\)?") ? Optional.of(s.replaceAll("[()]", "").charAt(0)) : Optional.empty();
    }

    /** The letter a boxed answer names, or empty when the box holds something else (a value, an expression). */
    static Optional<Character> boxedLetter(String boxed) {
        Matcher m = LETTER.matcher(AnswerNormalizer.normalize(boxed));
        return m.matches() ? Optional.of(m.group(1).charAt(0)) : Optional.empty();
    }

    /** Where the final answer may start: after the end of the reasoning, or 0 when the response marks none. */
    static int afterReasoning(String response) {
        int from = 0;
        for (String marker : END_OF_REASONING) {
            int i = response.lastIndexOf(marker);
            if (i >= 0) from = Math.max(from, i + marker.length());
        }
        return from;
    }

    /** A "(C)" that closes the response (markdown emphasis and a full stop may follow), after the reasoning. */
    static Optional<Character> closingLetter(String response) {
        Matcher m = CLOSING_LETTER.matcher(response);
        m.region(afterReasoning(response), response.length());
        return m.find() ? Optional.of(m.group(1).charAt(0)) : Optional.empty();
    }

    /** The letter of the last answer phrase after the end of the reasoning (or anywhere when there is no end). */
    static Optional<Character> statedLetter(String response) {
        int from = afterReasoning(response);
        Matcher m = ANSWER_PHRASE.matcher(response);
        Character last = null;
        m.region(from, response.length());
        while (m.find()) last = m.group(1).charAt(0);
        return Optional.ofNullable(last);
    }
}
