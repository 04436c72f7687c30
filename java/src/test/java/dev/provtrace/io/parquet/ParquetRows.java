package dev.provtrace.io.parquet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.Type;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Rows read by parquet-java's own reader, turned back into JSON by walking the file's schema (test code). */
public final class ParquetRows {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ParquetRows() {}

    public static List<ObjectNode> read(Path file) throws Exception {
        List<ObjectNode> out = new ArrayList<>();
        for (Group g : JsonlToParquetTest.read(file)) out.add(object(g, g.getType()));
        return out;
    }

    /** The columns' names and types as the file declares them, e.g. {@code optional int64 n}. */
    public static GroupType schema(Path file) throws Exception {
        return JsonlToParquetTest.schema(file);
    }

    private static ObjectNode object(Group g, GroupType type) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < type.getFieldCount(); i++) {
            Type f = type.getType(i);
            if (g.getFieldRepetitionCount(i) == 0) {
                o.putNull(f.getName());
                continue;
            }
            o.set(f.getName(), value(g, i, f));
        }
        return o;
    }

    private static JsonNode value(Group g, int i, Type f) {
        if (f.isPrimitive()) {
            return switch (f.asPrimitiveType().getPrimitiveTypeName()) {
                case INT64 -> JSON.getNodeFactory().numberNode(g.getLong(i, 0));
                case DOUBLE -> JSON.getNodeFactory().numberNode(g.getDouble(i, 0));
                case BOOLEAN -> JSON.getNodeFactory().booleanNode(g.getBoolean(i, 0));
                case BINARY -> JSON.getNodeFactory().textNode(g.getString(i, 0));
                default -> throw new IllegalArgumentException("unexpected column type " + f);
            };
        }
        Group inner = g.getGroup(i, 0);
        if (f.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
            ArrayNode a = JSON.createArrayNode();
            Type element = f.asGroupType().getType(0).asGroupType().getType(0);
            for (int k = 0; k < inner.getFieldRepetitionCount(0); k++) {
                Group entry = inner.getGroup(0, k);
                a.add(entry.getFieldRepetitionCount(0) == 0 ? JSON.nullNode() : value(entry, 0, element));
            }
            return a;
        }
        return object(inner, f.asGroupType());
    }
}
