package io.swarmflow.sandbox;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link org.junit.jupiter.api.io.TempDir} factory for tests that make large files (the 64 MiB of {@link SetIdBits}'
 * copy bound): their directory is made under this module's {@code target/temp/}, not under {@code /tmp}, which is often a
 * tmpfs in memory and is shared with every other process of the machine (review D5 #8). JUnit removes it afterwards.
 */
final class UnderTarget implements TempDirFactory {
    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws Exception {
        // target/test-classes, where this class was loaded from
        Path classes = Path.of(UnderTarget.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path base = Files.createDirectories(classes.getParent().resolve("temp"));
        return Files.createTempDirectory(base, "junit-");
    }

    /** The directory {@link #createTempDirectory} makes temporary directories in: {@code target/temp} of this module. */
    static Path base() throws Exception {
        return Path.of(UnderTarget.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent().resolve("temp");
    }
}
