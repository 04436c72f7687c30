package dev.provtrace.text.template;

import dev.provtrace.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public API: loading a model folder as transformers 5 does, render overloads, errors. */
class ChatTemplateTest {
    private static final LocalDateTime FROZEN = LocalDateTime.of(2026, 1, 1, 0, 0, 0);
    private static final String PROBE = "[{{ bos_token }}|{{ eos_token }}|{{ pad_token is defined }}|{{ unk_token is defined }}"
            + "|{{ boi_token is defined }}]{% for m in messages %}{{ m.role }}:{{ m.content }};{% endfor %}";

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    @Test
    void chatTemplateJinjaTakesPriorityOverTheConfig(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"chat_template\": \"from config\", \"bos_token\": \"<s>\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "from file {{ bos_token }}\n");
        ChatTemplate t = ChatTemplate.load(dir);
        assertEquals("from file {{ bos_token }}\n", t.source());
        assertEquals("from file <s>", t.render(List.of(ChatMessage.user("x")), false, FROZEN));
    }

    @Test
    void configTemplateListUsesDefault(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": ["
                + "{\"name\": \"tool_use\", \"template\": \"tools\"}, {\"name\": \"default\", \"template\": \"plain\"}]}");
        assertEquals("plain", ChatTemplate.load(dir).render(List.of(ChatMessage.user("x")), false, FROZEN));
    }

    @Test
    void configTemplateListWithoutDefaultIsRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": ["
                + "{\"name\": \"tool_use\", \"template\": \"t\"}, {\"name\": \"rag\", \"template\": \"r\"}]}");
        NoChatTemplateException e = assertThrows(NoChatTemplateException.class, () -> ChatTemplate.load(dir));
        assertTrue(e.getMessage().contains("rag, tool_use"), e.getMessage());
    }

    @Test
    void additionalTemplatesDirectoryDefault(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"config\"}");
        Files.createDirectories(dir.resolve("additional_chat_templates"));
        Files.writeString(dir.resolve("additional_chat_templates/default.jinja"), "dir default");
        Files.writeString(dir.resolve("additional_chat_templates/tool_use.jinja"), "dir tools");
        assertEquals("dir default", ChatTemplate.load(dir).source());
    }

    @Test
    void missingTemplateNamesTheFolder(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"chat_template\": null}");
        NoChatTemplateException e = assertThrows(NoChatTemplateException.class, () -> ChatTemplate.load(dir));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThrows(NoChatTemplateException.class, () -> ChatTemplate.load(empty));
        assertThrows(IOException.class, () -> ChatTemplate.load(dir.resolve("absent")));
    }

    @Test
    void brokenConfigIsAnIOExceptionNamingTheFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": ");
        IOException e = assertThrows(IOException.class, () -> ChatTemplate.load(dir));
        assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
    }

    @Test
    void specialTokensStringsAddedTokensAndNulls(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": " + json(PROBE) + ","
                + "\"bos_token\": {\"__type\": \"AddedToken\", \"content\": \"<｜begin▁of▁sentence｜>\", \"lstrip\": false},"
                + "\"eos_token\": \"</s>\", \"unk_token\": null, \"boi_token\": \"<img>\","
                + "\"model_max_length\": 1000000000000000019884624838656, \"added_tokens_decoder\": {}}");
        ChatTemplate t = ChatTemplate.load(dir);
        assertEquals(Map.of("bos_token", "<｜begin▁of▁sentence｜>", "eos_token", "</s>"), t.specialTokens());
        assertEquals("[<｜begin▁of▁sentence｜>|</s>|False|False|False]user:hi;",
                t.render(List.of(ChatMessage.user("hi")), false, FROZEN));
    }

    @Test
    void legacySpecialTokensMapOverridesWithoutAddedTokensDecoder(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": " + json(PROBE)
                + ", \"eos_token\": \"</s>\"}");
        Files.writeString(dir.resolve("special_tokens_map.json"),
                "{\"bos_token\": {\"content\": \"<bos>\"}, \"pad_token\": \"<pad>\"}");
        ChatTemplate t = ChatTemplate.load(dir);
        assertEquals("[<bos>|</s>|True|False|False]user:hi;", t.render(List.of(ChatMessage.user("hi")), false, FROZEN));
    }

    @Test
    void fromStringAndRenderOverloads() {
        ChatTemplate t = ChatTemplate.fromString("{{ bos_token }}{{ strftime_now('%d %b %Y %H:%M') }}"
                + "{% for m in messages %}|{{ m.role }}={{ m.content is none }}{% endfor %}"
                + "{% if add_generation_prompt %}|gen{% endif %}{{ extra | default('') }}", Map.of("bos_token", "<s>"));
        List<ChatMessage> msgs = List.of(ChatMessage.system("s"), new ChatMessage("assistant", null));
        assertEquals("<s>01 Jan 2026 00:00|system=False|assistant=True|gen", t.render(msgs, true, FROZEN));
        Clock clock = Clock.fixed(Instant.parse("2025-07-04T13:45:00Z"), ZoneOffset.UTC);
        assertEquals("<s>04 Jul 2025 13:45|system=False|assistant=True", t.render(msgs, false, clock));
        assertEquals("<s>01 Jan 2026 00:00|system=False|assistant=True!",
                t.render(msgs, false, FROZEN, Map.of("extra", "!")));
        assertTrue(t.render(msgs, false).startsWith("<s>"));
    }

    @Test
    void extraVariablesOverrideToolsAndSpecialTokens() {
        ChatTemplate t = ChatTemplate.fromString("{{ eos_token }}|{{ tools | tojson }}|{{ tools is none }}",
                Map.of("eos_token", "</s>"));
        List<ChatMessage> msgs = List.of(ChatMessage.user("x"));
        assertEquals("</s>|null|True", t.render(msgs, false, FROZEN));
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("name", "f");
        tool.put("n", 3);
        tool.put("x", 1.5f);
        assertEquals("E|[{\"name\": \"f\", \"n\": 3, \"x\": 1.5}]|False",
                t.render(msgs, false, FROZEN, Map.of("tools", List.of(tool), "eos_token", "E")));
    }

    @Test
    void messagesWithExtraKeysKeepTheirOrder() throws IOException {
        ChatTemplate qwen3 = ChatTemplate.load(Fixtures.resource("chat-templates/qwen3"));
        Map<String, Object> assistant = new LinkedHashMap<>();
        assistant.put("role", "assistant");
        assistant.put("content", "\n\nThe answer is 4.");
        assistant.put("reasoning_content", "\n2+2=4\n");
        List<Map<String, Object>> msgs = List.of(Map.of("role", "user", "content", "2+2?"), assistant);
        assertEquals("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n2+2=4\n</think>\n\n"
                + "The answer is 4.<|im_end|>\n", qwen3.renderConversation(msgs, false, FROZEN, Map.of()));
        assertEquals("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
                qwen3.render(List.of(ChatMessage.user("2+2?")), true, FROZEN, Map.of("enable_thinking", false)));
    }

    @Test
    void emptyConversationIsRefusedAsTransformersDoes() {
        ChatTemplate t = ChatTemplate.fromString("x", Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.render(List.of(), true, FROZEN));
        assertTrue(e.getMessage().startsWith("Cannot apply chat template to an empty conversation"));
    }

    @Test
    void syntaxErrorsCarryTheLine() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> ChatTemplate.fromString("line one\n{% for m in messages %}\n{{ m.content }}\n", Map.of()));
        assertEquals("TemplateSyntaxError", e.pythonType());
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("TemplateSyntaxError: Unexpected end of template."), e.getMessage());
        assertTrue(e.getMessage().endsWith("(template line 3)"), e.getMessage());
        TemplateException unknown = assertThrows(TemplateException.class,
                () -> ChatTemplate.fromString("a\n\n{{ x | nosuchfilter }}", Map.of()));
        assertEquals(3, unknown.line());
        assertEquals("No filter named 'nosuchfilter'.", unknown.detail());
    }

    @Test
    void raiseExceptionGivesTheTemplatesMessage() {
        ChatTemplate t = ChatTemplate.fromString("{% for m in messages %}{% if m.role == 'tool' %}"
                + "{{ raise_exception('Tool messages are not supported: ' ~ m.content) }}{% endif %}{% endfor %}", Map.of());
        TemplateException e = assertThrows(TemplateException.class,
                () -> t.render(List.of(ChatMessage.user("a"), new ChatMessage("tool", "x")), false, FROZEN));
        assertTrue(e.raisedByTemplate());
        assertEquals("Tool messages are not supported: x", e.getMessage());
        assertEquals(e.getMessage(), e.pythonMessage());
    }

    @Test
    void runtimeErrorsArePythonStyleWithTheLine() {
        ChatTemplate t = ChatTemplate.fromString("ok\n{{ messages[0].content + 1 }}", Map.of());
        TemplateException e = assertThrows(TemplateException.class,
                () -> t.render(List.of(ChatMessage.user("a")), false, FROZEN));
        assertFalse(e.raisedByTemplate());
        assertEquals("TypeError: can only concatenate str (not \"int\") to str", e.pythonMessage());
        assertEquals(2, e.line());
        ChatTemplate mutating = ChatTemplate.fromString("{{ messages.append(1) }}", Map.of());
        TemplateException s = assertThrows(TemplateException.class,
                () -> mutating.render(List.of(ChatMessage.user("a")), false, FROZEN));
        assertEquals("SecurityError: access to attribute 'append' of 'list' object is unsafe.", s.pythonMessage());
    }

    @Test
    void templatesNeedNoOutsideFiles() {
        // the fixture test resources are self-contained copies (no /work/shared at test time)
        assertTrue(Files.isRegularFile(Fixtures.resource("chat-templates/gpt-oss/chat_template.jinja")));
    }
}
