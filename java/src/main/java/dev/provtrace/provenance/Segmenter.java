package dev.provtrace.provenance;

import com.ibm.icu.text.BreakIterator;
import com.ibm.icu.util.ULocale;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * Cuts a reasoning response (DeepSeek-R1 / QwQ / Sky-T1 style) into sentences, the actions whose provenance is then
 * traced. ICU's Unicode sentence rules do the language part (terminators, quotes, closing brackets, CJK 。); the
 * rules on top fit reasoning traces:
 * <ul>
 *   <li>Reasoning tags ({@link ReasoningTags}: {@code <think>}, {@code </think>}, {@code <answer>},
 *       {@code <|begin_of_thought|>}, ...) are boundaries and never part of a sentence.</li>
 *   <li>Every line break ends a sentence (models use lines as steps), except inside protected spans, in a formula
 *       that goes on to the next line, and inside unfenced code; fragments of three characters or fewer join the
 *       sentence after them ({@link LineRules}).</li>
 *   <li>Nothing is cut inside LaTeX, inline code or URLs, and a fenced code block is exactly one sentence
 *       ({@link MarkupScanner}). A display block on its own lines is therefore a sentence of its own; one written
 *       inside a line of prose stays part of that sentence.</li>
 *   <li>ICU's cuts after abbreviations, line-start list markers ("1." stays with its item), ellipses and factorials
 *       inside formulas, etc. are undone, and the cuts it misses before sentences that start with lowercase math
 *       ("... 0.06. n is 12") or after "…" are added ({@link BreakRules}).</li>
 * </ul>
 * The result is ordered, disjoint, trimmed and non-empty, and together with the whitespace and tags between
 * sentences covers the whole response. Offsets are Unicode code points. The output depends on the text only
 * (ICU's root locale rules), and a Segmenter holds no state, so one instance may be shared between threads.
 */
public final class Segmenter {

    /** The sentences of {@code response}, in order; none for a response that is only whitespace and tags. */
    public List<Sentence> segment(String response) {
        Objects.requireNonNull(response, "response");
        List<int[]> spans = new ArrayList<>();
        for (int[] piece : ReasoningTags.textBetweenTags(response)) cutPiece(response, piece[0], piece[1], spans);
        return CodePointSpans.toSentences(response, spans);
    }

    /** Appends the trimmed UTF-16 spans of the sentences of {@code text[from, to)}, a stretch free of tags. */
    private static void cutPiece(String text, int from, int to, List<int[]> spans) {
        if (Chars.isBlank(text, from, to)) return;
        BitSet cuts = new BitSet(to + 1);
        BitSet protectedInside = new BitSet(to + 1);   // positions strictly inside a protected span
        BitSet mathStarts = new BitSet(to + 1);
        BitSet blockStarts = new BitSet(to + 1);       // sentences that are blocks of their own (display math, code)
        for (MarkupScanner.Region r : MarkupScanner.scan(text, from, to)) {
            protectedInside.set(r.start() + 1, r.end());
            if (r.isLatex()) mathStarts.set(r.start());
            if (r.standalone()) {
                cuts.set(r.start());
                cuts.set(r.end());
                blockStarts.set(r.start());
            }
        }
        BreakIterator icu = BreakIterator.getSentenceInstance(ULocale.ROOT);
        icu.setText(text.substring(from, to));
        for (int b = icu.next(); b != BreakIterator.DONE; b = icu.next()) {
            int cut = BreakRules.cutFor(text, from, to, from + b);
            if (cut >= 0) cuts.set(cut);
        }
        BreakRules.addEllipsisCharacterCuts(text, from, to, cuts);
        BreakRules.addMathStartCuts(text, from, to, mathStarts, cuts);
        for (int i = from; i < to; i++) if (Chars.isLineBreak(text.charAt(i))) cuts.set(i + 1);
        LineRules.joinContinuedLines(text, from, to, cuts);
        LineRules.keepCodeBlocks(text, from, to, cuts, protectedInside, blockStarts);
        cuts.set(to);
        int start = from, first = spans.size();
        for (int cut = cuts.nextSetBit(from + 1); cut >= 0 && cut <= to; cut = cuts.nextSetBit(cut + 1)) {
            if (protectedInside.get(cut)) continue;
            addTrimmed(text, start, cut, spans);
            start = cut;
        }
        LineRules.joinFragments(text, spans, first, blockStarts);
    }

    private static void addTrimmed(String text, int from, int to, List<int[]> spans) {
        int start = Chars.skipSpace(text, from, to), end = Chars.skipSpaceBack(text, start, to);
        if (start < end) spans.add(new int[] {start, end});
    }
}
