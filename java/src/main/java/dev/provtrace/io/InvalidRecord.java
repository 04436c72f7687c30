package dev.provtrace.io;

/** A JSONL record whose fields do not make a valid input; its message says what is wrong. */
public class InvalidRecord extends Exception {
    public InvalidRecord(String message) { super(message); }
}
