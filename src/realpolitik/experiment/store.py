"""The results store: one Parquet file per batch, an embedded DuckDB catalogue of runs.

Layout of a store directory::

    catalogue.duckdb                 one row per run (see CATALOGUE_COLUMNS)
    runs/<run_id>/run.json           the run's full description (uncertainties, correlation, ...)
    runs/<run_id>/batch-000000.parquet
    runs/<run_id>/batch-000001.parquet
    ...

A batch file has a ``draw`` column (the draw's index in the run), one column per uncertain input
(named by its key path) and one per outcome. It is written by whoever evaluated the batch, to a
temporary name in the same directory and then renamed with :func:`os.replace`, so a batch file
either exists whole or not at all: a run killed by Ctrl-C, SIGKILL or a full disk leaves only
finished batches, and ``resume`` re-runs exactly the missing ones. The files carry nothing that
depends on the run id or the time, so a resumed run's files are byte-identical to an
uninterrupted run's.

DuckDB allows one writing process per database file; the catalogue is opened briefly, for each
write, from the parent process only, and retried for a few seconds when another process holds it.
Listing and querying open it read-only (a store on a read-only mount can be listed).

When a run completes, the row count, size and SHA-256 of each batch file go into the catalogue's
``batches`` table; :meth:`Store.verify_run` checks the files against them (a deleted, truncated or
altered batch is found), ``resume`` recomputes what is damaged, and :meth:`Store.repair` rebuilds
a damaged catalogue from the runs' ``run.json`` and batch files.

Queries over draws (:meth:`Store.query`) use an in-memory DuckDB connection that can read the
run's batch files and nothing else: one ``SELECT`` statement, no other file, no network, no
extension installed or loaded, configuration locked, at most ``limit`` rows fetched.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.errors import RealpolitikError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.experiment.statistics import ColumnStatistics

__all__ = [
    "Store",
    "QueryError",
    "StoreError",
    "list_runs",
    "load_draws",
    "query",
    "repair_catalogue",
    "summarize",
    "write_batch",
]

CATALOGUE = "catalogue.duckdb"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    scenario VARCHAR,
    scenario_hash VARCHAR,
    models VARCHAR[],
    seed UBIGINT,
    package_version VARCHAR,
    draws BIGINT,
    batch_size BIGINT,
    n_batches BIGINT,
    sampler VARCHAR,
    status VARCHAR,
    created TIMESTAMP,
    finished TIMESTAMP,
    inputs VARCHAR[],
    outcomes VARCHAR[],
    fingerprint VARCHAR
);
CREATE TABLE IF NOT EXISTS batches (
    run_id VARCHAR,
    batch BIGINT,
    rows BIGINT,
    bytes BIGINT,
    sha256 VARCHAR,
    PRIMARY KEY (run_id, batch)
)
"""

STATUSES = ("running", "complete", "interrupted", "failed")

#: Rows a query prints unless told otherwise (the CLI's ``--limit``).
DEFAULT_QUERY_LIMIT = 1_000


class StoreError(RealpolitikError):
    """A results store or run that cannot be used: unknown run, no batch files, locked catalogue."""


class QueryError(StoreError):
    """SQL over a run's draws that cannot run: not one SELECT, a syntax error, a refused access."""


#: What the catalogue records of a batch file when its run completes: rows, bytes and SHA-256.
BatchRecord = tuple[int, int, str]


def batch_record(path: str | os.PathLike) -> BatchRecord:
    """The rows, size in bytes and SHA-256 of the batch file ``path``.

    A worker finds it for the file it has just written (:func:`realpolitik.experiment.run`), so
    that completing a run of many batches does not read every file again in the parent, one
    after another, while the workers are done."""
    import pyarrow.parquet as pq

    path = Path(path)
    rows = pq.ParquetFile(path).metadata.num_rows
    return int(rows), path.stat().st_size, _sha256(path)


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _duckdb_errors() -> tuple[type[BaseException], ...]:
    import duckdb

    return (duckdb.Error,)


