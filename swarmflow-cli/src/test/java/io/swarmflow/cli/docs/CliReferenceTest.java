package io.swarmflow.cli.docs;

import io.swarmflow.cli.SwarmCli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/cli.md, the CLI reference, against the command line swarm builds ({@code new CommandLine(new SwarmCli())}, the
 * model picocli parses with): a section per command, whose synopsis is the usage line the command's help prints and
 * which names each of the command's options; every option the page names exists.
 */
class CliReferenceTest {
    private static final Path PAGE = DocPathsTest.ROOT.resolve("docs/cli.md");
    private static final Pattern LONG_FLAG = Pattern.compile("(?<![\\w-])--[a-z][a-z-]*");
    private static final Pattern ANY_FLAG = Pattern.compile("(?<![\\w-])(--[a-z][a-z-]*|-[a-zA-Z]\\b)");
    /**
     * The options of other tools' parallelism that the page names as none of swarm's (make's -j, xargs's -P): the
     * spec's {@code concurrency} sets it. {@link #theFlagsThePageNamesAsNoneOfSwarmsAreNone} keeps that true.
     */
    private static final Set<String> NOT_SWARMS = Set.of("-j", "--jobs", "--concurrency", "--parallel", "-P");

    private static CommandLine swarm() {
        CommandLine cl = new CommandLine(new SwarmCli());
        cl.setUsageHelpWidth(1000); // a usage line on one line, as the page writes it
        return cl;
    }

    /** The text of each "### swarm COMMAND" section of the page, by command. */
    private static Map<String, String> sections() throws Exception {
        String page = Files.readString(PAGE);
        Map<String, String> sections = new LinkedHashMap<>();
        Matcher h = Pattern.compile("(?m)^### swarm ([a-z-]+)\\n").matcher(page);
        while (h.find()) {
            Matcher next = Pattern.compile("(?m)^##").matcher(page);
            int end = next.find(h.end()) ? next.start() : page.length();
            sections.put(h.group(1), page.substring(h.end(), end));
        }
        return sections;
    }

    /** The first fenced block of a section, trimmed: its synopsis. */
    private static String synopsis(String section) {
        int start = section.indexOf("```\n");
        assertThat(start).as("a synopsis block in %s", section).isNotNegative();
        return section.substring(start + 4, section.indexOf("```", start + 4)).strip();
    }

    /** The first cells of the section's option table. */
    private static List<String> optionCells(String section) {
        List<String> cells = new ArrayList<>();
        for (String line : section.lines().toList()) {
            if (line.startsWith("| `-")) cells.add(line.substring(1, line.indexOf(" |", 1)));
        }
        return cells;
    }

    private static Set<String> names(CommandSpec spec) {
        Set<String> names = new TreeSet<>();
        for (OptionSpec o : spec.options()) names.addAll(List.of(o.names()));
        return names;
    }

