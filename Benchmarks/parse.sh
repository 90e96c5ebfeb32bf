#!/usr/bin/env bash
# Times `feedwatch parse --format json` against `xmllint --stream --noout` (raw libxml2 streaming,
# no work done: the floor) on the same ~5 MB RSS and Atom documents, in the same run.
#   Benchmarks/parse.sh [runs]     default 21 runs each, interleaved so load drift hits both alike
# Reports median and best wall-time ratios, peak RSS (GNU time), and — when valgrind is installed —
# the ratio of instructions executed (callgrind), which does not depend on machine load.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
bin=${FEEDWATCH_BIN:-.build/release/feedwatch}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
command -v xmllint >/dev/null || { echo "xmllint missing: apt-get install libxml2-utils" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time missing: apt-get install time" >&2; exit 1; }
python3 Benchmarks/make_corpus.py Benchmarks/data
python3 - "$bin" "$runs" <<'PY'
import os, re, shutil, statistics, subprocess, sys, tempfile, time
bin, runs = sys.argv[1], int(sys.argv[2])

def once(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t

def peak_kb(cmd):
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    return int(r.stderr.strip().splitlines()[-1])

def instructions(cmd):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        for line in open(out):
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    return None

cpu = open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()
print(f"machine: {os.cpu_count()} cores, {cpu}; {runs} interleaved runs each")
print()
print("| document | size | xmllint --stream (median) | feedwatch parse (median) | ratio median | ratio best | instructions ratio | peak RSS | RSS / size |")
print("|---|---|---|---|---|---|---|---|---|")
for name in ("rss2-5mb.xml", "atom-5mb.xml"):
    path = f"Benchmarks/data/{name}"
    size = os.path.getsize(path)
    ours = [bin, "parse", path, "--format", "json"]
    ref = ["xmllint", "--stream", "--noout", path]
    once(ours); once(ref)  # warm the page cache
    t_ref, t_ours = [], []
    for _ in range(runs):
        t_ref.append(once(ref))
        t_ours.append(once(ours))
    med_ref, med_ours = statistics.median(t_ref), statistics.median(t_ours)
    ins = "n/a"
    if shutil.which("valgrind"):
        i_ours, i_ref = instructions(ours), instructions(ref)
        if i_ours and i_ref:
            ins = f"{i_ours / i_ref:.2f}× ({i_ours / 1e6:.0f}M / {i_ref / 1e6:.0f}M)"
    rss = peak_kb(ours)
    print(f"| {name} | {size / 1e6:.2f} MB | {med_ref * 1000:.1f} ms | {med_ours * 1000:.1f} ms | {med_ours / med_ref:.2f}× | "
          f"{min(t_ours) / min(t_ref):.2f}× | {ins} | {rss / 1024:.1f} MB | {rss * 1024 / size:.2f}× |")
PY
