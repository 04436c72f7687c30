package dev.provtrace.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;

/**
 * report.html of a selection: the strategies side by side on the same candidates — mean Teacher / Common /
 * Student counts and ratios of each selection (against all candidates), response lengths, how much the
 * selections overlap (Jaccard heatmap, and each strategy's overlap with the primary one), and the distribution of
 * per-candidate Teacher counts with each strategy's picks. Drawn by selection-report.js from selection.json's
 * numbers (without the id lists, which can be long).
 */
public final class SelectionReport {
    /** Skipped lines listed in the report; the rest are counted (all of them are in selection.json). */
    static final int SKIPPED_SHOWN = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SelectionReport() {}

    public static void write(ObjectNode selection, Path out) throws IOException {
        HtmlReport.write("selection-report.html", "selection-report.js", JSON.writeValueAsString(data(selection)), out);
    }

    static ObjectNode data(ObjectNode selection) {
        ObjectNode d = selection.deepCopy();
        for (JsonNode s : d.get("strategies")) ((ObjectNode) s).remove("selected");
        ObjectNode run = (ObjectNode) d.get("run");
        if (run != null && run.get("skipped") instanceof ArrayNode skipped) {
            run.put("skipped_count", skipped.size());
            ArrayNode shown = JSON.createArrayNode();
            for (int i = 0; i < Math.min(SKIPPED_SHOWN, skipped.size()); i++) shown.add(skipped.get(i));
            run.set("skipped", shown);
        }
        return d;
    }
}