def _sql_string(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


#: How batches are written, chosen by measurement on a flagship batch (20,000 draws, 2-core Xeon).
#: With the inputs (126 columns): zstd with dictionary encoding 247 ms and 16.0 MB; zstd without
#: it 92 ms and 13.0 MB; LZ4 without it 58 ms and 14.4 MB; uncompressed 53 ms and 20.2 MB.
#: Outcomes only (the default, 49 columns, 7.8 MB raw), CPU ms to write / to read, MB on disk:
#:
#: ============  ===============  ===============
#: codec         no dictionary    dictionary
#: ============  ===============  ===============
#: none          11.0 / 6.8, 7.85 26.1 / 6.9, 1.79
#: snappy        15.5 / 12.1, 2.00 28.0 / 7.3, 1.69
#: lz4           14.6 / 8.5, 2.12 28.3 / 7.3, 1.70
#: zstd          20.8 / 12.1, 1.37 29.1 / 8.4, 1.51
#: ============  ===============  ===============
#:
#: Dictionaries cost most of the writing time and do not pay on sampled floats; LZ4 without them
#: is the cheapest to write after no compression at all, at a quarter of its size.
#:
#: Column statistics (each column chunk's smallest and largest value) are written for ``draw``
#: only: nothing reads them but a query's pruning of whole batch files by draw (a batch file is
#: one row group), and computing them for every outcome cost a fifth of the writing time (9.2 ms
#: a flagship batch of outcomes with them, 7.3 ms without; 4 kB smaller). The values stored, and
#: so everything read back, are the same.
#:
#: Floating-point columns are written with the BYTE_STREAM_SPLIT encoding
#: (:func:`parquet_options`): the bytes of each value are spread over 8 streams (all the sign
#: and exponent bytes together, ...), which LZ4 compresses better and faster. A flagship batch of
#: outcomes: 6.1 ms to write instead of 7.1, 3.4 ms to read instead of 4.0, 1.81 MB instead of
#: 2.16. Readers decode it to the same doubles (PyArrow and DuckDB, ``tests/test_store.py``).
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "lz4",
    "use_dictionary": False,
    "write_statistics": ["draw"],
}


def parquet_options(table: Any) -> dict[str, Any]:
    """:data:`PARQUET_OPTIONS` for ``table`` (an Arrow table): its floating-point columns
    encoded BYTE_STREAM_SPLIT."""
    import pyarrow as pa

    floats = [f.name for f in table.schema if pa.types.is_floating(f.type)]
    return {**PARQUET_OPTIONS, "use_byte_stream_split": floats}


def arrow_table(columns: Mapping[str, np.ndarray]) -> Any:
    """The Arrow table ``pa.table(columns)`` makes of NumPy columns (booleans, integers, floats
    in native byte order; anything else goes through ``pa.table``), built from the columns'
    memory without ``pa.table``'s check for pandas objects, which imports pandas: a worker that
    writes its batches then never imports it (about 0.2 s of CPU each). The same table, so the
    same Parquet file, byte for byte (``tests/test_store.py``)."""
    import pyarrow as pa

    arrays = []
    for values in columns.values():
        a = np.ascontiguousarray(values)
        if a.ndim != 1 or a.dtype.kind not in "biuf" or not a.dtype.isnative:
            return pa.table({name: np.asarray(v) for name, v in columns.items()})
        data = np.packbits(a, bitorder="little") if a.dtype.kind == "b" else a
        arrays.append(
            pa.Array.from_buffers(pa.from_numpy_dtype(a.dtype), len(a), [None, pa.py_buffer(data)])
        )
    return pa.Table.from_arrays(arrays, names=list(columns))


