"""Output folders: a new run never replaces an earlier run's files."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

#: The files a run writes into its output folder.
RUN_FILES = ("summary.json", "report.html")


def keep_previous_outputs(out_dir: Path) -> Path | None:
    """Move an earlier run's ``summary.json`` and ``report.html`` out of the way.

    They go to ``OUT/previous/<run id>/`` (the earlier run's id in its store, or, for a run
    without draws, the time its summary was written), so that every run's outputs are kept.
    Returns that folder, or None when there was nothing to keep.
    """
    out_dir = Path(out_dir)
    present = [out_dir / f for f in RUN_FILES if (out_dir / f).is_file()]
    if not present:
        return None
    summary = out_dir / "summary.json"
    name = None
    try:
        name = json.loads(summary.read_text(encoding="utf-8")).get("run_id")
    except (OSError, ValueError, AttributeError):
        name = None
    if not name or not isinstance(name, str) or "/" in name or name.startswith("."):
        stamp = (summary if summary.exists() else present[0]).stat().st_mtime
        name = datetime.fromtimestamp(stamp, UTC).strftime("%Y%m%d-%H%M%S")
    target = out_dir / "previous" / name
    k = 2
    while target.exists():
        target = out_dir / "previous" / f"{name}-{k}"
        k += 1
    target.mkdir(parents=True)
    for path in present:
        os.replace(path, target / path.name)
    return target
