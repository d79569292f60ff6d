#!/usr/bin/env bash
# Offline flow-export throughput of the eastwatch agent, side by side with the C floor program
# (and softflowd) of ../shared/bench, as whole processes, on the same synthetic capture.
#
#   bench/offline.sh [RUNS=5]
#
# Builds the floor program and the capture if missing (/tmp/bench), builds eastwatch, then runs
# ../shared/bench/pairwise.sh: eastwatch vs floor, and softflowd vs floor. The figure to compare is
# the "A/B wall" median ratio. eastwatch runs as `eastwatch agent --pcap F --output count`, which
# does everything the agent does to a capture (read, decode, flow table, Community ID, flow
# records) except serialising them; `--output json` (one JSON line per flow) is timed as well.
set -euo pipefail
runs=${1:-5}
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="$root/../shared/bench"
work=/tmp/bench
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
dpkg-query -W libpcap-dev >/dev/null 2>&1 || apt-get install -y -qq libpcap-dev >/dev/null
command -v softflowd >/dev/null || apt-get install -y -qq softflowd nfdump >/dev/null
[ -x "$work/floor" ] || cc -O2 -march=native -o "$work/floor" "$shared/floor.c" -lpcap
[ -s "$work/east5m.pcap" ] || python3 "$shared/gen_pcap.py" -o "$work/east5m.pcap"
[ "${EASTWATCH_NO_BUILD:-0}" = 1 ] || (cd "$root" && mvn -q -B -DskipTests package)
F="$work/east5m.pcap"
jar=$(ls "$root"/launcher/target/eastwatch-launcher-*.jar | head -n1)
ew="java -Xms1g -Xmx1g -XX:+UseParallelGC -cp $jar:$root/launcher/target/lib/* io.eastwatch.launcher.Main agent --pcap $F"

echo "== eastwatch --output count (A) vs C floor (B)"
"$shared/pairwise.sh" "$runs" "$ew --output count" "$work/floor $F"
echo "== eastwatch --output json > /dev/null (A) vs C floor (B)"
"$shared/pairwise.sh" "$runs" "$ew --output json > /dev/null" "$work/floor $F"
echo "== softflowd (A) vs C floor (B)"
pkill -f "nfcapd -w $work/nfsf" 2>/dev/null || true
mkdir -p "$work/nfsf"
nfcapd -w "$work/nfsf" -p 9995 -b 127.0.0.1 -B 33554432 >/dev/null 2>&1 &
nf=$!
"$shared/pairwise.sh" "$runs" "softflowd -d -r $F -n 127.0.0.1:9995 -v 9 -m 1000000 -p $work/sf.pid" "$work/floor $F"
kill "$nf" 2>/dev/null || true
echo "== flow counts"
echo "floor: $("$work/floor" "$F")"
echo "eastwatch: $($ew --output json 2>/dev/null | wc -l)"
