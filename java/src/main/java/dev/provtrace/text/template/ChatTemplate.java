package dev.provtrace.text.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A Hugging Face chat template, rendered exactly as transformers' {@code apply_chat_template(..., tokenize=False)}
 * renders it: jinja2's ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks, loop controls, the
 * {@code {% generation %}} tag, transformers' {@code tojson}, {@code raise_exception} and {@code strftime_now},
 * and the render variables {@code messages}, {@code tools=None}, {@code documents=None},
 * {@code add_generation_prompt} and the special tokens that are set.
 *
 * <p>The Jinja engine is our own (package {@code dev.provtrace.text.template}): Python semantics for values,
 * strings (code points, Unicode whitespace), slicing, truthiness and str()/repr() output.
 */
public final class ChatTemplate {
    /** The named special tokens transformers 5 passes to templates (its special_tokens_map). */
    public static final List<String> SPECIAL_TOKEN_KEYS =
            List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

    static final String TEMPLATE_FILE = "chat_template.jinja";
    static final String TEMPLATE_DIR = "additional_chat_templates";
    static final String CONFIG_FILE = "tokenizer_config.json";
    static final String SPECIAL_TOKENS_MAP_FILE = "special_tokens_map.json";

    private final String source;
    private final Template compiled;
    private final Map<String, String> specialTokens;

    private ChatTemplate(String source, Map<String, String> specialTokens) {
        this.source = Objects.requireNonNull(source, "template");
        this.compiled = Template.compile(source);
        this.specialTokens = Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
    }

    /**
     * A template from its source, with the special tokens to bind ({@code bos_token} → {@code "<s>"}...). Tokens
     * absent from the map stay undefined in the template. Throws TemplateException on a syntax error.
     */
    public static ChatTemplate fromString(String template, Map<String, String> specialTokens) {
        return new ChatTemplate(template, specialTokens == null ? Map.of() : specialTokens);
    }

    /**
     * Loads the chat template of a model folder the way transformers 5 does: {@code chat_template.jinja} when
     * present (it takes priority over the config), else {@code additional_chat_templates/default.jinja}, else
     * {@code chat_template} of tokenizer_config.json (a string, or a list of {"name", "template"} of which
     * "default" is used). Special tokens come from tokenizer_config.json (a string or an AddedToken's
     * {@code content}; null or missing tokens are not bound).
     *
     * @throws NoChatTemplateException when the folder has no chat template
     * @throws IOException             when a file cannot be read or parsed
     */
    public static ChatTemplate load(Path modelDir) throws IOException {
        if (!Files.isDirectory(modelDir)) throw new IOException("not a model folder: " + modelDir);
        JsonNode config = readConfig(modelDir);
        return new ChatTemplate(templateOf(modelDir, config), specialTokensOf(modelDir, config));
    }

    /** The special tokens a model folder binds at render time, whether or not it has a template of its own. */
    public static Map<String, String> specialTokens(Path modelDir) throws IOException {
        return specialTokensOf(modelDir, readConfig(modelDir));
    }

