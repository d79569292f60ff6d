#!/usr/bin/env bash
# Installs what eastwatch needs on a fresh Debian (bookworm) machine of this kind, idempotently:
# the JDK and Maven are already there; libpcap for capture, tshark/tcpdump/tcpreplay/nmap/iproute2
# for the capture tests and benchmarks, Prometheus for the dashboard tests.
# The Docker engine is installed for ./eastwatch lab; the identity tests' containers come from
# ../shared/lab/up.sh. apt does not start dockerd (policy-rc.d below); the lab starts it when none runs.
set -euo pipefail
pkgs=(libpcap0.8 tshark tcpdump tcpreplay nmap iproute2 prometheus procps psmisc systemd curl netcat-openbsd iputils-ping
  # ./eastwatch lab (scripts/lab/ewlab.sh): Docker engine, the static busybox its image is made of, the
  # lab's DNS server (run in a container's network namespace), nsenter and iptables for containment
  docker.io containerd runc iptables busybox-static dnsmasq-base util-linux)
need=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "eastwatch: installing ${need[*]}" >&2
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  # keep apt from starting the packaged prometheus service (no systemd here; tests start their own)
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null; $SUDO chmod 755 /usr/sbin/policy-rc.d; made_policy=1
  fi
  $SUDO apt-get update -qq
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/tmp/eastwatch-apt.log 2>&1 \
    || { tail -20 /tmp/eastwatch-apt.log >&2; [ $made_policy = 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d; exit 1; }
  [ $made_policy = 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d
fi
