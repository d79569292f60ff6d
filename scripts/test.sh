#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it lacks, then builds and runs every test
# (real libpcap capture in network namespaces, an embedded Kafka broker, real Docker containers
# from ../shared/lab, a real Prometheus). Needs root (namespaces, capture, Docker).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if [ ! -d ../shared/pcaps ]; then
  echo "eastwatch: ../shared (test captures, lab) not found beside this checkout" >&2
  exit 1
fi
# the identity tests bring up ../shared/lab (real Docker containers) when it is not running;
# take it down again afterwards if this run started it
lab_was_up=0
if curl -sf --max-time 3 --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; then lab_was_up=1; fi
status=0
mvn -B -ntp verify "$@" || status=$?
if [ $lab_was_up = 0 ] && [ -x ../shared/lab/down.sh ] && [ -e /run/lab ]; then
  bash ../shared/lab/down.sh >/tmp/eastwatch-lab-down.log 2>&1 || echo "eastwatch: lab/down.sh failed, see /tmp/eastwatch-lab-down.log" >&2
fi
exit $status
