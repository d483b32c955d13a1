#!/usr/bin/env bash
# test.sh: the project's test command (make test, .ci/run).
#
# Installs what the tests need (Mosquitto, InfluxDB 1.8, PostgreSQL,
# Chromium for the dashboard's browser test), then
# checks formatting and go vet and runs every test. Tests start their own
# Mosquitto and InfluxDB on free ports; the ledger's tests use the
# machine's PostgreSQL on 127.0.0.1:5432 and create their own databases.
# Extra arguments go to go test (for example -run TestPipeline).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

scripts/services.sh install
scripts/services.sh postgres
scripts/browser-deps.sh
eval "$(scripts/services.sh env | sed 's/^/export /')"

unformatted=$(gofmt -l cmd internal edge)
if [ -n "$unformatted" ]; then
	echo "test: gofmt would change these files:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
go test -count=1 -timeout 25m "$@" ./...
