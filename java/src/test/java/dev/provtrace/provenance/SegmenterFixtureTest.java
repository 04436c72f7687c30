package dev.provtrace.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The segmenter's invariants on every real reasoning trace of trajectories/trajectories.jsonl (62 records of
 * DeepSeek-R1-distill, QwQ and Sky-T1 output, see its README). Each check works on code points, the way Python
 * indexes the response, and finds LaTeX, decimals, fences and tags with its own regular expressions rather than
 * the segmenter's scanner.
 */
class SegmenterFixtureTest {
    private static final Pattern TAG = Pattern.compile("</?(?:think|solution|answer)>|<\\|[a-z_]+\\|>");
    private static final Pattern MATH = Pattern.compile(
            "\\$\\$.+?\\$\\$|\\\\\\[.+?\\\\\\]|\\\\\\(.+?\\\\\\)|\\\\begin\\{(\\w+\\*?)}.+?\\\\end\\{\\1}|(?<![$\\\\])\\$[^$\\s][^$\\n]*?(?<!\\s)\\$",
            Pattern.DOTALL);
    private static final Pattern FENCE = Pattern.compile("```.*?```", Pattern.DOTALL);
    private static final Pattern DECIMAL = Pattern.compile("\\d\\.\\d");

    record Case(String id, String response, int[] codePoints, List<Sentence> sentences) {}

    private static final List<Case> CASES = new ArrayList<>();

