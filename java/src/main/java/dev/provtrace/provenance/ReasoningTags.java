package dev.provtrace.provenance;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the structural tags of reasoning outputs ({@code <think>}, {@code </think>}, {@code <answer>},
 * {@code <solution>}, Sky-T1's {@code <|begin_of_thought|>}, DeepSeek's {@code <｜end▁of▁sentence｜>}, ...). They are
 * boundaries between sentences, never part of one: a tag says where the reasoning starts and stops, it is not
 * something the model reasoned.
 * <p>
 * Tag names are a fixed list rather than any {@code <word>}, because math and code in the traces are full of angle
 * brackets ({@code a<b>c}, {@code #include <vector>}) that must stay text. Special tokens in bars ({@code <|...|>},
 * with ASCII or full-width bars) are always tags. Tags are recognised everywhere, even inside math or code, since
 * they come from the chat template rather than from the model's prose.
 */
final class ReasoningTags {
    private static final Pattern TAG = Pattern.compile(
            "<[|｜][^<>|｜\\s]{1,64}[|｜]>"
                    + "|</?(?:think|thinking|thought|reasoning|reflection|answer|final_answer|solution|output|summary|scratchpad|result)\\s*>",
            Pattern.CASE_INSENSITIVE);

    private ReasoningTags() {}

    /** The UTF-16 ranges {@code [start, end)} of the text between tags, in order (some may be empty or blank). */
    static List<int[]> textBetweenTags(String response) {
        List<int[]> pieces = new ArrayList<>();
        Matcher m = TAG.matcher(response);
        int from = 0;
        while (m.find()) {
            pieces.add(new int[] {from, m.start()});
            from = m.end();
        }
        pieces.add(new int[] {from, response.length()});
        return pieces;
    }
}
