package dev.provtrace.io.parquet;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Parquet schema of a file of JSON records from the shape of each top-level field: every column optional (a
 * record without the field, or with null, is null there); int64, double, boolean, UTF-8 strings; lists in the
 * standard three-level LIST layout (optional group (LIST) { repeated group list { optional element } }), so pandas,
 * pyarrow and HF datasets read list&lt;int64&gt;, list&lt;list&lt;double&gt;&gt;, ... as typed columns; objects as structs.
 * A field that is null in every record is a string column of nulls.
 */
final class JsonParquetSchema {
    private JsonParquetSchema() {}

    static MessageType of(Map<String, JsonShape> columns, String name) {
        List<Type> fields = new ArrayList<>();
        for (Map.Entry<String, JsonShape> c : columns.entrySet()) fields.add(type(c.getKey(), c.getValue()));
        return new MessageType(name, fields);
    }

    static Type type(String name, JsonShape s) {
        return switch (s.kind) {
            case UNKNOWN, STRING -> Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(name);
            case BOOLEAN -> Types.optional(PrimitiveTypeName.BOOLEAN).named(name);
            case INT64 -> Types.optional(PrimitiveTypeName.INT64).named(name);
            case DOUBLE -> Types.optional(PrimitiveTypeName.DOUBLE).named(name);
            case LIST -> Types.optionalGroup().as(LogicalTypeAnnotation.listType())
                    .addField(Types.repeatedGroup().addField(type("element", s.element)).named("list")).named(name);
            case STRUCT -> {
                List<Type> inner = new ArrayList<>();
                for (Map.Entry<String, JsonShape> f : s.fields.entrySet()) inner.add(type(f.getKey(), f.getValue()));
                yield Types.optionalGroup().addFields(inner.toArray(Type[]::new)).named(name);
            }
        };
    }
}
