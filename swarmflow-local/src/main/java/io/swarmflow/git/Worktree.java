package io.swarmflow.git;

import java.nio.file.Path;

/**
 * A git worktree created for one ticket.
 *
 * @param repo   top-level directory of the main repository
 * @param dir    the worktree's directory
 * @param branch its branch, for example {@code swarm/<run>/<ticket>}
 * @param base   the commit (sha) the branch started from
 */
public record Worktree(Path repo, Path dir, String branch, String base) {}
