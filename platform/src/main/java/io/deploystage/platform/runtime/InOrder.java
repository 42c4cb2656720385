package io.deploystage.platform.runtime;

import java.util.List;
import java.util.function.Function;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Runs an asynchronous step on each item of a list one after another: each starts when the one before has finished,
 * the first failure ends the run (the items after it are not touched). A loop, not a recursion: a chain of one Uni per
 * item ({@code step(i).chain(() -> next(i + 1))}) nests a stack frame per item wherever a step answers at once (an
 * entity already in the session, a skipped item), and a few hundred items overflowed the event loop's stack inside
 * Hibernate Reactive with the transaction left open. Use this for every "each in turn" over a list.
 */
public final class InOrder {

    private InOrder() {
    }

    /** What {@code step} gives for each item, in order; a step that gives {@code null} adds nothing to the list. */
    public static <T, R> Uni<List<R>> map(List<T> items, Function<T, Uni<R>> step) {
        return Multi.createFrom().iterable(items)
                .onItem().transformToUniAndConcatenate(item -> Uni.createFrom().deferred(() -> step.apply(item)))
                .collect().asList();
    }

    /** Runs {@code step} on each item in turn. */
    public static <T> Uni<Void> run(List<T> items, Function<T, Uni<?>> step) {
        return map(items, step::apply).replaceWithVoid();
    }
}
