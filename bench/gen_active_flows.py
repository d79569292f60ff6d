#!/usr/bin/env python3
"""Writes a classic pcap in which N TCP connections are opened (SYN, SYN-ACK, ACK) and none is
closed within the capture, so all N are active in the agent's flow table at once at the end:
the input of the agent memory benchmark (bench/RESULTS.md, "Agent memory").

    python3 bench/gen_active_flows.py -n 200000 -o /tmp/bench/active200k.pcap
"""
import argparse
import struct


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, flags, seq, ack):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\x02\x42\xac\x11\x00\x02" + b"\x02\x42\xac\x11\x00\x03" + b"\x08\x00"
    return eth + ip + tcp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200000, help="connections (all left open)")
    ap.add_argument("-o", required=True)
    a = ap.parse_args()
    with open(a.o, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 1767900000.0
        for i in range(a.n):
            # clients 10.1.x.y, servers 10.2.x.y: distinct pairs, fixed service port
            c = bytes([10, 1, (i >> 8) & 0xFF, i & 0xFF])
            s = bytes([10, 2, (i >> 16) & 0xFF, (i >> 8) & 0xFF])
            sport = 32768 + (i % 28000)
            for flags, (src, dst, sp, dp) in ((0x02, (c, s, sport, 5432)), (0x12, (s, c, 5432, sport)),
                                              (0x10, (c, s, sport, 5432))):
                p = frame(src, dst, sp, dp, flags, 1000, 0 if flags == 0x02 else 1001)
                sec = int(t)
                f.write(struct.pack("<IIII", sec, int((t - sec) * 1e6), len(p), len(p)))
                f.write(p)
                t += 0.000015  # 200k connections in about 9 s: well inside the idle timeout
    print(a.o, a.n, "connections left open")


if __name__ == "__main__":
    main()
