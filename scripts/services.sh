#!/usr/bin/env bash
# services.sh: install, start, stop and inspect the services that the demo
# needs (Mosquitto and InfluxDB 1.8 with Flux), each on its own port with its
# data under the git-ignored run/ folder. Idempotent: "up" reuses what runs.
#
#   scripts/services.sh install   install what is missing, start nothing
#   scripts/services.sh postgres  make sure PostgreSQL answers on 127.0.0.1:5432
#                                 with trust auth for local TCP (tests)
#   scripts/services.sh up        install if needed, start, wait until ready
#   scripts/services.sh down      stop what "up" started
#   scripts/services.sh status    say what runs where
#   scripts/services.sh env       print the variables the demo uses
#
# Settings (environment): HW_RUN_DIR (default <repo>/run), HW_CACHE (default
# ~/.cache/hazardwatch: where influxd is built), HW_MQTT_PORT (11883),
# HW_INFLUX_PORT (18086).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
run=${HW_RUN_DIR:-$repo/run}
cache=${HW_CACHE:-$HOME/.cache/hazardwatch}
mqtt_port=${HW_MQTT_PORT:-11883}
influx_port=${HW_INFLUX_PORT:-18086}
influx_rpc_port=$((influx_port + 2))
influx_version=v1.8.10
influxd=$cache/bin/influxd

