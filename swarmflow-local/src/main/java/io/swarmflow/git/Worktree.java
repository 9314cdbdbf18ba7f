package io.swarmflow.git;

import java.nio.file.Path;

/**
 * A git worktree created for one ticket.
 *
 * @param repo   top-level directory of the main repository
 * @param dir    the worktree's directory
 * @param branch its branch, for example {@code swarm/<run>/<ticket>}
 * @param base   the commit (sha) the branch started from
 * @param gitDir the worktree's administrative directory in the main repository ({@code .git/worktrees/<name>}),
 *               absolute, as git reported it when the worktree was made, before any ticket ran in it: the
 *               worktree's own {@code .git} file is the ticket's to change and is never trusted afterwards
 * @param kept   the branch that now holds what {@code branch} held before it was reset for this worktree, when that
 *               had commits the base does not have (see {@link GitWorktrees#createWorktree(Path, Path, String, String,
 *               String)}); null otherwise
 * @param gitFile what git wrote into the worktree's {@code .git} file when it made the worktree ({@code gitdir: <gitDir>}
 *                and a newline), which {@link GitWorktrees#restoreGitFile} writes back when a ticket changed it; null for
 *                a worktree not made by {@link GitWorktrees#createWorktree(Path, Path, String, String)}
 */
public record Worktree(Path repo, Path dir, String branch, String base, Path gitDir, String kept, String gitFile) {}
