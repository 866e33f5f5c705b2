"""The cheaper batch glue gives the numbers it gave before, bit for bit.

A batch's work outside the models was made cheaper (issue 17): with compiled kernels, the design
clipped and transposed in one pass and the triangular inputs' inverse CDFs in another
(:mod:`realpolitik.experiment.ppf_kernels`); the realignment adapter's
commitment numbers read from the draws without building and indexing the tables of forms, the
outcome statistics without a copy or a second sum of a column that needs none, and batch files
with Parquet statistics for ``draw`` only and their floats encoded BYTE_STREAM_SPLIT. The evidence
that no number moved:

* the kernels against :meth:`Triangular.ppf` (Hypothesis: any parameters, any probabilities)
  and against ``np.clip(unit).T`` (any design), and both paths of ``transform`` on the flagship;
* :func:`column_statistics` against a copy of the function it replaced (Hypothesis: NaN, the
  infinities, yes/no columns, strided and offset arrays);
* the inputs (Monte Carlo and Latin hypercube, with the flagship's copula), every field of the
  realignment problems of four scenarios (the flagship, Nixon 1972, a flagship variant whose
  trade retaliation is a promise, one lever no promise and one a treaty that may fall back to
  another form, a scenario without a courter), 600 flagship
  draws through the experiment layer (both models, stored in Parquet and read back) and their
  statistics, each against the revision before this work run from ``git archive`` in a
  subprocess, with NumPy and with compiled kernels (skipped without the repository's history).
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_realignment_rebid_same import _before_tree, _same

from realpolitik.experiment.statistics import (
    _KEY_ZERO,
    _SHIFT,
    ColumnStatistics,
    _keys,
    column_statistics,
)
from realpolitik.experiment.uncertainty import Triangular, _compiled_triangular

REPO = Path(__file__).resolve().parents[1]
#: main before this work (issue 17: 1M flagship draws with 2 workers)
BEFORE = "826ab00"


# ---------------------------------------------------------------------------------------------
# The compiled triangular inverse CDF


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)


@st.composite
def triangulars(draw: st.DrawFn) -> Triangular:
    """A triangular distribution, the mode at either end included."""
    a, b = sorted(draw(st.lists(finite, min_size=2, max_size=2, unique=True)))
    where = draw(st.sampled_from(["low", "high", "inside"]))
    c = a if where == "low" else b if where == "high" else draw(st.floats(a, b))
    return Triangular(a, c, b)


@settings(max_examples=60, deadline=None)
@given(
    dists=st.lists(triangulars(), min_size=1, max_size=4),
    n=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_compiled_triangular_inverse_is_the_numpy_one(dists, n, seed):
    """Every probability, the mode's own and the clipped extremes included, maps to the value
    ``Triangular.ppf`` gives, bit for bit; other inputs are left to their own ``ppf``."""
    pytest.importorskip("numba")
    from realpolitik.experiment.uncertainty import Uncertainty, Uniform

    rng = np.random.default_rng(seed)
    uncs = [Uncertainty("u", Uniform(0.0, 1.0))]
    uncs += [Uncertainty(f"t{i}", d) for i, d in enumerate(dists)]
    columns = rng.random((len(uncs), n))
    for i, d in enumerate(dists, start=1):
        columns[i, 0] = (d.mode - d.low) / (d.high - d.low)  # the mode's probability
        columns[i, -1] = rng.choice([2.0**-53, 1.0 - 2.0**-53, 0.5])
    got = _compiled_triangular(uncs, np.ascontiguousarray(columns))
    assert sorted(got) == list(range(1, len(uncs)))
    for i, d in enumerate(dists, start=1):
        _same(got[i], d.ppf(columns[i]), f"triangular {i}")


def test_transform_runs_compiled_or_numpy_as_asked(monkeypatch):
    """``REALPOLITIK_KERNELS`` picks the path; ``auto`` follows whether Numba is loaded; both
    paths give every input the same values (the flagship's 85 inputs, its copula included)."""
    pytest.importorskip("numba")
    import realpolitik
    from realpolitik.experiment import uncertainty
    from realpolitik.experiment.scenario_experiment import experiment_spec

    spec = experiment_spec(realpolitik.load("reverse-kissinger"), ["realignment"])
    unit = np.random.default_rng(3).random((1100, spec.dimension))
    values = {}
    for choice in ("numpy", "compiled"):
        monkeypatch.setenv("REALPOLITIK_KERNELS", choice)
        assert uncertainty.compiled_inverse_cdfs() is (choice == "compiled")
        values[choice] = spec.transform(unit)
    monkeypatch.setenv("REALPOLITIK_KERNELS", "auto")
    assert uncertainty.compiled_inverse_cdfs() is ("numba" in sys.modules)
    assert list(values["numpy"]) == list(values["compiled"]) == spec.paths
    for path in spec.paths:
        _same(values["compiled"][path], values["numpy"][path], path)


design_values = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, 2.0**-53, 1.0 - 2.0**-53, math.nan, math.inf, -math.inf]),
    st.floats(-2.0, 2.0),
)


