"""Global sensitivity: which uncertain inputs an outcome hangs on (SALib).

Both methods work in the unit cube: SALib designs points in ``[0, 1]^d`` and every input maps
its column through its own inverse CDF, so any distribution of the scenario format can be
analysed, and Morris effects are comparable across inputs with different units (an effect is
the change of the outcome per unit of an input's *quantile*). Variance-based indices assume
independent inputs: correlations in the spec are not applied here.

References
----------
Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and their
Monte Carlo estimates. *Mathematics and Computers in Simulation* 55, 271-280.
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Design and
estimator for the total sensitivity index. *Computer Physics Communications* 181, 259-270.
Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
*Technometrics* 33(2), 161-174.
Campolongo, F., Cariboni, J. & Saltelli, A. (2007). An effective screening design for
sensitivity analysis of large models. *Environmental Modelling & Software* 22, 1509-1518.
Herman, J. & Usher, W. (2017). SALib: an open-source Python library for sensitivity analysis.
*Journal of Open Source Software* 2(9), 97.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.experiment.run import DEFAULT_BATCH_SIZE, ExperimentError, evaluate_design
from realpolitik.experiment.uncertainty import ExperimentSpec

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.experiment.executors import Executor

__all__ = ["SobolDesign", "morris", "sobol_analysis", "sobol_design", "sobol_indices"]


def _salib():
    try:
        import SALib  # noqa: F401
    except ImportError as exc:  # pragma: no cover - extra not installed
        raise ExperimentError(
            "sensitivity analysis needs SALib: pip install 'realpolitik[sensitivity]'"
        ) from exc


def _problem(spec: ExperimentSpec, low: float = 0.0, high: float = 1.0) -> dict:
    return {
        "num_vars": spec.dimension,
        "names": [f"x{j}" for j in range(spec.dimension)],  # paths may contain any character
        "bounds": [[low, high]] * spec.dimension,
    }


def _outcome(outputs: dict[str, np.ndarray], outcome: str) -> np.ndarray:
    if outcome not in outputs:
        raise ExperimentError(
            f"the model has no outcome {outcome!r}; it returns {', '.join(sorted(outputs))}"
        )
    y = np.asarray(outputs[outcome], dtype=float)
    if not np.all(np.isfinite(y)):
        raise ExperimentError(f"outcome {outcome!r} is not finite for every design point")
    return y


def _frame(spec: ExperimentSpec, columns: dict[str, np.ndarray], rank_by: str):
    import pandas as pd

    frame = pd.DataFrame(
        {
            "path": spec.paths,
            "label": [u.label or u.path for u in spec.uncertainties],
            "claims": [tuple(u.claims) for u in spec.uncertainties],
            **{k: np.asarray(v, dtype=float) for k, v in columns.items()},
        }
    )
    frame = frame.sort_values(rank_by, ascending=False, kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


def _saltelli_design(problem: dict[str, Any], n_base: int, rng: np.random.Generator) -> np.ndarray:
    """Saltelli's scheme on a scrambled Sobol' sequence: ``n_base * (d + 2)`` points of the unit
    cube, the design of SALib's ``sobol.sample`` without second-order rows, value for value.

    The ``2d``-dimensional sequence's first ``d`` columns are the matrix A and the last ``d`` the
    matrix B; each base point gives the row of A, then ``d`` rows of A whose column ``i`` is
    taken from B, then the row of B. Built with array operations (SALib loops over every
    element). SciPy's warning about a sample size that is not a power of two is silenced; with a
    power of two no warning arises and the warning filters, which are global, are left alone
    (so that a thread may make a design while another thread runs).
    """
    from SALib.util import scale_samples
    from scipy.stats import qmc

    d = problem["num_vars"]
    sequence = qmc.Sobol(d=2 * d, scramble=True, seed=rng)
    if n_base > 1 and n_base & (n_base - 1) == 0:
        base = sequence.random(n_base)
    else:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*balance properties.*")
            base = sequence.random(n_base)
    a, b = base[:, :d], base[:, d:]
    rows = np.repeat(a[:, None, :], d + 2, axis=1)  # (point, row of the block, input)
    inputs = np.arange(d)
    rows[:, 1 + inputs, inputs] = b
    rows[:, d + 1, :] = b
    return scale_samples(rows.reshape(n_base * (d + 2), d), problem)


def sobol_indices(
    spec: ExperimentSpec,
    outcome: str,
    n_base: int = 1024,
    seed: int = 0,
    num_resamples: int = 200,
    conf_level: float = 0.95,
    batch_size: int = DEFAULT_BATCH_SIZE,
    executor: str | Executor = "serial",
    workers: int | None = None,
    cluster_address: str | None = None,
) -> pd.DataFrame:
    """First-order and total Sobol' indices of ``outcome`` for every uncertain input.

    Algorithm: Saltelli's scheme on a scrambled Sobol' sequence gives ``n_base * (d + 2)`` points
    in the unit cube (matrices A, B and the d matrices A with column i from B); each input maps
    its column through its inverse CDF; the model is evaluated in batches; SALib's estimators
    (Saltelli 2010 for S1, Jansen for ST) give the indices, with bootstrap confidence intervals.

    Parameters
    ----------
    spec : ExperimentSpec
    outcome : str
        A numeric (or yes/no) outcome of ``spec.model``.
    n_base : int
        Base sample size N (a power of two); the model runs ``N (d + 2)`` times.
    seed : int
        Seeds the design's scrambling, the bootstrap and the model's own randomness.
    num_resamples, conf_level :
        Bootstrap resamples and level of the confidence intervals.
    batch_size, executor, workers, cluster_address :
        As in :func:`~realpolitik.experiment.run.run_experiment`.

    Returns
    -------
    DataFrame
        One row per input, ranked by ``ST``: ``rank``, ``path``, ``label``, ``claims``, ``S1``,
        ``S1_conf``, ``ST``, ``ST_conf`` (``*_conf``: half-width of the confidence interval).
        ``attrs`` holds ``outcome``, ``n_base``, ``evaluations``, ``seed`` and ``variance``.
    """
    design = sobol_design(spec, n_base, seed)
    _, outputs = evaluate_design(
        spec, design.unit, design.model_seed, batch_size, executor, workers, cluster_address
    )
    return sobol_analysis(spec, design, outcome, outputs, num_resamples, conf_level)


@dataclass(frozen=True)
class SobolDesign:
    """The points of a Sobol' analysis (Saltelli's scheme, unit cube) and its other streams:
    the model's seed and the bootstrap's generator, derived from the analysis' seed."""

    n_base: int
    seed: int
    unit: np.ndarray
    model_seed: int
    bootstrap: np.random.Generator


