#!/usr/bin/env bash
cd /work/main
J=benchmarks/target/benchmarks.jar
echo "start $(date -u +%FT%TZ)" > /tmp/bench/times
OUT=/tmp/bench/http bash benchmarks/run-http.sh > /tmp/bench/http.log 2>&1
echo "http done $(date -u +%T)" >> /tmp/bench/times
java -jar $J ColdVerify -f 1 -wi 2 -w 3 -i 4 -r 4 -rf json -rff /tmp/bench/cold.json > /tmp/bench/cold.log 2>&1
echo "cold done $(date -u +%T)" >> /tmp/bench/times
java -jar $J "WarmVerify|FilterWarm|RequirementChecks|PathRules" -f 1 -wi 2 -w 2 -i 4 -r 3 -prof gc -rf json -rff /tmp/bench/warm.json > /tmp/bench/warm.log 2>&1
echo "warm done $(date -u +%T)" >> /tmp/bench/times
java -XX:+UseSerialGC -Xmx1g -cp $J dev.orgtoken.bench.MemoryFootprint entry 100000 > /tmp/bench/mem-entry.log 2>&1
java -XX:+UseSerialGC -Xmx256m -cp $J dev.orgtoken.bench.MemoryFootprint stream 1000000 > /tmp/bench/mem-stream.log 2>&1
echo "all done $(date -u +%T)" >> /tmp/bench/times
