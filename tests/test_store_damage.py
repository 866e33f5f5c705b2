"""The store under attack and under damage: sandboxed SQL, checked batches, repair (issue 16)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from realpolitik.cli import main
from realpolitik.experiment.run import run_experiment
from realpolitik.experiment.store import (
    QueryError,
    Store,
    StoreError,
    list_runs,
    load_draws,
    query,
    repair_catalogue,
)


@pytest.fixture(scope="session")
def run_linear(linear_spec):
    """Run the linear model's experiment (1,000 draws in 10 batches) into a store."""

    def run(store, **kw):
        return run_experiment(
            linear_spec, 1_000, seed=4, batch_size=100, executor="serial", store=store, **kw
        )

    return run


def _cli(args, capsys):
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def run(tmp_path, run_linear):
    res = run_linear(tmp_path / "s")
    return tmp_path / "s", res.run_id


@pytest.fixture(scope="module")
def shared_run(tmp_path_factory, run_linear):
    """One run for the tests that only read (they must not change it)."""
    path = tmp_path_factory.mktemp("shared") / "s"
    return path, run_linear(path).run_id


@pytest.mark.parametrize(
    ("sql", "needle"),
    [
        ("", "empty SQL"),
        ("   ", "empty SQL"),
        ("selec", "the query failed"),
        ("SELECT nosuch FROM draws", "the query failed"),
        ("SELECT * FROM read_csv('/etc/passwd')", "Permission"),
        ("SELECT * FROM read_text('/etc/hostname')", "Permission"),
        ("SELECT * FROM glob('/*')", "Permission"),
        ("SELECT * FROM read_parquet('https://example.org/x.parquet')", "Permission"),
        ("COPY (SELECT 1) TO 'pwned.csv'", "only one SELECT"),
        ("ATTACH 'catalogue.duckdb' AS c", "only one SELECT"),
        ("INSTALL httpfs", "only one SELECT"),
        ("LOAD httpfs", "only one SELECT"),
        ("SET enable_external_access = true", "only one SELECT"),
        ("SELECT 1; SELECT 2", "only one SELECT"),
        ("CREATE TABLE t AS SELECT 1", "only one SELECT"),
        ("UPDATE runs SET status = 'failed'", "only one SELECT"),
    ],
)
def test_user_sql_is_sandboxed(shared_run, sql, needle, tmp_path, monkeypatch):
    store, run_id = shared_run
    monkeypatch.chdir(tmp_path)
    with pytest.raises(QueryError, match=needle):
        query(store, run_id, sql)
    assert not (tmp_path / "pwned.csv").exists()
    assert list_runs(store)["status"].tolist() == ["complete"]


def test_every_duckdb_error_is_a_clean_cli_message(shared_run, capsys):
    store, run_id = shared_run
    for sql in ("", "selec", "SELECT nosuch FROM draws", "SELECT * FROM read_csv('/etc/shadow')"):
        code, _, err = _cli(["query", run_id, sql, "--store", str(store)], capsys)
        assert code == 2 and "Traceback" not in err and "SQL" in err, (sql, err)


def test_rows_printed_are_bounded_and_file_gets_all(shared_run, capsys, tmp_path):
    store, run_id = shared_run
    code, out, err = _cli(
        [
            "query",
            run_id,
            "SELECT draw FROM draws ORDER BY draw",
            "--store",
            str(store),
            "--limit",
            "7",
        ],
        capsys,
    )
    assert code == 0 and len(out.strip().splitlines()) == 8  # a header and 7 rows
    assert "first 7 rows" in err
    assert query(store, run_id, "SELECT draw FROM draws ORDER BY draw", limit=7)[
        "draw"
    ].tolist() == list(range(7))
    target = tmp_path / "all.parquet"
    code, out, _ = _cli(
        ["query", run_id, "SELECT * FROM draws", "--store", str(store), "-o", str(target)], capsys
    )
    assert code == 0 and "1,000 rows" in out
    assert len(pd.read_parquet(target)) == 1_000