@settings(max_examples=60, deadline=None)
@given(
    unit=hnp.arrays(
        np.float64,
        st.tuples(st.integers(0, 1100), st.integers(1, 5)),
        elements=design_values,
        fill=st.floats(0.0, 1.0),
    ),
    fortran=st.booleans(),
)
def test_the_compiled_clip_and_transpose_is_numpys(unit, fortran):
    """Any design (NaN, signed zeros, values outside the cube, either memory order) gives
    ``np.clip(unit).T``'s values, C-ordered."""
    pytest.importorskip("numba")
    from realpolitik.experiment.ppf_kernels import clipped_columns
    from realpolitik.experiment.uncertainty import _U_MAX, _U_MIN, _clip_unit

    design = np.asfortranarray(unit) if fortran else unit
    got = clipped_columns(np.ascontiguousarray(design), _U_MIN, _U_MAX)
    assert got.flags.c_contiguous
    _same(got, np.ascontiguousarray(_clip_unit(design).T), "columns")


# ---------------------------------------------------------------------------------------------
# Outcome statistics


def _column_statistics_before(values: np.ndarray) -> ColumnStatistics:
    """:func:`column_statistics` as it was at 826ab00 (the reference)."""
    x = np.asarray(values, dtype=float).ravel()
    rows = int(x.size)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        empty_i, empty_f = np.empty(0, np.int64), np.empty(0, float)
        return ColumnStatistics(
            rows, 0, 0, math.nan, math.nan, 0, empty_i, empty_i, empty_f, empty_f
        )
    with np.errstate(invalid="ignore", over="ignore"):
        total = x.sum()
    finite = x if np.isfinite(total) else x[np.isfinite(x)]
    n_finite = int(finite.size)
    with np.errstate(invalid="ignore", over="ignore"):
        mean = float(finite.sum() / n_finite) if n_finite else math.nan
        m2 = float(((finite - mean) ** 2).sum()) if n_finite else math.nan
    not_binary = n - int(np.count_nonzero((x == 0) | (x == 1)))
    if not_binary == 0:
        ones = int(np.count_nonzero(x))
        keys = np.array([_KEY_ZERO, 3 * _SHIFT], dtype=np.int64)
        counts = np.array([n - ones, ones], dtype=np.int64)
        keep = counts > 0
        vals = np.array([0.0, 1.0])[keep]
        return ColumnStatistics(rows, n, n, mean, m2, 0, keys[keep], counts[keep], vals, vals)
    s = np.sort(x)
    k = _keys(s)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(k)) + 1))
    ends = np.concatenate((starts[1:], [n]))
    return ColumnStatistics(
        rows, n, n_finite, mean, m2, not_binary, k[starts], ends - starts, s[starts], s[ends - 1]
    )


def _same_statistics(a: ColumnStatistics, b: ColumnStatistics) -> None:
    for name in ColumnStatistics.__dataclass_fields__:
        _same(getattr(a, name), getattr(b, name), name)


special_values = st.sampled_from([0.0, 1.0, -0.0, math.nan, math.inf, -math.inf, 1e308, -1e308])
columns = hnp.arrays(
    np.float64,
    st.integers(0, 300),
    elements=st.one_of(special_values, st.floats(-1e12, 1e12, allow_nan=False)),
)


