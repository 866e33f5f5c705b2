"""Number formats shared by the renderers."""

from __future__ import annotations

import math
from typing import Any


def money(x: Any, digits: int = 1) -> str:
    """A sum with thousands separators, or "out of reach" when there is none.

    >>> money(1027.0), money(None), money(float("nan"))
    ('1,027.0', 'out of reach', 'out of reach')
    """
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "out of reach"
    return f"{x:,.{digits}f}"


def coalitions(groups: Any, labels: Any) -> str:
    """Coalitions as ``{a, b}  vs  {c}``, with actors' labels.

    >>> coalitions([["USA"], ["RUS", "CHN"]], {"USA": "United States"})
    '{United States}  vs  {RUS, CHN}'
    """
    return "  vs  ".join("{" + ", ".join(labels.get(a, a) for a in c) + "}" for c in groups)