    @BeforeAll
    static void segmentAll() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Segmenter segmenter = new Segmenter();
        for (String line : Files.readAllLines(Fixtures.resource("trajectories/trajectories.jsonl"))) {
            JsonNode record = json.readTree(line);
            String response = record.get("response").asText();
            CASES.add(new Case(record.get("id").asText(), response, response.codePoints().toArray(), segmenter.segment(response)));
        }
    }

    /** Python's {@code response[start:end]}. */
    private static String slice(int[] codePoints, int start, int end) {
        return new String(codePoints, start, end - start);
    }

    /** Code-point [start, end) ranges of a pattern's matches. */
    private static List<int[]> matches(Pattern pattern, String response) {
        List<int[]> out = new ArrayList<>();
        Matcher m = pattern.matcher(response);
        while (m.find()) out.add(new int[] {response.codePointCount(0, m.start()), response.codePointCount(0, m.end())});
        return out;
    }

    private static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    @Test
    void everyRecordIsSegmented() {
        assertEquals(62, CASES.size());
        int total = 0, wait = 0, longest = 0;
        for (Case c : CASES) {
            assertFalse(c.sentences().isEmpty(), c.id());
            total += c.sentences().size();
            for (Sentence s : c.sentences()) {
                if (s.text().startsWith("Wait")) wait++;
                longest = Math.max(longest, s.end() - s.start());
            }
        }
        System.out.printf("fixture: %d records, %d sentences, %d start with \"Wait\", longest %d code points%n",
                CASES.size(), total, wait, longest);
        assertTrue(total > 10_000 && wait > 500, total + " sentences, " + wait + " Wait");
    }

    @Test
    void sentencesAreOrderedDisjointNonEmptyTrimmedAndSliceLikePython() {
        for (Case c : CASES) {
            int previousEnd = 0;
            for (Sentence s : c.sentences()) {
                assertTrue(s.start() >= previousEnd && s.start() < s.end() && s.end() <= c.codePoints().length, c.id() + " " + s);
                assertEquals(slice(c.codePoints(), s.start(), s.end()), s.text(), c.id());
                assertFalse(isSpace(c.codePoints()[s.start()]) || isSpace(c.codePoints()[s.end() - 1]), c.id() + " untrimmed " + s);
                previousEnd = s.end();
            }
        }
    }

    @Test
    void onlyWhitespaceAndTagsLieOutsideSentences() {
        for (Case c : CASES) {
            boolean[] tag = new boolean[c.codePoints().length];
            for (int[] t : matches(TAG, c.response())) for (int i = t[0]; i < t[1]; i++) tag[i] = true;
            boolean[] covered = new boolean[c.codePoints().length];
            for (Sentence s : c.sentences()) {
                for (int i = s.start(); i < s.end(); i++) {
                    assertFalse(tag[i], c.id() + ": a tag inside " + s);
                    covered[i] = true;
                }
            }
            for (int i = 0; i < covered.length; i++) {
                if (!covered[i] && !tag[i] && !isSpace(c.codePoints()[i])) {
                    fail(c.id() + ": code point " + i + " '" + Character.toString(c.codePoints()[i]) + "' is in no sentence");
                }
            }
        }
    }

    @Test
    void noSentenceBoundaryInsideLatexOrFencedCode() {
        int checked = 0;
        for (Case c : CASES) {
            List<int[]> protectedSpans = new ArrayList<>(matches(MATH, c.response()));
            protectedSpans.addAll(matches(FENCE, c.response()));
            for (int[] span : protectedSpans) {
                checked++;
                for (Sentence s : c.sentences()) {
                    boolean cutsInside = (s.start() > span[0] && s.start() < span[1]) || (s.end() > span[0] && s.end() < span[1]);
                    if (cutsInside) fail(c.id() + ": " + s + " cuts " + slice(c.codePoints(), span[0], span[1]));
                }
            }
        }
        System.out.printf("fixture: %d LaTeX spans and fenced blocks, none cut%n", checked);
        assertTrue(checked > 3_000, "LaTeX spans checked: " + checked);
    }

    @Test
    void eachFencedCodeBlockIsExactlyOneSentence() {
        int blocks = 0;
        for (Case c : CASES) {
            for (int[] fence : matches(FENCE, c.response())) {
                blocks++;
                assertTrue(c.sentences().stream().anyMatch(s -> s.start() == fence[0] && s.end() == fence[1]),
                        c.id() + ": fenced block at " + fence[0] + " is not a sentence of its own");
            }
        }
        assertEquals(18, blocks, "2 blocks in sky-t1-27b-math500-030, 16 in -137");
    }

    @Test
    void noSentenceEndsAtADecimalPoint() {
        int decimals = 0;
        for (Case c : CASES) {
            for (int[] d : matches(DECIMAL, c.response())) {
                decimals++;
                int afterDot = d[0] + 2;
                for (Sentence s : c.sentences()) {
                    assertFalse(s.end() == afterDot || s.start() == afterDot, c.id() + ": decimal cut by " + s);
                }
            }
        }
        assertTrue(decimals > 100, "decimals checked: " + decimals);
    }

    @Test
    void lineBreaksInsideASentenceAreOnlyInsideLatexOrCodeOrAFormulaThatGoesOn() {
        // checked with rules of its own, not the segmenter's: a line break may sit inside math or a fence, between a
        // line ending in an operator, comma or open bracket and the next, before a line starting with one, between
        // two indented or code-looking lines, or after a cut-off word of at most three characters
        Pattern goesOn = Pattern.compile("(?:[=,+\\-/^<>≤≥≠≈×÷±(\\[{]|\\\\[a-zA-Z]+)\\s*$");
        Pattern continues = Pattern.compile("^\\s*(?:[=+×÷≤≥≈)\\]}]|\\\\[a-zA-Z]+)");
        Pattern code = Pattern.compile("^(?:    |\\t)|[;{}]\\s*$|\\):\\s*$|^\\s*(?:def|return|for|while|if|else|import|print)\\b");
        int joined = 0;
        for (Case c : CASES) {
            List<int[]> protectedSpans = new ArrayList<>(matches(MATH, c.response()));
            protectedSpans.addAll(matches(FENCE, c.response()));
            for (Sentence s : c.sentences()) {
                for (int i = s.start(); i < s.end(); i++) {
                    if (c.codePoints()[i] != '\n') continue;
                    int at = i;
                    if (protectedSpans.stream().anyMatch(p -> p[0] < at && at < p[1])) continue;
                    String before = lineBefore(c.codePoints(), s.start(), at), after = lineAfter(c.codePoints(), at, s.end());
                    boolean ok = goesOn.matcher(before).find() || continues.matcher(after).find()
                            || code.matcher(before).find() && code.matcher(after).find()
                            || slice(c.codePoints(), s.start(), at).strip().codePointCount(0, slice(c.codePoints(), s.start(), at).strip().length()) <= 3;
                    assertTrue(ok, c.id() + ": line break inside " + s);
                    joined++;
                }
            }
        }
        assertTrue(joined > 0, "the real traces have formulas over several lines");
    }

    private static String lineBefore(int[] cps, int from, int at) {
        int i = at;
        while (i > from && cps[i - 1] != '\n') i--;
        return slice(cps, i, at);
    }

    private static String lineAfter(int[] cps, int at, int to) {
        int i = at + 1;
        while (i < to && cps[i] != '\n') i++;
        return slice(cps, at + 1, i);
    }

    @Test
    void listMarkersAndAbbreviationsNeverStandAlone() {
        Pattern bareMarker = Pattern.compile("(?:\\d{1,3}|[a-z])[.)]");
        Pattern abbreviationEnd = Pattern.compile(".*(?<![A-Za-z])(?:e\\.g\\.|i\\.e\\.|vs\\.|cf\\.|Dr\\.|Mr\\.|Fig\\.|Eq\\.|approx\\.)");
        for (Case c : CASES) {
            for (int k = 0; k < c.sentences().size(); k++) {
                Sentence s = c.sentences().get(k);
                if (bareMarker.matcher(s.text()).matches() && k + 1 < c.sentences().size()) {
                    String between = slice(c.codePoints(), s.end(), c.sentences().get(k + 1).start());
                    assertTrue(between.contains("\n"), c.id() + ": marker " + s + " split from its item on the same line");
                }
                assertFalse(abbreviationEnd.matcher(s.text()).matches(), c.id() + ": sentence ends in an abbreviation: " + s);
            }
        }
    }

    @Test
    void segmentationIsDeterministic() {
        Segmenter other = new Segmenter();
        for (Case c : CASES) assertEquals(c.sentences(), other.segment(c.response()), c.id());
    }
}
