/**
 * Access rules: the rules file, path patterns and matching of a {@code (method, normalized path)}
 * pair to the first applicable {@link dev.orgtoken.rules.PathRule}.
 *
 * <p>This package knows nothing about HTTP requests or servlets and depends only on the JDK,
 * snakeyaml-engine and slf4j-api, so it can be tested and fuzzed on its own. The entry point is
 * {@link dev.orgtoken.rules.RuleSet}: load it from a file with {@link
 * dev.orgtoken.rules.RuleSet#load(java.nio.file.Path)} or build it in code with {@link
 * dev.orgtoken.rules.RuleSet#builder()}. Both routes apply the same validation; a file that fails
 * it raises a {@link dev.orgtoken.rules.RulesFileException} naming the file, line and column,
 * code that fails it raises an {@link java.lang.IllegalArgumentException}.
 */
package dev.orgtoken.rules;
