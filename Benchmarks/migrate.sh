#!/usr/bin/env bash
# The migrate-store benchmark (issue 16): an installation's SQLite store made by the poll
# benchmark's cold cycle (FEEDS feeds of 20 items served by nginx on 127.0.0.1: 200,000 items at
# the default 10,000), copied by `feedwatch migrate-store --to postgresql://…` into a throwaway
# PostgreSQL cluster (fsync on, as in production; Unix socket), then a `once --all` on the
# PostgreSQL store that must alert nothing new. Prints the copy's wall, user and system time and
# peak memory (the client's; the server's CPU is not in it), and the alerts before and after.
#
#   Benchmarks/migrate.sh            (after make build; needs nginx-light, postgresql, time)
#   FEEDS=2000 REPEAT=3 Benchmarks/migrate.sh
#   FEEDWATCH_BIN_B=/path/to/other/feedwatch Benchmarks/migrate.sh   (A/B: copies alternate A, B, A, B…)
set -euo pipefail
cd "$(dirname "$0")/.."
FEEDS=${FEEDS:-10000}
PORT=${PORT:-18083}
REPEAT=${REPEAT:-2}
WORK=${WORK:-/tmp/feedwatch-migratebench}
BIN=$(realpath "${FEEDWATCH_BIN:-.build/release/feedwatch}")
BIN_B=${FEEDWATCH_BIN_B:+$(realpath "$FEEDWATCH_BIN_B")}
mkdir -p "$WORK"
source Benchmarks/lib.sh
feeds_in "$WORK/feeds"
start_nginx "$WORK/feeds"
start_pg


# The SQLite store, once: the poll benchmark's cold cycle.
rm -f "$WORK"/state.sqlite* "$WORK/alerts.jsonl"
bench_config "$WORK/state.sqlite" > "$WORK/sqlite.yaml"
"$BIN" once --all --config "$WORK/sqlite.yaml" 2>"$WORK/cold.log" || true
echo "SQLite store: $(du -m "$WORK/state.sqlite" | cut -f1) MB, $(wc -l < "$WORK/alerts.jsonl") alerts delivered; $(tail -1 "$WORK/cold.log")"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

run=0
for i in $(seq "$REPEAT"); do
  for bin in "$BIN" ${BIN_B:+"$BIN_B"}; do
    run=$((run + 1))
    db="moved$run"
    psql -d postgres -c "CREATE DATABASE $db" >/dev/null
    uri="postgresql://postgres@/$db?host=$WORK/pg"
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$bin" migrate-store --config "$WORK/sqlite.yaml" --to "$uri" > "$WORK/copied" 2>"$WORK/copy.err" || { cat "$WORK/copy.err"; exit 1; }
    read -r wall user sys rss < "$WORK/t"
    before=$(wc -l < "$WORK/alerts.jsonl")
    bench_config "$uri" > "$WORK/pg.yaml"
    "$bin" once --all --config "$WORK/pg.yaml" 2>"$WORK/after.log" || true
    after=$(wc -l < "$WORK/alerts.jsonl")
    printf '%s  copy: %ss wall, %ss user, %ss sys, %d MB peak  |  once afterwards: %d new alerts (%s)  |  load %s\n' \
      "$bin" "$wall" "$user" "$sys" $((rss / 1024)) $((after - before)) \
      "$(tail -1 "$WORK/after.log")" "$(cut -d' ' -f1 /proc/loadavg)"
    psql -d postgres -c "DROP DATABASE $db" >/dev/null
  done
done
cat "$WORK/copied"
