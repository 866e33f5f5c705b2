"""The dual simplex's statuses, tolerances and pivot limits (private), in one place for its NumPy
loop (:mod:`realpolitik.models.realignment.simplex`) and its compiled one
(:mod:`realpolitik.models.realignment.simplex_kernels`), which must apply the same rules."""

from __future__ import annotations

__all__ = [
    "OPTIMAL",
    "INFEASIBLE",
    "UNFINISHED",
    "PIVOT_TOL",
    "TIE_FACTOR",
    "TIE_FLOOR",
    "MAX_PIVOTS",
    "BLAND_AFTER",
]

#: A row's status: solved, proven infeasible, or stopped by the pivot limit.
OPTIMAL, INFEASIBLE, UNFINISHED = 0, 1, 2
#: Smallest pivot element (in absolute value) the ratio test accepts.
PIVOT_TOL = 1e-11
#: Ratios within ``best * TIE_FACTOR + TIE_FLOOR`` of the smallest tie (smallest index wins).
TIE_FACTOR = 1 + 1e-12
TIE_FLOOR = 1e-300
#: Pivots per row at most.
MAX_PIVOTS = 100
#: Pivots chosen by largest infeasibility first (fast), then by Bland's rule (finite).
BLAND_AFTER = 30
