"""JSON output that is always valid JSON: NumPy values become Python ones, and non-finite numbers
(an unreachable price is infinite) become null."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def plain(obj: Any) -> Any:
    """``obj`` with NumPy scalars and arrays, paths and tuples turned into JSON values."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [plain(v) for v in obj.tolist()]
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        x = float(obj)
        return x if math.isfinite(x) else None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def dumps(data: Any, indent: int | None = 2) -> str:
    """Valid JSON text of ``data`` (never NaN or Infinity)."""
    return json.dumps(plain(data), indent=indent, allow_nan=False, default=str)