say() { printf 'services: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# find_mosquitto prints the broker's path, or nothing.
find_mosquitto() {
	command -v mosquitto 2>/dev/null && return
	[ -x /usr/sbin/mosquitto ] && echo /usr/sbin/mosquitto
	return 0
}

install_mosquitto() {
	[ -n "$(find_mosquitto)" ] && command -v mosquitto_pub >/dev/null && return
	# The package may start a system broker on 1883; ours runs on its own
	# port, so that one is left as it is.
	apt_install mosquitto mosquitto-clients
}

# apt_install PKG...: install Debian packages, with a clear error.
apt_install() {
	command -v apt-get >/dev/null ||
		die "$* missing and there is no apt-get: install them by hand"
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	say "installing $* from Debian packages"
	if [ -z "${apt_updated:-}" ]; then
		$sudo apt-get update -qq || die "apt-get update failed: is the Debian mirror reachable?"
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null ||
		die "apt-get install $* failed"
}

install_curl() {
	command -v curl >/dev/null || apt_install curl ca-certificates
}

# ensure_postgres starts the machine's PostgreSQL, installing it if there
# is none; the ledger's tests create their own databases in it.
ensure_postgres() {
	port_open 127.0.0.1 5432 && return
	if ! command -v pg_ctlcluster >/dev/null; then
		apt_install postgresql
	fi
	local version
	version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
	[ -n "$version" ] || die "PostgreSQL is installed but has no cluster under /etc/postgresql"
	# Tests connect as postgres over TCP without a password, as on the
	# project's CI machines.
	local hba=/etc/postgresql/$version/main/pg_hba.conf
	if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
		sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
	fi
	say "starting PostgreSQL $version"
	pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
		die "could not start PostgreSQL $version"
	local i
	for i in $(seq 1 100); do
		port_open 127.0.0.1 5432 && return
		sleep 0.1
	done
	die "PostgreSQL did not answer on 127.0.0.1:5432"
}

install_influxd() {
	# go install leaves the version unset in the binary, so a stamp file
	# beside it says which version was built.
	if [ -x "$influxd" ] && [ "$(cat "$influxd.version" 2>/dev/null)" = "$influx_version" ]; then
		return
	fi
	command -v go >/dev/null ||
		die "go is missing: it is needed to build influxd $influx_version"
	say "building influxd $influx_version from the Go module proxy into $cache/bin (about two minutes, once)"
	mkdir -p "$cache/bin"
	(cd /tmp && GOBIN=$cache/bin GOFLAGS=-mod=mod go install \
		"github.com/influxdata/influxdb/cmd/influxd@$influx_version") ||
		die "go install influxd failed: is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))?"
	echo "$influx_version" >"$influxd.version"
}

# port_open HOST PORT: true when something accepts TCP there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_port NAME PORT PIDFILE: wait up to 30 s for the port, or fail with
# the tail of the service's log.
wait_port() {
	local i
	for i in $(seq 1 300); do
		port_open 127.0.0.1 "$2" && return 0
		if ! alive "$3"; then
			tail -n 20 "$run/$1/$1.log" >&2 || true
			die "$1 exited during start; its log is $run/$1/$1.log"
		fi
		sleep 0.1
	done
	tail -n 20 "$run/$1/$1.log" >&2 || true
	die "$1 did not answer on port $2 within 30 s; its log is $run/$1/$1.log"
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_mosquitto() {
	local dir=$run/mosquitto pid=$run/mosquitto/mosquitto.pid
	mkdir -p "$dir/data"
	if alive "$pid" && port_open 127.0.0.1 "$mqtt_port"; then
		say "mosquitto already runs on 127.0.0.1:$mqtt_port"
		return
	fi
	port_open 127.0.0.1 "$mqtt_port" &&
		die "port $mqtt_port is taken by another program; set HW_MQTT_PORT"
	# Started as root, Mosquitto drops to the user mosquitto: that user
	# must be able to write its persistence file, or a restart loses the
	# center's persistent session.
	local user_line=
	if [ "$(id -u)" -eq 0 ]; then
		if id mosquitto >/dev/null 2>&1; then
			chown -R mosquitto "$dir/data"
		else
			user_line="user root"
		fi
	fi
	cat >"$dir/mosquitto.conf" <<CONF
# Written by scripts/services.sh for the demo; deploy/mosquitto/ has the
# production configuration with TLS, passwords and per-gateway ACLs.
listener $mqtt_port 127.0.0.1
allow_anonymous true
$user_line
persistence true
persistence_location $dir/data/
autosave_interval 10
# The center acknowledges a message only after InfluxDB stored it, so the
# broker must queue generously for it while it is away or slow.
max_inflight_messages 1000
max_queued_messages 1000000
max_queued_bytes 0
log_dest stderr
log_type error
log_type warning
log_type notice
CONF
	say "starting mosquitto on 127.0.0.1:$mqtt_port"
	nohup "$(find_mosquitto)" -c "$dir/mosquitto.conf" >>"$dir/mosquitto.log" 2>&1 &
	echo $! >"$pid"
	wait_port mosquitto "$mqtt_port" "$pid"
}

start_influxd() {
	local dir=$run/influxd pid=$run/influxd/influxd.pid
	mkdir -p "$dir"
	if alive "$pid" && port_open 127.0.0.1 "$influx_port"; then
		say "influxd already runs on 127.0.0.1:$influx_port"
		return
	fi
	port_open 127.0.0.1 "$influx_port" &&
		die "port $influx_port is taken by another program; set HW_INFLUX_PORT"
	cat >"$dir/influxdb.conf" <<CONF
# Written by scripts/services.sh for the demo: InfluxDB 1.8 serving the
# v2 write and Flux query API that the center uses.
reporting-disabled = true
bind-address = "127.0.0.1:$influx_rpc_port"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$influx_port"
  flux-enabled = true
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "warn"
CONF
	say "starting influxd on 127.0.0.1:$influx_port"
	nohup "$influxd" run -config "$dir/influxdb.conf" >>"$dir/influxd.log" 2>&1 &
	echo $! >"$pid"
	wait_port influxd "$influx_port" "$pid"
}

stop_one() {
	local name=$1 pid=$run/$1/$1.pid i
	if ! alive "$pid"; then
		rm -f "$pid"
		return
	fi
	say "stopping $name"
	kill -TERM "$(cat "$pid")" 2>/dev/null || true
	for i in $(seq 1 100); do
		alive "$pid" || break
		sleep 0.1
	done
	alive "$pid" && kill -KILL "$(cat "$pid")" 2>/dev/null || true
	rm -f "$pid"
}

status_one() {
	if alive "$run/$1/$1.pid"; then
		say "$1 runs (pid $(cat "$run/$1/$1.pid")) on 127.0.0.1:$2, log $run/$1/$1.log"
	else
		say "$1 is not running"
	fi
}

case ${1:-} in
install)
	install_mosquitto
	install_influxd
	install_curl
	;;
postgres)
	ensure_postgres
	;;
up)
	install_mosquitto
	install_influxd
	install_curl
	start_mosquitto
	start_influxd
	;;
down)
	stop_one influxd
	stop_one mosquitto
	;;
status)
	status_one mosquitto "$mqtt_port"
	status_one influxd "$influx_port"
	;;
env)
	echo "HW_MQTT_URL=tcp://127.0.0.1:$mqtt_port"
	echo "HW_INFLUX_URL=http://127.0.0.1:$influx_port"
	echo "HW_INFLUXD=$influxd"
	echo "HW_MOSQUITTO=$(find_mosquitto)"
	;;
*)
	echo "usage: $0 install|postgres|up|down|status|env" >&2
	exit 2
	;;
esac
