package dev.provtrace.text.template;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.Fixtures;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case of the chat-template reference fixtures (java/src/test/resources/chat-templates, copied from the
 * shared fixtures; rendered by jinja2 in transformers' environment and cross-checked with transformers 5.18):
 * the rendered string must equal {@code expected} byte for byte, and templates that raise must raise with the
 * same message. strftime_now is frozen at 2026-01-01 00:00:00 as in the fixtures.
 */
class ChatTemplateFixturesTest {
    static final LocalDateTime FROZEN = LocalDateTime.of(2026, 1, 1, 0, 0, 0);
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<Path> families() throws IOException {
        try (Stream<Path> s = Files.list(Fixtures.resource("chat-templates"))) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    @TestFactory
    List<DynamicNode> everyCaseOfEveryFamily() throws IOException {
        List<DynamicNode> families = new ArrayList<>();
        for (Path dir : families()) {
            ChatTemplate template = ChatTemplate.load(dir);
            List<DynamicNode> cases = new ArrayList<>();
            for (JsonNode c : JSON.readTree(dir.resolve("cases.json").toFile())) {
                cases.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(template, c)));
            }
            families.add(DynamicContainer.dynamicContainer(dir.getFileName().toString(), cases));
        }
        return families;
    }

    private static void check(ChatTemplate template, JsonNode c) {
        Map<String, String> tokens = JSON.convertValue(c.get("special_tokens"), new TypeReference<>() {});
        assertEquals(tokens, template.specialTokens(), "special tokens read from tokenizer_config.json");
        List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"), new TypeReference<>() {});
        boolean gen = c.get("add_generation_prompt").asBoolean();
        if (c.hasNonNull("error")) {
            TemplateException e = assertThrows(TemplateException.class,
                    () -> template.renderConversation(messages, gen, FROZEN, Map.of()));
            assertEquals(c.get("error").asText(), e.pythonMessage());
            assertTrue(e.raisedByTemplate());
            assertEquals(c.get("error").asText(), e.getMessage());
        } else {
            assertEquals(c.get("expected").asText(), template.renderConversation(messages, gen, FROZEN, Map.of()));
        }
    }

    @Test
    void allFifteenFamiliesAndAllCasesArePresent() throws IOException {
        List<Path> dirs = families();
        assertEquals(15, dirs.size());
        int cases = 0;
        for (Path d : dirs) cases += JSON.readTree(d.resolve("cases.json").toFile()).size();
        assertEquals(186, cases); // the fixture README says 188; its cases.json files hold 186
    }
}
