package io.swarmflow.spec;

import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a swarm spec (YAML) and turns it into a validated {@link Plan}. Nothing is persisted here;
 * a spec that fails validation yields a {@link SpecException} listing every problem as
 * {@code file:line:column: what is wrong; how to fix}.
 */
public final class SpecLoader {
    /** Largest spec file accepted by default: 1 MiB. */
    public static final long DEFAULT_MAX_BYTES = 1L << 20;

    private final long maxBytes;

    public SpecLoader() {
        this(DEFAULT_MAX_BYTES);
    }

    public SpecLoader(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Loads and validates {@code specFile}.
     *
     * @param varOverrides {@code --var key=value} pairs; each key must be declared in {@code vars}
     * @throws SpecException listing every problem found
     */
    public Plan load(Path specFile, Map<String, String> varOverrides) throws SpecException {
        throw new SpecException(java.util.List.of(new SpecError(specFile.toString(), 0, 0,
                "spec loading is being implemented (" + maxBytes + ")", "")));
    }
}
