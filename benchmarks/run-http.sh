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
#   raw-cold          one raw JDK Signature.verify per request and the noop wrapper, the same stream
#                     (the floor: what checking every new token's signature costs over HTTP)
#   raw-native-cold   the same with ACCP's Signature: the floor for ours-native
#   *-flood           the warm case again while FLOOD_CONNECTIONS more connections send a forged
#                     token (real kid, valid shape, changed signature: a full signature check each),
#                     and 2 connections send new valid tokens (what a legitimate new token gets);
#                     the warm case alone in the same round is the baseline
#
# The server is pinned to one core (SERVER_CPU, default 0) and wrk to the other (CLIENT_CPU,
# default 1). Cold runs rotate through distinct pre-minted ES384 tokens (benchmarks/cold.lua);
# each cold run gets its own slice of the token file, and the server's counters prove that warm
# runs hit the token cache and cold runs miss it.
#
# Warm runs are interleaved: every round runs open, noop, ours and spring, in an order that
# alternates between rounds (so JIT and machine drift fall on both sides), after one warm-up pass
# over all of them. Cold runs (ours, ours-native, spring) and flood runs are interleaved the same
# way over COLD_ROUNDS and FLOOD_ROUNDS. The ratios are per round; the summary gives their median
# and range. Every run reports "other CPU": the share of the server's core used by anything but
# the server process, so a noisy round can be recognised and repeated.
#
# Usage: bash benchmarks/run-http.sh        (DURATION=10 WARMUP=3 CONNECTIONS=16 ROUNDS=5
#                                           COLD_ROUNDS=3 FLOOD_ROUNDS=3 FLOOD_CONNECTIONS=16)
#        WARM_ONLY=1 bash benchmarks/run-http.sh   (open, noop and ours only: the warm-path target)
#        PARTS="cold flood" bash benchmarks/run-http.sh   (any of warm, cold, flood; default all three)
#        SERVER_OPTS="..." bash benchmarks/run-http.sh   (extra JVM options for the server: a JFR
#                                           recording, or -Dbench.max-concurrent-verifications=N)
# Needs: benchmarks/target/benchmarks.jar (./mvnw -B -q -pl benchmarks -am package -DskipTests), wrk.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=benchmarks/target/benchmarks.jar
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-16}
ROUNDS=${ROUNDS:-5}
COLD_ROUNDS=${COLD_ROUNDS:-3}
FLOOD_ROUNDS=${FLOOD_ROUNDS:-3}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-16}
WARM_ONLY=${WARM_ONLY:-0}
PARTS=${PARTS:-warm cold flood}
PORT=${PORT:-18080}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
OUT=${OUT:-benchmarks/target/http}
# Distinct tokens per cold case (warm-up + measured): room for 600 verifies/s with the JDK and
# 5,000/s with ACCP, well above this machine's rates, so a run never wraps around its slice.
# Each cold round and each flood round (its legitimate new tokens) gets its own slice.
JDK_COLD_TOKENS=${JDK_COLD_TOKENS:-$(( (WARMUP + DURATION) * 600 ))}
NATIVE_COLD_TOKENS=${NATIVE_COLD_TOKENS:-$(( (WARMUP + DURATION) * 5000 ))}
FLOOD_NEW_TOKENS=${FLOOD_NEW_TOKENS:-$(( DURATION * 600 ))}
# The cold JIT warm-up pass (before the first cold round), per provider.
JDK_JIT_TOKENS=$(( WARMUP * 3 * 600 ))
NATIVE_JIT_TOKENS=$(( WARMUP * 3 * 5000 ))
[ "$WARM_ONLY" = 1 ] && PARTS=warm
part() { [[ " $PARTS " == *" $1 "* ]]; }
part warm || ROUNDS=0
part cold || { JDK_COLD_TOKENS=0; NATIVE_COLD_TOKENS=0; COLD_ROUNDS=0; JDK_JIT_TOKENS=0; NATIVE_JIT_TOKENS=0; }
part flood || FLOOD_ROUNDS=0
TOTAL_TOKENS=$(( (JDK_COLD_TOKENS + NATIVE_COLD_TOKENS) * COLD_ROUNDS + JDK_JIT_TOKENS + NATIVE_JIT_TOKENS
  + FLOOD_NEW_TOKENS * FLOOD_ROUNDS * 2 ))
PATH_UNDER_TEST=/api/organizations/k8ms2q5vnd0r/members
BASE=http://127.0.0.1:$PORT

