#!/usr/bin/env bash
# The fleet benchmark (issue 16): FEEDS static feeds served by nginx on 127.0.0.1 (as poll.sh
# does), polled cold and warm by `feedwatch once` on the SQLite store, on PostgreSQL with one
# node, and on PostgreSQL with three nodes at once (three processes, one store: each claims its
# share). PostgreSQL is a throwaway cluster in $WORK/pg on a Unix socket (fsync on, as in
# production). Also compares what one node and three nodes stored: items, alerts, stories.
# Each figure is wall seconds, then CPU seconds (user+sys) and peak RSS of feedwatch (for three
# nodes: their sum and the largest), the PostgreSQL server's CPU seconds over the same run, and
# the most connections a node held (sampled every 0.1 s from pg_stat_activity).
#
#   Benchmarks/fleet.sh            (after make build; needs nginx-light, postgresql, time)
#   FEEDS=10000 Benchmarks/fleet.sh
#   STORES="one" PGSTATS=1 KEEP=1 Benchmarks/fleet.sh   (only some stores; pg_stat_statements'
#                                  top statements printed; the cluster left running to inspect)
set -euo pipefail
cd "$(dirname "$0")/.."
FEEDS=${FEEDS:-2000}
PORT=${PORT:-18081}
WORK=${WORK:-/tmp/feedwatch-fleetbench}
BIN=$(realpath "${FEEDWATCH_BIN:-.build/release/feedwatch}")
STORES=${STORES:-sqlite one three}
PGSTATS=${PGSTATS:-0}
KEEP=${KEEP:-0}
mkdir -p "$WORK"
source Benchmarks/lib.sh
feeds_in "$WORK/feeds"
start_nginx "$WORK/feeds"

# Configured as a modest production server would be (the defaults are sized for a laptop in
# 2005): a quarter of a small machine's memory for buffers, checkpoints spread over more WAL.
# Durability as in production: fsync on, synchronous_commit on, full_page_writes on.
conf="max_connections = 100
shared_buffers = 512MB
wal_buffers = 16MB
max_wal_size = 4GB
checkpoint_timeout = 15min
checkpoint_completion_target = 0.9"
[ "$PGSTATS" = 1 ] && conf+=$'\n'"shared_preload_libraries = 'pg_stat_statements'"$'\n'"pg_stat_statements.track = all"
start_pg "$conf"

# Wall s, CPU s (user+sys), peak RSS MB of one command.
timed() {
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$@" 2>>"$WORK/run.log" || true
  awk '{ printf "%.2f | %.2f | %d", $1, $2 + $3, $4 / 1024 }' "$WORK/t"
}
# The most client connections to database $1 at once, sampled while the command after it runs
# (in this shell), into $WORK/conns.max.
connections() {
  local db=$1; shift
  # One psql session for all the samples: a process per sample would cost a share of a core.
  rm -f "$WORK/conns.stop"
  ( while [ ! -e "$WORK/conns.stop" ]; do
      echo "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND backend_type = 'client backend';"; sleep 0.1
    done | psql -d postgres 2>/dev/null ) > "$WORK/conns" &
  local sampler=$!
  "$@"
  touch "$WORK/conns.stop"; wait "$sampler" || true
  sort -n "$WORK/conns" | tail -1 > "$WORK/conns.max"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
# The server's CPU seconds so far: the postmaster's own and its reaped children's (every
# backend, autovacuum worker), and the long-lived helpers' (WAL writer, checkpointer…).
pgcpu() {
  local pm; pm=$(head -1 "$WORK/pg/data/postmaster.pid")
  { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
    for p in $(pgrep -P "$pm"); do awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || true; done
  } | awk -v tck="$(getconf CLK_TCK)" '{ t += $1 } END { printf "%.2f", t / tck }'
}
# Server CPU seconds a command in this shell cost, into $WORK/pgcpu.
server_cpu() {
  local before; before=$(pgcpu)
  "$@"
  python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$before" "$(pgcpu)" > "$WORK/pgcpu"
}
has() { case " $STORES " in *" $1 "*) return 0;; esac; return 1; }
rm -f "$WORK"/state.sqlite* "$WORK/alerts.jsonl" "$WORK/run.log" "$WORK"/node-*.log
sqlite_cold="- | - | - | –" sqlite_warm="- | - | - | –" pg1_cold="- | - | - | -" pg1_warm="- | - | - | -" pg3_cold="- | - | - | -" pg3_warm="- | - | - | -"
c1_cold=- c1_warm=- c3_cold=- c3_warm=-
if has sqlite; then
  bench_config "$WORK/state.sqlite" > "$WORK/sqlite.yaml"
  sqlite_cold="$(timed "$BIN" once --all --config "$WORK/sqlite.yaml") | –"
  sqlite_warm="$(timed "$BIN" once --all --config "$WORK/sqlite.yaml") | –"
