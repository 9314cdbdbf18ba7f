package io.swarmflow.cli;

import io.swarmflow.engine.InvalidRequestException;
import io.swarmflow.engine.PreflightException;
import io.swarmflow.spec.SpecError;
import io.swarmflow.spec.SpecException;
import io.swarmflow.store.StoreException;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code swarm} command. Commands only parse and present; the work is in
 * {@link io.swarmflow.engine.RunService}. Exit codes: see {@link ExitCodes}.
 */
@Command(name = "swarm", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = SwarmCli.Version.class,
        description = "Runs a swarm of agents on a dependency graph of tickets: durably, in parallel, sandboxed.",
        subcommands = {
                RunCommands.Run.class, RunCommands.Resume.class, QueryCommands.Status.class, QueryCommands.Logs.class,
                ValidateCommand.class, ControlCommands.Approve.class, ControlCommands.Reject.class,
                ControlCommands.Cancel.class, ControlCommands.Clean.class, QueryCommands.Runs.class, QueryCommands.Report.class, SwarmCli.VersionCommand.class,
                SwarmCli.CompletionCommand.class, SwarmCli.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:every ticket succeeded (or the command was applied)",
                "1:the run finished and a ticket failed; `swarm clean`: something could not be removed",
                "2:invalid input (spec, flags, run or ticket id, corrupt state); nothing was changed",
                "3:internal error (a bug)",
                "4:the state, or the file output goes to, could not be read or written (disk full, permissions, I/O, lost database); a run stops, resumable (a run that ended but whose report could not be written: `swarm report RUN` writes it); `run` and `resume` whose output file fails say so at the end and keep the run's code; `approve`, `reject`, `cancel`, `clean` and `report` whose output file fails say what took effect",
                "129:the terminal its output goes to went away (closed) before all was written; the command stops quietly",
                "130:interrupted or cancelled; `swarm resume RUN` continues",
                "141:the reader of its output went away (`| head`); the command stops quietly; for `approve`, `reject`, `cancel`, `clean` and `report` the action had already taken effect"},
        footer = {"", "State lives in .swarm/ under the working directory (or --state-dir, or SWARM_STATE_DIR).",
                "Docs: README.md and docs/ in the Swarmflow repository."})
