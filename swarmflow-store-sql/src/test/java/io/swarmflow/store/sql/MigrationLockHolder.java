package io.swarmflow.store.sql;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run by MigrationLockTest in a fresh JVM, as another swarm process migrating a new state directory: takes the
 * exclusive lock of the file args[0] (creating it), prints {@code locked}, and holds it until its standard input ends.
 */
public final class MigrationLockHolder {
    private MigrationLockHolder() {}

    public static void main(String[] args) throws IOException {
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             var lock = channel.lock()) {
            System.out.println("locked");
            System.out.flush();
            System.in.readAllBytes(); // until the test closes it (or dies)
        }
    }
}
