package io.swarmflow.spec;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/**
 * Which files a repository's {@code HEAD} commit holds, as validation asks it: the expansions of a matrix ticket in
 * {@code workspace: repo} with {@code sandbox: off} that name one output file in the checkout are refused when that file
 * is not in the commit (each expansion writes it, at the same time), and only warned about when it is (they may read it
 * as the commit has it, though without the sandbox nothing keeps them from rewriting it). The spec module knows no git: the caller that does (the command line, through swarmflow-local's git) hands one
 * to {@link SpecLoader#withCommittedFiles}.
 * <p>
 * Implementations must be safe to call from any thread and should not throw: what cannot be told is left out of the
 * answer, and validation then only warns, as it does with {@link #UNKNOWN}.
 */
@FunctionalInterface
public interface CommittedFiles {
    /** Knows nothing: each such matrix output in the checkout is warned about, never refused. */
    CommittedFiles UNKNOWN = (repo, files) -> Map.of();

    /**
     * Whether each of {@code files} is a file (not a directory, not a submodule) of the {@code HEAD} commit of the
     * repository {@code repo}, as it is now; false for every file when {@code HEAD} has no commit yet.
     *
     * @param repo  the top directory of the repository's working tree (absolute)
     * @param files paths relative to {@code repo}, normalized ({@code a/b.txt}, no {@code ./} or {@code ..}), '/'-separated
     * @return for each file whose answer is known, true when the commit holds it; a file left out is not known (git missing
     *         or failing, a path git cannot be asked about, a file inside a submodule, a repository whose trees git
     *         would have to fetch)
     */
    Map<String, Boolean> inHead(Path repo, Collection<String> files);
}
