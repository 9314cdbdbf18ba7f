package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.Cli.ticket;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A decision recorded while no coordinator executes the run waits for {@code swarm resume}; {@code swarm status} shows it,
 * where the gate looked undecided.
 */
class PendingDecisionStatusTest {
    @TempDir
    Path tmp;

    @Test
    void statusShowsAnApprovalNotAppliedYet() throws Exception {
        Path state = tmp.resolve("state");
        String st = state.toString();
        Path spec = Cli.write(tmp.resolve("gated.yaml"), CliEndToEndTest.GATED);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", st);
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
        assertThat(swarm("cancel", id, "--state-dir", st).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);

        JsonNode before = swarm("status", id, "--json", "--state-dir", st).json();
        assertThat(ticket(before, "gate").get("pendingDecision").isNull()).isTrue();
        assertThat(swarm("status", id, "--state-dir", st).out()).doesNotContain("not applied yet");
        // the gate alone says how it goes on
        Result undecided = swarm("status", id, "gate", "--state-dir", st);
        assertThat(undecided.out()).as("%s", undecided).isEqualTo("ticket gate of run " + id + " (gated): awaiting-approval (0 attempts)\n"
                + "  approve it with `swarm approve " + id + " gate`, or reject it with `swarm reject " + id + " gate --reason TEXT`; "
                + "`swarm resume " + id + "` then applies the decision\n");
        assertThat(swarm("status", id, "gate", "--json", "--state-dir", st).json().get("tickets").get(0).get("pendingDecision")
                .isNull()).isTrue();
        // a pending ticket says what it waits for (it said "pending (0 attempts)" alone)
        Result pending = swarm("status", id, "after", "--state-dir", st);
        assertThat(pending.out()).as("%s", pending).isEqualTo("ticket after of run " + id + " (gated): pending (0 attempts)\n"
                + "  waits for gate (awaiting-approval)\n");

        Result approve = swarm("approve", id, "gate", "--state-dir", st);
        assertThat(approve.code()).as("%s", approve).isZero();

        Result status = swarm("status", id, "--state-dir", st);
        assertThat(status.out()).containsPattern("\n  gate: approved by \\S+, not applied yet; `swarm resume " + id + "` applies it\n");
        JsonNode json = swarm("status", id, "--json", "--state-dir", st).json();
        assertThat(ticket(json, "gate").get("state").asText()).isEqualTo("awaiting-approval");
        assertThat(ticket(json, "gate").get("pendingDecision").asText()).isEqualTo("approve");
        assertThat(ticket(json, "gate").get("pendingDecisionBy").asText()).isNotBlank();
        assertThat(ticket(json, "prep").get("pendingDecision").isNull()).isTrue();
        // and so does `swarm status RUN TICKET`, whose JSON had "pendingDecision": null while one was pending
        Result gate = swarm("status", id, "gate", "--state-dir", st);
        assertThat(gate.out()).as("%s", gate).containsPattern("^ticket gate of run " + id + " \\(gated\\): awaiting-approval "
                + "\\(0 attempts\\)\n  gate: approved by \\S+, not applied yet; `swarm resume " + id + "` applies it\n$");
        JsonNode gateJson = swarm("status", id, "gate", "--json", "--state-dir", st).json();
        assertThat(gateJson.get("tickets").get(0).get("pendingDecision").asText()).isEqualTo("approve");
        assertThat(gateJson.get("tickets").get(0).get("pendingDecisionBy").asText())
                .isEqualTo(ticket(json, "gate").get("pendingDecisionBy").asText());

        Result resume = swarm("resume", id, "--plain", "--state-dir", st);
        assertThat(resume.code()).as("%s", resume).isZero();
        JsonNode after = swarm("status", id, "--json", "--state-dir", st).json();
        assertThat(ticket(after, "gate").get("state").asText()).isEqualTo("succeeded");
        assertThat(ticket(after, "gate").get("pendingDecision").isNull()).isTrue();
    }

    /**
     * A rejection's reason is text anyone could type, escape sequences too: under the summary it is shown as the ticket's
     * reason is shown once applied, with its control characters visible (it was printed as it was, so a reason could move
     * the cursor or set the terminal's title of whoever ran {@code swarm status}).
     */
    @Test
    void aPendingRejectionsReasonIsShownWithItsControlCharactersVisible() throws Exception {
        Path state = tmp.resolve("state");
        String st = state.toString();
        Path spec = Cli.write(tmp.resolve("gated.yaml"), CliEndToEndTest.GATED);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", st);
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
        assertThat(swarm("cancel", id, "--state-dir", st).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);

        Result reject = swarm("reject", id, "gate", "--reason", "no\u001b[2J\u001b]0;owned\u0007 \u202eok", "--state-dir", st);
        assertThat(reject.code()).as("%s", reject).isZero();

        Result status = swarm("status", id, "--state-dir", st);
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out()).containsPattern("\n  gate: rejected by \\S+ \\(no\\^\\[\\[2J\\^\\[\\]0;owned\\^G "
                + "\\\\u202eok\\), not applied yet; `swarm resume " + id + "` applies it\n");
        assertThat(status.out()).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u202e");
    }
}
