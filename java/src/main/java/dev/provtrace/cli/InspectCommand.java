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
        description = {"Architecture, sizes, dtypes, parameter count, tokenizer and chat template of a model folder.",
                "The weights are checked against the config and scanned for NaN/Inf; exit code 1 when they are not valid."})
final class InspectCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the Hugging Face model folder to describe")
    Path model;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Option(names = "--skip-weight-scan", description = "do not scan the weights for NaN/Inf (default: scanned; any makes the weights invalid)")
    boolean skipWeightScan;

    @Option(names = "--threads", paramLabel = "N", description = "threads for the weight scan (default: all cores)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        ObjectNode info = ModelInfo.describe(model, !skipWeightScan,
                threads != null ? Math.max(1, threads) : Runtime.getRuntime().availableProcessors());
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
            } else if (v.isArray() && v.get(0).has("message")) {         // findings: one readable line each
                System.out.println(indent + e.getKey() + ":");
                for (JsonNode item : v) System.out.println(indent + "  " + item.get("message").asText());
            } else {
                System.out.println(indent + e.getKey() + ": " + (v.isTextual() ? v.asText() : v.toString()));
            }
        }
    }
}
