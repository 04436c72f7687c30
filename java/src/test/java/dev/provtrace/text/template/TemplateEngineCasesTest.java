package dev.provtrace.text.template;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.Fixtures;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Differential tests against transformers' real Jinja environment (outputs recorded by
 * tools/make_template_engine_cases.py with transformers 5.18 / jinja2 3.1.6):
 * <ul>
 *   <li>template-engine/cases.json: ~310 engine snippets (whitespace control, literals, Python str()/repr(),
 *       operators, errors and their messages, string methods, slicing, loops, scoping, macros, every filter and
 *       test we implement, tojson, strftime_now, undefined behaviour, generators, constant folding);</li>
 *   <li>template-engine/families.json: the 15 fixture templates on conversations the fixtures leave out (tools so
 *       tojson runs, tool calls and results, enable_thinking, gpt-oss options, list-of-parts content...).</li>
 * </ul>
 */
class TemplateEngineCasesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDateTime FROZEN = LocalDateTime.of(2026, 1, 1, 0, 0, 0);

    @TestFactory
    List<DynamicNode> engineSnippets() throws IOException {
        JsonNode root = JSON.readTree(Fixtures.resource("template-engine/cases.json").toFile());
        assertEquals(FROZEN.toString().replace("T00:00", "T00:00:00"), root.get("strftime_now").asText());
        Map<String, Object> defaults = JSON.convertValue(root.get("default_vars"), new TypeReference<>() {});
        List<DynamicNode> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                Map<String, Object> vars = new LinkedHashMap<>(defaults);
                vars.putAll(JSON.convertValue(c.get("vars"), new TypeReference<Map<String, Object>>() {}));
                check(c, () -> {
                    Map<String, Object> converted = new HashMap<>();
                    vars.forEach((k, v) -> converted.put(k, Values.fromJava(v)));
                    return Template.compile(c.get("template").asText()).render(converted, FROZEN);
                });
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicNode> familiesOnMoreConversations() throws IOException {
        JsonNode root = JSON.readTree(Fixtures.resource("template-engine/families.json").toFile());
        Map<String, ChatTemplate> templates = new HashMap<>();
        List<DynamicNode> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String family = c.get("family").asText();
            tests.add(DynamicTest.dynamicTest(family + " / " + c.get("name").asText(), () -> {
                ChatTemplate t = templates.get(family);
                if (t == null) {
                    Path dir = Fixtures.resource("chat-templates/" + family);
                    t = ChatTemplate.load(dir);
                    templates.put(family, t);
                }
                ChatTemplate template = t;
                List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"), new TypeReference<>() {});
                Map<String, Object> vars = JSON.convertValue(c.get("vars"), new TypeReference<>() {});
                check(c, () -> template.renderConversation(messages, c.get("add_generation_prompt").asBoolean(),
                        FROZEN, vars));
            }));
        }
        return tests;
    }

    interface Render { String run(); }

    private static void check(JsonNode c, Render render) {
        JsonNode err = c.get("error");
        if (err == null || err.isNull()) {
            String out;
            try {
                out = render.run();
            } catch (TemplateException e) {
                fail("unexpected " + e.getMessage() + "\ntemplate: " + c.path("template").asText(), e);
                return;
            }
            assertEquals(c.get("expected").asText(), out, c.path("template").asText());
            return;
        }
        TemplateException e = assertThrows(TemplateException.class, render::run, c.path("template").asText());
        String type = err.get("type").asText();
        String message = err.get("message").asText();
        assertEquals(type, e.pythonType(), e.getMessage());
        if (type.equals("SyntaxError")) {
            // Python's compile error names a line of jinja2's generated code: "'break' outside loop (<template>, line 11)"
            assertTrue(message.startsWith(e.detail() + " (<template>"), message + " vs " + e.detail());
        } else {
            assertEquals(message, e.detail());
        }
        if (err.hasNonNull("line")) assertEquals(err.get("line").asInt(), e.line(), "line of " + e.getMessage());
    }
}
