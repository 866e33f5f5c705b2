"""Load test of the dashboard on loopback: concurrent clients recomputing the flagship.

One command, two parts:

1. **Where the CPU goes** (in this process, no server): ``--breakdown`` distinct edits of the
   flagship, each timed stage by stage in CPU time (``time.process_time``, which other work on
   the machine does not inflate much): building and checking the edited scenario, the model's
   point analysis, the draws, and everything else the dashboard does (statistics, sentences,
   figure specifications, JSON).
2. **The load test**: starts ``realpolitik serve reverse-kissinger`` in a child process (its
   default worker count: the usable CPUs), then runs CLIENTS threads that each send REQUESTS
   recomputations one after another (no pause unless ``--think``), each moving one to three of
   the flagship's lever sliders to a random position within its range (seeded per client, so no
   two requests are alike and nothing can be answered from a cache), at the dashboard's draw
   count. Reports errors, latency percentiles, throughput and the CPU per recomputation of the
   server's HTTP process, of its workers and of this load generator. The server batches
   (recomputations of the flagship waiting together run as one stacked model call); with
   ``--reference`` (the default) the same load test then runs against ``serve --no-batch`` (one
   job per recomputation, the server before batching) and the two are compared side by side.

The floor (issue 14): 20 clients x 50 recomputations, 0 errors, p95 under 300 ms on 2 cores.

Run: python benchmarks/bench_dashboard.py [--clients 20] [--requests 50] [--workers N]
[--think 0] [--breakdown 30] [--draws N] [--no-reference]
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
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
SCENARIO = "reverse-kissinger"
FLOOR_P95_MS = 300.0
#: Edits per call of engine.recompute_many in the breakdown (about what 20 clients queue up).
STACKED = 10


def random_edits(sliders: list[dict[str, Any]], rng: random.Random) -> dict[str, float]:
    """One to three lever sliders moved to a random position within their ranges."""
    edits = {}
    for n in rng.sample(sliders, rng.randint(1, 3)):
        edits[n["path"]] = n["low"] + (n["high"] - n["low"]) * rng.random()
    return edits


# ------------------------------------------------------------------------------------------------
# 1. where the CPU of one recomputation goes


def _model_parts(scenario: Any, shared: Any, draws: int, spent: dict[str, float]) -> None:
    """Time the model's parts of one recomputation apart (added to ``spent``), and the causal
    decomposition again the way it was built before (every coalition problem re-validated)."""
    import numpy as np

    from realpolitik.models.adapters.realignment import problem_from_scenario, shapley_summary
    from realpolitik.models.realignment import simulate, solve
    from realpolitik.models.realignment.game import need_and_price
    from realpolitik.models.realignment.shapley import _decomposition, _switch_off, cause_atoms

    t6 = time.process_time()
    shapley_summary(problem_from_scenario(scenario))
    t7 = time.process_time()
    pb = problem_from_scenario(scenario)
    groups = {a: (a,) for a in cause_atoms(pb)}
    big = pb.take(np.zeros(2 ** len(groups), int))
    coal = np.arange(2 ** len(groups))
    ch: dict[str, Any] = {}
    for gi, g in enumerate(groups):
        _switch_off(big, g, ((coal >> gi) & 1).astype(bool), ch)
    need, price = need_and_price(big.with_changes(**ch))
    _decomposition(groups, need.reshape(-1, 1, 2), price.reshape(-1, 1, 2))
    t7b = time.process_time()
    samples = {p: v for p, v in shared.samples.items()} if shared else {}
    for p in samples:
        if p not in {u.path for u in scenario.uncertainties()}:
            samples[p] = np.full(draws, scenario.value(p))
    t8 = time.process_time()
    problem = problem_from_scenario(scenario, samples, draws)
    t9 = time.process_time()
    solution = solve(problem)
    t10 = time.process_time()
    simulate(problem, np.random.default_rng(0), solution=solution)
    t11 = time.process_time()
    spent["  of which point: Shapley decomposition (problem built too)"] += t7 - t6
    spent["  reference: the same, coalition problems re-validated (problem built too)"] += t7b - t7
    spent["  of which draws: the problem of the draws"] += t9 - t8
    spent["  of which draws: solving the bidding game"] += t10 - t9
    spent["  of which draws: year-by-year simulation with re-bidding"] += t11 - t10


def breakdown(n: int, draws: int) -> dict[str, float]:
    """CPU milliseconds per recomputation, by stage, over ``n`` distinct edits (in process).

    The stages are the worker's own steps (:func:`realpolitik.app.views.recompute_view`), run
    one by one; the lines "of which" time the model's parts again on the same edit, apart.
    """

    from realpolitik.app import engine, views
    from realpolitik.scenario.edit import apply_edits, editable_numbers, edited_data
    from realpolitik.scenario.examples import example_path
    from realpolitik.scenario.load import from_dict

    path = str(example_path(SCENARIO))
    shown = f"examples/{SCENARIO}.yaml"
    engine.warm_up()
    original = engine._scenario(path, shown)
    sliders = [n.to_dict() for n in editable_numbers(original) if n.group.startswith("lever")]
    rng = random.Random(7)
    shared = views.shared_draws(original, draws, 0)  # the shared samples, drawn once
    views.point_result(original, draws, 0)  # compiles what the point analysis runs, untimed
    spent: dict[str, float] = defaultdict(float)
    for _ in range(n):
        edits = random_edits(sliders, rng)
        t0 = time.process_time()
        scenario = apply_edits(original, edits)
        t1 = time.process_time()
        result = views.point_result(scenario, draws, 0)
        t2 = time.process_time()
        outputs = views.draw_outputs(original, scenario, draws, 0)
        t3 = time.process_time()
        engine.to_json(views.answer_view(scenario, original, edits, draws, 0, result, outputs))
        t4 = time.process_time()
        engine.recompute(path, shown, edits, draws, 0)  # the whole of it, as a worker runs it
        t5 = time.process_time()
        spent["edit: build and check the edited scenario"] += t1 - t0
        t0 = time.process_time()
        from_dict(edited_data(original, edits), file=f"{original.file} (edited)")
        spent["  reference: the same edit rebuilt from plain data, checked in full"] += (
            time.process_time() - t0
        )
        spent["model: point analysis (light: no by-year paths)"] += t2 - t1
        spent[f"model: {draws} draws"] += t3 - t2
        spent["view: statistics, sentences, figure specifications, JSON"] += t4 - t3
        spent["whole recomputation in a worker (engine.recompute, again)"] += t5 - t4
        _model_parts(scenario, shared, draws, spent)  # the model's parts, again, apart
    out = {k: 1000 * v / n for k, v in spent.items()}
    # the same edits again, as a batching server's worker runs them: STACKED at a time
    rng = random.Random(7)
    edits = [random_edits(sliders, rng) for _ in range(n)]
    engine._PAYLOADS.clear()
    t0 = time.process_time()
    for i in range(0, n, STACKED):
        engine.recompute_many(path, shown, edits[i : i + STACKED], draws, 0)
    out[f"whole recomputation, {STACKED} at a time (engine.recompute_many)"] = (
        1000 * (time.process_time() - t0) / n
    )
    return out


# ------------------------------------------------------------------------------------------------
# 2. the load test


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    port: int, workers: int | None, draws: int | None, batch: bool = True
) -> subprocess.Popen[bytes]:
    """``realpolitik serve`` in a child process, once it answers."""
    cmd = [sys.executable, "-m", "realpolitik", "serve", SCENARIO, "--port", str(port), "--no-open"]
    if not batch:
        cmd.append("--no-batch")
    if workers:
        cmd += ["--workers", str(workers)]
    if draws:
        cmd += ["--draws", str(draws)]
    paths = [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
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


def descendants(pid: int) -> list[int]:
    """A process and all its descendants, from /proc (Linux)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return found


