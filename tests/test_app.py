"""The dashboard's server without a browser: what it accepts, what it refuses, what it returns."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("httpx2", reason="the Starlette test client needs httpx2 (pip install httpx2)")

from starlette.testclient import TestClient  # noqa: E402

from realpolitik.app.library import ScenarioLibrary  # noqa: E402
from realpolitik.app.requests import MAX_BODY_BYTES, Limits  # noqa: E402
from realpolitik.app.server import Settings, create_app  # noqa: E402
from realpolitik.scenario import loads  # noqa: E402

FLAGSHIP = "reverse-kissinger"


@pytest.fixture(scope="module")
def client():
    library = ScenarioLibrary.build()
    app = create_app(Settings(library=library, limits=Limits(draws=50, max_draws=100), workers=0))
    with TestClient(app, base_url="http://127.0.0.1:8050") as c:
        yield c


def test_lists_the_scenarios_and_the_limits(client):
    data = client.get("/api/scenarios").json()
    assert {s["key"] for s in data["scenarios"]} == {"nixon-1972", FLAGSHIP}
    assert data["limits"]["max_draws"] == 100


def test_controls_are_the_editable_numbers_and_commitment_forms(client):
    data = client.get(f"/api/scenarios/{FLAGSHIP}/controls").json()
    paths = {n["path"] for n in data["numbers"]}
    assert "levers.sphere-of-influence.value" in paths
    assert all(n["low"] <= n["value"] <= n["high"] for n in data["numbers"])
    assert {c["lever"] for c in data["commitments"]} >= {"sphere-of-influence"}
    assert client.get("/api/scenarios/nope/controls").status_code == 404


def test_recompute_reports_the_edit_and_the_answer(client):
    body = {"scenario": FLAGSHIP, "edits": {"levers.sphere-of-influence.value": 100}, "draws": 50}
    response = client.post("/api/recompute", json=body)
    assert response.status_code == 200
    data = response.json()
    assert data["draws"] == 50
    changed = [c for c in data["scenario"]["changes"] if c["kind"] == "number"]
    assert changed == [
        {
            "kind": "number",
            "path": "levers.sphere-of-influence.value",
            "old": 60.0,
            "new": 100.0,
            "claims": ["F4a"],
        }
    ]
    assert data["answer"] and data["figures"]


@pytest.mark.parametrize(
    "body, path",
    [
        (
            {"scenario": FLAGSHIP, "edits": {"levers.sphere-of-influence.value": 1e9}},
            "levers.sphere-of-influence.value",
        ),
        (
            {"scenario": FLAGSHIP, "edits": {"sources.sipri-milex-2025.url": 1}},
            "sources.sipri-milex-2025.url",
        ),
        ({"scenario": "../../../etc/passwd"}, "scenario"),
        ({"scenario": "/etc/passwd"}, "scenario"),
        ({"scenario": FLAGSHIP, "draws": 101}, "draws"),
        ({"scenario": FLAGSHIP, "draws": -1}, "draws"),
        ({"scenario": FLAGSHIP, "seed": "0"}, "seed"),
        ({"scenario": FLAGSHIP, "unexpected": 1}, "unexpected"),
        ({"scenario": FLAGSHIP, "edits": {"levers.sphere-of-influence.value": True}}, None),
    ],
)
def test_bad_input_is_refused_with_400_naming_the_key(client, body, path):
    response = client.post("/api/recompute", json=body)
    assert response.status_code == 400, response.text
    data = response.json()
    assert data["problems"]
    if path is not None:
        assert any(p["path"] and path in p["path"] for p in data["problems"]), data


def test_not_json_and_oversized_bodies_are_refused(client):
    assert client.post("/api/recompute", content=b"{not json").status_code == 400
    big = json.dumps({"scenario": FLAGSHIP, "pad": "x" * MAX_BODY_BYTES}).encode()
    response = client.post("/api/recompute", content=big)
    assert response.status_code == 400
    assert "too large" in response.json()["error"]


def test_other_host_names_are_refused(client):
    response = client.get("/api/scenarios", headers={"Host": "attacker.example"})
    assert response.status_code == 400


def test_only_the_page_files_are_served(client):
    assert client.get("/static/plotly.min.js").status_code == 200
    assert client.get("/static/dashboard.js").status_code == 200
    for name in (
        "../server.py",
        "..%2Fserver.py",
        "index.html.bak",
        "%2e%2e%2f%2e%2e%2fpyproject.toml",
    ):
        assert client.get(f"/static/{name}").status_code == 404
    page = client.get("/")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "https://" not in page.text  # nothing from a CDN


def test_export_is_a_download_that_loads_as_a_scenario(client):
    body = {
        "scenario": FLAGSHIP,
        "edits": {"levers.sphere-of-influence.commitment": "ratified-treaty"},
    }
    response = client.post("/api/export", json=body)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    scenario = loads(response.text, file="exported.yaml")
    lever = next(lv for lv in scenario.spec.levers if lv.id == "sphere-of-influence")
    assert lever.commitment == "ratified-treaty"


def test_discover_returns_the_trajectory_and_each_box(client):
    body = {"scenario": FLAGSHIP, "outcome": "hedges", "draws": 2000}
    response = client.post("/api/discover", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["steps"][0]["coverage"] == pytest.approx(1.0)
    assert data["steps"][0]["conditions"] == []
    coverages = [s["coverage"] for s in data["steps"]]
    assert coverages == sorted(coverages, reverse=True)  # peeling only ever removes draws
    chosen = next(s for s in data["steps"] if s["step"] == data["chosen_step"])
    assert chosen["conditions"]
    bad = client.post("/api/discover", json={**body, "outcome": "price"})
    assert bad.status_code == 400


def test_statistics_give_shares_with_wilson_intervals_and_by_year_means():
    import numpy as np

    from realpolitik.app.views import statistics

    out = statistics(
        {
            "realigns": np.array([1.0] * 50 + [0.0] * 50),
            "realigns_year_1": np.array([1.0, 0.0, np.nan, 1.0]),
            "price": np.array([1.0, 2.0]),  # not shown by the dashboard: left out
        }
    )
    assert out["realigns"]["mean"] == 0.5
    assert (
        round(out["realigns"]["low"], 4) == 0.4038 and round(out["realigns"]["high"], 4) == 0.5962
    )
    assert out["realigns_year_1"] == {"mean": 2 / 3, "low": None, "high": None, "n": 3}
    assert "price" not in out


def test_draws_share_their_random_numbers_across_edits():
    import numpy as np

    from realpolitik.app import views
    from realpolitik.models.adapters.realignment import evaluate
    from realpolitik.scenario import load
    from realpolitik.scenario.edit import apply_edits

    flagship = load(FLAGSHIP)
    shared = views.shared_draws(flagship, 64, 3)
    assert views.shared_draws(flagship, 64, 3) is shared  # sampled once per (scenario, draws, seed)
    path = "levers.sphere-of-influence.value"
    edited = apply_edits(flagship, {path: 100.0})
    got = views.draw_outputs(flagship, edited, 64, 3)
    # by hand: the same inputs with the edited number fixed, the same model stream
    ((start, stop, stream),) = shared.batches
    samples = {**shared.samples, path: np.full(64, 100.0)}
    expected = evaluate(edited, samples, np.random.default_rng(stream))
    assert set(got) == set(expected)
    for name, values in expected.items():
        np.testing.assert_array_equal(got[name], values)
    assert not np.array_equal(got["price"], views.draw_outputs(flagship, flagship, 64, 3)["price"])


def _run_columns(scenario, draws, seed):
    """``realpolitik run``'s draws of the answer model's outputs (what the CLI computes)."""
    from realpolitik.experiment.options import RunOptions
    from realpolitik.experiment.outcomes import output_columns
    from realpolitik.experiment.scenario_run import run_scenario

    options = RunOptions(draws=draws, seed=seed, workers=1, sensitivity=False)
    run = run_scenario(scenario, options)
    frame = run.draws.to_frame().sort_values("draw")
    columns = output_columns(scenario, run.draws.models)
    named = {o.name: col for (m, col), o in columns.items() if m == "realignment"}
    return run, {name: frame[col].to_numpy() for name, col in named.items()}


@pytest.mark.parametrize(
    ("edits", "draws"),
    [
        ({}, 48),
        ({"levers.us-outreach-statement.cost": 0.9}, 48),
        ({}, 1_100),
    ],
    ids=["as loaded", "an edit of a number that is not uncertain", "two batches"],
)
def test_the_dashboard_gives_what_realpolitik_run_gives(edits, draws):
    """Same scenario, draws and seed: the draws are ``realpolitik run``'s to the last bit, and
    the point numbers are the run's (the light point run only leaves parts out)."""
    import numpy as np

    from realpolitik.app import views
    from realpolitik.scenario import load
    from realpolitik.scenario.edit import apply_edits

    flagship = load(FLAGSHIP)
    scenario = apply_edits(flagship, edits)
    run, expected = _run_columns(scenario, draws, 5)
    assert len(views.shared_draws(flagship, draws, 5).batches) == (2 if draws > 1_000 else 1)
    got = views.draw_outputs(flagship, scenario, draws, 5)
    assert set(got) == set(expected)
    for name, values in expected.items():
        np.testing.assert_array_equal(got[name], values, err_msg=name)
    page = views.recompute_view(scenario, flagship, edits, draws, 5)
    full = json.loads(json.dumps(views._clean(run.results["realignment"].to_summary())))
    left_out = {
        "commitment_forms": [],
        "realigns_by_year": [],
        "hedges_by_year": [],
        "draws_by_year": [],
        "expected_duration": None,
        "outputs": {},
    }
    for key, empty in left_out.items():
        assert page["numbers"][key] == empty, key
    page["numbers"]["provenance"]["parameters"] = full["provenance"]["parameters"]
    assert {k: v for k, v in page["numbers"].items() if k not in left_out} == {
        k: v for k, v in full.items() if k not in left_out
    }


