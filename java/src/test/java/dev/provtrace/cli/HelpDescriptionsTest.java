package dev.provtrace.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every option of every command says what it does and what happens when it is not given. */
class HelpDescriptionsTest {
    @Test
    void everyOptionHasADescriptionThatStatesItsDefault() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, CommandLine> sub : new CommandLine(new Main()).getSubcommands().entrySet()) {
            if (sub.getKey().equals("help")) continue;
            for (OptionSpec o : sub.getValue().getCommandSpec().options()) {
                if (o.usageHelp() || o.versionHelp()) continue;
                String text = String.join(" ", o.description()).strip();
                String where = sub.getKey() + " " + o.longestName();
                if (text.isEmpty()) problems.add(where + ": no description");
                else if (!o.required() && !isFlag(o) && !text.toLowerCase().contains("default")) {
                    problems.add(where + ": the description does not state the default: " + text);
                }
                if (text.contains("${")) problems.add(where + ": an unresolved variable: " + text);
            }
        }
        assertEquals(List.of(), problems);
    }

    /** The command list of `provtrace --help` shows each command's first description line: a whole sentence. */
    @Test
    void everyCommandsSummaryLineIsACompleteSentence() {
        List<String> cut = new ArrayList<>();
        for (Map.Entry<String, CommandLine> sub : new CommandLine(new Main()).getSubcommands().entrySet()) {
            CommandSpec spec = sub.getValue().getCommandSpec();
            String[] d = spec.usageMessage().description();
            if (d.length == 0 || !d[0].strip().endsWith(".")) cut.add(sub.getKey() + ": " + (d.length == 0 ? "none" : d[0]));
        }
        assertEquals(List.of(), cut);
        String help = new CommandLine(new Main()).getUsageMessage();
        assertTrue(help.contains("most Teacher sentences."), help);
    }

    private static boolean isFlag(OptionSpec o) {
        return o.arity().max() == 0;
    }
}
