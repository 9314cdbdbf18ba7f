package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usual YAML mistakes (a tab, a line indented wrong, an unquoted ': ' in a value) are named in plain words with
 * their fix, rather than in the parser's ({@code expected <block end>, but found '?'}).
 */
class YamlMistakeWordsTest {
    @TempDir
    Path dir;

    @Test
    void aTabIsNamedWithItsFix() throws IOException {
        assertThat(errors(dir, "tickets:\n  - id: a\n\trun: echo\n")).containsExactly(
                "swarm.yaml:3:1: YAML syntax error: a tab character where YAML expects indentation or a value; indent with spaces only");
    }

    @Test
    void aKeyOutdentedToTheListIsAnIndentationError() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: x
                  needs: [b]
                """)).containsExactly("swarm.yaml:4:3: YAML syntax error: this line is indented differently from the lines "
                + "above it; indent it exactly as far as the keys or list items it belongs with");
    }

    @Test
    void anUnquotedColonInAValueSaysToQuoteIt() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: echo '{"x": 1}'
                """)).containsExactly("swarm.yaml:3:20: YAML syntax error: a ':' that YAML cannot read as a key here; "
                + "quote a value holding ': ' (or write a script as run: | on the lines below), "
                + "and indent a key as far as the keys beside it");
    }

    @Test
    void aListItemAmongKeysIsNamedAsSuch() throws IOException {
        assertThat(errors(dir, "name: x\n- id: a\n")).containsExactly("swarm.yaml:2:1: YAML syntax error: a list item ('- ') "
                + "among 'key: value' lines; put the list under a key and indent its items (key:, then   - item on the lines "
                + "below), or write this line as key: value");
    }

    @Test
    void anAliasOfNoAnchorSaysWhatIsMissing() throws IOException {
        assertThat(errors(dir, "tickets:\n  - id: a\n    run: *nope\n")).containsExactly("swarm.yaml:3:10: YAML syntax error: "
                + "'*nope' refers to an anchor '&nope' that is not defined above it; define &nope before this line, or quote "
                + "the value if it is text that starts with '*'");
    }
}
