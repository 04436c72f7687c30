package dev.provtrace.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The tensors of a Hugging Face model folder: shards named by {@code model.safetensors.index.json}, or else a
 * single {@code model.safetensors}. Every file's header is validated on open, and the index is cross-checked
 * against the shards, so a broken download fails before any compute, with the file and tensor named.
 */
public final class SafetensorsCheckpoint implements Checkpoint {
    static final String INDEX_FILE = "model.safetensors.index.json";
    static final String SINGLE_FILE = "model.safetensors";

    private final Path folder;
    private final List<SafetensorsFile> files;
    private final Map<String, TensorView> tensors;   // sorted by name, so names() is stable across runs

    private SafetensorsCheckpoint(Path folder, List<SafetensorsFile> files, Map<String, TensorView> tensors) {
        this.folder = folder;
        this.files = files;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public static SafetensorsCheckpoint open(Path modelDir) {
        return open(modelDir, Warnings.toStderr());
    }

    /** @param warnings receives problems that do not stop loading (a shard tensor the index does not list) */
    public static SafetensorsCheckpoint open(Path modelDir, Consumer<String> warnings) {
        if (!Files.isDirectory(modelDir)) throw new SafetensorsException(modelDir + ": model folder not found");
        Path index = modelDir.resolve(INDEX_FILE);
        Path single = modelDir.resolve(SINGLE_FILE);
        if (Files.exists(index)) return openSharded(modelDir, index, warnings);
        if (Files.exists(single)) return openSingle(modelDir, single);
        throw new SafetensorsException(modelDir + ": no weights found: looked for " + INDEX_FILE + " and " + SINGLE_FILE
                + (Files.exists(modelDir.resolve("pytorch_model.bin")) || Files.exists(modelDir.resolve("pytorch_model.bin.index.json"))
                ? " (found pytorch_model.bin weights, which are not supported: convert them to safetensors)" : ""));
    }

    private static SafetensorsCheckpoint openSingle(Path folder, Path file) {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, TensorView> tensors = new TreeMap<>();
        for (String name : f.names()) tensors.put(name, f.tensor(name));
        return new SafetensorsCheckpoint(folder, List.of(f), tensors);
    }

    private static SafetensorsCheckpoint openSharded(Path folder, Path index, Consumer<String> warnings) {
        Map<String, Path> shardOf = ShardIndex.read(index, folder);
        Map<Path, List<String>> listedIn = new LinkedHashMap<>();
        shardOf.forEach((tensor, shard) -> listedIn.computeIfAbsent(shard, k -> new ArrayList<>()).add(tensor));

        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, TensorView> tensors = new TreeMap<>();
            for (Map.Entry<Path, List<String>> shard : listedIn.entrySet()) {
                if (!Files.isRegularFile(shard.getKey())) {
                    List<String> held = shard.getValue();
                    throw new SafetensorsException(index + ": shard file " + shard.getKey() + " is missing (the index"
                            + " maps " + held.size() + " tensor(s) to it, e.g. \"" + held.get(0) + "\")");
                }
                SafetensorsFile file = SafetensorsFile.open(shard.getKey());
                opened.add(file);
                addShard(index, file, shard.getValue(), tensors, warnings);
            }
            return new SafetensorsCheckpoint(folder, List.copyOf(opened), tensors);
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static void addShard(Path index, SafetensorsFile file, List<String> listed, Map<String, TensorView> tensors,
                                 Consumer<String> warnings) {
        for (String name : listed) {
            if (!file.has(name)) {
                throw new SafetensorsException(index + ": tensor \"" + name + "\" is mapped to " + file.path()
                        + ", but that shard has no such tensor (incomplete download, or a stale index)");
            }
        }
        Set<String> unlisted = new TreeSet<>(file.names());
        listed.forEach(unlisted::remove);
        for (String name : file.names()) {
            TensorView previous = tensors.putIfAbsent(name, file.tensor(name));
            if (previous != null) {
                throw new SafetensorsException(file.path() + ": tensor \"" + name + "\" is also in " + previous.file()
                        + "; a tensor must be in exactly one shard");
            }
        }
        if (!unlisted.isEmpty()) {
            warnings.accept(file.path() + " holds " + unlisted.size() + " tensor(s) that " + index.getFileName()
                    + " does not list: " + String.join(", ", unlisted));
        }
    }

    @Override
    public Path folder() { return folder; }

    /** The opened files, in the order they were opened. */
    public List<Path> files() { return files.stream().map(SafetensorsFile::path).toList(); }

    @Override
    public Set<String> names() { return tensors.keySet(); }

    @Override
    public boolean has(String name) { return tensors.containsKey(name); }

    @Override
    public TensorView tensor(String name) {
        TensorView t = tensors.get(name);
        if (t == null) throw new SafetensorsException(folder + ": no tensor \"" + name + "\" in the checkpoint");
        return t;
    }

    @Override
    public long totalBytes() {
        long sum = 0;
        for (TensorView t : tensors.values()) sum += t.byteSize();
        return sum;
    }

    @Override
    public void close() { files.forEach(SafetensorsFile::close); }

    @Override
    public String toString() { return "SafetensorsCheckpoint[" + folder + ", " + files.size() + " file(s), " + tensors.size() + " tensors]"; }
}
