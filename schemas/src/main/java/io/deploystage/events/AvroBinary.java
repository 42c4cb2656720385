package io.deploystage.events;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Avro binary encoding of the contracts, with records created by the contract classes' own class loader (a
 * runtime with several class loaders, such as Quarkus tests, must not mix instances of two loaders).
 */
public final class AvroBinary {

    private AvroBinary() {
    }

    public static byte[] encode(SpecificRecordBase event) {
        return write(event, new SpecificDatumWriter<>(event.getSchema(), modelFor(event.getClass())));
    }

    /** Decodes bytes written with {@code writer} into the contract class, resolving schema evolution. */
    public static <T extends SpecificRecordBase> T decode(byte[] bytes, Schema writer, Class<T> type) {
        SpecificData model = modelFor(type);
        Schema reader = model.getSchema(type);
        try {
            return type.cast(new SpecificDatumReader<>(writer, reader, model).read(null, DecoderFactory.get().binaryDecoder(bytes, null)));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Cannot read " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Converts a generic record (as a registry-aware deserializer returns it) into the contract class. */
    public static <T extends SpecificRecordBase> T fromGeneric(GenericRecord record, Class<T> type) {
        return decode(write(record, new GenericDatumWriter<>(record.getSchema())), record.getSchema(), type);
    }

    public static SpecificData modelFor(Class<?> type) {
        SpecificData model = new SpecificData(type.getClassLoader());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        model.addLogicalTypeConversion(new Conversions.UUIDConversion());
        return model;
    }

    private static <D> byte[] write(D datum, org.apache.avro.io.DatumWriter<D> writer) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            writer.write(datum, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
