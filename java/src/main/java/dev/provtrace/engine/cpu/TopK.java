package dev.provtrace.engine.cpu;

/** The k largest (value, id) pairs seen, kept in a min-heap; ties broken towards the smaller id. */
final class TopK {
    private final float[] values;
    private final int[] ids;
    private int size;

    TopK(int k) {
        values = new float[k];
        ids = new int[k];
    }

    /** Smallest kept value once full (a quick filter for the caller), −∞ before. */
    float threshold() {
        return size < values.length ? Float.NEGATIVE_INFINITY : values[0];
    }

    void offer(float value, int id) {
        if (size < values.length) {
            values[size] = value;
            ids[size] = id;
            siftUp(size++);
        } else if (less(values[0], ids[0], value, id)) {
            values[0] = value;
            ids[0] = id;
            siftDown(0);
        }
    }

    /** (a, ia) ranks below (b, ib): smaller value, or equal value and larger id. */
    private static boolean less(float a, int ia, float b, int ib) {
        return a < b || (a == b && ia > ib);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!less(values[i], ids[i], values[p], ids[p])) break;
            swap(i, p);
            i = p;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < size && less(values[l], ids[l], values[m], ids[m])) m = l;
            if (r < size && less(values[r], ids[r], values[m], ids[m])) m = r;
            if (m == i) return;
            swap(i, m);
            i = m;
        }
    }

    private void swap(int a, int b) {
        float v = values[a]; values[a] = values[b]; values[b] = v;
        int t = ids[a]; ids[a] = ids[b]; ids[b] = t;
    }

    /** Ids from best to worst; fills valuesOut (same order) with value − logZ. */
    int[] sortedIds(float logZ, float[] valuesOut) {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> less(values[a], ids[a], values[b], ids[b]) ? 1
                : less(values[b], ids[b], values[a], ids[a]) ? -1 : 0);
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = ids[order[i]];
            valuesOut[i] = values[order[i]] - logZ;
        }
        return out;
    }

    int size() { return size; }
}
