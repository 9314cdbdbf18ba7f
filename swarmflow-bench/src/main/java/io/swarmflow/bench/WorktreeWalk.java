package io.swarmflow.bench;

import io.swarmflow.files.FileTrees;
import io.swarmflow.git.GitWorktrees;
import io.swarmflow.git.Worktree;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a separate look for directories a ticket made unreadable cost at the end of a {@code workspace: worktree}
 * attempt, and so what reading git's own warnings instead saves: {@link FileTrees#unreadableDirectories} over the worktree
 * (one walk of every entry, symbolic links not followed; what LocalExecutor ran before each commit until git's warnings
 * replaced it) against the commit itself ({@link GitWorktrees#commitAll}: {@code git add -A}, whose warnings it now reads,
 * {@code git diff --cached --quiet}, {@code git commit}, {@code git rev-parse}), measured rep by rep in the same
 * worktree, each rep after one file was changed, so both see a warm page cache and a commit with one change. For scale,
 * GNU {@code find} lists the same tree in each rep too ({@code find DIR -name .git -prune -o -print}, one process): the
 * cost of walking it at all.
 *
 * <p>The tree: {@code walk.dirs} directories (in three levels) of {@code walk.files} small files each. System properties:
 * {@code walk.dirs} (comma-separated sizes, 100,1000,5000), {@code walk.files} (5), {@code walk.reps} (7).
 */
public final class WorktreeWalk {
    private WorktreeWalk() {}

    public static void main(String[] args) throws Exception {
        int files = BenchSupport.intProp("walk.files", 5);
        int reps = BenchSupport.intProp("walk.reps", 7);
        StringBuilder out = new StringBuilder(BenchSupport.header("Worktree walk: the separate unreadable-directory walk vs the commit"));
        out.append("Each rep: one file changed, then the walk, then commitAll, in the same worktree; ms, median of ")
                .append(reps).append(" reps (min-max).\n\n")
                .append("| directories | files | walk ms | commit ms | find ms | walk / commit | walk / find |\n|---|---|---|---|---|---|---|\n");
        for (String size : System.getProperty("walk.dirs", "100,1000,5000").split(",")) {
            int dirs = Integer.parseInt(size.strip());
            Path tmp = BenchSupport.tempDir("worktree-walk-");
            try {
                Path repo = tree(tmp.resolve("repo"), dirs, files);
                Worktree wt = GitWorktrees.createWorktree(repo, tmp.resolve("wt"), "bench/walk");
                double[] walk = new double[reps];
                double[] commit = new double[reps];
                double[] ratio = new double[reps];
                double[] find = new double[reps];
                double[] perFind = new double[reps];
                for (int r = -2; r < reps; r++) { // two warm-up reps
                    Files.writeString(wt.dir().resolve("d0/d0/f0.txt"), "rep " + r + "\n");
                    long t0 = System.nanoTime();
                    List<Path> closed = FileTrees.unreadableDirectories(wt.dir());
                    long t1 = System.nanoTime();
                    if (GitWorktrees.commitAll(wt, "rep " + r).isEmpty()) throw new IllegalStateException("nothing committed");
                    long t2 = System.nanoTime();
                    run(List.of("find", wt.dir().toString(), "-name", ".git", "-prune", "-o", "-print"));
                    long t3 = System.nanoTime();
                    if (!closed.isEmpty()) throw new IllegalStateException("unexpected unreadable directories: " + closed);
                    if (r < 0) continue;
                    walk[r] = (t1 - t0) / 1e6;
                    commit[r] = (t2 - t1) / 1e6;
                    ratio[r] = walk[r] / commit[r];
                    find[r] = (t3 - t2) / 1e6;
                    perFind[r] = walk[r] / find[r];
                }
                GitWorktrees.unlock(wt);
                out.append(String.format(Locale.ROOT, "| %,d | %,d | %s | %s | %s | %s | %s |%n", dirs, dirs * files, spread(walk, "%.1f"),
                        spread(commit, "%.1f"), spread(find, "%.1f"), spread(ratio, "%.2f"), spread(perFind, "%.2f")));
            } finally {
                BenchSupport.deleteTree(tmp);
            }
        }
        BenchSupport.report(out.append('\n').toString());
    }

    /** {@code median (min-max)} of {@code xs}. */
    private static String spread(double[] xs, String format) {
        return String.format(Locale.ROOT, format + " (" + format + "-" + format + ")", BenchSupport.median(xs), BenchSupport.min(xs),
                BenchSupport.max(xs));
    }

    /** A committed repository of {@code dirs} directories {@code d<i>/d<j>/d<k>} (at most 20 per level), {@code files} each. */
    private static Path tree(Path repo, int dirs, int files) throws Exception {
        Files.createDirectories(repo);
        List<Path> made = new ArrayList<>();
        for (int i = 0; made.size() < dirs; i++) {
            for (int j = 0; j < 20 && made.size() < dirs; j++) {
                for (int k = 0; k < 20 && made.size() < dirs; k++) {
                    made.add(Files.createDirectories(repo.resolve("d" + i).resolve("d" + j).resolve(k == 0 ? "." : "d" + k).normalize()));
                }
            }
        }
        for (Path d : made) {
            for (int f = 0; f < files; f++) Files.writeString(d.resolve("f" + f + ".txt"), d + " " + f + "\n");
        }
        git(repo, "init", "-q");
        git(repo, "add", "-A");
        git(repo, "-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "tree");
        return repo;
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        run(cmd);
    }

    /** Runs {@code cmd} to its end, its output read and dropped. */
    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": " + text);
    }
}
