package dev.provtrace.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * All tensors of a model folder: a single model.safetensors, or shards listed by model.safetensors.index.json.
 * CONTRACT: open() validates every file's header (see SafetensorsFile); tensor() of a missing name throws
 * SafetensorsException naming the tensor and the folder. close() unmaps what it can.
 */
public interface Checkpoint extends AutoCloseable {
    static Checkpoint open(Path modelDir) throws IOException {
        return SafetensorsCheckpoint.open(modelDir);
    }

    /**
     * The model folder, for error messages. A default so that small fakes in tests need not implement it: it
     * is the folder of any tensor's file.
     */
    default Path folder() {
        return names().isEmpty() ? Path.of(".") : tensor(names().iterator().next()).file().toAbsolutePath().getParent();
    }

    Set<String> names();

    boolean has(String name);

    TensorView tensor(String name);

    /** Total bytes of all tensors. */
    long totalBytes();

    @Override
    void close();
}
