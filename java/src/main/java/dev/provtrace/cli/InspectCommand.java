package dev.provtrace.cli;
import picocli.CommandLine.Command;
@Command(name = "inspect", description = "Describe a model folder.")
final class InspectCommand implements Runnable { public void run() { throw new UnsupportedOperationException("inspect: not yet"); } }
