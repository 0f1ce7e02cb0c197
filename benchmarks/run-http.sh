#!/usr/bin/env bash
# HTTP load comparison on one machine, one Jetty 12 server, the same request everywhere
# (GET /api/organizations/k8ms2q5vnd0r/members with the same Authorization header):
#
#   open              no filter (the ceiling), same header
#   noop              a pass-through filter that only wraps the request (the container's share)
#   ours-warm         OrganizationTokenFilter, 50-rule file, the same valid token every request
#   spring-warm       Spring Security resource server (NimbusJwtDecoder), same token
#   ours-cold         our filter, a new valid token every request (JDK providers)
#   ours-native-cold  our filter with nativeCrypto(true) (ACCP), a new valid token every request
#   spring-cold       Spring, the same stream of new tokens
#
# The server is pinned to one core (SERVER_CPU, default 0) and wrk to the other (CLIENT_CPU,
# default 1). Cold runs rotate through distinct pre-minted ES384 tokens (benchmarks/cold.lua);
# each cold run gets its own slice of the token file, and the server's counters prove that warm
# runs hit the token cache and cold runs miss it.
#
# Warm runs are interleaved: every round runs open, noop, ours and spring, in an order that
# alternates between rounds (so JIT and machine drift fall on both sides), after one warm-up pass
# over all of them. The ratios are per round; the summary gives their median and range.
#
# Usage: bash benchmarks/run-http.sh        (DURATION=10 WARMUP=3 CONNECTIONS=16 ROUNDS=5)
#        WARM_ONLY=1 bash benchmarks/run-http.sh   (open, noop and ours only: the warm-path target)
# Needs: benchmarks/target/benchmarks.jar (./mvnw -B -q -pl benchmarks -am package -DskipTests), wrk.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=benchmarks/target/benchmarks.jar
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-16}
ROUNDS=${ROUNDS:-5}
WARM_ONLY=${WARM_ONLY:-0}
PORT=${PORT:-18080}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
OUT=${OUT:-benchmarks/target/http}
# Distinct tokens per cold case (warm-up + measured): room for 600 verifies/s with the JDK and
# 5,000/s with ACCP, well above this machine's rates, so a run never wraps around its slice.
JDK_COLD_TOKENS=${JDK_COLD_TOKENS:-$(( (WARMUP + DURATION) * 600 ))}
NATIVE_COLD_TOKENS=${NATIVE_COLD_TOKENS:-$(( (WARMUP + DURATION) * 5000 ))}
if [ "$WARM_ONLY" = 1 ]; then JDK_COLD_TOKENS=10; NATIVE_COLD_TOKENS=10; fi
TOTAL_TOKENS=$(( JDK_COLD_TOKENS + NATIVE_COLD_TOKENS ))
PATH_UNDER_TEST=/api/organizations/k8ms2q5vnd0r/members
BASE=http://127.0.0.1:$PORT