def _no_server_path(text: str, *paths) -> None:
    for path in paths:
        assert str(path) not in text
        assert str(path.parent) not in text


def test_errors_and_exports_name_the_scenario_never_its_absolute_path(client):
    from realpolitik.scenario.examples import example_path

    where = example_path(FLAGSHIP).resolve()
    bad = {"scenario": FLAGSHIP, "edits": {"levers.sphere-of-influence.value": 1e9}}
    for route in ("/api/recompute", "/api/discover", "/api/export"):
        response = client.post(route, json=bad)
        assert response.status_code == 400, response.text
        _no_server_path(response.text, where)
        assert f"examples/{FLAGSHIP}.yaml (edited)" in response.json()["error"]
    good = {"scenario": FLAGSHIP, "edits": {"levers.sphere-of-influence.value": 100}}
    exported = client.post("/api/export", json=good)
    assert exported.status_code == 200
    _no_server_path(exported.text, where)
    assert f"Edited from {FLAGSHIP} (examples/{FLAGSHIP}.yaml)" in exported.text


def test_a_file_outside_the_working_directory_is_shown_by_its_file_name(tmp_path, monkeypatch):
    from realpolitik.scenario.examples import example_path

    folder = tmp_path / "private" / "analyst"
    folder.mkdir(parents=True)
    mine = folder / "my-case.yaml"
    mine.write_text(example_path(FLAGSHIP).read_text())
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    library = ScenarioLibrary.build((str(mine),), examples=False)
    assert library.shown(FLAGSHIP) == "my-case.yaml"
    app = create_app(Settings(library=library, limits=Limits(draws=20, max_draws=50), workers=0))
    with TestClient(app, base_url="http://127.0.0.1:8050") as c:
        response = c.post(
            "/api/recompute",
            json={"scenario": FLAGSHIP, "edits": {"levers.sphere-of-influence.cost": -5}},
        )
    assert response.status_code == 400
    assert "my-case.yaml (edited)" in response.json()["error"]
    _no_server_path(response.text, mine.resolve())
    assert "private" not in response.text


