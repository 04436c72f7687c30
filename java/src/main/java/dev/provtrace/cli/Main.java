package dev.provtrace.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code provtrace <command>}. Commands parse, call one service, print. */
@Command(name = "provtrace", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Traces where each sentence of a distilled LLM's reasoning came from.",
        subcommands = {DemoCommand.class, TraceCommand.class, ClassifyCommand.class, SelectCommand.class, SegmentCommand.class, RenderCommand.class,
                LogprobsCommand.class, InspectCommand.class, BenchCommand.class, RandomModelCommand.class,
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

    /** Runs a command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + ErrorMessage.of(ex));
            if (System.getenv("PROVTRACE_DEBUG") != null) ex.printStackTrace(commandLine.getErr());
            return 1;
        });
        return cl.execute(args);
    }
}
