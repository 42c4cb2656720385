package io.deploystage.platform.messaging;

import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Set;

import io.deploystage.events.CalendarFreeze;
import io.deploystage.events.CalendarRules;
import io.deploystage.events.CalendarWindow;
import io.deploystage.events.Weekday;
import io.deploystage.platform.domain.DeploymentCalendar;

/** The deployment calendar between its contract ({@link CalendarRules} in a plan) and the domain, both ways, in one place. */
public final class CalendarContract {

    private CalendarContract() {
    }

    public static CalendarRules toContract(DeploymentCalendar calendar) {
        return CalendarRules.newBuilder()
                .setZone(calendar.zone().getId())
                .setWindows(calendar.windows().stream().map(w -> CalendarWindow.newBuilder()
                        .setDays(w.days().stream().sorted().map(d -> Weekday.valueOf(d.name())).toList())
                        .setOpens(w.opens()).setCloses(w.closes()).build()).toList())
                .setFreezes(calendar.freezes().stream().map(f -> CalendarFreeze.newBuilder()
                        .setFrom(f.from()).setUntil(f.until()).setReason(f.reason()).build()).toList())
                .build();
    }

    /** The plan's calendar; none (a plan from before calendars) means any time. */
    public static DeploymentCalendar fromContract(CalendarRules rules) {
        if (rules == null) {
            return DeploymentCalendar.always();
        }
        return new DeploymentCalendar(ZoneId.of(rules.getZone()), rules.getWindows().stream().map(w -> {
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            for (Weekday day : w.getDays()) {
                if (day == Weekday.UNKNOWN) {
                    throw new RejectedEvent("calendar window day holds a value this version does not know");
                }
                days.add(DayOfWeek.valueOf(day.name()));
            }
            return new DeploymentCalendar.Window(days, w.getOpens(), w.getCloses());
        }).toList(), rules.getFreezes().stream().map(f -> new DeploymentCalendar.Freeze(f.getFrom(), f.getUntil(), f.getReason())).toList());
    }
}
