package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A text scanned once ({@link Templates.Scan}) answers as the one-off functions do, and sizes its rendering exactly. */
class TemplatesScanProperties {
    private static final Map<String, String> VALUES = Map.of("vars.a", "", "vars.b", "B$", "matrix.k", "é😀{{", "env.E", "$${{ x }}");
    private static final Function<String, String> LOOKUP = VALUES::get; // others stay as written

    @Provide
    Arbitrary<String> texts() {
        // pieces that make references, escaped and incomplete openings, and multi-byte characters next to them
        return Arbitraries.of("$", "$$", "${{", "$${{", "{{", "}}", " ", "vars.a", "vars.b", "matrix.k", "env.E", "run.id",
                "tickets.t.outputs.o", "x", "é", "😀", "\n", "${{ vars.a }}", "${{vars.b}}", "${{ matrix.k }}", "${{ env.E }}")
                .list().ofMaxSize(30).map(parts -> String.join("", parts));
    }

    @Property(tries = 2000)
    void aScanAgreesWithTheOneOffFunctions(@ForAll("texts") String text) {
        Templates.Scan scan = Templates.scan(text);

        assertThat(scan.openings).isEqualTo(Templates.openings(text));
        assertThat(scan.references).isEqualTo(Templates.references(text));
        assertThat(scan.bytes).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        String rendered = Templates.render(text, LOOKUP);
        assertThat(scan.render(LOOKUP)).isEqualTo(rendered);
        assertThat(scan.renderedBytes(LOOKUP, v -> v.getBytes(StandardCharsets.UTF_8).length))
                .isEqualTo(rendered.getBytes(StandardCharsets.UTF_8).length);
        // malformed: each opening that begins no reference
        List<Integer> starts = Templates.references(text).stream().map(Templates.Reference::offset).toList();
        assertThat(scan.malformed).isEqualTo(Templates.openings(text).stream().filter(o -> !starts.contains(o)).toList());
    }
}
