#!/usr/bin/env bash
# In-process collector benchmark: every detector on, one thread.
#   bench/collector.sh [WORKLOADS=1000] [REPLICAS=10] [FLOWS=3000000]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ "${EASTWATCH_NO_BUILD:-0}" = 1 ] || (cd "$root" && mvn -q -B -DskipTests package)
cp="$root/bench/target/classes:$(ls "$root"/launcher/target/eastwatch-launcher-*.jar | head -n1):$root/launcher/target/lib/*"
exec java -XX:+UseParallelGC -Xms4g -Xmx4g -cp "$cp" io.eastwatch.bench.CollectorThroughput "${1:-1000}" "${2:-10}" "${3:-3000000}"
