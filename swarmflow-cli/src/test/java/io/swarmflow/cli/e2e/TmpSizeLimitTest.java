package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.sandbox.Bubblewrap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A ticket's {@code /tmp} and {@code /dev/shm} were tmpfs mounts of half the host's RAM each, which neither
 * {@code address-space} nor {@code file-size} counts: a ticket could pin gigabytes of RAM. Each is now sized by the
 * profile's {@code tmp-size}, and {@code /dev} itself (another tmpfs) is read-only.
 */
class TmpSizeLimitTest {
    @TempDir
    Path tmp;

    @Test
    void aTicketCannotWriteMoreThanItsTmpSizeToTmpOrDevShm() throws Exception {
        Bubblewrap.Status bwrap = Bubblewrap.probe();
        assumeTrue(bwrap.usable() && bwrap.sizesTmpfs(), () -> "needs bubblewrap 0.8 or later: " + bwrap);
        Path spec = Cli.write(tmp.resolve("fill.yaml"), """
                agents:
                  small: {kind: shell, sandbox: required, limits: {tmp-size: 8MiB}}
                defaults: {agent: small}
                tickets:
                  - {id: fits, run: 'head -c 4M /dev/zero > /tmp/a && head -c 4M /dev/zero > /dev/shm/a && echo fits'}
                  - {id: fill-tmp, run: 'head -c 16M /dev/zero > /tmp/big'}
                  - {id: fill-shm, run: 'head -c 16M /dev/zero > /dev/shm/big'}
                  - {id: fill-home, run: 'head -c 16M /dev/zero > "$HOME/big"'}
                  - {id: fill-dev, run: 'head -c 16M /dev/zero > /dev/big'}
                """);
        String state = tmp.resolve("state").toString();

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state);

        assertThat(r.code()).as("%s", r).isEqualTo(1);
        assertThat(r.out()).as("%s", r).contains("fits | fits", "✓ fits");
        String full = "head: error writing 'standard output': No space left on device";
        assertThat(r.out()).as("%s", r).contains("fill-tmp | " + full, "fill-shm | " + full, "fill-home | " + full,
                "fill-dev | ", "/dev/big: Read-only file system");
        String runId = r.out().lines().findFirst().orElseThrow().split(" ")[1].replace(":", "");
        JsonNode status = swarm("status", runId, "--json", "--state-dir", state).json();
        for (String id : new String[] {"fill-tmp", "fill-shm", "fill-home", "fill-dev"}) {
            assertThat(Cli.ticket(status, id).get("state").asText()).as(id).isEqualTo("failed");
            assertThat(Cli.ticket(status, id).get("reason").asText()).as(id).startsWith("exited with code 1: ")
                    .endsWith(id.equals("fill-dev") ? "/dev/big: Read-only file system" : full);
        }
    }
}
