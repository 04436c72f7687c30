package dev.provtrace.cli;

/**
 * What a command's exit status means, the same for every command (the README has the table). A script can tell
 * "some records were rejected, the rest went through" (3) from "the run failed" (1) and "the command line is wrong" (2).
 */
final class ExitCodes {
    /** Everything went through. */
    static final int OK = 0;
    /** The run failed (a model, a file, an I/O error): the message says what. */
    static final int FAILURE = 1;
    /** The command line is wrong (picocli's own code for parameter errors). */
    static final int USAGE = 2;
    /** The run finished, but some records were rejected (each on stderr and in rejected.jsonl). */
    static final int REJECTED = 3;

    private ExitCodes() {}

    static int forRejected(long rejected) { return rejected > 0 ? REJECTED : OK; }
}
