package dev.provtrace.provenance;

import org.junit.jupiter.api.Test;

import static dev.provtrace.provenance.AnswerChecker.check;
import static dev.provtrace.provenance.AnswerFormat.BOXED;
import static dev.provtrace.provenance.AnswerFormat.CHOICE;
import static dev.provtrace.provenance.AnswerFormat.NUMBER;
import static dev.provtrace.provenance.Correctness.CORRECT;
import static dev.provtrace.provenance.Correctness.INCORRECT;
import static dev.provtrace.provenance.Correctness.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** --answer-format on examples of each benchmark's answers (GPQA letters, AIME integers, MATH expressions). */
class AnswerFormatTest {
    @Test
    void choiceReadsTheBoxThenTheAnswerPhraseThenAClosingLetter() {
        assertEquals(CORRECT, check("... so it is \\boxed{C}", "C", CHOICE));
        assertEquals(CORRECT, check("... \\boxed{(C) 42 kJ}", "(C)", CHOICE));
        assertEquals(INCORRECT, check("Answer: B", "C", CHOICE));
        assertEquals(CORRECT, check("I weighed the options.\n\nThe correct option is **(C)**.", "C", CHOICE));
        assertEquals(CORRECT, check("(A) looks tempting, but the data say (C)", "C", CHOICE));
        // a guess inside the reasoning is not the final answer
        assertEquals(UNKNOWN, check("<think>maybe (C)</think> I cannot decide.", "C", CHOICE));
        assertEquals(INCORRECT, check("<think>Answer: C?</think> The answer is (D).", "C", CHOICE));
        // a letter inside a word or a list item that is not at the end does not count
        assertEquals(UNKNOWN, check("Option (C) is wrong because of the sign.", "C", CHOICE));
        assertEquals(UNKNOWN, check("\\boxed{C}", "42", CHOICE), "the reference is not a letter");
    }

    @Test
    void numberReadsTheBoxOrTheStatedNumberAndComparesValues() {
        assertEquals(CORRECT, check("so the count is \\boxed{042}", "42", NUMBER), "AIME's three digits");
        assertEquals(CORRECT, check("Therefore, the answer is 17.", "\\boxed{17}", NUMBER));
        assertEquals(CORRECT, check("**Final Answer:** $1,000$", "1000", NUMBER));
        assertEquals(INCORRECT, check("The answer is 18.", "17", NUMBER));
        assertEquals(CORRECT, check("answer: -3.5", "-\\frac{7}{2}", NUMBER));
        assertEquals(UNKNOWN, check("The answer is 3^2 + 1.", "10", NUMBER), "an expression, not a number");
        assertEquals(UNKNOWN, check("The answer is x.", "10", NUMBER));
        assertEquals(UNKNOWN, check("\\boxed{17}", "seventeen", NUMBER), "the reference is not a number");
        assertEquals(UNKNOWN, check("<think>the answer is 17</think> I am not sure.", "17", NUMBER));
    }

    @Test
    void boxedComparesOnlyTheLastBox() {
        assertEquals(CORRECT, check("\\boxed{\\frac{1}{2}}", "0.5", BOXED));
        assertEquals(UNKNOWN, check("Answer: C", "C", BOXED), "no box: boxed-only ignores the phrase (auto reads it)");
        assertEquals(CORRECT, check("Answer: C", "C", AnswerFormat.AUTO));
        assertEquals(CORRECT, check("\\boxed{(C)}", "C", BOXED));
        assertEquals(UNKNOWN, check("\\boxed{x^2+2x+1}", "(x+1)^2", BOXED));
    }

    @Test
    void unknownFormatsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AnswerFormat.parse("letters"));
        assertEquals("--answer-format must be auto, boxed, choice or number, got \"letters\"", e.getMessage());
    }
}
