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
            description = "a JSON array of {\"role\", \"content\"}, or {\"messages\": [...], \"tools\": [...], <template keyword "
                    + "arguments such as enable_thinking>} as transformers' apply_chat_template takes them") Path messages;

    @Option(names = "--add-generation-prompt", description = "end with the opening of the assistant's turn, as add_generation_prompt=True (default: off)")
    boolean addGenerationPrompt;

    @Option(names = "--template", paramLabel = "FILE", description = "render this Jinja template instead of the model's (default: the model's own)")
    Path template;

    @Override
    public Integer call() throws Exception {
        ObjectMapper om = new ObjectMapper();
        JsonNode request = om.readTree(messages.toFile());
        Map<String, Object> kwargs = new LinkedHashMap<>();
        boolean generationPrompt = addGenerationPrompt;
        JsonNode arr = request;
        if (request != null && request.isObject()) {
            // apply_chat_template(messages, tools=..., documents=..., add_generation_prompt=..., **kwargs)
            arr = request.get("messages");
            if (arr == null) throw new IllegalArgumentException(messages + ": an object needs \"messages\" (an array of messages)");
            for (var e : request.properties()) {
                String key = e.getKey();
                if (key.equals("messages")) continue;
                if (key.equals("add_generation_prompt")) {
                    if (!e.getValue().isBoolean()) throw new IllegalArgumentException(messages + ": \"add_generation_prompt\" must be true or false");
                    generationPrompt = e.getValue().asBoolean() || addGenerationPrompt;
                    continue;
                }
                if (key.equals("tools") && !e.getValue().isNull() && !e.getValue().isArray()) {
                    throw new IllegalArgumentException(messages + ": \"tools\" must be an array of tool schemas");
                }
                kwargs.put(key, om.convertValue(e.getValue(), Object.class));
            }
        }
        if (arr == null || !arr.isArray()) {
            throw new IllegalArgumentException(messages + ": expected a JSON array of messages, or an object with \"messages\"");
        }
        List<Map<String, Object>> list = new ArrayList<>();
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
        out.print(t.renderConversation(list, generationPrompt, LocalDateTime.now(), kwargs));
        out.flush();
        return 0;
    }
}
