#!/usr/bin/env bash
# What story grouping costs a cycle (issue 14): a cold `feedwatch once --all` over FEEDS generated
# feeds (default 10,000, 20 items each) where every item matches the topic and is grouped, against
# the same cycle over feeds where no item matches. Target: at most 1.3× at 10,000 feeds.
#
#   Benchmarks/story-cost.sh            (after `swift build -c release`; needs nginx-light, time)
#   FEEDS=2000 REPEAT=5 Benchmarks/story-cost.sh   (each figure the median of REPEAT runs, default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
FEEDS=${FEEDS:-10000}
PORT=${PORT:-18081}
WORK=${WORK:-/tmp/feedwatch-storycost}
BIN=${FEEDWATCH_BIN:-.build/release/feedwatch}
REPEAT=${REPEAT:-3}
mkdir -p "$WORK"

source Benchmarks/lib.sh
for kind in none all; do
  share=0; [ "$kind" = all ] && share=1
  feeds_in "$WORK/$kind" MATCH_SHARE=$share
done
start_nginx "$WORK"

for kind in none all; do
  {
    cat <<YAML
state: $WORK/$kind.sqlite
first_fetch_window: all
poll: {interval: 1h, concurrency: 32, per_host: 32, timeout: 60s}
topics:
  facial-recognition: '"facial recognition"'
sinks:
  - file: {path: $WORK/$kind.jsonl}
feeds:
YAML
    for f in "$WORK/$kind"/*.xml; do echo "  - url: http://127.0.0.1:$PORT/$kind/$(basename "$f")"; done
  } > "$WORK/$kind.yaml"
done

median() { python3 -c 'import sys,statistics; print("%.2f" % statistics.median(map(float, sys.argv[1:])))' "$@"; }
declare -A secs peak
for _ in $(seq "$REPEAT"); do
  for kind in none all; do
    rm -f "$WORK/$kind.sqlite"* "$WORK/$kind.jsonl"
    /usr/bin/time -f "%e %M" -o "$WORK/$kind.time" "$BIN" once --all --config "$WORK/$kind.yaml" || true
    read -r s kb < "$WORK/$kind.time"
    secs[$kind]="${secs[$kind]:-} $s"
    peak[$kind]=$(( kb > ${peak[$kind]:-0} ? kb : ${peak[$kind]:-0} ))
  done
done
echo "runs: none${secs[none]}; all${secs[all]}"
none=$(median ${secs[none]}) all=$(median ${secs[all]})
alerts=$(wc -l < "$WORK/all.jsonl")
stories=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from stories').fetchone()[0])" "$WORK/all.sqlite")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $FEEDS feeds"
echo
echo "| cold \`once --all\` | seconds (median of $REPEAT) | peak RSS |"
echo "|---|---|---|"
echo "| no item matches | $none | $((peak[none] / 1024)) MB |"
echo "| every item matches ($alerts alerts, $stories stories) | $all | $((peak[all] / 1024)) MB |"
echo "| ratio | **$(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$all" "$none")×** | |"
