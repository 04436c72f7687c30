package dev.provtrace.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A system prompt, template kwargs and records with their own messages, against transformers' apply_chat_template
 * on the same conversations (render-cases/cases.json, qwen3's template): the context is the rendered prompt then
 * the response; the setup is part of the prompt fingerprint, the empty one keeping the old fingerprint.
 */
class PromptSetupTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path QWEN3 = Fixtures.resource("chat-templates/qwen3");

    private static JsonNode renderCase(String name) throws Exception {
        for (JsonNode c : JSON.readTree(Fixtures.resource("render-cases/cases.json").toFile()).get("cases")) {
            if (c.get("family").asText().equals("qwen3") && c.get("name").asText().equals(name)) return c;
        }
        throw new AssertionError(name);
    }

    private static PromptSetup setup(String system, String kwargs) {
        return new PromptSetup(system, PromptSetup.parseKwargs("--chat-kwargs", kwargs));
    }

    @Test
    void theSystemPromptAndKwargsReachTheTemplateAsTransformersPassesThem() throws Exception {
        PromptBuilder chat = PromptBuilder.create(QWEN3, PromptBuilder.Format.CHAT, null);
        JsonNode off = renderCase("thinking_off"), on = renderCase("thinking_on");
        PromptContext a = chat.withSetup(setup(null, "{\"enable_thinking\": false}")).build("What is 17 * 23?", "391");
        assertEquals(off.get("expected").asText() + "391", a.text());
        PromptContext b = chat.withSetup(setup("Think step by step.", "{\"enable_thinking\": true}")).build("What is 17 * 23?", "391");
        assertEquals(on.get("expected").asText() + "391", b.text());
    }

    @Test
    void aRecordsOwnMessagesAreItsContextAndKeepTheirSystemTurn() throws Exception {
        PromptBuilder chat = PromptBuilder.create(QWEN3, PromptBuilder.Format.CHAT, null);
        JsonNode multi = renderCase("multi_turn_reasoning"), on = renderCase("thinking_on");
        PromptContext c = chat.build(null, multi.get("request").get("messages"), "6");
        assertEquals(multi.get("expected").asText() + "6", c.text());
        // a conversation that starts with a system turn keeps it; --system does not add another
        PromptContext d = chat.withSetup(setup("Other system.", null)).build(null, on.get("request").get("messages"), "391");
        assertEquals(on.get("expected").asText() + "391", d.text());
        IllegalArgumentException raw = assertThrows(IllegalArgumentException.class,
                () -> PromptBuilder.create(QWEN3, PromptBuilder.Format.RAW, null).build(null, multi.get("request").get("messages"), "6"));
        assertTrue(raw.getMessage().contains("a raw context needs a \"question\""), raw.getMessage());
    }

    @Test
    void theSetupIsPartOfTheFingerprintAndTheEmptyOneChangesNothing() throws Exception {
        PromptBuilder chat = PromptBuilder.create(QWEN3, PromptBuilder.Format.CHAT, null);
        String plain = chat.fingerprint();
        assertEquals(plain, chat.withSetup(PromptSetup.NONE).fingerprint());
        assertEquals(plain, chat.withSetup(setup(null, "{}")).fingerprint());
        String k1 = chat.withSetup(setup(null, "{\"enable_thinking\": true, \"x\": 1}")).fingerprint();
        assertNotEquals(plain, k1);
        assertEquals(k1, chat.withSetup(setup(null, "{\"x\": 1, \"enable_thinking\": true}")).fingerprint(), "key order is not part of it");
        assertNotEquals(k1, chat.withSetup(setup(null, "{\"enable_thinking\": false, \"x\": 1}")).fingerprint());
        assertNotEquals(plain, chat.withSetup(setup("Be brief.", null)).fingerprint());
        // per-model kwargs go over the global ones key by key
        PromptSetup merged = setup("A", "{\"enable_thinking\": true, \"x\": 1}").overriddenBy(setup(null, "{\"x\": 2}"));
        assertEquals("A", merged.system());
        assertEquals("{\"enable_thinking\":true,\"x\":2}", merged.chatKwargs().toString());
        assertThrows(IllegalArgumentException.class, () -> PromptSetup.parseKwargs("--chat-kwargs", "[1]"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> PromptSetup.parseKwargs("--chat-kwargs", "{\"messages\": []}"));
        assertTrue(bad.getMessage().contains("\"messages\" is not a template keyword argument"), bad.getMessage());
        IllegalArgumentException raw = assertThrows(IllegalArgumentException.class,
                () -> PromptBuilder.create(QWEN3, PromptBuilder.Format.RAW, null).withSetup(setup("S", null)));
        assertTrue(raw.getMessage().startsWith("--system and --chat-kwargs need --prompt-format chat"), raw.getMessage());
    }
}
