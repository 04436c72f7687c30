package dev.provtrace.trace;

import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads records' scores from their caches after the scoring pass, scoring a record again when its entry fails the
 * read-back check ({@link ScoreCache#get(String, String)}: CRC or key). The open scan has already checked every
 * entry, so this is rare (the file changed under the run); the model is then loaded for it and kept loaded until
 * {@link #close()}, in case more entries fail.
 */
public final class RescoringLookup implements AutoCloseable {
    private final Map<ScoreCache, ModelScorer> scorers = new IdentityHashMap<>();
    private final Map<ScoreCache, ModelScorer.Session> sessions = new IdentityHashMap<>();

    /** Says which model scores the records of a cache. */
    public void register(ScoreCache cache, ModelScorer scorer) {
        scorers.put(cache, scorer);
    }

    /**
     * The checked entry of a record in {@code cache}, scored again first when its entry fails the check; null when
     * the record was never scored (the caller knows why: e.g. the input changed between passes).
     */
    public ScoredText get(ScoreCache cache, TraceRecord r) throws IOException {
        String key = ModelFingerprint.recordKey(r.promptKey(), r.response());
        if (!cache.contains(key)) return null;
        String name = r.id() != null ? r.id() : "line " + r.line();
        ScoredText st = cache.get(key, name);
        if (st != null) return st;
        ModelScorer scorer = scorers.get(cache);
        if (scorer == null) throw new IOException(cache.file() + ": no scores for record \"" + name + "\"");
        ModelScorer.Session session = sessions.computeIfAbsent(cache, c -> scorer.open());
        List<ModelScorer.Failure> failed = session.scoreMissing(List.of(r), cache, null);
        st = cache.get(key, name);
        if (st == null) {
            throw new IOException(cache.file() + ": record \"" + name + "\" could not be scored again"
                    + (failed.isEmpty() ? "" : ": " + failed.get(0).reason()));
        }
        return st;
    }

    @Override
    public void close() {
        for (ModelScorer.Session s : sessions.values()) s.close();
        sessions.clear();
    }
}
