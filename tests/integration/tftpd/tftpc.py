#!/usr/bin/env python3
"""Small TFTP client for the tests: options the packaged clients cannot send
(windowsize with exact control, the edk2 tsize probe + ERROR 8 abort), raw
malformed packets, and exact error codes.

  tftpc.py HOST PORT FILE [--opt NAME=VALUE]... [--out PATH] [--probe-abort]
  tftpc.py HOST PORT --raw HEX        send raw bytes to HOST:PORT, print the reply

Prints "OK <bytes> <oack>" or "ERROR <code> <message>" or "NOREPLY"; exit 0, 3, 4.
"""
import argparse
import socket
import struct
import sys
import time


def request(opcode, name, mode, options):
    out = struct.pack("!H", opcode) + name.encode() + b"\0" + mode.encode() + b"\0"
    for key, value in options:
        out += key.encode() + b"\0" + value.encode() + b"\0"
    return out


def parse_oack(payload):
    parts = payload.split(b"\0")
    return {parts[i].decode().lower(): parts[i + 1].decode() for i in range(0, len(parts) - 1, 2) if parts[i]}


def make_socket(host):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    return sock


def raw(host, port, hexdata, wait):
    sock = make_socket(host)
    sock.settimeout(wait)
    sock.sendto(bytes.fromhex(hexdata), (host, port))
    try:
        data, _ = sock.recvfrom(65536)
    except socket.timeout:
        print("NOREPLY")
        return 4
    opcode = struct.unpack("!H", data[:2])[0]
    if opcode == 5:
        code = struct.unpack("!H", data[2:4])[0]
        print("ERROR %d %s" % (code, data[4:].split(b"\0")[0].decode(errors="replace")))
        return 3
    print("REPLY opcode=%d" % opcode)
    return 0


def garbage(host, port, count):
    import random
    rng = random.Random(7)
    sock = make_socket(host)
    sock.setblocking(False)
    replies = 0
    for _ in range(count):
        body = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 80)))
        if rng.random() < 0.5:
            body = b"\x00" + bytes([rng.choice((1, 2))]) + body  # looks like a request: gets parsed further
        sock.sendto(body, (host, port))
        time.sleep(0.002)
        try:
            while True:
                sock.recvfrom(65536)
                replies += 1
        except BlockingIOError:
            pass
    print("SENT %d REPLIES %d" % (count, replies))
    return 0


def download(host, port, name, options, out, mode, timeout, deadline):
    sock = make_socket(host)
    sock.settimeout(timeout)
    server = (host, port)
    first = request(1, name, mode, options)
    sock.sendto(first, server)
    last_sent = first
    tid = None
    blksize = 512
    window = 1
    oack = {}
    expected = 1
    received = 0
    in_window = 0
    chunks = []
    stop_at = time.monotonic() + deadline
    while time.monotonic() < stop_at:
        try:
            data, peer = sock.recvfrom(65536 + 4)
        except socket.timeout:
            sock.sendto(last_sent, tid or server)
            continue
        if tid is None:
            tid = peer
        elif peer != tid:
            sock.sendto(struct.pack("!HH", 5, 5) + b"unknown transfer id\0", peer)
            continue
        opcode = struct.unpack("!H", data[:2])[0]
        if opcode == 5:
            code = struct.unpack("!H", data[2:4])[0]
            return "ERROR %d %s" % (code, data[4:].split(b"\0")[0].decode(errors="replace")), 3
        if opcode == 6:
            oack = parse_oack(data[2:])
            asked = {k for k, _ in options}
            extra = set(oack) - asked
            if extra:
                return "ERROR 99 server sent options nobody asked for: %s" % sorted(extra), 3
            blksize = int(oack.get("blksize", 512))
            window = int(oack.get("windowsize", 1))
            last_sent = struct.pack("!HH", 4, 0)
            sock.sendto(last_sent, tid)
            continue
        if opcode != 3:
            continue
        block = struct.unpack("!H", data[2:4])[0]
        if block != expected & 0xFFFF:
            # gap or duplicate: report the last block we hold (RFC 7440)
            last_sent = struct.pack("!HH", 4, (expected - 1) & 0xFFFF)
            sock.sendto(last_sent, tid)
            in_window = 0
            continue
        payload = data[4:]
        chunks.append(payload)
        received += len(payload)
        expected += 1
        in_window += 1
        done = len(payload) < blksize
        if done or in_window >= window:
            last_sent = struct.pack("!HH", 4, (expected - 1) & 0xFFFF)
            sock.sendto(last_sent, tid)
            in_window = 0
        if done:
            with open(out, "wb") as handle:
                handle.write(b"".join(chunks))
            return "OK %d %s" % (received, ",".join("%s=%s" % kv for kv in sorted(oack.items()))), 0
    return "ERROR 98 client deadline passed", 3


def probe_abort(host, port, name, timeout):
    """edk2: RRQ tsize=0, read the OACK, then abort with ERROR 8."""
    sock = make_socket(host)
    sock.settimeout(timeout)
    sock.sendto(request(1, name, "octet", [("tsize", "0")]), (host, port))
    data, peer = sock.recvfrom(65536)
    if struct.unpack("!H", data[:2])[0] != 6:
        return None
    size = parse_oack(data[2:]).get("tsize")
    sock.sendto(struct.pack("!HH", 5, 8) + b"tsize only\0", peer)
    return size


def repeated_request(host, port, name, wait):
    """A client whose first answer is late sends its request again from the
    same port: the server must answer from one transfer port, not two."""
    sock = make_socket(host)
    packet = request(1, name, "octet", [])
    sock.sendto(packet, (host, port))
    sock.sendto(packet, (host, port))
    sock.settimeout(0.2)
    peers = set()
    end = time.monotonic() + wait
    while time.monotonic() < end:  # no ACK: the server retransmits DATA 1 meanwhile
        try:
            data, peer = sock.recvfrom(65536)
        except socket.timeout:
            continue
        if data[:2] == b"\0\3":
            peers.add(peer[1])
    for p in peers:
        sock.sendto(struct.pack("!HH", 5, 0) + b"done\0", (host, p))
    print("TRANSFER-PORTS %d" % len(peers))
    return 0 if len(peers) == 1 else 3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("file", nargs="?")
    parser.add_argument("--opt", action="append", default=[])
    parser.add_argument("--out", default="/dev/null")
    parser.add_argument("--mode", default="octet")
    parser.add_argument("--raw")
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--deadline", type=float, default=60.0)
    parser.add_argument("--probe-abort", action="store_true")
    parser.add_argument("--garbage", type=int, default=0, help="send N random packets, count replies")
    parser.add_argument("--repeat-request", action="store_true",
                        help="send the request twice from one port; count the ports that answer")
    args = parser.parse_args()
    if args.garbage:
        return garbage(args.host, args.port, args.garbage)
    if args.repeat_request:
        return repeated_request(args.host, args.port, args.file, args.timeout)
    if args.raw is not None:
        return raw(args.host, args.port, args.raw, args.timeout)
    options = [tuple(o.split("=", 1)) for o in args.opt]
    if args.probe_abort:
        size = probe_abort(args.host, args.port, args.file, args.timeout)
        if size is None:
            print("ERROR 97 no OACK to the tsize probe")
            return 3
        print("PROBE tsize=%s" % size)
    line, code = download(args.host, args.port, args.file, options, args.out, args.mode, args.timeout, args.deadline)
    print(line)
    return code


if __name__ == "__main__":
    sys.exit(main())
