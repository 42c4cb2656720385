package io.deploystage.cli;

/** Exit codes a CI script can rely on. */
final class ExitCodes {

    static final int OK = 0;
    /** The service refused the request: invalid input, a report it cannot read, a state that does not allow it. */
    static final int REJECTED = 1;
    /** Bad usage: an unknown option, a missing argument, a file that cannot be read (picocli's own code). */
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;
    /** No token, or a token without the needed role. */
    static final int UNAUTHORIZED = 4;
    static final int NOT_FOUND = 5;
    static final int SERVER_ERROR = 6;
    /** {@code watch --until}: the awaited event did not come within {@code --for}. */
    static final int TIMED_OUT = 7;

    private ExitCodes() {
    }

    static int forStatus(int status) {
        if (status >= 200 && status < 300) {
            return OK;
        }
        if (status == 401 || status == 403) {
            return UNAUTHORIZED;
        }
        if (status == 404) {
            return NOT_FOUND;
        }
        return status >= 500 ? SERVER_ERROR : REJECTED;
    }
}
