package dev.provtrace.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a model's chat template is given besides the conversation: a system prompt (a first system turn, unless the
 * record's own messages start with one) and keyword arguments, as transformers' {@code apply_chat_template(...,
 * **kwargs)} passes them (e.g. {@code enable_thinking}). Part of the prompt fingerprint when not empty, so scores
 * made under another setup never share a cache; the empty setup keeps the fingerprints made before it existed.
 *
 * @param system     the system prompt, or null
 * @param chatKwargs the template's keyword arguments (a JSON object), or null
 */
public record PromptSetup(String system, ObjectNode chatKwargs) {
    public static final PromptSetup NONE = new PromptSetup(null, null);
    private static final ObjectMapper SORTED = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public boolean isEmpty() { return system == null && (chatKwargs == null || chatKwargs.isEmpty()); }

    /** The keyword arguments as template variables (empty without any). */
    public Map<String, Object> kwargs() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (chatKwargs != null) chatKwargs.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** A stable text of the setup for fingerprints: the system prompt and the kwargs with sorted keys. */
    String canonical() {
        try {
            Object sorted = chatKwargs == null ? null : SORTED.treeToValue(chatKwargs, Object.class);
            return "system=" + (system == null ? "(none)" : system) + "\u0000kwargs=" + SORTED.writeValueAsString(sorted);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For summary.json: {"system", "chat_kwargs"} (only what is set). */
    public ObjectNode json() {
        ObjectNode o = SORTED.createObjectNode();
        if (system != null) o.put("system", system);
        if (chatKwargs != null && !chatKwargs.isEmpty()) o.set("chat_kwargs", chatKwargs);
        return o;
    }

    /** This setup with {@code over}'s system prompt (when it has one) and its kwargs over these, key by key. */
    public PromptSetup overriddenBy(PromptSetup over) {
        String s = over.system != null ? over.system : system;
        ObjectNode k = chatKwargs == null ? null : chatKwargs.deepCopy();
        if (over.chatKwargs != null) {
            if (k == null) k = SORTED.createObjectNode();
            for (var e : over.chatKwargs.properties()) k.set(e.getKey(), e.getValue());
        }
        return new PromptSetup(s, k);
    }

    /** Parses --chat-kwargs: a JSON object. */
    public static ObjectNode parseKwargs(String option, String json) {
        if (json == null) return null;
        JsonNode n;
        try {
            n = SORTED.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(option + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException(option + " must be a JSON object, e.g. '{\"enable_thinking\": true}'");
        for (String reserved : new String[] {"messages", "add_generation_prompt"}) {
            if (n.has(reserved)) throw new IllegalArgumentException(option + ": \"" + reserved + "\" is not a template keyword argument here");
        }
        return (ObjectNode) n;
    }
}
