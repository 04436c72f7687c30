package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * logprobs' fields on request (--tokens, --split-top-k, --sums, --rank) and lm-eval's context/continuation records, each
 * checked against numbers recomputed here from the plain output: sums of the written log-probs, the pairs' ids,
 * the context tokenized on its own, the greedy check from the top-1 ids.
 */
class LogprobsFieldsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> run(Path model, Path in, Path out, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("logprobs", "--model", model.toString(), "--input", in.toString(),
                "--output", out.toString(), "--quiet", "--top-k", "3"));
        args.addAll(List.of(more));
        TraceCommandTest.Run r = TraceCommandTest.run(args.toArray(String[]::new));
        assertTrue(r.exit() == 0 || r.exit() == 3, r.err());
        List<JsonNode> lines = new ArrayList<>();
        for (String l : Files.readAllLines(out)) lines.add(JSON.readTree(l));
        return lines;
    }

    @Test
    void fieldsOnRequestAgreeWithThePlainOutput(@TempDir Path dir) throws Exception {
        Path model = LogprobsCommandTest.modelWithTokenizer(dir);
        String context = "The capital of France is ", continuation = "Paris, of course.";
        Path in = Files.write(dir.resolve("in.jsonl"), List.of(
                "{\"id\": \"t\", \"text\": \"Hello world, this is a test.\"}",
                "{\"id\": \"pair\", \"context\": " + JSON.writeValueAsString(context) + ", \"continuation\": "
                        + JSON.writeValueAsString(continuation) + "}",
                "{\"id\": \"whole\", \"text\": " + JSON.writeValueAsString(context + continuation) + "}",
                "{\"id\": \"ctx\", \"text\": " + JSON.writeValueAsString(context.strip()) + "}",
                "{\"id\": \"bad\", \"context\": \"x\", \"continuation\": \"\"}",
                "{\"id\": \"both\", \"text\": \"a\", \"context\": \"x\", \"continuation\": \"y\"}"));
        List<JsonNode> plain = run(model, in, dir.resolve("plain.jsonl"));
        List<JsonNode> rich = run(model, in, dir.resolve("rich.jsonl"), "--split-top-k", "--sums", "--tokens", "--rank");
        assertEquals(4, plain.size(), "two bad records rejected");
        for (int i = 0; i < 4; i++) {
            JsonNode p = plain.get(i), r = rich.get(i);
            assertEquals(p.get("token_logprobs"), r.get("token_logprobs"), "the same numbers");
            int n = p.get("input_ids").size();
            double sum = 0;
            for (int t = 1; t < n; t++) sum += p.get("token_logprobs").get(t).asDouble();
            // the written log-probs are fp32 printed short; the sums add the fp32 values themselves: 1e-7 relative apart
            assertEquals(sum, r.get("sum_logprob").asDouble(), 1e-6 * Math.abs(sum));
            assertEquals(sum / (n - 1), r.get("mean_logprob").asDouble(), 1e-6 * Math.abs(sum));
            assertEquals(n - 1, r.get("scored_tokens").asInt());
            assertEquals(n, r.get("tokens").size());
            for (int t = 1; t < n; t++) {
                for (int k = 0; k < 3; k++) {
                    JsonNode pair = p.get("top_k").get(t).get(k);
                    assertTrue(r.get("top_k_ids").get(t).get(k).isInt(), "ids are integers");
                    assertEquals(pair.get(0).asInt(), r.get("top_k_ids").get(t).get(k).asInt());
                    assertEquals(pair.get(1).asDouble(), r.get("top_k_logprobs").get(t).get(k).asDouble());
                }
            }
            assertTrue(!r.has("top_k") && !p.has("top_k_ids") && !p.has("token_ranks"));
            // the rank from the top-3 list: the target's place there when it is in it (an exact tie above it shares
            // its rank), else past the list
            for (int t = 1; t < n; t++) {
                int target = p.get("input_ids").get(t).asInt(), rank = r.get("token_ranks").get(t).asInt();
                JsonNode top = p.get("top_k").get(t);
                double lp = p.get("token_logprobs").get(t).asDouble();
                int above = 0;
                boolean listed = false;
                for (int k = 0; k < 3; k++) {
                    if (top.get(k).get(0).asInt() == target) listed = true;
                    if (top.get(k).get(1).asDouble() > lp) above++;
                }
                if (listed) assertEquals(1 + above, rank, "token " + t + " of record " + i);
                else assertTrue(rank > 3, "token " + t + " of record " + i + " is not in the top 3, rank " + rank);
            }
        }
        // context/continuation: the whole text's tokens, the continuation after the context's own tokens
        JsonNode pair = rich.get(1), whole = rich.get(2), ctx = rich.get(3);
        assertEquals(whole.get("input_ids"), pair.get("input_ids"));
        int start = ctx.get("input_ids").size();
        assertEquals(start, pair.get("continuation_start").asInt(), "the context's trailing space moved to the continuation");
        double cont = 0;
        boolean greedy = true;
        for (int t = start; t < pair.get("input_ids").size(); t++) {
            cont += pair.get("token_logprobs").get(t).asDouble();
            greedy &= pair.get("top_k_ids").get(t).get(0).asInt() == pair.get("input_ids").get(t).asInt();
        }
        assertEquals(cont, pair.get("continuation_logprob").asDouble(), 1e-6 * Math.abs(cont));
        assertEquals(pair.get("input_ids").size() - start, pair.get("continuation_tokens").asInt());
        assertEquals(greedy, pair.get("is_greedy").asBoolean());
        assertTrue(!plain.get(0).has("is_greedy") && !plain.get(0).has("sum_logprob"), "plain records get none of these");
        String rejected = Files.readString(dir.resolve("plain.jsonl.rejected.jsonl"));
        assertTrue(rejected.contains("\"id\":\"bad\"") && rejected.contains("is empty: there is nothing to score")
                && rejected.contains("\"id\":\"both\"") && rejected.contains("needs exactly one of"), rejected);
    }
}
