package dev.provtrace.trace;

import dev.provtrace.provenance.Label;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Which responses get a figure of their own (--examples): {@code id,id,...} (those, in input order), {@code N} (the
 * first N), or {@code random:N} (a uniform sample of N, the same one every run: a fixed-seed reservoir). Sees every
 * response once, keeps only the chosen ones.
 */
public final class ExamplePicker {
    /** A chosen response with its labels. */
    public record Chosen(TracedResponse response, List<Label> labels) {}

    private final Set<String> ids;     // for id lists; null otherwise
    private final int n;               // for N and random:N
    private final boolean random;
    private final List<Chosen> chosen = new ArrayList<>();
    private final SplittableRandom rng = new SplittableRandom(20251224L);
    private long seen;

    private ExamplePicker(Set<String> ids, int n, boolean random) {
        this.ids = ids;
        this.n = n;
        this.random = random;
    }

    /** None chosen (no --examples). */
    public static ExamplePicker none() { return new ExamplePicker(null, 0, false); }

    /** Parses --examples: {@code id,id,...}, {@code N} or {@code random:N}. */
    public static ExamplePicker parse(String spec) {
        if (spec == null) return none();
        String s = spec.strip();
        try {
            if (s.startsWith("random:")) return new ExamplePicker(null, positive(Integer.parseInt(s.substring(7).strip())), true);
            if (s.matches("\\d+")) return new ExamplePicker(null, positive(Integer.parseInt(s)), false);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--examples: \"" + spec + "\" is not id,id,..., N or random:N");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String id : s.split(",")) if (!id.isBlank()) ids.add(id.strip());
        if (ids.isEmpty()) throw new IllegalArgumentException("--examples: \"" + spec + "\" names no response");
        return new ExamplePicker(ids, 0, false);
    }

    private static int positive(int n) {
        if (n < 1 || n > 1000) throw new IllegalArgumentException("--examples: between 1 and 1000 responses, got " + n);
        return n;
    }

    public void add(TracedResponse r, List<Label> labels) {
        int at = slot(r);
        if (at >= 0) {   // a copy of the labels only for the responses kept (the list is the caller's)
            Chosen c = new Chosen(r, new ArrayList<>(labels));
            if (at == chosen.size()) chosen.add(c);
            else chosen.set(at, c);
        }
        seen++;
    }

    /** Where this response goes among the chosen ones (the end: appended), or -1 when it is not kept. */
    private int slot(TracedResponse r) {
        if (ids != null) return ids.contains(r.id()) ? chosen.size() : -1;
        if (!random) return chosen.size() < n ? chosen.size() : -1;
        if (seen < n) return chosen.size();
        long j = rng.nextLong(seen + 1);   // Algorithm R
        return j < n ? (int) j : -1;
    }

    /** The chosen responses (for random:N in reservoir order). */
    public List<Chosen> chosen() { return List.copyOf(chosen); }

    /** Ids asked for that no response had (empty unless an id list was given). */
    public List<String> missing() {
        if (ids == null) return List.of();
        Set<String> left = new LinkedHashSet<>(ids);
        for (Chosen c : chosen) left.remove(c.response().id());
        return List.copyOf(left);
    }
}
