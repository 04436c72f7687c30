package dev.provtrace.text.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** dict.keys() / values() / items(): iterable, sized, not subscriptable, repr "dict_keys([...])". */
record DictView(String kind, Map<?, ?> dict) {
    List<Object> items() {
        List<Object> out = new ArrayList<>();
        switch (kind) {
            case "keys": out.addAll(dict.keySet()); break;
            case "values": out.addAll(dict.values()); break;
            default: for (Map.Entry<?, ?> e : dict.entrySet()) out.add(PyTuple.of(e.getKey(), e.getValue()));
        }
        return out;
    }

    String typeName() { return "dict_" + kind; }

    @Override
    public String toString() { return typeName() + "(" + PyObjects.repr(items()) + ")"; }
}
