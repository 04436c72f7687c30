package dev.provtrace.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands the demo prints paste and run: the launcher first, every path quoted, every option known. */
class DemoHintsTest {
    @Test
    void printedCommandsParseAndRunEvenInAFolderWithASpaceAndAQuote(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo out's");
        TraceCommandTest.Run r = TraceCommandTest.run("demo", "--out", out.toString(), "--threads", "2", "--quiet");
        assertEquals(0, r.exit(), r.out() + r.err());
        List<List<String>> commands = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (line.startsWith("  ./provtrace ")) commands.add(ShellCommand.split(line.strip()));
        }
        assertEquals(2, commands.size(), r.out());
        List<String> classify = commands.get(0), select = commands.get(1);
        assertEquals(List.of("./provtrace", "classify", "--scores", out.toString(), "--beta", "auto"), classify);
        assertEquals("select", select.get(1));
        assertTrue(r.out().contains("--scores '" + dir + "/demo out'\\''s' --beta auto"), r.out());

        // each parses as a provtrace command line and names files the demo wrote
        for (List<String> c : commands) new CommandLine(new Main()).parseArgs(c.subList(1, c.size()).toArray(String[]::new));
        assertTrue(Files.isDirectory(Path.of(valueOf(select, "--teacher"))), select.toString());
        assertTrue(Files.isDirectory(Path.of(valueOf(select, "--student"))), select.toString());
        assertTrue(Files.isRegularFile(Path.of(valueOf(select, "--input"))), select.toString());
        // and the first one runs
        TraceCommandTest.Run again = TraceCommandTest.run(classify.subList(1, classify.size()).toArray(String[]::new));
        assertEquals(0, again.exit(), again.err());
    }

    @Test
    void quotingIsReadBackBySh() throws IOException, InterruptedException {
        List<String> words = List.of("plain/path-1.jsonl", "a b", "it's", "$HOME", "*", "", "back\\slash", "--x=1");
        StringBuilder line = new StringBuilder("printf '[%s]\\n'");
        for (String w : words) line.append(' ').append(ShellCommand.quote(w));
        Process p = new ProcessBuilder("sh", "-c", line.toString()).redirectErrorStream(true).start();
        String got = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), got);
        StringBuilder expected = new StringBuilder();
        for (String w : words) expected.append('[').append(w).append("]\n");
        assertEquals(expected.toString(), got);
        assertEquals(words, ShellCommand.split(line.substring(line.indexOf("' ") + 2)));
        assertEquals("plain/path-1.jsonl", ShellCommand.quote("plain/path-1.jsonl"));
        assertEquals("'it'\\''s'", ShellCommand.quote("it's"));
    }

    private static String valueOf(List<String> words, String option) {
        return words.get(words.indexOf(option) + 1);
    }
}
