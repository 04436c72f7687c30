package dev.provtrace.demo;

import dev.provtrace.provenance.Label;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sentences the demo models were "trained" on and the responses built from them.
 *
 * <p>Design rules that make the labels hold by construction: every sentence ends with its only period; the tokens
 * of a Shared sentence (in either tokenizer) appear in no other kind of sentence, so the rows that score a Shared
 * sentence are the same in all three models; Teacher, Student and Boosted sentences use words of their own, so a
 * model that never saw a kind of sentence gives their tokens only smoothing mass.
 */
final class DemoCorpus {
    private DemoCorpus() {}

    /** Sentences by key; the key's prefix is the kind (SH, T, S, B). */
    static final Map<String, String> SENTENCES = new LinkedHashMap<>();

    static {
        // Shared: plain steps that teacher and student both say. No word repeats across them, and each ends with
        // a word of 7-12 letters, which the student cuts in two: both tokenizers give the same number of tokens.
        SENTENCES.put("SH1", "Let me first read the whole question.");
        SENTENCES.put("SH2", "Write down what is given in this problem.");
        SENTENCES.put("SH3", "Next group like terms to form one expression.");
        SENTENCES.put("SH4", "Now check if my answer makes sense overall.");
        SENTENCES.put("SH5", "Then give a clear final statement.");
        SENTENCES.put("SH6", "Keep track of every minus sign carefully.");
        // Teacher: formal, rigorous.
        SENTENCES.put("T1", "Therefore our total must equal both partial sums combined.");
        SENTENCES.put("T2", "We verify our claim through substitution into that original equation.");
        SENTENCES.put("T3", "Consequently each intermediate quantity remains consistent with prior derivations.");
        SENTENCES.put("T4", "Observe that isolating an unknown requires subtracting identical amounts from both sides.");
        SENTENCES.put("T5", "Hence our computed result satisfies all stated constraints.");
        SENTENCES.put("T6", "Formally, multiplication distributes over addition, which justifies regrouping.");
        // Student: casual.
        SENTENCES.put("S1", "Ok so I just add them up real quick.");
        SENTENCES.put("S2", "Hmm wait, lemme redo that bit again.");
        SENTENCES.put("S3", "Yeah pretty sure it looks about right.");
        SENTENCES.put("S4", "So basically you move stuff over and divide.");
        SENTENCES.put("S5", "Gonna guess it works out, probably fine.");
        SENTENCES.put("S6", "Um I kinda forgot how carrying goes here.");
        // Boosted: a checking habit neither teacher nor student has, picked up by the distilled model alone.
        SENTENCES.put("B1", "Quick sanity pass confirms nothing got dropped.");
        SENTENCES.put("B2", "Cross checking each digit twice catches slips.");
        SENTENCES.put("B3", "Rewriting everything neatly reveals hidden mistakes.");
        SENTENCES.put("B4", "Pausing here helps avoid careless arithmetic errors.");
        SENTENCES.put("B5", "Tracing units through keeps magnitudes honest.");
        SENTENCES.put("B6", "Estimating roughly beforehand flags absurd outcomes.");
    }

    static Label label(String key) {
        if (key.startsWith("SH")) return Label.SHARED;
        return switch (key.charAt(0)) {
            case 'T' -> Label.TEACHER;
            case 'S' -> Label.STUDENT;
            case 'B' -> Label.BOOSTED;
            default -> throw new IllegalArgumentException(key);
        };
    }

    static List<String> sentences(Label... kinds) {
        List<String> out = new ArrayList<>();
        SENTENCES.forEach((key, text) -> {
            for (Label k : kinds) if (label(key) == k) out.add(text);
        });
        return out;
    }

    static List<String> allSentences() { return new ArrayList<>(SENTENCES.values()); }

    /**
     * One demo record before rendering: sentences inside a think block (empty = no block) and after it.
     * Correct answers come with teacher-like reasoning, wrong ones with student-like and boosted reasoning.
     */
    record Plan(String id, String group, String question, String answer, boolean correct,
                List<String> think, List<String> after) {}

    static final List<Plan> PLANS = List.of(
            new Plan("arith-01", "arith", "What is 12 + 7?", "19", true,
                    List.of("SH1", "T1", "SH4"), List.of("T5")),
            new Plan("arith-02", "arith", "What is 45 - 18?", "27", true,
                    List.of("SH2", "T6", "B2", "SH6"), List.of("SH5")),
            new Plan("arith-03", "arith", "What is 6 times 7?", "43", false,
                    List.of("S1", "S5", "B4"), List.of("S3")),
            new Plan("arith-04", "arith", "Add 123 and 456.", "579", true,
                    List.of(), List.of("SH1", "T1", "S4", "T5")),
            new Plan("arith-05", "arith", "What is 81 divided by 9?", "8", false,
                    List.of("S6", "B1", "S2", "B3"), List.of("S3")),
            new Plan("arith-06", "arith", "What is 15 percent of 200?", "30", true,
                    List.of("SH2", "T3", "SH3", "B5"), List.of("SH5")),
            new Plan("algebra-01", "algebra", "Solve 3x + 5 = 20 for x.", "5", true,
                    List.of("SH1", "T4", "SH3", "T2"), List.of("T5")),
            new Plan("algebra-02", "algebra", "Solve 2y - 4 = 10 for y.", "3", false,
                    List.of("S4", "S2", "B6"), List.of("S5")),
            new Plan("algebra-03", "algebra", "If x + x = 14, what is x?", "7", true,
                    List.of(), List.of("SH2", "T6", "SH4", "SH5")),
            new Plan("algebra-04", "algebra", "Solve 5z = 35 for z.", "6", false,
                    List.of("B3", "S1", "B2", "S6"), List.of("B4")),
            new Plan("algebra-05", "algebra", "Find a if 4a + 1 = 17.", "4", true,
                    List.of("SH6", "T4", "B5", "T2", "SH4"), List.of("SH5")),
            new Plan("algebra-06", "algebra", "Solve 7 - b = 2 for b.", "9", false,
                    List.of("S3", "B6", "S5"), List.of("S4")));

    /** A rendered response and the code-point spans of its sentences, in order. */
    record Rendered(String response, List<String> keys, List<int[]> spans) {}

    /**
     * "&lt;think&gt;\n" + sentences (alternately joined by a space and a newline) + "\n&lt;/think&gt;\n\n" + the
     * rest joined by spaces.
     */
    static Rendered render(Plan plan) {
        StringBuilder sb = new StringBuilder();
        List<String> keys = new ArrayList<>();
        List<int[]> spans = new ArrayList<>();
        if (!plan.think().isEmpty()) {
            sb.append(WordTokenizer.THINK).append('\n');
            for (int i = 0; i < plan.think().size(); i++) {
                if (i > 0) sb.append(i % 2 == 1 ? " " : "\n");
                append(sb, plan.think().get(i), keys, spans);
            }
            sb.append('\n').append(WordTokenizer.END_THINK).append("\n\n");
        }
        for (int i = 0; i < plan.after().size(); i++) {
            if (i > 0) sb.append(' ');
            append(sb, plan.after().get(i), keys, spans);
        }
        return new Rendered(sb.toString(), keys, spans);
    }

    private static void append(StringBuilder sb, String key, List<String> keys, List<int[]> spans) {
        String text = SENTENCES.get(key);
        int start = sb.codePointCount(0, sb.length());
        sb.append(text);
        keys.add(key);
        spans.add(new int[]{start, start + text.codePointCount(0, text.length())});
    }
}
