package dev.provtrace.model;

/** A config.json that we cannot run faithfully: the message names the file and the key. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) { super(message); }
}