def sobol_design(spec: ExperimentSpec, n_base: int, seed: int = 0) -> SobolDesign:
    """The design of :func:`sobol_indices` (no model runs): evaluate its ``unit`` points with
    :func:`~realpolitik.experiment.run.evaluate_design` at ``model_seed``, then analyse the
    outputs with :func:`sobol_analysis`."""
    _salib()
    if isinstance(n_base, bool) or not isinstance(n_base, int) or n_base < 2:
        raise ExperimentError(f"n_base must be an integer >= 2, got {n_base!r}")
    root = np.random.SeedSequence(int(seed))
    s_design, s_model, s_boot = (np.random.default_rng(c) for c in root.spawn(3))
    unit = _saltelli_design(_problem(spec), n_base, s_design)
    return SobolDesign(n_base, int(seed), unit, int(s_model.integers(2**63)), s_boot)


def sobol_analysis(
    spec: ExperimentSpec,
    design: SobolDesign,
    outcome: str,
    outputs: dict[str, np.ndarray],
    num_resamples: int = 200,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """The indices of :func:`sobol_indices` from the model's ``outputs`` on ``design``."""
    from SALib.analyze import sobol as sobol_analyze

    y = _outcome(outputs, outcome)
    if np.var(y) == 0:
        raise ExperimentError(f"outcome {outcome!r} does not vary: no variance to apportion")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        res = sobol_analyze.analyze(
            _problem(spec),
            y,
            calc_second_order=False,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=design.bootstrap,
        )
    frame = _frame(
        spec,
        {"S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"]},
        "ST",
    )
    frame.attrs.update(
        outcome=outcome,
        n_base=design.n_base,
        evaluations=len(y),
        seed=design.seed,
        variance=float(np.var(y)),
        method="sobol",
    )
    return frame


def morris(
    spec: ExperimentSpec,
    outcome: str,
    trajectories: int = 50,
    num_levels: int = 4,
    seed: int = 0,
    quantile_range: tuple[float, float] = (0.005, 0.995),
    num_resamples: int = 200,
    conf_level: float = 0.95,
    batch_size: int = DEFAULT_BATCH_SIZE,
    executor: str | Executor = "serial",
    workers: int | None = None,
    cluster_address: str | None = None,
) -> pd.DataFrame:
    """Morris elementary-effects screening of ``outcome``: cheap, for many inputs.

    Algorithm: ``trajectories`` one-at-a-time paths through a ``num_levels`` grid over each
    input's quantiles ``quantile_range`` (so unbounded distributions stay finite); each step
    changes one input by Delta and records the outcome's change divided by Delta. Per input:
    ``mu`` (mean effect), ``mu_star`` (mean absolute effect: importance), ``sigma`` (spread:
    non-linearity or interactions) and a bootstrap interval on ``mu_star``.

    Returns
    -------
    DataFrame
        One row per input ranked by ``mu_star``: ``rank``, ``path``, ``label``, ``claims``, ``mu``,
        ``mu_star``, ``sigma``, ``mu_star_conf``. Effects are per unit of quantile.
    """
    _salib()
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    if isinstance(trajectories, bool) or not isinstance(trajectories, int) or trajectories < 2:
        raise ExperimentError(f"trajectories must be an integer >= 2, got {trajectories!r}")
    lo, hi = quantile_range
    if not 0.0 <= lo < hi <= 1.0:
        raise ExperimentError(
            f"quantile_range must satisfy 0 <= low < high <= 1, got {quantile_range}"
        )
    problem = _problem(spec, lo, hi)
    root = np.random.SeedSequence(int(seed))
    s_design, s_model, s_boot = (np.random.default_rng(c) for c in root.spawn(3))
    unit = morris_sample.sample(
        problem, trajectories, num_levels=num_levels, seed=int(s_design.integers(2**31))
    )
    _, outputs = evaluate_design(
        spec, unit, int(s_model.integers(2**63)), batch_size, executor, workers, cluster_address
    )
    y = _outcome(outputs, outcome)
    res = morris_analyze.analyze(
        problem,
        unit,
        y,
        num_resamples=num_resamples,
        conf_level=conf_level,
        num_levels=num_levels,
        seed=int(s_boot.integers(2**31)),
    )
    # SALib reports effects per unit of the design's scale (here: quantiles within the range)
    frame = _frame(
        spec,
        {
            "mu": res["mu"],
            "mu_star": res["mu_star"],
            "sigma": res["sigma"],
            "mu_star_conf": res["mu_star_conf"],
        },
        "mu_star",
    )
    frame.attrs.update(
        outcome=outcome,
        trajectories=trajectories,
        evaluations=len(y),
        seed=int(seed),
        method="morris",
    )
    return frame
