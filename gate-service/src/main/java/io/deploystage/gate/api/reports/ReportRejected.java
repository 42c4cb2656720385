package io.deploystage.gate.api.reports;

/** A report that is not what its format says it is: the reason and, where known, the place. */
public class ReportRejected extends RuntimeException {

    private final String where;

    public ReportRejected(String message, String where) {
        super(message);
        this.where = where;
    }

    public String where() {
        return where;
    }
}