[ -f "$JAR" ] || { echo "missing $JAR: ./mvnw -B -q -pl benchmarks -am package -DskipTests" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not found (Debian: apt-get install -y wrk)" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
echo "minting $TOTAL_TOKENS tokens and starting the server on CPU $SERVER_CPU ..."
taskset -c "$SERVER_CPU" java -Xms512m -Xmx512m -cp "$JAR" dev.orgtoken.bench.http.HttpBenchServer \
  --port "$PORT" --out "$OUT" --cold-tokens "$TOTAL_TOKENS" > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  [ -f "$OUT/ready" ] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$OUT/server.log"; exit 1; }
  sleep 1
done
[ -f "$OUT/ready" ] || { echo "server did not start" >&2; exit 1; }
grep -E 'minted|listening' "$OUT/server.log"

WARM_HEADER="Authorization: Bearer $(tr -d '\n' < "$OUT/warm.token")"
# Disjoint slices of the token file: JDK cold runs first, native cold runs after.
sed -n "1,${JDK_COLD_TOKENS}p" "$OUT/cold.tokens" > "$OUT/jdk.tokens"
sed -n "$(( JDK_COLD_TOKENS + 1 )),${TOTAL_TOKENS}p" "$OUT/cold.tokens" > "$OUT/native.tokens"

TICKS=$(getconf CLK_TCK)
cpu_ticks() { sed 's/.*) //' "/proc/$SERVER/stat" | awk '{ print $12 + $13 }'; }   # utime + stime
requests() { awk '/requests in/ { print $1 }' "$OUT/$1.txt"; }
cpu_per_request() {  # ticks-before ticks-after name -> server CPU microseconds per request
  awk -v t0="$1" -v t1="$2" -v hz="$TICKS" -v n="$(requests "$3")" 'BEGIN { printf "%.1f", (t1 - t0) * 1e6 / hz / n }'
}
counter() { curl -s "$BASE/stats/" | awk -F= -v k="$1" '$1 == k { print $2 }'; }

wrk_run() {  # name seconds context header|tokens-file ; prints requests/s
  local name=$1 seconds=$2 context=$3 source=$4
  if [ -f "$source" ]; then
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --latency -s benchmarks/cold.lua \
      "$BASE/$context$PATH_UNDER_TEST" -- "$source" > "$OUT/$name.txt"
  else
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --latency -H "$source" \
      "$BASE/$context$PATH_UNDER_TEST" > "$OUT/$name.txt"
  fi
  if grep -q 'Non-2xx' "$OUT/$name.txt"; then
    echo "$name: some answers were not 200:" >&2
    grep 'Non-2xx' "$OUT/$name.txt" >&2
  fi
  awk '/Requests\/sec/ { print $2 }' "$OUT/$name.txt"
}

declare -A RPS CPU P50 P99 NOTE
measure() {  # name context header|tokens-file [measured tokens-file, when the warm-up gets its own]
  local name=$1 context=$2 source=$3 measured=${4:-$3} hits0 miss0 nhits0 nmiss0 ticks0
  wrk_run "$name-warmup" "$WARMUP" "$context" "$source" > /dev/null
  hits0=$(counter ours.hits); miss0=$(counter ours.misses); nhits0=$(counter native.hits); nmiss0=$(counter native.misses)
  ticks0=$(cpu_ticks)
  RPS[$name]=$(wrk_run "$name" "$DURATION" "$context" "$measured")
  CPU[$name]=$(cpu_per_request "$ticks0" "$(cpu_ticks)" "$name")
  P50[$name]=$(awk '$1 == "50%" { print $2 }' "$OUT/$name.txt")
  P99[$name]=$(awk '$1 == "99%" { print $2 }' "$OUT/$name.txt")
  NOTE[$name]="token cache: ours $(( $(counter ours.hits) - hits0 )) hits / $(( $(counter ours.misses) - miss0 )) misses, native $(( $(counter native.hits) - nhits0 )) hits / $(( $(counter native.misses) - nmiss0 )) misses"
  printf '%-18s %9s req/s  server CPU %7s us/req  p50 %-8s p99 %-8s %s\n' "$name" "${RPS[$name]}" "${CPU[$name]}" \
    "${P50[$name]}" "${P99[$name]}" "${NOTE[$name]}"
}

WARM_CASES="open noop ours spring"
[ "$WARM_ONLY" = 1 ] && WARM_CASES="open noop ours"
echo "server CPU $SERVER_CPU, wrk CPU $CLIENT_CPU (pinned to different cores); $CONNECTIONS connections, 1 wrk thread; ${WARMUP}s warm-up + ${DURATION}s per run"
echo "JIT warm-up pass: $WARM_CASES for $(( WARMUP * 3 ))s each ..."
for context in $WARM_CASES; do
  wrk_run "jit-$context" $(( WARMUP * 3 )) "$context" "$WARM_HEADER" > /dev/null
done
for round in $(seq "$ROUNDS"); do
  order=$WARM_CASES
  (( round % 2 )) || order=$(printf '%s\n' $WARM_CASES | tac | tr '\n' ' ')
  for context in $order; do
    case $context in
      open) measure "open-$round" open "$WARM_HEADER" ;;
      noop) measure "noop-$round" noop "$WARM_HEADER" ;;
      ours) measure "ours-warm-$round" ours "$WARM_HEADER" ;;
      spring) measure "spring-warm-$round" spring "$WARM_HEADER" ;;
    esac
  done
