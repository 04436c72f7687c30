package dev.provtrace.text.template;

import java.util.ArrayList;
import java.util.List;

/** Python's range object (what jinja2's sandboxed range() returns): lazy, indexable, repr "range(0, 3)". */
record PyRange(long start, long stop, long step) {
    long length() {
        if (step > 0) return stop > start ? (stop - start + step - 1) / step : 0;
        return start > stop ? (start - stop - step - 1) / -step : 0;
    }

    List<Object> items() {
        List<Object> out = new ArrayList<>((int) length());
        for (long i = 0, v = start; i < length(); i++, v += step) out.add(v);
        return out;
    }

    /** range[a:b:c] is again a range (CPython's compute_slice). */
    PyRange slice(PySlice s) {
        long st = s.step() == null ? 1 : PyObjects.toIndex(s.step());
        if (st == 0) throw TemplateException.python("ValueError", "slice step cannot be zero");
        int n = (int) length();
        int[] idx = s.indices(n);
        long first = idx.length > 0 ? idx[0] : boundStart(s, n, st);
        long newStart = start + first * step;
        long newStep = step * st;
        long newStop = newStart + (long) idx.length * newStep;
        return new PyRange(newStart, newStop, newStep);
    }

    private static long boundStart(PySlice s, int n, long st) {
        if (s.start() == null) return st > 0 ? 0 : n - 1;
        long i = PyObjects.toIndex(s.start());
        if (i < 0) i += n;
        return st > 0 ? Math.max(0, Math.min(i, n)) : Math.max(-1, Math.min(i, n - 1));
    }

    @Override
    public String toString() {
        return "range(" + start + ", " + stop + (step == 1 ? "" : ", " + step) + ")";
    }
}