@settings(max_examples=200, deadline=None)
@given(x=columns, step=st.integers(1, 3), offset=st.integers(0, 2))
def test_column_statistics_are_those_of_the_function_it_replaced(x, step, offset):
    """Every field, on columns with NaN, infinities, sums beyond the largest double, yes/no
    values, read through strided and offset views as well as whole."""
    _same_statistics(column_statistics(x), _column_statistics_before(x))
    view = x[offset::step]
    _same_statistics(column_statistics(view), _column_statistics_before(view))
    binary = (x > 0).astype(float)
    binary[np.isnan(x)] = np.nan
    _same_statistics(column_statistics(binary), _column_statistics_before(binary))
    pairwise = np.concatenate([x, np.random.default_rng(x.size).random(9000)])  # > one block
    _same_statistics(column_statistics(pairwise), _column_statistics_before(pairwise))


# ---------------------------------------------------------------------------------------------
# Batch files


def test_batch_files_read_back_the_values_written(tmp_path):
    """Floating-point columns are stored BYTE_STREAM_SPLIT and read back, by PyArrow and by
    DuckDB, as the values written (NaN, infinities, signed zeros, half and single precision
    too); only ``draw`` has column statistics."""
    import duckdb
    import pyarrow.parquet as pq

    from realpolitik.experiment.store import arrow_table, write_batch

    rng = np.random.default_rng(0)
    special = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, 5e-324, 1e308])
    x = np.concatenate([special, rng.normal(0.0, 1e3, 300)])
    n = x.size
    with np.errstate(over="ignore"):  # beyond their largest: infinite
        x32, x16 = x.astype(np.float32), x.astype(np.float16)
    cols = {
        "draw": np.arange(10, 10 + n, dtype=np.int64),
        "x": x,
        "x32": x32,
        "x16": x16,
        "yes": (rng.random(n) < 0.3).astype(float),
        "flag": rng.random(n) < 0.5,
        "k": rng.integers(-5, 5, n),
    }
    path = tmp_path / "b.parquet"
    write_batch(path, arrow_table(cols))
    meta = pq.ParquetFile(path).metadata.row_group(0)
    columns = {meta.column(i).path_in_schema: meta.column(i) for i in range(meta.num_columns)}
    assert "BYTE_STREAM_SPLIT" in columns["x"].encodings
    assert "BYTE_STREAM_SPLIT" not in columns["k"].encodings
    stats = columns["draw"].statistics
    assert stats is not None and (stats.min, stats.max) == (10, 10 + n - 1)
    assert all(columns[c].statistics is None for c in cols if c != "draw")
    back = pq.read_table(path)
    with duckdb.connect() as con:
        sql = f"SELECT * EXCLUDE (x16) FROM read_parquet('{path}') ORDER BY draw"
        duck = con.execute(sql).fetchnumpy()
    for name, values in cols.items():
        _same(back.column(name).to_numpy(), values, name)
        if name != "x16":  # (DuckDB has no half-precision type)
            _same(np.asarray(duck[name]), values, f"duckdb {name}")


# ---------------------------------------------------------------------------------------------
# Against the revision before, end to end

