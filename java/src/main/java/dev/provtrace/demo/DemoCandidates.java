package dev.provtrace.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.AtomicOutput;
import dev.provtrace.provenance.Label;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Candidates for {@code provtrace select} on the demo trio: for each demo question, three candidate teacher
 * responses made of the corpus sentences the demo models were built from, so their two-model labels are known:
 * <ul>
 *   <li>{@code student}: two Student and two Shared sentences (labels 0 Teacher, 2 Common, 2 Student);</li>
 *   <li>{@code mixed}: one Teacher, one Student and three Shared sentences (1, 3, 1);</li>
 *   <li>{@code teacher}: two Teacher and two Shared sentences (2, 2, 0).</li>
 * </ul>
 * They come in that order, so a strategy that picks the teacher-style one cannot be winning on input order.
 * Responses follow the demo's layout (sentences in a think block, the last after it), which keeps every
 * sentence's probabilities those of the planted sentences.
 */
public final class DemoCandidates {
    public static final String FILE = "demo-candidates.jsonl";
    /** Candidate styles in input order, each with its planted Teacher / Common / Student counts. */
    public enum Style {
        STUDENT(0, 2, 2), MIXED(1, 3, 1), TEACHER(2, 2, 0);

        public final int teacher, common, student;

        Style(int teacher, int common, int student) {
            this.teacher = teacher;
            this.common = common;
            this.student = student;
        }

        public String suffix() { return name().toLowerCase(); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private DemoCandidates() {}

    /** The candidate lines ({@code id = QUESTION-style}, {@code question_id}, {@code question}, {@code response}, {@code style}). */
    public static List<ObjectNode> lines() {
        List<String> teacher = DemoCorpus.sentences(Label.TEACHER), student = DemoCorpus.sentences(Label.STUDENT),
                shared = DemoCorpus.sentences(Label.SHARED);
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < DemoCorpus.PLANS.size(); i++) {
            DemoCorpus.Plan plan = DemoCorpus.PLANS.get(i);
            String sh1 = pick(shared, i), sh2 = pick(shared, i + 2), sh3 = pick(shared, i + 4);
            for (Style style : Style.values()) {
                String response = switch (style) {
                    case STUDENT -> respond(List.of(sh1, pick(student, i), sh2), pick(student, i + 1));
                    case MIXED -> respond(List.of(sh1, pick(teacher, i), sh2, pick(student, i + 3)), sh3);
                    case TEACHER -> respond(List.of(sh1, pick(teacher, i), sh2), pick(teacher, i + 1));
                };
                ObjectNode o = JSON.createObjectNode();
                o.put("id", plan.id() + "-" + style.suffix());
                o.put("question_id", plan.id());
                o.put("question", plan.question());
                o.put("response", response);
                o.put("style", style.suffix());
                out.add(o);
            }
        }
        return out;
    }

    /** Writes {@link #lines()} as JSONL to {@code file}. */
    public static void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (ObjectNode o : lines()) sb.append(JSON.writeValueAsString(o)).append('\n');
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicOutput.writeString(file, sb.toString());
    }

    private static String pick(List<String> sentences, int i) { return sentences.get(i % sentences.size()); }

    /** "&lt;think&gt;\n" + sentences joined alternately by a space and a newline + "\n&lt;/think&gt;\n\n" + the last one. */
    private static String respond(List<String> think, String after) {
        StringBuilder sb = new StringBuilder(WordTokenizer.THINK).append('\n');
        for (int k = 0; k < think.size(); k++) {
            if (k > 0) sb.append(k % 2 == 1 ? " " : "\n");
            sb.append(think.get(k));
        }
        return sb.append('\n').append(WordTokenizer.END_THINK).append("\n\n").append(after).toString();
    }
}
