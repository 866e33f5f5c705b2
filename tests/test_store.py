"""The results store: atomic Parquet batches, the DuckDB catalogue, SQL over draws, summaries."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.experiment.run import run_experiment
from realpolitik.experiment.store import (
    Store,
    StoreError,
    list_runs,
    load_draws,
    query,
    summarize,
    write_batch,
)


def test_write_batch_is_atomic_and_deterministic(tmp_path):
    cols = {"draw": np.arange(5), "x": np.linspace(0, 1, 5), "ok": np.arange(5) > 2}
    size = write_batch(tmp_path / "b.parquet", cols)
    write_batch(tmp_path / "c.parquet", cols)
    assert size == (tmp_path / "b.parquet").stat().st_size
    assert (tmp_path / "b.parquet").read_bytes() == (tmp_path / "c.parquet").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.parquet", "c.parquet"]
    table = pq.read_table(tmp_path / "b.parquet")
    assert table.column_names == ["draw", "x", "ok"]
    assert table.schema.metadata is None  # nothing run- or time-specific in the file

    class Boom:
        def __array__(self, *a, **k):
            raise OSError("disk full")

    with pytest.raises(OSError):
        write_batch(tmp_path / "d.parquet", {"x": Boom()})
    assert not (tmp_path / "d.parquet").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_catalogue_query_and_summaries(tmp_path, linear_spec):
    a = run_experiment(
        linear_spec, 5_000, seed=0, batch_size=1_000, executor="serial", store=tmp_path
    )
    b = run_experiment(
        linear_spec, 300, seed=1, batch_size=1_000, executor="serial", store=tmp_path, sampler="lhs"
    )
    runs = list_runs(tmp_path)
    assert set(runs["run_id"]) == {a.run_id, b.run_id}
    assert runs.set_index("run_id").loc[b.run_id, "sampler"] == "lhs"
    assert runs.set_index("run_id").loc[a.run_id, "n_batches"] == 5
    assert {
        "scenario_hash",
        "seed",
        "package_version",
        "draws",
        "batch_size",
        "status",
        "created",
        "inputs",
        "outcomes",
    } <= set(runs.columns)
    assert (runs["package_version"] == "0.1.0").all()
    desc = json.loads((tmp_path / "runs" / a.run_id / "run.json").read_text())
    assert desc["uncertainties"][0] == {
        "path": "a.b",
        "dist": {"kind": "uniform", "low": 0, "high": 1},
        "label": None,
        "claims": [],
    }

    frame = load_draws(tmp_path, a.run_id)
    assert len(frame) == 5_000 and frame["draw"].is_monotonic_increasing
    got = query(
        tmp_path, a.run_id, 'SELECT avg("c~d") AS m, count(*) FILTER (WHERE big) AS n FROM draws'
    )
    assert got["m"][0] == pytest.approx(frame["c~d"].mean())
    assert got["n"][0] == frame["big"].sum()

    s = summarize(tmp_path, a.run_id)
    assert s["draws"] == 5_000 and s["seed"] == 0 and s["scenario_hash"] == "h1"
    y = frame["y"].to_numpy()
    assert s["outcomes"]["y"]["mean"] == pytest.approx(y.mean())
    assert s["outcomes"]["y"]["low"] == pytest.approx(np.quantile(y, 0.025))
    assert s["outcomes"]["y"]["high"] == pytest.approx(np.quantile(y, 0.975))
    assert s["outcomes"]["big"]["mean"] == pytest.approx(frame["big"].mean())
    json.dumps(s)  # JSON-ready
    # the analytic answer: y = U + 2V has mean 1.5; P(y > 1.5) = 1/2
    assert s["outcomes"]["y"]["mean"] == pytest.approx(1.5, abs=0.03)
    assert s["outcomes"]["big"]["mean"] == pytest.approx(0.5, abs=0.03)


def test_errors(tmp_path):
    with pytest.raises(StoreError, match="not a results store"):
        list_runs(tmp_path / "nothing")
    store = Store(tmp_path)
    with pytest.raises(StoreError, match="no run"):
        store.get_run("nope")
    with pytest.raises(StoreError, match="no run"):
        load_draws(tmp_path, "nope")
    with pytest.raises(StoreError, match="status"):
        store.update_run("x", status="weird")


def test_temporaries_from_a_crash_are_removed_on_resume(tmp_path, linear_spec):
    store = Store(tmp_path)
    res = run_experiment(linear_spec, 400, seed=0, batch_size=100, executor="serial", store=store)
    run_dir = store.run_dir(res.run_id)
    whole = (run_dir / "batch-000002.parquet").read_bytes()
    (run_dir / "batch-000002.parquet").unlink()
    (run_dir / ".batch-000002.parquet.1.abcd.tmp").write_bytes(b"half a file")
    store.update_run(res.run_id, status="failed")
    again = run_experiment(
        linear_spec, 400, seed=0, batch_size=100, executor="serial", store=store, resume=True
    )
    assert again.batches_run == 1
    assert (run_dir / "batch-000002.parquet").read_bytes() == whole
    assert not list(run_dir.glob(".*.tmp"))


@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
def test_inputs_stored_only_on_request_and_regenerated_exactly(tmp_path, sampler, linear_spec):
    """By default a batch file holds the outcomes and, in its metadata, the seeds; the inputs
    regenerated from them are the values the model evaluated, to the last bit (the in-memory
    run is the reference)."""
    mem = run_experiment(
        linear_spec, 2_048, seed=5, batch_size=500, executor="serial", sampler=sampler
    )
    lean = run_experiment(
        linear_spec,
        2_048,
        seed=5,
        batch_size=500,
        executor="serial",
        sampler=sampler,
        store=tmp_path,
    )
    full = run_experiment(
        linear_spec,
        2_048,
        seed=5,
        batch_size=500,
        executor="serial",
        sampler=sampler,
        store=tmp_path,
        store_inputs=True,
    )
    store = Store(tmp_path)
    lean_file = store.batch_path(lean.run_id, 1)
    assert pq.read_schema(lean_file).names == ["draw", "y", "big"]
    assert pq.read_schema(store.batch_path(full.run_id, 1)).names == [
        "draw",
        "a.b",
        "c~d",
        "y",
        "big",
    ]
    assert not store.inputs_stored(lean.run_id) and store.inputs_stored(full.run_id)
    meta = json.loads(pq.read_schema(lean_file).metadata[b"realpolitik.batch"])
    assert (meta["batch"], meta["start"], meta["stop"]) == (1, 500, 1_000)
    for result in (lean, full):
        got = load_draws(tmp_path, result.run_id)
        assert list(got.columns) == ["draw", "a.b", "c~d", "y", "big"]
        assert got.equals(mem.frame)
    part = store.regenerate_inputs(lean.run_id, [3]).to_pandas()
    assert part.equals(mem.frame.iloc[1_500:2_000][["draw", "a.b", "c~d"]].reset_index(drop=True))
    # a query naming an input regenerates the inputs; one that does not, does not need them
    got = query(tmp_path, lean.run_id, 'SELECT avg("c~d") AS m FROM draws WHERE big')
    assert got["m"][0] == pytest.approx(mem.frame.loc[mem.frame["big"], "c~d"].mean())
    assert not store._needs_inputs(lean.run_id, "SELECT count(*) FROM draws WHERE big")
    # the lean file is smaller; the summaries are the same
    assert lean_file.stat().st_size < store.batch_path(full.run_id, 1).stat().st_size
    assert lean.summary().equals(full.summary())


_KINDS = [np.bool_, np.int8, np.int32, np.int64, np.uint16, np.uint64, np.float16, np.float32]
_KINDS.append(np.float64)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 70),
    kinds=st.lists(st.sampled_from(_KINDS), min_size=1, max_size=5),
    seed=st.integers(0, 2**32 - 1),
    strided=st.booleans(),
)
def test_the_batch_table_is_pa_tables_byte_for_byte(
    tmp_path_factory, n: int, kinds: list, seed: int, strided: bool
) -> None:
    """`arrow_table` (built from the columns' memory, no pandas) writes the Parquet file that
    `pa.table` would: same schema, same values, same bytes; NaN, infinities, booleans of any
    length (their bits packed) and strided columns included."""
    import pyarrow as pa

    from realpolitik.experiment.store import arrow_table, parquet_options

    rng = np.random.default_rng(seed)
    columns = {}
    for i, kind in enumerate(kinds):
        raw = rng.normal(0.0, 1e3, size=2 * n)
        raw[rng.random(2 * n) < 0.1] = np.nan
        raw[rng.random(2 * n) < 0.05] = np.inf
        if np.dtype(kind).kind == "b":
            values = raw > 0
        elif np.dtype(kind).kind in "iu":
            values = np.nan_to_num(raw, nan=0.0, posinf=7.0).astype(np.int64).astype(kind)
        else:
            values = raw.astype(kind)
        columns[f"c{i}"] = values[::2] if strided else values[:n]
    folder = tmp_path_factory.mktemp("tables")
    meta = {b"k": b"v"}
    expected = pa.table({k: np.asarray(v) for k, v in columns.items()})
    got = arrow_table(columns)
    assert got.schema.equals(expected.schema)
    for name, values in columns.items():  # (Arrow's own equals counts NaN as unequal)
        floats = values.dtype.kind == "f"
        assert np.array_equal(got.column(name).to_numpy(), values, equal_nan=floats)
    pq.write_table(
        expected.replace_schema_metadata(meta), folder / "a.parquet", **parquet_options(expected)
    )
    pq.write_table(got.replace_schema_metadata(meta), folder / "b.parquet", **parquet_options(got))
    assert (folder / "a.parquet").read_bytes() == (folder / "b.parquet").read_bytes()


def test_a_worker_writes_its_batch_without_pandas(tmp_path) -> None:
    """A batch written to the store in a fresh process does not import pandas."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import numpy as np\n"
        "from realpolitik.experiment.store import arrow_table, write_batch\n"
        "cols = {'draw': np.arange(5), 'x': np.linspace(0, 1, 5), 'b': np.arange(5) > 2}\n"
        "write_batch(sys.argv[1], arrow_table(cols))\n"
        "print('PANDAS:' + str('pandas' in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "b.parquet")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "PANDAS:False" in out, out
    assert pq.read_table(tmp_path / "b.parquet").num_rows == 5


def _catalogue_rows(store: Store) -> list[dict]:
    frame = list_runs(store.directory).drop(columns=["run_id", "created", "finished"])
    return [{k: str(v) for k, v in row.items()} for row in frame.to_dict("records")]


def test_a_store_writing_its_catalogue_in_the_background_records_the_same(tmp_path) -> None:
    """`Store(..., background=True)` (the command line's run) gives the run id and folder at
    once and records the same catalogue row as a store that writes it before returning."""
    meta = {"scenario": "s", "seed": 3, "draws": 10, "batch_size": 5, "n_batches": 2}
    meta |= {"sampler": "mc", "inputs": ["a"], "outcomes": ["y"], "fingerprint": "f"}
    now, later = Store(tmp_path / "now"), Store(tmp_path / "later", background=True)
    first = now.create_run(meta, {"x": 1})
    second = later.create_run(meta, {"x": 1})
    assert later.run_dir(second).is_dir() and (later.run_dir(second) / "run.json").is_file()
    later.wait_for_catalogue()
    assert _catalogue_rows(later) == _catalogue_rows(now)
    assert json.loads((later.run_dir(second) / "run.json").read_text())["x"] == 1
    assert first != second


def test_a_damaged_catalogue_opened_in_the_background_is_a_store_error(tmp_path) -> None:
    """The error of a catalogue written in the background is raised, as a StoreError naming
    the file, when the run next needs the catalogue; pickling the store waits for it too."""
    import pickle

    (tmp_path / "catalogue.duckdb").write_bytes(b"not a database" * 100)
    store = Store(tmp_path, background=True)  # returns at once
    with pytest.raises(StoreError, match="catalogue.duckdb"):
        store.wait_for_catalogue()
    fine = Store(tmp_path / "fine", background=True)
    again = pickle.loads(pickle.dumps(fine))
    assert again.directory == fine.directory and again._background is None
