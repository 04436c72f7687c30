package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.provtrace.model.ModelConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every classpath resource the main code names is in the repository, so a file that lives only in someone's work
 * tree (or is ignored by git) fails the build instead of a fresh clone's first run.
 */
class BundledResourcesTest {
    private static final Path MAIN_SOURCES = Path.of("java/src/main/java");
    /** An absolute resource name in a string literal: "/report/common.css", "/META-INF/.../chart.umd.min.js". */
    private static final Pattern RESOURCE_LITERAL = Pattern.compile("\"(/[A-Za-z0-9_-]+/[A-Za-z0-9_./-]*\\.[a-z]+)\"");
    /** A resource folder a name is appended to: "/report/" + page. */
    private static final Pattern RESOURCE_PREFIX = Pattern.compile("\"(/[A-Za-z0-9_-]+/)\"\\s*\\+");

    @Test
    void everyResourceNamedInTheSourcesIsOnTheClasspath() throws IOException {
        List<String> missing = new ArrayList<>();
        TreeSet<String> named = new TreeSet<>(), prefixes = new TreeSet<>();
        for (Path file : mainSources()) {
            String src = Files.readString(file);
            Matcher m = RESOURCE_LITERAL.matcher(src);
            while (m.find()) {
                named.add(m.group(1));
                if (getClass().getResource(m.group(1)) == null) missing.add(m.group(1) + " (named in " + file.getFileName() + ")");
            }
            Matcher p = RESOURCE_PREFIX.matcher(src);
            while (p.find()) prefixes.add(p.group(1));
        }
        assertEquals(List.of(), missing);
        assertTrue(named.contains("/report/common.css"), "the scan finds the literals it should: " + named);
        assertEquals(new TreeSet<>(List.of("/presets/", "/report/")), prefixes,
                "a new resource folder is composed in the code: list what it holds in this test");
    }

    /** The names appended to "/report/": the pages and scripts the report classes pass to HtmlReport.write. */
    @Test
    void everyReportPageAndScriptExists() throws IOException {
        Pattern page = Pattern.compile("\"([a-z-]+-report\\.(?:html|js))\"");
        TreeSet<String> names = new TreeSet<>();
        for (Path file : mainSources()) {
            Matcher m = page.matcher(Files.readString(file));
            while (m.find()) names.add(m.group(1));
        }
        assertEquals(new TreeSet<>(List.of("selection-report.html", "selection-report.js", "trace-report.html",
                "trace-report.js")), names);
        for (String n : names) assertNotNull(getClass().getResource("/report/" + n), "/report/" + n);
    }

    /** The presets the help and README name are the presets in the jar, no more, no less, and each parses. */
    @Test
    void everyPresetIsBundledAndIsTheModelsOwnConfig() throws Exception {
        URL dir = getClass().getResource("/presets/");
        assertNotNull(dir, "/presets/ is missing from the classpath");
        TreeSet<String> files = new TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of(dir.toURI()))) {
            s.forEach(p -> files.add(p.getFileName().toString()));
        }
        TreeSet<String> expected = new TreeSet<>();
        for (String name : RandomModelCommand.PRESETS) expected.add(name + ".json");
        assertEquals(expected, files);

        ModelConfig qwen = ModelConfig.parse(RandomModelCommand.presetJson("qwen2.5-0.5b"), "qwen2.5-0.5b");
        assertEquals("qwen2", qwen.modelType());
        assertEquals(494_032_768L, qwen.parameterCount());   // Qwen2.5-0.5B's published 0.49 B
        ModelConfig llama = ModelConfig.parse(RandomModelCommand.presetJson("llama-2-7b"), "llama-2-7b");
        assertEquals("llama", llama.modelType());
        assertEquals(6_738_415_616L, llama.parameterCount());   // Llama-2-7B's published 6.74 B
        ModelConfig qwen7 = ModelConfig.parse(RandomModelCommand.presetJson("qwen2.5-7b"), "qwen2.5-7b");
        assertEquals(7_615_616_512L, qwen7.parameterCount());   // Qwen2.5-7B's published 7.61 B (untied head)
        ModelConfig llama8 = ModelConfig.parse(RandomModelCommand.presetJson("llama-3.1-8b"), "llama-3.1-8b");
        assertEquals(8_030_261_248L, llama8.parameterCount());  // Llama-3.1-8B's published 8.03 B
        assertEquals(8.0, llama8.ropeScaling().factor());       // llama3 rope scaling read from the preset

        JsonNode q = RandomModelCommand.presetJson("qwen2.5-0.5b");
        assertEquals(896, q.get("hidden_size").asInt());
        assertEquals(4864, q.get("intermediate_size").asInt());
        assertEquals(24, q.get("num_hidden_layers").asInt());
        assertEquals(14, q.get("num_attention_heads").asInt());
        assertEquals(2, q.get("num_key_value_heads").asInt());
        assertEquals(151936, q.get("vocab_size").asInt());
        assertEquals(1_000_000.0, q.get("rope_theta").asDouble());
        assertTrue(q.get("tie_word_embeddings").asBoolean());
        JsonNode l = RandomModelCommand.presetJson("llama-2-7b");
        assertEquals(4096, l.get("hidden_size").asInt());
        assertEquals(11008, l.get("intermediate_size").asInt());
        assertEquals(32, l.get("num_key_value_heads").asInt());
        assertEquals(32000, l.get("vocab_size").asInt());
        assertFalse(l.get("tie_word_embeddings").asBoolean());
    }

    @Test
    void anUnknownPresetNamesTheBundledOnes() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RandomModelCommand.presetJson("qwen9-1t"));
        assertEquals("qwen9-1t: neither a config.json file nor a bundled preset (qwen2.5-0.5b, qwen2.5-7b, llama-2-7b, llama-3.1-8b)", e.getMessage());
    }

    private static List<Path> mainSources() throws IOException {
        assertTrue(Files.isDirectory(MAIN_SOURCES), "run from the repository root: " + MAIN_SOURCES.toAbsolutePath());
        try (Stream<Path> s = Files.walk(MAIN_SOURCES)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }
}
