#!/usr/bin/env bash
# scripts/lab/ewlab.sh: eastwatch's container lab. Real Docker containers on this host running
# ordinary service traffic, and a real attacker among them. `./eastwatch lab` drives it; it also
# runs by hand:
#
#   ewlab.sh up N            containers, network, traffic (prints the state directory's files)
#   ewlab.sh scan NAME       nmap from inside NAME's network namespace against the lab's own IPs
#   ewlab.sh brute NAME      password guessing from inside NAME against one db replica's admin login
#   ewlab.sh down            remove what `up` created (only that), restore what it changed
#
# Roles (container i of N): 1 dns (dnsmasq serving the lab's names), 2 scraper (GET :9100/metrics of
# every container, like Prometheus), then web (busybox httpd :80), db (a login service on :5432 for
# the application and an admin login on :22 nobody normally uses), client (every EWLAB_INTERVAL s:
# a DNS lookup at the dns container, a page from a web replica, a login at a db replica). Every
# container serves /metrics on :9100.
#
# Coexistence: another lab (../shared/lab) may use the same dockerd at the same time. This script
# reuses a running dockerd and starts one only if none answers (and stops it at `down` only if it
# started it and nothing else runs on it); it touches only its own network, bridge, containers
# (label ewlab.managed=1) and its own iptables rule.
#
# Containment: the network is --internal (no route off the bridge, no masquerade), IPv4 forwarding
# must be off (checked), an iptables rule drops anything from the lab bridge towards the uplink,
# containers' only resolvers are Docker's embedded DNS (upstream 127.0.0.1) and the lab's dns
# container, and every target of the traffic and of the attacks is a lab container's address.
set -euo pipefail

EWLAB_STATE=${EWLAB_STATE:-/run/ewlab}
EWLAB_NET=${EWLAB_NET:-ewlab-net}
EWLAB_BRIDGE=${EWLAB_BRIDGE:-br-ewlab}
EWLAB_SUBNET=${EWLAB_SUBNET:-172.28.0.0/20}
EWLAB_INTERVAL=${EWLAB_INTERVAL:-2}          # seconds between a client's rounds
EWLAB_SCRAPE_INTERVAL=${EWLAB_SCRAPE_INTERVAL:-5}
EWLAB_TRAFFIC_SECS=${EWLAB_TRAFFIC_SECS:-3600} # client and scraper loops end by themselves after this
EWLAB_PARALLEL=${EWLAB_PARALLEL:-4}          # concurrent `docker run`s
EWLAB_SCAN_PORTS=${EWLAB_SCAN_PORTS:-21,22,23,80,443,3306,5432,6379,8080,9100}
EWLAB_BRUTE_ATTEMPTS=${EWLAB_BRUTE_ATTEMPTS:-40}
SOCK=/var/run/docker.sock
export DOCKER_HOST=unix://$SOCK
IMAGE_REPO=ewlab/busybox

