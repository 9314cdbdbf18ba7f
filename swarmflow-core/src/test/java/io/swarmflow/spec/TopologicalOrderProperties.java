package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class TopologicalOrderProperties {
    @Property(tries = 200)
    void everyNeedComesEarlierAndOrderIsStable(@ForAll @IntRange(min = 1, max = 40) int size,
                                              @ForAll @IntRange(min = 0, max = 100) int density,
                                              @ForAll Random random) throws Exception {
        // A random DAG: ticket i may need any j < i; the spec then lists them in a shuffled order.
        Map<String, List<String>> needs = new HashMap<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String id = "t" + i;
            List<String> n = new ArrayList<>();
            for (int j = 0; j < i; j++) if (random.nextInt(100) < density / 4) n.add("t" + j);
            needs.put(id, n);
            ids.add(id);
        }
        Collections.shuffle(ids, random);
        StringBuilder yaml = new StringBuilder("tickets:\n");
        for (String id : ids) yaml.append("  - {id: ").append(id).append(", agent: noop, needs: ").append(needs.get(id)).append("}\n");

        Path dir = Files.createTempDirectory("swarm-topo");
        try {
            Path file = SpecFiles.write(dir, "swarm.yaml", yaml.toString());
            Plan plan = new SpecLoader().load(file, Map.of());
            Plan again = new SpecLoader().load(file, Map.of());

            Set<String> seen = new HashSet<>();
            for (PlannedTicket t : plan.tickets()) {
                assertThat(seen).containsAll(t.needs());
                assertThat(t.needs()).containsExactlyInAnyOrderElementsOf(needs.get(t.id()));
                seen.add(t.id());
            }
            assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(again.tickets()).isEqualTo(plan.tickets());
            // stable: each ticket as early in spec order as its needs let it be (the first of the spec whose needs are
            // all placed comes next); the tickets in spec order when nothing needs anything
            List<String> stable = new ArrayList<>();
            while (stable.size() < ids.size()) {
                stable.add(ids.stream().filter(id -> !stable.contains(id) && stable.containsAll(needs.get(id)))
                        .findFirst().orElseThrow());
            }
            assertThat(plan.tickets()).extracting(PlannedTicket::id).containsExactlyElementsOf(stable);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Property(tries = 100)
    void aCycleIsAlwaysReported(@ForAll @IntRange(min = 1, max = 12) int length) throws IOException {
        StringBuilder yaml = new StringBuilder("tickets:\n");
        List<String> path = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            yaml.append("  - {id: c").append(i).append(", agent: noop, needs: [c").append((i + 1) % length).append("]}\n");
            path.add("c" + i);
        }
        path.add("c0");
        Path dir = Files.createTempDirectory("swarm-cycle");
        try {
            Path file = SpecFiles.write(dir, "swarm.yaml", yaml.toString());
            String expected = length == 1 ? "ticket 'c0' needs itself" : "dependency cycle: " + String.join(" -> ", path);
            assertThat(SpecFiles.errors(file, Map.of())).singleElement().asString().contains(expected);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
