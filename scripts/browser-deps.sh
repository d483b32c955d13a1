#!/usr/bin/env bash
# browser-deps.sh: installs what the browser test needs, Debian's chromium,
# when it is missing. The test (internal/e2e/browser_test.go) drives it
# headless over the DevTools protocol, so no Node toolchain is needed.
#
# HW_CHROMIUM names another binary; then nothing is installed.
set -euo pipefail

die() {
	echo "browser-deps: $*" >&2
	exit 1
}

bin=${HW_CHROMIUM:-/usr/bin/chromium}
if [ -x "$bin" ]; then
	exit 0
fi
[ -z "${HW_CHROMIUM:-}" ] || die "HW_CHROMIUM=$bin is not an executable"

command -v apt-get >/dev/null ||
	die "chromium missing and there is no apt-get: install chromium by hand or set HW_CHROMIUM"
sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || die "chromium missing: run as root or install sudo"
	sudo=sudo
fi

echo "browser-deps: installing chromium (apt-get)" >&2
$sudo apt-get update -qq ||
	die "apt-get update failed: is the Debian mirror reachable?"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
	chromium fonts-noto-cjk >/dev/null ||
	die "apt-get install chromium failed (see the messages above)"
[ -x /usr/bin/chromium ] || die "chromium installed but /usr/bin/chromium is missing"
echo "browser-deps: $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed)" >&2
