"""What would have to be true: where a yes/no outcome happens in the space of assumptions.

Two views over the draws of a run (inputs ``X``, a yes/no outcome ``y``):

:func:`flip_thresholds`
    for each input alone, the value at which the outcome flips: the single cut ``x > t`` (or
    ``x <= t``) that best separates yes from no, scored by Youden's J (true-positive rate minus
    false-positive rate), with the share of yes on either side.
:func:`prim`
    the Patient Rule Induction Method: boxes (one interval per input) where yes is concentrated,
    found by peeling small slices off a box one at a time, with their coverage (share of all yes
    inside) and density (share of yes inside), and the whole peeling trajectory, which shows the
    trade-off between them.

References
----------
Friedman, J. H. & Fisher, N. I. (1999). Bump hunting in high-dimensional data. *Statistics and
Computing* 9, 123-143.
Bryant, B. P. & Lempert, R. J. (2010). Thinking inside the box: a participatory, computer-assisted
approach to scenario discovery. *Technological Forecasting & Social Change* 77, 34-49.
Youden, W. J. (1950). Index for rating diagnostic tests. *Cancer* 3(1), 32-35.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.errors import RealpolitikError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DiscoveryError", "PrimBox", "PrimResult", "flip_thresholds", "prim"]


class DiscoveryError(RealpolitikError, ValueError):
    """Inputs that scenario discovery cannot use (shapes, non-numeric columns, no yes or no)."""


def _prepare(X: pd.DataFrame, y: Any) -> tuple[np.ndarray, np.ndarray, list[str]]:
    import pandas as pd

    if not isinstance(X, pd.DataFrame):
        raise DiscoveryError("X must be a pandas DataFrame with one column per input")
    yv = np.asarray(y)
    if yv.ndim != 1 or len(yv) != len(X):
        raise DiscoveryError(f"y must be 1-D with {len(X)} entries, got shape {yv.shape}")
    if yv.dtype.kind == "b":
        yb = yv
    elif yv.dtype.kind in "iuf" and np.all(np.isin(yv, (0, 1))):
        yb = yv.astype(bool)
    else:
        raise DiscoveryError("y must be booleans (or 0/1)")
    names = [str(c) for c in X.columns]
    bad = [c for c in X.columns if X[c].dtype.kind not in "biuf"]
    if bad:
        raise DiscoveryError(f"input {bad[0]!r} is not numeric")
    values = X.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        raise DiscoveryError("X has missing or infinite values")
    if len(yb) == 0 or yb.all() or not yb.any():
        raise DiscoveryError("y must contain both yes and no")
    return values, yb, names


def flip_thresholds(X: pd.DataFrame, y: Any) -> pd.DataFrame:
    """Per input, the threshold at which the yes/no outcome flips.

    For each input the draws are sorted by its value and every cut between two distinct values is
    scored by Youden's J for the rule "yes when above the cut" (J > 0) or "yes when at or below
    it" (J < 0). The best cut is the input's threshold.

    Parameters
    ----------
    X : DataFrame
        One numeric column per input, one row per draw.
    y : array of bool
        The outcome per draw.

    Returns
    -------
    DataFrame
        One row per input, ranked by ``j`` (the separating power, 0 to 1): ``input``,
        ``threshold``, ``direction`` ("above" or "below": where yes is more likely), ``j``,
        ``p_yes_beyond`` (share of yes on the yes side), ``p_yes_other`` and ``share_beyond``
        (share of draws on the yes side).
    """
    import pandas as pd

    from realpolitik.experiment.sorting import stable_argsort

    values, yb, names = _prepare(X, y)
    columns = np.asfortranarray(values)  # each input's draws side by side in memory
    n_yes = int(yb.sum())
    n_no = len(yb) - n_yes
    rows = []
    for j, name in enumerate(names):
        order = stable_argsort(columns[:, j])
        x = columns[order, j]
        yes_at_or_below = np.cumsum(yb[order])
        k = np.flatnonzero(x[1:] > x[:-1])  # cut between k and k+1
        if k.size == 0:
            rows.append(
                {
                    "input": name,
                    "threshold": np.nan,
                    "direction": "",
                    "j": 0.0,
                    "p_yes_beyond": np.nan,
                    "p_yes_other": np.nan,
                    "share_beyond": np.nan,
                }
            )
            continue
        below_yes = yes_at_or_below[k]
        below_no = (k + 1) - below_yes
        tpr_above = (n_yes - below_yes) / n_yes
        fpr_above = (n_no - below_no) / n_no
        score = tpr_above - fpr_above
        best = int(np.argmax(np.abs(score)))
        cut = k[best]
        threshold = 0.5 * (x[cut] + x[cut + 1])
        n_below = cut + 1
        p_below = below_yes[best] / n_below
        p_above = (n_yes - below_yes[best]) / (len(yb) - n_below)
        above = score[best] > 0
        rows.append(
            {
                "input": name,
                "threshold": float(threshold),
                "direction": "above" if above else "below",
                "j": float(abs(score[best])),
                "p_yes_beyond": float(p_above if above else p_below),
                "p_yes_other": float(p_below if above else p_above),
                "share_beyond": float(
                    (len(yb) - n_below) / len(yb) if above else n_below / len(yb)
                ),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.sort_values("j", ascending=False, kind="stable").reset_index(drop=True)


@dataclass
class PrimBox:
    """One PRIM box: an interval per input, with its coverage, density and support.

    ``limits`` has one row per input: ``low`` and ``high`` (inclusive, in the input's units; the
    data's range where the box does not restrict it) and ``restricted``.
    """

    limits: pd.DataFrame
    coverage: float
    density: float
    support: float
    n_points: int
    trajectory: pd.DataFrame
    step: int
    #: The box at every step of the peeling trajectory (same rows as ``limits``), before pasting.
    step_limits: list[pd.DataFrame] = field(default_factory=list)

    @property
    def restricted(self) -> pd.DataFrame:
        """Only the inputs the box restricts: the conditions the outcome hangs on."""
        return self.limits[self.limits["restricted"]]

    def contains(self, X: pd.DataFrame) -> np.ndarray:
        """Which rows of ``X`` lie inside the box."""
        inside = np.ones(len(X), dtype=bool)
        for name, row in self.restricted.iterrows():
            col = X[name].to_numpy(dtype=float)
            inside &= (col >= row["low"]) & (col <= row["high"])
        return inside

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "coverage": self.coverage,
            "density": self.density,
            "support": self.support,
            "limits": {
                str(name): {"low": float(r["low"]), "high": float(r["high"])}
                for name, r in self.restricted.iterrows()
            },
        }


@dataclass
class PrimResult:
    """The boxes PRIM found, in the order found, and the base rate of yes."""

    boxes: list[PrimBox]
    base_density: float
    n: int
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def box(self) -> PrimBox | None:
        """The first box (the one of most interest), or None when none qualified."""
        return self.boxes[0] if self.boxes else None

    @property
    def trajectory(self) -> pd.DataFrame:
        """The first box's peeling trajectory."""
        if not self.boxes:
            import pandas as pd

            return pd.DataFrame()
        return self.boxes[0].trajectory

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "base_density": self.base_density,
            "n": self.n,
            "boxes": [b.to_dict() for b in self.boxes],
            "params": dict(self.params),
        }


