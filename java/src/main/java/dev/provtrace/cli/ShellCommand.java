package dev.provtrace.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A provtrace command line to print for the user to paste: it starts with the launcher as it was invoked (the
 * {@code ./provtrace} script exports {@code PROVTRACE_LAUNCHER}), and every word is quoted for a POSIX shell, so
 * a folder with a space or a quote in its name still pastes and runs from the user's directory.
 */
final class ShellCommand {
    /** Set by the launcher script to the path it was run as ({@code ./provtrace}, {@code ../provtrace}, ...). */
    static final String LAUNCHER_VARIABLE = "PROVTRACE_LAUNCHER";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    private ShellCommand() {}

    /** {@code ./provtrace classify --scores 'demo out'}: the launcher, then each argument quoted as needed. */
    static String of(Object... args) {
        StringBuilder sb = new StringBuilder(quote(launcher()));
        for (Object a : args) sb.append(' ').append(quote(a instanceof Path p ? p.toString() : String.valueOf(a)));
        return sb.toString();
    }

    /** How to run provtrace again from here: the launcher's own path, else the script in the current folder. */
    static String launcher() {
        String s = System.getenv(LAUNCHER_VARIABLE);
        return s != null && !s.isBlank() ? s : "./provtrace";
    }

    /** One word for a POSIX shell: as is when it holds only safe characters, else in single quotes. */
    static String quote(String word) {
        if (!word.isEmpty() && SAFE.matcher(word).matches()) return word;
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** The words of a line this class printed (single quotes and the escape it writes), for tests and checks. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ') {
                if (w != null) words.add(w.toString());
                w = null;
                continue;
            }
            if (w == null) w = new StringBuilder();
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) throw new IllegalArgumentException("unclosed quote in: " + line);
                w.append(line, i + 1, end);
                i = end;
            } else if (c == '\\' && i + 1 < line.length()) {
                w.append(line.charAt(++i));
            } else {
                w.append(c);
            }
        }
        if (w != null) words.add(w.toString());
        return words;
    }
}
