package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two matrix tickets cannot be paired expansion by expansion: a reference written inside another (the first thing one
 * tries) is told so, and every spec example of docs/spec.md, the workaround among them, loads without errors or warnings.
 */
class MatrixPairingTest {
    @TempDir
    Path dir;

    @Test
    void aReferenceInsideAReferenceIsToldItCannotBe() throws Exception {
        assertThat(errors(dir, """
                vars: {v: x}
                tickets:
                  - id: build
                    matrix: {os: [linux, mac]}
                    run: "true"
                    outputs: {art: {json: art}}
                  - id: pkg
                    needs: [build]
                    matrix: {os: [linux, mac]}
                    env: {ART: "${{ tickets.build-${{ matrix.os }}.outputs.art }}"}
                    title: "${{ vars.${{ vars.v }} }} ${{ vars.v } and ${{ vars.v }}"
                    run: echo "$ART"
                """)).containsExactly(
                "swarm.yaml:10:17: '${{ tickets.build-${{ ma...' in env is not a complete reference: a reference cannot "
                        + "contain another reference; write the ids and names in a reference as they are; a matrix ticket "
                        + "cannot read the outputs of the matching expansion of another one (see matrix in docs/spec.md for "
                        + "how to hand results over)",
                "swarm.yaml:11:13: '${{ vars.${{ vars.v }} }...' in title is not a complete reference: a reference cannot "
                        + "contain another reference; write the ids and names in a reference as they are; compose texts "
                        + "from whole references, such as ${{ vars.a }}-${{ vars.b }}",
                // a missing brace before the next reference is not a nested one
                "swarm.yaml:11:39: '${{ vars.v } and ${{ var...' in title is not a complete reference; write ${{ vars.NAME }} "
                        + "(or matrix.NAME, tickets.ID.outputs.NAME, run.id), or $${{ for a literal ${{");
    }

    @Test
    void everySpecExampleOfTheSpecPageLoadsWithoutWarnings() throws Exception {
        String page = Files.readString(Path.of("..", "docs", "spec.md"));
        SpecFiles.gitInit(dir);
        List<String> blocks = new ArrayList<>();
        for (int at = page.indexOf("```yaml\n"); at >= 0; at = page.indexOf("```yaml\n", at + 1)) {
            int start = at + "```yaml\n".length();
            blocks.add(page.substring(start, page.indexOf("```", start)));
        }
        assertThat(blocks).as("the spec at the top and the matrix hand-over example").hasSizeGreaterThanOrEqualTo(2);
        assertThat(blocks).anySatisfy(b -> assertThat(b).contains("$SWARM_SCRATCH/app-${{ matrix.os }}"));
        for (int i = 0; i < blocks.size(); i++) {
            Path file = SpecFiles.write(dir, "example-" + i + ".yaml", blocks.get(i));
            List<String> warnings = new ArrayList<>();
            Plan plan = new SpecLoader().load(file, Map.of(), w -> warnings.add(w.format()));
            assertThat(plan.tickets()).as("example %d", i).isNotEmpty();
            assertThat(warnings).as("example %d", i).isEmpty();
        }
    }
}
