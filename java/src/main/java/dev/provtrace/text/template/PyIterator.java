package dev.provtrace.text.template;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A one-shot Python iterator: what jinja2's select/reject/selectattr/rejectattr/map/unique/items/batch/slice filters
 * return (generators) and what reverse returns for lists, tuples, dicts and ranges. Like Python's: always truthy, no
 * len(), not subscriptable, consumed by iteration (a second loop over it is empty), not JSON serializable. The items
 * are computed on first use, so errors surface where Python's lazy generator would raise them.
 */
final class PyIterator {
    private final String typeName;
    private final String producer;
    private Supplier<List<Object>> source;
    private List<Object> items;
    private int pos;

    PyIterator(String typeName, String producer, Supplier<List<Object>> source) {
        this.typeName = typeName;
        this.producer = producer;
        this.source = source;
    }

    static PyIterator generator(String producer, Supplier<List<Object>> source) {
        return new PyIterator("generator", producer, source);
    }

    private List<Object> items() {
        if (items == null) {
            items = source.get();
            source = null;
        }
        return items;
    }

    String typeName() { return typeName; }

    /** The next item, or PyObjects.MISSING when exhausted. */
    Object next() {
        List<Object> l = items();
        return pos < l.size() ? l.get(pos++) : PyObjects.MISSING;
    }

    /** Everything not consumed yet; the iterator is exhausted afterwards. */
    List<Object> drain() {
        List<Object> l = items();
        List<Object> rest = new ArrayList<>(l.subList(pos, l.size()));
        pos = l.size();
        return rest;
    }

    @Override
    public String toString() {
        return typeName.equals("generator") ? "<generator object " + producer + ">" : "<" + typeName + " object>";
    }
}
