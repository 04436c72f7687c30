package dev.provtrace.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code model.safetensors.index.json}: which shard file holds each tensor. Only {@code weight_map} matters;
 * {@code metadata.total_size} is not checked because writers disagree on what it counts.
 */
final class ShardIndex {
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ShardIndex() {}

    /** Tensor name → shard path, in index order; every shard path is checked to lie inside {@code folder}. */
    static Map<String, Path> read(Path indexFile, Path folder) {
        JsonNode root;
        try {
            root = JSON.readTree(indexFile.toFile());
        } catch (IOException e) {
            throw new SafetensorsException(indexFile + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsException(indexFile + ": expected an object with a \"weight_map\" object (tensor name → shard file)");
        }
        Path base = folder.toAbsolutePath().normalize();
        Map<String, Path> shards = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            if (!e.getValue().isTextual() || e.getValue().asText().isEmpty()) {
                throw new SafetensorsException(indexFile + ": tensor \"" + e.getKey()
                        + "\": weight_map value must be a shard file name, got " + e.getValue());
            }
            shards.put(e.getKey(), shardPath(indexFile, base, e.getKey(), e.getValue().asText()));
        }
        return Collections.unmodifiableMap(shards);
    }

    /** A shard name like "../../etc/x" or "/abs/x" would read files the user never pointed us at. */
    private static Path shardPath(Path indexFile, Path base, String tensor, String shardName) {
        Path relative;
        try {
            relative = Path.of(shardName);
        } catch (RuntimeException e) {
            throw new SafetensorsException(indexFile + ": tensor \"" + tensor + "\": shard \"" + shardName + "\" is not a valid file name");
        }
        Path resolved = base.resolve(relative).normalize();
        if (relative.isAbsolute() || !resolved.startsWith(base) || resolved.equals(base)) {
            throw new SafetensorsException(indexFile + ": tensor \"" + tensor + "\": shard \"" + shardName
                    + "\" is outside the model folder " + base);
        }
        return resolved;
    }
}