log() { printf '[ewlab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
ping_ok() { curl -sf --max-time 2 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; }

require_tools() {
  local missing=()
  for t in docker dockerd nmap nsenter busybox dnsmasq iptables curl ip sysctl; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [ "$(id -u)" = 0 ] || { log "run as root (Docker, nsenter, iptables)"; exit 2; }
  if [ ${#missing[@]} -ne 0 ] || ldd "$(command -v busybox)" >/dev/null 2>&1; then
    # a fresh machine: install what the lab needs (Debian packages only; idempotent)
    log "missing: ${missing[*]:-busybox-static}; installing with scripts/install-deps.sh"
    bash "$(dirname "$(readlink -f "$0")")/../install-deps.sh" >&2 || { log "installing the lab's packages failed"; exit 1; }
    missing=()
    for t in docker dockerd nmap nsenter busybox dnsmasq iptables curl ip sysctl; do
      command -v "$t" >/dev/null 2>&1 || missing+=("$t")
    done
    [ ${#missing[@]} -eq 0 ] || { log "still missing after install: ${missing[*]}"; exit 2; }
  fi
  # busybox-static is what goes into the image: a dynamically linked busybox would need its libraries
  if ldd "$(command -v busybox)" >/dev/null 2>&1; then
    log "$(command -v busybox) is dynamically linked: install busybox-static"; exit 2
  fi
}

# ------------------------------------------------------------------ dockerd
ensure_dockerd() {
  if ping_ok; then
    log "using the running Docker daemon"
    return 0
  fi
  log "no Docker daemon answers: starting one (log $EWLAB_STATE/dockerd.log)"
  rm -f /var/run/docker.pid
  # Same flags as ../shared/lab/up.sh, so a lab that later finds this daemon gets what it expects:
  # no forwarding, no masquerade, local DNS upstream.
  setsid dockerd -H "unix://$SOCK" --pidfile /var/run/docker.pid \
    --iptables=true --ip-forward=false --ip-masq=false \
    --bip 172.17.0.1/16 --default-address-pool base=172.31.0.0/16,size=24 \
    --dns 127.0.0.1 --log-level warn </dev/null >>"$EWLAB_STATE/dockerd.log" 2>&1 &
  local launcher=$!
  for _ in $(seq 1 60); do
    if ping_ok; then
      cat /var/run/docker.pid > "$EWLAB_STATE/dockerd.pid"
      cat /var/run/docker/containerd/containerd.pid > "$EWLAB_STATE/containerd.pid" 2>/dev/null || true
      return 0
    fi
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.5
  done
  tail -5 "$EWLAB_STATE/dockerd.log" >&2
  kill -0 "$launcher" 2>/dev/null && kill "$launcher"
  die "dockerd did not come up"
}

# ------------------------------------------------------------------ image
# Everything the roles run is busybox plus the small scripts below, built into the image so a
# container's behaviour is visible in one place.
image_tag() { sha256sum "$0" | cut -c1-12; }
build_image() {
  local tag; tag=$(image_tag)
  IMAGE="$IMAGE_REPO:$tag"
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then return 0; fi
  log "building $IMAGE from $(command -v busybox)"
  local root; root=$(mktemp -d)
  mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root,srv/www,srv/metrics}
  chmod 1777 "$root/tmp"
  cp "$(command -v busybox)" "$root/bin/busybox"
  for a in $("$root/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
  echo 'root:x:0:' > "$root/etc/group"
  echo '<html><body>eastwatch lab shop</body></html>' > "$root/srv/www/index.html"
  printf '# TYPE up gauge\nup 1\n# TYPE requests_total counter\nrequests_total 42\n' > "$root/srv/metrics/metrics"
  # db: one line "LOGIN user password", one line back. Wrong passwords are answered a little later,
  # like a real server's failed-login delay.
  cat > "$root/srv/login.sh" <<'EOF'
#!/bin/sh
read -r cmd user pass
if [ "$cmd" = LOGIN ] && [ "$user" = "$EXPECT_USER" ] && [ "$pass" = "$EXPECT_PASS" ]; then
  echo "OK welcome $user"
else
  usleep 100000
  echo "DENIED"
fi
EOF
  cat > "$root/srv/client.sh" <<'EOF'
#!/bin/sh
# an application replica: resolve, fetch a page, log in to the database; then wait
# wait for the go: the lab's name server answers for go.ewlab.internal once every container is up,
# so a large lab's traffic does not slow its own start
until nslookup go.ewlab.internal "$DNS" >/dev/null 2>&1; do sleep 3; done
end=$(( $(date +%s) + SECS ))
usleep $(( RANDOM % (INTERVAL * 1000) * 1000 ))
while [ "$(date +%s)" -lt "$end" ]; do
  nslookup db.ewlab.internal "$DNS" >/dev/null 2>&1
  timeout 3 wget -q -O /dev/null http://web/ 2>/dev/null
  echo "LOGIN app s3cret" | timeout 3 nc db 5432 >/dev/null 2>&1
  sleep "$INTERVAL"
done
exec sleep 2147483647
EOF
  cat > "$root/srv/scraper.sh" <<'EOF'
#!/bin/sh
# a Prometheus-like scraper: /metrics of every lab container, every SCRAPE_INTERVAL seconds
end=$(( $(date +%s) + SECS ))
while [ "$(date +%s)" -lt "$end" ]; do
  for t in $(cat /srv/targets 2>/dev/null); do timeout 2 wget -q -O /dev/null "http://$t:9100/metrics" 2>/dev/null; done
  sleep "$SCRAPE_INTERVAL"
done
exec sleep 2147483647
EOF
  chmod 755 "$root"/srv/*.sh
  tar -C "$root" --numeric-owner -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$IMAGE" >/dev/null
  rm -rf "$root"
}

# ------------------------------------------------------------------ containment
uplink() { ip route show default 2>/dev/null | awk '{for(i=1;i<NF;i++) if($i=="dev"){print $(i+1); exit}}'; }
contain() {
  [ "$(sysctl -n net.ipv4.ip_forward)" = 0 ] \
    || die "net.ipv4.ip_forward=1 on this host: the lab wants forwarding off so nothing it sends is routed out"
  local up; up=$(uplink)
  if [ -n "$up" ]; then
    # our own rule in FORWARD (always present), removed by `down`
    iptables -C FORWARD -i "$EWLAB_BRIDGE" -o "$up" -m comment --comment ewlab -j DROP 2>/dev/null \
      || iptables -I FORWARD -i "$EWLAB_BRIDGE" -o "$up" -m comment --comment ewlab -j DROP
    echo "$up" > "$EWLAB_STATE/uplink"
  fi
  # The neighbour table is one for all namespaces (gc_thresh3 = 1024 by default): a few hundred
  # containers talking to each other, or one scan of them, overflow it ("No route to host").
  local g3; g3=$(sysctl -n net.ipv4.neigh.default.gc_thresh3)
  if [ "$g3" -lt 65536 ] && [ ! -s "$EWLAB_STATE/sysctl.orig" ]; then
    sysctl -n net.ipv4.neigh.default.gc_thresh1 net.ipv4.neigh.default.gc_thresh2 net.ipv4.neigh.default.gc_thresh3 \
      | paste -sd' ' > "$EWLAB_STATE/sysctl.orig"
    sysctl -qw net.ipv4.neigh.default.gc_thresh1=8192 net.ipv4.neigh.default.gc_thresh2=32768 \
      net.ipv4.neigh.default.gc_thresh3=65536
    log "raised ARP table limits (were $(cat "$EWLAB_STATE/sysctl.orig"))"
  fi
}

# ------------------------------------------------------------------ up
start_one() { # name role [extra docker args...] -- command...
  local name=$1 role=$2; shift 2
  local args=()
  while [ "$1" != -- ]; do args+=("$1"); shift; done; shift
  docker run -d --name "$name" --hostname "$name" --network "$EWLAB_NET" --network-alias "$role" \
    --dns 127.0.0.1 --log-driver none --restart no \
    --label ewlab.managed=1 --label com.docker.compose.project=ewlab --label com.docker.compose.service="$role" \
    -e SECS="$EWLAB_TRAFFIC_SECS" -e INTERVAL="$EWLAB_INTERVAL" -e SCRAPE_INTERVAL="$EWLAB_SCRAPE_INTERVAL" \
    "${args[@]}" "ewlab/$role:$TAG" "$@" 2>&1 >/dev/null | { grep -v '^WARNING: ' >&2 || true; }
  return "${PIPESTATUS[0]}"
}
ip_of() { docker inspect -f "{{with index .NetworkSettings.Networks \"$EWLAB_NET\"}}{{.IPAddress}}{{end}}" "$1"; }
pid_of() { docker inspect -f '{{.State.Pid}}' "$1"; }
# name <TAB> ip <TAB> pid for every container named on stdin, in one call per hundred
inspect_all() {
  xargs -r -n 100 docker inspect -f \
    "{{.Name}}	{{with index .NetworkSettings.Networks \"$EWLAB_NET\"}}{{.IPAddress}}{{end}}	{{.State.Pid}}" | sed 's|^/||'
}

cmd_up() {
  local n=${1:-}
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 5 ] || { log "up: N: '$n' (expected: a number >= 5)"; exit 2; }
  require_tools
  mkdir -p "$EWLAB_STATE"
  if [ -s "$EWLAB_STATE/containers" ] || docker network inspect "$EWLAB_NET" >/dev/null 2>&1; then
    die "a lab is already up ($EWLAB_STATE, network $EWLAB_NET): run '$0 down' first"
  fi
  ensure_dockerd
  build_image
  TAG=$(image_tag)
  for r in dns scraper web db client; do docker tag "$IMAGE" "ewlab/$r:$TAG"; done
  log "creating network $EWLAB_NET ($EWLAB_SUBNET, bridge $EWLAB_BRIDGE, internal)"
  docker network create --driver bridge --internal --subnet "$EWLAB_SUBNET" \
    -o com.docker.network.bridge.name="$EWLAB_BRIDGE" -o com.docker.network.bridge.enable_ip_masquerade=false \
    --label ewlab.managed=1 "$EWLAB_NET" >/dev/null
  echo "$EWLAB_NET" > "$EWLAB_STATE/network"
  # A packet socket on a bridge sees only the frames the bridge passes up to the host, unless the
  # bridge is promiscuous: then it sees every frame bridged between the containers' ports, and one
  # capture on the bridge watches the whole lab (the host drops the copies: forwarding is off).
  ip link set "$EWLAB_BRIDGE" promisc on
  contain

  local t0; t0=$(date +%s.%N)
  # the name server first: every client is told its address
  start_one ewlab-dns-001 dns -- sh -c 'httpd -p 9100 -h /srv/metrics; exec sleep 2147483647'
  echo ewlab-dns-001 >> "$EWLAB_STATE/containers"
  local dns_ip; dns_ip=$(ip_of ewlab-dns-001)
  local roles=(web db client) i name role
  for i in $(seq 3 "$n"); do
    role=${roles[$(( (i - 3) % 3 ))]}
    printf '%s %s\n' "$(printf 'ewlab-%s-%03d' "$role" "$i")" "$role"
  done > "$EWLAB_STATE/plan"
  cut -d' ' -f1 "$EWLAB_STATE/plan" >> "$EWLAB_STATE/containers"
  export -f start_one; export EWLAB_NET EWLAB_TRAFFIC_SECS EWLAB_INTERVAL EWLAB_SCRAPE_INTERVAL TAG DOCKER_HOST
  # shellcheck disable=SC2016
  xargs -r -P "$EWLAB_PARALLEL" -L 1 bash -c '
    name=$1 role=$2 dns=$3
    case $role in
      web) start_one "$name" web -- sh -c "httpd -p 9100 -h /srv/metrics; exec httpd -f -p 80 -h /srv/www" ;;
      db) start_one "$name" db -e EXPECT_USER=app -e EXPECT_PASS=s3cret -- sh -c \
            "httpd -p 9100 -h /srv/metrics; nc -ll -p 22 -e /srv/login.sh & exec nc -ll -p 5432 -e /srv/login.sh" ;;
      client) start_one "$name" client -e DNS="$dns" -- sh -c "httpd -p 9100 -h /srv/metrics; exec /srv/client.sh" ;;
    esac' _ < <(sed "s/\$/ $dns_ip/" "$EWLAB_STATE/plan")

  # names for the dns container, then the scraper with every address as its targets
  inspect_all < "$EWLAB_STATE/containers" > "$EWLAB_STATE/lab.tsv"
  awk -F'\t' '{role=$1; sub(/^ewlab-/, "", role); sub(/-[0-9]+$/, "", role);
    printf "%s %s.ewlab.internal %s.ewlab.internal\n", $2, $1, role}' "$EWLAB_STATE/lab.tsv" > "$EWLAB_STATE/hosts"
  echo "$dns_ip go.ewlab.internal" >> "$EWLAB_STATE/hosts"   # the clients' start signal
  local dns_pid; dns_pid=$(pid_of ewlab-dns-001)
  # dnsmasq runs in the dns container's network namespace: its queries and answers are that
  # container's traffic on the bridge. No upstream: it answers only the lab's names.
  setsid nsenter -t "$dns_pid" -n dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll --local=/ewlab.internal/ \
    --addn-hosts="$EWLAB_STATE/hosts" --listen-address="$dns_ip" --bind-interfaces --port 53 \
    --pid-file= --log-facility=- </dev/null >"$EWLAB_STATE/dnsmasq.log" 2>&1 &
  echo $! > "$EWLAB_STATE/dnsmasq.pid"
  start_one ewlab-scraper-002 scraper -- sh -c 'httpd -p 9100 -h /srv/metrics; exec sleep 2147483647'
  echo ewlab-scraper-002 >> "$EWLAB_STATE/containers"
  awk '{print $1}' "$EWLAB_STATE/hosts" | docker exec -i ewlab-scraper-002 sh -c 'cat > /srv/targets'
  docker exec -d ewlab-scraper-002 /srv/scraper.sh
  local t1; t1=$(date +%s.%N)

  # the lab's truth: name, ip, pid per container
  inspect_all < "$EWLAB_STATE/containers" > "$EWLAB_STATE/lab.tsv"
  local running; running=$(docker ps -q --filter label=ewlab.managed=1 --filter status=running | wc -l)
  [ "$running" -eq "$n" ] || die "$running of $n lab containers running"
  kill -0 "$(cat "$EWLAB_STATE/dnsmasq.pid")" 2>/dev/null || { cat "$EWLAB_STATE/dnsmasq.log" >&2; die "dnsmasq did not start"; }
  log "up: $n containers in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s on $EWLAB_BRIDGE ($EWLAB_SUBNET)"
  echo "bridge=$EWLAB_BRIDGE"
  echo "subnet=$EWLAB_SUBNET"
  echo "containers=$EWLAB_STATE/lab.tsv"
}

# ------------------------------------------------------------------ attacks
lab_targets_except() { awk -F'\t' -v self="$1" '$1 != self {print $2}' "$EWLAB_STATE/lab.tsv"; }
attacker_pid() {
  local src=$1
  grep -q "^$src	" "$EWLAB_STATE/lab.tsv" || die "$src is not a container of this lab"
  local pid; pid=$(pid_of "$src")
  [ "$pid" -gt 0 ] || die "$src is not running"
  echo "$pid"
}

cmd_scan() {
  local src=${1:?scan NAME}; local pid; pid=$(attacker_pid "$src")
  mapfile -t targets < <(lab_targets_except "$src")
  log "scan: nmap in $src's network namespace -> ${#targets[@]} lab containers, ports $EWLAB_SCAN_PORTS"
  # -n: no reverse DNS (no query leaves the namespace); -Pn: no host discovery; only the lab's addresses
  nsenter -t "$pid" -n nmap -sS -n -Pn -T4 --max-retries 1 -p "$EWLAB_SCAN_PORTS" -oG - "${targets[@]}" \
    | awk '/Ports:/ {n++} END {printf "scan: %d hosts reported\n", n}' >&2
}

cmd_brute() {
  local src=${1:?brute NAME}; attacker_pid "$src" >/dev/null
  local target; target=$(awk -F'\t' '$1 ~ /^ewlab-db-/ {print $2; exit}' "$EWLAB_STATE/lab.tsv")
  [ -n "$target" ] || die "no db container in the lab"
  log "brute: $EWLAB_BRUTE_ATTEMPTS password guesses from $src against $target:22 (admin login)"
  # the guessing client runs inside the container: its connections are the container's own
  docker exec -e T="$target" -e N="$EWLAB_BRUTE_ATTEMPTS" "$src" sh -c '
    ok=0; i=0
    while [ $i -lt "$N" ]; do i=$((i+1))
      r=$(echo "LOGIN admin guess$i" | timeout 3 nc "$T" 22 2>/dev/null)
      [ "$r" = DENIED ] && ok=$((ok+1))
    done
    echo "brute: $i attempts, $ok answered DENIED" >&2'
}

# ------------------------------------------------------------------ down
cmd_down() {
  [ "$(id -u)" = 0 ] || { log "run as root"; exit 2; }
  if [ -s "$EWLAB_STATE/dnsmasq.pid" ]; then
    local dp; dp=$(cat "$EWLAB_STATE/dnsmasq.pid")
    if kill -0 "$dp" 2>/dev/null && [ "$(cat /proc/"$dp"/comm 2>/dev/null)" = dnsmasq ]; then kill "$dp"; fi
    rm -f "$EWLAB_STATE/dnsmasq.pid"
  fi
  if ping_ok; then
    local ids; ids=$(docker ps -aq --filter label=ewlab.managed=1)
    if [ -n "$ids" ]; then
      log "removing $(echo "$ids" | wc -l) lab containers"
      echo "$ids" | xargs -r -n 50 docker rm -f >/dev/null
    fi
    if docker network inspect "$EWLAB_NET" >/dev/null 2>&1; then
      docker network rm "$EWLAB_NET" >/dev/null && log "removed network $EWLAB_NET"
    fi
  fi
  if [ -s "$EWLAB_STATE/uplink" ]; then
    local up; up=$(cat "$EWLAB_STATE/uplink")
    while iptables -D FORWARD -i "$EWLAB_BRIDGE" -o "$up" -m comment --comment ewlab -j DROP 2>/dev/null; do :; done
    rm -f "$EWLAB_STATE/uplink"
  fi
  local others=0
  if ping_ok; then others=$(docker ps -q | wc -l); fi
  if [ -s "$EWLAB_STATE/sysctl.orig" ]; then
    if [ "$others" -gt 0 ]; then
      log "ARP table limits left raised: $others other containers run on this host (originals: $(cat "$EWLAB_STATE/sysctl.orig"))"
    else
      read -r g1 g2 g3 < "$EWLAB_STATE/sysctl.orig"
      sysctl -qw net.ipv4.neigh.default.gc_thresh1="$g1" net.ipv4.neigh.default.gc_thresh2="$g2" \
        net.ipv4.neigh.default.gc_thresh3="$g3" && log "restored ARP table limits ($g1 $g2 $g3)"
    fi
    rm -f "$EWLAB_STATE/sysctl.orig"
  fi
  if [ -s "$EWLAB_STATE/dockerd.pid" ]; then
    local pid; pid=$(cat "$EWLAB_STATE/dockerd.pid")
    if [ "$others" -gt 0 ]; then
      log "leaving dockerd (pid $pid, started by this lab) running: $others other containers use it"
    elif kill -0 "$pid" 2>/dev/null && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = dockerd ]; then
      log "stopping dockerd (pid $pid, started by this lab)"
      kill -TERM "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      if [ -s "$EWLAB_STATE/containerd.pid" ]; then
        local cp; cp=$(cat "$EWLAB_STATE/containerd.pid")
        if kill -0 "$cp" 2>/dev/null && [ "$(cat /proc/"$cp"/comm 2>/dev/null)" = containerd ]; then
          kill -TERM "$cp"; sleep 1; kill -0 "$cp" 2>/dev/null && kill -KILL "$cp"
        fi
      fi
      # what a stopped dockerd leaves: its default bridge and its iptables chains
      ip link show docker0 >/dev/null 2>&1 && ip link del docker0
      for t in filter nat; do
        iptables -t "$t" -S 2>/dev/null | grep -E '^-A (INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) .*(DOCKER|docker0)' |
          while read -r -a rule; do rule[0]=-D; iptables -t "$t" "${rule[@]}"; done
        for c in DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2 DOCKER; do iptables -t "$t" -F "$c" 2>/dev/null || true; done
        for c in DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2 DOCKER; do iptables -t "$t" -X "$c" 2>/dev/null || true; done
      done
    fi
    rm -f "$EWLAB_STATE/dockerd.pid" "$EWLAB_STATE/containerd.pid"
  fi
  ip link show "$EWLAB_BRIDGE" >/dev/null 2>&1 && ip link del "$EWLAB_BRIDGE" 2>/dev/null
  rm -f "$EWLAB_STATE"/{containers,plan,hosts,lab.tsv,network,dnsmasq.log}
  log "down"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  scan) shift; cmd_scan "$@" ;;
  brute) shift; cmd_brute "$@" ;;
  down) cmd_down ;;
  *) usage ;;
esac
