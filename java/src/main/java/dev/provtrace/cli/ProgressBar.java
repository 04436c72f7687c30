package dev.provtrace.cli;

import java.io.PrintStream;

/**
 * Progress on stderr for long runs: fraction of records done, tokens/s and ETA. On a terminal it redraws one
 * line (at most 5 times a second); when stderr is a file or pipe it prints a plain line every 15 seconds.
 */
final class ProgressBar {
    private final PrintStream out;
    private final long total;
    private final boolean enabled;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private long lastDraw;
    private long done;
    private long tokens;
    private final String label;

    ProgressBar(PrintStream out, long totalItems, boolean enabled) {
        this(out, "", totalItems, enabled);
    }

    /** A bar whose lines start with {@code label} (e.g. the model being scored). */
    ProgressBar(PrintStream out, String label, long totalItems, boolean enabled) {
        this.label = label.isEmpty() ? "" : label + " ";
        this.out = out;
        this.total = totalItems;
        this.enabled = enabled;
        this.terminal = System.console() != null;
    }

    void advance(long items, long tokensScored) {
        done += items;
        tokens += tokensScored;
        if (!enabled) return;
        long now = System.nanoTime();
        long interval = terminal ? 200_000_000L : 15_000_000_000L;
        if (now - lastDraw < interval || done >= total) return;   // the last line is finish()'s
        lastDraw = now;
        String line = render(now);
        if (terminal) out.print("\r" + line);
        else out.println(line);
        out.flush();
    }

    long done() { return done; }

    void finish() {
        if (!enabled) return;
        String line = render(System.nanoTime());
        if (terminal) out.println("\r" + line);
        else out.println(line);
    }

    private String render(long now) {
        double secs = Math.max(1e-9, (now - started) / 1e9);
        double frac = total > 0 ? Math.min(1, (double) done / total) : 1;
        int width = 28, filled = (int) Math.round(frac * width);
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        double rate = tokens / secs;
        String eta = frac > 0 && frac < 1 ? duration(secs / frac - secs) : "--";
        String speed = tokens > 0 ? String.format(", %,d tokens, %.1f tok/s", tokens, rate)
                : String.format(", %.2f records/s", done / secs);
        return String.format("%s[%s] %3.0f%% %d/%d records%s, elapsed %s, ETA %s",
                label, bar, 100 * frac, done, total, speed, duration(secs), eta);
    }

    static String duration(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%dh%02dm%02ds", t / 3600, t / 60 % 60, t % 60)
                : t >= 60 ? String.format("%dm%02ds", t / 60, t % 60) : t + "s";
    }
}
