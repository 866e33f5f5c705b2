"""Stakeholder bargaining models: KTAB's spatial model of politics (SMP) and Bueno de Mesquita's
expected-utility model (BDM), plus :func:`bargain_outcome`, the helper the realignment model calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from realpolitik.errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from numpy.typing import ArrayLike

    from realpolitik.models.bargaining.bdm import (
        BDMBatchResult,
        BDMOptions,
        BDMResult,
        compare_variants,
        run_bdm,
        run_bdm_batch,
    )
    from realpolitik.models.bargaining.smp import (
        SMPOptions,
        SMPResult,
        run_smp,
        run_smp_scenario,
    )
    from realpolitik.rng import RNGLike

#: Where each re-exported name lives: a model's module is imported when one of its names is first
#: used, so running the SMP does not load the BDM (and the reverse).
_HOMES = {
    "BDMBatchResult": "bdm",
    "BDMOptions": "bdm",
    "BDMResult": "bdm",
    "compare_variants": "bdm",
    "run_bdm": "bdm",
    "run_bdm_batch": "bdm",
    "SMPOptions": "smp",
    "SMPResult": "smp",
    "run_smp": "smp",
    "run_smp_scenario": "smp",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


@dataclass(frozen=True)
class BargainOutcome:
    """Outcome of bargaining among factions on one orientation dimension [lo, hi].

    ``outcome`` is the capability×salience weighted mean of the final positions (of the first
    draw when a batch was given), ``median`` the weighted median; ``outcomes`` holds one outcome
    per draw, ``spread`` their standard deviation (0 for a single draw); ``converged`` and
    ``oscillating`` are per draw.
    """

    model: str
    outcome: float
    median: float
    outcomes: np.ndarray
    spread: float
    converged: np.ndarray
    oscillating: np.ndarray


def _draw_arrays(
    capabilities: ArrayLike, positions: ArrayLike, saliences: ArrayLike, lo: float, hi: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three inputs of :func:`bargain_outcome` as (draws, n) arrays, checked."""
    import numpy as np

    c = np.atleast_2d(np.asarray(capabilities, float))
    x = np.atleast_2d(np.asarray(positions, float))
    s = np.atleast_2d(np.asarray(saliences, float))
    if not (c.shape == x.shape == s.shape):
        raise ModelError(f"shapes disagree: {c.shape}, {x.shape}, {s.shape}")
    if not hi > lo:
        raise ModelError(f"need hi > lo, got lo={lo}, hi={hi}")
    if np.any(x < lo) or np.any(x > hi):
        raise ModelError(f"positions must lie on [{lo}, {hi}]")
    return c, x, s


def bargain_outcome(
    capabilities: ArrayLike,
    positions: ArrayLike,
    saliences: ArrayLike,
    lo: float = 0.0,
    hi: float = 1.0,
    model: Literal["smp", "bdm"] = "bdm",
    options: SMPOptions | BDMOptions | None = None,
    rng: RNGLike = None,
) -> BargainOutcome:
    """Run a bargaining model over factions on one dimension and return the outcome position.

    Parameters
    ----------
    capabilities, positions, saliences : arrays (n,) or (draws, n)
        Faction capabilities (> 0), positions on [lo, hi] and saliences in [0, 1]. With 2-D
        arrays every row is one draw and the spread of outcomes over draws is reported.
    lo, hi : float
        The orientation dimension's range.
    model : "bdm" or "smp"
        BDM runs all draws at once (:func:`run_bdm_batch`); the SMP runs draw by draw, positions
        mapped to 0–100 and saliences to percent.
    options : BDMOptions or SMPOptions
    rng
        Only used by the SMP with stochastic transitions (one child seed per draw).
    """
    import numpy as np

    c, x, s = _draw_arrays(capabilities, positions, saliences, lo, hi)
    w = c * s
    from realpolitik.models.bargaining.bdm import BDMOptions, run_bdm_batch
    from realpolitik.models.bargaining.smp import SMPOptions, run_smp

    if model == "bdm":
        opt = options if isinstance(options, BDMOptions) else BDMOptions()
        res = run_bdm_batch(c, x, s, lo, hi, opt)
        final = res.positions[:, -1, :]
        conv, osc = res.converged, res.oscillating
    elif model == "smp":
        opt_s = options if isinstance(options, SMPOptions) else SMPOptions()
        from realpolitik.rng import as_generator

        seeds = np.random.SeedSequence(as_generator(rng).integers(2**63)).spawn(x.shape[0])
        finals, conv_l = [], []
        for d in range(x.shape[0]):
            r = run_smp(
                c[d],
                100.0 * (x[d, :, None] - lo) / (hi - lo),
                100.0 * s[d, :, None],
                opt_s,
                rng=seeds[d],
                record_probabilities=False,
            )
            finals.append(lo + (hi - lo) * r.final_positions[:, 0] / 100.0)
            conv_l.append(r.converged)
        final = np.array(finals)
        conv = np.array(conv_l)
        osc = np.zeros_like(conv)
    else:
        raise ModelError(f"unknown bargaining model {model!r}; expected 'bdm' or 'smp'")
    from realpolitik.models.bargaining._common import weighted_median

    outcomes = (final * w).sum(axis=1) / w.sum(axis=1)
    med = weighted_median(final, w)
    return BargainOutcome(
        model=model,
        outcome=float(outcomes[0]),
        median=float(med[0]),
        outcomes=outcomes,
        spread=float(outcomes.std()) if outcomes.size > 1 else 0.0,
        converged=np.asarray(conv, bool),
        oscillating=np.asarray(osc, bool),
    )


__all__ = [
    "BDMBatchResult",
    "BDMOptions",
    "BDMResult",
    "BargainOutcome",
    "SMPOptions",
    "SMPResult",
    "bargain_outcome",
    "compare_variants",
    "run_bdm",
    "run_bdm_batch",
    "run_smp",
    "run_smp_scenario",
]
