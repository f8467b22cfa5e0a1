#!/usr/bin/env bash
# The issue-12 targets, measured several times over: each round runs the baselines, the two
# hops and the end-to-end burst and paced runs in one test process (so each ratio has its own
# same-run baselines), and the medians over the rounds are printed at the end. One round takes
# about two minutes here; this machine's noise moves single rounds by 10-20%.
# Usage: bench/rounds.sh [rounds] [extra test flags, e.g. -rate 10000]
# (from the repository root; real MariaDB and Redis, by default the local ones; needs python3)
set -euo pipefail
rounds=${1:-5}
shift || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GROUPWATCH_TEST_REDIS_URL=${GROUPWATCH_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
export GROUPWATCH_TEST_MYSQL_DSN=${GROUPWATCH_TEST_MYSQL_DSN:-root@tcp(127.0.0.1:3306)/test}
mysql --protocol=tcp -h127.0.0.1 -uroot -e "CREATE DATABASE IF NOT EXISTS test" 2>/dev/null || true
go test -c -o "$work/bench.test" ./bench
for i in $(seq "$rounds"); do
	(cd bench && "$work/bench.test" -test.run '^$' -test.bench 'Baseline|Hop|EndToEnd' \
		-test.benchtime 1x -test.timeout 60m "$@") >"$work/round$i.txt" 2>&1 || {
		cat "$work/round$i.txt"
		exit 1
	}
	grep '^summary:' "$work/round$i.txt" | sed "s/^/round $i /"
done
python3 - "$work" "$rounds" <<'PY'
import re, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
figures = {}
def add(name, value):
    figures.setdefault(name, []).append(float(value))
for i in range(1, rounds + 1):
    text = open(f"{work}/round{i}.txt").read()
    line = next(l for l in text.splitlines() if l.startswith("summary:"))
    m = re.search(r"end to end (\d+) posts/s, ([\d.]+) of the Redis stream baseline, ([\d.]+) of the 2-writer upsert baseline", line)
    if m:
        add("burst posts/s", m[1]); add("burst / upsert baseline", m[3])
    for stage in ("normalize", "match"):
        m = re.search(stage + r" hop (\d+) msgs/s, ([\d.]+) of the Redis stream baseline", line)
        if m:
            add(f"{stage} hop / stream baseline", m[2])
    m = re.search(r"paced (\d+) posts/s (kept up|did not keep up)[^,]*, p99 (\d+) ms", line)
    if m:
        add(f"paced {m[1]} p99 ms", m[3]); add(f"paced {m[1]} rounds kept up", 1 if m[2] == "kept up" else 0)
    for name, unit in (("go-cpu-us/post", "Go"), ("mysql-cpu-us/post", "MariaDB"), ("redis-cpu-us/post", "Redis")):
        m = re.search(r"BenchmarkEndToEnd/burst\S*\s+.*?([\d.]+) " + re.escape(name), text)
        if m:
            add(f"burst {unit} CPU µs/post", m[1])
    # Cores kept busy by everything else on the machine: well above 0.3, the round shared it.
    for run in ("burst", "paced"):
        m = re.search(r"BenchmarkEndToEnd/" + run + r"\S*\s+.*?([\d.]+) other-cores", text)
        if m:
            add(f"{run} other cores", m[1])
print(f"medians over {rounds} rounds (min–max):")
for name, values in figures.items():
    if name.endswith("kept up"):
        print(f"  {name}: {int(sum(values))} of {len(values)}")
    else:
        print(f"  {name}: {statistics.median(values):g} ({min(values):g}–{max(values):g})")
PY
