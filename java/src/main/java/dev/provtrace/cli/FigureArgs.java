package dev.provtrace.cli;

import dev.provtrace.trace.ExamplePicker;
import dev.provtrace.trace.TraceOutputs;
import picocli.CommandLine.Option;

/** What a labelling run's figures show (trace and classify; a picocli mixin). */
final class FigureArgs {
    @Option(names = "--position-bins", defaultValue = "20", paramLabel = "N",
            description = "bins of the position curves in summary.json, the report and figures/ (default ${DEFAULT-VALUE})")
    int positionBins;

    @Option(names = "--examples", paramLabel = "ID,ID|N|random:N",
            description = "responses that get a figure of their own in figures/examples/ (p_T, p_S, p_D per sentence over label "
                    + "bands): these ids, the first N, or N at random (the same every run); default: none")
    String examples;

    @Option(names = "--examples-log-p", description = "those figures show log p instead of p")
    boolean examplesLogP;

    /** The options as the writer takes them; a bad value is refused naming its option. */
    TraceOutputs.FigureOptions options() {
        if (positionBins < 1) throw new IllegalArgumentException("--position-bins must be >= 1, got " + positionBins);
        return new TraceOutputs.FigureOptions(positionBins, ExamplePicker.parse(examples), examplesLogP);
    }
}
