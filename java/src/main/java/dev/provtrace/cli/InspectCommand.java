package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.model.ModelInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Architecture, sizes, dtypes, parameter count, tokenizer and chat template of a model folder.")
final class InspectCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the Hugging Face model folder to describe")
    Path model;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ObjectNode info = ModelInfo.describe(model);
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(info));
        } else {
            print(info, "");
        }
        return info.get("weights").path("valid").asBoolean(false) ? 0 : 1;
    }

    private static void print(JsonNode node, String indent) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            JsonNode v = e.getValue();
            if (v.isObject()) {
                System.out.println(indent + e.getKey() + ":");
                print(v, indent + "  ");
            } else if (v.isArray() && v.isEmpty()) {
                System.out.println(indent + e.getKey() + ": none");
            } else {
                System.out.println(indent + e.getKey() + ": " + (v.isTextual() ? v.asText() : v.toString()));
            }
        }
    }
}
