package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.provtrace.text.template.ChatTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Print a model's chat template rendered for a conversation, exactly as the model is fed it.")
final class RenderCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the model folder whose chat template and special tokens are used")
    Path model;

    @Option(names = "--messages", required = true, paramLabel = "FILE.json",
            description = "a JSON array of {\"role\", \"content\"}") Path messages;

    @Option(names = "--add-generation-prompt", description = "end with the opening of the assistant's turn, as add_generation_prompt=True (default: off)")
    boolean addGenerationPrompt;

    @Option(names = "--template", paramLabel = "FILE", description = "render this Jinja template instead of the model's (default: the model's own)")
    Path template;

    @Override
    public Integer call() throws Exception {
        JsonNode arr = new ObjectMapper().readTree(messages.toFile());
        if (arr == null || !arr.isArray()) throw new IllegalArgumentException(messages + ": expected a JSON array of messages");
        List<Map<String, Object>> list = new ArrayList<>();
        ObjectMapper om = new ObjectMapper();
        for (int i = 0; i < arr.size(); i++) {
            JsonNode m = arr.get(i);
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw new IllegalArgumentException(messages + ": message " + i + " needs a \"role\" string");
            }
            // every field goes to the template (content, reasoning_content, tool_calls, ...), in file order
            list.add(om.convertValue(m, new TypeReference<LinkedHashMap<String, Object>>() {}));
        }
        ChatTemplate t = template != null
                ? ChatTemplate.fromString(Files.readString(template), ChatTemplate.specialTokens(model))
                : ChatTemplate.load(model);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(t.renderConversation(list, addGenerationPrompt, LocalDateTime.now(), Map.of()));
        out.flush();
        return 0;
    }
}
