package dev.provtrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.io.JsonlWriter;
import dev.provtrace.provenance.SegmentJob;
import dev.provtrace.provenance.Segmenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "segment", mixinStandardHelpOptions = true,
        description = {"Cuts each reasoning response into sentences (the actions whose provenance is traced).",
                "Input lines: {\"id\": ..., \"response\": \"...\"} (other fields are ignored).",
                "Output lines: {\"id\", \"sentences\": [{\"start\", \"end\", \"text\"}, ...]}, offsets in code points",
                "(Python's response[start:end] == text); tags such as <think> are boundaries, never inside a sentence.",
                "Exit code 2 when some records were bad (each is reported with its line; the rest are segmented)."})
final class SegmentCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--input", required = true, paramLabel = "FILE.jsonl", description = "records with \"id\" and \"response\", one JSON object a line")
    Path input;

    @Option(names = "--output", paramLabel = "FILE.jsonl", description = "written atomically when done (default: standard output)")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(input)) throw new IllegalArgumentException(InputFiles.notAFile(input));
        SegmentJob job = new SegmentJob(new Segmenter(), System.err);
        SegmentJob.Result r;
        if (output != null) {
            JsonlWriter writer = JsonlWriter.open(output);
            try {
                r = job.run(input, writer::write);
            } catch (Exception | Error e) {
                writer.abort();   // never publish a partial file under the output's name
                throw e;
            }
            writer.close();
        } else {
            Writer stdout = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
            r = job.run(input, line -> {
                stdout.write(JSON.writeValueAsString(line));
                stdout.write('\n');
            });
            stdout.flush();
        }
        System.err.printf("%d records segmented (%d sentences) -> %s%s%n", r.written(), r.sentences(),
                output != null ? output : "standard output",
                r.failed() > 0 ? "; " + r.failed() + " bad records reported above and skipped" : "");
        return r.failed() > 0 ? 2 : 0;
    }
}
