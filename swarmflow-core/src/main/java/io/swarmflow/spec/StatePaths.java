package io.swarmflow.spec;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The one rule on a {@code PATH} and the state directories the sandbox hides from tickets: a ticket whose {@code PATH}
 * names a directory inside such a state directory is refused before its run is stored or launched, as hiding the
 * state directory takes those programs away and leaving it shown would let the ticket read other runs' state
 * ({@code swarm.db}, logs). The refusal names the entry with the values it read from swarm's environment masked. {@link SpecLoader} reports it where the spec sets the {@code PATH}; an executor's preflight
 * says it of a stored plan ({@code swarm resume}). The same scan of a {@code PATH} value ({@link #entryInside}) tells
 * swarmflow-cli's {@code Wiring} whether a state directory holds a directory of swarm's own {@code PATH}.
 */
public final class StatePaths {
    private StatePaths() {}

    /** The {@code PATH} inside the sandbox unless the ticket's {@code env:} (or its profile's, or defaults') sets one. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /**
     * An entry of a {@code PATH} value that lies in a directory.
     *
     * @param written the entry as the {@code PATH} value writes it
     * @param is      whether it is the directory itself (not a directory below it)
     */
    public record Entry(String written, boolean is) {}

    /**
     * A ticket whose {@code PATH} names a directory inside a state directory the sandbox hides from it.
     *
     * @param ticket      the planned ticket's id
     * @param entry       the {@code PATH} entry as shown: rendered, each {@code env} value in it as {@code ***}, each
     *                    reference not known yet as written ({@link #hits})
     * @param stateDir    the state directory, as the executor named it
     * @param defaultPath whether the {@code PATH} is {@link #DEFAULT_PATH} (the spec sets none)
     * @param onlyForDots whether the entry is refused only for a {@code ..} after {@code ${{ run.id }}}: written without
     *                    it, the entry would lie in the run's scratch or the ticket's own worktree, which the sandbox
     *                    shows the ticket
     */
    public record Hit(String ticket, String entry, Path stateDir, boolean defaultPath, boolean onlyForDots) {
        /** What the hit is and how to fix it, for a stored plan (no position): one line. */
        public String describe() {
            return "ticket " + ticket + ": " + what() + "; " + fix();
        }

        /** The refusal without the ticket: {@code its PATH names E, inside the state directory S, ...}. */
        String what() {
            if (onlyForDots) {
                return "its PATH names " + entry + ", with a '..' after ${{ run.id }}, so it is taken to be inside the state "
                        + "directory " + stateDir + ", which the sandbox hides from the ticket, not in the run's scratch or the "
                        + "ticket's own worktree, which the sandbox shows it";
            }
            return (defaultPath ? "the sandbox's default PATH (" + DEFAULT_PATH + ")" : "its PATH") + " names " + entry
                    + ", inside the state directory " + stateDir + ", which the sandbox hides from the ticket (leaving it "
                    + "shown would let the ticket read that state's swarm.db and logs)";
        }

        /** How to fix it. */
        String fix() {
            if (onlyForDots) {
                return "write it without '..' after ${{ run.id }} (" + stateDir + "/runs/${{ run.id }}/scratch/bin): an "
                        + "entry with one is not taken for the scratch or the own worktree";
            }
            return "put the ticket's programs outside every state directory and set PATH to there, or, when " + stateDir
                    + " is no longer needed, delete it or remove it from your list of state directories "
                    + "($XDG_STATE_HOME/swarmflow/state-dirs, by default ~/.local/state/swarmflow/state-dirs)";
        }
    }

    /**
     * The tickets of {@code plan} that would run in a sandbox hiding {@code stateDirs} (a {@code shell} profile whose
     * {@code sandbox:} is not {@code off}) and whose {@code PATH} names a directory inside one of them: the ticket's
     * {@code env} {@code PATH} with its {@code vars}, {@code matrix} and {@code env} references filled in, else
     * {@link #DEFAULT_PATH}. An entry that depends on what is not known yet (another ticket's outputs, the run's id) is
     * checked by its directory part before the first such reference: {@code /S/runs/${{ run.id }}/bin} lies in {@code /S}
     * whatever the run's id is (an entry with no absolute directory part there is left out). Relative entries are left
     * out: they are found from the ticket's workspace, which the sandbox shows. So is an entry whose known part lies in
     * what the sandbox shows again inside the hidden state directory the run's directory is in ({@code runsIn}, the
     * first of {@code stateDirs}, as {@code Executor.hiddenStateDirs} lists them): the run's scratch directory
     * ({@code RUNSIN/runs/${{ run.id }}/scratch}, writable to every ticket) and the ticket's own worktree
     * ({@code RUNSIN/runs/${{ run.id }}/worktrees/ID}, a {@code workspace: worktree} ticket's), each directory or below
     * it, written with no {@code ..} after the run's id (one with it, even after a later reference, is checked as any
     * other partly known entry: {@code RUNSIN/runs/${{ run.id }}/../run/scratch} lies in {@code RUNSIN/runs}; its hit
     * says so when only that {@code ..} keeps the entry out of the scratch or the own worktree, {@link Hit#onlyForDots});
     * another ticket's worktree, the run's logs and the run's directory itself stay hidden, and are refused.
     *
     * <p>A hit's {@link Hit#entry} is shown, not kept secret: each part of it an {@code env} reference filled in is
     * {@value #MASK} (the values read with <code>${{ env.NAME }}</code> are the run's secrets, masked wherever the run
     * shows them), and each part not known yet is the reference as written.
     *
     * @param stateDirs absolute state directories, as the executor hides them; the first is the one the run's
     *                  directory is in ({@code runs/RUN})
     * @return the hits in plan order, one per ticket and state directory (the first entry found)
     */
    public static List<Hit> hits(Plan plan, Collection<Path> stateDirs) {
        return hits(plan, stateDirs, System::getenv);
    }

    /** {@link #hits(Plan, Collection)} with {@code env} (a name to its value, or null) as swarm's environment. */
    static List<Hit> hits(Plan plan, Collection<Path> stateDirs, UnaryOperator<String> env) {
        List<Hit> hits = new ArrayList<>();
        if (stateDirs.isEmpty()) return hits;
        List<Path[]> dirs = new ArrayList<>();
        for (Path d : stateDirs) dirs.add(new Path[] {d, d.toAbsolutePath().normalize(), realPath(d)});
        Path[] runsIn = dirs.getFirst();
        for (PlannedTicket t : plan.tickets()) {
            AgentProfile profile = plan.profileOf(t);
            if (!"shell".equals(profile.kind()) || profile.sandbox() == SandboxPolicy.OFF) continue;
            String written = t.env().get("PATH");
            boolean[] odd = {false};
            // each filled-in env value between SECRET and END, each expression not known yet between LATER and END, so
            // that an entry can be compared as rendered and shown with those parts masked or as written
            String marked = written == null ? DEFAULT_PATH : Templates.renderRunTime(written, plan.vars(), t.matrix(), expr -> {
                if (!expr.startsWith("env.")) return LATER + expr + END;
                String value = env.apply(expr.substring("env.".length()));
                if (value == null || value.isEmpty()) return value;
                if (value.indexOf(SECRET) >= 0 || value.indexOf(LATER) >= 0 || value.indexOf(END) >= 0) odd[0] = true;
                return SECRET + value + END;
            });
            for (Path[] d : dirs) {
                for (String entry : entries(marked)) {
                    String compared = compared(entry);
                    // an env value holding the marks (odd) cannot be told from a reference: no entry is then taken for the scratch
                    Shown shown = !odd[0] && compared.indexOf(UNKNOWN) >= 0 ? shownInRunDirectory(entry, t, runsIn) : Shown.NO;
                    if (shown == Shown.YES) continue;
                    if (compared.indexOf(UNKNOWN) >= 0) compared = knownDirectory(compared);
                    if (compared.isEmpty() || entryInside(compared, d[1], d[2], StatePaths::realPath, false) == null) continue;
                    hits.add(new Hit(t.id(), odd[0] ? MASK : shown(entry), d[0], written == null,
                            shown == Shown.BUT_FOR_DOTS));
                    break;
                }
            }
        }
        return hits;
    }

    /** What an expression not known before the run stands for in a rendered {@code PATH}: no path holds it. */
    private static final String UNKNOWN = "\0";

    /** What replaces a secret in a hit's entry, as everywhere a secret is masked. */
    static final String MASK = io.swarmflow.files.mask.Masking.MASK;
    /** Marks, in a rendered {@code PATH}, the start of an env value, the start of an expression not known yet, the end of either. */
    private static final char SECRET = '\u0001', LATER = '\u0002', END = '\u0003';

    /**
     * The entries of {@code marked} (a rendered {@code PATH}, marked), split at each {@code :}, each one closed and
     * opened again where a value or an expression holds a {@code :}: an entry begun inside an env value starts with
     * {@link #SECRET}, so that every piece of the value is masked, the middle ones of a value holding two {@code :} too.
     */
    private static List<String> entries(String marked) {
        List<String> entries = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        char open = 0;
        for (int i = 0; i < marked.length(); i++) {
            char c = marked.charAt(i);
            if (c == ':') {
                if (open != 0) b.append(END);
                entries.add(b.toString());
                b.setLength(0);
                if (open != 0) b.append(open);
                continue;
            }
            if (c == SECRET || c == LATER) open = c;
            else if (c == END) open = 0;
            b.append(c);
        }
        entries.add(b.toString());
        return entries;
    }

    /** {@code entry} (marked) as rendered: env values as they are, each expression not known yet as {@link #UNKNOWN}. */
    private static String compared(String entry) {
        StringBuilder b = new StringBuilder(entry.length());
        boolean later = false;
        for (int i = 0; i < entry.length(); i++) {
            char c = entry.charAt(i);
            if (c == SECRET) later = false;
            else if (c == LATER) {
                later = true;
                b.append(UNKNOWN);
            } else if (c == END) later = false;
            else if (!later) b.append(c);
        }
        return b.toString();
    }

    /**
     * {@code entry} (marked, one of {@link #entries}) as shown: each env value (or the piece of one in this entry, a
     * value holding a {@code :}) as {@link #MASK}, each expression not known yet as its reference.
     */
    private static String shown(String entry) {
        StringBuilder b = new StringBuilder(entry.length());
        int open = 0;
        for (int i = 0; i < entry.length(); i++) {
            char c = entry.charAt(i);
            if (c == SECRET) {
                open = SECRET;
                b.append(MASK);
            } else if (c == LATER) {
                open = LATER;
                b.append("${{ ");
            } else if (c == END) {
                if (open == LATER) b.append(" }}");
                open = 0;
            } else if (open != SECRET) b.append(c);
        }
        if (open == LATER) b.append(" }}");
        return b.toString();
    }

    /** Whether an entry lies in what the sandbox shows the ticket again inside the hidden state directory. */
    private enum Shown {
        /** It does not, or cannot be told to (the run's id is not a whole name, a {@code ..} leaves the run's directory). */
        NO,
        /** It does: the run's scratch, or the ticket's own worktree. */
        YES,
        /** Its known part would, but it has a {@code ..} after {@code ${{ run.id }}}, which is refused anyway. */
        BUT_FOR_DOTS
    }

    /**
     * Whether {@code entry} (marked, one of {@link #entries}) is {@code RUNSIN/runs/${{ run.id }}/REST}, {@code RUNSIN}
     * being {@code runsIn} (as given, normalized, and real) and the known part of {@code REST} (up to its directory part
     * before a later expression not known yet) lying, normalized, in {@code scratch} or, for a {@code workspace: worktree}
     * ticket, in {@code worktrees/ID} of ticket {@code t}: the directories of the run the sandbox shows the ticket again
     * on top of the hidden state directory: {@link Shown#YES} when no name of {@code REST}, the text after a later
     * expression too, {@link #climbs}; when one does, {@link Shown#BUT_FOR_DOTS} if every such {@code ..} is in the
     * known part of {@code REST} (before any later expression), none of them leaves the run's directory, and the known
     * part lies, normalized, in {@code scratch} or the own worktree ({@code scratch/tools/../bin}); {@link Shown#NO}
     * otherwise ({@code scratch/../logs}, {@code ../run/scratch}, {@code scratch/${{ tickets.o.outputs.d }}/../../logs}).
     */
    private static Shown shownInRunDirectory(String entry, PlannedTicket t, Path[] runsIn) {
        int open = entry.indexOf(LATER);
        int close = open < 0 ? -1 : entry.indexOf(END, open);
        if (close < 0 || !entry.substring(open + 1, close).equals("run.id")) return Shown.NO;
        String before = compared(entry.substring(0, open));
        if (!before.endsWith("/")) return Shown.NO; // ${{ run.id }} must be a whole name: runs/x${{ run.id }} is another one
        String rest = compared(entry.substring(close + 1));
        boolean climbing = climbs(rest);
        if (rest.indexOf(UNKNOWN) >= 0) {
            String known = rest.substring(0, rest.lastIndexOf('/', rest.indexOf(UNKNOWN)) + 1);
            // a '..' in the text after a later reference is never bounded (scratch/${{ tickets.o.outputs.d }}/../../logs)
            if (climbing && climbs(rest.substring(known.length()))) return Shown.NO;
            rest = known;
        }
        if (!rest.isEmpty() && !rest.startsWith("/")) return Shown.NO;
        // a '..' that leaves the run's directory names another run's (../run/scratch) or the runs' directory: normalizing
        // against a stand-in for the run's directory would stop it at the stand-in's root (/run/../../run/scratch)
        int depth = 0;
        for (String name : rest.split("/")) {
            if (name.equals("..") && --depth < 0) return Shown.NO;
            if (!name.isEmpty() && !name.equals(".") && !name.equals("..")) depth++;
        }
        try {
            Path runs = Path.of(before).normalize();
            if (!runs.isAbsolute()) return Shown.NO;
            if (!runs.equals(runsIn[1].resolve("runs")) && !runs.equals(runsIn[2].resolve("runs"))
                    && !realPath(runs).equals(runsIn[2].resolve("runs"))) return Shown.NO;
            // the run's id is one name: its directory stands in for it while REST's '..' are resolved
            Path run = Path.of("/run");
            Path known = Path.of("/run" + rest).normalize();
            boolean shown = known.startsWith(run.resolve("scratch"))
                    || t.workspace() == WorkspaceMode.WORKTREE && known.startsWith(run.resolve("worktrees").resolve(t.id()));
            // with a '..' after the run's id the entry is refused all the same, only the reason differs
            return !shown ? Shown.NO : climbing ? Shown.BUT_FOR_DOTS : Shown.YES;
        } catch (InvalidPathException notAPath) {
            return Shown.NO;
        }
    }

    /**
     * Whether {@code rest} (compared: each expression not known yet as {@link #UNKNOWN}) has a name that is {@code ..}
     * with every expression not known yet empty: {@code ..} as written, or dots written around such expressions
     * ({@code ${{ x }}..}, {@code .${{ x }}.}), wherever it is, before or after an expression. A value that itself holds
     * {@code ..} or {@code /} is not looked at: no value is known before the run ({@link #hits}).
     */
    private static boolean climbs(String rest) {
        for (String name : rest.split("/", -1)) {
            if (name.replace(UNKNOWN, "").equals("..")) return true;
        }
        return false;
    }

    /**
     * The directory part of {@code entry} before its first {@link #UNKNOWN}: every value of what is not known yet puts
     * the entry in it ({@code /S/runs/\0/bin} in {@code /S/runs}); empty when that part is not an absolute directory.
     */
    private static String knownDirectory(String entry) {
        int slash = entry.lastIndexOf('/', entry.indexOf(UNKNOWN));
        return slash <= 0 ? "" : entry.substring(0, slash);
    }

    /**
     * The first entry of {@code path} (a {@code PATH} value, entries separated by {@code :}) that is or lies in the
     * directory {@code given} (absolute, normalized) or its real path {@code real}, each entry compared as written
     * (normalized) and as its real path ({@code realPath}); null when none does. Empty entries, and those no path can
     * be, are skipped.
     *
     * @param relativeFromCwd whether a relative entry is taken against the working directory (swarm's own {@code PATH});
     *                        else it is skipped (a ticket's, found from its workspace)
     */
    public static Entry entryInside(String path, Path given, Path real, UnaryOperator<Path> realPath, boolean relativeFromCwd) {
        if (path == null) return null;
        for (String entry : path.split(":")) {
            if (entry.isEmpty() || entry.indexOf('\0') >= 0) continue;
            Path written;
            try {
                written = Path.of(entry);
            } catch (InvalidPathException notAPath) {
                continue;
            }
            if (!written.isAbsolute() && !relativeFromCwd) continue;
            written = written.toAbsolutePath().normalize();
            Path resolved = realPath.apply(written);
            if (!written.startsWith(given) && !written.startsWith(real) && !resolved.startsWith(real)) continue;
            return new Entry(entry, written.equals(given) || written.equals(real) || resolved.equals(real));
        }
        return null;
    }

    /**
     * The real path of {@code p} (absolute), every link resolved; for one that does not exist, its nearest existing
     * ancestor's real path with the rest of {@code p}; {@code p} (absolute, normalized) when that cannot be read.
     */
    public static Path realPath(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        for (Path existing = abs; existing != null; existing = existing.getParent()) {
            try {
                if (Files.exists(existing)) return existing.toRealPath().resolve(existing.relativize(abs));
            } catch (java.io.IOException | SecurityException e) {
                return abs;
            }
        }
        return abs;
    }
}
