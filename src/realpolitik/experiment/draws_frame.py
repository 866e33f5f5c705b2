"""A run's draws read once, in memory, for the explanations that follow the draws.

The sensitivity of the outcomes reads every draw (inputs and outcomes) and scenario discovery a
sample of them. Through the store each would run its own SQL over the batch files, and a run
stored without its inputs would regenerate them from the seeds each time. For a run small
enough to hold in memory (:data:`IN_MEMORY_DRAWS`) and run in full in this process, the workers
hand every column back with their batches (the batch files are written all the same) and
:func:`explanation_frame` builds the frame from those, reading no file. A run resumed or opened
from the store has its batch files read once with PyArrow, the inputs not stored regenerated
once: the same numbers, ordered by draw, that the SQL returns. Larger runs keep the store's reads
(the frame would not fit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.experiment.run import IN_MEMORY_DRAWS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.experiment.run import RunResult
    from realpolitik.experiment.store import Store

__all__ = ["IN_MEMORY_DRAWS", "explanation_frame"]


def explanation_frame(run: RunResult) -> pd.DataFrame | None:
    """Every draw of ``run`` (``draw``, inputs, outcomes), row ``i`` holding draw ``i``; None when
    the run is larger than :data:`IN_MEMORY_DRAWS` or its draws are not exactly ``0..n-1``
    (then the explanations read the store as before)."""
    if run.draws > IN_MEMORY_DRAWS:
        return None
    store = run.store
    if store is None:
        frame = run.to_frame()
    elif run.drawn_columns is not None:
        frame = _handed_back_frame(store, str(run.run_id), run.drawn_columns)
    else:
        frame = _stored_frame(run, store)
    if frame is None:
        return None
    draw = frame["draw"].to_numpy()
    if not np.array_equal(draw, np.arange(len(frame))):
        return None
    return frame


def _handed_back_frame(store: Store, run_id: str, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """The draws of run ``run_id`` from the columns its workers handed back with their batches:
    through the same Arrow table (types included) as the batch files, without reading them."""
    import pyarrow as pa

    table = pa.table({name: np.asarray(values) for name, values in columns.items()})
    return _ordered(table.to_pandas(), store.input_paths(run_id))


def _stored_frame(run: RunResult, store: Store) -> pd.DataFrame | None:
    """The draws of ``run``, stored in ``store``, from its batch files (inputs regenerated if
    not stored)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    run_id = str(run.run_id)
    files = store.batch_files(run_id)
    if not files:
        return None
    table = pa.concat_tables([pq.read_table(f) for f in files])
    if not store.inputs_stored(run_id):
        # the inputs the workers handed back, else regenerated: the same batches, same order
        inputs = (
            store.regenerate_inputs(run_id)
            if run.drawn_inputs is None
            else pa.table(run.drawn_inputs)
        )
        if not np.array_equal(inputs.column("draw").to_numpy(), table.column("draw").to_numpy()):
            return None
        for name in inputs.column_names[1:]:
            table = table.append_column(name, inputs.column(name))
    frame = table.to_pandas()
    draw = frame["draw"].to_numpy()
    if draw.size > 1 and not (draw[1:] > draw[:-1]).all():  # batches out of order: sort
        frame = frame.iloc[np.argsort(draw, kind="stable")]
    return _ordered(frame, store.input_paths(run_id))


def _ordered(frame: Any, inputs: list[str]) -> Any:
    """``draw``, then the inputs, then the rest, as the store's ``draws`` view orders them."""
    rest = [c for c in frame.columns if c != "draw" and c not in inputs]
    return frame[["draw", *inputs, *rest]].reset_index(drop=True)
