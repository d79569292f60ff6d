#!/usr/bin/env bash
# End-to-end collector benchmark through an embedded Kafka broker on this machine.
#   bench/collector-e2e.sh [FLOWS=1000000] [PARTITIONS=2] [WORKLOADS=1000] [REPLICAS=10] [PROCESSING_THREADS=cores, max 8]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ "${EASTWATCH_NO_BUILD:-0}" = 1 ] || (cd "$root" && mvn -q -B -DskipTests package)
cp="$root/bench/target/classes:$(ls "$root"/launcher/target/eastwatch-launcher-*.jar | head -n1):$root/launcher/target/lib/*"
exec java -XX:+UseParallelGC -Xms2g -Xmx4g -cp "$cp" io.eastwatch.bench.CollectorEndToEnd "${1:-1000000}" "${2:-2}" "${@:3}"
