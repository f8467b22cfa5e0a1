#!/usr/bin/env bash
# Throughput of the real binary with 1 and 2 processes and K consumers per stage, on real
# MariaDB and Redis (databases gw_scale and Redis db 9 are wiped). 50,000 posts, 1% matching.
# Usage: bench/scale.sh   (from the repository root; needs mysql, redis-cli, python3, bc)
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/pipeline" ./cmd/pipeline
. "$(dirname "$0")/workload.sh"
write_workload "$work" 50000 60
export GROUPWATCH_REDIS_URL=redis://127.0.0.1:6379/9 GROUPWATCH_MYSQL_DSN='root@tcp(127.0.0.1:3306)/gw_scale'
one() { # label processes [consumers flag]
  mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS gw_scale; CREATE DATABASE gw_scale"
  redis-cli -n 9 flushdb >/dev/null
  rm -f "$work/alerts.jsonl"
  "$work/pipeline" migrate --config "$work/c.yaml" >/dev/null
  "$work/pipeline" ingest --config "$work/c.yaml" "$work/posts.jsonl" --log-level error >/dev/null
  local start end
  start=$(date +%s.%N)
  for _ in $(seq 1 "$2"); do "$work/pipeline" run --config "$work/c.yaml" --drain --log-level error ${3:-} >/dev/null 2>&1 & done
  wait
  end=$(date +%s.%N)
  echo "$1 processes=$2 ${3:-defaults}: posts=$(mysql -uroot -h127.0.0.1 gw_scale -N -e 'select count(*) from posts') alerts=$(wc -l < "$work/alerts.jsonl") seconds=$(echo "$end - $start" | bc) posts/s=$(echo "50000 / ($end - $start)" | bc)"
}
one base 1
one two 2
one k1 1 "--consumers normalize=1,match=1"
one k4 1 "--consumers normalize=4,match=4"
one k16 1 "--consumers normalize=16,match=16"