done
if [ "$WARM_ONLY" != 1 ]; then
# Cold runs: every wrk process starts at the top of its token file, so the warm-up and the
# measured run of each case get disjoint slices.
split_tokens() {  # file -> file.warmup (first part) and file.measure (rest)
  local file=$1 warm_lines=$2
  head -n "$warm_lines" "$file" > "$file.warmup"
  tail -n +"$(( warm_lines + 1 ))" "$file" > "$file.measure"
}
split_tokens "$OUT/jdk.tokens" $(( JDK_COLD_TOKENS * WARMUP / (WARMUP + DURATION) ))
split_tokens "$OUT/native.tokens" $(( NATIVE_COLD_TOKENS * WARMUP / (WARMUP + DURATION) ))
measure ours-cold ours "$OUT/jdk.tokens.warmup" "$OUT/jdk.tokens.measure"
measure ours-native-cold ours-native "$OUT/native.tokens.warmup" "$OUT/native.tokens.measure"
# Spring caches nothing: the same tokens as ours-cold
measure spring-cold spring "$OUT/jdk.tokens.warmup" "$OUT/jdk.tokens.measure"
fi

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s", lo, hi }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
per_round() {  # numerator-case denominator-case field(RPS|CPU-inverse)
  for r in $(seq "$ROUNDS"); do
    if [ "$3" = RPS ]; then ratio "${RPS[$1-$r]}" "${RPS[$2-$r]}"; else ratio "${CPU[$2-$r]}" "${CPU[$1-$r]}"; fi
    echo
  done
}
values() { local case=$1 field=$2 r; for r in $(seq "$ROUNDS"); do if [ "$field" = RPS ]; then echo "${RPS[$case-$r]}"; else echo "${CPU[$case-$r]}"; fi; done; }
WARM_OPEN=$(per_round ours-warm open RPS)
WARM_OPEN_CPU=$(per_round ours-warm open CPU)
WARM_NOOP=$(per_round ours-warm noop RPS)
NOOP_OPEN=$(per_round noop open RPS)
WARM_SPRING=""
[ "$WARM_ONLY" = 1 ] || WARM_SPRING=$(per_round ours-warm spring-warm RPS)
{
  echo "| case | requests/s (median of $ROUNDS) | range | server CPU per request, us (median) |"
  echo "|---|---:|---:|---:|"
  for c in open noop ours-warm spring-warm; do
    [ -n "${RPS[$c-1]:-}" ] || continue
    echo "| $c | $(median $(values $c RPS)) | $(range $(values $c RPS)) | $(median $(values $c CPU)) |"
  done
  [ "$WARM_ONLY" = 1 ] || for c in ours-cold ours-native-cold spring-cold; do
    echo "| $c | ${RPS[$c]} | one run | ${CPU[$c]} |"
  done
  echo
  echo "Per-round ratios (each from runs seconds apart in the same round):"
  echo "- warm ours / open, throughput: median $(median $WARM_OPEN), range $(range $WARM_OPEN) (target >= 0.90)"
  echo "- warm ours / open, by server CPU per request: median $(median $WARM_OPEN_CPU), range $(range $WARM_OPEN_CPU)"
  echo "- noop filter / open (the container's filter chain and wrapper alone): median $(median $NOOP_OPEN), range $(range $NOOP_OPEN)"
  echo "- warm ours / noop filter: median $(median $WARM_NOOP), range $(range $WARM_NOOP)"
  if [ "$WARM_ONLY" != 1 ]; then
    echo "- warm ours / spring: median $(median $WARM_SPRING), range $(range $WARM_SPRING) (target >= 10)"
    echo "- cold ours / spring: $(ratio "${RPS[ours-cold]}" "${RPS[spring-cold]}")"
    echo "- cold ours-native / ours: $(ratio "${RPS[ours-native-cold]}" "${RPS[ours-cold]}")"
  fi
  if [ "$WARM_ONLY" = 1 ]; then
    echo "- JWKS requests during the whole run: $(counter jwks.requests) (only /ours was exercised)"
  else
    echo "- JWKS requests during the whole run: $(counter jwks.requests) (ours, ours-native and Spring fetch once each; Spring's JWK-set cache expires after 5 min)"
  fi
} | tee "$OUT/summary.md"
