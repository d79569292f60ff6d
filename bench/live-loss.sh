#!/bin/bash
# bench/live-loss.sh: highest replay rate the agent's live capture takes without loss, beside
# tcpdump's on the same veth (issue 2, "Live loss").
#
# The synthetic capture of ../shared/bench is replayed with tcpreplay from inside a network
# namespace (ewt-live-bench) out of its eth0, so the packets arrive on the host-side veth
# (ewt-live-bh) exactly as a container's traffic does. At each rate, one capturer runs on the host
# side: tcpdump (-Q in, snaplen 128, 32 MB buffer, to /dev/null) or the agent's capture path
# (LivePcapSource + decoder + flow table, flows counted not exported: LiveLossBench, same
# snaplen and buffer). A rate passes when the capturer reports no kernel drop (and, for the
# agent, nothing shed by the hand-off ring) and it saw every packet sent. cpu_ms is the
# capturer's user+system CPU for the step's packets (after a warm-up burst of WARMUP packets, so
# JVM start-up and JIT compilation are left out), ns/packet that divided by the packets sent in
# the step: the per-packet cost beside tcpdump's. "captured" includes the warm-up packets.
#
# usage: bench/live-loss.sh            (needs root, tcpreplay, tcpdump, python3, maven)
#   PCAP=...    capture to replay (default /tmp/bench/east5m.pcap, generated if missing)
#   RATES="..." packets/s to try, ascending (default below; "top" = tcpreplay --topspeed)
#   SECONDS_PER_STEP=3   packets sent per step = rate x this
#   TOOLS="tcpdump agent" capturers to run
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
PCAP=${PCAP:-/tmp/bench/east5m.pcap}
RATES=${RATES:-"25000 50000 100000 150000 200000 300000 400000 600000 800000 top"}
STEP=${SECONDS_PER_STEP:-3}
WARMUP=${WARMUP:-200000}
NS=ewt-live-bench
HOST_IF=ewt-live-bh
OUT=$(mktemp -d /tmp/ewt-live-bench.XXXXXX)

cleanup() {
  [ -n "${CAP_PID:-}" ] && kill "$CAP_PID" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  ip link del "$HOST_IF" 2>/dev/null || true
}
trap cleanup EXIT

if [ ! -f "$PCAP" ]; then
  mkdir -p "$(dirname "$PCAP")"
  python3 "$SHARED/bench/gen_pcap.py" -o "$PCAP"
fi

echo "building the agent's capture path" >&2
(cd "$ROOT" && mvn -B -q -pl bench -am compile dependency:build-classpath \
   -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=runtime >/dev/null)
CP="$ROOT/bench/target/classes:$(cat "$OUT/cp.txt")"

# One slice of 1,000,000 packets, held in memory by tcpreplay and looped, so reading the file
# does not limit the rate.
SLICE="$OUT/slice.pcap"
tcpdump -r "$PCAP" -c 1000000 -w "$SLICE" 2>/dev/null

cleanup
ip netns add "$NS"
ip link add "$HOST_IF" type veth peer name eth0 netns "$NS"
ip link set "$HOST_IF" up
ip netns exec "$NS" ip link set eth0 up
ip netns exec "$NS" ip link set lo up
# Nothing in the host namespace answers or forwards what arrives: the veth is a pure tap.
sysctl -qw "net.ipv6.conf.$HOST_IF.disable_ipv6=1" || true

start_capture() { # tool -> sets CAP_PID, waits until the capture is open
  case $1 in
    tcpdump)
      tcpdump -i "$HOST_IF" -Q in -s 128 -B 32768 -n -w /dev/null 2>"$OUT/cap.err" &
      CAP_PID=$!
      for _ in $(seq 100); do grep -q 'listening on' "$OUT/cap.err" 2>/dev/null && break; sleep 0.05; done ;;
    agent)
      java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
        io.eastwatch.agent.capture.LiveLossBench "$HOST_IF" 32 >"$OUT/cap.out" 2>"$OUT/cap.err" &
      CAP_PID=$!
      for _ in $(seq 400); do grep -q '^ready' "$OUT/cap.out" 2>/dev/null && break; sleep 0.05; done ;;
  esac
}

