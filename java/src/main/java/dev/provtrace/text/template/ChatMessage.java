package dev.provtrace.text.template;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One chat message as transformers passes it to a template: {@code {"role": role, "content": content}}.
 * A null content is passed as None (templates test {@code message['content'] is none}). Messages with more keys
 * (reasoning_content, thinking, tool_calls...) go through {@link ChatTemplate#renderConversation} as maps.
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
    }

    public static ChatMessage system(String content) { return new ChatMessage("system", content); }

    public static ChatMessage user(String content) { return new ChatMessage("user", content); }

    public static ChatMessage assistant(String content) { return new ChatMessage("assistant", content); }

    /** The dict the template sees. */
    Map<Object, Object> toMap() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }
}
