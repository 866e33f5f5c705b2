"""Fuzzing the results store and `query`, and the data directory commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES, assert_clean, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ir_small"


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory, linear_spec) -> tuple[Path, str]:
    from realpolitik.experiment.run import run_experiment

    store = tmp_path_factory.mktemp("store")
    res = run_experiment(linear_spec, 300, seed=1, batch_size=100, executor="serial", store=store)
    return store, str(res.run_id)


SQL_PARTS = st.sampled_from(
    [
        "SELECT",
        "select",
        "*",
        "count(*)",
        "avg(y)",
        '"a.b"',
        '"c~d"',
        "big",
        "draw",
        "FROM",
        "draws",
        "WHERE",
        "GROUP BY",
        "ORDER BY",
        "LIMIT",
        "1",
        "-1",
        "1e400",
        "'x'",
        ";",
        "(",
        ")",
        ",",
        "=",
        ">",
        "AND",
        "NOT",
        "NULL",
        "read_csv('/etc/passwd')",
        "glob('/*')",
        "read_text('/etc/hostname')",
        "COPY",
        "TO",
        "'out.csv'",
        "ATTACH",
        "'catalogue.duckdb'",
        "INSTALL",
        "httpfs",
        "LOAD",
        "SET",
        "enable_external_access",
        "=",
        "true",
        "PRAGMA",
        "CREATE",
        "TABLE",
        "t",
        "AS",
        "DROP",
        "VIEW",
        "UPDATE",
        "runs",
        "DELETE",
        "EXPORT",
        "DATABASE",
        "'x'",
        "CALL",
        "duckdb_settings()",
        "range(10)",
        "--",
        "/*",
        "*/",
        "UNION",
        "ALL",
        "WITH",
        "r",
        "RECURSIVE",
        "\x00",
        "'",
        '"',
        "\\",
    ]
)


COLUMNS = st.sampled_from(['"a.b"', '"c~d"', "y", "big", "draw", "nosuch", '"a.b" / 0', "*"])
OPS = st.sampled_from(["=", ">", "<", "IS", "LIKE", "+", "/"])


@st.composite
def sql_texts(draw) -> str:
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return " ".join(draw(st.lists(SQL_PARTS, max_size=12)))
    if kind == 1:  # parseable SELECTs over draws, some of which fail when bound or run
        col, other = draw(COLUMNS), draw(COLUMNS)
        value = draw(st.sampled_from(["1", "'x'", "NULL", "1e400", "-1", "true"]))
        agg = draw(st.sampled_from(["", "avg", "sum", "count", "max", "quantile_cont"]))
        head = f"{agg}({col})" if agg and col != "*" else col
        return f"SELECT {head} FROM draws WHERE {other} {draw(OPS)} {value}"
    return draw(st.text(max_size=40))


_STORES: dict = {}


def _store(path: Path):
    """One read-only Store for the whole family (its sandboxed connection is reused)."""
    from realpolitik.experiment.store import Store

    return _STORES.setdefault(path, Store(path, read_only=True))


@FUZZ
@given(sql=sql_texts(), limit=st.integers(1, 50))
def test_query_api(stored_run, playground: Path, sql: str, limit: int, monkeypatch) -> None:
    """Every SQL text gives rows (at most ``limit``) or a QueryError, and changes nothing."""
    from realpolitik.experiment.store import QueryError

    store, run_id = stored_run
    monkeypatch.chdir(playground)
    try:
        frame = _store(store).select(run_id, sql, limit)
    except QueryError as exc:
        assert str(exc).strip()
    else:
        assert len(frame) <= limit


@settings(
    max_examples=max(20, EXAMPLES // 20),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(sql=sql_texts(), limit=st.integers(1, 50), as_json=st.booleans())
def test_query_command(stored_run, playground: Path, sql: str, limit: int, as_json, monkeypatch):
    """The command: also checks the run's batches and prints at most ``limit`` rows."""
    store, run_id = stored_run
    monkeypatch.chdir(playground)
    argv = ["query", run_id, sql, "--store", str(store), "--limit", str(limit)]
    argv += ["--json"] if as_json else []
    code, out, err = run_cli(argv)
    assert_clean(argv, code, err)
    if not as_json:
        assert len(out.splitlines()) <= limit + 2


def test_queries_changed_nothing(stored_run, playground: Path) -> None:
    from realpolitik.experiment.store import list_runs

    store, run_id = stored_run
    assert list_runs(store)["status"].tolist() == ["complete"]
    assert not (playground / "out.csv").exists()
    assert sorted(p.name for p in store.iterdir()) == ["catalogue.duckdb", "runs"]


PATHS = st.sampled_from(
    [
        "missing",
        "binary.csv",
        "binary.csv/sub",
        "dir.yaml",
        "/dev/null",
        "/proc/1",
        "",
        ".",
        "/",
        "a\x00b",
        "x" * 300,
    ]
)


@FUZZ
@given(
    command=st.sampled_from(["path", "fetch", "cite"]),
    datasets=st.lists(
        st.one_of(
            st.sampled_from(["cow-nmc", "atop", "nosuch", "", "../etc"]), st.text(max_size=6)
        ),
        max_size=3,
    ),
    where=PATHS,
)
def test_data_directory(playground: Path, command: str, datasets: list[str], where: str) -> None:
    folder = str(playground / "data" / where) if where and not where.startswith("/") else where
    argv = ["data", command]
    if command != "path":
        argv += datasets
    if command != "cite":
        argv += ["--data-dir", folder]
    code, _, err = run_cli(argv)
    assert_clean(argv, code, err)


@settings(
    max_examples=max(20, EXAMPLES // 20),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    actors=st.lists(
        st.one_of(
            st.sampled_from(["USA", "RUS", "CHN", "UKG", "2", "710", "-1", "XX", "usa", ""]),
            st.text(max_size=4),
        ),
        max_size=4,
    ),
    year=st.one_of(st.integers(1960, 1980), st.integers(-(10**6), 10**6)).map(str),
    size=st.sampled_from(["cinc", "gdp"]),
)
def test_scenario_from_data(playground: Path, actors: list[str], year: str, size: str) -> None:
    """From the hand-written fixtures (four states, 1970-1973) (fewer inputs: each reads them)."""
    argv = [
        "scenario",
        "from-data",
        *actors,
        "--year",
        year,
        "--size",
        size,
        "--data-dir",
        str(FIXTURES),
        "-o",
        str(playground / "fd.yaml"),
    ]
    code, _, err = run_cli(argv)
    assert_clean(argv, code, err)
