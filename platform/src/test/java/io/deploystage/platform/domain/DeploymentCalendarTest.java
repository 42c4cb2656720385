package io.deploystage.platform.domain;

import static java.time.DayOfWeek.FRIDAY;
import static java.time.DayOfWeek.MONDAY;
import static java.time.DayOfWeek.SATURDAY;
import static java.time.DayOfWeek.SUNDAY;
import static java.time.DayOfWeek.THURSDAY;
import static java.time.DayOfWeek.TUESDAY;
import static java.time.DayOfWeek.WEDNESDAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.deploystage.platform.domain.DeploymentCalendar.Freeze;
import io.deploystage.platform.domain.DeploymentCalendar.HotfixPass;
import io.deploystage.platform.domain.DeploymentCalendar.Open;
import io.deploystage.platform.domain.DeploymentCalendar.Wait;
import io.deploystage.platform.domain.DeploymentCalendar.Window;

class DeploymentCalendarTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final Window WORKDAYS = new Window(Set.of(MONDAY, TUESDAY, WEDNESDAY, THURSDAY), LocalTime.of(9, 0), LocalTime.of(16, 0));
    static final DeploymentCalendar BERLIN_WORKDAYS = new DeploymentCalendar(BERLIN, List.of(WORKDAYS), List.of());
    static final Freeze YEAR_END = new Freeze(Instant.parse("2026-12-18T00:00:00Z"), Instant.parse("2027-01-04T08:00:00Z"), "year-end freeze");

    static Stream<Arguments> openings() {
        return Stream.of(
                // calendar, now, next opening (null: none), the rule
                Arguments.of(BERLIN_WORKDAYS, "2026-01-13T10:00:00Z", "2026-01-13T10:00:00Z", "Tue 11:00 CET: inside, open now"),
                Arguments.of(BERLIN_WORKDAYS, "2026-01-13T08:00:00Z", "2026-01-13T08:00:00Z", "Tue 09:00 CET: the opening minute is inside"),
                Arguments.of(BERLIN_WORKDAYS, "2026-01-13T07:59:59Z", "2026-01-13T08:00:00Z", "a second before: waits for 09:00 CET"),
                Arguments.of(BERLIN_WORKDAYS, "2026-01-13T15:00:00Z", "2026-01-14T08:00:00Z", "Tue 16:00 CET: closed (closing is exclusive), next day"),
                Arguments.of(BERLIN_WORKDAYS, "2026-01-15T15:30:00Z", "2026-01-19T08:00:00Z", "Thu after closing: Monday"),
                Arguments.of(BERLIN_WORKDAYS, "2026-01-17T12:00:00Z", "2026-01-19T08:00:00Z", "Saturday: Monday"),
                // DST: Europe's clocks go forward on Sunday 2026-03-29; 09:00 Berlin is 08:00 UTC before, 07:00 UTC after
                Arguments.of(BERLIN_WORKDAYS, "2026-03-26T15:30:00Z", "2026-03-30T07:00:00Z", "Thu before the spring change: Monday 09:00 CEST"),
                Arguments.of(BERLIN_WORKDAYS, "2026-03-30T07:30:00Z", "2026-03-30T07:30:00Z", "Mon 09:30 CEST is inside (08:30 CET would be)"),
                Arguments.of(BERLIN_WORKDAYS, "2026-03-30T14:30:00Z", "2026-03-31T07:00:00Z", "Mon 16:30 CEST is after closing"),
                // and back on Sunday 2026-10-25
                Arguments.of(BERLIN_WORKDAYS, "2026-10-22T14:30:00Z", "2026-10-26T08:00:00Z", "Thu after closing, CEST: Monday 09:00 CET"),
                // a window in a DST gap: 02:00–03:00 does not exist on 2026-03-29 in Berlin
                Arguments.of(new DeploymentCalendar(BERLIN, List.of(new Window(Set.of(SUNDAY), LocalTime.of(2, 0), LocalTime.of(3, 0))), List.of()),
                        "2026-03-28T12:00:00Z", "2026-04-05T00:00:00Z", "the night window skipped on the spring change: next Sunday 02:00 CEST"),
                Arguments.of(new DeploymentCalendar(BERLIN, List.of(new Window(Set.of(SUNDAY), LocalTime.of(2, 0), LocalTime.of(4, 0))), List.of()),
                        "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z", "02:00–04:00 on the spring change opens at 03:00 CEST"),
                // another zone: New York changes on 2026-03-08
                Arguments.of(new DeploymentCalendar(NEW_YORK, List.of(WORKDAYS), List.of()), "2026-03-06T22:00:00Z", "2026-03-09T13:00:00Z",
                        "Fri 17:00 EST: Monday 09:00 EDT"),
                // past midnight: Fri 22:00–02:00 covers early Saturday
                Arguments.of(new DeploymentCalendar(BERLIN, List.of(new Window(Set.of(FRIDAY), LocalTime.of(22, 0), LocalTime.of(2, 0))), List.of()),
                        "2026-01-17T00:30:00Z", "2026-01-17T00:30:00Z", "Sat 01:30 CET, in Friday's night window"),
                Arguments.of(new DeploymentCalendar(BERLIN, List.of(new Window(Set.of(FRIDAY), LocalTime.of(22, 0), LocalTime.of(2, 0))), List.of()),
                        "2026-01-17T01:30:00Z", "2026-01-23T21:00:00Z", "Sat 02:30 CET: next Friday 22:00"),
                // freezes
                Arguments.of(new DeploymentCalendar(BERLIN, List.of(), List.of(YEAR_END)), "2026-12-20T12:00:00Z", "2027-01-04T08:00:00Z",
                        "no windows, in a freeze: its end"),
                Arguments.of(new DeploymentCalendar(BERLIN, List.of(WORKDAYS), List.of(YEAR_END)), "2026-12-17T15:30:00Z", "2027-01-04T08:00:00Z",
                        "Thu after closing, the freeze starts Friday: the freeze ends on Monday 09:00 CET, inside the window"),
                Arguments.of(new DeploymentCalendar(BERLIN, List.of(WORKDAYS), List.of(new Freeze(Instant.parse("2026-01-13T09:00:00Z"),
                        Instant.parse("2026-01-13T12:30:00Z"), "payment provider maintenance"))), "2026-01-13T10:00:00Z", "2026-01-13T12:30:00Z",
                        "a freeze ending inside the window: its end"),
                Arguments.of(new DeploymentCalendar(BERLIN, List.of(WORKDAYS), List.of(new Freeze(Instant.parse("2026-01-13T09:00:00Z"),
                        Instant.parse("2026-01-13T18:00:00Z"), "incident"))), "2026-01-13T10:00:00Z", "2026-01-14T08:00:00Z",
                        "a freeze ending after closing: the next window"),
                Arguments.of(new DeploymentCalendar(BERLIN, List.of(), List.of(
                        new Freeze(Instant.parse("2026-01-13T09:00:00Z"), Instant.parse("2026-01-13T12:00:00Z"), "one"),
                        new Freeze(Instant.parse("2026-01-13T11:00:00Z"), Instant.parse("2026-01-13T14:00:00Z"), "overlapping"))),
                        "2026-01-13T10:00:00Z", "2026-01-13T14:00:00Z", "overlapping freezes: the end of the last"),
                Arguments.of(new DeploymentCalendar(BERLIN, List.of(), List.of(new Freeze(Instant.parse("2026-01-01T00:00:00Z"),
                        Instant.parse("2028-01-01T00:00:00Z"), "two years"))), "2026-01-13T10:00:00Z", null, "no opening within the horizon"),
                Arguments.of(DeploymentCalendar.always(), "2026-01-17T03:00:00Z", "2026-01-17T03:00:00Z", "no calendar: always open"));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("openings")
    void nextOpening(DeploymentCalendar calendar, String now, String expected, String rule) {
        Instant at = Instant.parse(now);
        assertEquals(expected == null ? null : Instant.parse(expected), calendar.nextOpen(at), rule);
        var admission = calendar.admit(at, null);
        if (expected != null && expected.equals(now)) {
            assertInstanceOf(Open.class, admission, rule);
        } else {
            Wait wait = assertInstanceOf(Wait.class, admission, rule);
            assertEquals(expected == null ? null : Instant.parse(expected), wait.until(), rule);
        }
    }

    static Stream<Arguments> hotfixes() {
        DeploymentCalendar frozen = new DeploymentCalendar(BERLIN, List.of(WORKDAYS), List.of(YEAR_END));
        Instant inFreeze = Instant.parse("2026-12-22T10:00:00Z"); // Tuesday 11:00 CET: in the window, in the freeze
        Instant outsideWindow = Instant.parse("2026-11-28T10:00:00Z"); // a Saturday, no freeze
        return Stream.of(
                Arguments.of(frozen, inFreeze, null, false, "not a hotfix: waits for the freeze's end"),
                Arguments.of(frozen, inFreeze, new HotfixPass("INC-4711", null), false, "hotfix, no senior approval yet"),
                Arguments.of(frozen, inFreeze, new HotfixPass("INC-4711", "ok to ship"), false, "the approval does not name the incident"),
                Arguments.of(frozen, inFreeze, new HotfixPass("INC-4711", "approved for inc-4711, checkout down"), true, "names it (any case)"),
                Arguments.of(frozen, inFreeze, new HotfixPass(null, "approved for INC-4711"), false, "a hotfix without an incident"),
                Arguments.of(frozen, inFreeze, new HotfixPass(" ", "approved"), false, "a blank incident names nothing"),
                Arguments.of(frozen, outsideWindow, new HotfixPass("INC-4711", "approved for INC-4711"), false,
                        "the exception is for freezes: outside the window a hotfix waits too"));
    }

    @ParameterizedTest(name = "{4}")
    @MethodSource("hotfixes")
    void aHotfixGoesOutInAFreezeOnlyWithASeniorApprovalNamingItsIncident(DeploymentCalendar calendar, Instant now, HotfixPass pass,
            boolean open, String rule) {
        var admission = calendar.admit(now, pass);
        assertEquals(open, admission instanceof Open, rule + ": " + admission);
    }

    @Test
    void theWaitSaysWhyAndWhenInTheCalendarsZone() {
        Wait wait = assertInstanceOf(Wait.class, BERLIN_WORKDAYS.admit(Instant.parse("2026-03-26T15:30:00Z"), null));
        assertEquals("outside the deployment window Mon,Tue,Wed,Thu 09:00–16:00 Europe/Berlin; opens Mon 2026-03-30 09:00 Europe/Berlin"
                + " (2026-03-30 07:00 UTC)", wait.why());
        Wait frozen = assertInstanceOf(Wait.class, new DeploymentCalendar(BERLIN, List.of(), List.of(YEAR_END))
                .admit(Instant.parse("2026-12-20T12:00:00Z"), new HotfixPass("INC-1", null)));
        assertTrue(frozen.why().startsWith("deployment freeze until Mon 2027-01-04 09:00 Europe/Berlin (2027-01-04 08:00 UTC): year-end freeze"
                + " (a hotfix passes with a senior approval naming INC-1)"), frozen.why());
    }

    @Test
    void aHotfixWhoseApprovalDoesNotNameItsIncidentWaitsForTheFreezesEnd() {
        DeploymentCalendar frozen = new DeploymentCalendar(BERLIN, List.of(), List.of(YEAR_END));
        Wait wait = assertInstanceOf(Wait.class, frozen.admit(Instant.parse("2026-12-22T10:00:00Z"), new HotfixPass("INC-4712", "ok")));
        assertEquals(YEAR_END.until(), wait.until());
        assertTrue(wait.why().contains(": year-end freeze (a hotfix passes with a senior approval naming INC-4712)"), wait.why());
        // and the approval that names it opens production at once, saying so
        Open open = assertInstanceOf(Open.class, frozen.admit(Instant.parse("2026-12-22T10:00:00Z"), new HotfixPass("INC-4711",
                "INC-4711: checkout is down, ship it")));
        assertEquals("hotfix INC-4711 goes out in the freeze (year-end freeze) with a senior approval naming it", open.why());
    }

    @Test
    void aServicesCalendarKeepsItsWindowsAndAddsTheDefaultsFreezes() {
        Freeze launch = new Freeze(Instant.parse("2026-02-01T00:00:00Z"), Instant.parse("2026-02-02T00:00:00Z"), "checkout launch");
        DeploymentCalendar service = new DeploymentCalendar(NEW_YORK, List.of(WORKDAYS), List.of(launch));
        DeploymentCalendar fallback = new DeploymentCalendar(BERLIN, List.of(), List.of(YEAR_END));
        assertEquals(new DeploymentCalendar(NEW_YORK, List.of(WORKDAYS), List.of(launch, YEAR_END)), DeploymentCalendar.combine(service, fallback));
        assertEquals(fallback, DeploymentCalendar.combine(null, fallback), "no calendar of its own: the default");
        assertEquals(service, DeploymentCalendar.combine(service, null));
        assertEquals(DeploymentCalendar.always(), DeploymentCalendar.combine(null, null));
    }

    @Test
    void badRulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Freeze(Instant.parse("2026-01-02T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"), "x"));
        assertThrows(IllegalArgumentException.class, () -> new Freeze(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-02T00:00:00Z"), " "));
        assertThrows(IllegalArgumentException.class, () -> new Window(Set.of(), LocalTime.NOON, LocalTime.MIDNIGHT));
        assertNull(new DeploymentCalendar(BERLIN, List.of(new Window(Set.of(SATURDAY), LocalTime.of(2, 0), LocalTime.of(2, 0))),
                List.of(new Freeze(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2028-01-01T00:00:00Z"), "long")))
                .nextOpen(Instant.parse("2026-06-01T00:00:00Z")));
    }
}
