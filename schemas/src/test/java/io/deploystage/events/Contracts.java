package io.deploystage.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.avro.Schema;

/** Parses a folder of .avsc files the way the build does: shared types in common/ first. */
final class Contracts {

    private Contracts() {
    }

    static Map<String, Schema> parse(Path folder) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> byName = new HashMap<>();
        for (Path file : files(folder.resolve("common"))) {
            Schema schema = parser.parse(file.toFile());
            byName.put(schema.getFullName(), schema);
        }
        for (Path file : files(folder)) {
            Schema schema = parser.parse(file.toFile());
            byName.put(schema.getFullName(), schema);
        }
        return byName;
    }

    private static List<Path> files(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.list(folder)) {
            return paths.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
        }
    }
}
