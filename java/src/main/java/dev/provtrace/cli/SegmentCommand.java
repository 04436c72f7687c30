package dev.provtrace.cli;

import dev.provtrace.io.AtomicOutput;
import dev.provtrace.io.JsonlWriter;
import dev.provtrace.io.OutputGuard;
import dev.provtrace.io.RejectedFile;
import dev.provtrace.io.StandardInput;
import dev.provtrace.provenance.SegmentJob;
import dev.provtrace.provenance.Segmenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "segment", mixinStandardHelpOptions = true,
        description = {"Cuts each reasoning response into sentences (the actions whose provenance is traced).",
                "Input lines: {\"id\": ..., \"response\": \"...\"} (other fields are ignored).",
                "Output lines: {\"id\", \"sentences\": [{\"start\", \"end\", \"text\"}, ...]}, offsets in code points",
                "(Python's response[start:end] == text); tags such as <think> are boundaries, never inside a sentence.",
                "Bad records are reported with file:line (id), listed in <output>.rejected.jsonl (with --output) and",
                "skipped (the rest are segmented); the exit code is then 3."})
final class SegmentCommand implements Callable<Integer> {
    @Mixin
    RecordArgs records;

    @Option(names = "--input", required = true, paramLabel = "FILE.jsonl", description = "records with \"id\" and \"response\", one JSON object a line (- for standard input)")
    Path input;

    @Option(names = "--output", paramLabel = "FILE.jsonl",
            description = "written atomically when done; - for standard output (default: standard output)")
    Path output;

    @Override
    public Integer call() throws Exception {
        StandardInput.check("--input", input);
        Path target = output != null ? output : Path.of(AtomicOutput.STANDARD_STREAM);
        OutputGuard.refuseInput("--output", target, "--input", input);
        SegmentJob job = new SegmentJob(new Segmenter(), System.err).maxLineBytes(records.maxLineBytes);
        SegmentJob.Result r;
        JsonlWriter writer = JsonlWriter.open(target);
        try {
            r = job.run(input, writer::write);
        } catch (Exception | Error e) {
            writer.abort();   // never publish a partial file under the output's name
            throw e;
        }
        writer.close();
        Path rejected = RejectedFile.besideOutput(target);
        RejectedFile.write(rejected, r.rejected());
        System.err.printf("%d records segmented (%d sentences) -> %s%s%n", r.written(), r.sentences(),
                AtomicOutput.describe(target),
                r.failed() > 0 ? "; " + r.failed() + " bad records reported above and skipped (listed in "
                        + RejectedFile.describe(rejected) + ")" : "");
        System.err.println(RejectedFile.counts(r.read(), r.written(), r.failed()));
        return ExitCodes.forRejected(r.failed());
    }
}
