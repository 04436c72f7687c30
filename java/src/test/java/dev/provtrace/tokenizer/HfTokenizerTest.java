package dev.provtrace.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compares the Java tokenizer with what Python (tokenizers 0.23 and transformers 5.18) produced for the fixtures
 * made by tools/make_tokenizer_fixtures.py: same ids, same code point offsets, same decoded text.
 */
class HfTokenizerTest {
    private static final String BYTE_LEVEL = "byte-level-bpe";
    private static final String SENTENCEPIECE = "sentencepiece-bpe";
    private static final String WITH_CONFIG = "sentencepiece-bpe-with-config";
    private static final List<String> FIXTURES = List.of(BYTE_LEVEL, SENTENCEPIECE, WITH_CONFIG);

    private static final Map<String, HfTokenizer> tokenizers = new LinkedHashMap<>();
    private static final Map<String, JsonNode> expectations = new LinkedHashMap<>();

    @BeforeAll
    static void loadFixtures() throws IOException, URISyntaxException {
        for (String name : FIXTURES) {
            Path dir = fixtureDir(name);
            tokenizers.put(name, HfTokenizer.load(dir));
            expectations.put(name, new ObjectMapper().readTree(dir.resolve("expected.json").toFile()));
        }
    }

    @AfterAll
    static void closeTokenizers() {
        tokenizers.values().forEach(HfTokenizer::close);
    }

    static Path fixtureDir(String name) throws URISyntaxException {
        return Path.of(HfTokenizerTest.class.getResource("/tokenizers/" + name + "/tokenizer.json").toURI())
                .getParent();
    }

