package dev.provtrace.report;

import dev.provtrace.io.AtomicOutput;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Self-contained HTML reports: a page template from the classpath with Chart.js (from its WebJar), the report's
 * own script and its data inlined, so the file opens anywhere without network access.
 */
public final class HtmlReport {
    private static final String CHART_JS = "/META-INF/resources/webjars/chart.js/4.5.1/dist/chart.umd.min.js";

    private HtmlReport() {}

    /**
     * Fills {@code page}'s /*COMMONCSS*&#47; (styles shared by all reports), /*CHARTJS*&#47;, /*REPORTJS*&#47; and
     * /*DATA*&#47; slots and writes the file (atomically: {@link AtomicOutput}).
     */
    public static void write(String page, String script, String dataJson, Path out) throws IOException {
        String html = resource("/report/" + page)
                .replace("/*COMMONCSS*/", resource("/report/common.css"))
                .replace("/*CHARTJS*/", resource(CHART_JS))
                // then what the charts drew, read back for a headless browser to check (rendered.js)
                .replace("/*REPORTJS*/", resource("/report/" + script) + "\n" + resource("/report/rendered.js"))
                // the data sits in a <script> element: "</" must not close it early
                .replace("/*DATA*/", dataJson.replace("</", "<\\/"));
        AtomicOutput.writeString(out, html);
    }

    static String resource(String name) throws IOException {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("resource " + name + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
