package dev.provtrace.provenance;

import java.util.Locale;

/**
 * How {@link AnswerChecker} reads the final answer of a response (trace's {@code --answer-format}):
 * <ul>
 *   <li>{@link #AUTO}: the last box; for a single-letter reference also a final "Answer: C" phrase (the default);</li>
 *   <li>{@link #BOXED}: the last box only, whatever the reference (MATH-style expressions, letters in boxes);</li>
 *   <li>{@link #CHOICE}: GPQA-style multiple choice: the reference is a letter A–J; the response's letter comes from
 *       its last box, else its last "Answer: C" / "the answer is (C)" phrase, else a final "(C)" standing alone
 *       at the end of the response, each after the end of the reasoning when it has one;</li>
 *   <li>{@link #NUMBER}: AIME-style numbers: the reference is a number; the response's from its last box, else its
 *       last "answer is 42" / "Answer: 42" phrase after the reasoning; compared exactly as numbers (042 = 42).</li>
 * </ul>
 * A reference the format cannot read (a word for {@code number}, a value for {@code choice}) gives
 * {@link Correctness#UNKNOWN}, as does a response without an answer of that form.
 */
public enum AnswerFormat {
    AUTO, BOXED, CHOICE, NUMBER;

    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    /** The format named on the command line (auto, boxed, choice, number). */
    public static AnswerFormat parse(String s) {
        for (AnswerFormat f : values()) if (f.cliName().equals(s)) return f;
        throw new IllegalArgumentException("--answer-format must be auto, boxed, choice or number, got \"" + s + "\"");
    }
}
