package dev.orgtoken.rules;

import java.util.Objects;

/**
 * A rules file that cannot be used: unreadable, too large, not valid YAML, or not a valid rule set.
 *
 * <p>The message names the place, in the form {@code rules.yaml:12:5: unknown key 'scope' (did you
 * mean 'scopes'?)}. When a problem concerns the file as a whole (it cannot be read, or it is too
 * large) {@link #line()} and {@link #column()} are 0 and the message reads {@code rules.yaml:
 * ...}.
 *
 * <p>Unchecked on purpose: the rules file is read once at start-up, a broken one has no recovery
 * other than fixing it, and the caller (typically a filter's {@code init}) only needs to stop
 * with this message.
 */
public final class RulesFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The name of the rules file. */
    private final String source;
    /** 1-based line, or 0. */
    private final int line;
    /** 1-based column, or 0. */
    private final int column;
    /** The message without the location. */
    private final String problem;

    RulesFileException(String source, int line, int column, String problem) {
        this(source, line, column, problem, null);
    }

    RulesFileException(String source, int line, int column, String problem, Throwable cause) {
        super(format(source, line, column, problem), cause);
        this.source = Objects.requireNonNull(source, "source");
        this.line = line;
        this.column = column;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    private static String format(String source, int line, int column, String problem) {
        if (line <= 0) {
            return source + ": " + problem;
        }
        return source + ":" + line + ":" + column + ": " + problem;
    }

    /**
     * The name of the rules file as given to the loader.
     *
     * @return the source name, for example {@code rules.yaml}
     */
    public String source() {
        return source;
    }

    /**
     * The 1-based line of the problem.
     *
     * @return the line, or 0 when the problem concerns the whole file
     */
    public int line() {
        return line;
    }

    /**
     * The 1-based column of the problem.
     *
     * @return the column, or 0 when the problem concerns the whole file
     */
    public int column() {
        return column;
    }

    /**
     * The problem without the location prefix.
     *
     * @return for example {@code unknown key 'scope' (did you mean 'scopes'?)}
     */
    public String problem() {
        return problem;
    }
}