_SCRIPT = r"""
import dataclasses, sys, tempfile
from pathlib import Path
import numpy as np
import realpolitik
from realpolitik.scenario.examples import example_path
from realpolitik.experiment.scenario_experiment import experiment_spec
from realpolitik.experiment.inputs import batch_inputs
from realpolitik.experiment.run import design_seed, run_experiment
from realpolitik.models.adapters.realignment import problem_from_scenario
from realpolitik.rng import spawn_seeds

out = {}
flagship = example_path("reverse-kissinger")
text = flagship.read_text(encoding="utf-8")
# the trade's retaliation a promise, one lever no promise, one a treaty that may fall back
variant = (
    text.replace(
        "  trade:\n    with_incumbent:",
        "  trade:\n    retaliation_commitment: executive-agreement\n    with_incumbent:",
        1,
    )
    .replace("    commitment: executive-statement\n", "", 1)
    .replace("    commitment: executive-agreement\n", "    commitment: ratified-treaty\n", 1)
)
assert variant != text
scenarios = {
    "flagship": realpolitik.load("reverse-kissinger"),
    "nixon": realpolitik.load("nixon-1972"),
    "variant": realpolitik.load(flagship, text=variant),
    "no-courter": realpolitik.load(sys.argv[2]),
}


def put(key, value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            put(f"{key}.{f.name}", getattr(value, f.name))
    elif value is not None:
        out[key] = np.asarray(value)


for tag, sc in scenarios.items():
    spec = experiment_spec(sc, ["realignment"])
    for sampler in ("mc", "lhs"):
        samples = batch_inputs(spec, sampler, 2000, 100, 1300, spawn_seeds(5, 3)[1], design_seed(5))
        for k, v in samples.items():
            put(f"{tag}/{sampler}/input/{k}", v)
    for label, args in (("draws", (samples, 1200)), ("point", ())):
        pb = problem_from_scenario(sc, *args)
        for f in dataclasses.fields(pb):
            put(f"{tag}/{label}/problem/{f.name}", getattr(pb, f.name))

spec = experiment_spec(scenarios["flagship"], ["realignment", "landscape"])
with tempfile.TemporaryDirectory() as tmp:
    run = run_experiment(
        spec, draws=600, seed=7, batch_size=250, executor="serial", store=Path(tmp) / "s"
    )
    frame = run.to_frame()
    for c in frame.columns:
        put(f"run/{c}", frame[c].to_numpy())
    for name, s in run.outcome_statistics().items():
        put(f"run/statistics/{name}", s)
    for name, s in run.store.run_statistics(run.run_id, run.outcomes).items():
        put(f"run/stored-statistics/{name}", s)
    put("run/summary", run.summary().to_numpy())
np.savez(sys.argv[1], **out)
"""


def _run(src: Path, out: Path, kernels: str) -> dict[str, np.ndarray]:
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "PYTHONDONTWRITEBYTECODE": "1",
        "REALPOLITIK_KERNELS": kernels,
    }
    fixture = REPO / "tests" / "fixtures" / "realignment" / "no-courter.yaml"
    subprocess.run([sys.executable, "-c", _SCRIPT, str(out), str(fixture)], env=env, check=True)
    with np.load(out) as z:
        return {k: z[k] for k in z.files}


@pytest.mark.parametrize("kernels", ["numpy", "compiled"])
def test_inputs_problems_and_flagship_draws_are_those_of_the_revision_before(tmp_path, kernels):
    before = _run(_before_tree(tmp_path, BEFORE), tmp_path / "before.npz", kernels)
    now = _run(REPO / "src", tmp_path / "now.npz", kernels)
    assert sorted(now) == sorted(before)
    assert now["run/draw"].size == 600 and np.any(now["run/realigns"] > 0)
    assert any(k.startswith("variant/draws/problem/retaliation_annual") for k in now)
    probability = now["variant/draws/problem/lever_form_probability"]
    assert np.any((probability > 0) & (probability < 1))  # the treaty's draws
    for k in before:
        _same(now[k], before[k], k)


# ---------------------------------------------------------------------------------------------
# A worker's allocator


def test_a_worker_tunes_its_allocator_once_and_the_caller_never(monkeypatch, tmp_path):
    """A batch whose spec came pickled (a worker) fixes glibc's thresholds, once per process;
    a batch run in the caller's process leaves its allocator alone. The numbers are the same
    either way (the flagship's draws above run both ways)."""
    import pickle

    from realpolitik.experiment import run
    from realpolitik.experiment.uncertainty import ExperimentSpec, Uncertainty, Uniform

    class Echo:
        def evaluate(self, samples, rng):  # type: ignore[no-untyped-def]
            return {"y": samples["x"] * 2.0}

    spec = ExperimentSpec((Uncertainty("x", Uniform(0.0, 1.0)),), Echo())
    calls: list[int] = []
    monkeypatch.setattr(run, "tune_allocator", lambda: calls.append(1))
    seed = np.random.SeedSequence(1)
    task = run._BatchTask(spec, 0, 0, 5, 5, seed, seed, "mc")
    serial = run._run_batch(task)
    assert calls == []
    monkeypatch.setattr(run, "_load_spec", lambda blob: spec)
    worker = run._run_batch(run._BatchTask(pickle.dumps(0), 0, 0, 5, 5, seed, seed, "mc"))
    assert calls == [1]
    assert serial.columns is not None and worker.columns is not None
    for name in serial.columns:
        _same(worker.columns[name], serial.columns[name], name)
    monkeypatch.undo()
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert run.tune_allocator() is True
        assert run.tune_allocator() is True  # once: the answer is kept
