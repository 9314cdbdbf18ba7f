package io.swarmflow.cli.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's tables of commands and exit codes say what {@code swarm --help} and each command's help say (docs/cli.md,
 * the reference they link to, is checked against the commands' model by CliReferenceTest).
 */
class ReadmeCommandsTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path CLI_PAGE = Path.of("..", "docs", "cli.md");
    private static final Pattern FLAG = Pattern.compile("--[a-z][a-z-]*");
    /** Options every command has, or that the README states once for all ("Every command but ... accepts --state-dir"). */
    private static final Set<String> COMMON = Set.of("--help", "--version", "--state-dir");

    /** Each {@code swarm COMMAND ...} of the README's command table, with the flags written there. */
    static Map<String, Set<String>> readmeCommands() throws Exception {
        String readme = Files.readString(README);
        String table = readme.substring(readme.indexOf("## Commands"), readme.indexOf("### Exit codes"));
        Map<String, Set<String>> commands = new LinkedHashMap<>();
        for (String line : table.lines().filter(l -> l.startsWith("| `swarm ")).toList()) {
            String cell = line.substring(1, line.indexOf(" | "));
            Matcher m = Pattern.compile("`swarm ([a-z-]+)([^`]*)`").matcher(cell);
            while (m.find()) {
                Set<String> flags = new TreeSet<>();
                Matcher f = FLAG.matcher(m.group(2));
                while (f.find()) flags.add(f.group());
                commands.put(m.group(1), flags);
            }
        }
        return commands;
    }

    static Set<String> helpFlags(String command) {
        Cli.Result r = swarm(command, "--help");
        assertThat(r.code()).as("%s", r).isZero();
        String options = r.out().substring(0, r.out().indexOf("\nExit codes"));
        Set<String> flags = new TreeSet<>();
        Matcher f = FLAG.matcher(options);
        while (f.find()) flags.add(f.group());
        return flags;
    }

    @Test
    void theReadmeListsEveryCommandWithTheFlagsItsHelpShows() throws Exception {
        Map<String, Set<String>> readme = readmeCommands();
        Cli.Result top = swarm("--help");
        String listed = top.out().substring(top.out().indexOf("Commands:"), top.out().indexOf("Exit codes:"));
        Set<String> commands = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^  ([a-z-]+) ").matcher(listed);
        while (m.find()) if (!m.group(1).equals("help")) commands.add(m.group(1));

        assertThat(readme.keySet()).containsExactlyInAnyOrderElementsOf(commands);
        for (String command : commands) {
            Set<String> help = helpFlags(command);
            Set<String> own = new TreeSet<>(help);
            own.removeAll(COMMON);
            assertThat(readme.get(command)).as("flags of swarm %s in the README", command).isEqualTo(own);
            boolean stateless = command.equals("version") || command.equals("generate-completion");
            assertThat(help.contains("--state-dir")).as("swarm %s accepts --state-dir", command).isEqualTo(!stateless);
        }
    }

    /**
     * The README and docs/cli.md name version and generate-completion (and help) as the commands without --state-dir;
     * their help has none either.
     */
    @Test
    void theCommandsTheDocsSayTakeNoStateDirAreThoseWhoseHelpHasNone() throws Exception {
        for (Path page : List.of(README, CLI_PAGE)) {
            assertThat(commandsWithoutStateDir(page)).as("%s", page).isEqualTo(commandsWithoutStateDirInTheirHelp());
        }
    }

    private static Set<String> commandsWithoutStateDir(Path page) throws Exception {
        String text = Files.readString(page).replaceAll("\\s+", " ");
        Matcher sentence = Pattern.compile("Every command but ([^.;]*) accepts `--state-dir DIR`").matcher(text);
        assertThat(sentence.find()).as("the sentence on --state-dir in %s", page).isTrue();
        Set<String> named = new TreeSet<>();
        Matcher c = Pattern.compile("`([a-z-]+)`").matcher(sentence.group(1));
        while (c.find()) named.add(c.group(1));
        return named;
    }

    private static Set<String> commandsWithoutStateDirInTheirHelp() {
        Cli.Result top = swarm("--help");
        String listed = top.out().substring(top.out().indexOf("Commands:"), top.out().indexOf("Exit codes:"));
        Set<String> without = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^  ([a-z-]+) ").matcher(listed);
        while (m.find()) if (!helpFlags(m.group(1)).contains("--state-dir")) without.add(m.group(1));
        return without;
    }

    /** The README's table sends the reader to docs/cli.md for the details, which has a section per command it lists. */
    @Test
    void theReadmeLinksEachCommandToItsSectionInTheCliReference() throws Exception {
        String readme = Files.readString(README);
        String section = readme.substring(readme.indexOf("## Commands"), readme.indexOf("### Exit codes"));
        assertThat(section).contains("[docs/cli.md](docs/cli.md)");
        assertThat(readme.substring(readme.indexOf("### Exit codes"), readme.indexOf("Spec errors are listed")))
                .contains("[docs/cli.md](docs/cli.md#exit-codes)");
        String page = Files.readString(CLI_PAGE);
        for (String command : readmeCommands().keySet()) assertThat(page).contains("\n### swarm " + command + "\n");
        // one short line per command: the row that was 1,000 characters long is not back
        for (String row : section.lines().filter(l -> l.startsWith("| `swarm ")).toList()) {
            String whatItDoes = row.substring(row.lastIndexOf(" | ", row.length() - 3) + 3);
            assertThat(whatItDoes.length()).as("%s", row).isLessThan(120);
        }
    }

    @Test
    void theReadmesExitCodesAreTheHelpsExitCodes() throws Exception {
        String readme = Files.readString(README);
        String table = readme.substring(readme.indexOf("### Exit codes"), readme.indexOf("Spec errors are listed"));
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| (\\d+) \\|").matcher(table);
        while (m.find()) documented.add(m.group(1));

        String help = swarm("--help").out();
        Set<String> listed = new TreeSet<>();
        Matcher h = Pattern.compile("(?m)^  (\\d+) ").matcher(help.substring(help.indexOf("Exit codes:")));
        while (h.find()) listed.add(h.group(1));

        assertThat(documented).containsExactlyInAnyOrder("0", "1", "2", "3", "4", "129", "130", "141").isEqualTo(listed);
        assertThat(help.replaceAll("\\s+", " ")).contains("1 the run finished and a ticket failed; `swarm clean`: something could not be removed");
    }
}
