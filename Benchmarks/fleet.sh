#!/usr/bin/env bash
# The fleet benchmark (issue 16): FEEDS static feeds served by nginx on 127.0.0.1 (as poll.sh
# does), polled cold and warm by `feedwatch once` on the SQLite store, on PostgreSQL with one
# node, and on PostgreSQL with three nodes at once (three processes, one store: each claims its
# share). PostgreSQL is a throwaway cluster in $WORK/pg on a Unix socket (fsync on, as in
# production). Also compares what one node and three nodes stored: items, alerts, stories.
#
#   Benchmarks/fleet.sh            (after make build; needs nginx-light, postgresql, time)
#   FEEDS=10000 Benchmarks/fleet.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FEEDS=${FEEDS:-2000}
PORT=${PORT:-18081}
WORK=${WORK:-/tmp/feedwatch-fleetbench}
BIN=$(realpath "${FEEDWATCH_BIN:-.build/release/feedwatch}")
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p "$WORK"
if [ "$(ls "$WORK/feeds" 2>/dev/null | wc -l)" != "$FEEDS" ]; then
  rm -rf "$WORK/feeds"
  python3 Benchmarks/make_feeds.py "$FEEDS" "$WORK/feeds"
fi

cat > "$WORK/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  types { application/rss+xml xml; }
  server { listen 127.0.0.1:$PORT; root $WORK/feeds; if_modified_since before; }
}
NGINX
nginx -c "$WORK/nginx.conf"

# PostgreSQL as an unprivileged user (root: the postgres user), in $WORK/pg.
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
rm -rf "$WORK/pg"; mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
as_pg "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust >/dev/null
printf "listen_addresses = ''\nunix_socket_directories = '%s'\nmax_connections = 100\n" "$WORK/pg" >> "$WORK/pg/data/postgresql.conf"
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w start >/dev/null
trap 'kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null || true' EXIT
psql() { "$PGBIN/psql" -h "$WORK/pg" -U postgres -At "$@"; }

config() {  # $1: state; the config on stdout
  cat <<YAML
state: $1
first_fetch_window: all
poll: {interval: 1h, concurrency: 32, per_host: 32, timeout: 60s}
topics:
  facial-recognition: '"facial recognition" OR "face recognition" OR "face surveillance"'
  police: 'police OR policing OR "law enforcement"'
  police-face-surveillance: '("facial recognition" OR "face recognition") AND (police OR "law enforcement") NOT "face id"'
sinks:
  - file: {path: $WORK/alerts.jsonl}
feeds:
YAML
  for f in "$WORK"/feeds/*.xml; do echo "  - url: http://127.0.0.1:$PORT/$(basename "$f")"; done
}
timed() { /usr/bin/time -f "%e" -o "$WORK/t" "$@" 2>/dev/null || true; cat "$WORK/t"; }

rm -f "$WORK"/state.sqlite* "$WORK/alerts.jsonl"
config "$WORK/state.sqlite" > "$WORK/sqlite.yaml"
sqlite_cold=$(timed "$BIN" once --all --config "$WORK/sqlite.yaml")
sqlite_warm=$(timed "$BIN" once --all --config "$WORK/sqlite.yaml")

for db in one three; do psql -d postgres -c "CREATE DATABASE $db" >/dev/null; done
uri() { echo "postgresql://postgres@/$1?host=$WORK/pg"; }
config "$(uri one)" > "$WORK/one.yaml"
config "$(uri three)" > "$WORK/three.yaml"
pg1_cold=$(timed "$BIN" once --all --config "$WORK/one.yaml")
pg1_warm=$(timed "$BIN" once --all --config "$WORK/one.yaml")

three() {  # three nodes at once; seconds until the last is done
  local t0 t1; t0=$(date +%s.%N)
  for n in a b c; do FEEDWATCH_NODE=$n "$BIN" once --config "$WORK/three.yaml" 2>"$WORK/node-$n.log" & done
  wait; t1=$(date +%s.%N)
  python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$t0" "$t1"
}
pg3_cold=$(three)
psql -d three -c "UPDATE feeds SET next_due_at = 0" >/dev/null   # every feed due again
pg3_warm=$(three)

counts() { psql -d "$1" -c "SELECT (SELECT count(*) FROM items) || ' items, ' || (SELECT count(*) FROM alerts) || ' alerts, ' || (SELECT count(*) FROM stories) || ' stories'"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $FEEDS feeds"
echo
echo "| store | cold \`once\` s | warm (all 304) s |"
echo "|---|---|---|"
echo "| SQLite | $sqlite_cold | $sqlite_warm |"
echo "| PostgreSQL, 1 node | $pg1_cold | $pg1_warm |"
echo "| PostgreSQL, 3 nodes at once | $pg3_cold | $pg3_warm |"
echo
echo "1 node stored: $(counts one); 3 nodes stored: $(counts three)"
