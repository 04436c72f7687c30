package dev.provtrace.report;

import dev.provtrace.provenance.Label;
import dev.provtrace.provenance.PositionCurves;
import org.jfree.chart.JFreeChart;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The per-group position chart carries a Wilson 95% band per group × correctness, broken at empty bins like the
 * line: 3 bins, group "a" correct 1/4 Teacher in bin 0, bin 1 empty, 2/2 in bin 2 → two runs; bands by hand:
 * 1 of 4: (0.04559, 0.69936); 2 of 2: (0.34238, 1).
 */
class GroupChartBandsTest {
    private static PositionCurves.Result<Label> curves(double[] teacherCorrect, double[] weightCorrect) {
        Map<Label, double[]> correct = new EnumMap<>(Label.class), incorrect = new EnumMap<>(Label.class);
        Map<Label, Double> area = new EnumMap<>(Label.class);
        double[] none = {Double.NaN, Double.NaN, Double.NaN};
        for (Label l : Label.values()) {
            correct.put(l, l == Label.TEACHER ? teacherCorrect : none);
            incorrect.put(l, none);
            area.put(l, null);
        }
        return new PositionCurves.Result<>(3, PositionCurves.Weighting.SENTENCE, correct, incorrect, area, 0, 2, 0, 0,
                weightCorrect, new double[3]);
    }

    @Test
    void eachGroupsCurveHasItsWilsonBandAndGapsStayGaps() {
        Map<String, PositionCurves.Result<Label>> byGroup = new LinkedHashMap<>();
        byGroup.put("a", curves(new double[] {0.25, Double.NaN, 1.0}, new double[] {4, 0, 2}));
        byGroup.put("b", curves(new double[] {0.5, 0.5, 0.5}, new double[] {2, 2, 2}));
        JFreeChart chart = TraceFigures.groupChart(byGroup, Label.TEACHER);
        YIntervalSeriesCollection data = assertInstanceOf(YIntervalSeriesCollection.class, chart.getXYPlot().getDataset());
        assertEquals(3, data.getSeriesCount(), "a: two runs around the empty bin; b: one run");
        assertEquals("a · correct", data.getSeriesKey(0));
        assertEquals(1, data.getItemCount(0));
        assertEquals(0.25, data.getYValue(0, 0), 1e-12);
        assertEquals(0.04559, data.getStartYValue(0, 0), 1e-5);
        assertEquals(0.69936, data.getEndYValue(0, 0), 1e-5);
        assertEquals(5.0 / 6, data.getXValue(1, 0), 1e-12, "the second run starts at bin 2's centre");
        assertEquals(0.34238, data.getStartYValue(1, 0), 1e-5);
        assertEquals(1.0, data.getEndYValue(1, 0), 1e-12);
        assertEquals(3, data.getItemCount(2), "b's run spans all three bins");
    }
}