def test_a_file_under_the_working_directory_is_shown_by_its_relative_path(tmp_path, monkeypatch):
    from realpolitik.app.library import shown_name

    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases").mkdir()
    assert shown_name(tmp_path / "cases" / "a.yaml") == "cases/a.yaml"


def test_the_error_handler_replaces_any_library_path_left_in_a_message():
    from realpolitik.app.server import _error
    from realpolitik.errors import Problem, ScenarioError

    library = ScenarioLibrary.build()
    where = str(library.path(FLAGSHIP))
    exc = ScenarioError([Problem("cannot read", file=where, got=f"'{where}'")])
    body = json.loads(_error(exc, 400, library).body)
    assert where not in json.dumps(body)
    assert f"examples/{FLAGSHIP}.yaml" in body["error"]
    assert body["problems"][0]["got"] == f"'examples/{FLAGSHIP}.yaml'"


def _in_own_event_loop(coroutine):
    """Run ``coroutine`` to its end in a thread of its own (another test may have left an event
    loop running in this one)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def test_long_jobs_leave_a_worker_for_recomputations():
    """Two workers, two discovery jobs that do not finish: a recomputation still runs."""
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from realpolitik.app.server import _Work

    class Connected:
        client = None

        async def is_disconnected(self):
            return False

    release = threading.Event()
    started = []

    def long_job(i):
        started.append(i)
        release.wait(30)
        return i

    async def scenario():
        work = _Work(workers=2)
        work.pool = ThreadPoolExecutor(max_workers=2)  # two workers, as threads
        try:
            longs = [
                asyncio.create_task(work.run(Connected(), long_job, i, long=True)) for i in (0, 1)
            ]
            short = await asyncio.wait_for(work.run(Connected(), str.upper, "short"), 20)
            assert 1 not in started  # the second long job waits for the first
            assert work.long_running == 1  # one worker is held: recomputations share the other
            release.set()
            assert sorted(await asyncio.gather(*longs)) == [0, 1]
            assert work.long_running == 0
            return short
        finally:
            release.set()
            work.pool.shutdown()

    assert _in_own_event_loop(scenario()) == "SHORT"


def test_one_client_address_cannot_fill_the_queue():
    """Half the waiting places at most go to one address; another client still gets in."""
    import asyncio
    import threading
    import types
    from concurrent.futures import ThreadPoolExecutor

    from realpolitik.app import server

    class Peer:
        def __init__(self, host):
            self.client = types.SimpleNamespace(host=host)

        async def is_disconnected(self):
            return False

    release = threading.Event()

    async def scenario():
        work = server._Work(workers=1)
        work.pool = ThreadPoolExecutor(max_workers=1)
        try:
            greedy = [
                asyncio.create_task(work.run(Peer("10.0.0.1"), release.wait, 30))
                for _ in range(server.MAX_PENDING_PER_CLIENT)
            ]
            await asyncio.sleep(0)  # every one of them is waiting now
            with pytest.raises(server._Busy):
                await work.run(Peer("10.0.0.1"), str.upper, "one more")
            other = asyncio.create_task(work.run(Peer("10.0.0.2"), str.upper, "other"))
            await asyncio.sleep(0)
            release.set()
            assert await other == "OTHER"
            assert all(await asyncio.gather(*greedy))
            assert work.pending == 0 and work.pending_by_client == {}
        finally:
            release.set()
            work.pool.shutdown()

    _in_own_event_loop(scenario())


def test_recomputations_waiting_together_share_one_job_and_each_gets_its_own_answer(monkeypatch):
    """While the worker is busy, recomputations of one scenario queue up; they then run as one
    job (arrival order, one per client), and each request gets its own answer; a different
    scenario runs in a job of its own, and a client that has gone is dropped unrun."""
    import asyncio
    import threading
    import types
    from concurrent.futures import ThreadPoolExecutor

    from realpolitik.app import engine, server

    jobs: list[tuple[str, list[dict]]] = []
    release = threading.Event()

    def fake_many(path, shown, edits, draws, seed):
        jobs.append((path, [dict(e) for e in edits]))
        release.wait(30)
        return [json.dumps([path, e["x"]]).encode() for e in edits]

    monkeypatch.setattr(engine, "recompute_many", fake_many)

    class Peer:
        def __init__(self, host, gone=False):
            self.client = types.SimpleNamespace(host=host)
            self.gone = gone

        async def is_disconnected(self):
            return self.gone

    async def scenario():
        work = server._Work(workers=1)
        work.pool = ThreadPoolExecutor(max_workers=1)
        try:
            first = asyncio.create_task(work.recompute(Peer("a"), "f", "F", {"x": 0}, 200, 0))
            second = asyncio.create_task(work.recompute(Peer("a"), "f", "F", {"x": 1}, 200, 0))
            await asyncio.sleep(0.2)  # they run as one job, which holds the worker
            later = [
                asyncio.create_task(work.recompute(Peer(h, g), p, "F", {"x": x}, 200, 0))
                for h, g, p, x in [
                    ("b", False, "f", 2),
                    ("c", True, "f", 3),
                    ("d", False, "g", 4),
                    ("e", False, "f", 5),
                ]
            ]
            await asyncio.sleep(0.2)
            release.set()
            done = await asyncio.gather(first, second, *later, return_exceptions=True)
            assert work.pending == 0 and work.pending_by_client == {} and not work.queue
            return done
        finally:
            release.set()
            work.pool.shutdown()

    done = _in_own_event_loop(scenario())
    answers = [json.loads(d) if isinstance(d, bytes) else type(d).__name__ for d in done]
    assert answers == [["f", 0], ["f", 1], ["f", 2], "_Gone", ["g", 4], ["f", 5]]
    assert [(p, [e["x"] for e in edits]) for p, edits in jobs] == [
        ("f", [0, 1]),  # queued before the first job started
        ("f", [2, 5]),  # queued while the worker was busy (c gone, g another scenario)
        ("g", [4]),
    ]


def test_batching_caps_the_draws_of_one_job():
    import types

    from realpolitik.app import server

    work = server._Work(workers=1)
    per_job = server.MAX_BATCH_DRAWS // 200
    request = types.SimpleNamespace(client=None)
    work.queue = [
        server._Job(("f", "F", 200, 0), {"x": i}, request, answer=None) for i in range(50)
    ]
    sizes = []
    while work.queue:
        sizes.append(len(work._take()))
    assert sizes == [per_job, per_job, 50 - 2 * per_job]
    big = [server._Job(("f", "F", 10 * server.MAX_BATCH_DRAWS, 0), {}, request, answer=None)] * 2
    work.queue = list(big)
    assert len(work._take()) == 1 and len(work.queue) == 1  # alone, over the cap: runs alone


def test_two_workers_split_the_waiting_recomputations_into_equal_shares():
    """Hand-worked: with 2 workers a job takes half (rounded up) of the recomputations waiting
    plus those the other worker runs; the oldest first, and nothing is lost or reordered."""
    import types

    from realpolitik.app import server

    work = server._Work(workers=2)
    request = types.SimpleNamespace(client=None)
    work.queue = [
        server._Job(("f", "F", 200, 0), {"x": i}, request, answer=None) for i in range(16)
    ]
    first = work._take()  # the other worker idle: 16 / 2
    assert [j.edits["x"] for j in first] == list(range(8))
    work.running = 3  # the other worker runs a job of 3: (8 + 3) / 2 rounded up
    second = work._take()
    assert [j.edits["x"] for j in second] == list(range(8, 14))
    work.running = 0  # alone at last: 2 / 2
    assert [j.edits["x"] for j in work._take()] == [14]
    assert [j.edits["x"] for j in work._take()] == [15]
    assert work._take() == [] and work.queue == []
    other = server._Job(("g", "G", 200, 0), {"x": 99}, request, answer=None)
    work.queue = [other] + [
        server._Job(("f", "F", 200, 0), {"x": i}, request, answer=None) for i in range(6)
    ]
    assert work._take() == [other]  # the oldest always goes first, even alone
    assert len(work._take()) == 3  # 6 alike waiting: half
    work.long_running = 1  # the other worker holds a discovery job: this one takes all 3
    assert len(work._take()) == 3 and work.queue == []
    three = server._Work(workers=3)
    three.queue = [server._Job(("f", "F", 200, 0), {}, request, answer=None)] * 9
    three.running = 2  # (9 + 2) / 3 rounded up
    assert len(three._take()) == 4
    three.long_running = 1  # (5 + 2) / 2 rounded up
    assert len(three._take()) == 4


def test_a_job_counts_as_running_until_it_ends_even_when_it_fails(monkeypatch):
    """The count the shares are made from holds a job's size while it runs, and goes back to
    zero after a job that answers and after one that fails."""
    import asyncio
    import types
    from concurrent.futures import ThreadPoolExecutor

    from realpolitik.app import engine, server

    seen = []

    def fake_many(path, shown, edits, draws, seed):
        seen.append((len(edits), work.running))
        if path == "bad":
            raise ValueError("broken")
        return [b"ok" for _ in edits]

    monkeypatch.setattr(engine, "recompute_many", fake_many)

    class Connected:
        client = types.SimpleNamespace(host="a")

        async def is_disconnected(self):
            return False

    work = server._Work(workers=1)

    async def scenario():
        work.pool = ThreadPoolExecutor(max_workers=1)
        try:
            calls = [
                work.recompute(Connected(), path, "F", {"x": x}, 200, 0)
                for path, x in [("good", 0), ("good", 1), ("bad", 2)]
            ]
            return await asyncio.gather(*calls, return_exceptions=True)
        finally:
            work.pool.shutdown()

    done = _in_own_event_loop(scenario())
    assert done[:2] == [b"ok", b"ok"] and isinstance(done[2], ValueError)
    assert seen == [(2, 2), (1, 1)]
    assert work.running == 0 and work.pending == 0


def test_a_server_without_batching_gives_the_same_bytes():
    """``serve --no-batch`` (one job per recomputation) and the default answer alike."""
    from realpolitik.app import engine

    library = ScenarioLibrary.build()
    body = {"scenario": FLAGSHIP, "edits": {"levers.sphere-of-influence.value": 33.0}, "seed": 4}
    answers = []
    for batching in (True, False):
        engine._PAYLOADS.clear()  # no answer from a worker's store
        settings = Settings(library=library, limits=Limits(draws=50), workers=0, batching=batching)
        with TestClient(create_app(settings), base_url="http://127.0.0.1:8050") as c:
            response = c.post("/api/recompute", json=body)
        assert response.status_code == 200
        answers.append(response.content)
    assert answers[0] == answers[1]
    assert json.loads(answers[0])["scenario"]["changes"][0]["new"] == 33.0
