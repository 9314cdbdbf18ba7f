package io.swarmflow.cli.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, "Commands": {@code source <(./swarm generate-completion)} gives TAB completion of commands and options, for
 * {@code ./swarm} as for a {@code swarm} on PATH. Bash looks a command word with a slash up by its last part when no
 * compspec names the whole path, so the script must register one for {@code swarm}; here its function is called as
 * bash calls it on TAB.
 */
class CompletionScriptTest {
    @TempDir
    Path tmp;

    @Test
    void theSourcedScriptCompletesCommandsAndOptionsOfSwarm() throws Exception {
        DocsCli.Result generated = DocsCli.swarm("generate-completion");
        assertThat(generated.code()).as("%s", generated).isZero();
        Path script = Files.writeString(tmp.resolve("swarm-completion.bash"), generated.out());

        String complete = """
                source "$1" 2>/dev/null
                spec=$(complete -p swarm) || { echo "no compspec for swarm"; exit 3; }
                f=${spec##*-F }; f=${f%% *}
                tab() {
                  COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
                  "$f" "$1" "${!#}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
                  echo "$* -> ${COMPREPLY[*]}"
                }
                tab ./swarm stat
                tab ./swarm run --fa
                tab swarm cancel --wa
                """;
        Process p = new ProcessBuilder("bash", "-c", complete, "completion", script.toString()).redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(printed).as(printed).isEqualTo("""
                ./swarm stat -> status
                ./swarm run --fa -> --fail-fast
                swarm cancel --wa -> --wait
                """);
    }
}