cpu_ticks() { # pid -> user+system clock ticks so far
  awk '{print $14 + $15}' "/proc/$1/stat"
}

stop_capture() { # tool -> writes "captured lost cpu_ms" to $OUT/result
  sleep 1
  local cpu_ms got drop
  cpu_ms=$(( ($(cpu_ticks "$CAP_PID") - CPU0) * 1000 / $(getconf CLK_TCK) ))
  case $1 in
    tcpdump)
      kill -INT "$CAP_PID"; wait "$CAP_PID" || true
      got=$(awk '/packets received by filter/ {print $1}' "$OUT/cap.err")
      drop=$(awk '/packets dropped by kernel/ {print $1}' "$OUT/cap.err")
      echo "${got:-0} ${drop:-?} $cpu_ms" >"$OUT/result" ;;
    agent)
      kill -TERM "$CAP_PID"; wait "$CAP_PID" || true
      python3 - "$OUT/cap.out" "$cpu_ms" >"$OUT/result" <<'PY'
import sys
line = [l for l in open(sys.argv[1]) if l.startswith("received=")]
if not line:
    print("0 ?", sys.argv[2]); sys.exit()
kv = dict(p.split("=") for p in line[-1].split())
print(kv["packets"], int(kv["kernel_drops"]) + int(kv["shed"]), sys.argv[2])
PY
      ;;
  esac
  CAP_PID=
}

printf "%-8s %10s %12s %12s %10s %8s %8s %10s\n" tool target_pps sent_pps sent captured lost cpu_ms ns/packet
declare -A BEST
for tool in ${TOOLS:-tcpdump agent}; do
  BEST[$tool]=0
  fails=0; failed_once=0
  for rate in $RATES; do
    start_capture "$tool"
    # Warm-up burst (JIT compilation for the agent), not part of the CPU figure.
    ip netns exec "$NS" tcpreplay -q -K --loop=0 --topspeed --limit="$WARMUP" -i eth0 "$SLICE" >/dev/null 2>&1 || true
    sleep 1
    CPU0=$(cpu_ticks "$CAP_PID")
    if [ "$rate" = top ]; then
      n=$((STEP * 1000000)); args=(--topspeed --limit="$n")
    else
      n=$((rate * STEP)); args=(--pps="$rate" --limit="$n")
    fi
    ip netns exec "$NS" tcpreplay -q -K --loop=0 -i eth0 "${args[@]}" "$SLICE" >"$OUT/replay.out" 2>&1 || true
    sent=$(awk '/Actual:/ {print $2; exit}' "$OUT/replay.out")
    sent_all=$((${sent:-0} + WARMUP))
    pps=$(grep -o '[0-9.]* pps' "$OUT/replay.out" | head -1 | cut -d' ' -f1)
    stop_capture "$tool"
    read -r got lost cpu_ms <"$OUT/result"
    per=$(( ${sent:-0} > 0 ? cpu_ms * 1000000 / sent : 0 ))
    printf "%-8s %10s %12s %12s %10s %8s %8s %10s\n" "$tool" "$rate" "${pps:-?}" "${sent:-?}" "$got" "$lost" "$cpu_ms" "$per"
    if [ "$lost" = 0 ] && [ "${got:-0}" -ge "$sent_all" ]; then
      # Conservative: a pass after a failed step does not raise the figure (noise, not capacity).
      [ "$failed_once" = 0 ] && [ "${pps%.*}" -gt "${BEST[$tool]}" ] && BEST[$tool]=${pps%.*}
      fails=0
    else
      fails=$((fails + 1)); failed_once=1
      [ "$fails" -ge 2 ] && break
    fi
  done
done
echo
echo "highest loss-free rate below the first loss (packets/s actually sent): tcpdump ${BEST[tcpdump]:-}, agent ${BEST[agent]:-}"
if [ "${BEST[tcpdump]:-0}" -gt 0 ] && [ "${BEST[agent]:-0}" -gt 0 ]; then
  python3 -c "print(f'agent / tcpdump = {${BEST[agent]} / ${BEST[tcpdump]}:.2f}')"
fi
rm -rf "$OUT"
