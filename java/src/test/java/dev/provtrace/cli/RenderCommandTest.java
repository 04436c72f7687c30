package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code provtrace render} prints what transformers' apply_chat_template returns, byte for byte. */
class RenderCommandTest {
    @Test
    void rendersLikeTransformers(@TempDir Path dir) throws Exception {
        ObjectMapper om = new ObjectMapper();
        for (String family : new String[] {"deepseek-r1-distill-qwen", "qwen3", "llama-3.1-instruct"}) {
            Path model = Fixtures.resource("chat-templates/" + family);
            for (JsonNode c : om.readTree(model.resolve("cases.json").toFile())) {
                if (!c.get("error").isNull()) continue;
                Path messages = dir.resolve(family + "-" + c.get("name").asText() + ".json");
                om.writeValue(messages.toFile(), c.get("messages"));
                TraceCommandTest.Run r = c.get("add_generation_prompt").asBoolean()
                        ? TraceCommandTest.run("render", "--model", model.toString(), "--messages", messages.toString(), "--add-generation-prompt")
                        : TraceCommandTest.run("render", "--model", model.toString(), "--messages", messages.toString());
                assertEquals(0, r.exit(), r.err());
                assertEquals(c.get("expected").asText(), r.out(), family + " / " + c.get("name").asText());
            }
        }
    }

    @Test
    void aFolderWithoutTemplateSaysSo(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("m.json"), "[{\"role\": \"user\", \"content\": \"hi\"}]");
        TraceCommandTest.Run r = TraceCommandTest.run("render", "--model", dir.toString(), "--messages", dir.resolve("m.json").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no chat template"), r.err());
    }
}
