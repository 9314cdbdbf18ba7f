package io.swarmflow.files;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/** Why a file operation failed, in the words a person reads in an error message. JDK only. */
public final class FileErrors {
    private FileErrors() {}

    /**
     * Why {@code e} happened, as a user reads it: the system's reason, lower-case ("permission denied", "is a
     * directory": {@link FileSystemException#getReason()}, the text of the errno the JDK saw), else one named after the
     * exception's kind ({@link AccessDeniedException} "permission denied", {@link NoSuchFileException} "no such file or
     * directory", {@link FileAlreadyExistsException} "file exists", another {@link FileSystemException} "the system gave
     * no reason": its message would be only the file's name, which the caller names already), else the first non-empty
     * line of its message, else "an I/O error". Never an exception's class name.
     *
     * @param e the failure, not null
     * @return a short lower-case phrase, without a full stop
     */
    public static String reason(Exception e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null && !fse.getReason().isBlank()) {
            return fse.getReason().strip().toLowerCase(Locale.ROOT);
        }
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof FileAlreadyExistsException) return "file exists";
        if (e instanceof FileSystemException) return "the system gave no reason";
        String message = e.getMessage() == null ? ""
                : e.getMessage().lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
        return message.isEmpty() ? "an I/O error" : message;
    }
}
