package io.swarmflow.cli.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * README, "Commands": {@code source <(./swarm generate-completion)} gives TAB completion of commands and options, for
 * {@code ./swarm} as for a {@code swarm} on PATH, in bash and (sourced from {@code ~/.zshrc}) in zsh. Bash looks a
 * command word with a slash up by its last part when no compspec names the whole path, so the script must register one
 * for {@code swarm}; here its function is called as bash calls it on TAB. In zsh, where the script runs through zsh's
 * bashcompinit, a real interactive zsh on a pseudo-terminal is typed into, TAB included.
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

    /**
     * Drives an interactive zsh on a pseudo-terminal (zsh's own zpty module): waits for its prompt ({@code READY> },
     * set by its .zshrc), then types each line given and TAB, and prints {@code LINE -> MATCHES}, the matches the
     * completion offered (the .zshrc wraps {@code compadd} to write them to the file {@code $1}; a set offered twice is
     * printed once).
     */
    private static final String ZSH_DRIVER = """
            zmodload zsh/zpty || exit 3
            hits=$1; shift
            zpty z zsh -d -i
            prompt() { zpty -r z out '*READY> *' }
            prompt
            for line in "$@"; do
              : > $hits
              zpty -w -n z "$line"$'\\t'
              zpty -w z $'\\C-u'"print -r -- EN''D"
              zpty -r z out '*END*'
              prompt
              print -r -- "$line -> $(sort -u $hits)" # zsh may offer them more than once
            done
            zpty -d z
            """;

    @Test
    void inZshTheScriptSourcedFromZshrcCompletesCommandsAndOptions() throws Exception {
        Path zsh = java.util.stream.Stream.of("/usr/bin/zsh", "/bin/zsh").map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(zsh != null, "zsh is not installed (apt-get install zsh; .ci/run installs it)");
        DocsCli.Result generated = DocsCli.swarm("generate-completion");
        assertThat(generated.code()).as("%s", generated).isZero();
        Path script = Files.writeString(tmp.resolve("swarm-completion.bash"), generated.out());
        Path driver = Files.writeString(tmp.resolve("driver.zsh"), ZSH_DRIVER);
        Path hits = tmp.resolve("hits");
        String quoted = "'" + script.toString().replace("'", "'\\''") + "'";
        // README: saved once and sourced from ~/.zshrc, where nothing set completion up (the script runs compinit and
        // bashcompinit itself); and sourced as it is generated, in a zsh whose completion is set up already (oh-my-zsh's)
        for (String zshrc : List.of("source " + quoted, "autoload -U +X compinit && compinit -u; autoload -U +X bashcompinit "
                + "&& bashcompinit; source <(cat " + quoted + ")")) {
            Path home = Files.createTempDirectory(tmp, "home");
            String wrap = "compadd() { builtin compadd -O __hits \"$@\"; print -r -- \"${(j: :)__hits}\" >> '" + hits + "'; "
                    + "builtin compadd \"$@\" }";
            Files.writeString(home.resolve(".zshrc"), "PS1='READY> '\n" + zshrc + "\n" + wrap + "\n");
            ProcessBuilder pb = new ProcessBuilder(zsh.toString(), "-f", driver.toString(), hits.toString(), "swarm stat",
                    "./swarm run --fa", "swarm cancel --wa", "swarm v").redirectErrorStream(true);
            pb.environment().put("ZDOTDIR", home.toString());
            pb.environment().put("HOME", home.toString());
            Process p = pb.start();
            java.util.concurrent.CompletableFuture<String> printed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            boolean ended = p.waitFor(60, TimeUnit.SECONDS);
            if (!ended) p.destroyForcibly();
            assertThat(ended).as("zsh ended within 60 s (%s): %s", zshrc, printed.getNow("")).isTrue();
            assertThat(printed.get()).as(zshrc).isEqualTo("""
                    swarm stat -> status
                    ./swarm run --fa -> --fail-fast
                    swarm cancel --wa -> --wait
                    swarm v -> validate version
                    """);
        }
    }
}
