package io.deploystage.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.UUID;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

class CalendarRoundTripTest {

    @Test
    void aPlanWithACalendarSurvivesTheGenericPathOfARegistryAwareConsumer() throws Exception {
        DeploymentPlan plan = DeploymentPlan.newBuilder().setEventId(UUID.randomUUID()).setReleaseId("r").setOccurredAt(Instant.now())
                .setService("s").setVersion("1").setRisk(RiskLevel.LOW).setStrategy(Strategy.DIRECT).setRationale("x").setSteps(List.of())
                .setRollbackProcedure(List.of()).setDeploymentChecklist("").setRollbackPlan("")
                .setCalendar(CalendarRules.newBuilder().setZone("Europe/Berlin").setWindows(List.of(CalendarWindow.newBuilder()
                        .setDays(List.of(Weekday.MONDAY)).setOpens(LocalTime.of(9, 0)).setCloses(LocalTime.of(16, 0)).build())).build())
                .build();
        byte[] bytes = AvroBinary.encode(plan);
        GenericRecord generic = new GenericDatumReader<GenericRecord>(plan.getSchema(), plan.getSchema(), GenericData.get())
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        DeploymentPlan back = AvroBinary.fromGeneric(generic, DeploymentPlan.class);
        assertEquals(LocalTime.of(9, 0), back.getCalendar().getWindows().get(0).getOpens());
    }
}
