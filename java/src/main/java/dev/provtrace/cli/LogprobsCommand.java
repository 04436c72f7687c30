package dev.provtrace.cli;
import picocli.CommandLine.Command;
@Command(name = "logprobs", description = "Per-token log-probs.")
final class LogprobsCommand implements Runnable { public void run() { throw new UnsupportedOperationException("logprobs: not yet"); } }
