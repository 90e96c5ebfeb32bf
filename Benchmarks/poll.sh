#!/usr/bin/env bash
# The poll benchmark (issue 4): FEEDS static feeds (~30 KB, 20 items each, default 10,000) served
# by nginx on 127.0.0.1, polled by `feedwatch once --all`, against the floor measured in the same
# run: curl fetching the same URLs 32 at a time, plus xmllint parsing the same files.
#
#   Benchmarks/poll.sh            (after make build; needs nginx-light, curl, libxml2-utils, time)
#   FEEDS=2000 REPEAT=5 Benchmarks/poll.sh   (each figure is the median of REPEAT runs, default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
FEEDS=${FEEDS:-10000}
PORT=${PORT:-18080}
WORK=${WORK:-/tmp/feedwatch-pollbench}
BIN=${FEEDWATCH_BIN:-.build/release/feedwatch}
mkdir -p "$WORK"

source Benchmarks/lib.sh
feeds_in "$WORK/feeds"
corpus=$(du -sm "$WORK/feeds" | cut -f1)
start_nginx "$WORK/feeds"

: > "$WORK/curl.cfg"
now=$(date -u '+%a, %d %b %Y %H:%M:%S GMT')
for f in "$WORK"/feeds/*.xml; do
  printf 'url = "%s"\noutput = "/dev/null"\n' "http://127.0.0.1:$PORT/$(basename "$f")" >> "$WORK/curl.cfg"
done
bench_config "$WORK/state.sqlite" > "$WORK/feedwatch.yaml"
seconds() { python3 -c 'import sys,time; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }
stamp() { date +%s.%N; }
median() { python3 -c 'import sys,statistics; print("%.2f" % statistics.median(map(float, sys.argv[1:])))' "$@"; }

# Each measurement REPEAT times (default 3), interleaved, and the median kept: on a small shared
# machine a single run can be off by half (nginx shares the two cores with what it serves).
REPEAT=${REPEAT:-3}
curls=() xmllints=() colds=() curl304s=() warms=() cold_kb=0 warm_kb=0
for _ in $(seq "$REPEAT"); do
  rm -f "$WORK/state.sqlite"* "$WORK/alerts.jsonl"
  t0=$(stamp); curl --parallel --parallel-max 32 --no-progress-meter -K "$WORK/curl.cfg"; t1=$(stamp)
  curls+=("$(seconds "$t0" "$t1")")
  t0=$(stamp); find "$WORK/feeds" -name '*.xml' -print0 | xargs -0 -n 2000 xmllint --noout; t1=$(stamp)
  xmllints+=("$(seconds "$t0" "$t1")")

  /usr/bin/time -f "%e %M" -o "$WORK/cold.time" "$BIN" once --all --config "$WORK/feedwatch.yaml" || true
  read -r s kb < "$WORK/cold.time"
  colds+=("$s"); cold_kb=$(( kb > cold_kb ? kb : cold_kb ))

  # One header for every URL (a per-URL `header` line in a curl config accumulates instead).
  t0=$(stamp); curl --parallel --parallel-max 32 --no-progress-meter -H "If-Modified-Since: $now" -K "$WORK/curl.cfg"; t1=$(stamp)
  curl304s+=("$(seconds "$t0" "$t1")")
  /usr/bin/time -f "%e %M" -o "$WORK/warm.time" "$BIN" once --all --config "$WORK/feedwatch.yaml" || true
  read -r s kb < "$WORK/warm.time"
  warms+=("$s"); warm_kb=$(( kb > warm_kb ? kb : warm_kb ))
done
echo "runs: curl ${curls[*]}; xmllint ${xmllints[*]}; cold ${colds[*]}; curl conditional ${curl304s[*]}; warm ${warms[*]}"
curl_s=$(median "${curls[@]}") xmllint_s=$(median "${xmllints[@]}") cold_s=$(median "${colds[@]}")
curl304_s=$(median "${curl304s[@]}") warm_s=$(median "${warms[@]}")

items=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from items').fetchone()[0])" "$WORK/state.sqlite")
alerts=$(wc -l < "$WORK/alerts.jsonl")

# An idle daemon: every feed polled a moment ago, none due for an hour.
"$BIN" run --config "$WORK/feedwatch.yaml" 2>/dev/null &
pid=$!
sleep 3
ticks0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep 10
ticks1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
kill -TERM "$pid"; wait "$pid" || true
idle_pct=$(python3 -c "import os,sys; print('%.2f' % ((int(sys.argv[2]) - int(sys.argv[1])) / os.sysconf('SC_CLK_TCK') / 10 * 100))" "$ticks0" "$ticks1")

floor=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) + float(sys.argv[2])))" "$curl_s" "$xmllint_s")
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $FEEDS feeds, $corpus MB"
echo
echo "| run | seconds | reference | ratio | peak RSS |"
echo "|---|---|---|---|---|"
echo "| cold \`once --all\` ($items items stored, $alerts alerts) | $cold_s | curl $curl_s + xmllint $xmllint_s = $floor | $(ratio "$cold_s" "$floor")× | $((cold_kb / 1024)) MB |"
echo "| second \`once --all\` (all 304) | $warm_s | curl conditional $curl304_s | $(ratio "$warm_s" "$curl304_s")× | $((warm_kb / 1024)) MB |"
echo "| idle \`run\`, 10 s | CPU $idle_pct % of one core | | | |"
