package dev.provtrace.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.provtrace.provenance.Correctness.CORRECT;
import static dev.provtrace.provenance.Correctness.INCORRECT;
import static dev.provtrace.provenance.Correctness.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnswerCheckerTest {

    @Test
    void lastCompleteBoxWithNestedAndEscapedBraces() {
        assertEquals(Optional.of("2"), AnswerChecker.finalAnswer("so \\boxed{1}, wait, \\boxed{2}."));
        assertEquals(Optional.of("-\\dfrac{5}{12}"), AnswerChecker.finalAnswer("is \\boxed{-\\dfrac{5}{12}}."));
        assertEquals(Optional.of("\\{1,2\\}"), AnswerChecker.finalAnswer("\\boxed{\\{1,2\\}}"));
        assertEquals(Optional.of("7"), AnswerChecker.finalAnswer("\\boxed{1} then \\fbox{7}"));
        assertEquals(Optional.of("8"), AnswerChecker.finalAnswer("\\fbox{7} then \\boxed {8}"));
        assertEquals(Optional.of("52"), AnswerChecker.finalAnswer("is $\\boxed 52$."));
        assertEquals(Optional.of("3"), AnswerChecker.finalAnswer("\\boxed{3} and \\boxedx{4}"));   // not the command
        // a last box cut off mid-generation is no answer, even with an earlier complete one
        assertEquals(Optional.empty(), AnswerChecker.finalAnswer("\\boxed{3} ... so \\boxed{\\frac{1}{"));
        assertEquals(Optional.empty(), AnswerChecker.finalAnswer("I must put the answer in \\boxed{}"));
        assertEquals(Optional.empty(), AnswerChecker.finalAnswer("no box here, the answer is 5"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "6.17 | 6.17",
            "-\\dfrac{1}{4027} | -\\frac{1} { 4027}",
            "\\dfrac{13}{6} | \\frac{13}{6}",
            "0.5 | \\frac{1}{2}",
            "1/2 | \\frac12",
            "\\tfrac{2}{4} | 0.5",
            "\\frac{-1}{2} | -0.5",
            "+5 | 5",
            "6.170 | 6.17",
            "12. | 12",
            "\u22123 | -3",
            "1,000 | 1000",
            "1{,}000 | 1000",
            "1\\,000 | 1000",
            "36,084 | 36084",
            "90^\\circ | 90",
            "90^{\\circ} | 90",
            "90\u00b0 | 90",
            "x=5 | 5",
            "5 | x = 5",
            "\\theta = 30^\\circ | 30",
            "a_1=2 | 2",
            "10\\text{ cm} | 10",
            "5 \\mbox{ square units} | 5",
            "\\text{5} | 5",
            "\\$6.17 | 6.17",
            "50\\% | 0.5",
            "50\\% | 50",
            "0.5 | 50\\%",
            "52_8 | 52_{8}",
            "204_5 | 204_{5}",
            "\\sqrt2 | \\sqrt{2}",
            "\\frac{\\sqrt3}{2} | \\frac{\\sqrt{3}}{2}",
            "\\left( 1, \\frac{1}{2} \\right) | (1,0.5)",
            "[2, \\frac{7}{2}] | [2,3.5]",
            "4.5\\times 10^{33} | 4.5e33",
            "4.5 \u00d7 10^{33} | 4.5e33",
            "2.5\\cdot10^3 | 2500",
            "\\displaystyle\\frac{\\pi}{2} | \\frac{\\pi}{2}",
    })
    void sameAnswer(String answer, String reference) {
        assertTrue(AnswerChecker.equivalent(answer, reference), answer + " vs " + reference);
    }

    @ParameterizedTest(name = "{0} != {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "6.18 | 6.17",
            "\\dfrac{1}{4027} | -\\frac{1}{4027}",
            "\\dfrac{24}{5} | -\\frac{5}{12}",
            "0.333 | \\frac13",
            "50\\% | 0.05",
            "x=5 | 6",
            "x=5 | x=6",
            "36084 | 88572",
            "-3 | 3",
            "1/3 | 0.3",
            "4.5e33 | 4.5\\times10^{32}",
    })
    void differentAnswer(String answer, String reference) {
        assertEquals(INCORRECT, AnswerChecker.compare(answer, reference), answer + " vs " + reference);
        assertFalse(AnswerChecker.equivalent(answer, reference));
    }

    /** What is not a pair of exact numbers (nor the same string) is never called wrong: it may be equal. */
    @ParameterizedTest(name = "{0} ? {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "2\\sqrt{3} | \\sqrt{12}",                // equal, but only algebra shows it
            "x^2+2x+1 | (x+1)^2",
            "\\frac{\\sqrt{2}}{2} | \\frac{1}{\\sqrt{2}}",
            "\\sqrt{2} | \\sqrt{3}",                  // different, but radicals are not decided
            "\\pi | 3.14159",
            "5 | \\sqrt{25}",                        // a number against an expression
            "2\\pi | 6.28",
            "\\{1,2\\} | \\{2,1\\}",                  // sets
            "(1,2) | (2,1)",                          // an ordered pair, or two solutions?
            "(1,2) | [1,2]",
            "(1,2) | (1,2,3)",
            "(0,\\infty) | (0,+\\infty)",
            "\\begin{pmatrix}1\\\\2\\end{pmatrix} | \\begin{pmatrix}1\\\\3\\end{pmatrix}",
            "x=5 | y=5",                              // both assign, to different names
            "1,2 | 1,20",                             // lists of answers
            "\\text{Monday} | \\text{Tuesday}",       // text
            "\\frac{1}{0} | 0",                        // not a number
    })
    void undecidedAnswer(String answer, String reference) {
        assertEquals(UNKNOWN, AnswerChecker.compare(answer, reference), answer + " vs " + reference);
        assertFalse(AnswerChecker.equivalent(answer, reference));
    }

    @Test
    void identicalNormalisedStringsAreEqualWhateverTheyHold() {
        assertEquals(CORRECT, AnswerChecker.compare("2\\sqrt{3}", "2 \\sqrt3"));
        assertEquals(CORRECT, AnswerChecker.compare("(x+1)^{2}", "(x+1)^2"));
        assertEquals(CORRECT, AnswerChecker.compare("\\text{Monday}", "Monday"));
        assertEquals(CORRECT, AnswerChecker.compare("(1,\\sqrt{2})", "(1,\\sqrt2)"));
        assertEquals(CORRECT, AnswerChecker.compare("x = 2\\sqrt{3}", "2\\sqrt{3}"));
    }

    @Test
    void checkIsTriState() {
        assertEquals(CORRECT, AnswerChecker.check("The coefficient is \\boxed{120}.", "120"));
        assertEquals(INCORRECT, AnswerChecker.check("The coefficient is \\boxed{384}.", "120"));
        assertEquals(CORRECT, AnswerChecker.check("\\[\n\\boxed{-\\dfrac{1}{4027}}.\n\\]", "-\\frac{1} { 4027}"));
        assertEquals(CORRECT, AnswerChecker.check("so the answer is $\\boxed{90}$", "\\boxed{90}"));
        assertEquals(UNKNOWN, AnswerChecker.check("\\boxed{120}", null));
        assertEquals(UNKNOWN, AnswerChecker.check("\\boxed{120}", "  "));
        assertEquals(UNKNOWN, AnswerChecker.check("Mode is", "236"));           // cut off, no box
        assertEquals(UNKNOWN, AnswerChecker.check("the answer is 236", "236"));   // no box: not read for values
        // what cannot be proven either way is unknown, never incorrect
        assertEquals(UNKNOWN, AnswerChecker.check("so \\boxed{2\\sqrt{3}}", "\\sqrt{12}"));
        assertEquals(UNKNOWN, AnswerChecker.check("so \\boxed{x^2+2x+1}", "(x+1)^2"));
        assertEquals(UNKNOWN, AnswerChecker.check("so \\boxed{\\{1, 2\\}}", "\\{2, 1\\}"));
        assertEquals(CORRECT, AnswerChecker.check("so \\boxed{2\\sqrt{3}}", "2\\sqrt3"));
        assertEquals(INCORRECT, AnswerChecker.check("so \\boxed{\\frac{3}{4}}", "0.7"));
    }

    @Test
    void multipleChoice() {
        assertEquals(CORRECT, AnswerChecker.check("So \\boxed{B}", "B"));
        assertEquals(CORRECT, AnswerChecker.check("So \\boxed{(B)}", "B"));
        assertEquals(CORRECT, AnswerChecker.check("So $\\boxed{\\text{(B)}}$.", "B"));
        assertEquals(CORRECT, AnswerChecker.check("So \\boxed{\\textbf{B}}", "(B)"));
        assertEquals(CORRECT, AnswerChecker.check("So \\boxed{(B) 4.2 eV}", "B"));
        assertEquals(CORRECT, AnswerChecker.check("So \\boxed{C.}", "C"));
        assertEquals(INCORRECT, AnswerChecker.check("So \\boxed{C}", "B"));
        assertEquals(UNKNOWN, AnswerChecker.check("So \\boxed{4.2}", "B"));      // a value, not a choice
        assertEquals(CORRECT, AnswerChecker.check("Both fit.\n\nAnswer: B", "B"));
        assertEquals(CORRECT, AnswerChecker.check("Thus the answer is (D).", "D"));
        assertEquals(CORRECT, AnswerChecker.check("**Answer:** D\n", "D"));
        assertEquals(CORRECT, AnswerChecker.check("The correct answer is **(A)**", "A"));
        assertEquals(CORRECT, AnswerChecker.check("the answer is: \\text{C}", "C"));
        assertEquals(CORRECT, AnswerChecker.check("Answer: (A) first. Wait, no. Answer: C", "C"));   // the last one
        // a guess while thinking does not count once the reasoning has ended
        String thinking = "<think>\nMaybe the answer is (A). Let me check.\n</think>\n\n";
        assertEquals(CORRECT, AnswerChecker.check(thinking + "The answer is (C).", "C"));
        assertEquals(INCORRECT, AnswerChecker.check(thinking + "The answer is (C).", "A"));
        assertEquals(UNKNOWN, AnswerChecker.check(thinking + "I am not sure.", "A"));
        assertEquals(UNKNOWN, AnswerChecker.check("The answer is a bit unclear.", "A"));   // not a letter choice
        assertEquals(UNKNOWN, AnswerChecker.check("Answer: Both.", "B"));
    }

    /**
     * The shared trajectory fixtures (tails of real responses with the source grader's verdicts): every record our
     * checker can decide agrees with the source; the three cut-off generations have no box and are UNKNOWN.
     */
    @Test
    void agreesWithTheSourceGraderOnRealTrajectories() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(Fixtures.resource("answers/trajectory-tails.jsonl"), StandardCharsets.UTF_8);
        int agree = 0;
        List<String> unknown = new ArrayList<>(), disagree = new ArrayList<>();
        for (String line : lines) {
            JsonNode r = json.readTree(line);
            Correctness ours = AnswerChecker.check(r.get("response_tail").asText(), r.get("answer").asText());
            Correctness theirs = r.get("correct").asBoolean() ? CORRECT : INCORRECT;
            if (ours == UNKNOWN) unknown.add(r.get("id").asText());
            else if (ours == theirs) agree++;
            else disagree.add(r.get("id").asText() + ": ours " + ours);
        }
        assertEquals(61, lines.size());
        assertEquals(List.of(), disagree);
        assertEquals(58, agree);
        assertEquals(List.of("sky-t1-32b-ck140-aime24-05", "sky-t1-32b-ck140-aime24-22", "sky-t1-27b-math500-137"), unknown);
    }
}