[ -f "$JAR" ] || { echo "missing $JAR: ./mvnw -B -q -pl benchmarks -am package -DskipTests" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not found (Debian: apt-get install -y wrk)" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
echo "minting $TOTAL_TOKENS tokens and starting the server on CPU $SERVER_CPU ..."
taskset -c "$SERVER_CPU" java -Xms512m -Xmx512m ${SERVER_OPTS:-} -cp "$JAR" dev.orgtoken.bench.http.HttpBenchServer \
  --port "$PORT" --out "$OUT" --cold-tokens "$TOTAL_TOKENS" > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  [ -f "$OUT/ready" ] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$OUT/server.log"; exit 1; }
  sleep 1
done
[ -f "$OUT/ready" ] || { echo "server did not start" >&2; exit 1; }
grep -E 'minted|listening|verification stage' "$OUT/server.log"

WARM_HEADER="Authorization: Bearer $(tr -d '\n' < "$OUT/warm.token")"
FORGED_HEADER="Authorization: Bearer $(tr -d '\n' < "$OUT/forged.token")"
# Disjoint slices of the token file, handed out in order: no token is ever sent to us twice.
NEXT_TOKEN=1
slice() {  # count file
  sed -n "${NEXT_TOKEN},$(( NEXT_TOKEN + $1 - 1 ))p" "$OUT/cold.tokens" > "$2"
  NEXT_TOKEN=$(( NEXT_TOKEN + $1 ))
}

TICKS=$(getconf CLK_TCK)
cpu_ticks() { sed 's/.*) //' "/proc/$SERVER/stat" | awk '{ print $12 + $13 }'; }   # utime + stime
# The server's core: busy and total ticks (user nice system idle iowait irq softirq steal).
core_ticks() { awk -v c="cpu$SERVER_CPU" '$1 == c { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
other_cpu() {  # "busy0 total0" "busy1 total1" server-ticks0 server-ticks1 -> % of the core used by others
  awk -v a="$1" -v b="$2" -v s0="$3" -v s1="$4" 'BEGIN { split(a, x, " "); split(b, y, " ");
    t = y[2] - x[2]; o = (y[1] - x[1]) - (s1 - s0); if (o < 0) o = 0; printf "%.1f%%", (t > 0 ? 100 * o / t : 0) }'
}
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

declare -A RPS CPU P50 P99 NOTE OTHER
measure() {  # name context header|tokens-file [measured tokens-file, when the warm-up gets its own]
  local name=$1 context=$2 source=$3 measured=${4:-$3} hits0 miss0 nhits0 nmiss0 ticks0 core0 ticks1
  wrk_run "$name-warmup" "$WARMUP" "$context" "$source" > /dev/null
  hits0=$(counter ours.hits); miss0=$(counter ours.misses); nhits0=$(counter native.hits); nmiss0=$(counter native.misses)
  ticks0=$(cpu_ticks); core0=$(core_ticks)
  RPS[$name]=$(wrk_run "$name" "$DURATION" "$context" "$measured")
  ticks1=$(cpu_ticks)
  OTHER[$name]=$(other_cpu "$core0" "$(core_ticks)" "$ticks0" "$ticks1")
  CPU[$name]=$(cpu_per_request "$ticks0" "$ticks1" "$name")
  P50[$name]=$(awk '$1 == "50%" { print $2 }' "$OUT/$name.txt")
  P99[$name]=$(awk '$1 == "99%" { print $2 }' "$OUT/$name.txt")
  NOTE[$name]="token cache: ours $(( $(counter ours.hits) - hits0 )) hits / $(( $(counter ours.misses) - miss0 )) misses, native $(( $(counter native.hits) - nhits0 )) hits / $(( $(counter native.misses) - nmiss0 )) misses"
  printf '%-20s %9s req/s  server CPU %7s us/req  p50 %-8s p99 %-8s other CPU %-6s %s\n' "$name" "${RPS[$name]}" \
    "${CPU[$name]}" "${P50[$name]}" "${P99[$name]}" "${OTHER[$name]}" "${NOTE[$name]}"
}

# Flood: the warm case, a forged-token flood and a trickle of legitimate new tokens, all at once,
# each from its own wrk on the client core. Records the warm case's req/s and latency, the
# flood's answers, and what the new tokens got (non-2xx count and latency).
declare -A FLOOD_NEW FLOOD_RPS
flood() {  # name context new-tokens-file
  local name=$1 context=$2 tokens=$3 ticks0 core0 ticks1 busy0
  busy0=$(counter ours.busy)
  ticks0=$(cpu_ticks); core0=$(core_ticks)
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$FLOOD_CONNECTIONS" -d"${DURATION}s" --latency -H "$FORGED_HEADER" \
    "$BASE/$context$PATH_UNDER_TEST" > "$OUT/$name-forged.txt" &
  local forged=$!
  taskset -c "$CLIENT_CPU" wrk -t1 -c2 -d"${DURATION}s" --latency -s benchmarks/cold.lua \
    "$BASE/$context$PATH_UNDER_TEST" -- "$tokens" > "$OUT/$name-new.txt" &
  local fresh=$!
  RPS[$name]=$(wrk_run "$name" "$DURATION" "$context" "$WARM_HEADER")
  wait "$forged" "$fresh"
  ticks1=$(cpu_ticks)
  OTHER[$name]=$(other_cpu "$core0" "$(core_ticks)" "$ticks0" "$ticks1")
  P50[$name]=$(awk '$1 == "50%" { print $2 }' "$OUT/$name.txt")
  P99[$name]=$(awk '$1 == "99%" { print $2 }' "$OUT/$name.txt")
  FLOOD_RPS[$name]=$(awk '/Requests\/sec/ { print $2 }' "$OUT/$name-forged.txt")
  local new_total new_bad
  new_total=$(awk '/requests in/ { print $1 }' "$OUT/$name-new.txt")
  new_bad=$(awk '/Non-2xx/ { print $NF }' "$OUT/$name-new.txt"); new_bad=${new_bad:-0}
  FLOOD_NEW[$name]="$new_total new tokens sent, $new_bad refused (p50 $(awk '$1 == "50%" { print $2 }' "$OUT/$name-new.txt"), p99 $(awk '$1 == "99%" { print $2 }' "$OUT/$name-new.txt"))"
  printf '%-20s %9s req/s warm  p50 %-8s p99 %-8s other CPU %-6s forged %s req/s; %s; stage refusals %s\n' "$name" \
    "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" "${OTHER[$name]}" "${FLOOD_RPS[$name]}" "${FLOOD_NEW[$name]}" \
    "$(( $(counter ours.busy) - busy0 ))"
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
# Cold JIT warm-up pass: the warm pass above never runs our cold path (every request hits the
# cache), so without this the first cold round's first case paid for compiling it (ours-cold-1 at
# 0.78 of its later rounds in one run).
if [ "$COLD_ROUNDS" -gt 0 ]; then
  echo "cold JIT warm-up pass: ours, spring, raw, ours-native, raw-native for $(( WARMUP * 3 ))s each ..."
  slice "$JDK_JIT_TOKENS" "$OUT/jdk-jit.tokens"
  slice "$NATIVE_JIT_TOKENS" "$OUT/native-jit.tokens"
  for context in ours spring raw; do
    wrk_run "jit-cold-$context" $(( WARMUP * 3 )) "$context" "$OUT/jdk-jit.tokens" > /dev/null
  done
  for context in ours-native raw-native; do
    wrk_run "jit-cold-$context" $(( WARMUP * 3 )) "$context" "$OUT/native-jit.tokens" > /dev/null
  done
fi
# Cold rounds: ours, ours-native, spring and raw, in alternating order; each of ours' runs (warm-up
# and measured) gets a fresh slice of tokens, and Spring and raw, which cache nothing, replay ours'.
for round in $(seq "$COLD_ROUNDS"); do
  slice $(( JDK_COLD_TOKENS * WARMUP / (WARMUP + DURATION) )) "$OUT/jdk-$round.warmup"
  slice $(( JDK_COLD_TOKENS * DURATION / (WARMUP + DURATION) )) "$OUT/jdk-$round.measure"
  slice $(( NATIVE_COLD_TOKENS * WARMUP / (WARMUP + DURATION) )) "$OUT/native-$round.warmup"
  slice $(( NATIVE_COLD_TOKENS * DURATION / (WARMUP + DURATION) )) "$OUT/native-$round.measure"
  order="ours native spring raw rawnative"
  (( round % 2 )) || order="rawnative raw spring native ours"
  for c in $order; do
    case $c in
      ours) measure "ours-cold-$round" ours "$OUT/jdk-$round.warmup" "$OUT/jdk-$round.measure" ;;
      native) measure "ours-native-cold-$round" ours-native "$OUT/native-$round.warmup" "$OUT/native-$round.measure" ;;
      spring) measure "spring-cold-$round" spring "$OUT/jdk-$round.warmup" "$OUT/jdk-$round.measure" ;;
      raw) measure "raw-cold-$round" raw "$OUT/jdk-$round.warmup" "$OUT/jdk-$round.measure" ;;
      rawnative) measure "raw-native-cold-$round" raw-native "$OUT/native-$round.warmup" "$OUT/native-$round.measure" ;;
    esac
  done
