package dev.provtrace.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.regex.Pattern;

/**
 * The one-line text of an error that ends a command. Java's file-system exceptions often carry nothing but the
 * path ({@code NoSuchFileException: /proc/x}), which printed alone reads as "error: /proc/x"; these get the reason
 * in words. Jackson's location suffix ("at [Source: REDACTED (...); line: 2, column: 1]") becomes "(line 2,
 * column 1)".
 */
final class ErrorMessage {
    private static final Pattern JACKSON_LOCATION = Pattern.compile(
            "\\s*\\n\\s*at \\[Source: [^;\\]]*(?:\\([^)]*\\))?[^;\\]]*; line: (\\d+), column: (\\d+)\\]");

    private ErrorMessage() {}

    static String of(Throwable e) {
        String m = e instanceof FileSystemException f ? fileSystem(f)
                : e.getMessage() != null ? e.getMessage() : e.toString();
        return JACKSON_LOCATION.matcher(m).replaceAll(" (line $1, column $2)");
    }

    private static String fileSystem(FileSystemException e) {
        if (e.getReason() != null && !e.getReason().isBlank()) return e.getMessage();   // "file: reason" already
        String what = e instanceof NoSuchFileException ? "no such file or folder (or its folder cannot hold new files)"
                : e instanceof AccessDeniedException ? "permission denied"
                : e instanceof FileAlreadyExistsException ? "already exists"
                : e instanceof NotDirectoryException ? "not a folder"
                : e instanceof DirectoryNotEmptyException ? "the folder is not empty"
                : "cannot be accessed (" + e.getClass().getSimpleName() + ")";
        String file = e.getFile() != null ? e.getFile() : "?";
        return file + ": " + what + (e.getOtherFile() != null ? " (with " + e.getOtherFile() + ")" : "");
    }
}
