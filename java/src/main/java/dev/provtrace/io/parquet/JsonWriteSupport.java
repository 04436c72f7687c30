package dev.provtrace.io.parquet;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

import java.util.Map;

/** Writes JSON records into the columns {@link JsonParquetSchema} made from their shapes. */
final class JsonWriteSupport extends WriteSupport<JsonNode> {
    private final Map<String, JsonShape> columns;
    private final MessageType schema;
    private RecordConsumer out;

    JsonWriteSupport(Map<String, JsonShape> columns, MessageType schema) {
        this.columns = columns;
        this.schema = schema;
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(schema, Map.of());
    }

    @Override
    public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {   // the abstract Hadoop form; unused
        return new WriteContext(schema, Map.of());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.out = recordConsumer;
    }

    @Override
    public void write(JsonNode record) {
        out.startMessage();
        fields(record, columns);
        out.endMessage();
    }

    /** The non-null fields of an object, at their schema index; absent and null ones are left out (null). */
    private void fields(JsonNode object, Map<String, JsonShape> shapes) {
        int i = 0;
        for (Map.Entry<String, JsonShape> f : shapes.entrySet()) {
            JsonNode v = object.get(f.getKey());
            if (v != null && !v.isNull()) {
                out.startField(f.getKey(), i);
                value(v, f.getValue());
                out.endField(f.getKey(), i);
            }
            i++;
        }
    }

    private void value(JsonNode v, JsonShape s) {
        switch (s.kind) {
            case BOOLEAN -> out.addBoolean(v.booleanValue());
            case INT64 -> out.addLong(v.longValue());
            case DOUBLE -> out.addDouble(v.doubleValue());
            case STRING, UNKNOWN -> out.addBinary(Binary.fromString(v.textValue()));
            case LIST -> {
                out.startGroup();
                if (!v.isEmpty()) {
                    out.startField("list", 0);
                    for (JsonNode e : v) {
                        out.startGroup();   // a null element is a list entry without its element
                        if (!e.isNull()) {
                            out.startField("element", 0);
                            value(e, s.element);
                            out.endField("element", 0);
                        }
                        out.endGroup();
                    }
                    out.endField("list", 0);
                }
                out.endGroup();
            }
            case STRUCT -> {
                out.startGroup();
                fields(v, s.fields);
                out.endGroup();
            }
        }
    }
}
