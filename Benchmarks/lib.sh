# What the benchmark scripts share: the generated feeds, nginx serving them on 127.0.0.1:$PORT,
# and a throwaway PostgreSQL cluster in $WORK/pg on a Unix socket. Sourced after WORK, PORT and
# FEEDS are set; `cleanup` (the scripts' EXIT trap) stops whatever was started.

# Generates FEEDS feeds into DIR unless it holds that many already (`make_feeds.py` settings, such
# as MATCH_SHARE=1, as extra NAME=VALUE arguments).
feeds_in() {
  local dir=$1; shift
  if [ "$(ls "$dir" 2>/dev/null | wc -l)" != "$FEEDS" ]; then
    rm -rf "$dir"
    env "$@" python3 Benchmarks/make_feeds.py "$FEEDS" "$dir"
  fi
}

# The benchmarks' config over the feeds in $WORK/feeds served on $PORT, its store STATE (a path or
# a postgresql:// URI), alerts to $WORK/alerts.jsonl; on stdout.
bench_config() {
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

# nginx serving ROOT, answering If-Modified-Since as a feed server should (304 when unchanged).
start_nginx() {
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
  server { listen 127.0.0.1:$PORT; root $1; if_modified_since before; }
}
NGINX
  nginx -c "$WORK/nginx.conf"
  started_nginx=1
  sleep 0.5
}

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
# PostgreSQL refuses to run as root: as root, its commands run as the postgres user.
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
psql() { "$PGBIN/psql" -h "$WORK/pg" -U postgres -At "$@"; }

# A fresh cluster in $WORK/pg, reachable only on its socket there; the argument, if any, is added
# to its postgresql.conf.
start_pg() {
  rm -rf "$WORK/pg"; mkdir -p "$WORK/pg"
  [ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
  as_pg "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust >/dev/null
  printf "listen_addresses = ''\nunix_socket_directories = '%s'\n%s\n" "$WORK/pg" "${1:-}" >> "$WORK/pg/data/postgresql.conf"
  as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w start >/dev/null
  started_pg=1
}
stop_pg() { as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null || true; }

cleanup() {
  [ -n "${started_nginx:-}" ] && { kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; }
  [ -n "${started_pg:-}" ] && [ "${KEEP:-0}" != 1 ] && stop_pg
  [ -n "${started_pg:-}" ] && [ "${KEEP:-0}" = 1 ] && echo "cluster left running: psql -h $WORK/pg -U postgres"
  return 0
}
trap cleanup EXIT
