package dev.provtrace.cli;

import dev.provtrace.trace.PromptBuilder;
import dev.provtrace.trace.PromptSetup;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** How each model's context is built, shared by the commands that score responses (a picocli mixin). */
final class PromptArgs {
    @Option(names = "--prompt-format", defaultValue = "chat",
            description = "chat (each model's chat template) or raw (question, newline, response); default ${DEFAULT-VALUE}")
    String promptFormat;

    @Option(names = "--template", paramLabel = "FILE", description = "a Jinja chat template to use for every model instead of their own (default: each model's own)")
    Path template;

    @Option(names = "--system", paramLabel = "TEXT|@FILE",
            description = "a system prompt for every model's chat template (@FILE: the file's text); a record whose messages start "
                    + "with a system turn keeps its own (default: none)")
    String system;

    @Option(names = "--chat-kwargs", paramLabel = "JSON",
            description = "keyword arguments for every model's chat template, as apply_chat_template takes them, e.g. "
                    + "'{\"enable_thinking\": true}' (default: none)")
    String chatKwargs;

    @Option(names = "--teacher-system", paramLabel = "TEXT|@FILE", description = "the teacher's system prompt instead of --system (default: --system)")
    String teacherSystem;
    @Option(names = "--student-system", paramLabel = "TEXT|@FILE", description = "the student's system prompt instead of --system (default: --system)")
    String studentSystem;
    @Option(names = "--distilled-system", paramLabel = "TEXT|@FILE", description = "the distilled model's system prompt instead of --system (default: --system)")
    String distilledSystem;
    @Option(names = "--teacher-chat-kwargs", paramLabel = "JSON", description = "the teacher's template kwargs, over --chat-kwargs key by key (default: --chat-kwargs)")
    String teacherChatKwargs;
    @Option(names = "--student-chat-kwargs", paramLabel = "JSON", description = "the student's template kwargs, over --chat-kwargs key by key (default: --chat-kwargs)")
    String studentChatKwargs;
    @Option(names = "--distilled-chat-kwargs", paramLabel = "JSON", description = "the distilled model's template kwargs, over --chat-kwargs key by key (default: --chat-kwargs)")
    String distilledChatKwargs;

    /** The system prompt and template kwargs of one role (teacher, student, distilled): its own over the global ones. */
    PromptSetup setup(String role) {
        PromptSetup global = new PromptSetup(text("--system", system), PromptSetup.parseKwargs("--chat-kwargs", chatKwargs));
        String s = switch (role) {
            case "teacher" -> teacherSystem;
            case "student" -> studentSystem;
            case "distilled" -> distilledSystem;
            default -> throw new IllegalArgumentException("no role " + role);
        };
        String k = switch (role) {
            case "teacher" -> teacherChatKwargs;
            case "student" -> studentChatKwargs;
            default -> distilledChatKwargs;
        };
        PromptSetup own = new PromptSetup(text("--" + role + "-system", s), PromptSetup.parseKwargs("--" + role + "-chat-kwargs", k));
        PromptSetup merged = global.overriddenBy(own);
        if (!merged.isEmpty() && format() != PromptBuilder.Format.CHAT) {
            throw new IllegalArgumentException("--system and --chat-kwargs need --prompt-format chat (a raw context has no template)");
        }
        return merged;
    }

    /** Refuses the per-model options of a role the command does not have (select has no distilled model). */
    void refuseRole(String role) {
        if ("distilled".equals(role) && (distilledSystem != null || distilledChatKwargs != null)) {
            throw new IllegalArgumentException("--distilled-system and --distilled-chat-kwargs: this command scores no distilled model");
        }
    }

    /** The option's text, or for @FILE the file's (UTF-8). */
    private static String text(String option, String value) {
        if (value == null || !value.startsWith("@")) return value;
        Path f = Path.of(value.substring(1));
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + value + ": cannot read " + f + " (" + e.getMessage() + ")");
        }
    }

    PromptBuilder.Format format() {
        return switch (promptFormat.toLowerCase()) {
            case "chat" -> PromptBuilder.Format.CHAT;
            case "raw" -> PromptBuilder.Format.RAW;
            default -> throw new IllegalArgumentException("--prompt-format must be chat or raw, got " + promptFormat);
        };
    }
}
