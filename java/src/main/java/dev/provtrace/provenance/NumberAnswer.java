package dev.provtrace.provenance;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number stated as the final answer without a box (AIME style): the last "the answer is 42" / "Answer: 42" /
 * "final answer: $-3.5$" phrase after the end of the reasoning (anywhere when the response marks no end). Thousands
 * separators ("1,000") are dropped; a number followed by more of an expression ("42/x", "3^2") is not an answer.
 */
final class NumberAnswer {
    private static final Pattern STATED = Pattern.compile(
            "(?i:answer)(?:\\s+(?i:is))?\\s*[:=]?\\s*(?:\\*\\*)?\\s*\\$?\\s*([+-]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?)(?![\\d^/.,]?\\d)(?![\\^/])");

    private NumberAnswer() {}

    static Optional<String> statedNumber(String response) {
        Matcher m = STATED.matcher(response);
        m.region(ChoiceAnswer.afterReasoning(response), response.length());
        String last = null;
        while (m.find()) last = m.group(1).replace(",", "");
        return Optional.ofNullable(last);
    }
}