    /** tokenizer_config.json as an object, or null when the folder has none. */
    private static JsonNode readConfig(Path modelDir) throws IOException {
        Path configFile = modelDir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(configFile)) return null;
        JsonNode config;
        try {
            config = new ObjectMapper().readTree(configFile.toFile());
        } catch (IOException e) {
            throw new IOException("Cannot parse " + configFile + ": " + e.getMessage(), e);
        }
        if (config == null || !config.isObject()) throw new IOException("Cannot parse " + configFile + ": not a JSON object");
        return config;
    }

    private static String templateOf(Path modelDir, JsonNode config) throws IOException {
        Path file = modelDir.resolve(TEMPLATE_FILE);
        if (Files.isRegularFile(file)) return Files.readString(file, StandardCharsets.UTF_8);
        Path dir = modelDir.resolve(TEMPLATE_DIR);
        if (Files.isDirectory(dir)) {
            TreeSet<String> names = new TreeSet<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.jinja")) {
                for (Path p : ds) names.add(p.getFileName().toString().replaceFirst("\\.jinja$", ""));
            }
            if (names.contains("default")) return Files.readString(dir.resolve("default.jinja"), StandardCharsets.UTF_8);
            if (!names.isEmpty()) {
                throw new NoChatTemplateException(modelDir + " has several chat templates (" + String.join(", ", names)
                        + " in " + TEMPLATE_DIR + "/) and no default one");
            }
        }
        JsonNode t = config == null ? null : config.get("chat_template");
        if (t == null || t.isNull()) {
            throw new NoChatTemplateException("no chat template in " + modelDir + ": neither " + TEMPLATE_FILE
                    + " nor a \"chat_template\" in " + CONFIG_FILE);
        }
        if (t.isTextual()) return t.textValue();
        if (t.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode entry : t) {
                String name = entry.path("name").asText(null);
                JsonNode body = entry.get("template");
                if (name == null || body == null || !body.isTextual()) {
                    throw new IOException("Cannot parse " + modelDir.resolve(CONFIG_FILE)
                            + ": chat_template entries need a \"name\" and a \"template\" string");
                }
                if (name.equals("default")) return body.textValue();
                names.add(name);
            }
            throw new NoChatTemplateException(modelDir + " has several chat templates (" + String.join(", ", new TreeSet<>(names))
                    + ") and no default one");
        }
        throw new IOException("Cannot parse " + modelDir.resolve(CONFIG_FILE) + ": \"chat_template\" is neither a string nor a list");
    }

    private static Map<String, String> specialTokensOf(Path modelDir, JsonNode config) throws IOException {
        Map<String, String> tokens = new LinkedHashMap<>();
        if (config != null) readTokens(config, tokens);
        // transformers' legacy path: without added_tokens_decoder in the config, special_tokens_map.json wins
        Path legacy = modelDir.resolve(SPECIAL_TOKENS_MAP_FILE);
        if ((config == null || !config.has("added_tokens_decoder")) && Files.isRegularFile(legacy)) {
            JsonNode map;
            try {
                map = new ObjectMapper().readTree(legacy.toFile());
            } catch (IOException e) {
                throw new IOException("Cannot parse " + legacy + ": " + e.getMessage(), e);
            }
            if (map != null && map.isObject()) readTokens(map, tokens);
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String key : SPECIAL_TOKEN_KEYS) if (tokens.get(key) != null) ordered.put(key, tokens.get(key));
        return ordered;
    }

    private static void readTokens(JsonNode node, Map<String, String> into) {
        for (String key : SPECIAL_TOKEN_KEYS) {
            if (!node.has(key)) continue;
            JsonNode v = node.get(key);
            if (v.isTextual()) into.put(key, v.textValue());
            else if (v.isObject() && v.path("content").isTextual()) into.put(key, v.get("content").textValue());
            else if (v.isNull()) into.put(key, null);
        }
    }

    /** The template source. */
    public String source() { return source; }

    /** The special tokens bound at render time (only those that are set). */
    public Map<String, String> specialTokens() { return specialTokens; }

    /** Renders with strftime_now reading the system clock. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, LocalDateTime.now());
    }

    /** Renders with strftime_now reading the given clock (local date-time in the clock's zone). */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Clock clock) {
        return render(messages, addGenerationPrompt, LocalDateTime.now(clock));
    }

    /** Renders with strftime_now returning the given (naive, local) time. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, LocalDateTime now) {
        return render(messages, addGenerationPrompt, now, Map.of());
    }

    /**
     * Renders with extra template variables (transformers' {@code **kwargs} of apply_chat_template: e.g.
     * {@code enable_thinking}, {@code tools}, {@code reasoning_effort}); they override the defaults and the special
     * tokens. Values may be String, Boolean, numbers, null, List, Map and Jackson JsonNode.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, LocalDateTime now,
                         Map<String, ?> extraVariables) {
        List<Map<String, ?>> maps = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            maps.add(map);
        }
        return renderConversation(maps, addGenerationPrompt, now, extraVariables);
    }

    /**
     * Renders messages given as maps (JSON-like: String, Boolean, numbers, null, List, Map, JsonNode), for
     * messages with more keys than role and content (reasoning_content, thinking, tool_calls...). Key order is
     * kept.
     *
     * @throws TemplateException        when the template raises (raise_exception) or fails
     * @throws IllegalArgumentException for an empty conversation (as transformers)
     */
    public String renderConversation(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
                                     LocalDateTime now, Map<String, ?> extraVariables) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException(
                    "Cannot apply chat template to an empty conversation. Provide at least one message.");
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.putAll(specialTokens);
        vars.put("messages", Values.fromJava(messages));
        vars.put("tools", null);
        vars.put("documents", null);
        vars.put("add_generation_prompt", addGenerationPrompt);
        if (extraVariables != null) {
            for (Map.Entry<String, ?> e : extraVariables.entrySet()) vars.put(e.getKey(), Values.fromJava(e.getValue()));
        }
        return compiled.render(vars, Objects.requireNonNull(now, "now"));
    }
}
