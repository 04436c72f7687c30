package dev.provtrace.cli;

import dev.provtrace.trace.TraceJob;

/** One progress bar per model being scored, each closed when the next model starts. */
final class ModelProgress implements TraceJob.Progress {
    private final boolean enabled;
    private String role;
    private ProgressBar bar;

    ModelProgress(boolean enabled) { this.enabled = enabled; }

    @Override
    public void update(String role, long done, long total) {
        if (!role.equals(this.role)) {
            finish();
            this.role = role;
            bar = new ProgressBar(System.err, "scoring under the " + role, total, enabled);
        }
        bar.advance(done - bar.done(), 0);
    }

    void finish() {
        if (bar != null) bar.finish();
        bar = null;
    }
}
