package dev.provtrace.trace;

/** β as the user gave it: a fixed value, or {@code auto} (chosen from the Δ_TS histogram of the data). */
public record BetaChoice(boolean auto, double value) {
    public static BetaChoice parse(String s) {
        if (s.equalsIgnoreCase("auto")) return new BetaChoice(true, Double.NaN);
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--beta must be a number or auto, got " + s);
        }
        if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException("--beta must be >= 0, got " + s);
        return new BetaChoice(false, v);
    }

    @Override
    public String toString() { return auto ? "auto" : Double.toString(value); }
}