done
# Flood rounds: each side's warm case alone, then under the flood, ours and Spring alternating.
for round in $(seq "$FLOOD_ROUNDS"); do
  slice "$FLOOD_NEW_TOKENS" "$OUT/flood-ours-$round.tokens"
  slice "$FLOOD_NEW_TOKENS" "$OUT/flood-spring-$round.tokens"
  order="ours spring"
  (( round % 2 )) || order="spring ours"
  for c in $order; do
    measure "$c-alone-$round" "$c" "$WARM_HEADER"
    flood "$c-flood-$round" "$c" "$OUT/flood-$c-$round.tokens"
  done
done
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
{
  echo "| case | requests/s (median) | range | server CPU per request, us (median) |"
  echo "|---|---:|---:|---:|"
  if part warm; then
    for c in open noop ours-warm spring-warm; do
      [ -n "${RPS[$c-1]:-}" ] || continue
      echo "| $c | $(median $(values $c RPS)) (of $ROUNDS) | $(range $(values $c RPS)) | $(median $(values $c CPU)) |"
    done
  fi
  if part cold; then
    for c in ours-cold ours-native-cold spring-cold raw-cold raw-native-cold; do
      cv=$(for r in $(seq "$COLD_ROUNDS"); do echo "${RPS[$c-$r]}"; done)
      cc=$(for r in $(seq "$COLD_ROUNDS"); do echo "${CPU[$c-$r]}"; done)
      echo "| $c | $(median $cv) (of $COLD_ROUNDS) | $(range $cv) | $(median $cc) |"
    done
  fi
  echo
  echo "Per-round ratios (each from runs seconds apart in the same round):"
  if part warm; then
    WARM_OPEN=$(per_round ours-warm open RPS)
    WARM_OPEN_CPU=$(per_round ours-warm open CPU)
    WARM_NOOP=$(per_round ours-warm noop RPS)
    NOOP_OPEN=$(per_round noop open RPS)
    echo "- warm ours / open, throughput: median $(median $WARM_OPEN), range $(range $WARM_OPEN) (target >= 0.95)"
    echo "- warm ours / open, by server CPU per request: median $(median $WARM_OPEN_CPU), range $(range $WARM_OPEN_CPU)"
    echo "- noop filter / open (the container's filter chain and wrapper alone): median $(median $NOOP_OPEN), range $(range $NOOP_OPEN)"
    echo "- warm ours / noop filter: median $(median $WARM_NOOP), range $(range $WARM_NOOP)"
    if [ "$WARM_ONLY" != 1 ]; then
      WARM_SPRING=$(per_round ours-warm spring-warm RPS)
      echo "- warm ours / spring: median $(median $WARM_SPRING), range $(range $WARM_SPRING) (target >= 10)"
    fi
  fi
  if part cold; then
    cold_ratio() { local r; for r in $(seq "$COLD_ROUNDS"); do ratio "${RPS[$1-$r]}" "${RPS[$2-$r]}"; echo; done; }
    COLD_RAW=$(cold_ratio ours-cold raw-cold)
    COLD_SPRING=$(cold_ratio ours-cold spring-cold)
    COLD_NATIVE=$(cold_ratio ours-native-cold ours-cold)
    NATIVE_RAW=$(cold_ratio ours-native-cold raw-native-cold)
    RAW_NATIVE=$(cold_ratio raw-native-cold raw-cold)
    echo "- cold ours / raw JDK signature check: median $(median $COLD_RAW), range $(range $COLD_RAW) (target >= 0.90)"
    echo "- cold ours / spring: median $(median $COLD_SPRING), range $(range $COLD_SPRING) (target >= 1.0)"
    echo "- cold ours-native / ours: median $(median $COLD_NATIVE), range $(range $COLD_NATIVE) (target >= 8)"
    echo "- cold ours-native / raw ACCP signature check: median $(median $NATIVE_RAW), range $(range $NATIVE_RAW)"
    echo "- raw ACCP / raw JDK signature check over HTTP (the ceiling of ours-native / ours): median $(median $RAW_NATIVE), range $(range $RAW_NATIVE)"
  fi
  if part flood; then
    FLOOD_OURS=$(for r in $(seq "$FLOOD_ROUNDS"); do ratio "${RPS[ours-flood-$r]}" "${RPS[ours-alone-$r]}"; echo; done)
    FLOOD_SPRING=$(for r in $(seq "$FLOOD_ROUNDS"); do ratio "${RPS[spring-flood-$r]}" "${RPS[spring-alone-$r]}"; echo; done)
    echo "- warm under a $FLOOD_CONNECTIONS-connection forged-token flood / warm alone, ours: median $(median $FLOOD_OURS), range $(range $FLOOD_OURS) (target >= 0.80)"
    echo "- the same for Spring: median $(median $FLOOD_SPRING), range $(range $FLOOD_SPRING)"
    for r in $(seq "$FLOOD_ROUNDS"); do
      echo "- round $r: ours ${FLOOD_NEW[ours-flood-$r]}; Spring ${FLOOD_NEW[spring-flood-$r]}"
    done
  fi
  if [ "$WARM_ONLY" = 1 ]; then
    echo "- JWKS requests during the whole run: $(counter jwks.requests) (only /ours was exercised)"
  else
    echo "- JWKS requests during the whole run: $(counter jwks.requests) (ours, ours-native and Spring fetch once each; Spring's JWK-set cache expires after 5 min)"
  fi
} | tee "$OUT/summary.md"
