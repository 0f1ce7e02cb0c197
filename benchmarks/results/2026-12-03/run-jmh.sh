set -x
cd /work/main
R=/tmp/res
J=/tmp/bench-final.jar
MAX_MINUTES=3 bash benchmarks/wait-quiet.sh
F="-f 3 -wi 3 -w 2 -i 5 -r 2"
for j in before-fw arch-fw final; do
  java -jar /tmp/bench-$j.jar 'WarmVerify.verifier$|FilterWarm.filter$' -p alg=ES384 $F -prof gc -rf json -rff $R/jmh-warm-$j.json > $R/jmh-warm-$j.txt 2>&1
  java -jar /tmp/bench-$j.jar 'FilterWarm.filter$' $F -prof gc -rf json -rff $R/jmh-filter-$j.json > $R/jmh-filter-$j.txt 2>&1
done
java -jar $J 'WarmVerify.verifier$|PathRules.(membersRule|unmatched|deepRule)$' -p alg=ES256,ES512,RS256 $F -prof gc -rf json -rff $R/jmh-warm-algs.json > $R/jmh-warm-algs.txt 2>&1
java -jar $J 'PathRules.(membersRule|unmatched|deepRule|first)$' $F -prof gc -rf json -rff $R/jmh-pathrules.json > $R/jmh-pathrules.txt 2>&1
java -jar $J 'ColdVerify' -p alg=ES384 $F -rf json -rff $R/jmh-cold.json > $R/jmh-cold.txt 2>&1
java -XX:+UseSerialGC -Xmx1g -cp $J dev.orgtoken.bench.MemoryFootprint entry 100000 > $R/memory-entry.txt 2>&1
java -XX:+UseSerialGC -Xmx256m -cp $J dev.orgtoken.bench.MemoryFootprint stream 1000000 > $R/memory-stream.txt 2>&1
echo JMH-DONE
