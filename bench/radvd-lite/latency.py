#!/usr/bin/env python3
"""RS -> RA latency from `tcpdump -n -tt` text (ra-bench.sh).

latency.py DAEMON MODE RSS_KB < tcpdump-text   prints one result line
latency.py --ratios < result-lines              prints radvd-lite / radvd
"""
import statistics
import sys


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def measure(daemon, mode, rss):
    solicitations, adverts = [], []
    for line in sys.stdin:
        fields = line.split()
        if len(fields) < 5:
            continue
        t = float(fields[0])
        destination = fields[4].rstrip(":")
        if "router solicitation" in line:
            solicitations.append(t)
        elif "router advertisement" in line:
            unicast = not destination.startswith("ff02::")
            if unicast == (mode == "unicast"):
                adverts.append(t)
    latencies, lost = [], 0
    for rs in solicitations:
        answer = next((ra for ra in adverts if ra >= rs), None)
        if answer is None or answer - rs > 5:
            lost += 1
        else:
            latencies.append((answer - rs) * 1000)
    if not latencies:
        print(f"{daemon} {mode} n=0 lost={lost} rss_kb={rss}")
        return
    print(f"{daemon} {mode} n={len(latencies)} lost={lost} median_ms={statistics.median(latencies):.3f} "
          f"p90_ms={pct(latencies, 90):.3f} min_ms={min(latencies):.3f} max_ms={max(latencies):.3f} rss_kb={rss}")


def ratios():
    rows = {}
    for line in sys.stdin:
        fields = line.split()
        values = dict(f.split("=") for f in fields[2:])
        rows[(fields[0], fields[1])] = values
    print("\nratio radvd-lite / radvd (lower is better)")
    for mode in ("unicast", "multicast", "multicast-4s"):
        lite, radvd = rows.get(("radvd-lite", mode)), rows.get(("radvd", mode))
        if not lite or not radvd or "median_ms" not in lite or "median_ms" not in radvd:
            if lite or radvd:
                print(f"  {mode}: incomplete")
            continue
        print(f"  {mode:13s} median {float(lite['median_ms']) / float(radvd['median_ms']):.2f}  "
              f"p90 {float(lite['p90_ms']) / float(radvd['p90_ms']):.2f}  "
              f"peak RSS {int(lite['rss_kb']) / int(radvd['rss_kb']):.2f} "
              f"({lite['rss_kb']} kB vs {radvd['rss_kb']} kB over radvd's 2 processes)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--ratios"]:
        ratios()
    else:
        measure(*sys.argv[1:4])
