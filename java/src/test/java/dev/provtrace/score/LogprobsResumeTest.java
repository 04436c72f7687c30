package dev.provtrace.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.demo.DemoTrio;
import dev.provtrace.engine.Engine;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.tokenizer.HfTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The resumable {@code logprobs} output in-process: a run stopped after some groups (as a kill right after a group
 * was recorded) is continued by the next one, a torn last line is cut off, the result has the bytes of an
 * uninterrupted run; a partial made with other options, input or model is not continued, and says why.
 */
class LogprobsResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SETUP = "model=demo-teacher";
    private static final EngineOptions ENGINE = new EngineOptions(1, 32, false);
    /** Tokens per group: a couple of the short questions, so a run of 13 lines has several groups. */
    private static final int GROUP = 16;

    @TempDir
    static Path dir;
    static Engine engine;
    static HfTokenizer tokenizer;
    static Path input;

    @BeforeAll
    static void model() throws Exception {
        DemoTrio.generate(dir.resolve("demo"));
        Path teacher = DemoTrio.modelDir(dir.resolve("demo"), DemoTrio.Role.TEACHER);
        engine = Engine.load(teacher, ENGINE);
        tokenizer = HfTokenizer.load(teacher);
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(DemoTrio.inputFile(dir.resolve("demo")))) {
            JsonNode r = JSON.readTree(l);
            lines.add(JSON.writeValueAsString(JSON.createObjectNode().put("id", r.get("id").asText()).put("text", r.get("question").asText())));
        }
        lines.add(3, "{\"id\": \"broken\", ");          // line 4: a bad record inside the part done before the stop
        input = Files.write(dir.resolve("in.jsonl"), lines);
    }

    @AfterAll
    static void close() {
        if (tokenizer != null) tokenizer.close();
        if (engine != null) engine.close();
    }

    /** Stands for a kill: thrown by the progress callback, which runs right after a group is recorded. */
    static final class Stop extends RuntimeException {
        Stop() { super("stopped"); }
    }

    record Run(LogprobsJob.Result result, String errors) {}

    static Run run(ScoreOptions options, Path in, Path out, String setup, int stopAfterGroups) throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        LogprobsJob job = new LogprobsJob(engine, tokenizer, options, true, GROUP / 4, ps);
        int[] groups = {0};
        LogprobsJob.Result r = job.run(in, out, setup, ENGINE, (records, tokens) -> {
            if (tokens > 0 && ++groups[0] == stopAfterGroups) throw new Stop();
        });
        return new Run(r, err.toString(StandardCharsets.UTF_8));
    }

    static Path reference(ScoreOptions options, Path in, String name) throws IOException {
        Path ref = Files.createDirectories(dir.resolve("reference")).resolve(name);
        new LogprobsJob(engine, tokenizer, options, true, GROUP / 4, new PrintStream(new ByteArrayOutputStream())).run(in, ref, null);
        return ref;
    }

    static List<String> folder(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aStoppedRunIsContinuedAndATornLineCutOff() throws Exception {
        ScoreOptions options = new ScoreOptions(0, false);
        Path work = Files.createDirectories(dir.resolve("stopped")), out = work.resolve("out.jsonl");
        Path partial = work.resolve(".out.jsonl.partial");

        assertThrows(Stop.class, () -> run(options, input, out, SETUP, 3));
        assertFalse(Files.exists(out), "a stopped run never leaves the output's name");
        JsonNode record = JSON.readTree(work.resolve(".out.jsonl.partial.json").toFile());
        long line = record.get("line").asLong(), written = record.get("written").asLong();
        assertTrue(line >= 4 && written >= 3, "three groups are recorded, the bad line 4 among them: " + record);
        assertEquals(1, record.get("failed").asInt());
        assertEquals(Files.size(partial), record.get("bytes").asLong());
        assertEquals(written, Files.readAllLines(partial).size());
        Files.writeString(partial, "{\"id\":\"arith-0", StandardOpenOption.APPEND);   // a line torn by the kill

        Run resumed = run(options, input, out, SETUP, -1);
        assertTrue(resumed.errors().contains("resuming: " + (written + 1) + " of 13 records already scored in .out.jsonl.partial"
                + " (1 bad records among them, reported by the earlier run)"), resumed.errors());
        assertFalse(resumed.errors().contains("in.jsonl:4"), "line 4 was reported by the run that read it");
        assertEquals(12, resumed.result().written());
        assertEquals(1, resumed.result().failed());
        assertEquals(13, resumed.result().read());
        // the bad line 4 was read by the stopped run; the resumed one still lists it (from the partial's sidecar)
        assertEquals(List.of(4L), resumed.result().rejected().stream().map(r -> r.line()).toList());
        assertArrayEquals(Files.readAllBytes(reference(options, input, "plain.jsonl")), Files.readAllBytes(out));
        assertEquals(List.of("out.jsonl", "out.jsonl.rejected.jsonl"), folder(work), "the partial, its progress record and sidecar are gone");
        assertEquals(1, Files.readAllLines(work.resolve("out.jsonl.rejected.jsonl")).size());
        assertTrue(Files.readString(work.resolve("out.jsonl.rejected.jsonl")).startsWith("{\"line\":4,\"id\":null,\"reason\":\"malformed JSON"));
    }

    @Test
    void aPartialFromOtherOptionsInputOrModelIsStartedAfresh() throws Exception {
        ScoreOptions plain = new ScoreOptions(0, false), topK = new ScoreOptions(2, true);
        Path work = Files.createDirectories(dir.resolve("changed")), out = work.resolve("out.jsonl");

        assertThrows(Stop.class, () -> run(plain, input, out, SETUP, 2));
        Run other = run(topK, input, out, SETUP, -1);
        assertTrue(other.errors().contains(".out.jsonl.partial was made with other options (top_k 0, now 2; entropy false,"
                + " now true); it is not continued: starting afresh"), other.errors());
        assertFalse(other.errors().contains("resuming"), other.errors());
        assertArrayEquals(Files.readAllBytes(reference(topK, input, "top2.jsonl")), Files.readAllBytes(out));

        Path shorter = Files.write(work.resolve("in2.jsonl"), Files.readAllLines(input).subList(0, 8));
        assertThrows(Stop.class, () -> run(plain, input, out, SETUP, 2));
        Run changedInput = run(plain, shorter, out, "model=another", -1);
        assertTrue(changedInput.errors().contains("was made with another model (its config, tokenizer or weights differ),"
                + " another input (the input file's content differs); it is not continued: starting afresh"), changedInput.errors());
        assertArrayEquals(Files.readAllBytes(reference(plain, shorter, "shorter.jsonl")), Files.readAllBytes(out));
        assertEquals(List.of("in2.jsonl", "out.jsonl", "out.jsonl.rejected.jsonl"), folder(work));
    }

    @Test
    void aRecordLeftByAFinishedRunIsDropped() throws Exception {
        ScoreOptions options = new ScoreOptions(0, false);
        Path work = Files.createDirectories(dir.resolve("finished")), out = work.resolve("out.jsonl");
        assertThrows(Stop.class, () -> run(options, input, out, SETUP, 2));
        // as if finish() had renamed the partial and been killed before it removed the record
        Files.move(work.resolve(".out.jsonl.partial"), out);
        Run again = run(options, input, out, SETUP, -1);
        assertTrue(again.errors().contains("note: .out.jsonl.partial.json is left from a run that had finished"), again.errors());
        assertArrayEquals(Files.readAllBytes(reference(options, input, "plain.jsonl")), Files.readAllBytes(out));
        assertEquals(List.of("out.jsonl", "out.jsonl.rejected.jsonl"), folder(work));
    }

    @Test
    void optionChangesNameOnlyWhatDiffers() {
        assertEquals("threads 2, now 4", PartialOutput.optionChanges("threads=2 top_k=0", "threads=4 top_k=0"));
        assertEquals("entropy unset, now true", PartialOutput.optionChanges("top_k=0", "top_k=0 entropy=true"));
        assertEquals("", PartialOutput.optionChanges("a=1 b=2", "a=1 b=2"));
    }

    @Test
    void aSecondRunOnTheSameOutputIsRefusedWhileTheFirstHoldsIt() throws Exception {
        Path out = Files.createDirectories(dir.resolve("locked")).resolve("out.jsonl");
        PartialOutput.Setup setup = new PartialOutput.Setup("m", "o", "i");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        try (PartialOutput first = PartialOutput.open(out, setup, quiet)) {
            IOException e = assertThrows(IOException.class, () -> PartialOutput.open(out, setup, quiet));
            assertTrue(e.getMessage().contains(".out.jsonl.partial: another logprobs run is writing " + out), e.getMessage());
            assertEquals(PartialOutput.Done.NOTHING, first.resumedFrom());
        }
    }

    @Test
    void onlyRegularFilesAndNewPathsAreResumable() throws Exception {
        Path d = Files.createDirectories(dir.resolve("kinds"));
        Path regular = Files.writeString(d.resolve("regular.jsonl"), "");
        assertTrue(PartialOutput.appliesTo(d.resolve("new.jsonl")));
        assertTrue(PartialOutput.appliesTo(regular));
        assertFalse(PartialOutput.appliesTo(Path.of("-")), "stdout");
        assertFalse(PartialOutput.appliesTo(Files.createSymbolicLink(d.resolve("link.jsonl"), regular)), "a symlink is written through");
        assertFalse(PartialOutput.appliesTo(Path.of("/dev/null")), "a character device");
        assertFalse(PartialOutput.appliesTo(d), "a folder");
    }
}