def write_batch(path: str | os.PathLike, columns: Mapping[str, np.ndarray] | Any) -> int:
    """Write one batch's columns (or an Arrow table, with its metadata) to ``path`` as Parquet,
    atomically; return its size in bytes.

    The table is written to a temporary file beside ``path`` and renamed over it; a crash leaves
    at most a ``*.tmp`` file, never a partial batch. No time, host or run id goes into the file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if isinstance(columns, pa.Table):
        table = columns
    else:
        table = pa.table({name: np.asarray(values) for name, values in columns.items()})
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        pq.write_table(table, tmp, **parquet_options(table))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path.stat().st_size


class Store:
    """A results store directory (created when missing).

    Parameters
    ----------
    directory : path
        Where the catalogue and the runs' Parquet files live.
    read_only : bool
        Open an existing store without writing to it.
    background : bool
        Open (or create) the catalogue in a thread, and record new runs (:meth:`create_run`)
        there too: the run's folder and id are ready at once, its batches can start while the
        catalogue is written (DuckDB's import and its writes to disk). Every other use of the
        catalogue, and :meth:`wait_for_catalogue`, waits for those writes and raises their
        error. A run started this way (``realpolitik run``) forks no process after it.
    """

    def __init__(
        self, directory: str | os.PathLike, read_only: bool = False, background: bool = False
    ) -> None:
        self.directory = Path(directory)
        self.read_only = read_only
        self._background: Any = None  # the catalogue's writes still under way (see below)
        if read_only:
            if not self.catalogue_path.is_file():
                raise StoreError(f"{self.directory} is not a results store (no {CATALOGUE})")
            with self._connect(read_only=True) as con:
                tables = {
                    r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
                }
            if "runs" not in tables:
                raise StoreError(
                    f"{self.catalogue_path} is not a realpolitik catalogue (it has no runs table)"
                )
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "runs").mkdir(exist_ok=True)
        if background:
            # Open the catalogue in a thread, and record new runs there too (create_run): a run
            # can start its batches meanwhile. Every other use of the catalogue waits for it.
            from concurrent.futures import ThreadPoolExecutor

            self._background = ThreadPoolExecutor(1, thread_name_prefix="realpolitik-catalogue")
            self._pending = [self._background.submit(self._create_catalogue)]
        else:
            self._create_catalogue()

    def _create_catalogue(self) -> None:
        with self._connect_now() as con:
            con.execute(_SCHEMA)

    def wait_for_catalogue(self) -> None:
        """Wait until the catalogue's writes made in the background (a store made with
        ``background=True``) are done; raise the first one's error (a :class:`StoreError`)."""
        if self._background is None:
            return
        pending, self._pending = self._pending, []
        self._background.shutdown(wait=True)
        self._background = None
        for future in pending:
            future.result()

    def __getstate__(self) -> dict[str, Any]:
        self.wait_for_catalogue()
        return {k: v for k, v in self.__dict__.items() if k not in ("_background", "_pending")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._background = None

    def __repr__(self) -> str:
        return f"Store({str(self.directory)!r})"

    # -- the catalogue ------------------------------------------------------------------------

    @property
    def catalogue_path(self) -> Path:
        return self.directory / CATALOGUE

    def _connect(self, read_only: bool = False, timeout: float = 10.0):
        self.wait_for_catalogue()
        return self._connect_now(read_only, timeout)

    def _connect_now(self, read_only: bool = False, timeout: float = 10.0):
        import duckdb

        deadline = time.monotonic() + timeout
        delay = 0.02
        config: dict[str, str | bool | int | float | list[str]] = {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
        while True:
            try:
                if read_only and not self.catalogue_path.exists():
                    raise StoreError(f"no catalogue in {self.directory}")
                return duckdb.connect(str(self.catalogue_path), read_only=read_only, config=config)
            except duckdb.IOException as exc:
                text = str(exc)
                locked = "lock" in text.lower()
                if not locked or time.monotonic() > deadline:
                    raise StoreError(
                        f"the catalogue {self.catalogue_path} "
                        + ("is locked by another process" if locked else "cannot be opened")
                        + f": {text.splitlines()[0] if text else type(exc).__name__}"
                        + ("" if locked else "; rebuild it with `realpolitik runs --repair`")
                    ) from None
                time.sleep(delay)
                delay = min(0.5, delay * 2)
            except duckdb.Error as exc:  # not a DuckDB file, or a damaged one
                text = str(exc)
                raise StoreError(
                    f"the catalogue {self.catalogue_path} is damaged or not a DuckDB database: "
                    f"{text.splitlines()[0] if text else type(exc).__name__}; rebuild it with "
                    "`realpolitik runs --repair`"
                ) from None

    def create_run(self, meta: Mapping[str, Any], description: Mapping[str, Any]) -> str:
        """Register a new run with status ``running``; return its run id."""
        now = datetime.now(UTC).replace(tzinfo=None)
        run_id = now.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        run_dir = self.run_dir(run_id)
        run_dir.mkdir(parents=True)
        tmp = run_dir / ".run.json.tmp"
        tmp.write_text(json.dumps({"run_id": run_id, **description}, indent=2, default=str))
        os.replace(tmp, run_dir / "run.json")
        row = {
            "run_id": run_id,
            "scenario": meta.get("scenario", ""),
            "scenario_hash": meta.get("scenario_hash", ""),
            "models": list(meta.get("models", ())),
            "seed": int(meta["seed"]),
            "package_version": meta.get("package_version", ""),
            "draws": int(meta["draws"]),
            "batch_size": int(meta["batch_size"]),
            "n_batches": int(meta["n_batches"]),
            "sampler": meta["sampler"],
            "status": "running",
            "created": now,
            "finished": None,
            "inputs": list(meta.get("inputs", ())),
            "outcomes": list(meta.get("outcomes", ())),
            "fingerprint": meta.get("fingerprint", ""),
        }
        if self._background is not None:  # after the catalogue is made, in the same thread
            self._pending.append(self._background.submit(self._insert_run, row))
        else:
            self._insert_run(row)
        return run_id

    def _insert_run(self, row: dict[str, Any]) -> None:
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self._connect_now() as con:
            con.execute(f"INSERT INTO runs ({names}) VALUES ({marks})", list(row.values()))

    def update_run(
        self,
        run_id: str,
        status: str | None = None,
        outcomes: Sequence[str] | None = None,
        finished: bool = False,
        records: Mapping[int, BatchRecord] | None = None,
    ) -> None:
        """Set a run's status (one of ``running``, ``complete``, ``interrupted``, ``failed``).

        On completion the catalogue records every batch file's rows, size and SHA-256;
        ``records`` are those already found, by batch (:func:`batch_record`)."""
        sets: list[str] = []
        values: list[Any] = []
        if status is not None:
            if status not in STATUSES:
                raise StoreError(f"unknown status {status!r}")
            sets.append("status = ?")
            values.append(status)
        if outcomes is not None:
            sets.append("outcomes = ?")
            values.append(list(outcomes))
        if finished:
            sets.append("finished = ?")
            values.append(datetime.now(UTC).replace(tzinfo=None))
        if not sets:
            return
        found = self._batch_records(run_id, records) if status == "complete" else None
        with self._connect() as con:
            con.execute(f"UPDATE runs SET {', '.join(sets)} WHERE run_id = ?", [*values, run_id])
            if found is not None:
                con.execute("DELETE FROM batches WHERE run_id = ?", [run_id])
                if found:
                    con.executemany(
                        "INSERT INTO batches (run_id, batch, rows, bytes, sha256) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [[run_id, *r] for r in found],
                    )

    def _batch_records(
        self, run_id: str, known: Mapping[int, BatchRecord] | None = None
    ) -> list[tuple[int, int, int, str]]:
        """(batch, rows, bytes, sha256) of each batch file of a run; ``known``: the records of
        batches already read (by the workers that wrote them, :func:`batch_record`), used as they
        are when the file is still of their size."""
        out = []
        for path in self.batch_files(run_id):
            index = int(path.stem.split("-")[1])
            record = (known or {}).get(index)
            if record is None or record[1] != path.stat().st_size:
                record = batch_record(path)
            out.append((index, *record))
        return out

    def batch_records(self, run_id: str) -> dict[int, tuple[int, int, str]]:
        """What the catalogue recorded of each batch when the run completed: rows, bytes, sha256."""
        with self._connect(read_only=True) as con:
            tables = {
                r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            }
            if "batches" not in tables:
                return {}
            rows = con.execute(
                "SELECT batch, rows, bytes, sha256 FROM batches WHERE run_id = ?", [run_id]
            ).fetchall()
        return {int(b): (int(r), int(n), str(h)) for b, r, n, h in rows}

    def verify_run(self, run_id: str, checksums: bool = True) -> list[str]:
        """What is wrong with a run's batch files (empty when nothing is).

        Every run: batch files that cannot belong to it. A complete run: batches missing, of
        another size, or (with ``checksums``) whose SHA-256 differs from the one recorded when
        it completed.
        """
        row = self.get_run(run_id)
        problems: list[str] = []
        files = {int(p.stem.split("-")[1]): p for p in self.batch_files(run_id)}
        n_batches = int(row["n_batches"] or 0)
        extra = sorted(b for b in files if b >= n_batches)
        if extra:
            problems.append(f"batch files beyond the run's {n_batches} batches: {extra[:5]}")
        if row["status"] != "complete":
            return problems
        recorded = self.batch_records(run_id)
        for b in range(n_batches):
            path = files.get(b)
            if path is None:
                problems.append(f"batch {b} is missing ({self.batch_path(run_id, b).name})")
                continue
            if b not in recorded:
                continue  # completed by an older version: nothing recorded to compare with
            rows, size, digest = recorded[b]
            if path.stat().st_size != size or (checksums and _sha256(path) != digest):
                problems.append(f"batch {b} changed since the run completed ({path.name})")
        return problems

    def quarantine(self, run_id: str) -> list[int]:
        """Move a complete run's damaged batch files aside (``*.damaged``) so that ``resume``
        recomputes them; mark the run ``interrupted``; return the batches to recompute."""
        row = self.get_run(run_id)
        recorded = self.batch_records(run_id)
        redo = []
        for b in range(int(row["n_batches"] or 0)):
            path = self.batch_path(run_id, b)
            if not path.exists():
                redo.append(b)
                continue
            if b in recorded:
                rows, size, digest = recorded[b]
                if path.stat().st_size != size or _sha256(path) != digest:
                    os.replace(path, path.with_name(path.name + ".damaged"))
                    redo.append(b)
        if redo:
            self.update_run(run_id, status="interrupted")
        return redo

    def get_run(self, run_id: str) -> dict[str, Any]:
        """The catalogue row of a run, as a dict."""
        with self._connect(read_only=True) as con:
            cur = con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id])
            row = cur.fetchone()
            names = [d[0] for d in cur.description]
        if row is None:
            raise StoreError(f"no run {run_id!r} in {self.directory}")
        return dict(zip(names, row, strict=True))

    def find_resumable(self, fingerprint: str) -> str | None:
        """The run to resume for this fingerprint, if any.

        The newest unfinished run; else the newest complete one, whose damaged batches (missing,
        truncated or altered since it completed) are moved aside to be recomputed, and whose
        intact draws are reused as they are (a run stopped after its draws, in a later stage,
        resumes without recomputing them).
        """
        with self._connect(read_only=True) as con:
            row = con.execute(
                "SELECT run_id FROM runs WHERE fingerprint = ? "
                "ORDER BY status = 'complete', created DESC LIMIT 1",
                [fingerprint],
            ).fetchone()
        if row is None:
            return None
        run_id = str(row[0])
        if self.get_run(run_id)["status"] == "complete":
            self.quarantine(run_id)
        return run_id

    def list_runs(self) -> pd.DataFrame:
        """Every run in the catalogue, newest first."""
        with self._connect(read_only=True) as con:
            return con.execute("SELECT * FROM runs ORDER BY created DESC").df()

    # -- batch files --------------------------------------------------------------------------

    def run_dir(self, run_id: str) -> Path:
        return self.directory / "runs" / run_id

    def batch_path(self, run_id: str, index: int) -> Path:
        return self.run_dir(run_id) / f"batch-{index:06d}.parquet"

    def description(self, run_id: str) -> dict[str, Any]:
        """The run's ``run.json``."""
        return json.loads((self.run_dir(run_id) / "run.json").read_text())

    def batch_files(self, run_id: str) -> list[Path]:
        """The run's finished batch files, in batch order."""
        run_dir = self.run_dir(run_id)
        if not run_dir.is_dir():
            raise StoreError(f"no run {run_id!r} in {self.directory}")
        return sorted(run_dir.glob("batch-*.parquet"))

    def missing_batches(self, run_id: str, n_batches: int) -> list[int]:
        done = {int(p.stem.split("-")[1]) for p in self.batch_files(run_id)}
        return [b for b in range(n_batches) if b not in done]

    def remove_temporaries(self, run_id: str) -> int:
        """Delete the ``*.tmp`` files a killed run may have left; return how many."""
        n = 0
        for tmp in self.run_dir(run_id).glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
            n += 1
        return n

    # -- reading draws ------------------------------------------------------------------------

    def input_paths(self, run_id: str) -> list[str]:
        """The run's uncertain inputs (key paths), in design order."""
        return [str(u["path"]) for u in self.description(run_id).get("uncertainties", [])]

    def inputs_stored(self, run_id: str) -> bool:
        """Whether the run's batch files hold its inputs (else they are regenerated on demand)."""
        import pyarrow.parquet as pq

        files = self.batch_files(run_id)
        if not files:
            return True
        names = set(pq.read_schema(files[0]).names)
        return all(p in names for p in self.input_paths(run_id))

    def regenerate_inputs(self, run_id: str, batches: Sequence[int] | None = None) -> Any:
        """The inputs of a run's draws, recomputed from the seeds in its batch files' metadata
        and the uncertainties in its ``run.json``: an Arrow table (``draw`` and one column per
        input), identical to the values the workers evaluated.

        Parameters
        ----------
        batches : sequence of int, optional
            Only these batches (default: every finished batch), in the order given.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        from realpolitik.experiment.inputs import (
            BATCH_METADATA_KEY,
            inputs_spec,
            regenerated_batch,
        )

        spec = inputs_spec(self.description(run_id))
        wanted = None if batches is None else [int(b) for b in batches]
        paths = (
            self.batch_files(run_id)
            if wanted is None
            else [self.batch_path(run_id, b) for b in wanted]
        )
        parts = []
        for path in paths:
            meta = (pq.read_schema(path).metadata or {}).get(BATCH_METADATA_KEY)
            if meta is None:
                raise StoreError(f"{path.name} records no seeds: its inputs cannot be regenerated")
            parts.append(pa.table(regenerated_batch(spec, json.loads(meta))))
        if not parts:
            raise StoreError(f"run {run_id!r} has no finished batches")
        return pa.concat_tables(parts)

    def draws_at(self, run_id: str, draws: Sequence[int]) -> pd.DataFrame:
        """The draws of the given indices (``draw``, inputs, outcomes), in increasing order of
        draw, read batch by batch (inputs regenerated for the batches that hold some when the
        run did not store them): memory stays that of the rows asked for."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        wanted = np.unique(np.asarray(draws, dtype=np.int64))
        regenerate = not self.inputs_stored(run_id)
        inputs = self.input_paths(run_id)
        parts = []
        for path in self.batch_files(run_id):
            table = pq.read_table(path)
            index = table.column("draw").to_numpy()
            rows = np.flatnonzero(np.isin(index, wanted, assume_unique=True))
            if rows.size == 0:
                continue
            if regenerate:
                batch = int(path.stem.split("-")[1])
                regenerated = self.regenerate_inputs(run_id, [batch])
                for name in inputs:
                    table = table.append_column(name, regenerated.column(name))
            parts.append(table.take(pa.array(rows)))
        if not parts:
            raise StoreError(f"run {run_id!r} holds none of the draws asked for")
        frame = pa.concat_tables(parts).to_pandas()
        outcomes = [c for c in frame.columns if c != "draw" and c not in inputs]
        return frame[["draw", *inputs, *outcomes]].reset_index(drop=True)

    def _draws_connection(
        self, run_id: str, threads: int | None = None, lock: bool = True, inputs: bool = True
    ):
        """An in-memory DuckDB connection with the view ``draws`` and access to nothing else
        (with ``lock``, its configuration cannot be changed either). Without ``inputs`` the view
        may lack the inputs of a run stored without them (they are not regenerated)."""
        import duckdb

        files = self.batch_files(run_id)
        if not files:
            raise StoreError(f"run {run_id!r} has no finished batches")
        regenerated = None
        if inputs and not self.inputs_stored(run_id):
            regenerated = self.regenerate_inputs(run_id)
        con = duckdb.connect(
            ":memory:",
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
        )
        try:
            listing = ", ".join(_sql_string(str(f.resolve())) for f in files)
            con.execute(f"SET allowed_paths = [{listing}]")
            if regenerated is not None:
                con.register("_inputs", regenerated)
            con.execute("SET enable_external_access = false")
            con.execute("SET allow_community_extensions = false")
            if threads is not None:
                con.execute(f"SET threads TO {int(threads)}")
            if lock:
                con.execute("SET lock_configuration = true")
            source = f"read_parquet([{listing}])"
            if regenerated is None:
                con.execute(f"CREATE VIEW draws AS SELECT * FROM {source}")
            else:
                con.execute(
                    "CREATE VIEW draws AS SELECT o.draw, i.* EXCLUDE (draw), o.* EXCLUDE (draw) "
                    f"FROM {source} AS o JOIN _inputs AS i ON o.draw = i.draw"
                )
        except duckdb.Error as exc:
            con.close()
            raise StoreError(f"cannot read the batch files of run {run_id!r}: {exc}") from None
        return con

    def query(self, run_id: str, sql: str) -> pd.DataFrame:
        """Run ``sql`` (the package's own SQL, which may set ``threads``) over the view ``draws``.

        The connection reads the run's batch files and no other file; the last statement's rows
        are returned. For SQL from users use :meth:`select`.
        """
        inputs = self._needs_inputs(run_id, sql)
        with self._draws_connection(run_id, lock=False, inputs=inputs) as con:
            return con.execute(sql).df()

    def _needs_inputs(self, run_id: str, sql: str) -> bool:
        """Whether ``sql`` may read inputs (``*``, or an input's name) that the run did not store:
        only then are they regenerated."""
        if self.inputs_stored(run_id):
            return False
        text = sql.replace("count(*)", "").replace("COUNT(*)", "")
        return "*" in text or any(p in sql for p in self.input_paths(run_id))

    def select(self, run_id: str, sql: str, limit: int | None = None) -> pd.DataFrame:
        """Run one user ``SELECT`` over the view ``draws`` (every finished draw of the run).

        Parameters
        ----------
        run_id : str
        sql : str
            One SELECT statement; no other file, table, setting or extension is reachable.
        limit : int, optional
            Fetch at most this many rows (memory stays bounded); default: all.

        Raises
        ------
        QueryError
            For anything but one SELECT, and for every error DuckDB reports.
        """
        frame, _ = self._query(run_id, sql, limit)
        return frame

    def _select_connection(self, run_id: str, inputs: bool = True):
        """The sandboxed connection for user SELECTs over a run, kept while its files stay the
        same (a SELECT cannot change it: statements are checked, configuration is locked)."""
        files = (tuple(str(p) for p in self.batch_files(run_id)), inputs)
        cache = self.__dict__.setdefault("_select_cache", {})
        held = cache.get(run_id)
        if held is not None and held[0] == files:
            return held[1]
        if held is not None:
            held[1].close()
        con = self._draws_connection(run_id, inputs=inputs)
        cache[run_id] = (files, con)
        return con

    def _query(self, run_id: str, sql: str, limit: int | None) -> tuple[pd.DataFrame, bool]:
        """(rows, whether more rows than ``limit`` exist)."""
        import pyarrow as pa

        text = self._check_select(sql)
        con = self._select_connection(run_id, self._needs_inputs(run_id, text))
        reader = self._execute(con, text)
        batches, n, more = [], 0, False
        try:
            for batch in reader:
                if limit is not None and n + batch.num_rows > limit:
                    batches.append(batch.slice(0, limit - n))
                    more = True
                    break
                batches.append(batch)
                n += batch.num_rows
        except _duckdb_errors() as exc:
            raise QueryError(_duckdb_message(exc, sql)) from None
        finally:
            reader.close()
        table = pa.Table.from_batches(batches, schema=reader.schema)
        return table.to_pandas(), more

    def query_to_file(self, run_id: str, sql: str, path: str | os.PathLike) -> int:
        """Write every row of a query to ``path`` (``.parquet``, else CSV), streaming; return the
        number of rows. Written to a temporary file and renamed: never a partial file."""
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        path = Path(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        n = 0
        text = self._check_select(sql)
        try:
            inputs = self._needs_inputs(run_id, text)
            with self._draws_connection(run_id, inputs=inputs) as con:
                reader = self._execute(con, text)
                parquet = path.suffix.lower() == ".parquet"
                writer: Any = (
                    pq.ParquetWriter(tmp, reader.schema, compression="zstd")
                    if parquet
                    else pacsv.CSVWriter(tmp, reader.schema)
                )
                try:
                    for batch in reader:
                        writer.write_batch(batch)
                        n += batch.num_rows
                except _duckdb_errors() as exc:
                    raise QueryError(_duckdb_message(exc, sql)) from None
                finally:
                    writer.close()
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return n

    @staticmethod
    def _check_select(sql: str) -> str:
        """``sql`` stripped, if it is exactly one SELECT statement; else a QueryError."""
        import duckdb

        text = (sql or "").strip()
        if not text:
            raise QueryError("empty SQL: expected one SELECT statement over the table `draws`")
        try:
            statements = duckdb.extract_statements(text)
        except duckdb.Error as exc:
            raise QueryError(_duckdb_message(exc, sql)) from None
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            kinds = ", ".join(st.type.name for st in statements) or "none"
            raise QueryError(
                "only one SELECT statement over the table `draws` is allowed "
                f"(got {len(statements)} statement(s): {kinds})"
            )
        return text

    @staticmethod
    def _execute(con: Any, text: str):
        """Start a checked SELECT; return a record-batch reader."""
        import duckdb

        try:
            return con.sql(text).to_arrow_reader(10_000)
        except duckdb.Error as exc:
            raise QueryError(_duckdb_message(exc, text)) from None

    def load_draws(self, run_id: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Every finished draw of a run, ordered by ``draw`` (mind the memory for large runs)."""
        cols = "*" if columns is None else ", ".join(_ident(c) for c in ["draw", *columns])
        return self.query(run_id, f"SELECT {cols} FROM draws ORDER BY draw").reset_index(drop=True)

    def batch_statistics(
        self, run_id: str, outcomes: Sequence[str], batches: Sequence[int]
    ) -> dict[int, dict[str, ColumnStatistics]]:
        """The outcomes' statistics of some batches of a run, from their files (the same values
        the workers computed when they evaluated them)."""
        import pyarrow.parquet as pq

        from realpolitik.experiment.statistics import batch_statistics

        out = {}
        for b in batches:
            path = self.batch_path(run_id, b)
            if not path.exists():
                continue
            table = pq.read_table(path, columns=list(outcomes))
            out[b] = batch_statistics({c: table.column(c).to_numpy() for c in outcomes})
        return out

    def run_statistics(
        self, run_id: str, outcomes: Sequence[str] | None = None
    ) -> dict[str, ColumnStatistics]:
        """The outcomes' statistics over every finished batch of a run, merged in batch order."""
        from realpolitik.experiment.statistics import merge_statistics

        if outcomes is None:
            outcomes = list(self.get_run(run_id)["outcomes"] or [])
        indices = [int(p.stem.split("-")[1]) for p in self.batch_files(run_id)]
        if not indices:
            raise StoreError(f"run {run_id!r} has no finished batches")
        merged = merge_statistics(self.batch_statistics(run_id, outcomes, indices))
        return {name: merged[name] for name in outcomes}

    def summarize(
        self, run_id: str, outcomes: Sequence[str] | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        """Per outcome: mean, the central ``level`` interval (``low``, ``high``) and ``n``.

        Booleans count as 0/1, so a yes/no outcome's mean is its probability. The interval's
        ends are within :data:`~realpolitik.experiment.statistics.QUANTILE_RELATIVE_ERROR` of
        the linear interpolations between order statistics (NumPy's default).
        """
        from realpolitik.experiment.statistics import summary_table

        if outcomes is None:
            outcomes = list(self.get_run(run_id)["outcomes"] or [])
        return summary_table(self.run_statistics(run_id, outcomes), outcomes, level)


def repair_catalogue(store_dir: str | os.PathLike) -> list[str]:
    """Rebuild a store's catalogue from its runs' ``run.json`` and batch files.

    The old catalogue, if any, is kept beside it as ``catalogue.duckdb.damaged-<time>``. A run
    whose batches are all present is ``complete`` (their checksums are recorded anew); one with
    batches missing is ``interrupted`` and can be resumed. Returns one line per run rebuilt.
    """
    import pyarrow.parquet as pq

    directory = Path(store_dir)
    runs_dir = directory / "runs"
    if not runs_dir.is_dir():
        raise StoreError(f"{directory} is not a results store (no runs/ folder)")
    catalogue = directory / CATALOGUE
    if catalogue.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        os.replace(catalogue, catalogue.with_name(f"{CATALOGUE}.damaged-{stamp}"))
        wal = catalogue.with_name(CATALOGUE + ".wal")
        if wal.exists():
            os.replace(wal, wal.with_name(f"{wal.name}.damaged-{stamp}"))
    store = Store(directory)
    lines = []
    for run_dir in sorted(p for p in runs_dir.iterdir() if p.is_dir()):
        run_id = run_dir.name
        try:
            desc = json.loads((run_dir / "run.json").read_text())
            draws, batch_size = int(desc["draws"]), int(desc["batch_size"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            lines.append(f"{run_id}: skipped, its run.json is unreadable ({exc})")
            continue
        n_batches = -(-draws // batch_size)
        files = store.batch_files(run_id)
        inputs = [u["path"] for u in desc.get("uncertainties", [])]
        outcomes: list[str] = []
        if files:
            names = pq.ParquetFile(files[0]).schema_arrow.names
            outcomes = [n for n in names if n != "draw" and n not in set(inputs)]
        done = {int(f.stem.split("-")[1]) for f in files}
        status = "complete" if done >= set(range(n_batches)) else "interrupted"
        try:
            created = datetime.strptime(run_id[:15], "%Y%m%d-%H%M%S")
        except ValueError:
            created = datetime.now(UTC).replace(tzinfo=None)
        row = {
            "run_id": run_id,
            "scenario": desc.get("scenario", ""),
            "scenario_hash": desc.get("scenario_hash", ""),
            "models": list(desc.get("models", [])),
            "seed": int(desc.get("seed", 0)),
            "package_version": desc.get("package_version", ""),
            "draws": draws,
            "batch_size": batch_size,
            "n_batches": n_batches,
            "sampler": desc.get("sampler", "mc"),
            "status": "interrupted",
            "created": created,
            "finished": None,
            "inputs": inputs,
            "outcomes": outcomes,
            "fingerprint": desc.get("fingerprint", ""),
        }
        with store._connect() as con:
            con.execute(
                f"INSERT INTO runs ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                list(row.values()),
            )
        if status == "complete":
            store.update_run(run_id, status="complete", finished=True)
        lines.append(f"{run_id}: {status} ({len(done)} of {n_batches} batches)")
    return lines


def _duckdb_message(exc: BaseException, sql: str) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"the query failed: {text}"


def _store(store_dir: str | os.PathLike | Store, read_only: bool = True) -> Store:
    if isinstance(store_dir, Store):
        return store_dir
    if not (Path(store_dir) / CATALOGUE).exists():
        raise StoreError(f"{store_dir} is not a results store (no {CATALOGUE})")
    return Store(store_dir, read_only=read_only)


def list_runs(store_dir: str | os.PathLike | Store) -> pd.DataFrame:
    """Every run of a store, newest first: id, scenario hash, seed, draws, status, ...

    The store is opened read-only: listing changes nothing, and works on a read-only mount. A
    complete run whose batch files are missing or of another size than when it completed is
    listed as ``damaged`` (``resume`` recomputes those batches).
    """
    store = _store(store_dir)
    try:
        frame = store.list_runs()
    except _duckdb_errors() as exc:
        raise StoreError(
            f"the catalogue {store.catalogue_path} cannot be read: "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}; rebuild it with "
            "`realpolitik runs --repair`"
        ) from None
    if len(frame):
        damaged = [
            status == "complete" and bool(store.verify_run(run_id, checksums=False))
            for run_id, status in zip(frame["run_id"], frame["status"], strict=True)
        ]
        frame.loc[damaged, "status"] = "damaged"
    return frame


def query(
    store_dir: str | os.PathLike | Store, run_id: str, sql: str, limit: int | None = None
) -> pd.DataFrame:
    """Run one SELECT over a run's draws; the SQL refers to them as the view ``draws``.

    Column names with dots or ``~`` (key paths) need double quotes:
    ``SELECT avg("relations.RUS~CHN.components.trade") FROM draws WHERE realigns``.
    A complete run whose batch files changed since it completed is refused (see
    :meth:`Store.verify_run`). At most ``limit`` rows are fetched (default: all).
    """
    store = _store(store_dir)
    problems = store.verify_run(run_id)
    if problems:
        raise StoreError(
            f"run {run_id} is damaged: "
            + "; ".join(problems[:5])
            + ". Rerun the same command with --resume to recompute the damaged batches."
        )
    return store.select(run_id, sql, limit)


def load_draws(store_dir: str | os.PathLike | Store, run_id: str) -> pd.DataFrame:
    """Every finished draw of a run as a DataFrame, ordered by ``draw``."""
    return _store(store_dir).load_draws(run_id)


def summarize(store_dir: str | os.PathLike | Store, run_id: str) -> dict[str, Any]:
    """The JSON-ready summary of a stored run (see :meth:`RunResult.summary_dict`)."""
    store = _store(store_dir)
    row = store.get_run(run_id)
    table = store.summarize(run_id, row["outcomes"])
    return _summary_dict(row, table)


def _summary_dict(row: Mapping[str, Any], table: pd.DataFrame) -> dict[str, Any]:
    def num(x):
        return None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x)

    return {
        "run_id": row.get("run_id"),
        "scenario": row.get("scenario"),
        "scenario_hash": row.get("scenario_hash"),
        "seed": int(row["seed"]),
        "draws": int(table["n"].max()) if len(table) else 0,
        "sampler": row.get("sampler"),
        "batch_size": int(row["batch_size"]),
        "package_version": row.get("package_version"),
        "outcomes": {
            str(name): {"mean": num(r["mean"]), "low": num(r["low"]), "high": num(r["high"])}
            for name, r in table.iterrows()
        },
    }
