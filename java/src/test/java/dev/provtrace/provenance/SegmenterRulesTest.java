package dev.provtrace.provenance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One case per segmentation rule, with the exact sentences expected. */
class SegmenterRulesTest {
    private static final Segmenter SEGMENTER = new Segmenter();

    private static List<String> texts(String response) {
        return SEGMENTER.segment(response).stream().map(Sentence::text).toList();
    }

    @Test
    void decimalsAreNeverCut() {
        assertEquals(List.of("The value is 3.14 and 2.5.", "Next we add 0.5 to 1.005^{12}."),
                texts("The value is 3.14 and 2.5. Next we add 0.5 to 1.005^{12}."));
    }

    @ParameterizedTest
    @ValueSource(strings = {"e.g.", "E.g.", "i.e.", "vs.", "cf.", "viz.", "approx.", "resp.", "w.r.t.", "s.t.", "a.k.a.",
            "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "St.", "Fig.", "Figs.", "Eq.", "Eqs.", "Sec.", "Thm.", "Def."})
    void abbreviationsDoNotEndSentences(String abbreviation) {
        assertEquals(List.of("We compare " + abbreviation + " Alice and 3 here.", "Next."),
                texts("We compare " + abbreviation + " Alice and 3 here. Next."));
    }

    @Test
    void numberAbbreviationsHoldOnlyBeforeANumber() {
        assertEquals(List.of("See No. 5 and pp. 12 for details.", "No.", "That fails."),
                texts("See No. 5 and pp. 12 for details. No. That fails."));
    }

    @Test
    void etcEndsASentenceBeforeACapitalButNotInsideBrackets() {
        assertEquals(List.of("We tried 1, 2, etc.", "But it failed."), texts("We tried 1, 2, etc. But it failed."));
        assertEquals(List.of("Each block (e.g., 1-100, 101-200, etc.) has 10 numbers."),
                texts("Each block (e.g., 1-100, 101-200, etc.) has 10 numbers."));
    }

    @Test
    void wordsThatOnlyLookLikeAbbreviationsStillEndSentences() {
        assertEquals(List.of("It took 5 ms.", "Then he came 1st.", "Then Smith et al. Proved it."),
                texts("It took 5 ms. Then he came 1st. Then Smith et al. Proved it."));
    }

    @Test
    void lineStartListMarkersStayWithTheirItem() {
        String response = "1. **Units place:** The 4 appears.\n2) Tens place.\na. First item. Second sentence.\n"
                + "   iv. Roman item\n- 3. Nested\n**4.** Bold marker\n### 5. Heading\n1.2. Section";
        assertEquals(List.of("1. **Units place:** The 4 appears.", "2) Tens place.", "a. First item.", "Second sentence.",
                "iv. Roman item", "- 3. Nested", "**4.** Bold marker", "### 5. Heading", "1.2. Section"), texts(response));
    }

    @Test
    void aNumberInsideALineIsNoListMarker() {
        assertEquals(List.of("I got 2.", "Then I stopped."), texts("I got 2. Then I stopped."));
    }

    @Test
    void inlineLatexIsNeverCut() {
        assertEquals(List.of("We have \\(x = 3. Y\\) here.", "And $a. B$ there.", "Next."),
                texts("We have \\(x = 3. Y\\) here. And $a. B$ there. Next."));
    }

    @Test
    void sentencesStartingWithLowercaseMathAreCut() {
        assertEquals(List.of("They are periodic.", "\\( \\sin x \\) has period 2π.", "So 0.06.", "n is 12 and n=0.", "n=3 wins.", "$x$ too."),
                texts("They are periodic. \\( \\sin x \\) has period 2π. So 0.06. n is 12 and n=0. n=3 wins. $x$ too."));
        assertEquals(List.of("Take e.g. x or i.e. $y$, 1, 2, ... $n$ and 5! n here."),
                texts("Take e.g. x or i.e. $y$, 1, 2, ... $n$ and 5! n here."));
    }

    @Test
    void dollarsThatArePricesAreNotMath() {
        assertEquals(List.of("It costs $5 and $6.", "Then $x.y$ holds."), texts("It costs $5 and $6. Then $x.y$ holds."));
        assertEquals(List.of("Escaped \\$5.", "Then $a. B$ holds."), texts("Escaped \\$5. Then $a. B$ holds."));
    }

    @Test
    void displayLatexIsOneSentenceAcrossLines() {
        String response = "So:\n\\[\nx = 1. Y\n\\]\nThen $$\na. B\n$$\n\\begin{align*}\na &= 1. B \\\\\n"
                + "\\begin{align*} c \\end{align*}\nb &= 2\n\\end{align*}\nDone.";
        assertEquals(List.of("So:", "\\[\nx = 1. Y\n\\]", "Then $$\na. B\n$$",
                "\\begin{align*}\na &= 1. B \\\\\n\\begin{align*} c \\end{align*}\nb &= 2\n\\end{align*}", "Done."), texts(response));
    }

    @Test
    void displayLatexInsideAProseLineStaysInItsSentence() {
        assertEquals(List.of("Thus \\[ x = 1. \\] is clear.", "Next."), texts("Thus \\[ x = 1. \\] is clear. Next."));
    }

    @Test
    void unclosedDisplayLatexProtectsNothing() {
        assertEquals(List.of("Start \\[ x = 1.", "Next line.", "More."), texts("Start \\[ x = 1.\n\nNext line. More."));
    }

    @Test
    void aFencedCodeBlockIsExactlyOneSentence() {
        assertEquals(List.of("Code:", "```python\nx = 1. Y\n\nprint(x)\n```", "After.", "More."),
                texts("Code:\n```python\nx = 1. Y\n\nprint(x)\n```\nAfter. More."));
        assertEquals(List.of("~~~~\na. B\n~~~~", "After."), texts("~~~~\na. B\n~~~~\nAfter."));
    }

    @Test
    void anUnclosedFenceRunsToTheNextTag() {
        assertEquals(List.of("```\na. B\n\nc. D", "Done."), texts("```\na. B\n\nc. D\n</think>Done."));
    }

    @Test
    void inlineCodeIsNeverCut() {
        assertEquals(List.of("Use `a. B` and ```c. D``` now.", "Next."), texts("Use `a. B` and ```c. D``` now. Next."));
    }

    @Test
    void reasoningTagsAreBoundariesOutsideEverySentence() {
        String response = "<think>\nOkay, so.\n</think>\n\nThe answer is 5.<answer>5</answer>";
        assertEquals(List.of(new Sentence(8, 17, "Okay, so."), new Sentence(28, 44, "The answer is 5."), new Sentence(52, 53, "5")),
                SEGMENTER.segment(response));
        assertEquals(List.of("So I have.", "Fine", "Hmm", "Yes"),
                texts("<|begin_of_thought|>\n\nSo I have.<|end_of_thought|>Fine<｜end▁of▁sentence｜>Hmm</think>Yes"));
    }

    @Test
    void angleBracketsInMathAndCodeAreNotTags() {
        assertEquals(List.of("If a<b>c then.", "Use #include <vector> here."), texts("If a<b>c then. Use #include <vector> here."));
    }

    @Test
    void astralCharactersCountAsOneCodePoint() {
        assertEquals(List.of(new Sentence(0, 7, "𝑥 is 😀."), new Sentence(8, 18, "Then 𝑦 ok.")), SEGMENTER.segment("𝑥 is 😀. Then 𝑦 ok."));
        assertEquals(List.of(new Sentence(0, 1, "👍"), new Sentence(3, 5, "ok")), SEGMENTER.segment("👍\n\nok"), "a lone emoji line is a sentence");
    }

    @Test
    void shortWaitStyleSentences() {
        assertEquals(List.of("Wait, no.", "Wait.", "That's wrong!", "Hmm."), texts("Wait, no. Wait. That's wrong! Hmm."));
    }

    @Test
    void questionMarks() {
        assertEquals(List.of("Is it 5?", "Yes.", "Really?!", "Sure."), texts("Is it 5? Yes. Really?! Sure."));
        assertEquals(List.of("He asked \"why?\" and left (why?) because."), texts("He asked \"why?\" and left (why?) because."));
    }

    @Test
    void ellipsisEndsASentenceOnlyBeforeACapitalisedWord() {
        assertEquals(List.of("Wait...", "Let me see.", "So 1 + 2 + ... + 100 = 5050.", "And a_1 < ... < a_k holds…", "Then done."),
                texts("Wait... Let me see. So 1 + 2 + ... + 100 = 5050. And a_1 < ... < a_k holds… Then done."));
        assertEquals(List.of("For example, 4, 14, 24, ..., up to 484.", "How many?"),
                texts("For example, 4, 14, 24, ..., up to 484. How many?"));
    }

    @Test
    void sentencesKeepTheirClosingQuoteOrBracket() {
        assertEquals(List.of("He said \"Yes.\"", "Then (see above.)", "Next one."), texts("He said \"Yes.\" Then (see above.) Next one."));
    }

    @Test
    void markdownEmphasisClosingAfterTheTerminatorStaysWithItsSentence() {
        assertEquals(List.of("**Answer.**", "The end."), texts("**Answer.** The end."));
    }

    @Test
    void chineseFullStops() {
        assertEquals(List.of("让我想想。", "这是第二句。", "好的！"), texts("让我想想。这是第二句。好的！"));
    }

    @Test
    void factorialsAreNotExclamations() {
        assertEquals(List.of("So 5! = 120 and 3! 7! both.", "Then 10!", "Next, n! / (2k)! is fine."),
                texts("So 5! = 120 and 3! 7! both. Then 10! Next, n! / (2k)! is fine."));
    }

    @Test
    void aTerminatorWithoutSpaceCutsOnlyBeforeACapital() {
        assertEquals(List.of("x!=y and x=5.", "Then go."), texts("x!=y and x=5.Then go."));
    }

    @Test
    void everyLineBreakEndsASentence() {
        assertEquals(List.of("First line", "second line", "third", "fourth"), texts("First line\nsecond line\n\nthird\r\nfourth"));
    }

    @Test
    void urlsAndFileNamesAreNotCut() {
        assertEquals(List.of("Open https://x.com/search?Q=1 now.", "Edit main.py and Config.Java too.", "See www.x.org.", "Next."),
                texts("Open https://x.com/search?Q=1 now. Edit main.py and Config.Java too. See www.x.org. Next."));
    }

    @Test
    void sentencesAreTrimmedOfAllUnicodeSpace() {
        assertEquals(List.of(new Sentence(4, 10, "Hello."), new Sentence(13, 19, "World.")),
                SEGMENTER.segment("  \n\tHello.  \u00A0World. \n"));
    }

    @Test
    void nothingToSegment() {
        assertEquals(List.of(), SEGMENTER.segment(""));
        assertEquals(List.of(), SEGMENTER.segment("  <think> \n</think>\n "));
    }

    @Test
    void aFormulaThatGoesOnToTheNextLineStaysOneSentence() {
        assertEquals(List.of("We get x =\n5 + 3.", "Next."), texts("We get x =\n5 + 3.\nNext."));
        assertEquals(List.of("a + b\n= c, so done.", "Next."), texts("a + b\n= c, so done.\nNext."));
        assertEquals(List.of("The pair is (1,\n2).", "Next."), texts("The pair is (1,\n2).\nNext."));
        assertEquals(List.of("Then 3 \\times\n4 is 12."), texts("Then 3 \\times\n4 is 12."));
        assertEquals(List.of("≈ 1.06 - 0.0001\n≈ 1.0599"), texts("≈ 1.06 - 0.0001\n≈ 1.0599"));
        // a blank line always cuts; markdown emphasis and rules are not operators
        assertEquals(List.of("x =", "y"), texts("x =\n\ny"));
        assertEquals(List.of("**Final Answer**", "It is 5."), texts("**Final Answer**\nIt is 5."));
        assertEquals(List.of("Step one.", "---", "Step two."), texts("Step one.\n---\nStep two."));
        assertEquals(List.of("- For 8s: similarly,", "- In 100-199: 10 times"), texts("- For 8s: similarly,\n  - In 100-199: 10 times"),
                "a list item starts anew");
    }

    @Test
    void unfencedCodeIsOneUnit() {
        assertEquals(List.of("Here is code:", "def f(x):\n    return x + 1", "That works."),
                texts("Here is code:\ndef f(x):\n    return x + 1\nThat works."));
        assertEquals(List.of("Indented:", "a = 1\n    b = a. c = 2", "Done."), texts("Indented:\n    a = 1\n    b = a. c = 2\nDone."));
        // one code-like line alone, and indented list items, stay as they were
        assertEquals(List.of("return x.", "Next."), texts("return x.\nNext."));
        assertEquals(List.of("1. First", "- sub a", "- sub b"), texts("1. First\n    - sub a\n    - sub b"));
    }

    @Test
    void aCutOffWordJoinsTheSentenceAfterIt() {
        assertEquals(List.of("So,\nthe answer is 5."), texts("So,\nthe answer is 5."));
        assertEquals(List.of("And\nthen we stop."), texts("And\nthen we stop."));
        assertEquals(List.of("So,", "New paragraph."), texts("So,\n\nNew paragraph."), "not across a blank line");
        assertEquals(List.of("No.", "That fails."), texts("No.\nThat fails."), "a sentence of its own");
        assertEquals(List.of("So:", "\\[\nx = 1\n\\]"), texts("So:\n\\[\nx = 1\n\\]"), "not into a display block");
        assertEquals(List.of("Done.", "Ok"), texts("Done. Ok"), "a last fragment stays alone");
    }
}
