package io.deploystage.console.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PermissionsTest {

    @Test
    void buttonsByRole() {
        record Case(Set<String> roles, Permissions may) {
        }
        for (Case c : List.of(new Case(Set.of(), new Permissions(false, false, false)), new Case(Set.of("viewer", "ci"), new Permissions(false, false, false)),
                new Case(Set.of("operator"), new Permissions(true, false, true)), new Case(Set.of("approver"), new Permissions(false, true, false)),
                new Case(Set.of("senior"), new Permissions(false, true, false)), new Case(Set.of("operator", "approver"), new Permissions(true, true, true)))) {
            assertEquals(c.may(), Permissions.of(c.roles()), c.roles().toString());
        }
    }
}
