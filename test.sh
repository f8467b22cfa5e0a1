#!/usr/bin/env bash
# The test suite: `go test -race ./...`, or without -race where no C compiler is installed
# (the race detector needs cgo). Extra arguments go to go test, e.g. ./test.sh -run Quickstart.
# Without GROUPWATCH_TEST_REDIS_URL and GROUPWATCH_TEST_MYSQL_DSN the tests use in-process
# stand-ins for Redis and MySQL; CI sets both to real servers.
set -euo pipefail
cd "$(dirname "$0")"
race=-race
if [ "$(go env CGO_ENABLED)" != "1" ] || ! command -v "$(go env CC)" >/dev/null 2>&1; then
  echo "test.sh: no C compiler for cgo; running without -race" >&2
  race=
fi
exec go test $race -count=1 -timeout 15m "$@" ./...
