package dev.provtrace.selection;

import dev.provtrace.provenance.Aligner;
import dev.provtrace.provenance.Alignment;
import dev.provtrace.provenance.ScoredTokens;
import dev.provtrace.provenance.Segmenter;
import dev.provtrace.provenance.Sentence;
import dev.provtrace.provenance.SentenceSpan;
import dev.provtrace.trace.ModelFingerprint;
import dev.provtrace.trace.RescoringLookup;
import dev.provtrace.trace.ScoreCache;
import dev.provtrace.trace.ScoredText;

import java.io.IOException;
import java.util.List;

/**
 * A candidate's sentences with their probabilities under the teacher and the student, from the scores already in
 * the caches: the response is segmented, and each model's tokens are aligned to its sentences exactly as
 * {@code trace} does (same segmenter, same aligner), so a sentence's p is the same number in both commands.
 */
public final class SentenceProbabilities {
    private final Segmenter segmenter = new Segmenter();
    private final ScoreCache teacher, student, grape;
    private final RescoringLookup lookup;

    /** @param grape the cache of the student under the GRAPE prompt, or null when no strategy needs it */
    public SentenceProbabilities(ScoreCache teacher, ScoreCache student, ScoreCache grape) {
        this(teacher, student, grape, new RescoringLookup());
    }

    /** As above; an entry that fails its read-back check is scored again through {@code lookup}. */
    public SentenceProbabilities(ScoreCache teacher, ScoreCache student, ScoreCache grape, RescoringLookup lookup) {
        this.teacher = teacher;
        this.student = student;
        this.grape = grape;
        this.lookup = lookup;
    }

    /** The candidate's scores; zero sentences when the response is only whitespace and reasoning tags. */
    public CandidateScores of(Candidate c) throws IOException {
        List<Sentence> sentences = segmenter.segment(c.response());
        List<SentenceSpan> spans = sentences.stream().map(s -> new SentenceSpan(s.start(), s.end())).toList();
        String key = ModelFingerprint.recordKey(c.toTraceRecord().promptKey(), c.response());
        double[] pT = probabilities(teacher, key, c, spans), pS = probabilities(student, key, c, spans);
        double grapeScore = grape == null ? Double.NaN : GrapeScore.of(entry(grape, key, c));
        return new CandidateScores(c.line(), c.id(), c.questionId(), c.responseChars(), pT, pS, grapeScore, c.idValue(),
                c.questionIdValue());
    }

    private double[] probabilities(ScoreCache cache, String key, Candidate c, List<SentenceSpan> spans) throws IOException {
        ScoredText st = entry(cache, key, c);
        // the aligner looks at the response's characters; the prompt's only decide that its tokens are the prompt's
        String context = " ".repeat(st.responseStart()) + c.response();
        Alignment a = Aligner.align(context, st.responseStart(), spans, ScoredTokens.of(st.starts(), st.ends(), st.logprobs()));
        return a.probabilities();
    }

    private ScoredText entry(ScoreCache cache, String key, Candidate c) throws IOException {
        ScoredText st = lookup.get(cache, c.toTraceRecord());      // checked (CRC, key); scored again if it fails
        if (st == null) throw new IllegalStateException(cache.file() + ": no scores for candidate " + c.id() + " (line " + c.line() + ")");
        return st;
    }
}
