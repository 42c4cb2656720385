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
        return decode(readerFor(writer, type), bytes, 0, bytes.length, type);
    }

    /** Converts a generic record (as a registry-aware deserializer returns it) into the contract class. */
    public static <T extends SpecificRecordBase> T fromGeneric(GenericRecord record, Class<T> type) {
        return decode(encodeGeneric(record), record.getSchema(), type);
    }

    /**
     * A generic record (as a registry-aware deserializer returns it, in its writer's schema) as the contract class its
     * schema names, read with the contract's schema; a record of no known contract is refused.
     */
    public static SpecificRecordBase toContract(GenericRecord record) {
        String name = record.getSchema().getFullName();
        if (!name.startsWith("io.deploystage.events.")) {
            throw new IllegalArgumentException("not a Deploy Stage contract: " + name);
        }
        try {
            return fromGeneric(record, Class.forName(name, false, AvroBinary.class.getClassLoader()).asSubclass(SpecificRecordBase.class));
        } catch (ClassNotFoundException | ClassCastException e) {
            throw new IllegalArgumentException("not a known contract: " + name, e);
        }
    }

    /** The data model of a contract class, made once per class (a model is costly to build and safe to share). */
    public static SpecificData modelFor(Class<?> type) {
        return MODELS.get(type);
    }

    private static final ClassValue<SpecificData> MODELS = new ClassValue<>() {
        @Override
        protected SpecificData computeValue(Class<?> type) {
            SpecificData model = new SpecificData(type.getClassLoader());
            model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
            model.addLogicalTypeConversion(new Conversions.UUIDConversion());
            return model;
        }
    };

    /** A reader of bytes written with {@code writer} into the contract class; it can be kept and shared between threads. */
    public static <T extends SpecificRecordBase> SpecificDatumReader<T> readerFor(Schema writer, Class<T> type) {
        SpecificData model = modelFor(type);
        return new SpecificDatumReader<>(writer, model.getSchema(type), model);
    }

    /** Decodes {@code length} bytes from {@code offset} with a reader from {@link #readerFor}. */
    public static <T extends SpecificRecordBase> T decode(SpecificDatumReader<T> reader, byte[] bytes, int offset, int length, Class<T> type) {
        try {
            return type.cast(reader.read(null, DecoderFactory.get().binaryDecoder(bytes, offset, length, null)));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Cannot read " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** The Avro binary of a generic record. */
    public static byte[] encodeGeneric(GenericRecord record) {
        return write(record, new GenericDatumWriter<>(record.getSchema()));
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
