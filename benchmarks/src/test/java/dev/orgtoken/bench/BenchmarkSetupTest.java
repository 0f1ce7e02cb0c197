package dev.orgtoken.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The filter benchmark builds its own stub request; when the filter began to read the dispatcher
 * type, the stub did not answer it and {@code FilterWarm} failed in its set-up, unnoticed until a
 * benchmark run. Its set-up and one call run here, in {@code verify}, so a stub that falls behind
 * the filter fails the build instead.
 */
class BenchmarkSetupTest {
    @Test
    void theFilterBenchmarkSetsUpAndPasses() throws Exception {
        FilterWarm benchmark = new FilterWarm();
        Blackhole blackhole = new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        try {
            benchmark.setUp(blackhole);   // throws unless the stub request was accepted
            assertDoesNotThrow(benchmark::filter);
        } finally {
            benchmark.tearDown();
            blackhole.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
        }
    }
}