public final class SwarmCli implements Runnable {
    /** The help of a RUN argument: every command that takes one resolves a start of a run id. */
    static final String RUN_HELP = "The run id (see `swarm runs`), or its start while no other run's id starts the same way.";
    /** The help of a SPEC argument ({@link SpecInput}). */
    static final String SPEC_HELP = "The swarm spec (YAML); - reads it from standard input.";
    /** The help of a single TICKET argument. */
    static final String TICKET_HELP = "A ticket id of the run (see `swarm status RUN`).";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command, such as `swarm run SPEC`; the commands are "
                + String.join(", ", spec.subcommands().keySet()));
    }

    public static void main(String[] args) {
        Wiring.jnaOwnerOnly(); // before anything loads JNA's native library
        Stdout stdout = Stdout.open();
        int code = execute(args, stdout.printStream(), System.err);
        System.exit(stdout.judge(code, System.err));
    }

    /** Runs the command line and returns the exit code (for tests and {@link #main}). */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        Streams.set(out, err);
        try {
            return commandLine(out, err).execute(args);
        } finally {
            Streams.clear();
        }
    }

    private static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new SwarmCli());
        ownExitCodes(cl);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionStrategy(parseResult -> {
            rejectUnmatched(parseResult);
            CommandLine helpOf = helpBeforeCommand(parseResult);
            int code;
            if (helpOf != null) {
                helpOf.usage(helpOf.getOut());
                code = ExitCodes.OK;
            } else {
                code = new CommandLine.RunLast().execute(parseResult);
            }
            return code == ExitCodes.OK && outputCut(parseResult, out) ? ExitCodes.OUTPUT_CLOSED : code;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> handle(ex, err, commandLine.getCommandName()));
        cl.setParameterExceptionHandler((ex, a) -> {
            String message = ex.getMessage().replace("option option '", "option '"); // picocli's wording for map options
            if (ex instanceof CommandLine.UnmatchedArgumentException u) message = unmatched(u, a, message);
            message = notANumber(ex, message);
            message = varWithoutEquals(ex, message);
            if (ex instanceof CommandLine.MissingParameterException m) message = missing(m, message);
            message = lowercaseFirst(message);
            // picocli quotes the arguments given, which may hold terminal escapes
            err.println("swarm: " + SpecError.printable(message));
            // picocli's "Possible solutions: --json" for -j would contradict the hint that says where concurrency is set
            if (!message.startsWith("unknown command '") && !message.contains(CONCURRENCY_HINT)) {
                CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            }
            // picocli keeps only the message of the conversion's InvalidPathException
            if (String.valueOf(ex.getMessage()).contains("InvalidPathException") && !asciiOnly().isEmpty()) err.println(asciiOnly());
            err.println("See `" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help`.");
            return ExitCodes.INVALID_INPUT;
        });
        return cl;
    }

    /**
     * Whether the output of a command that printed it all and ended well could not be written (its reader went away:
     * {@code swarm status --json | head -c 10}): it then exits {@link ExitCodes#OUTPUT_CLOSED}, as a shell's commands end
     * on SIGPIPE, quietly, where 0 said that everything was printed. Not for run and resume, whose code tells how the run
     * ended ({@code swarm logs} stops at once itself).
     */
    private static boolean outputCut(CommandLine.ParseResult parseResult, PrintStream out) {
        CommandLine.ParseResult last = parseResult;
        while (last.hasSubcommand()) last = last.subcommand();
        String command = last.commandSpec().name();
        return !command.equals("run") && !command.equals("resume") && out.checkError(); // checkError flushes first
    }

    /**
     * Gives each command's help only the exit codes of its own (its {@code exitCodeList}: {@code swarm logs}'s 4) and
     * where the others are: each command inherited swarm's whole table and footer (scope INHERIT, for -h and -V), so
     * every help ended with the same 16 lines.
     */
    private static void ownExitCodes(CommandLine root) {
        CommandLine.Model.UsageMessageSpec top = root.getCommandSpec().usageMessage();
        for (CommandLine sub : root.getSubcommands().values()) {
            CommandLine.Model.UsageMessageSpec u = sub.getCommandSpec().usageMessage();
            if (u.exitCodeList().equals(top.exitCodeList())) { // inherited: none of its own
                u.exitCodeListHeading("").exitCodeList(java.util.Map.of()).footer("", "Exit codes: `swarm --help` lists them.");
            } else {
                u.exitCodeListHeading("%nExit codes of its own (`swarm --help` lists them all):%n").footer(new String[0]);
            }
        }
    }

    /**
     * {@code message} starting lowercase, as swarm's own errors do, when it starts with a capitalized word (picocli's
     * "Unknown option: '--x'", "Invalid value for option ..."); else as it is (an option name, an acronym such as "SPEC").
     */
    static String lowercaseFirst(String message) {
        if (message.length() < 2 || !Character.isUpperCase(message.charAt(0)) || !Character.isLowerCase(message.charAt(1))) {
            return message;
        }
        return Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

    /**
     * The message for arguments matched to nothing, in place of picocli's "Unmatched argument at index 2: 'x'": options of
     * a command given before it ({@code swarm --state-dir DIR status}) with the command line that works, a command that does
     * not exist, an argument too many with the arguments the command takes, or an option other tools have (-j) or another
     * command takes (resume --var) with where it goes; else picocli's {@code message}.
     */
    static String unmatched(CommandLine.UnmatchedArgumentException u, String[] args, String message) {
        CommandLine.Model.CommandSpec cmd = u.getCommandLine().getCommandSpec();
        if (cmd.parent() == null && args.length > 1 && args[0].startsWith("-")) {
            for (int i = 1; i < args.length; i++) {
                CommandLine sub = cmd.subcommands().get(args[i]);
                if (sub != null && Arrays.stream(args, 0, i).filter(o -> o.startsWith("-"))
                        .allMatch(o -> sub.getCommandSpec().findOption(o.split("=", 2)[0]) != null)) {
                    List<String> fixed = new ArrayList<>(List.of("swarm", args[i]));
                    fixed.addAll(Arrays.asList(args).subList(0, i));
                    fixed.addAll(Arrays.asList(args).subList(i + 1, args.length));
                    return "options go after the command: " + String.join(" ", fixed);
                }
            }
        }
        if (u.isUnknownOption() && !u.getUnmatched().isEmpty() && CONCURRENCY_FLAGS.contains(optionName(u.getUnmatched().getFirst()))
                && cmd.subcommands().isEmpty()) {
            // the flag other tools have (make -j, xargs -P): here the spec sets it
            return message + CONCURRENCY_HINT + " (top level, for the run; under an agent profile, for its tickets), see docs/spec.md";
        }
        if (u.isUnknownOption() && !u.getUnmatched().isEmpty() && "--var".equals(optionName(u.getUnmatched().getFirst()))
                && "resume".equals(cmd.name())) {
            // changing a variable is the natural next step after a failed run: resume cannot, a new run can
            return message + "; a resumed run keeps the variables it was created with: `swarm run SPEC --var KEY=VALUE` starts "
                    + "a new run with other values";
        }
        if (u.isUnknownOption() || u.getUnmatched().isEmpty()) return message;
        String first = u.getUnmatched().getFirst();
        if (cmd.parent() == null && !cmd.subcommands().isEmpty()) {
            // picocli's own suggestions ("swarm status or swarm validate or swarm generate-completion" for 'statu') are
            // not printed: the nearest command, else the list of them
            String nearest = nearestCommand(first, cmd.subcommands().keySet());
            return "unknown command '" + first + "'; " + (nearest != null ? "did you mean `swarm " + nearest + "`?"
                    : "the commands are " + String.join(", ", cmd.subcommands().keySet()));
        }
        List<String> takes = new ArrayList<>();
        for (CommandLine.Model.PositionalParamSpec p : cmd.positionalParameters()) {
            String label = p.paramLabel() + (p.arity().max() > 1 ? "..." : "");
            takes.add(p.arity().min() == 0 ? "[" + label + "]" : label);
        }
        return "unexpected argument '" + first + "': `" + cmd.qualifiedName() + "` takes "
                + (takes.isEmpty() ? "no arguments, only options" : String.join(" ", takes));
    }

    /**
     * The command of {@code commands} that {@code typed} most likely meant, or null: the nearest by edit distance
     * ({@link io.swarmflow.spec.Names#nearest}), else the one whose name holds the word typed when it has 4 characters or
     * more ({@code completion}, as gh and kubectl name it, for {@code generate-completion}).
     */
    static String nearestCommand(String typed, java.util.Collection<String> commands) {
        String nearest = io.swarmflow.spec.Names.nearest(typed, commands);
        if (nearest == null && typed.length() >= 4) {
            nearest = commands.stream().filter(c -> c.contains(typed)).findFirst().orElse(null);
        }
        return nearest;
    }

    /**
     * picocli's "Missing required parameter: 'TICKET'" or "Missing required option: '--reason=TEXT'" with the command line
     * that has it: {@code missing TICKET: `swarm logs RUN TICKET`}, {@code missing --state-dir DIR: `swarm status [RUN]
     * [TICKET] --state-dir DIR`} for an option given without its value; every required argument and option not given
     * is named, in the order of that line ({@code missing RUN, TICKET and --reason TEXT}); else {@code message}.
     */
    static String missing(CommandLine.MissingParameterException m, String message) {
        if (m.getMissing() == null || m.getMissing().isEmpty()) return message;
        CommandLine.Model.CommandSpec cmd = m.getCommandLine().getCommandSpec();
        List<String> line = new ArrayList<>(List.of(cmd.qualifiedName()));
        for (CommandLine.Model.PositionalParamSpec p : cmd.positionalParameters()) {
            String label = p.paramLabel() + (p.arity().max() > 1 ? "..." : "");
            line.add(p.arity().min() == 0 ? "[" + label + "]" : label);
        }
        // with the required options, one given without its value (swarm status --state-dir), which is not required
        for (CommandLine.Model.OptionSpec o : cmd.options()) {
            if (o.required() || m.getMissing().contains(o)) line.add(o.longestName() + " " + o.paramLabel());
        }
        // picocli names the first positional missing (swarm logs lacks TICKET too), and none when what stopped it is an
        // option without its value (swarm reject R --state-dir lacks TICKET): every required one not given is missing
        List<CommandLine.Model.ArgSpec> missing = new ArrayList<>(m.getMissing());
        for (CommandLine.Model.PositionalParamSpec p : cmd.positionalParameters()) {
            if (p.arity().min() > 0 && p.originalStringValues().isEmpty() && !missing.contains(p)) missing.add(p);
        }
        // and it names a required option only once the positionals are there: `swarm reject` lacks --reason too
        for (CommandLine.Model.OptionSpec o : cmd.options()) {
            if (o.required() && o.originalStringValues().isEmpty() && !missing.contains(o)) missing.add(o);
        }
        // named in the order of the command line shown: the positionals, then the options
        List<CommandLine.Model.ArgSpec> order = new ArrayList<>(cmd.positionalParameters());
        order.addAll(cmd.options());
        missing.sort(java.util.Comparator.comparingInt(order::indexOf));
        List<String> names = missing.stream().map(a -> a instanceof CommandLine.Model.OptionSpec o
                ? o.longestName() + " " + o.paramLabel() : a.paramLabel()).toList();
        String named = names.size() == 1 ? names.getFirst()
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast();
        return "missing " + named + ": `" + String.join(" ", line) + "`";
    }

    /**
     * picocli's "Invalid value for option '--grace': '2s' is not an int" in words: {@code --grace takes a whole number of
     * seconds, not '2s'} (the spec writes durations with a unit, which these options do not take); else {@code message}.
     */
    static String notANumber(CommandLine.ParameterException ex, String message) {
        String tail = "' is not an int";
        int value = message.indexOf("': '");
        if (!(ex.getArgSpec() instanceof CommandLine.Model.OptionSpec o) || !message.endsWith(tail) || value < 0) return message;
        String given = message.substring(value + 4, message.length() - tail.length());
        return o.longestName() + " takes a whole number" + ("SECONDS".equals(o.paramLabel()) ? " of seconds, such as 5" : "")
                + ", not '" + given + "'";
    }

    /**
     * picocli's "Value for option '--var' (KEY=VALUE) should be in KEY=VALUE format but was who" for a {@code --var}
     * without '=', in the words {@code --var =x} gets: what is wrong and the command line that works.
     */
    static String varWithoutEquals(CommandLine.ParameterException ex, String message) {
        if (!(ex.getArgSpec() instanceof CommandLine.Model.OptionSpec o) || !"--var".equals(o.longestName())
                || !message.contains("should be in KEY=VALUE format")) return message;
        String given = ex.getValue() == null ? "" : ex.getValue();
        return "--var '" + given + "' has no '=' between the variable's name and its value; write --var "
                + (given.isEmpty() ? "NAME" : given) + "=VALUE";
    }

    /** The option's name in {@code arg}: without {@code =VALUE}, and a short option without its attached value ({@code -j8}). */
    private static String optionName(String arg) {
        String name = arg.split("=", 2)[0];
        return !name.startsWith("--") && name.length() > 2 ? name.substring(0, 2) : name;
    }

    /** Options other tools use for their parallelism, which swarm takes from the spec instead. */
    /** The start of the hint for one of {@link #CONCURRENCY_FLAGS}, after which picocli's own suggestions are not printed. */
    private static final String CONCURRENCY_HINT = "; the number of attempts at once is the spec's `concurrency: N`";

    private static final java.util.Set<String> CONCURRENCY_FLAGS = java.util.Set.of("--concurrency", "-j", "--jobs", "--parallel", "-P");

    /**
     * Refuses arguments picocli matched to nothing. It refuses them itself, except when help was asked for
     * ({@code swarm help status --bogus}, {@code swarm status --bogus --help}): then it printed the help and exited 0,
     * so a typo went unnoticed in a script.
     */
    private static void rejectUnmatched(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (!pr.unmatched().isEmpty()) throw new CommandLine.UnmatchedArgumentException(pr.commandSpec().commandLine(), pr.unmatched());
        }
    }

    /**
     * The command whose help {@code swarm --help status} asks for: the last command on the line when a command before it
     * asked for help; else null. picocli printed the help of the command that had the option (swarm's own), so the help
     * of {@code status} was not where a user who typed it first would look.
     */
    private static CommandLine helpBeforeCommand(CommandLine.ParseResult parseResult) {
        boolean asked = false;
        CommandLine.ParseResult pr = parseResult;
        for (; pr.hasSubcommand(); pr = pr.subcommand()) asked |= pr.isUsageHelpRequested();
        return asked ? pr.commandSpec().commandLine() : null;
    }

    /**
     * Why a path with non-ASCII characters could not be named, or nothing: a JVM started in the C or POSIX locale
     * (not through {@code ./swarm}, which picks C.UTF-8 there) takes file names and arguments as ASCII, so
     * {@code /tmp/grüße} arrives as {@code /tmp/gr??e}.
     */
    static String asciiOnly() {
        String jnu = System.getProperty("sun.jnu.encoding", "");
        java.nio.charset.Charset cs = jnu.isEmpty() ? null : java.nio.charset.Charset.forName(jnu, null);
        if (cs == null || cs.newEncoder().canEncode('\u00fc')) return "";
        return "swarm: this JVM reads file names and arguments as " + jnu + " (the C or POSIX locale), so a non-ASCII "
                + "name is lost; run it with LC_ALL=C.UTF-8 (./swarm does that itself)";
    }

    /** Prints {@code ex} for the user and returns the exit code; {@code command} is the subcommand that threw it. */
    static int handle(Exception ex, PrintStream err, String command) {
        switch (ex) {
            case SpecException se -> {
                for (SpecError e : se.errors()) err.println(e.format());
                err.println("swarm: the spec has " + ValidateCommand.count(se.total(), "error")
                        + (command.equals("validate") ? "" : "; nothing was run"));
                return ExitCodes.INVALID_INPUT;
            }
            case PreflightException pe -> {
                // a problem names what the spec chose (a PATH entry, a path): shown escaped, as spec errors are
                for (String p : pe.problems()) err.println("swarm: " + SpecError.printable(p));
                err.println("swarm: the plan cannot run here" + (command.equals("validate") ? "" : "; nothing was run"));
                return ExitCodes.INVALID_INPUT;
            }
            case InvalidRequestException ie -> {
                // each line escaped on its own: the breaks between the lines stay, any within a line (a quoted argument) do not
                err.println("swarm: " + String.join("\n", ie.lines().stream().map(SpecError::printable).toList()));
                return ExitCodes.INVALID_INPUT;
            }
            case StoreException.Corrupt c -> {
                err.println("swarm: " + SpecError.printable(c.getMessage()));
                return ExitCodes.INVALID_INPUT;
            }
            case StoreException.UnknownRun u -> {
                err.println("swarm: " + SpecError.printable(u.getMessage()));
                return ExitCodes.INVALID_INPUT;
            }
            case StoreException.RunLocked l -> {
                err.println("swarm: " + SpecError.printable(l.getMessage()));
                return ExitCodes.INVALID_INPUT;
            }
            case StoreException.Unavailable u -> {
                err.println("swarm: " + SpecError.printable(u.getMessage()));
                // a directory where a report file goes: the line above names it and the fix, and no generic cause applies
                if (!(u.getCause() instanceof io.swarmflow.cli.report.RunReport.DirectoryInTheWay)) {
                    err.println("swarm: the state could not be read or written; fix the cause (free disk space, permissions, "
                            + "the database server) and run the command again");
                }
                return ExitCodes.STORE_UNAVAILABLE;
            }
            case RunCommands.NotExecutedByStore n -> {
                err.println("swarm: " + SpecError.printable(n.getMessage()));
                String cause = "once the cause is fixed (a lock another process holds, free disk space, permissions, the database server), ";
                if (command.equals("run")) { // not "run the command again": a second `swarm run` starts a second run
                    err.println("swarm: run " + n.runId + " was created but not started: the state could not be read or written; "
                            + "it stays as it is, and `swarm run` again would start another run");
                    err.println("swarm: " + cause + "`swarm resume " + n.runId + "` starts it");
                } else {
                    err.println("swarm: run " + SpecError.printable(n.runId) + " was not resumed: the state could not be read or "
                            + "written; it stays as it is");
                    err.println("swarm: " + cause + "run `swarm resume " + SpecError.printable(n.runId) + "` again");
                }
                return ExitCodes.STORE_UNAVAILABLE;
            }
            case RunCommands.StoppedByStore s -> {
                err.println("swarm: " + SpecError.printable(s.getMessage()));
                // two lines, as the Ctrl-C ending says it: one of 200 characters ran past a terminal's width
                err.println("swarm: run " + s.runId + " stopped: its running attempts were stopped, and what was recorded before "
                        + "this error is kept");
                err.println("swarm: once the cause is fixed (a lock another process holds, free disk space, permissions, the "
                        + "database server), `swarm resume " + s.runId + "` continues it");
                return ExitCodes.STORE_UNAVAILABLE;
            }
            case StoreException.EarlierAppendFailed r -> {
                // refused because this coordinator's own earlier append failed: what to say is that first failure, as
                // itself when it was a takeover or a damaged store, else as a store that could not be written
                if (r.firstFailure() instanceof StoreException.Fenced || r.firstFailure() instanceof StoreException.Corrupt) {
                    return handle((Exception) r.firstFailure(), err, command);
                }
                err.println("swarm: " + SpecError.printable(r.firstFailure().getMessage()));
                err.println("swarm: run " + r.runId() + " stopped: an earlier write of it failed, so the later ones were refused; "
                        + "what was recorded before this error is kept");
                err.println("swarm: once the cause is fixed (a lock another process holds, free disk space, permissions, the "
                        + "database server), `swarm resume " + r.runId() + "` continues it");
                return ExitCodes.STORE_UNAVAILABLE;
            }
            case StoreException.Fenced f -> {
                err.println("swarm: " + f.getMessage() + "; another coordinator took the run over");
                return ExitCodes.INVALID_INPUT;
            }
            default -> {
                err.println("swarm: internal error: " + ex);
                ex.printStackTrace(err);
                return ExitCodes.INTERNAL_ERROR;
            }
        }
    }

    /** {@code swarm version}. */
    @Command(name = "version", description = "Prints the versions of Swarmflow and Java, the sandbox (bubblewrap, or why it is not usable) and the process launcher.")
    static final class VersionCommand implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            java.io.PrintWriter out = spec.commandLine().getOut();
            for (String line : new Version().getVersion()) out.println(line);
        }
    }

    /**
     * {@code swarm generate-completion}: picocli's {@link AutoComplete.GenerateCompletion}, which is a help command and so
     * took any argument or option ({@code --state-dir DIR}, a typo) without a word and exited 0; this one refuses them as
     * every other command does.
     */
    @Command(name = "generate-completion", description = {"Prints a bash/zsh completion script for swarm.", "",
            "To have TAB completion in the current shell:", "", "  source <(swarm generate-completion)", "",
            "For every new shell, save it once (again after an upgrade)", "and source it from ~/.bashrc (or ~/.zshrc):", "",
            "  swarm generate-completion > ~/.swarm-completion.bash",
            "  echo 'source ~/.swarm-completion.bash' >> ~/.bashrc", ""})
    static final class CompletionCommand implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(AutoComplete.bash(spec.root().name(), spec.root().commandLine()));
            out.print('\n');
            out.flush();
        }
    }

    /**
     * {@code swarm help [COMMAND]}: the help of the command, as {@code swarm COMMAND --help} shows it. picocli's own
     * {@link CommandLine.HelpCommand} said only "Unknown subcommand" for a command that does not exist; this one suggests
     * the command meant, as {@code swarm COMMAND} does ({@link #nearestCommand}), or names the commands there are.
     */
    @Command(name = "help", helpCommand = true, description = "Shows the help of a command (`swarm help run` is `swarm run --help`), "
            + "or of swarm when COMMAND is omitted.")
    static final class HelpCommand implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Parameters(paramLabel = "COMMAND", arity = "0..1", description = "The command, e.g. run.")
        String command;

        @Override
        public void run() {
            CommandLine root = spec.root().commandLine();
            PrintWriter out = spec.commandLine().getOut();
            if (command == null) {
                root.usage(out);
                return;
            }
            CommandLine sub = root.getSubcommands().get(command);
            if (sub == null) {
                // the suggestion `swarm completion` gets (it said only which commands there are)
                String nearest = nearestCommand(command, root.getSubcommands().keySet());
                throw new CommandLine.ParameterException(root, "help: there is no command '" + command + "'; "
                        + (nearest != null ? "did you mean `swarm help " + nearest + "`?"
                        : "the commands are " + String.join(", ", root.getSubcommands().keySet())));
            }
            sub.usage(out);
        }
    }

    /**
     * What {@code swarm version} and {@code swarm -V} (every command's {@code -V}) print, one line each: swarm's version
     * from the jar manifest ({@code 0.1.0-SNAPSHOT} outside a jar), Java's, then {@link Wiring#agentEnvironment()}.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SwarmCli.class.getPackage().getImplementationVersion();
            List<String> lines = new ArrayList<>(List.of("swarm " + (v == null ? "0.1.0-SNAPSHOT" : v),
                    "java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"));
            lines.addAll(Wiring.agentEnvironment());
            return lines.toArray(String[]::new);
        }
    }
}
