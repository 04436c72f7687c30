package dev.provtrace.cli;

import dev.provtrace.trace.PromptBuilder;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** How each model's context is built, shared by the commands that score responses (a picocli mixin). */
final class PromptArgs {
    @Option(names = "--prompt-format", defaultValue = "chat",
            description = "chat (each model's chat template) or raw (question, newline, response); default ${DEFAULT-VALUE}")
    String promptFormat;

    @Option(names = "--template", paramLabel = "FILE", description = "a Jinja chat template to use for every model instead of their own (default: each model's own)")
    Path template;

    PromptBuilder.Format format() {
        return switch (promptFormat.toLowerCase()) {
            case "chat" -> PromptBuilder.Format.CHAT;
            case "raw" -> PromptBuilder.Format.RAW;
            default -> throw new IllegalArgumentException("--prompt-format must be chat or raw, got " + promptFormat);
        };
    }
}