def _peel_candidates(xs: np.ndarray, ys: np.ndarray, alpha: float):
    """Yield (dim, side, keep_mask) for every one-slice peel of the current box."""
    n = len(ys)
    for j in range(xs.shape[1]):
        col = xs[:, j]
        lo_cut, hi_cut = np.quantile(col, [alpha, 1.0 - alpha])
        cmin, cmax = col.min(), col.max()
        if cmin == cmax:
            continue
        keep = col >= lo_cut if lo_cut > cmin else col > cmin
        if 0 < keep.sum() < n:
            yield j, "low", keep
        keep = col <= hi_cut if hi_cut < cmax else col < cmax
        if 0 < keep.sum() < n:
            yield j, "high", keep


def _box_stats(inside: np.ndarray, y: np.ndarray, n_yes_total: int) -> tuple[float, float, float]:
    n_in = int(inside.sum())
    yes_in = int(y[inside].sum())
    return yes_in / n_yes_total, yes_in / n_in if n_in else 0.0, n_in / len(y)


def _limits_frame(names, low, high, full_low, full_high):
    import pandas as pd

    return pd.DataFrame(
        {"low": low, "high": high, "restricted": (low > full_low) | (high < full_high)},
        index=pd.Index(names, name="input"),
    )


def _peel(values, y, active, peel_alpha, min_support, n_yes_total, full_low, full_high):
    """PRIM's top-down peeling from the full box: the trajectory of boxes, one per peel."""
    n_total = len(y)
    idx = np.flatnonzero(active)
    low = full_low.copy()
    high = full_high.copy()
    traj: list[dict[str, Any]] = []

    def record(inside_idx, low, high):
        mask = np.zeros(n_total, dtype=bool)
        mask[inside_idx] = True
        cov, dens, sup = _box_stats(mask, y, n_yes_total)
        traj.append(
            {
                "step": len(traj),
                "coverage": cov,
                "density": dens,
                "support": sup,
                "n_points": len(inside_idx),
                "n_restricted": int(np.sum((low > full_low) | (high < full_high))),
                "low": low.copy(),
                "high": high.copy(),
            }
        )

    record(idx, low, high)
    while True:
        xs, ys = values[idx], y[idx]
        best = None
        for j, side, keep in _peel_candidates(xs, ys, peel_alpha):
            n_keep = int(keep.sum())
            if n_keep / n_total < min_support:
                continue
            mean = ys[keep].mean()
            # Friedman & Fisher: the peel leaving the largest mean (ties: the least removed)
            key = (mean, n_keep)
            if best is None or key > best[0]:
                best = (key, j, side, keep)
        if best is None or best[0][0] <= ys.mean():
            break
        _, j, side, keep = best
        idx = idx[keep]
        col = values[idx, j]
        if side == "low":
            low[j] = col.min()
        else:
            high[j] = col.max()
        record(idx, low, high)
    return traj