def test_deleted_or_altered_batch_is_found_and_resume_repairs_it(tmp_path, run_linear):
    ref = run_linear(tmp_path / "ref")
    reference = load_draws(tmp_path / "ref", ref.run_id)
    store_dir = tmp_path / "s"
    res = run_linear(store_dir)
    store = Store(store_dir)
    run_dir = store.run_dir(res.run_id)
    (run_dir / "batch-000003.parquet").unlink()
    raw = bytearray((run_dir / "batch-000005.parquet").read_bytes())
    raw[len(raw) // 2] ^= 0x01  # one flipped bit, same size
    (run_dir / "batch-000005.parquet").write_bytes(bytes(raw))
    assert list_runs(store_dir)["status"].tolist() == ["damaged"]  # the missing batch
    with pytest.raises(StoreError, match="batch 3 is missing.*batch 5 changed"):
        query(store_dir, res.run_id, "SELECT count(*) FROM draws")
    again = run_linear(store_dir, resume=True)
    assert again.run_id == res.run_id and again.batches_run == 2  # only the damaged ones
    assert list_runs(store_dir)["status"].tolist() == ["complete"]
    pd.testing.assert_frame_equal(load_draws(store_dir, res.run_id), reference, check_exact=True)
    assert (run_dir / "batch-000005.parquet.damaged").exists()  # kept, not silently deleted


def test_corrupt_catalogue_is_a_message_and_repair_rebuilds_it(run, capsys):
    store_dir, run_id = run
    cat = store_dir / "catalogue.duckdb"
    cat.write_bytes(cat.read_bytes()[:3000])
    code, _, err = _cli(["runs", "--store", str(store_dir)], capsys)
    assert "Traceback" not in err and "--repair" in err
    code, out, err = _cli(["runs", "--store", str(store_dir), "--repair"], capsys)
    assert code == 0 and f"{run_id}: complete (10 of 10 batches)" in out
    runs = list_runs(store_dir)
    assert runs["run_id"].tolist() == [run_id] and runs["status"].tolist() == ["complete"]
    assert list(runs["outcomes"][0]) == ["y", "big"]
    assert len(query(store_dir, run_id, "SELECT * FROM draws")) == 1_000
    assert list(store_dir.glob("catalogue.duckdb.damaged-*"))  # the old one is kept


def test_repair_marks_a_run_with_missing_batches_resumable(run, run_linear):
    store_dir, run_id = run
    (Store(store_dir).run_dir(run_id) / "batch-000009.parquet").unlink()
    lines = repair_catalogue(store_dir)
    assert lines == [f"{run_id}: interrupted (9 of 10 batches)"]
    again = run_linear(store_dir, resume=True)
    assert again.run_id == run_id and again.batches_run == 1


def test_listing_never_writes(run, tmp_path, capsys):
    store_dir, _ = run
    before = _digest(store_dir / "catalogue.duckdb")
    list_runs(store_dir)
    _cli(["runs", "--store", str(tmp_path)], capsys)
    assert _digest(store_dir / "catalogue.duckdb") == before
    other = tmp_path / "unrelated"
    other.mkdir()
    with duckdb.connect(str(other / "catalogue.duckdb")) as con:
        con.execute("CREATE TABLE x (a INTEGER)")
    code, _, err = _cli(["runs", "--store", str(other)], capsys)
    assert code == 0 and "not a realpolitik catalogue" in err
    with duckdb.connect(str(other / "catalogue.duckdb"), read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    assert tables == ["x"]


def test_bit_flipped_catalogue_is_never_a_traceback(run, capsys, tmp_path):
    import random
    import shutil

    store_dir, run_id = run
    for trial in range(20):
        copy = tmp_path / f"flip{trial}"
        shutil.copytree(store_dir, copy)
        cat = copy / "catalogue.duckdb"
        raw = bytearray(cat.read_bytes())
        rng = random.Random(trial)
        for _ in range(rng.randint(1, 20)):
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        cat.write_bytes(bytes(raw))
        for args in (
            ["runs", "--store", str(copy)],
            ["query", run_id, "SELECT count(*) FROM draws", "--store", str(copy)],
        ):
            code, _, err = _cli(args, capsys)
            assert code in (0, 2) and "Traceback" not in err, (trial, args, err)


def test_the_catalogue_records_each_batch_file_as_the_file_is(tmp_path, run_linear):
    """The rows, size and SHA-256 the workers report for their batch files are what reading the
    files gives: the catalogue of a complete run (some batches run before a resume, whose
    records the parent reads itself) records each file as it is."""
    import pyarrow.parquet as pq

    store_dir = tmp_path / "s"
    res = run_linear(store_dir)
    store = Store(store_dir)
    run_dir = store.run_dir(res.run_id)
    (run_dir / "batch-000002.parquet").unlink()
    run_linear(store_dir, resume=True)  # batch 2 reported by its worker, the others read here
    recorded = store.batch_records(res.run_id)
    assert sorted(recorded) == list(range(10))
    for b, (rows, size, digest) in recorded.items():
        path = run_dir / f"batch-{b:06d}.parquet"
        assert rows == pq.ParquetFile(path).metadata.num_rows == 100
        assert size == path.stat().st_size
        assert digest == _digest(path)
    assert store.verify_run(res.run_id) == []


def test_a_reported_record_of_another_size_is_read_again(tmp_path, run_linear):
    """A record whose size is not the file's (the file replaced since) is not trusted: the
    catalogue reads the file itself."""
    from realpolitik.experiment.store import batch_record

    store_dir = tmp_path / "s"
    res = run_linear(store_dir)
    store = Store(store_dir)
    path = store.run_dir(res.run_id) / "batch-000004.parquet"
    stale = {4: (100, path.stat().st_size + 1, "0" * 64)}
    store.update_run(res.run_id, status="complete", records=stale)
    assert store.batch_records(res.run_id)[4] == batch_record(path)
