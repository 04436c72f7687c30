package dev.provtrace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Paths to test resources and readers for the Hugging Face reference files. */
public final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    public static Path resource(String relative) {
        URL url = Fixtures.class.getClassLoader().getResource(relative);
        if (url == null) throw new IllegalStateException("test resource missing: " + relative);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A model folder of hf-reference/ (llama, qwen2, qwen3, mistral, llama-bf16: the shared HF fixtures) or
     * hf-extra/ (llama-linear, qwen2-yarn, mistral-sliding, llama-sharded, qwen2-bf16: made by
     * tools/make_hf_fixtures.py).
     */
    public static Path hfModel(String name) {
        return Fixtures.class.getClassLoader().getResource("hf-reference/" + name) != null
                ? resource("hf-reference/" + name) : resource("hf-extra/" + name);
    }

    /** One reference sequence: ids, HF's token log-probs (index 0 NaN) and top-5 rows. */
    public record Reference(int[] ids, double[] logprobs, int[] top5Positions, int[][] top5Ids, double[][] top5Logprobs,
                            int[] logitsPositions, double[][] logits) {}

    /**
     * transformers' log-probs of the same sequences with the model run in bf16 (expected.compute-bf16.json, made by
     * tools/make_bf16_compute_fixtures.py): per sequence, NaN for token 0.
     */
    public static List<double[]> expectedComputeBf16(Path modelDir) throws IOException {
        JsonNode root = JSON.readTree(modelDir.resolve("expected.compute-bf16.json").toFile());
        if (!"bfloat16".equals(root.path("compute_dtype").asText())) {
            throw new IOException(modelDir + "/expected.compute-bf16.json: compute_dtype is " + root.path("compute_dtype") + ", not bfloat16");
        }
        List<double[]> out = new ArrayList<>();
        for (JsonNode s : root.get("sequences")) {
            JsonNode lpNode = s.get("token_logprobs");
            double[] lp = new double[lpNode.size()];
            for (int i = 0; i < lp.length; i++) lp[i] = lpNode.get(i).isNull() ? Double.NaN : lpNode.get(i).asDouble();
            out.add(lp);
        }
        return out;
    }

    public static List<Reference> expected(Path modelDir) throws IOException {
        JsonNode root = JSON.readTree(modelDir.resolve("expected.json").toFile());
        List<Reference> out = new ArrayList<>();
        for (JsonNode s : root.get("sequences")) {
            JsonNode idsNode = s.get("input_ids"), lpNode = s.get("token_logprobs");
            int n = idsNode.size();
            int[] ids = new int[n];
            double[] lp = new double[n];
            for (int i = 0; i < n; i++) {
                ids[i] = idsNode.get(i).asInt();
                lp[i] = lpNode.get(i).isNull() ? Double.NaN : lpNode.get(i).asDouble();
            }
            JsonNode pos = s.get("top5_positions"), top = s.get("top5");
            int[] positions = new int[pos.size()];
            int[][] topIds = new int[pos.size()][];
            double[][] topLp = new double[pos.size()][];
            for (int p = 0; p < pos.size(); p++) {
                positions[p] = pos.get(p).asInt();
                JsonNode row = top.get(p);
                topIds[p] = new int[row.size()];
                topLp[p] = new double[row.size()];
                for (int k = 0; k < row.size(); k++) {
                    topIds[p][k] = row.get(k).get(0).asInt();
                    topLp[p][k] = row.get(k).get(1).asDouble();
                }
            }
            JsonNode lpos = s.get("logits_positions"), rows = s.get("logits");
            int[] logitsPositions = new int[lpos.size()];
            double[][] logits = new double[lpos.size()][];
            for (int p = 0; p < lpos.size(); p++) {
                logitsPositions[p] = lpos.get(p).asInt();
                logits[p] = new double[rows.get(p).size()];
                for (int v = 0; v < logits[p].length; v++) logits[p][v] = rows.get(p).get(v).asDouble();
            }
            out.add(new Reference(ids, lp, positions, topIds, topLp, logitsPositions, logits));
        }
        return out;
    }
}
