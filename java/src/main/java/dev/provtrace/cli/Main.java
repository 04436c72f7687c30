package dev.provtrace.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code provtrace <command>}. Commands parse, call one service, print. */
@Command(name = "provtrace", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Traces where each sentence of a distilled LLM's reasoning came from.",
        subcommands = {DemoCommand.class, TraceCommand.class, ClassifyCommand.class, CompareCommand.class, SelectCommand.class, SegmentCommand.class, RenderCommand.class,
                LogprobsCommand.class, InspectCommand.class, BenchCommand.class, TestOpsCommand.class, RandomModelCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * An option value the command checked itself ({@code --alpha must be >= 0}): a usage error like picocli's own,
     * exit code 2. Such checks throw IllegalArgumentException with a message that starts with the option's name.
     */
    static boolean isBadOptionValue(Exception ex) {
        return ex instanceof IllegalArgumentException && ex.getMessage() != null && ex.getMessage().startsWith("--");
    }

    /** Runs a command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExpandAtFiles(false);   // "--system @prompt.txt" names a file for the option, not one of arguments
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + ErrorMessage.of(ex));
            if (System.getenv("PROVTRACE_DEBUG") != null) ex.printStackTrace(commandLine.getErr());
            return isBadOptionValue(ex) ? ExitCodes.USAGE : ExitCodes.FAILURE;
        });
        return cl.execute(args);
    }
}