fi

for db in one three; do psql -d postgres -c "CREATE DATABASE $db" >/dev/null; done
[ "$PGSTATS" = 1 ] && psql -d postgres -c "CREATE EXTENSION pg_stat_statements" >/dev/null
uri() { echo "postgresql://postgres@/$1?host=$WORK/pg"; }
bench_config "$(uri one)" > "$WORK/one.yaml"
bench_config "$(uri three)" > "$WORK/three.yaml"
stats() {  # the statements that took the server's time, then forget them
  [ "$PGSTATS" = 1 ] || return 0
  echo "--- pg_stat_statements: $1" >> "$WORK/stats.txt"
  psql -d postgres -F ' | ' -c "SELECT round(total_exec_time)::int, calls, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 110) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15" >> "$WORK/stats.txt"
  psql -d postgres -c "SELECT pg_stat_statements_reset()" >/dev/null
}
rm -f "$WORK/stats.txt"
if has one; then
  pg1() { pg1_run=$(timed "$BIN" once --all --config "$WORK/one.yaml"); }
  server_cpu connections one pg1; c1_cold=$(cat "$WORK/conns.max"); pg1_cold="$pg1_run | $(cat "$WORK/pgcpu")"; stats "1 node, cold"
  server_cpu connections one pg1; c1_warm=$(cat "$WORK/conns.max"); pg1_warm="$pg1_run | $(cat "$WORK/pgcpu")"; stats "1 node, warm"
fi

three() {  # $1: cold|warm. Three nodes at once: seconds until the last is done | CPU s of all three | largest peak RSS MB
  local t0 t1; t0=$(date +%s.%N)
  local pids=()
  for n in a b c; do FEEDWATCH_NODE=$n /usr/bin/time -f "%e %U %S %M" -o "$WORK/t-$n" "$BIN" once --config "$WORK/three.yaml" 2>"$WORK/node-$n-$1.log" & pids+=($!); done
  wait "${pids[@]}" || true; t1=$(date +%s.%N)
  pg3_run=$(cat "$WORK"/t-[abc] | awk -v wall="$(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$t0" "$t1")" \
    '{ cpu += $2 + $3; if ($4 > rss) rss = $4 } END { printf "%.2f | %.2f | %d", wall, cpu, rss / 1024 }')
}
if has three; then
  server_cpu connections three three cold; c3_cold=$(cat "$WORK/conns.max"); pg3_cold="$pg3_run | $(cat "$WORK/pgcpu")"; stats "3 nodes, cold"
  psql -d three -c "UPDATE feeds SET next_due_at = 0" >/dev/null   # every feed due again
  server_cpu connections three three warm; c3_warm=$(cat "$WORK/conns.max"); pg3_warm="$pg3_run | $(cat "$WORK/pgcpu")"; stats "3 nodes, warm"
fi

counts() { psql -d "$1" -c "SELECT (SELECT count(*) FROM items) || ' items, ' || (SELECT count(*) FROM alerts) || ' alerts, ' || (SELECT count(*) FROM stories) || ' stories'"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $FEEDS feeds"
echo
echo "load average before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| store | cold s | cold CPU s | cold peak RSS MB | cold server CPU s | warm (all 304) s | warm CPU s | warm peak RSS MB | warm server CPU s | connections per node (cold / warm) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
echo "| SQLite | $sqlite_cold | $sqlite_warm | – |"
echo "| PostgreSQL, 1 node | $pg1_cold | $pg1_warm | $c1_cold / $c1_warm |"
# Three nodes' connections: the most at once over all three, per node.
per3() { [ "$1" = - ] && echo - || python3 -c "import sys; print('%.1f' % (int(sys.argv[1]) / 3))" "$1"; }
echo "| PostgreSQL, 3 nodes at once | $pg3_cold | $pg3_warm | $(per3 "$c3_cold") / $(per3 "$c3_warm") |"
echo
echo "1 node stored: $(has one && counts one); 3 nodes stored: $(has three && counts three)"
[ -s "$WORK/stats.txt" ] && cat "$WORK/stats.txt"
grep -H "placement" "$WORK"/node-*.log 2>/dev/null | sed "s|^$WORK/||" || true
