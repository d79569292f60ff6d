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
mvn -B -ntp verify "$@"
