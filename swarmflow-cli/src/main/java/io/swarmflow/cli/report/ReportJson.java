package io.swarmflow.cli.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Renders {@code report.json}; the shape is documented in {@code docs/report.md}. */
final class ReportJson {
    /** Bumped when a field is removed or changes meaning; adding fields keeps it. */
    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper MAPPER = io.swarmflow.cli.view.JsonEscapes.apply(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT));

    private ReportJson() {}

    static String render(RunReport report) {
        try {
            return MAPPER.writeValueAsString(tree(report)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize report", e); // a tree of plain nodes always serializes
        }
    }

    static ObjectNode tree(RunReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("formatVersion", FORMAT_VERSION);
        root.put("generatedAt", iso(report.generatedAtMillis()));

        RunView r = report.run();
        ObjectNode run = root.putObject("run");
        run.put("id", r.runId());
        run.put("name", r.name());
        run.put("description", report.description());
        run.put("state", r.state().label());
        run.put("specPath", r.specPath());
        run.put("createdAt", iso(r.createdAtMillis()));
        run.put("startedAt", iso(r.startedAtMillis()));
        run.put("finishedAt", iso(r.finishedAtMillis()));
        run.put("durationMillis", report.duration(r.startedAtMillis(), r.finishedAtMillis()));
        run.put("runningMillis", report.runningMillis());
        run.put("stoppedAt", iso(report.stoppedAtMillis()));
        run.put("ticketCount", report.rows().size());

        ObjectNode counts = root.putObject("counts");
        for (Map.Entry<TicketState, Integer> e : report.counts().entrySet()) counts.put(e.getKey().label(), e.getValue());

        ArrayNode tickets = root.putArray("tickets");
        for (RunReport.Row row : report.rows()) {
            TicketView v = row.view();
            ObjectNode t = tickets.addObject();
            t.put("id", row.id());
            t.put("title", row.title());
            t.put("state", v.state().label());
            t.put("agent", row.agent());
            ArrayNode needs = t.putArray("needs");
            row.needs().forEach(needs::add);
            t.put("attemptCount", Math.max(v.attempt(), row.attempts().size()));
            t.put("failures", v.failures());
            t.put("exitCode", v.exitCode());
            t.put("reason", v.reason());
            t.put("approvedBy", v.approvedBy());
            t.put("startedAt", iso(v.startedAtMillis()));
            t.put("finishedAt", iso(v.finishedAtMillis()));
            t.put("durationMillis", report.duration(v.startedAtMillis(), v.finishedAtMillis()));
            t.put("runningMillis", report.runningMillis(v.startedAtMillis(), v.finishedAtMillis()));
            t.put("retryAt", iso(v.retryAtMillis()));
            ObjectNode outputs = t.putObject("outputs");
            new TreeMap<>(v.outputs()).forEach(outputs::put);
            ArrayNode attempts = t.putArray("attempts");
            for (AttemptView a : row.attempts()) {
                // an attempt lost with its coordinator ran at least to that coordinator's last event, as its bar shows;
                // the resume that recorded the loss came later (finishedAt)
                long lostAt = report.times().lostAttemptEndMillis(a);
                attempt(attempts.addObject(), a, lostAt > 0 ? Long.valueOf(lostAt - a.startedAtMillis())
                        : report.duration(a.startedAtMillis(), a.finishedAtMillis()));
            }
        }

        ArrayNode failures = root.putArray("failures");
        for (RunReport.Failure f : report.failures()) {
            ObjectNode o = failures.addObject();
            o.put("ticket", f.ticketId());
            o.put("attempt", f.attempt());
            o.put("stream", f.stream());
            o.put("logFile", f.logFile());
            o.put("truncated", f.tail().truncated());
            ArrayNode lines = o.putArray("lines");
            f.tail().lines().forEach(lines::add);
            if (f.stdoutFile() == null) {
                o.putNull("stdout");
            } else {
                ObjectNode out = o.putObject("stdout");
                out.put("logFile", f.stdoutFile());
                out.put("truncated", f.stdoutTail().truncated());
                ArrayNode outLines = out.putArray("lines");
                f.stdoutTail().lines().forEach(outLines::add);
            }
        }
        return root;
    }

    /** Fills {@code at} with one attempt's fields, as report.json's {@code tickets[].attempts[]} has them. */
    static void attempt(ObjectNode at, AttemptView a, Long durationMillis) {
        at.put("attempt", a.attempt());
        at.put("outcome", a.outcome() == null ? "running" : a.outcome().label());
        at.put("exitCode", a.exitCode());
        at.put("reason", a.reason());
        // failed in a way every attempt would, so its ticket got no retry (whatever its retries:); false for an attempt
        // recorded before the flag was
        at.put("permanent", a.permanent());
        at.put("startedAt", iso(a.startedAtMillis()));
        at.put("finishedAt", iso(a.finishedAtMillis()));
        at.put("durationMillis", durationMillis);
    }

    /** ISO-8601 UTC ({@code 2025-01-31T12:00:00.250Z}), or null for 0 (not happened yet). */
    static String iso(long epochMillis) {
        return epochMillis <= 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
    }
}