def _choose(traj: list[dict[str, Any]], threshold: float) -> int:
    """The box to keep: the largest (most coverage) on the trajectory whose density reaches the
    threshold; when none does, the densest."""
    dens = np.array([t["density"] for t in traj])
    ok = np.flatnonzero(dens >= threshold)
    return int(ok[0]) if ok.size else int(np.argmax(dens))


def _best_paste(values, y, active, inside, low, high, full_low, full_high, paste_alpha):
    """The paste that raises the box's density most: ``(density, j, side, new limit, inside)``,
    or None when none raises it."""
    n_in = int(inside.sum())
    current = y[inside].mean()
    within = (values >= low) & (values <= high)
    n_out = (~within).sum(axis=1)
    take = max(1, int(np.ceil(paste_alpha * n_in)))
    best = None
    for j in range(values.shape[1]):
        # draws inside the box on every input but j
        others = active & ((n_out == 0) | ((n_out == 1) & ~within[:, j]))
        col = values[:, j]
        for side in ("low", "high"):
            if (low[j] if side == "low" else high[j]) == (
                full_low[j] if side == "low" else full_high[j]
            ):
                continue
            beyond = others & ((col < low[j]) if side == "low" else (col > high[j]))
            cand = np.sort(col[beyond])
            if cand.size == 0:
                continue
            k = min(take, cand.size)
            if side == "low":
                new = cand[-k]
                trial = inside | (beyond & (col >= new))
            else:
                new = cand[k - 1]
                trial = inside | (beyond & (col <= new))
            m = y[trial].mean()
            if m > current and (best is None or m > best[0]):
                best = (m, j, side, new, trial)
    return best


def _paste(values, y, active, low, high, full_low, full_high, paste_alpha):
    """Pasting: widen a restricted side by up to ``paste_alpha`` of the box's points while that
    raises the density. Changes ``low`` and ``high`` in place; returns the draws inside."""
    inside = active & np.all((values >= low) & (values <= high), axis=1)
    if paste_alpha <= 0:
        return np.flatnonzero(inside)
    while True:
        best = _best_paste(values, y, active, inside, low, high, full_low, full_high, paste_alpha)
        if best is None:
            break
        _, j, side, new, inside = best
        if side == "low":
            low[j] = new
        else:
            high[j] = new
    return np.flatnonzero(inside)


def _one_box(
    values,
    y,
    active,
    names,
    peel_alpha,
    paste_alpha,
    min_support,
    threshold,
    n_yes_total,
    full_low,
    full_high,
    step_offset,
):
    """One PRIM box: peel, choose a box on the trajectory, paste, and measure it."""
    import pandas as pd

    traj = _peel(values, y, active, peel_alpha, min_support, n_yes_total, full_low, full_high)
    pick = _choose(traj, threshold)
    low, high = traj[pick]["low"].copy(), traj[pick]["high"].copy()
    inside_idx = _paste(values, y, active, low, high, full_low, full_high, paste_alpha)
    mask = np.zeros(len(y), dtype=bool)
    mask[inside_idx] = True
    cov, dens_box, sup = _box_stats(mask, y, n_yes_total)
    trajectory = pd.DataFrame(
        [{k: v for k, v in t.items() if k not in ("low", "high")} for t in traj]
    )
    return PrimBox(
        limits=_limits_frame(names, low, high, full_low, full_high),
        coverage=cov,
        density=dens_box,
        support=sup,
        n_points=len(inside_idx),
        trajectory=trajectory,
        step=pick + step_offset,
        step_limits=[_limits_frame(names, t["low"], t["high"], full_low, full_high) for t in traj],
    ), mask


