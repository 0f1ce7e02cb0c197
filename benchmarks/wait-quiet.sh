#!/usr/bin/env bash
# Waits until the machine is quiet enough for final figures: no Maven test JVMs (surefire or
# failsafe) and a 1-minute load average below LOAD (default 0.7). Polls every 30 s for at most
# MAX_MINUTES (default 20). Exit status 0 when quiet, 1 when it gave up (run anyway and say so).
LOAD=${LOAD:-0.7}
MAX_MINUTES=${MAX_MINUTES:-20}
deadline=$(( $(date +%s) + MAX_MINUTES * 60 ))
while :; do
  load=$(cut -d' ' -f1 /proc/loadavg)
  tests=$(pgrep -f '[s]urefirebooter|[f]ailsafe' | wc -l)
  echo "$(date +%T) load $load, test JVMs $tests"
  if [ "$tests" -eq 0 ] && awk -v l="$load" -v max="$LOAD" 'BEGIN { exit !(l < max) }'; then
    exit 0
  fi
  [ "$(date +%s)" -ge "$deadline" ] && { echo "not quiet after $MAX_MINUTES minutes"; exit 1; }
  sleep 30
done
