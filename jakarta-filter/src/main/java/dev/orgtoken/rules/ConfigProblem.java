package dev.orgtoken.rules;

/**
 * A validation failure raised by the builders, carrying which setting was at fault so the file
 * loader can point at the right line. Users of the builders simply see an
 * {@link IllegalArgumentException}.
 */
final class ConfigProblem extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The rules-file key of the offending setting, or {@code null} when it is not one key. */
    private final String key;
    /** Index of the offending rule in the rule list, or -1. */
    private final int ruleIndex;
    /** Index of the offending entry when the setting is a list, or -1. */
    private final int itemIndex;

    ConfigProblem(String key, String message) {
        this(key, -1, -1, message);
    }

    private ConfigProblem(String key, int ruleIndex, int itemIndex, String message) {
        super(message);
        this.key = key;
        this.ruleIndex = ruleIndex;
        this.itemIndex = itemIndex;
    }

    /** A problem with one rule of a rule set. */
    static ConfigProblem inRule(int ruleIndex, String key, String message) {
        return new ConfigProblem(key, ruleIndex, -1, message);
    }

    /** A problem with one entry of a list-valued setting. */
    static ConfigProblem inItem(String key, int itemIndex, String message) {
        return new ConfigProblem(key, -1, itemIndex, message);
    }

    int itemIndex() {
        return itemIndex;
    }

    String key() {
        return key;
    }

    int ruleIndex() {
        return ruleIndex;
    }
}
