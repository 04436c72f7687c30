package dev.provtrace.trace;

import dev.provtrace.engine.Precision;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a model's scores depend on, hashed: config, tokenizer files, the weight files (name, size, modification
 * time: hashing gigabytes on every run would cost more than it protects), the prompt setup, and the scoring
 * version. A change to any of them starts a new cache instead of reusing stale scores.
 */
public final class ModelFingerprint {
    public static final String SCORING_VERSION = "provtrace-scores-1";

    private ModelFingerprint() {}

    public static String of(Path modelDir, String promptFingerprint) throws IOException {
        return of(modelDir, promptFingerprint, "cpu");
    }

    /**
     * The fingerprint of scores made on {@code device} (the --device name): any device but cpu is hashed in, so
     * scores of different devices never share a cache, while the caches made before devices existed (all cpu) stay
     * valid.
     */
    public static String of(Path modelDir, String promptFingerprint, String device) throws IOException {
        return of(modelDir, promptFingerprint, device, Precision.FP32);
    }

    /**
     * The fingerprint of scores made on {@code device} at {@code precision}: bf16 is hashed in (fp32 is not, so the
     * caches made before precisions existed, all fp32, stay valid), so bf16 and fp32 scores never share a cache.
     */
    public static String of(Path modelDir, String promptFingerprint, String device, Precision precision) throws IOException {
        return of(modelDir, promptFingerprint, device, precision, false);
    }

    /** As above, and --batch-invariant hashed in when on (its GEMMs sum in another order: other numbers). */
    public static String of(Path modelDir, String promptFingerprint, String device, Precision precision, boolean batchInvariant)
            throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(SCORING_VERSION.getBytes(StandardCharsets.UTF_8));
            md.update(promptFingerprint.getBytes(StandardCharsets.UTF_8));
            if (!"cpu".equals(device)) md.update(("device=" + device).getBytes(StandardCharsets.UTF_8));
            if (precision != Precision.FP32) md.update(("precision=" + precision.cliName()).getBytes(StandardCharsets.UTF_8));
            if (batchInvariant) md.update("batch-invariant".getBytes(StandardCharsets.UTF_8));
            for (String name : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
                Path p = modelDir.resolve(name);
                md.update(name.getBytes(StandardCharsets.UTF_8));
                if (Files.isRegularFile(p)) {
                    try (InputStream in = Files.newInputStream(p)) {
                        byte[] buf = new byte[1 << 16];
                        for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
                    }
                }
            }
            try (Stream<Path> files = Files.list(modelDir)) {
                for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".safetensors")).sorted().toList()) {
                    md.update((p.getFileName() + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis())
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Key of one record inside a model's cache: its question and response. */
    public static String recordKey(String question, String response) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(question.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(response.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
