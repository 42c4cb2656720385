package io.deploystage.platform.domain;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * When production may be changed: the allowed windows (local days and times in one time zone) and the freezes
 * (instants, with a reason). No window means any time; a freeze closes everything it covers. A hotfix may go out in a
 * freeze (never outside the windows' rules otherwise: a freeze is the only exception) when a senior approval names its
 * incident. Pure: the planner uses it to put the real window in the checklist, the executor to hold production until
 * the window opens.
 *
 * <p>Example: windows Mon–Thu 09:00–16:00 Europe/Berlin. On Thursday 2026-03-26 at 15:30 UTC (16:30 CET) production is
 * closed and opens Monday 2026-03-30 at 07:00 UTC (09:00 CEST: the clocks went forward on the Sunday).
 */
public record DeploymentCalendar(ZoneId zone, List<Window> windows, List<Freeze> freezes) {

    /** How far ahead a next opening is searched for. */
    static final int HORIZON_DAYS = 400;
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm", Locale.ENGLISH);

    public DeploymentCalendar {
        windows = List.copyOf(windows);
        freezes = List.copyOf(freezes);
    }

    /** No window and no freeze: production may be changed at any time. */
    public static DeploymentCalendar always() {
        return new DeploymentCalendar(ZoneId.of("UTC"), List.of(), List.of());
    }

    /**
     * A service's calendar over the default one: the service's zone and windows when it has a calendar of its own (else
     * the default's), and the freezes of both (a freeze for everyone holds for every service). Either may be null.
     */
    public static DeploymentCalendar combine(DeploymentCalendar service, DeploymentCalendar fallback) {
        DeploymentCalendar base = service != null ? service : fallback != null ? fallback : always();
        List<Freeze> freezes = new ArrayList<>(base.freezes());
        if (service != null && fallback != null) {
            fallback.freezes().stream().filter(f -> !freezes.contains(f)).forEach(freezes::add);
        }
        return new DeploymentCalendar(base.zone(), base.windows(), freezes);
    }

    /**
     * A recurring window: on each of the days, from opens to closes (local time). A window that closes at or before it
     * opens runs past midnight into the next day (Fri 22:00–02:00 covers Saturday until 02:00).
     */
    public record Window(Set<DayOfWeek> days, LocalTime opens, LocalTime closes) {
        public Window {
            if (days.isEmpty()) {
                throw new IllegalArgumentException("a window needs at least one day");
            }
            days = Set.copyOf(days);
        }

        /** From operator input: local times as HH:mm. */
        public static Window of(Set<DayOfWeek> days, String opens, String closes) {
            return new Window(days, LocalTime.parse(opens), LocalTime.parse(closes));
        }

        boolean covers(ZonedDateTime local) {
            LocalTime time = local.toLocalTime();
            if (opens.isBefore(closes)) {
                return days.contains(local.getDayOfWeek()) && !time.isBefore(opens) && time.isBefore(closes);
            }
            // past midnight: the evening of a listed day, or the early hours after one
            return days.contains(local.getDayOfWeek()) && !time.isBefore(opens)
                    || days.contains(local.getDayOfWeek().minus(1)) && time.isBefore(closes);
        }

        @Override
        public String toString() {
            return new TreeSet<>(days).stream().map(d -> d.getDisplayName(java.time.format.TextStyle.SHORT, Locale.ENGLISH)).reduce((a, b) -> a + "," + b).orElse("") + " " + opens
                    + "–" + closes;
        }
    }

    /** No production change from (inclusive) until (exclusive). */
    public record Freeze(Instant from, Instant until, String reason) {
        public Freeze {
            if (!until.isAfter(from)) {
                throw new IllegalArgumentException("a freeze must end after it starts: " + from + " – " + until);
            }
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("a freeze needs a reason");
            }
        }

        /** From operator input: ISO-8601 instants. */
        public static Freeze of(String from, String until, String reason) {
            return new Freeze(Instant.parse(from), Instant.parse(until), reason);
        }

        boolean covers(Instant t) {
            return !t.isBefore(from) && t.isBefore(until);
        }
    }

    /** A hotfix's pass through a freeze: its incident and the comment of the senior approval given for it (null if none yet). */
    public record HotfixPass(String incidentId, String seniorApproval) {
        boolean granted() {
            return incidentId != null && !incidentId.isBlank() && seniorApproval != null
                    && seniorApproval.toLowerCase(Locale.ROOT).contains(incidentId.toLowerCase(Locale.ROOT));
        }
    }

    /** May production be changed now: {@link Open}, or {@link Wait} until an instant, with why. */
    public sealed interface Admission permits Open, Wait {
    }

    public record Open(String why) implements Admission {
    }

    /** Closed now; opens at {@code until} (null when no opening is found within the horizon). */
    public record Wait(Instant until, String why) implements Admission {
    }

    /**
     * Whether production may be changed at {@code now}. In a freeze: only a hotfix whose senior approval names its
     * incident; otherwise it waits for the first instant that is in a window and in no freeze.
     */
    public Admission admit(Instant now, HotfixPass hotfix) {
        Optional<Freeze> frozen = freezeAt(now);
        if (frozen.isPresent() && hotfix != null && hotfix.granted()) {
            return new Open("hotfix " + hotfix.incidentId() + " goes out in the freeze (" + frozen.get().reason() + ") with a senior approval naming it");
        }
        if (frozen.isEmpty() && inWindow(now)) {
            return new Open(windows.isEmpty() ? "no deployment window restriction" : "inside the window " + windowsText());
        }
        Instant opens = nextOpen(now);
        String why = frozen.map(f -> "deployment freeze until " + local(f.until()) + ": " + f.reason()
                + (hotfix != null && hotfix.incidentId() != null ? " (a hotfix passes with a senior approval naming " + hotfix.incidentId() + ")" : ""))
                .orElse("outside the deployment window " + windowsText());
        return new Wait(opens, why + (opens == null ? "; no opening within " + HORIZON_DAYS + " days" : "; opens " + local(opens)));
    }

    /** True when production may be changed at t without an exception: in a window (or no windows) and in no freeze. */
    public boolean isOpen(Instant t) {
        return freezeAt(t).isEmpty() && inWindow(t);
    }

    /** The first instant at or after {@code from} when production may be changed; null if none within the horizon. */
    public Instant nextOpen(Instant from) {
        if (isOpen(from)) {
            return from;
        }
        // production opens at a window's opening or at a freeze's end (or at "from"): try those in order
        TreeSet<Instant> candidates = new TreeSet<>();
        freezes.stream().map(Freeze::until).filter(t -> t.isAfter(from)).forEach(candidates::add);
        LocalDate first = from.atZone(zone).toLocalDate().minusDays(1);
        Instant horizon = from.plus(java.time.Duration.ofDays(HORIZON_DAYS));
        for (int day = 0; day <= HORIZON_DAYS; day++) {
            LocalDate date = first.plusDays(day);
            for (Window w : windows) {
                if (w.days().contains(date.getDayOfWeek())) {
                    // ZonedDateTime.of moves a time in a DST gap forward by the gap's length; covers() then judges it
                    Instant opening = ZonedDateTime.of(date, w.opens(), zone).toInstant();
                    if (opening.isAfter(from)) {
                        candidates.add(opening);
                    }
                }
            }
        }
        // a freeze may end inside a window: its end is a candidate; an opening inside a freeze is not open
        return candidates.stream().filter(t -> !t.isAfter(horizon)).filter(this::isOpen).findFirst().orElse(null);
    }

    /** The freeze covering t, the one ending last when several do. */
    public Optional<Freeze> freezeAt(Instant t) {
        return freezes.stream().filter(f -> f.covers(t)).max(Comparator.comparing(Freeze::until));
    }

    private boolean inWindow(Instant t) {
        if (windows.isEmpty()) {
            return true;
        }
        ZonedDateTime local = t.atZone(zone);
        return windows.stream().anyMatch(w -> w.covers(local));
    }

    /** The windows as people read them: "Mon,Tue,Wed,Thu 09:00–16:00 Europe/Berlin". */
    public String windowsText() {
        if (windows.isEmpty()) {
            return "any time";
        }
        List<String> parts = new ArrayList<>();
        windows.forEach(w -> parts.add(w.toString()));
        return String.join("; ", parts) + " " + zone.getId();
    }

    /** An instant in the calendar's zone with its offset: "Mon 2026-03-30 09:00 Europe/Berlin (07:00 UTC)". */
    public String local(Instant t) {
        return LOCAL.format(t.atZone(zone)) + " " + zone.getId() + " (" + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
                .format(t.atZone(ZoneId.of("UTC"))) + " UTC)";
    }
}
