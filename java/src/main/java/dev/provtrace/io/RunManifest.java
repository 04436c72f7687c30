package dev.provtrace.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What made the outputs of a folder ({@code DIR/.provtrace-run.json}): the command, the settings that decide its
 * results (each compared by value and shown as the user would write it), and the files the run makes, so that a
 * later run with other settings is refused naming the difference, and {@code --overwrite} deletes only what
 * provtrace made. Settings that cannot change a result (threads, chunk sizes, --quiet) are not recorded.
 */
public final class RunManifest {
    public static final String FILE = ".provtrace-run.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One setting: compared by {@code value}, shown in messages as {@code shown}. */
    public record Setting(String value, String shown) {}

    private final String command;
    private final Map<String, Setting> settings = new LinkedHashMap<>();
    private final Set<Path> files = new LinkedHashSet<>();
    private final Set<Path> outputs = new LinkedHashSet<>();

    public RunManifest(String command) {
        this.command = command;
    }

    public String command() { return command; }

    public Map<String, Setting> settings() { return Collections.unmodifiableMap(settings); }

    /** The files the run makes (absolute): its outputs and its caches. */
    public Set<Path> files() { return Collections.unmodifiableSet(files); }

    /** The run's outputs (absolute): what a run with other settings would replace. */
    public Set<Path> outputs() { return Collections.unmodifiableSet(outputs); }

    /** A setting compared and shown as written ({@code null}: not given). */
    public RunManifest set(String option, Object value) {
        String v = value == null ? "(none)" : value.toString();
        settings.put(option, new Setting(v, v));
        return this;
    }

    /** A setting as another manifest holds it. */
    public RunManifest copy(String option, Setting setting) {
        settings.put(option, setting);
        return this;
    }

    /** A path setting: compared by its absolute form, shown as given. */
    public RunManifest path(String option, Path value) {
        if (value == null) return set(option, null);
        settings.put(option, new Setting(value.toAbsolutePath().normalize().toString(), value.toString()));
        return this;
    }

    /**
     * A model folder: compared by the fingerprint of its files (so the same model moved is the same, and a model
     * changed in place is not), shown as the folder with the start of its fingerprint.
     */
    public RunManifest model(String option, Path dir, String fingerprint) {
        settings.put(option, new Setting(fingerprint, dir + " (fingerprint " + fingerprint.substring(0, 12) + ")"));
        return this;
    }

    /** A file the run makes that is not an output (a cache), deleted by {@code --overwrite}. */
    public RunManifest file(Path p) {
        files.add(p.toAbsolutePath().normalize());
        return this;
    }

    /** An output of the run: deleted by {@code --overwrite}, and guarded against runs with other settings. */
    public RunManifest output(Path p) {
        outputs.add(p.toAbsolutePath().normalize());
        return file(p);
    }

    /** The differences from an earlier run's manifest, each as {@code OPTION EARLIER, now NOW}; empty when none. */
    public List<String> differencesFrom(RunManifest earlier) {
        List<String> out = new ArrayList<>();
        if (!earlier.command.equals(command)) out.add("provtrace " + earlier.command + ", now provtrace " + command);
        Set<String> names = new LinkedHashSet<>(earlier.settings.keySet());
        names.addAll(settings.keySet());
        Setting none = new Setting("(not used)", "(not used)");      // recorded only where it matters (e.g. --seed)
        for (String name : names) {
            Setting was = earlier.settings.getOrDefault(name, none), now = settings.getOrDefault(name, none);
            if (!Objects.equals(was.value(), now.value())) out.add(name + " " + was.shown() + ", now " + now.shown());
        }
        return out;
    }

    /** The manifest of a folder, or null when it has none. */
    public static RunManifest read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) return null;
        JsonNode n;
        try {
            n = JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new IOException(f + ": not a readable provtrace run manifest (" + e.getMessage()
                    + "); delete it, or rerun with --overwrite", e);
        }
        if (n == null || !n.path("command").isTextual() || !n.path("settings").isObject()) {
            throw new IOException(f + ": not a provtrace run manifest; delete it, or rerun with --overwrite");
        }
        RunManifest m = new RunManifest(n.get("command").asText());
        n.get("settings").fields().forEachRemaining(e -> m.settings.put(e.getKey(),
                new Setting(e.getValue().path("value").asText(), e.getValue().path("shown").asText())));
        for (JsonNode p : n.path("files")) m.files.add(Path.of(p.asText()));
        for (JsonNode p : n.path("outputs")) m.outputs.add(Path.of(p.asText()));
        return m;
    }

    /** Writes {@code DIR/.provtrace-run.json} atomically ({@link AtomicOutput}: temp, fsync, rename). */
    public void write(Path dir) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("command", command);
        ObjectNode s = n.putObject("settings");
        settings.forEach((k, v) -> s.putObject(k).put("value", v.value()).put("shown", v.shown()));
        ArrayNode f = n.putArray("files");
        for (Path p : files) f.add(p.toString());
        ArrayNode o = n.putArray("outputs");
        for (Path p : outputs) o.add(p.toString());
        AtomicOutput.writeString(dir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
    }
}