def _is_tracker(pid: int) -> bool:
    """Whether ``pid`` is multiprocessing's resource tracker (not a worker)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"resource_tracker" in fh.read()
    except OSError:
        return False


def get_json(port: int, path: str) -> Any:
    """GET ``path`` as JSON."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    return json.loads(conn.getresponse().read())


def client(
    port: int,
    index: int,
    requests: int,
    sliders: list[dict[str, Any]],
    think: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    """One user: ``requests`` recomputations one after another, each a new slider position."""
    rng = random.Random(1000 + index)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for _ in range(requests):
        body = json.dumps({"scenario": SCENARIO, "edits": random_edits(sliders, rng), "seed": 0})
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
    """The ``q``-th percentile (nearest rank)."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def load_test(args: argparse.Namespace, batch: bool = True) -> dict[str, Any]:
    """Run the clients against a fresh server (``batch``: recomputations waiting together run as
    one job; ``False``: one job each, the server before batching); latencies, errors and CPU
    by process."""
    port = free_port()
    proc = start_server(port, args.workers, args.draws, batch)
    try:
        meta = get_json(port, "/api/scenarios")
        controls = get_json(port, f"/api/scenarios/{SCENARIO}/controls")
        sliders = [n for n in controls["numbers"] if n["group"].startswith("lever")]
        client(port, -1, 4, sliders, 0.0, [], [])  # warm-up before timing
        latencies: list[float] = []
        errors: list[str] = []
        threads = [
            threading.Thread(
                target=client, args=(port, i, args.requests, sliders, args.think, latencies, errors)
            )
            for i in range(args.clients)
        ]
        pids = [p for p in descendants(proc.pid) if p == proc.pid or not _is_tracker(p)]
        before = {p: process_cpu_seconds(p) for p in pids}
        client_before = time.process_time()
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        after = {p: process_cpu_seconds(p) for p in pids}
        client_cpu = time.process_time() - client_before
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    done = max(1, len(latencies) + len(errors))
    http_cpu = after[proc.pid] - before[proc.pid]
    workers_cpu = sum(after[p] - before[p] for p in pids if p != proc.pid)
    return {
        "clients": args.clients,
        "requests": args.clients * args.requests,
        "errors": len(errors),
        "error_samples": errors[:5],
        "draws": meta["limits"]["draws"],
        "wall_s": wall,
        "throughput": len(latencies) / wall,
        "latency_ms": [1000 * x for x in latencies],
        "http_cpu_ms": 1000 * http_cpu / done,
        "workers_cpu_ms": 1000 * workers_cpu / done,
        "client_cpu_ms": 1000 * client_cpu / done,
        "worker_processes": len(pids) - 1,
    }


def budget(stages: dict[str, float], r: dict[str, Any], cores: int) -> None:
    """The CPU the floor allows one recomputation, and how the breakdown's stages use it."""
    allowed = FLOOR_P95_MS * cores / r["clients"]
    outside = r["http_cpu_ms"] + r["client_cpu_ms"]
    model = sum(ms for name, ms in stages.items() if name.startswith("model:"))
    own = sum(ms for name, ms in stages.items() if name.startswith(("edit:", "view:")))
    print(
        f"budget: {r['clients']} clients on {cores} cores at p95 {FLOOR_P95_MS:.0f} ms allow about "
        f"{allowed:.0f} ms CPU per recomputation, everything included (less for the p95's tail); "
        f"HTTP and load generator take {outside:.1f}, the dashboard's own steps (edit, view) "
        f"{own:.1f}, the model {model:.1f} (point analysis and draws): the model may take about "
        f"{max(0.0, allowed - outside - own):.0f}"
    )


def main() -> None:
    """Print the CPU breakdown, then the load test's figures, then one JSON line of both."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50, help="recomputations per client")
    parser.add_argument("--workers", type=int, default=None, help="server worker processes")
    parser.add_argument("--draws", type=int, default=None, help="draws per recomputation")
    parser.add_argument("--think", type=float, default=0.0, help="seconds between requests")
    parser.add_argument(
        "--breakdown", type=int, default=30, help="edits timed stage by stage (0: skip)"
    )
    parser.add_argument(
        "--reference",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also load-test the server with --no-batch (one job per recomputation) and compare",
    )
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"machine: {platform.machine()}, {cores} usable CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at the start"
    )
    from realpolitik.app.requests import Limits

    draws = args.draws or Limits().draws
    stages: dict[str, float] = {}
    if args.breakdown:
        stages = breakdown(args.breakdown, draws)
        print(f"\nCPU per recomputation by stage ({args.breakdown} distinct edits, in process):")
        for name, ms in stages.items():
            print(f"  {ms:8.1f} ms  {name}")

    r = load_test(args)
    report(r, args, cores or 1, "batched (the default)")
    reference = None
    if args.reference:
        reference = load_test(args, batch=False)
        report(reference, args, cores or 1, "one job per recomputation (--no-batch)")
        ratios(r, reference)
    if stages:
        budget(stages, r, cores or 1)
    summary = _summary(r)
    summary.update(breakdown_cpu_ms=stages, load_average=os.getloadavg()[0])
    if reference is not None:
        summary["no_batch"] = _summary(reference)
    print(json.dumps(summary))


def _summary(r: dict[str, Any]) -> dict[str, Any]:
    """A load test's figures for the JSON line (percentiles instead of every latency)."""
    ms = r["latency_ms"]
    out = {k: v for k, v in r.items() if k not in ("latency_ms", "error_samples")}
    out.update(
        p50_ms=percentile(ms, 50) if ms else None,
        p95_ms=percentile(ms, 95) if ms else None,
        p99_ms=percentile(ms, 99) if ms else None,
    )
    return out


def report(r: dict[str, Any], args: argparse.Namespace, cores: int, label: str) -> None:
    """Print one load test's figures and the floor's verdict."""
    ms = r["latency_ms"]
    print(
        f"\nload test, {label}: {r['clients']} clients x {args.requests} recomputations of "
        f"{SCENARIO} at {r['draws']} draws, think time {args.think} s, "
        f"{r['worker_processes']} worker processes"
    )
    print(
        f"requests {r['requests']}, errors {r['errors']}, wall {r['wall_s']:.1f} s, "
        f"{r['throughput']:.1f} recomputations/s"
    )
    p95 = percentile(ms, 95) if ms else float("nan")
    if ms:
        print(
            f"latency ms: p50 {percentile(ms, 50):.0f}  p95 {p95:.0f}  p99 {percentile(ms, 99):.0f}"
            f"  max {max(ms):.0f}  mean {sum(ms) / len(ms):.0f}"
        )
    server = r["http_cpu_ms"] + r["workers_cpu_ms"]
    print(
        f"CPU per recomputation: server {server:.1f} ms (HTTP process {r['http_cpu_ms']:.1f}, "
        f"workers {r['workers_cpu_ms']:.1f}); this load generator {r['client_cpu_ms']:.1f}"
    )
    total = server + r["client_cpu_ms"]
    print(
        f"on {cores} idle cores that CPU allows about {1000 * cores / total:.0f} "
        f"recomputations/s; {r['clients']} clients without pause then wait about "
        f"{r['clients'] * total / cores:.0f} ms each (load average now "
        f"{os.getloadavg()[0]:.1f}: other work on the machine lengthens the wall times)"
    )
    verdict = "met" if r["errors"] == 0 and p95 < FLOOR_P95_MS else "NOT met"
    print(f"floor (0 errors, p95 < {FLOOR_P95_MS:.0f} ms): {verdict}")
    for e in r["error_samples"]:
        print("error:", e)


def ratios(r: dict[str, Any], reference: dict[str, Any]) -> None:
    """The batched server against the one-job-per-recomputation server of the same run."""

    def cpu(x: dict[str, Any]) -> float:
        return float(x["http_cpu_ms"] + x["workers_cpu_ms"])

    def p95(x: dict[str, Any]) -> float:
        return percentile(x["latency_ms"], 95) if x["latency_ms"] else float("nan")

    print(
        f"\nbatched vs --no-batch, same run: server CPU per recomputation "
        f"{cpu(r):.1f} vs {cpu(reference):.1f} ms (x{cpu(reference) / cpu(r):.2f} less), "
        f"throughput x{r['throughput'] / max(reference['throughput'], 1e-9):.2f}, "
        f"p95 {p95(r):.0f} vs {p95(reference):.0f} ms"
    )


if __name__ == "__main__":
    main()