def _check_prim_parameters(
    peel_alpha: float, paste_alpha: float, min_support: float, threshold: float, max_boxes: int
) -> None:
    if not 0 < peel_alpha < 0.5:
        raise DiscoveryError(f"peel_alpha must be in (0, 0.5), got {peel_alpha!r}")
    if not 0 <= paste_alpha < 0.5:
        raise DiscoveryError(f"paste_alpha must be in [0, 0.5), got {paste_alpha!r}")
    if not 0 < min_support <= 1:
        raise DiscoveryError(f"min_support must be in (0, 1], got {min_support!r}")
    if not 0 < threshold <= 1:
        raise DiscoveryError(f"threshold must be in (0, 1], got {threshold!r}")
    if isinstance(max_boxes, bool) or not isinstance(max_boxes, int) or max_boxes < 1:
        raise DiscoveryError(f"max_boxes must be a positive integer, got {max_boxes!r}")


def _cover(values, yb, names, peel_alpha, paste_alpha, min_support, threshold, max_boxes):
    """Covering: find a box, set its draws aside, and look again (up to ``max_boxes``)."""
    full_low, full_high = values.min(axis=0), values.max(axis=0)
    n_yes_total = int(yb.sum())
    active = np.ones(len(yb), dtype=bool)
    boxes: list[PrimBox] = []
    for _ in range(max_boxes):
        if active.sum() / len(yb) < min_support or not yb[active].any():
            break
        box, inside = _one_box(
            values,
            yb,
            active,
            names,
            peel_alpha,
            paste_alpha,
            min_support,
            threshold,
            n_yes_total,
            full_low,
            full_high,
            0,
        )
        if not box.limits["restricted"].any() or box.density <= yb[active].mean():
            break
        if boxes and box.density < threshold:  # later boxes must reach the threshold
            break
        boxes.append(box)
        active &= ~inside
    return boxes


def prim(
    X: pd.DataFrame,
    y: Any,
    peel_alpha: float = 0.05,
    threshold: float = 0.8,
    min_support: float = 0.05,
    paste_alpha: float = 0.01,
    max_boxes: int = 1,
) -> PrimResult:
    """Find boxes of the inputs where a yes/no outcome is concentrated (PRIM).

    Algorithm (Friedman & Fisher 1999):

    1. Start from the box holding every draw.
    2. Peeling: for every input, consider removing the ``peel_alpha`` share of the box's draws
       with the lowest values, or the highest (for a discrete input, all draws at its extreme
       value); make the peel that leaves the highest share of yes. Repeat until no peel raises
       that share or the box would hold fewer than ``min_support`` of all draws. Each step is a
       row of the trajectory (coverage, density, support, number of restricted inputs).
    3. Choose, along the trajectory, the first (largest) box whose density reaches
       ``threshold``; if none does, the densest.
    4. Pasting: widen the box's restricted sides again by slices of ``paste_alpha`` while that
       raises its density.
    5. Covering: with ``max_boxes > 1``, remove the box's draws and repeat on the rest.

    Parameters
    ----------
    X : DataFrame
        One numeric column per input.
    y : array of bool
        The outcome per draw.
    peel_alpha : float
        Share of the box's draws removed per peel (0.05 to 0.1 is usual: patience).
    threshold : float
        The density a chosen box should reach.
    min_support : float
        The smallest share of all draws a box may hold.
    paste_alpha : float
        Share of the box's draws added per pasting step (0 turns pasting off).
    max_boxes : int
        How many boxes to find by covering.

    Returns
    -------
    PrimResult
        ``boxes`` (each with ``limits``, ``coverage``, ``density``, ``support``, ``trajectory``),
        ``box`` (the first) and ``trajectory`` (the first box's peeling trajectory).
    """
    values, yb, names = _prepare(X, y)
    _check_prim_parameters(peel_alpha, paste_alpha, min_support, threshold, max_boxes)
    boxes = _cover(values, yb, names, peel_alpha, paste_alpha, min_support, threshold, max_boxes)
    return PrimResult(
        boxes=boxes,
        base_density=float(yb.mean()),
        n=len(yb),
        params={
            "peel_alpha": peel_alpha,
            "threshold": threshold,
            "min_support": min_support,
            "paste_alpha": paste_alpha,
            "max_boxes": max_boxes,
        },
    )
