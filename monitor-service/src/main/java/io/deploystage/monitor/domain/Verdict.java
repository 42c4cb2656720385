package io.deploystage.monitor.domain;

/** A health verdict: fail closed, so too little data is INCONCLUSIVE and never HEALTHY. */
public enum Verdict {
    HEALTHY, FAILING, INCONCLUSIVE
}
