package dev.provtrace.trace;

import dev.provtrace.Fixtures;
import dev.provtrace.text.template.NoChatTemplateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptBuilderTest {
    private static final Path R1_DISTILL = Fixtures.resource("chat-templates/deepseek-r1-distill-qwen");

    /** Python-style slice of code points. */
    private static String slice(String s, int from, int to) {
        int[] cps = s.codePoints().toArray();
        return new String(cps, from, to - from);
    }

    @Test
    void aThinkTagInBothPromptAndResponseIsNotDoubled() throws Exception {
        PromptBuilder pb = PromptBuilder.create(R1_DISTILL, PromptBuilder.Format.CHAT, null);
        String response = "<think>\nLet 𝑥 = 2.\n</think>\nSo 𝑥² = 4.";
        PromptContext c = pb.build("What is 𝑥²?", response);
        assertTrue(c.text().endsWith("<｜Assistant｜><think>\nLet 𝑥 = 2.\n</think>\nSo 𝑥² = 4."), c.text());
        assertFalse(c.text().contains("<think>\n<think>"));
        int n = response.codePointCount(0, response.length());
        // offsets still refer to the original response: response[i] is context[responseOffset + i]
        assertEquals(response, slice(c.text(), c.responseOffset(), c.responseOffset() + n));
        assertFalse(c.addSpecialTokens(), "the template writes BOS itself, as apply_chat_template");
    }

    @Test
    void responsesWithoutThinkTagFollowThePromptUnchanged() throws Exception {
        PromptBuilder pb = PromptBuilder.create(R1_DISTILL, PromptBuilder.Format.CHAT, null);
        PromptContext c = pb.build("Q?", "Plain answer.");
        assertTrue(c.text().endsWith("<｜Assistant｜><think>\nPlain answer."), c.text());
        assertEquals("Plain answer.", slice(c.text(), c.responseOffset(), c.text().codePointCount(0, c.text().length())));
    }

    @Test
    void rawFormatAndOwnTemplate(@TempDir Path dir) throws Exception {
        PromptContext raw = PromptBuilder.create(R1_DISTILL, PromptBuilder.Format.RAW, null).build("Q 🙂", "A.");
        assertEquals("Q 🙂\nA.", raw.text());
        assertEquals(4, raw.responseOffset(), "code points, not UTF-16 units");
        assertTrue(raw.addSpecialTokens());
        Path t = dir.resolve("t.jinja");
        Files.writeString(t, "{{ bos_token }}Q: {{ messages[0]['content'] }}\nA: ");
        PromptContext own = PromptBuilder.create(R1_DISTILL, PromptBuilder.Format.CHAT, t).build("Why?", "Because.");
        assertEquals("<｜begin▁of▁sentence｜>Q: Why?\nA: Because.", own.text());
        assertTrue(!PromptBuilder.create(R1_DISTILL, PromptBuilder.Format.CHAT, t).fingerprint()
                .equals(PromptBuilder.create(R1_DISTILL, PromptBuilder.Format.CHAT, null).fingerprint()));
    }

    @Test
    void aFolderWithoutTemplateIsAClearError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        NoChatTemplateException e = assertThrows(NoChatTemplateException.class,
                () -> PromptBuilder.create(dir, PromptBuilder.Format.CHAT, null));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("chat template"), e.getMessage());
        assertEquals("q\nr", PromptBuilder.create(dir, PromptBuilder.Format.RAW, null).build("q", "r").text());
    }

    @Test
    void grapeFormatIsThePlainQuestionAnswerPrompt() throws Exception {
        PromptBuilder pb = PromptBuilder.create(R1_DISTILL, PromptBuilder.Format.GRAPE, null);
        PromptContext c = pb.build("What is 𝑥²?", "<think>\nIt is 4.");
        assertEquals("Question: What is 𝑥²?\n Answer: <think>\nIt is 4.", c.text());
        // "Question: " (10) + "What is 𝑥²?" (11 code points, 12 UTF-16 units) + "\n Answer: " (10)
        assertEquals(31, c.responseOffset());
        assertEquals("<think>\nIt is 4.", slice(c.text(), c.responseOffset(), c.text().codePointCount(0, c.text().length())));
        assertTrue(c.addSpecialTokens(), "plain text, tokenized as tokenizer(text) does");
        assertFalse(pb.fingerprint().equals(PromptBuilder.create(R1_DISTILL, PromptBuilder.Format.RAW, null).fingerprint()));
    }
}
