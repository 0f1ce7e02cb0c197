set -x
cd /work/main
R=/tmp/res2; mkdir -p $R
J=/tmp/bench-head.jar
MAX_MINUTES=3 bash benchmarks/wait-quiet.sh
F="-f 3 -wi 3 -w 2 -i 5 -r 2"
for k in 1 2; do
  for j in before-fw final; do
    java -jar /tmp/bench-$j.jar 'WarmVerify.verifier$|FilterWarm.filter$' -p alg=ES384 $F -prof gc -rf json -rff $R/jmh-warm-$j-$k.json > $R/jmh-warm-$j-$k.txt 2>&1
  done
done
java -jar $J 'ColdVerify' -p alg=ES384 -p provider=jdk -f 5 -wi 3 -w 2 -i 5 -r 2 -rf json -rff $R/jmh-cold-jdk-f5.json > $R/jmh-cold-jdk-f5.txt 2>&1
java -XX:+UseSerialGC -Xmx1g -cp $J dev.orgtoken.bench.MemoryFootprint entry 100000 > $R/memory-entry.txt 2>&1
java -XX:+UseSerialGC -Xmx256m -cp $J dev.orgtoken.bench.MemoryFootprint stream 1000000 > $R/memory-stream.txt 2>&1
echo JMH-DONE
WARM_ONLY=1 ROUNDS=20 DURATION=4 WARMUP=2 OUT=/tmp/http3 bash benchmarks/run-http.sh > $R/http-warm-20.txt 2>&1
echo ALL-DONE
