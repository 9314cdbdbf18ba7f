package io.swarmflow.cli.report;

import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.swarmflow.cli.report.Fixtures.RUN;
import static io.swarmflow.cli.report.Fixtures.T0;

/**
 * Not a test (surefire runs *Test, *Tests and *Properties classes): prints how long writing a report takes and how
 * large report.html gets for layered plans of 400, 1,000 and 2,000 tickets (12 layers, each ticket needing one to
 * three of the layer before), twice each, the second round warm. docs/report.md quotes it; run it with
 * {@code ./mvnw -B -o -pl swarmflow-cli -am test -Dtest=DagScaleMeasure -Dsurefire.failIfNoSpecifiedTests=false}
 * and read the MEASURE lines in swarmflow-cli/target/surefire-reports/.
 */
class DagScaleMeasure {
    @TempDir Path tmp;

    @Test
    void measure() throws Exception {
        for (int n : new int[] {400, 1_000, 2_000, 400, 1_000, 2_000}) {
            Random rnd = new Random(n);
            int layersN = 12;
            List<PlannedTicket> plan = new ArrayList<>();
            List<TicketView> views = new ArrayList<>();
            List<AttemptView> attempts = new ArrayList<>();
            List<List<String>> layers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int l = Math.min(layersN - 1, i * layersN / n);
                while (layers.size() <= l) layers.add(new ArrayList<>());
                String id = "ticket-" + l + "-" + String.format("%04d", i);
                List<String> needs = new ArrayList<>();
                if (l > 0) {
                    List<String> prev = layers.get(l - 1);
                    int k = 1 + rnd.nextInt(3);
                    for (int j = 0; j < k; j++) { String d = prev.get(rnd.nextInt(prev.size())); if (!needs.contains(d)) needs.add(d); }
                }
                layers.get(l).add(id);
                plan.add(Fixtures.ticket(id, "Ticket " + i, needs, "shell", WorkspaceMode.RUN));
                long s = T0 + l * 10_000L + rnd.nextInt(5_000), e = s + 1_000 + rnd.nextInt(8_000);
                views.add(Fixtures.view(id, i, TicketState.SUCCEEDED, 1, 0, 0, null, Map.of(), s, e));
                attempts.add(Fixtures.attempt(id, 1, Outcome.SUCCEEDED, 0, null, s, e));
            }
            RunView run = new RunView(RUN, "scale", "swarm.yaml", RunState.SUCCEEDED, T0 - 500, T0, T0 + 200_000, 1, "h:1", false, n, 9);
            Path dir = Files.createTempDirectory(tmp, "n" + n);
            long a = System.nanoTime();
            Path html = RunReport.writeAll(run, Fixtures.plan(plan), views, attempts, dir);
            long b = System.nanoTime();
            RunReport report = RunReport.of(run, Fixtures.plan(plan), views, attempts, dir);
            long c = System.nanoTime();
            String svg = DagSvg.render(report.rows());
            long d = System.nanoTime();
            System.out.printf("MEASURE %d tickets (DAG cap %d): writeAll %d ms, report.html %d bytes; DagSvg.render %d ms, %d bytes%n",
                    n, DagSvg.MAX_TICKETS, (b - a) / 1_000_000, Files.size(html), (d - c) / 1_000_000, svg.length());
        }
    }
}
