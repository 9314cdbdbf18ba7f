package io.swarmflow.spec;

/**
 * A named output of a ticket, readable by dependents as {@code ${{ tickets.<id>.outputs.<name> }}}.
 * Exactly one of {@code file} and {@code jsonKey} is set.
 *
 * @param name    output name
 * @param file    path relative to the attempt's workspace whose content (trimmed, at most 64 KiB) is the value
 * @param jsonKey key of the last line of stdout that is a JSON object; its value (a string, or JSON text otherwise)
 */
public record OutputSpec(String name, String file, String jsonKey) {
    /** Largest output value kept, in bytes. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;

    /**
     * Checks that the output has one source.
     *
     * @throws IllegalArgumentException unless exactly one of {@code file} and {@code jsonKey} is non-null
     */
    public OutputSpec {
        if ((file == null) == (jsonKey == null)) {
            throw new IllegalArgumentException("output " + name + " needs exactly one of file or json");
        }
    }
}
