"""Load test of the dashboard on loopback: concurrent clients recomputing the flagship.

Starts ``realpolitik serve reverse-kissinger`` in a child process (its default worker count: the
usable CPUs), then runs CLIENTS threads that each send REQUESTS recomputations one after another
(no pause unless ``--think``), each moving one to three of the flagship's sliders to a random
position within its range (seeded per client, so no two requests are alike and nothing can be
answered from a cache), at the dashboard's draw count. Reports errors, latency percentiles and
throughput.

Run: python benchmarks/bench_dashboard.py [--clients 20] [--requests 50] [--workers N] [--think 0]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIO = "reverse-kissinger"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, workers: int | None, draws: int | None) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "realpolitik", "serve", SCENARIO, "--port", str(port), "--no-open"]
    if workers:
        cmd += ["--workers", str(workers)]
    if draws:
        cmd += ["--draws", str(draws)]
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/scenarios")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the dashboard did not start in 180 s")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (all its threads), from /proc (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids, seen = [pid], set()
    while pids:
        p = pids.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    pids.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return total


def get_json(port: int, path: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    return json.loads(conn.getresponse().read())


def client(
    port: int,
    index: int,
    requests: int,
    sliders: list[dict],
    think: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    rng = random.Random(1000 + index)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for _ in range(requests):
        edits = {}
        for n in rng.sample(sliders, rng.randint(1, 3)):
            edits[n["path"]] = n["low"] + (n["high"] - n["low"]) * rng.random()
        body = json.dumps({"scenario": SCENARIO, "edits": edits, "seed": 0})
        start = time.perf_counter()
        try:
            conn.request("POST", "/api/recompute", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            payload = response.read()
            elapsed = time.perf_counter() - start
            if response.status != 200:
                errors.append(f"{response.status}: {payload[:200]!r}")
            else:
                latencies.append(elapsed)
        except OSError as exc:
            errors.append(repr(exc))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        if think:
            time.sleep(think)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50, help="recomputations per client")
    parser.add_argument("--workers", type=int, default=None, help="server worker processes")
    parser.add_argument("--draws", type=int, default=None, help="draws per recomputation")
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds between a client's requests"
    )
    args = parser.parse_args()

    port = free_port()
    proc = start_server(port, args.workers, args.draws)
    try:
        meta = get_json(port, "/api/scenarios")
        controls = get_json(port, f"/api/scenarios/{SCENARIO}/controls")
        sliders = [n for n in controls["numbers"] if n["group"].startswith("lever")]
        # one warm-up request per worker before timing
        warm: list[float] = []
        client(port, -1, 4, sliders, 0.0, warm, [])
        latencies: list[float] = []
        errors: list[str] = []
        threads = [
            threading.Thread(
                target=client, args=(port, i, args.requests, sliders, args.think, latencies, errors)
            )
            for i in range(args.clients)
        ]
        cpu_before = tree_cpu_seconds(proc.pid)
        front_before = process_cpu_seconds(proc.pid)
        client_before = time.process_time()
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        cpu = tree_cpu_seconds(proc.pid) - cpu_before
        front = process_cpu_seconds(proc.pid) - front_before
        client_cpu = time.process_time() - client_before
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    total = args.clients * args.requests
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(
        f"{args.clients} clients x {args.requests} recomputations of {SCENARIO} at "
        f"{meta['limits']['draws']} draws, think time {args.think} s, server workers "
        f"{args.workers or 'default (usable CPUs)'}"
    )
    print(
        f"requests {total}, errors {len(errors)}, wall {wall:.1f} s, {len(latencies) / wall:.1f} req/s"
    )
    if latencies:
        ms = [x * 1000 for x in latencies]
        print(
            f"latency ms: p50 {percentile(ms, 50):.0f}  p95 {percentile(ms, 95):.0f}  "
            f"p99 {percentile(ms, 99):.0f}  max {max(ms):.0f}  mean {sum(ms) / len(ms):.0f}"
        )
    done = max(1, len(latencies) + len(errors))
    cpu_ms = 1000 * cpu / done
    print(
        f"CPU per recomputation: server {cpu_ms:.1f} ms (of which the HTTP process "
        f"{1000 * front / done:.1f} ms, the workers {cpu_ms - 1000 * front / done:.1f} ms); "
        f"this load generator {1000 * client_cpu / done:.1f} ms"
    )
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"server CPU (all its processes) per recomputation: {cpu_ms:.0f} ms; the load average "
        f"was {os.getloadavg()[0]:.1f} on {cores} cores (other work shares them)"
    )
    print(
        f"on {cores} idle cores that CPU allows about {1000 * cores / cpu_ms:.0f} recomputations/s; "
        f"{args.clients} clients without pause then wait about "
        f"{args.clients * cpu_ms / cores:.0f} ms each"
    )
    for e in errors[:5]:
        print("error:", e)
    print(
        json.dumps(
            {
                "clients": args.clients,
                "requests": total,
                "errors": len(errors),
                "draws": meta["limits"]["draws"],
                "p50_ms": percentile([x * 1000 for x in latencies], 50) if latencies else None,
                "p95_ms": percentile([x * 1000 for x in latencies], 95) if latencies else None,
                "throughput": len(latencies) / wall,
                "server_cpu_ms_per_request": cpu_ms,
                "load_average": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
