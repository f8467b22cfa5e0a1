#!/usr/bin/env bash
# Peak memory of the real binary through a burst: 100,000 posts (1% matching) are ingested
# into posts.raw first, then one `pipeline run --drain` with the default configuration moves
# them all to stored alerts. Prints posts/s and the process's peak RSS (getrusage of the
# child). Real MariaDB and Redis; database gw_rss and Redis db 10 are wiped.
# Usage: bench/rss.sh [posts]   (from the repository root; needs mysql, redis-cli, python3)
set -euo pipefail
posts=${1:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/pipeline" ./cmd/pipeline
. "$(dirname "$0")/workload.sh"
write_workload "$work" "$posts" 80
export GROUPWATCH_REDIS_URL=redis://127.0.0.1:6379/10 GROUPWATCH_MYSQL_DSN='root@tcp(127.0.0.1:3306)/gw_rss'
mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS gw_rss; CREATE DATABASE gw_rss"
redis-cli -n 10 flushdb >/dev/null
"$work/pipeline" migrate --config "$work/c.yaml" >/dev/null
"$work/pipeline" ingest --config "$work/c.yaml" "$work/posts.jsonl" --log-level error >/dev/null
python3 - "$work/pipeline" "$work/c.yaml" "$posts" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
subprocess.run([sys.argv[1], 'run', '--config', sys.argv[2], '--drain', '--log-level', 'error'],
               check=True, stdout=subprocess.DEVNULL)
took = time.monotonic() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{sys.argv[3]} posts: run --drain took {took:.1f} s ({int(sys.argv[3]) / took:.0f} posts/s, start-up included); peak RSS {rss:.0f} MiB")
PY
echo "posts stored: $(mysql -uroot -h127.0.0.1 gw_rss -N -e 'select count(*) from posts'), alerts: $(wc -l < "$work/alerts.jsonl")"
mysql -uroot -h127.0.0.1 -e "DROP DATABASE gw_rss"
redis-cli -n 10 flushdb >/dev/null
