package io.deploystage.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** A plain text table for people: a header and rows of columns taken from JSON objects, padded to line up. */
final class Table {

    /** A column: its heading and the field of each object it shows (a dotted path reads nested fields). */
    record Column(String heading, String field) {
    }

    private Table() {
    }

    static Column column(String heading, String field) {
        return new Column(heading, field);
    }

    static void print(PrintWriter out, JsonNode rows, List<Column> columns) {
        List<List<String>> cells = new ArrayList<>();
        cells.add(columns.stream().map(Column::heading).toList());
        for (JsonNode row : rows) {
            cells.add(columns.stream().map(c -> text(row, c.field())).toList());
        }
        int[] widths = new int[columns.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < line.size(); i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        for (List<String> line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.size(); i++) {
                text.append(i == line.size() - 1 ? line.get(i) : String.format("%-" + widths[i] + "s  ", line.get(i)));
            }
            out.println(text.toString().stripTrailing());
        }
        out.flush();
    }

    /** The field as one line of text (control characters from the services shown as spaces): "-" when absent. */
    static String text(JsonNode row, String field) {
        JsonNode node = row;
        for (String part : field.split("\\.")) {
            node = node.path(part);
        }
        if (node.isMissingNode() || node.isNull()) {
            return "-";
        }
        String text = node.isValueNode() ? node.asText() : node.toString();
        text = text.replaceAll("\\p{Cntrl}", " ");
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}
