"""Which inputs each declared outcome hangs on, read from the run's own draws (no extra model runs).

Every declared outcome is explained by a method suited to its kind, chosen from the outcome's
declared output kind (the experiment layer knows no model by name):

- **yes/no outcomes** (``indicator``): Borgonovo's moment-independent delta for a binary output,
  ``delta_i = E|P(yes | X_i) - P(yes)|``, the mean distance by which knowing input ``i`` moves the
  probability. It is estimated from the draws by cutting each input into :data:`SLICES` slices of
  equal count (or into its values, when it takes fewer) and weighting each slice's
  ``|P(yes | slice) - P(yes)|`` by its share of the draws. For a yes/no outcome this equals PAWN's
  mean Kolmogorov-Smirnov distance over the same slices (the KS distance between two Bernoulli
  distributions is the difference of their probabilities). Reported beside it: ``S1``, the
  first-order Sobol' index of the indicator from the same slices (the share of the indicator's
  variance that the slices' probabilities explain), and P(yes) in the input's lowest and highest
  slices (``low``, ``high``; their difference is the signed ``effect``).
- **quantities**: PAWN, the mean over the slices of the KS distance between the outcome's
  distribution in the slice and over all draws. Draws where the quantity is undefined (NaN, e.g. a
  price out of reach) count as its worst value: below every defined value for an outcome to
  maximise (and for one with no direction), above for one to minimise. ``effect`` is the shift of
  the outcome's mean rank (as a share of the draws) from the lowest to the highest slice.

Uncertainty is stated twice: a bootstrap over the draws gives each index a 95% half-width, and
:data:`DUMMIES` random inputs unrelated to the outcome, scored the same way, give the noise level
(the 95th percentile of their indices): an index within its half-width of the noise level is not
told apart from no effect. Given-data indices take the inputs as they were drawn, correlations
included: an input correlated with an influential one shows some of its effect. An outcome that is
the same in every draw is reported as constant, with no ranking, and never stops a run.

References
----------
Borgonovo, E. (2007). A new uncertainty importance measure. *Reliability Engineering & System
Safety* 92(6), 771-784.
Plischke, E., Borgonovo, E. & Smith, C. L. (2013). Global sensitivity measures from given data.
*European Journal of Operational Research* 226(3), 536-550.
Pianosi, F. & Wagener, T. (2018). Distribution-based sensitivity analysis from a generic
input-output sample. *Environmental Modelling & Software* 108, 197-207.
Khorashadi Zadeh, F. et al. (2017). Comparison of variance-based and moment-independent global
sensitivity analysis approaches by application to the SWAT model. *Environmental Modelling &
Software* 91, 210-222 (the dummy input as a screening threshold).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.experiment.outcomes import Outcome
from realpolitik.experiment.sorting import stable_argsort
from realpolitik.models.results import finite_or_none

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.experiment.uncertainty import Uncertainty

#: Slices of equal count each input is cut into (an input with fewer values: one per value).
SLICES = 10
#: Bootstrap resamples of the draws behind each index's 95% half-width.
BOOTSTRAP = 64
#: Random inputs unrelated to the outcome whose indices set the noise level.
DUMMIES = 20
#: Most bins a quantity's distribution is cut into (its quantiles) for the KS distances.
OUTCOME_BINS = 200
#: Most draws read back from a run for the sensitivity of its outcomes (its first ones).
SENSITIVITY_DRAWS = 100_000
#: Rows of each ranking kept in a run's summary.
RANKING_KEPT = 10
#: Normal quantile of a two-sided 95% interval.
_Z95 = 1.959964

#: The method used for each kind of outcome.
YES_NO_METHOD = "delta"
QUANTITY_METHOD = "pawn"


@dataclass(frozen=True)
class OutcomeSensitivity:
    """Which inputs one declared outcome hangs on, from the draws.

    ``status`` is ``"ranked"`` or ``"constant"`` (the same in every draw: no ranking). ``mean``
    is P(yes) for a yes/no outcome and the mean over the defined draws for a quantity, with
    ``mean_se`` its Monte Carlo standard error. ``table`` has one row per input, ranked by
    ``index``: ``rank``, ``path``, ``label``, ``claims``, ``index``, ``index_conf`` (bootstrap
    95% half-width), ``above_noise``, ``effect``, ``slices`` (how many the input was cut into), and for yes/no outcomes ``S1``, ``low`` and
    ``high`` (P(yes) in the input's lowest and highest slices).
    """

    outcome: Outcome
    method: str
    status: str
    draws: int
    mean: float
    mean_se: float
    n_yes: int | None
    undefined: int
    noise: float
    table: Any  # pandas DataFrame, ranked (empty when constant)

    def records(self, top: int | None = RANKING_KEPT) -> list[dict[str, Any]]:
        """JSON-ready rows of the ranking (the first ``top``; all with ``None``)."""
        table = self.table if top is None else self.table.head(top)
        numeric = [
            c for c in ("index", "index_conf", "effect", "S1", "low", "high") if c in table.columns
        ]
        return [
            {
                "rank": int(r["rank"]),
                "path": r["path"],
                "claims": list(r["claims"]),
                **{c: finite_or_none(float(r[c])) for c in numeric},
                "above_noise": bool(r["above_noise"]),
                "label": r["label"],
            }
            for _, r in table.iterrows()
        ]

    @property
    def above_noise(self) -> int:
        """How many inputs have an index told apart from the noise level."""
        return 0 if self.table.empty else int(self.table["above_noise"].sum())

    def to_summary(self) -> dict[str, Any]:
        """JSON-ready: the outcome, its kind, the method, the uncertainty and the ranking."""
        return {
            "outcome": self.outcome.name,
            "description": self.outcome.description,
            "kind": self.outcome.output.kind,
            "unit": self.outcome.output.unit,
            "direction": self.outcome.direction,
            "method": self.method,
            "status": self.status,
            "draws": self.draws,
            "mean": finite_or_none(self.mean),
            "mean_se": finite_or_none(self.mean_se),
            "n_yes": self.n_yes,
            "undefined": self.undefined,
            "slices": SLICES,
            "bootstrap": BOOTSTRAP,
            "noise": finite_or_none(self.noise),
            "inputs_above_noise": self.above_noise,
            "ranking": self.records(),
        }


def input_slices(x: np.ndarray, slices: int = SLICES) -> np.ndarray:
    """The slice of each draw along one input: its value's index when the input takes at most
    ``slices`` values, else ``floor(rank * slices / n)`` (equal counts; ties by draw order).

    >>> input_slices(np.array([0.3, 0.1, 0.2, 0.4]), 2).tolist()
    [1, 0, 0, 1]
    >>> input_slices(np.array([5.0, 1.0, 5.0]), 10).tolist()
    [1, 0, 1]
    """
    n = x.size
    order = stable_argsort(x)  # one sort: it counts the values and ranks the draws
    ordered = x[order]
    if n and np.isnan(ordered[-1]):  # NaNs count as one value, as np.unique counts them
        distinct = np.unique(x).size
    else:
        distinct = int(np.count_nonzero(ordered[1:] != ordered[:-1])) + min(n, 1)
    if distinct <= slices:
        return np.searchsorted(np.unique(x), x).astype(np.int64)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank * slices // n


def all_input_slices(X: np.ndarray) -> np.ndarray:
    """:func:`input_slices` of every column of ``X``: shape (inputs, draws)."""
    if X.shape[1] == 0:
        return np.zeros((0, X.shape[0]), dtype=np.int64)
    columns = np.asfortranarray(X)  # each input's draws side by side in memory
    return np.stack([input_slices(columns[:, j]) for j in range(X.shape[1])])


def outcome_bins(y: np.ndarray, indicator: bool, direction: str = "none") -> np.ndarray:
    """Each draw's bin of the outcome, in increasing order: 0/1 for a yes/no outcome; for a
    quantity, its quantile bin (at most :data:`OUTCOME_BINS`), undefined draws (NaN) in a bin of
    their own below every defined value (above, for an outcome to minimise).

    >>> outcome_bins(np.array([0.0, 1.0, 1.0]), True).tolist()
    [0, 1, 1]
    >>> outcome_bins(np.array([2.0, np.nan, 1.0]), False, "maximize").tolist()
    [2, 0, 1]
    """
    if indicator:
        return (y > 0.5).astype(np.int64)
    defined = ~np.isnan(y)
    codes = np.zeros(y.size, dtype=np.int64)
    if defined.any():
        finite = y[np.isfinite(y)]  # an infinite value sorts beyond every edge
        quantiles = (
            np.quantile(finite, np.linspace(0.0, 1.0, OUTCOME_BINS + 1)) if finite.size else []
        )
        edges = np.concatenate([[-np.inf], np.unique(quantiles)])
        # equal values share a bin; numbering the bins that hold draws keeps them consecutive
        found = np.searchsorted(edges, y[defined], side="left")
        codes[defined] = np.unique(found, return_inverse=True)[1].ravel()
    if not defined.all():
        if direction == "minimize":
            codes[~defined] = codes[defined].max() + 1 if defined.any() else 0
        else:
            codes[defined] += 1
    return codes


def _cells(slices: np.ndarray, bins: np.ndarray, n_bins: int) -> np.ndarray:
    """Each (input, draw)'s cell of the (input, slice, outcome bin) table, as a flat index."""
    k = slices.shape[0]
    return (np.arange(k)[:, None] * SLICES + slices) * n_bins + bins[None, :]


def _counts(slices: np.ndarray, bins: np.ndarray, n_bins: int) -> np.ndarray:
    """Draw counts by input, slice and outcome bin: shape (inputs, SLICES, bins)."""
    k = slices.shape[0]
    counts = np.bincount(_cells(slices, bins, n_bins).ravel(), minlength=k * SLICES * n_bins)
    return counts.reshape(k, SLICES, n_bins).astype(float)


#: Most draws whose membership table (input slices x draws) a bootstrap step builds at once.
_BOOTSTRAP_CHUNK = 2048


def _resample_picks(n: int, rng: np.random.Generator) -> np.ndarray:
    """How often each draw is picked by each of :data:`BOOTSTRAP` resamples: shape (draws,
    resamples), float32 (small whole numbers, so every sum of them below 2**24 is exact)."""
    return np.stack(
        [np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(BOOTSTRAP)], axis=1
    ).astype(np.float32)


def _picked_counts(member_rows: np.ndarray, picks: np.ndarray, n_rows: int) -> np.ndarray:
    """Draws picked per (input slice, resample), shape (``n_rows``, resamples): ``member_rows``
    (inputs x draws) gives each draw's row for each input, ``picks`` (draws x resamples) how
    often each resample picks it. A sparse 0/1 membership matrix (one entry per input in each
    draw's column) times ``picks``: SciPy's own loops, which for these many small products cost
    less than BLAS, single-threaded or not."""
    import scipy.sparse

    k, m = member_rows.shape
    member = scipy.sparse.csc_matrix(
        (np.ones(k * m, dtype=np.float32), member_rows.T.ravel(), np.arange(0, k * m + 1, k)),
        shape=(n_rows, m),
    )
    return np.asarray(member @ picks)


def _bootstrap_half_widths(
    slices: np.ndarray, bins: np.ndarray, n_bins: int, rng: np.random.Generator
) -> np.ndarray:
    """95% half-widths of every input's index from :data:`BOOTSTRAP` resamples of the draws.

    A resample is a vector of how often each draw is picked (the slices staying those of the
    draws). The KS distances of :func:`slice_distances` are taken bin by bin of the outcome,
    with a running maximum: the draws of one bin (in chunks) give, through one sparse product
    of their slice memberships (input slices x draws) and their picks (draws x resamples),
    that bin's counts for every input, slice and resample; they are added to the cumulative
    counts and the distance at that bin is folded into the maximum. Every count is a whole
    number summed exactly, and each distance is the same division and subtraction as in
    :func:`slice_distances`, so the half-widths are the same to the last bit as building the
    whole (resample, input, slice, bin) table; only the memory and the time are smaller.
    """
    k, n = slices.shape
    picks = _resample_picks(n, rng)
    rows = np.arange(k)[:, None] * SLICES  # each input's first row of the membership table
    order = np.argsort(bins, kind="stable")
    ends = np.searchsorted(bins[order], np.arange(1, n_bins + 1))
    per_bin = []
    for start, end in zip(np.concatenate([[0], ends[:-1]]), ends, strict=True):
        table = np.zeros((k * SLICES, BOOTSTRAP), dtype=np.float32)
        for lo in range(int(start), int(end), _BOOTSTRAP_CHUNK):
            chosen = order[lo : min(lo + _BOOTSTRAP_CHUNK, int(end))]
            table += _picked_counts(rows + slices[:, chosen], picks[chosen], k * SLICES)
        per_bin.append(table)
    return _Z95 * _running_distances(per_bin, k).std(axis=0, ddof=1)


def _running_distances(per_bin: Sequence[np.ndarray], k: int) -> np.ndarray:
    """:func:`slice_distances` of every resample from its counts bin by bin (each of shape
    (input slices, resamples), in the outcome's order): shape (resamples, inputs)."""
    n_s = np.zeros(per_bin[0].shape)  # draws per (input slice, resample)
    for counts in per_bin:
        n_s += counts
    n = n_s[:SLICES].sum(axis=0)  # draws per resample (those of input 0's slices)
    cumulative = np.zeros_like(n_s)
    whole = np.zeros_like(n)
    ks = np.full_like(n_s, -np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        for counts in per_bin:
            cumulative += counts
            whole += counts[:SLICES].sum(axis=0)
            np.fmax(ks, np.abs(cumulative / n_s - whole / n), out=ks)
    ks[n_s == 0] = 0.0  # an empty slice: no distribution, no distance (as nan_to_num there)
    # Views (resample, input, slice) of the (input slice, resample) arrays: their memory order is
    # the one the whole table's reductions see, so that the sums over the slices and over the
    # resamples add the same numbers in the same order.
    ks3 = ks.reshape(k, SLICES, -1).transpose(2, 0, 1)
    n_s3 = n_s.reshape(k, SLICES, -1).transpose(2, 0, 1)
    return np.asfortranarray((ks3 * n_s3).sum(axis=-1) / n_s3.sum(axis=-1))


def slice_distances(counts: np.ndarray) -> np.ndarray:
    """PAWN's index per input from counts by (input, slice, outcome bin): the KS distance between
    each slice's distribution and the whole sample's, averaged with the slices' shares of the
    draws. For two bins (a yes/no outcome) it is ``sum_s (n_s / n) |p_s - p|``. Leading axes
    (e.g. resamples) are kept.

    >>> c = np.array([[[3.0, 1.0], [1.0, 3.0]]])  # P(yes) 0.25 and 0.75 in two halves
    >>> slice_distances(c).tolist()
    [0.25]
    """
    n_s = counts.sum(axis=-1)
    n = n_s.sum(axis=-1)
    whole = np.cumsum(counts.sum(axis=-2), axis=-1) / n[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        within = np.cumsum(counts, axis=-1) / n_s[..., None]
    ks = np.nan_to_num(np.abs(within - whole[..., None, :]).max(axis=-1))
    return (ks * n_s).sum(axis=-1) / n


def _sobol_first(counts: np.ndarray) -> np.ndarray:
    """First-order Sobol' index of a yes/no outcome from the slices' probabilities."""
    n_s = counts.sum(axis=2)
    n = n_s.sum(axis=1)
    p = counts[:, :, 1].sum(axis=1) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        p_s = np.where(n_s > 0, counts[:, :, 1] / n_s, 0.0)
        between = (n_s * (p_s - p[:, None]) ** 2).sum(axis=1) / n
        return np.where(p * (1 - p) > 0, between / (p * (1 - p)), 0.0)


def _edge_effects(counts: np.ndarray, indicator: bool) -> tuple[np.ndarray, ...]:
    """``(low, high)``: P(yes) (or the mean rank of the outcome, as a share of the draws) in each
    input's lowest and highest non-empty slice."""
    n_s = counts.sum(axis=2)
    if indicator:
        value = counts[:, :, 1]
    else:
        total = counts.sum(axis=1)
        before = np.cumsum(total, axis=1) - total
        mid_rank = (before + total / 2.0) / total.sum(axis=1, keepdims=True)
        value = (counts * mid_rank[:, None, :]).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = value / n_s
    filled = n_s > 0
    first = filled.argmax(axis=1)
    last = SLICES - 1 - filled[:, ::-1].argmax(axis=1)
    rows = np.arange(counts.shape[0])
    return share[rows, first], share[rows, last]


def outcome_sensitivity(
    X: np.ndarray,
    y: np.ndarray,
    outcome: Outcome,
    uncertainties: Sequence[Uncertainty],
    seed: int = 0,
    slices: np.ndarray | None = None,
) -> OutcomeSensitivity:
    """Rank the inputs (columns of ``X``, one per uncertainty) by their effect on ``outcome``
    (its value per draw ``y``), with the method of its kind; see the module's notes.

    ``seed`` seeds the bootstrap and the dummy inputs (0 is a seed). ``slices``: the inputs'
    slices (:func:`all_input_slices` of ``X``), when already cut. A constant outcome gives a
    finding with ``status == "constant"`` and an empty table.
    """
    import pandas as pd

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    indicator = outcome.is_indicator
    n = y.size
    defined = ~np.isnan(y)
    undefined = int(n - defined.sum())
    with np.errstate(invalid="ignore", over="ignore"):  # an infinite value: no finite moments
        mean = float(y[defined].mean()) if defined.any() else float("nan")
        spread = float(y[defined].std(ddof=1)) if defined.sum() > 1 else float("nan")
    mean_se = (
        float(np.sqrt(mean * (1 - mean) / n))
        if indicator and n
        else spread / float(np.sqrt(max(defined.sum(), 1)))
    )
    bins = outcome_bins(y, indicator, outcome.direction)
    n_bins = int(bins.max()) + 1 if n else 1
    common: dict[str, Any] = {
        "outcome": outcome,
        "method": YES_NO_METHOD if indicator else QUANTITY_METHOD,
        "draws": n,
        "mean": mean,
        "mean_se": mean_se,
        "n_yes": int((y > 0.5).sum()) if indicator else None,
        "undefined": undefined,
    }
    if n == 0 or np.unique(bins).size < 2:
        return OutcomeSensitivity(status="constant", noise=0.0, table=pd.DataFrame(), **common)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 7]))
    if slices is None:
        slices = all_input_slices(X)
    dummies = rng.permuted(np.tile(np.arange(n) * SLICES // n, (DUMMIES, 1)), axis=1)
    counts = _counts(np.concatenate([slices, dummies]), bins, n_bins)
    index = slice_distances(counts)
    noise = float(np.quantile(index[-DUMMIES:], 0.95))
    index = index[:-DUMMIES]
    conf = _bootstrap_half_widths(slices, bins, n_bins, rng)
    low, high = _edge_effects(counts[:-DUMMIES], indicator)
    columns: dict[str, Any] = {
        "index": index,
        "index_conf": conf,
        "above_noise": index - conf > noise,
        "effect": high - low,
        "slices": slices.max(axis=1) + 1,
    }
    if indicator:
        columns.update(S1=_sobol_first(counts[:-DUMMIES]), low=low, high=high)
    table = _ranked(uncertainties, columns)
    return OutcomeSensitivity(status="ranked", noise=noise, table=table, **common)


def _ranked(uncertainties: Sequence[Uncertainty], columns: Mapping[str, Any]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "path": [u.path for u in uncertainties],
            "label": [u.label or u.path for u in uncertainties],
            "claims": [tuple(u.claims) for u in uncertainties],
            **dict(columns),
        }
    )
    frame = frame.sort_values("index", ascending=False, kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


def outcome_sensitivities(
    frame: pd.DataFrame,
    outcomes: Sequence[Outcome],
    uncertainties: Sequence[Uncertainty],
    seed: int = 0,
) -> tuple[OutcomeSensitivity, ...]:
    """The sensitivity of every outcome in ``outcomes`` from the draws in ``frame`` (the inputs
    by key path and the outcomes by column), in the order declared."""
    X = frame[[u.path for u in uncertainties]].to_numpy(dtype=float)
    slices = all_input_slices(X)
    ys = [frame[o.column].to_numpy(dtype=float) for o in outcomes]

    def one(k: int) -> OutcomeSensitivity:
        return outcome_sensitivity(X, ys[k], outcomes[k], uncertainties, seed, slices)

    threads = min(len(outcomes), _usable_cpus())
    if threads < 2:
        return tuple(one(k) for k in range(len(outcomes)))
    # Each outcome's ranking is independent and seeded alone, and its heavy steps are NumPy's
    # (which let other threads run): the outcomes are ranked side by side, results unchanged.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads, thread_name_prefix="realpolitik-sensitivity") as pool:
        return tuple(pool.map(one, range(len(outcomes))))


def _usable_cpus() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_sensitivities(
    run: Any,
    outcomes: Sequence[Outcome],
    uncertainties: Sequence[Uncertainty],
    seed: int = 0,
    draws: pd.DataFrame | None = None,
) -> tuple[OutcomeSensitivity, ...]:
    """:func:`outcome_sensitivities` over a run's first :data:`SENSITIVITY_DRAWS` draws (a random
    sample of the run). ``run`` is a :class:`~realpolitik.experiment.run.RunResult`; ``draws``,
    its draws already in memory (row ``i`` holding draw ``i``), read from there instead."""
    if draws is not None:
        frame = draws.iloc[:SENSITIVITY_DRAWS]
    else:
        frame = run.query(f"SELECT * FROM draws WHERE draw < {SENSITIVITY_DRAWS} ORDER BY draw")
    return outcome_sensitivities(frame, outcomes, uncertainties, seed)