    @TestFactory
    List<DynamicTest> idsAndOffsetsEqualPython() {
        List<DynamicTest> tests = new ArrayList<>();
        forEachCase((fixture, tokenizer, testCase) -> {
            String text = testCase.get("text").asText();
            for (boolean special : new boolean[] {true, false}) {
                JsonNode want = testCase.get(special ? "with_special_tokens" : "without_special_tokens");
                String name = fixture + "/" + testCase.get("name").asText() + (special ? " +special" : " -special");
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    Encoding got = tokenizer.encode(text, special);
                    assertArrayEquals(ints(want.get("ids")), got.ids(), "ids");
                    assertArrayEquals(column(want.get("offsets"), 0), got.starts(), "starts");
                    assertArrayEquals(column(want.get("offsets"), 1), got.ends(), "ends");
                }));
            }
        });
        assertTrue(tests.size() >= 3 * 2 * 15, "every fixture has its cases: " + tests.size());
        return tests;
    }

    @TestFactory
    List<DynamicTest> decodeEqualsTransformers() {
        List<DynamicTest> tests = new ArrayList<>();
        forEachCase((fixture, tokenizer, testCase) -> {
            JsonNode want = testCase.get("with_special_tokens");
            tests.add(DynamicTest.dynamicTest(fixture + "/" + testCase.get("name").asText(), () -> {
                int[] ids = ints(want.get("ids"));
                assertEquals(want.get("decoded").asText(), tokenizer.decode(ids, false));
                assertEquals(want.get("decoded_skip_special").asText(), tokenizer.decode(ids, true));
            }));
        });
        return tests;
    }

    /** Encoding then decoding gives the text back, for every text that does not spell a special token. */
    @TestFactory
    List<DynamicTest> decodeRoundTrip() {
        List<DynamicTest> tests = new ArrayList<>();
        forEachCase((fixture, tokenizer, testCase) -> {
            String text = testCase.get("text").asText();
            if (fixture.startsWith(SENTENCEPIECE) && testCase.get("name").asText().equals("literal_bos_eos")) {
                return; // "<s>" in the text is the BOS token, and the Llama 2 decoder puts no space back after it
            }
            tests.add(DynamicTest.dynamicTest(fixture + "/" + testCase.get("name").asText(), () -> {
                assertEquals(text, tokenizer.decode(tokenizer.encode(text, false).ids(), false));
            }));
        });
        return tests;
    }

    @Test
    void longTextIsNotTruncated() {
        for (String fixture : List.of(BYTE_LEVEL, SENTENCEPIECE)) {
            JsonNode longCase = findCase(fixture, "long");
            String text = longCase.get("text").asText();
            int pythonCount = longCase.get("with_special_tokens").get("ids").size();
            Encoding got = tokenizers.get(fixture).encode(text, true);
            assertTrue(pythonCount > 2000, fixture + ": fixture text too short to show truncation: " + pythonCount);
            assertEquals(pythonCount, got.size(), fixture);
            assertEquals(text.codePointCount(0, text.length()), got.ends()[got.size() - 1], fixture + " last end");
        }
    }

    @Test
    void vocabSizeAndTokenStringsEqualTransformers() {
        for (String fixture : FIXTURES) {
            JsonNode expected = expectations.get(fixture);
            HfTokenizer tokenizer = tokenizers.get(fixture);
            assertEquals(expected.get("vocab_size").asInt(), tokenizer.vocabSize(), fixture);
            expected.get("token_strings").properties().forEach(e ->
                    assertEquals(e.getValue().asText(), tokenizer.tokenString(Integer.parseInt(e.getKey())),
                            fixture + " id " + e.getKey()));
            assertNull(tokenizer.tokenString(-1));
            assertNull(tokenizer.tokenString(tokenizer.vocabSize()));
        }
        assertEquals(1002, tokenizers.get(BYTE_LEVEL).vocabSize()); // 1000 trained (incl. 4 specials) + 2 think tags
        assertEquals("<think>", tokenizers.get(BYTE_LEVEL).tokenString(1000));
        assertEquals("<0x00>", tokenizers.get(SENTENCEPIECE).tokenString(3));
    }

    /** Astral characters count as one code point each, so later offsets do not shift (UTF-16 would add one each). */
    @Test
    void offsetsAreCodePointsAfterAstralCharacters() {
        String text = "𝑥🙂 then";
        Encoding got = tokenizers.get(BYTE_LEVEL).encode(text, true);
        int last = got.size() - 1;
        assertEquals(0, got.starts()[0]);
        assertEquals(0, got.ends()[0]); // BOS added by the post-processor
        assertEquals(7, got.ends()[last]); // 7 code points, 9 UTF-16 chars
        int start = text.offsetByCodePoints(0, got.starts()[last]);
        int end = text.offsetByCodePoints(0, got.ends()[last]);
        assertTrue(" then".endsWith(text.substring(start, end)), text.substring(start, end));
    }

    @Test
    void unpairedSurrogateIsRejected() {
        HfTokenizer tokenizer = tokenizers.get(BYTE_LEVEL);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("a\uD835b", false));
        assertTrue(e.getMessage().contains("U+D835 at UTF-16 index 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("end\uDC00", false));
        assertEquals(2, tokenizer.encode("a\uD835\uDC65", false).ends()[1]); // a well-formed pair is fine
    }

    @Test
    void specialTokenSpelledInTextIsOneToken() {
        Encoding got = tokenizers.get(BYTE_LEVEL).encode("<|im_start|>user", false);
        assertEquals(2, got.ids()[0]); // <|im_start|>
        assertEquals(0, got.starts()[0]);
        assertEquals(12, got.ends()[0]);
    }

    @Test
    void tokenizerConfigAddEosIsIgnoredAsInTransformers5() {
        Encoding plain = tokenizers.get(SENTENCEPIECE).encode("Hello", true);
        Encoding withConfig = tokenizers.get(WITH_CONFIG).encode("Hello", true);
        assertArrayEquals(plain.ids(), withConfig.ids());
        assertEquals(1, withConfig.ids()[0]); // <s>
        assertTrue(withConfig.ids()[withConfig.size() - 1] != 2, "no </s> appended");
    }

    @Test
    void cleanUpRuleOfTransformers() {
        assertEquals("Wait, really? Yes. It's fine, isn't it!",
                TokenizerConfigJson.cleanUpTokenization("Wait , really ? Yes . It 's fine , isn't it !"));
        assertTrue(new TokenizerConfigJson(true, "Unigram").cleansDecodedText());
        assertTrue(!new TokenizerConfigJson(true, "BPE").cleansDecodedText(), "transformers 5 skips BPE");
        assertTrue(!new TokenizerConfigJson(false, "Unigram").cleansDecodedText());
    }

    @Test
    void djlIsKeptOffline() {
        assertEquals("true", System.getProperty(DjlOfflineMode.OFFLINE_PROPERTY));
        assertEquals("true", System.getProperty(DjlOfflineMode.OPT_OUT_TRACKING_PROPERTY));
    }

    @Test
    void missingTokenizerJsonNamesThePath(@TempDir Path dir) {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> HfTokenizer.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("tokenizer.json").toString()), e.getMessage());
    }

    @Test
    void brokenTokenizerJsonNamesThePath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0", StandardCharsets.UTF_8);
        IOException truncatedJson = assertThrows(IOException.class, () -> HfTokenizer.load(dir));
        assertTrue(truncatedJson.getMessage().contains(file.toString()), truncatedJson.getMessage());

        Files.writeString(file, "{\"model\": {\"type\": \"NoSuchModel\", \"vocab\": {}}}", StandardCharsets.UTF_8);
        IOException rejectedByRust = assertThrows(IOException.class, () -> HfTokenizer.load(dir));
        assertTrue(rejectedByRust.getMessage().contains(file.toString()), rejectedByRust.getMessage());
    }

    // ---- helpers ----

    private interface CaseVisitor {
        void visit(String fixture, HfTokenizer tokenizer, JsonNode testCase);
    }

    private static void forEachCase(CaseVisitor visitor) {
        expectations.forEach((fixture, expected) ->
                expected.get("cases").forEach(c -> visitor.visit(fixture, tokenizers.get(fixture), c)));
    }

    private static JsonNode findCase(String fixture, String name) {
        for (JsonNode c : expectations.get(fixture).get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no case " + name + " in " + fixture);
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static int[] column(JsonNode pairs, int index) {
        int[] out = new int[pairs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = pairs.get(i).get(index).asInt();
        }
        return out;
    }
}
