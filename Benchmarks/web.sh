#!/usr/bin/env bash
# The web page's costs (issue 17): idle memory of `run` with and without `http:`, `parse`'s peak
# memory, and request latency of `/` and `/metrics` over a store of a few hundred stories.
#
#   Benchmarks/web.sh          (after make build; needs wrk and GNU time: `make bench` installs them)
#   BASE_BIN=/path/to/older/feedwatch Benchmarks/web.sh   (parse's peak memory of both binaries)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${FEEDWATCH_BIN:-.build/release/feedwatch}
WORK=${WORK:-/tmp/feedwatch-webbench}
OUTLETS=${OUTLETS:-40}
EVENTS=${EVENTS:-300}
rm -rf "$WORK" && mkdir -p "$WORK"
export FEEDWATCH_WEB_BIN=${FEEDWATCH_WEB_BIN:-$BIN-web}

echo "binary sizes: feedwatch $(stat -c %s "$BIN") bytes, feedwatch-web $(stat -c %s "$FEEDWATCH_WEB_BIN") bytes"

# parse's peak memory (the issue's guard: the server's libraries must not load in other commands).
[ -f Benchmarks/data/rss2-5mb.xml ] || python3 Benchmarks/make_corpus.py Benchmarks/data
doc=Benchmarks/data/rss2-5mb.xml
for b in "$BIN" ${BASE_BIN:+"$BASE_BIN"}; do
  for i in 1 2 3; do /usr/bin/time -f "%M" "$b" parse "$doc" --format json 2>&1 >/dev/null | tail -1; done |
    sort -n | sed -n 2p | xargs -I{} echo "parse $(basename "$doc") peak RSS (median of 3), $b: {} KB"
  for i in 1 2 3; do /usr/bin/time -f "%M" "$b" --version 2>&1 >/dev/null | tail -1; done |
    sort -n | sed -n 2p | xargs -I{} echo "--version peak RSS (median of 3), $b: {} KB"
done

python3 Benchmarks/make_story_feeds.py "$OUTLETS" "$EVENTS" "$WORK/feeds"
config() {  # $1: the http section (or nothing)
  { echo "state: $WORK/fw.sqlite"; echo "first_fetch_window: all"; echo "feeds:"
    for f in "$WORK"/feeds/*.xml; do echo "  - url: $f"; echo "    name: $(basename "$f" .xml)"; done
    echo "topics: {police: police}"; echo "sinks: [{file: {path: $WORK/alerts.jsonl}}]"; echo "$1"; } > "$WORK/fw.yaml"
}
config ""
"$BIN" once --config "$WORK/fw.yaml" >/dev/null
echo "store: $("$BIN" stories --config "$WORK/fw.yaml" --json --limit 100000 | wc -l) stories, $(wc -l < "$WORK/alerts.jsonl") items"

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
# Idle RSS: `run` after its first cycle, asleep until the next poll; with http:, plus its server.
for mode in off on; do
  if [ $mode = on ]; then config "http: {listen: '127.0.0.1:0'}"; else config ""; fi
  "$BIN" run --config "$WORK/fw.yaml" >/dev/null 2>"$WORK/run-$mode.log" &
  pid=$!
  sleep 6
  web=$(pgrep -P $pid || true)
  if [ -n "$web" ]; then
    echo "idle RSS, http: $mode: run $(rss $pid) KB + feedwatch-web $(rss "$web") KB"
  else
    echo "idle RSS, http: $mode: run $(rss $pid) KB"
  fi
  if [ $mode = on ]; then
    port=$(grep -o 'serving http://127.0.0.1:[0-9]*' "$WORK/run-$mode.log" | sed 's/.*://')
    for path in "/" "/metrics" "/api/stories" "/stories.atom"; do
      curl -s -o /dev/null "http://127.0.0.1:$port$path"
      echo "GET $path ($(curl -s "http://127.0.0.1:$port$path" | wc -c) bytes), 1 connection, 10 s:"
      wrk -t1 -c1 -d10s --latency "http://127.0.0.1:$port$path" | grep -E "Latency|50%|99%|Requests/sec"
    done
    echo "idle RSS after the requests: feedwatch-web $(rss "$web") KB"
  fi
  kill $pid; wait $pid || true
done
