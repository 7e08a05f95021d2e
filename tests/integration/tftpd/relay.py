#!/usr/bin/env python3
"""Lossy UDP relay for TFTP (the kernel here has no netem qdisc).

  relay.py --map LISTEN=UPSTREAM [--map ...] --loss 0.05 --delay 0.1 --max-delay-ms 30

LISTEN and UPSTREAM are host:port or [v6]:port. A client's first packet to
LISTEN opens a session: one socket towards the server and one fresh port
towards the client, so the client sees the server's "new TID" through the
relay exactly as without it. Every forwarded datagram, either direction, is
dropped with probability --loss, duplicated with --duplicate, or delayed by
up to --max-delay-ms with probability --delay (which reorders it).
Runs until SIGTERM or --lifetime seconds; prints counters on exit.
"""
import argparse
import heapq
import random
import selectors
import signal
import socket
import sys
import time


def endpoint(text):
    if text.startswith("["):
        host, port = text[1:].split("]:")
        return socket.AF_INET6, (host, int(port))
    host, port = text.rsplit(":", 1)
    return socket.AF_INET, (host, int(port))


class Relay:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.args = args
        self.selector = selectors.DefaultSelector()
        self.pending = []  # (due, seq, sock, data, addr)
        self.seq = 0
        self.sessions = {}
        self.stats = {"forwarded": 0, "dropped": 0, "delayed": 0, "duplicated": 0, "sessions": 0}
        for mapping in args.map:
            listen_text, upstream_text = mapping.split("=")
            family, listen = endpoint(listen_text)
            _, upstream = endpoint(upstream_text)
            sock = socket.socket(family, socket.SOCK_DGRAM)
            sock.bind(listen)
            self.selector.register(sock, selectors.EVENT_READ, ("listen", family, listen[0], upstream))

    def send(self, sock, data, addr):
        handshake = data[:2] == b"\x00\x06" or data[:4] == b"\x00\x04\x00\x00"
        if handshake and self.args.spare_handshake:
            sock.sendto(data, addr)
            self.stats["forwarded"] += 1
            return
        roll = self.rng.random()
        if roll < self.args.loss:
            self.stats["dropped"] += 1
            return
        copies = 2 if self.rng.random() < self.args.duplicate else 1
        if copies == 2:
            self.stats["duplicated"] += 1
        for _ in range(copies):
            if self.rng.random() < self.args.delay:
                self.stats["delayed"] += 1
                due = time.monotonic() + self.rng.uniform(0.001, self.args.max_delay_ms / 1000.0)
                self.seq += 1
                heapq.heappush(self.pending, (due, self.seq, sock, data, addr))
            else:
                self.stats["forwarded"] += 1
                try:
                    sock.sendto(data, addr)
                except OSError:
                    pass

    def session(self, family, listen_host, upstream, client):
        key = (listen_host, client)
        found = self.sessions.get(key)
        if found:
            return found
        towards_server = socket.socket(family, socket.SOCK_DGRAM)
        # One client-facing port per server TID: a retransmitted RRQ can
        # start a second transfer, and the client must see it as a distinct
        # TID (and refuse it), exactly as without the relay.
        state = {"server": upstream, "client": client, "family": family, "host": listen_host,
                 "up": towards_server, "downs": {}}
        self.selector.register(towards_server, selectors.EVENT_READ, ("up", state))
        self.sessions[key] = state
        self.stats["sessions"] += 1
        return state

    def run(self, lifetime):
        stop_at = time.monotonic() + lifetime
        self.running = True
        while self.running and time.monotonic() < stop_at:
            timeout = 0.05
            if self.pending:
                timeout = max(0.0, min(timeout, self.pending[0][0] - time.monotonic()))
            for key, _ in self.selector.select(timeout):
                sock = key.fileobj
                try:
                    data, addr = sock.recvfrom(65536)
                except OSError:
                    continue
                tag = key.data[0]
                if tag == "listen":
                    _, family, listen_host, upstream = key.data
                    state = self.session(family, listen_host, upstream, addr)
                    self.send(state["up"], data, upstream)
                elif tag == "up":
                    state = key.data[1]
                    down = state["downs"].get(addr)
                    if down is None:
                        down = socket.socket(state["family"], socket.SOCK_DGRAM)
                        down.bind((state["host"], 0))
                        state["downs"][addr] = down
                        self.selector.register(down, selectors.EVENT_READ, ("down", state, addr))
                    self.send(down, data, state["client"])
                else:
                    state, server_tid = key.data[1], key.data[2]
                    self.send(state["up"], data, server_tid)
            now = time.monotonic()
            while self.pending and self.pending[0][0] <= now:
                _, _, sock, data, addr = heapq.heappop(self.pending)
                try:
                    sock.sendto(data, addr)
                except OSError:
                    pass
        print(" ".join("%s=%d" % kv for kv in sorted(self.stats.items())), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--map", action="append", required=True)
    parser.add_argument("--loss", type=float, default=0.05)
    parser.add_argument("--duplicate", type=float, default=0.01)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--max-delay-ms", type=float, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spare-handshake", action="store_true",
                        help="never drop or duplicate OACK and ACK 0 (atftp aborts on a repeated OACK)")
    parser.add_argument("--lifetime", type=float, default=280)
    args = parser.parse_args()
    relay = Relay(args)

    def stop(*_):
        relay.running = False
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("relay ready", flush=True)
    relay.run(args.lifetime)
    return 0


if __name__ == "__main__":
    sys.exit(main())
