#!/usr/bin/env bash
# demo.sh: a simulated tank farm feeding the whole pipeline.
#
# Starts Mosquitto and InfluxDB (scripts/services.sh), builds the commands,
# then runs the Modbus simulator, the center and the edge agent with the
# configs under configs/. It waits until readings are in InfluxDB, says how
# to look at them and keeps running; Ctrl-C stops everything it started.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
run=${HW_RUN_DIR:-$repo/run}
logs=$run/logs
influx=http://127.0.0.1:${HW_INFLUX_PORT:-18086}
pids=()

say() { printf 'demo: %s\n' "$*" >&2; }

stop_all() {
	trap - INT TERM EXIT
	say "stopping"
	local pid
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	scripts/services.sh down
	say "stopped; data and logs stay under $run (make clean removes them)"
}
trap stop_all INT TERM EXIT

scripts/services.sh up
say "building the commands into bin/"
go build -o bin/ ./cmd/...
mkdir -p "$logs" "$run/center"

start() {
	local name=$1
	shift
	"$@" >>"$logs/$name.log" 2>&1 &
	pids+=($!)
	say "started $name (pid $!), log $logs/$name.log"
}
start hw-sim bin/hw-sim -config configs/sim-tankfarm.yaml
start hw-center bin/hw-center -config configs/center.yaml
start hw-edge bin/hw-edge -config configs/edge.yaml

# flux QUERY: run a Flux query and print the _value of its first row.
flux() {
	curl -sS -XPOST "$influx/api/v2/query" -H 'Content-Type: application/vnd.flux' \
		-H 'Accept: application/csv' --data-binary "$1" | tr -d '\r' |
		awk -F, '/^#/ || /^$/ { next }
			!h { for (i = 1; i <= NF; i++) if ($i == "_value") c = i; h = 1; next }
			{ print $c; exit }'
}

count_query='from(bucket: "hazardwatch/autogen") |> range(start: -1h)
  |> filter(fn: (r) => r._measurement == "reading" and r._field == "quality")
  |> group() |> count()'
count() { flux "$count_query" 2>/dev/null || true; }

say "waiting for readings in InfluxDB"
for i in $(seq 1 60); do
	n=$(count)
	if [ "${n:-0}" -gt 0 ]; then
		break
	fi
	sleep 0.5
done
if [ "${n:-0}" -eq 0 ]; then
	say "no readings after 30 s; see the logs under $logs"
	exit 1
fi

# An API token for the demo's operator (a city administrator); the
# center's API refuses requests without one.
token=$(bin/hw-admin -config configs/center.yaml token create -name demo-operator \
	-role city_admin -expires 24h)
echo "$token" >"$run/demo-token"

cat >&2 <<MSG

demo: readings are arriving ($n so far). The simulated gas detector GT-102
demo: leaks from 20 s after start (past 50 %LEL by 60 s) and recovers at 150 s.
demo:
demo: Look at the data (Flux over the InfluxDB v2 API):
demo:   curl -s -XPOST $influx/api/v2/query -H 'Content-Type: application/vnd.flux' \\
demo:     -H 'Accept: application/csv' --data-binary \\
demo:     'from(bucket:"hazardwatch/autogen") |> range(start:-5m)
demo:      |> filter(fn:(r)=> r._measurement=="reading" and r.point=="GT-102" and r._field=="value") |> last()'
demo:   or InfluxQL: curl -s "$influx/query?db=hazardwatch" \\
demo:     --data-urlencode 'q=SELECT last(value) FROM reading GROUP BY point'
demo:
demo: Dashboard: http://127.0.0.1:8080/ (sign in with the token below)
demo: Center:  curl -s localhost:8080/healthz   curl -s localhost:8080/metrics
demo: The API needs the demo operator's token (also in $run/demo-token):
demo:   TOKEN=$token
demo:   curl -s -H "Authorization: Bearer \$TOKEN" localhost:8080/api/v1/alarms
demo:   curl -s -H "Authorization: Bearer \$TOKEN" localhost:8080/api/v1/hazards
demo:   curl -s -H "Authorization: Bearer \$TOKEN" localhost:8080/api/v1/gateways
demo: Edge:    curl -s localhost:9101/healthz   curl -s localhost:9101/metrics
demo: Logs:    $logs
demo:
demo: Ctrl-C stops everything.

MSG

gt102='from(bucket: "hazardwatch/autogen") |> range(start: -1m)
  |> filter(fn: (r) => r._measurement == "reading" and r.point == "GT-102" and r._field == "value") |> last()'
while true; do
	for pid in "${pids[@]}"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			say "a process (pid $pid) exited; see the logs under $logs"
			exit 1
		fi
	done
	v=$(flux "$gt102" 2>/dev/null || true)
	alarms=$(curl -s -H "Authorization: Bearer $token" "localhost:8080/api/v1/alarms?active=true" |
		grep -o '"condition": *"[a-z_]*"' | sed 's/.*"\([a-z_]*\)"$/\1/' | sort | uniq -c | tr -s ' \n' ' ' || true)
	say "$(date +%T) readings stored: $(count), GT-102 now ${v:-?} %LEL, active alarms: ${alarms:-none}"
	sleep 10
done
