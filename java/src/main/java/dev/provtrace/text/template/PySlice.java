package dev.provtrace.text.template;

import java.util.ArrayList;
import java.util.List;

/** A Python slice with Python's index arithmetic (negative indices, clamping, negative steps). */
record PySlice(Object start, Object stop, Object step) {

    /** Returns the selected indices of a sequence of the given length. */
    int[] indices(int length) {
        long st = step == null ? 1 : PyObjects.toIndex(step);
        if (st == 0) throw TemplateException.python("ValueError", "slice step cannot be zero");
        long lo, hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(PyObjects.toIndex(start), length, 0, length);
            hi = stop == null ? length : clamp(PyObjects.toIndex(stop), length, 0, length);
        } else {
            lo = start == null ? length - 1 : clamp(PyObjects.toIndex(start), length, -1, length - 1);
            hi = stop == null ? -1 : clamp(PyObjects.toIndex(stop), length, -1, length - 1);
        }
        List<Integer> out = new ArrayList<>();
        if (st > 0) for (long i = lo; i < hi; i += st) out.add((int) i);
        else for (long i = lo; i > hi; i += st) out.add((int) i);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static long clamp(long i, int length, long min, long max) {
        if (i < 0) i += length;
        if (i < min) return min;
        if (i > max) return max;
        return i;
    }

    /** True when every part is an int or None, as Python requires of list and str slices. */
    boolean valid() {
        return isIndex(start) && isIndex(stop) && isIndex(step);
    }

    private static boolean isIndex(Object o) {
        return o == null || o instanceof Long || o instanceof Boolean || o instanceof java.math.BigInteger;
    }

    @Override
    public String toString() {
        return "slice(" + PyObjects.repr(start) + ", " + PyObjects.repr(stop) + ", " + PyObjects.repr(step) + ")";
    }
}
