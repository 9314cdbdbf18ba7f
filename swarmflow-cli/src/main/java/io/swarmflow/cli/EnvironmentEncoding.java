package io.swarmflow.cli;

import io.swarmflow.agent.AttemptControl;
import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import io.swarmflow.agent.Executor;
import io.swarmflow.engine.RunEngine;
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
 * What a JVM whose locale encoding ({@code sun.jnu.encoding}) is not UTF-8 would hand a ticket's process in other bytes
 * than the spec says, refused by {@code run}, {@code resume} and {@code validate} before anything is stored (exit 2),
 * and, for the text only known when an attempt starts (the outputs of the tickets it needs), by {@link #guard} when the
 * attempt starts (that attempt fails for good, saying why, with no retry, and the ticket's process is not started).
 *
 * <p>The JVM hands a child process its arguments and environment, and reads its own arguments and environment, in that
 * encoding; the ticket's script reaches bash in the environment ({@code SWARM_SCRIPT}). In the C or POSIX locale (a JVM
 * started as {@code java -jar}, not through {@code ./swarm}, which picks C.UTF-8 there) the encoding is ASCII: every
 * other character becomes {@code ?}, so {@code rm données.txt} runs as {@code rm donn?es.txt}, where {@code ?} is a
 * glob that can match another file; an argument {@code --var who=José} is read as {@code Jos��}, and
 * would be stored so. In another non-UTF-8 locale (ISO-8859-1) the text is handed on in that encoding's bytes, not the
 * UTF-8 ones of the spec (a file name, a secret the masking looks for by its UTF-8 bytes). So, in such a JVM, are refused:
 * <ul>
 *   <li>a value of swarm's environment a process-running ticket's {@code env:} reads ({@code ${{ env.NAME }}}, secrets)
 *       holding a character other than ASCII (named, never shown);</li>
 *   <li>a variable ({@code vars:}, {@code --var}) holding U+FFFD, what the JVM reads in place of each character of an
 *       argument it cannot decode;</li>
 *   <li>a process-running ticket's {@code run:} script or {@code env:} value holding a character other than ASCII, after
 *       its variables and matrix values are put in (a {@code noop} ticket is handed nothing).</li>
 * </ul>
 * An ASCII text is the same in every such encoding, and is not refused; nor is anything in a UTF-8 locale (there a byte
 * that is not UTF-8 is read as U+FFFD and handed on as its UTF-8 bytes, EF BF BD, which is what the masking looks for).
 * As {@link SwarmCli#asciiOnly} for a file name.
 */
final class EnvironmentEncoding {
    private EnvironmentEncoding() {
    }

    /**
     * The problems of {@code plan} in this JVM: one line per environment variable the {@code env:} of a ticket that runs a
     * process reads (its own or its profile's, both in its planned env; not a {@code noop} ticket's, which is handed
     * nothing) that holds a character other than ASCII, then one per variable holding U+FFFD, then one per ticket that
     * runs a process whose script or env holds a character other than ASCII; all only while {@code sun.jnu.encoding} is
     * not UTF-8.
     *
     * @param plan the plan to run (for a resume, the tickets still to run)
     * @return the problems, one line each (without the {@code swarm: } prefix); empty when there is none
     */
    static List<String> problems(Plan plan) {
        return problems(plan, System::getenv, jnu());
    }

    /** This JVM's {@code sun.jnu.encoding}; empty when it is not set. */
    private static String jnu() {
        return System.getProperty("sun.jnu.encoding", "");
    }

    /** The encoding named {@code jnu} when it is not UTF-8; null when it is, or is empty or unknown to this JVM. */
    private static Charset notUtf8(String jnu) {
        Charset cs = jnu.isEmpty() ? null : Charset.forName(jnu, null);
        return cs == null || cs.equals(StandardCharsets.UTF_8) ? null : cs;
    }

    /** Whether {@code cs} is ASCII, the encoding of the C or POSIX locale (it cannot encode a {@code ü}). */
    private static boolean ascii(Charset cs) {
        return !cs.newEncoder().canEncode('\u00fc');
    }

    /** {@code ANSI_X3.4-1968, LANG/LC_ALL=C} or {@code ISO-8859-1}: the locale named for the reader. */
    private static String locale(String jnu, Charset cs) {
        return jnu + (ascii(cs) ? ", LANG/LC_ALL=C" : "");
    }

    /** The fix, said the same everywhere. */
    private static String fix(Charset cs) {
        return "run swarm with LC_ALL=C.UTF-8" + (ascii(cs) ? " (./swarm does)" : "");
    }

    /**
     * {@link #problems(Plan)} for the given environment and encoding.
     *
     * @param plan        the plan
     * @param environment the value of a variable by its name, null when it is not set
     * @param jnu         the name of the encoding the JVM reads and hands on the environment in; empty or unknown to
     *                    this JVM when it cannot tell, which finds no problem
     * @return the problems, one line each (without the {@code swarm: } prefix), never naming a value of swarm's
     *         environment
     */
    static List<String> problems(Plan plan, Function<String, String> environment, String jnu) {
        Charset cs = notUtf8(jnu);
        if (cs == null) return List.of();
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
            problems.add("the environment variable " + name + " (${{ env." + name + " }} in the env: of ticket"
                    + (tickets.size() == 1 ? " '" + tickets.get(0) + "'" : "s '" + tickets.get(0) + "' and "
                    + (tickets.size() - 1) + " more") + ") "
                    + (mangled
                    ? "holds characters the JVM cannot read in this locale (" + locale(jnu, cs)
                            + "), so a ticket would be handed it mangled and print it unmasked"
                    : "holds characters other than ASCII, which the JVM hands a ticket in " + jnu + ", the encoding of "
                            + "this locale, while the masking of secrets looks for their UTF-8 bytes: a ticket would print "
                            + "it unmasked")
                    + "; " + fix(cs));
        }
        // a --var argument the JVM could not decode: its value is not what was typed, and would be stored so for good
        for (Map.Entry<String, String> v : new java.util.TreeMap<>(plan.vars()).entrySet()) {
            if (v.getValue().indexOf('\uFFFD') < 0) continue;
            problems.add("the variable '" + v.getKey() + "' holds U+FFFD, the character the JVM reads in place of each one "
                    + "of an argument (--var " + v.getKey() + "=...) it cannot decode in this locale (" + locale(jnu, cs)
                    + "): its value is not what was typed, and the run would store and use it so; " + fix(cs));
        }
        for (PlannedTicket t : plan.tickets()) {
            if (!Floor.runsProcess(plan, t)) continue;
            // the texts as the attempt renders them, with the variables and matrix values put in; the outputs of other
            // tickets are not known yet (guard checks them when the attempt starts), swarm's environment is checked above
            Function<String, String> rendered = text -> Templates.renderRunTime(text, plan.vars(), t.matrix(), expr -> "");
            Map<String, String> env = new java.util.HashMap<>();
            t.env().forEach((name, value) -> env.put(name, rendered.apply(value)));
            String problem = handedProblem(rendered.apply(t.run()), env, jnu, cs);
            if (problem != null) problems.add("ticket '" + t.id() + "' " + problem + "; " + fix(cs));
        }
        return problems;
    }

    /**
     * What of {@code script} and {@code env} holds a character other than ASCII, null when nothing does: the script's
     * first such line ({@code line 2 of its run: script}) and the env's names ({@code env: A, B}), never a value; and
     * whether {@code cs} cannot encode all of it (then the process would be handed {@code ?} in its place).
     */
    private record Handed(String where, boolean unencodable) {
        static Handed of(String script, Map<String, String> env, Charset cs) {
            List<String> where = new ArrayList<>();
            boolean unencodable = false;
            int at = firstNonAscii(script);
            if (at >= 0) {
                where.add("line " + (script.substring(0, at).chars().filter(c -> c == '\n').count() + 1) + " of its run: script");
                unencodable = !cs.newEncoder().canEncode(script);
            }
            List<String> names = new ArrayList<>();
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(env).entrySet()) {
                if (firstNonAscii(e.getValue()) < 0) continue;
                names.add(e.getKey());
                unencodable |= !cs.newEncoder().canEncode(e.getValue());
            }
            if (!names.isEmpty()) where.add("env: " + String.join(", ", names));
            return where.isEmpty() ? null : new Handed(String.join(", ", where), unencodable);
        }
    }

    /** {@link Handed} of a plan's ticket, said after the ticket ({@code ticket 'a' hands ...}), without the fix. */
    private static String handedProblem(String script, Map<String, String> env, String jnu, Charset cs) {
        Handed h = Handed.of(script, env, cs);
        if (h == null) return null;
        return "hands its process text with characters other than ASCII (" + h.where() + "), "
                + (h.unencodable()
                ? "which the JVM cannot encode in this locale (" + locale(jnu, cs) + "): the process would be handed '?' "
                        + "in their place and run a different command than written"
                : "which the JVM hands a process in " + jnu + ", the encoding of this locale, not in the UTF-8 of the "
                        + "spec: the process would run a different command than written");
    }

    private static int firstNonAscii(String text) {
        for (int i = 0; i < text.length(); i++) if (text.charAt(i) >= 0x80) return i;
        return -1;
    }

    /**
     * {@code executor}, whose attempts of tickets that run a process are refused (failed, nothing started) when their
     * script or env, as rendered when the attempt starts (with the outputs of the tickets it needs and swarm's
     * environment put in), holds a character other than ASCII while this JVM's {@code sun.jnu.encoding} is not UTF-8.
     * Everything else is {@code executor}'s.
     *
     * @param executor the executor that runs the attempts
     * @return the guarded executor; {@code executor} itself when this JVM's encoding is UTF-8 (or unknown)
     */
    static Executor guard(Executor executor) {
        return guard(executor, jnu());
    }

    /** {@link #guard(Executor)} for the given encoding name (as {@code sun.jnu.encoding}). */
    static Executor guard(Executor executor, String jnu) {
        Charset cs = notUtf8(jnu);
        return cs == null ? executor : new Guarded(executor, jnu, cs);
    }

    /**
     * The executor of {@link #guard}. Forwards every method of {@link Executor} (EnvironmentEncodingTest checks that
     * none is left to the interface's default) and {@link RunEngine.AfterRecovery#afterRecovery} when the executor it
     * wraps implements it (nothing otherwise), and refuses an attempt before {@code execute} is forwarded: a permanent
     * failure ({@link AttemptResult#failedForGood}), which the engine does not retry, since every attempt would be
     * refused the same way in this JVM.
     */
    static final class Guarded implements Executor, RunEngine.AfterRecovery {
        private final Executor executor;
        private final String jnu;
        private final Charset cs;

        Guarded(Executor executor, String jnu, Charset cs) {
            this.executor = executor;
            this.jnu = jnu;
            this.cs = cs;
        }

        @Override
        public AttemptResult execute(AttemptRequest request, AttemptControl control) throws InterruptedException {
            if (Floor.runsProcess(request.plan(), request.ticket())) {
                Handed h = Handed.of(request.script(), request.env(), cs);
                if (h != null) {
                    // the fix within the first 200 characters, where the progress view and status cut a reason
                    return AttemptResult.failedForGood(null, "not started: its text holds characters other than ASCII, which this "
                            + "JVM's locale (" + locale(jnu, cs) + ") would hand the process as other bytes; run the spec again "
                            + "with LC_ALL=C.UTF-8" + (ascii(cs) ? " (./swarm does)" : "")
                            + ". The text, with the outputs of the tickets it needs put in: "
                            + h.where() + (h.unencodable() ? " ('?' in place of each character: a different command than written)"
                            : " (in " + jnu + ", not UTF-8: a different command than written)"));
                }
            }
            return executor.execute(request, control);
        }

        @Override
        public void afterRecovery(String runId, Plan plan, java.nio.file.Path runDir) {
            if (executor instanceof RunEngine.AfterRecovery hook) hook.afterRecovery(runId, plan, runDir);
        }

        @Override
        public List<String> preflight(Plan plan) {
            return executor.preflight(plan);
        }

        @Override
        public List<String> notes(Plan plan) {
            return executor.notes(plan);
        }

        @Override
        public List<java.nio.file.Path> hiddenStateDirs(Plan plan) {
            return executor.hiddenStateDirs(plan);
        }

        @Override
        public void prepareRun(String runId, Plan plan, java.nio.file.Path runDir) {
            executor.prepareRun(runId, plan, runDir);
        }

        @Override
        public Cleaned cleanRun(String runId, Plan plan, java.nio.file.Path runDir, boolean deleteBranches) {
            return executor.cleanRun(runId, plan, runDir, deleteBranches);
        }

        @Override
        public List<String> unrecordedBranchWork(String runId, Plan plan, java.nio.file.Path runDir, Map<String, String> recorded) {
            return executor.unrecordedBranchWork(runId, plan, runDir, recorded);
        }

        @Override
        public List<String> branchesInUse(String runId, Plan plan, java.nio.file.Path runDir) {
            return executor.branchesInUse(runId, plan, runDir);
        }

        @Override
        public List<String> uncommittedWork(String runId, Plan plan, java.nio.file.Path runDir) {
            return executor.uncommittedWork(runId, plan, runDir);
        }

        @Override
        public boolean killOrphan(io.swarmflow.store.AttemptView attempt) {
            return executor.killOrphan(attempt);
        }

        @Override
        public boolean killOrphan(io.swarmflow.store.AttemptView attempt, java.nio.file.Path runDir) {
            return executor.killOrphan(attempt, runDir);
        }

        @Override
        public void close() {
            executor.close();
        }
    }
}
