package io.swarmflow.cli;

import io.swarmflow.spec.Floor;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.Templates;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The values a plan reads from swarm's environment ({@code ${{ env.NAME }}}, secrets) that a JVM whose locale encoding
 * ({@code sun.jnu.encoding}) is not UTF-8 would hand a ticket in bytes that the masking does not look for, refused by
 * {@code run}, {@code resume} and {@code validate} before anything is stored (exit 2).
 *
 * <p>The JVM reads its environment, and hands a child process its environment, in that encoding; the masking looks for
 * a secret's UTF-8 bytes (io.swarmflow.files.mask.Masking). In the C or POSIX locale (a JVM started as
 * {@code java -jar}, not through {@code ./swarm}, which picks C.UTF-8 there) the encoding is ASCII: {@code S=pässwort}
 * is read as {@code p\uFFFD\uFFFDsswort}, the ticket is handed {@code p??sswort}, which is not the secret and which
 * the masking (looking for EF BF BD) lets through, ASCII parts and all. In another non-UTF-8 locale (ISO-8859-1) the
 * value is read and handed on whole, but as ISO-8859-1 bytes, which the masking does not match either. An ASCII value
 * is the same in every such encoding, and is not refused; nor is anything in a UTF-8 locale (there a byte that is not
 * UTF-8 is read as U+FFFD and handed on as its UTF-8 bytes, EF BF BD, which is what the masking looks for). As
 * {@link SwarmCli#asciiOnly} for a file name.
 */
final class EnvironmentEncoding {
    private EnvironmentEncoding() {
    }

    /**
     * The problems of {@code plan} in this JVM: one line per environment variable the {@code env:} of a ticket that runs a
     * process reads (its own or its profile's, both in its planned env; not a {@code noop} ticket's, which is handed
     * nothing) that holds a character other than ASCII while {@code sun.jnu.encoding} is not UTF-8.
     *
     * @param plan the plan to run (for a resume, the tickets still to run)
     * @return the problems, in the order of the variables' names; empty when there is none
     */
    static List<String> problems(Plan plan) {
        return problems(plan, System::getenv, System.getProperty("sun.jnu.encoding", ""));
    }

    /**
     * {@link #problems(Plan)} for the given environment and encoding.
     *
     * @param plan        the plan
     * @param environment the value of a variable by its name, null when it is not set
     * @param jnu         the name of the encoding the JVM reads and hands on the environment in; empty or unknown to
     *                    this JVM when it cannot tell, which finds no problem
     * @return the problems, one line each (without the {@code swarm: } prefix), never naming a value
     */
    static List<String> problems(Plan plan, Function<String, String> environment, String jnu) {
        Charset cs = jnu.isEmpty() ? null : Charset.forName(jnu, null);
        if (cs == null || cs.equals(StandardCharsets.UTF_8)) return List.of();
        // a ticket's planned env holds its profile's: a profile read by no ticket still to run hands nothing to anyone
        java.util.SortedMap<String, List<String>> readBy = new java.util.TreeMap<>();
        for (PlannedTicket t : plan.tickets()) {
            if (!Floor.runsProcess(plan, t)) continue;
            for (String name : Templates.environmentNames(t.env().values())) {
                readBy.computeIfAbsent(name, k -> new ArrayList<>()).add(t.id());
            }
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<String>> read : readBy.entrySet()) {
            String name = read.getKey();
            List<String> tickets = read.getValue();
            String value = environment.apply(name);
            if (value == null || value.chars().allMatch(c -> c < 0x80)) continue;
            boolean mangled = value.indexOf('\uFFFD') >= 0 || !cs.newEncoder().canEncode(value);
            boolean ascii = !cs.newEncoder().canEncode('\u00fc'); // the C or POSIX locale
            problems.add("the environment variable " + name + " (${{ env." + name + " }} in the env: of ticket"
                    + (tickets.size() == 1 ? " '" + tickets.get(0) + "'" : "s '" + tickets.get(0) + "' and "
                    + (tickets.size() - 1) + " more") + ") "
                    + (mangled
                    ? "holds characters the JVM cannot read in this locale (" + jnu + (ascii ? ", LANG/LC_ALL=C" : "")
                            + "), so a ticket would be handed it mangled and print it unmasked"
                    : "holds characters other than ASCII, which the JVM hands a ticket in " + jnu + ", the encoding of "
                            + "this locale, while the masking of secrets looks for their UTF-8 bytes: a ticket would print "
                            + "it unmasked")
                    + "; run swarm with LC_ALL=C.UTF-8" + (ascii ? " (./swarm does)" : ""));
        }
        return problems;
    }
}