    @Test
    void thePageHasASectionPerCommandWithTheUsageLineItsHelpPrints() throws Exception {
        Map<String, String> sections = sections();
        CommandLine root = swarm();
        assertThat(sections.keySet()).containsExactlyInAnyOrderElementsOf(root.getSubcommands().keySet());
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            String usage = e.getValue().getHelp().synopsis(0).strip();
            assertThat(synopsis(sections.get(e.getKey()))).as("the synopsis of swarm %s", e.getKey()).isEqualTo(usage);
        }
    }

    @Test
    void eachSectionNamesEveryOptionOfItsCommand() throws Exception {
        Map<String, String> sections = sections();
        String page = Files.readString(PAGE);
        String global = page.substring(page.indexOf("## Global options"), page.indexOf("## Commands"));
        for (Map.Entry<String, CommandLine> e : swarm().getSubcommands().entrySet()) {
            String section = sections.get(e.getKey());
            for (OptionSpec o : e.getValue().getCommandSpec().options()) {
                // -h and -V: every command's, described once for all
                String where = o.usageHelp() || o.versionHelp() ? global : String.join("\n", optionCells(section));
                for (String name : o.names()) {
                    assertThat(where).as("swarm %s's %s in docs/cli.md", e.getKey(), name)
                            .containsPattern("`" + Pattern.quote(name) + "[` ,=]");
                }
            }
        }
    }

    @Test
    void everyOptionThePageNamesExists() throws Exception {
        CommandLine root = swarm();
        Set<String> all = new TreeSet<>();
        for (CommandLine sub : root.getSubcommands().values()) all.addAll(names(sub.getCommandSpec()));

        List<String> wrong = new ArrayList<>();
        // a section's option table and synopsis name its command's options
        for (Map.Entry<String, String> s : sections().entrySet()) {
            Set<String> own = names(root.getSubcommands().get(s.getKey()).getCommandSpec());
            List<String> cells = new ArrayList<>(optionCells(s.getValue()));
            cells.add(synopsis(s.getValue()).replace("[-hV]", "-h -V").replace("[-fhV]", "-f -h -V"));
            for (String cell : cells) {
                Matcher f = ANY_FLAG.matcher(cell);
                while (f.find()) if (!own.contains(f.group())) wrong.add("swarm " + s.getKey() + ": " + f.group());
            }
        }
        // a command line written on the page (`swarm logs RUN T --follow`) the options of its command
        String page = Files.readString(PAGE);
        Matcher line = Pattern.compile("(?:\\./)?swarm ([a-z-]+)([^`\\n|&]*)").matcher(page);
        while (line.find()) {
            CommandLine sub = root.getSubcommands().get(line.group(1));
            if (sub == null) continue; // "swarm spec", "swarm itself": prose
            Matcher f = LONG_FLAG.matcher(line.group(2));
            while (f.find()) if (!names(sub.getCommandSpec()).contains(f.group())) wrong.add(line.group().strip() + ": " + f.group());
        }
        // and any other an option of some command
        Matcher f = LONG_FLAG.matcher(page);
        while (f.find()) if (!all.contains(f.group()) && !NOT_SWARMS.contains(f.group())) wrong.add(f.group());
        assertThat(wrong).as("options docs/cli.md names that the command does not have").isEmpty();
    }

    @Test
    void theFlagsThePageNamesAsNoneOfSwarmsAreNone() throws Exception {
        String page = Files.readString(PAGE);
        CommandLine root = swarm();
        for (String flag : NOT_SWARMS) {
            assertThat(page).contains("`" + flag + "`");
            for (CommandLine sub : root.getSubcommands().values()) assertThat(names(sub.getCommandSpec())).doesNotContain(flag);
        }
    }

    /** The page's table of exit codes has the codes {@code swarm --help} lists, as the README's does. */
    @Test
    void thePagesExitCodesAreTheHelpsExitCodes() throws Exception {
        String page = Files.readString(PAGE);
        String table = page.substring(page.indexOf("## Exit codes"));
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| (\\d+) \\|").matcher(table);
        while (m.find()) documented.add(m.group(1));
        Set<String> listed = new TreeSet<>(swarm().getCommandSpec().usageMessage().exitCodeList().keySet().stream()
                .map(String::strip).toList());
        assertThat(documented).isEqualTo(listed).contains("0", "4", "141");
    }

    /** The page's exit codes of a command are those its help lists as its own. */
    @Test
    void eachSectionsExitCodesOfItsOwnAreThoseOfItsHelp() throws Exception {
        Map<String, String> sections = sections();
        for (String command : List.of("run", "logs", "clean")) {
            DocsCli.Result help = DocsCli.swarm(command, "--help");
            String own = help.out().substring(help.out().indexOf("Exit codes of its own"));
            Set<String> codes = new TreeSet<>();
            Matcher m = Pattern.compile("(?m)^  (\\d+) ").matcher(own);
            while (m.find()) codes.add(m.group(1));
            String section = sections.get(command);
            String line = section.substring(section.indexOf("Exit codes of its own:")).split("\n\n")[0];
            Set<String> documented = new TreeSet<>();
            Matcher d = Pattern.compile("(?<![\\w-])(\\d+) (?:the|when|interrupted)").matcher(line);
            while (d.find()) documented.add(d.group(1));
            assertThat(documented).as("the exit codes of swarm %s on the page", command).isEqualTo(codes);
        }
    }

    /** The entries of the exit codes a command's help lists as its own, by code, each on one line. */
    private static Map<String, String> ownExitCodes(String command) {
        DocsCli.Result help = DocsCli.swarm(command, "--help");
        assertThat(help.code()).as("%s", help).isZero();
        String own = help.out().substring(help.out().indexOf("Exit codes of its own"));
        Map<String, String> entries = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^  (\\d+) ").matcher(own);
        List<Integer> starts = new ArrayList<>();
        List<String> codes = new ArrayList<>();
        while (m.find()) {
            starts.add(m.end());
            codes.add(m.group(1));
        }
        for (int i = 0; i < codes.size(); i++) {
            int end = i + 1 < codes.size() ? own.lastIndexOf('\n', starts.get(i + 1)) : own.length();
            entries.put(codes.get(i), own.substring(starts.get(i), end).replaceAll("\\s+", " ").strip());
        }
        return entries;
    }

    /**
     * {@code run --help} and {@code resume --help} (resume's codes are "as for run" on the page) give each remedy the page
     * gives for run's codes of its own ({@code swarm resume RUN} for a state that could not be written, {@code swarm report
     * RUN} for a report that could not be written after the run ended) in the entry of the code the page gives it with,
     * and each signal the page's exit code table names for 130.
     */
    @Test
    void runAndResumeHelpGiveTheRemediesAndSignalsThePageGivesForTheirExitCodes() throws Exception {
        Map<String, String> sections = sections();
        assertThat(sections.get("resume")).contains("Exit codes of its own: as for run (1, 4, 130).");
        String run = sections.get("run");
        String line = run.substring(run.indexOf("Exit codes of its own:")).split("\n\n")[0].replaceAll("\\s+", " ");
        // each code's part of the line: from "N the/when/interrupted" to the next such code
        Map<String, String> pageEntries = new LinkedHashMap<>();
        Matcher d = Pattern.compile("(?<![\\w-])(\\d+) (?:the|when|interrupted)").matcher(line);
        List<int[]> at = new ArrayList<>();
        while (d.find()) at.add(new int[] {d.start(), Integer.parseInt(d.group(1))});
        for (int i = 0; i < at.size(); i++) {
            pageEntries.put(String.valueOf(at.get(i)[1]), line.substring(at.get(i)[0], i + 1 < at.size() ? at.get(i + 1)[0] : line.length()));
        }
        String page = Files.readString(PAGE);
        String row130 = page.lines().filter(l -> l.startsWith("| 130 |")).findFirst().orElseThrow();
        List<String> signals = Pattern.compile("SIG[A-Z]+").matcher(row130).results().map(r -> r.group()).distinct().toList();
        assertThat(signals).contains("SIGTERM", "SIGHUP");
        assertThat(pageEntries.get("4")).contains("`swarm report RUN`", "`swarm resume RUN`");

        for (String command : List.of("run", "resume")) {
            Map<String, String> help = ownExitCodes(command);
            for (Map.Entry<String, String> e : pageEntries.entrySet()) {
                Matcher remedy = Pattern.compile("`swarm [a-z]+ RUN`").matcher(e.getValue());
                while (remedy.find()) {
                    assertThat(help.get(e.getKey())).as("swarm %s --help, exit code %s", command, e.getKey()).contains(remedy.group());
                }
            }
            assertThat(help.get("130")).as("swarm %s --help, exit code 130", command).contains(signals);
        }
    }

    /** {@code status --help} and {@code runs --help} say of {@code --state} what the page's option table says: a list, or the option repeated. */
    @Test
    void theStateOptionsHelpSaysHowToGiveSeveralStatesAsThePageDoes() throws Exception {
        Map<String, String> sections = sections();
        for (String command : List.of("status", "runs")) {
            String cell = sections.get(command).lines().filter(l -> l.startsWith("| `--state STATE")).findFirst().orElseThrow();
            Matcher how = Pattern.compile("\\((comma-separated[^)]*)\\)").matcher(cell);
            assertThat(how.find()).as("how to give several states, on the page for swarm %s", command).isTrue();
            assertThat(how.group(1)).contains("repeated");
            DocsCli.Result help = DocsCli.swarm(command, "--help");
            String option = help.out().substring(help.out().indexOf("--state=STATE")).replaceAll("\\s+", " ");
            assertThat(option).as("swarm %s --help", command).contains("(" + how.group(1) + ")");
        }
    }
}
