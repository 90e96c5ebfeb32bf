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

as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
rm -rf "$WORK/pg"; mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
as_pg "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust >/dev/null
printf "listen_addresses = ''\nunix_socket_directories = '%s'\n" "$WORK/pg" >> "$WORK/pg/data/postgresql.conf"
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

# The SQLite store, once: the poll benchmark's cold cycle.
rm -f "$WORK"/state.sqlite* "$WORK/alerts.jsonl"
config "$WORK/state.sqlite" > "$WORK/sqlite.yaml"
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
    config "$uri" > "$WORK/pg.yaml"
    "$bin" once --all --config "$WORK/pg.yaml" 2>"$WORK/after.log" || true
    after=$(wc -l < "$WORK/alerts.jsonl")
    printf '%s  copy: %ss wall, %ss user, %ss sys, %d MB peak  |  once afterwards: %d new alerts (%s)  |  load %s\n' \
      "$bin" "$wall" "$user" "$sys" $((rss / 1024)) $((after - before)) \
      "$(tail -1 "$WORK/after.log")" "$(cut -d' ' -f1 /proc/loadavg)"
    psql -d postgres -c "DROP DATABASE $db" >/dev/null
  done
done
cat "$WORK/copied"
