package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * render with the object form of --messages ({"messages", "tools", <template keyword arguments>}) against
 * transformers' apply_chat_template on the same requests (render-cases/cases.json, made by
 * tools/make_render_cases.py): tools, enable_thinking, tool calls and their results, date_string and
 * tools_in_user_message, byte for byte through the CLI.
 */
class RenderRequestTest {
    @TempDir
    static Path dir;

    @TestFactory
    List<DynamicTest> everyRequestRendersAsTransformersDoes() throws Exception {
        ObjectMapper om = new ObjectMapper();
        JsonNode cases = om.readTree(Fixtures.resource("render-cases/cases.json").toFile()).get("cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            String family = c.get("family").asText(), name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(family + " " + name, () -> {
                Path request = Files.writeString(dir.resolve(family + "-" + name + ".json"), om.writeValueAsString(c.get("request")));
                TraceCommandTest.Run r = TraceCommandTest.run("render", "--model", Fixtures.resource("chat-templates/" + family).toString(),
                        "--messages", request.toString());
                assertEquals(0, r.exit(), r.err());
                assertEquals(c.get("expected").asText(), r.out());
            }));
        }
        assertTrue(tests.size() >= 8, "cases: " + tests.size());
        return tests;
    }

    @Test
    void aRequestWithoutMessagesOrWithBadToolsIsNamed() throws Exception {
        Path model = Fixtures.resource("chat-templates/qwen3");
        Path none = Files.writeString(dir.resolve("none.json"), "{\"tools\": []}");
        TraceCommandTest.Run r = TraceCommandTest.run("render", "--model", model.toString(), "--messages", none.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(none + ": an object needs \"messages\""), r.err());
        Path badTools = Files.writeString(dir.resolve("tools.json"), "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tools\": {}}");
        r = TraceCommandTest.run("render", "--model", model.toString(), "--messages", badTools.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("\"tools\" must be an array of tool schemas"), r.err());
    }
}
