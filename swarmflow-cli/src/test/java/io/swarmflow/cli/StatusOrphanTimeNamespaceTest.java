package io.swarmflow.cli;

import io.swarmflow.engine.Owners;
import io.swarmflow.store.AttemptView;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Review D3 F5: {@code swarm status} on an orphaned attempt whose coordinator recorded another time namespace than this
 * process's says it cannot tell whether its group still runs (start ticks read with other offsets do not compare), as
 * {@code swarm resume} does not look for it either; never "no longer runs".
 */
class StatusOrphanTimeNamespaceTest {
    @Test
    void anOrphanOfACoordinatorInAnotherTimeNamespaceCannotBeTold() {
        long here = timeNamespace();
        // pid 1 << 30: no process has it, so without the time namespace rule it would read as "no longer runs"
        AttemptView a = new AttemptView("r1", "a", 1, null, null, null, 1, 0, 1L << 30, 42, null);
        String other = "h:" + (1L << 30) + "@1700000000000/1;pidns=1;ticks=42;timens=" + (here + 1);

        String unknown = QueryCommands.Status.orphanUnknown(other, a);

        assertThat(unknown).isEqualTo("its coordinator ran in another time namespace (time:[" + (here + 1) + "], not this "
                + "process's time:[" + here + "]), where start times (field 22 of /proc/PID/stat) read with another offset, so "
                + "the recorded one cannot be compared with those read here");
        assertThat(QueryCommands.Status.orphanLine(new QueryCommands.Status.Orphan(a, false, unknown), "r1"))
                .contains("whether it still runs cannot be told here: its coordinator ran in another time namespace")
                .doesNotContain("no longer runs");
        String same = "h:" + (1L << 30) + "@1700000000000/1;pidns=1;ticks=42;timens=" + here;
        assertThat(QueryCommands.Status.orphanUnknown(same, a)).as("this process's own: the group itself is looked at").isNull();
    }

    /** This process's time namespace inode ({@code /proc/self/ns/time}); every CI runner's kernel has them (Linux 5.6+). */
    private static long timeNamespace() {
        String link;
        try {
            link = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/time")).toString();
        } catch (java.io.IOException e) {
            assumeTrue(false, "this kernel has no time namespaces: " + e);
            throw new AssertionError(e);
        }
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }
}
