#!/bin/bash
# bench/live-path.sh [RUNS=5]: the live capture's per-packet path beside the C floor, kernel left out
# (issue 2, "live capture through libpcap at most 3x the floor's per-packet cost").
#
# LivePathBench (bench module) opens the synthetic capture of ../shared/bench with libpcap's
# pcap_open_offline and drives the agent's live path with it: capture thread (pcap_next_ex loop of
# InterfaceCapture), hand-off ring, processing thread (reorder stage, decoder, flow table of
# 524,288 flows, flows counted). The C floor (../shared/bench/floor.c) reads the same file through
# pcap_next_ex into its own flow table. Both run as whole processes, in turn, under
# ../shared/bench/pairwise.sh; the figure to compare is the "A/B wall" median ratio, and "cpu s"
# (user+system, both threads) for the CPU per packet.
#
#   RUNS      pairs (default 5)
#   PCAP      capture (default /tmp/bench/east5m.pcap, generated if missing)
#   MODES     "full" and/or "capture-only" (the capture thread + ring only; default "full capture-only")
#   JFR=FILE  instead of pairing, one profiled run of the full path, recording to FILE
set -euo pipefail
runs=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
PCAP=${PCAP:-/tmp/bench/east5m.pcap}
work=/tmp/bench
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
dpkg-query -W libpcap-dev >/dev/null 2>&1 || apt-get install -y -qq libpcap-dev >/dev/null
[ -x "$work/floor" ] || cc -O2 -march=native -o "$work/floor" "$SHARED/bench/floor.c" -lpcap
[ -s "$PCAP" ] || python3 "$SHARED/bench/gen_pcap.py" -o "$PCAP"
OUT=$(mktemp -d /tmp/ewt-live-path.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
echo "building the agent's capture path" >&2
(cd "$ROOT" && mvn -B -q -pl bench -am compile dependency:build-classpath \
   -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=runtime >/dev/null)
CP="$ROOT/bench/target/classes:$(cat "$OUT/cp.txt")"
java="java -Xms1g -Xmx1g -XX:+UseParallelGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp $CP"

if [ -n "${JFR:-}" ]; then
  $java -XX:StartFlightRecording=filename="$JFR",settings=profile io.eastwatch.agent.capture.LivePathBench "$PCAP"
  exit
fi
echo "== check: packets and flows (floor first)"
"$work/floor" -v "$PCAP" 2>&1 | tail -n 3
$java io.eastwatch.agent.capture.LivePathBench "$PCAP"
for mode in ${MODES:-full capture-only}; do
  arg=""; [ "$mode" = capture-only ] && arg=capture-only
  echo "== live path, $mode (A) vs C floor (B)"
  "$SHARED/bench/pairwise.sh" "$runs" "$java io.eastwatch.agent.capture.LivePathBench $PCAP $arg" "$work/floor $PCAP"
done
