"""Uncertainties: distributions over scenario numbers, their correlation, and samplers.

A :class:`Distribution` is built from the ``dist:`` mapping of the scenario format with
:func:`distribution_from_spec`. Every distribution has an inverse CDF, :meth:`Distribution.ppf`,
so every sampler works the same way: it produces points in the unit cube, an optional Gaussian
copula correlates them, and each column is mapped through its input's ``ppf``.

Samplers (see :func:`unit_design`):

``"mc"``
    plain Monte Carlo: independent uniforms from the batch's own generator.
``"lhs"``
    Latin hypercube over the *whole run*: for input ``j`` draw ``i`` falls in stratum
    ``perm_j(i)`` of ``draws`` equal strata, where ``perm_j`` is a keyed pseudo-random bijection
    of ``0..draws-1`` (a Feistel network with cycle walking) keyed from the root seed. Any batch
    can therefore be computed alone, in any process, without holding the design in memory; the
    position inside the stratum comes from the batch's generator.
``"sobol"``
    scrambled Sobol' points (LMS + digital shift, :class:`scipy.stats.qmc.Sobol`) whose scrambling
    is keyed from the root seed; batch ``b`` fast-forwards the sequence to its first draw. The whole
    run is one scrambled Sobol' sequence; use a power of two for ``draws``.

References
----------
Iman, R. L. & Conover, W. J. (1982). A distribution-free approach to inducing rank correlation
among input variables. *Communications in Statistics - Simulation and Computation* 11(3), 311-334.
McKay, M. D., Beckman, R. J. & Conover, W. J. (1979). A comparison of three methods for selecting
values of input variables in the analysis of output from a computer code. *Technometrics* 21(2).
Owen, A. B. (1998). Scrambling Sobol' and Niederreiter-Xing points. *Journal of Complexity* 14(4).
Vose, D. (2008). *Risk Analysis: A Quantitative Guide*, 3rd ed., Wiley (the PERT distribution).
Black, J. & Rogaway, P. (2002). Ciphers with arbitrary finite domains. *CT-RSA 2002*, LNCS 2271
(cycle walking).
"""

from __future__ import annotations

import functools
import math
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Any, ClassVar, Protocol, cast, runtime_checkable

import numpy as np
from scipy import special

from realpolitik.kernel_choice import choice as kernel_choice
from realpolitik.scenario.distributions import DistributionError, check_distribution

__all__ = [
    "Beta",
    "Choice",
    "Distribution",
    "DistributionError",
    "ExperimentSpec",
    "LogNormal",
    "Model",
    "Normal",
    "Pert",
    "SAMPLERS",
    "Triangular",
    "TruncNormal",
    "Uncertainty",
    "Uniform",
    "correlation_matrix",
    "distribution_from_spec",
    "unit_design",
]

SAMPLERS = ("mc", "lhs", "sobol")

# Uniforms are kept inside the open unit interval so that unbounded inverse CDFs stay finite.
_U_MIN = 2.0**-53
_U_MAX = 1.0 - 2.0**-53


def _clip_unit(u: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(u, dtype=float), _U_MIN, _U_MAX)


@dataclass(frozen=True)
class Distribution:
    """Base class: a univariate distribution with an inverse CDF.

    Subclasses are frozen dataclasses whose fields are the parameters of the scenario format.
    """

    kind: ClassVar[str] = ""

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF: the values at probabilities ``u`` (an array in [0, 1])."""
        raise NotImplementedError

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def var(self) -> float:
        raise NotImplementedError

    @property
    def support(self) -> tuple[float, float]:
        """Smallest and largest possible values (may be infinite)."""
        return float(self.ppf(np.array([0.0]))[0]), float(self.ppf(np.array([1.0]))[0])

    def sample(self, n: int, rng=None) -> np.ndarray:
        """``n`` independent draws (inverse-transform sampling)."""
        from realpolitik.rng import as_generator

        return self.ppf(_clip_unit(as_generator(rng).random(n)))

    def to_spec(self) -> dict[str, Any]:
        """The ``dist:`` mapping that rebuilds this distribution."""
        out: dict[str, Any] = {"kind": self.kind}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, tuple):
                if not value:
                    continue
                value = list(value)
            out["lambda" if name == "lam" else name] = value
        return out


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on [low, high]."""

    low: float
    high: float
    kind: ClassVar[str] = "uniform"

    def ppf(self, u):
        """The quantile function at ``u`` (values in (0, 1))."""
        return self.low + np.asarray(u, dtype=float) * (self.high - self.low)

    @property
    def mean(self):
        return 0.5 * (self.low + self.high)

    @property
    def var(self):
        return (self.high - self.low) ** 2 / 12.0


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular on [low, high] with its mode at ``mode``."""

    low: float
    mode: float
    high: float
    kind: ClassVar[str] = "triangular"

    def ppf(self, u):
        """The quantile function at ``u`` (values in (0, 1))."""
        u = np.asarray(u, dtype=float)
        a, c, b = self.low, self.mode, self.high
        width = b - a
        left = u < (c - a) / width
        # one square root per draw, of the side it falls on (the same values as computing both)
        r = np.sqrt(np.where(left, u * (width * (c - a)), (1.0 - u) * (width * (b - c))))
        return np.where(left, a + r, b - r)

    @property
    def mean(self):
        return (self.low + self.mode + self.high) / 3.0

    @property
    def var(self):
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0


#: Largest error, in probability, of the fast beta inverse CDF (see :func:`_beta_ppf`).
BETA_U_RESOLUTION = 1e-14
_BETA_TAIL = 1e-6


class _StandardBeta:
    """The beta(a, b) density and CDF on [0, 1], as SciPy's numerical inversion wants them."""

    def __init__(self, a: float, b: float) -> None:
        self.a, self.b = a, b

    def pdf(self, x):
        return x ** (self.a - 1.0) * (1.0 - x) ** (self.b - 1.0)

    def cdf(self, x):
        return special.betainc(self.a, self.b, x)


@functools.lru_cache(maxsize=64)
def _beta_inverter(a: float, b: float) -> Any:
    """A polynomial interpolation of beta(a, b)'s inverse CDF (Derflinger, Hormann & Leydold
    2010, SciPy's ``NumericalInversePolynomial``), built once per process and shape; None when
    a shape is below 1 (an unbounded density, left to the exact inverse)."""
    if a < 1.0 or b < 1.0:
        return None
    from scipy.stats.sampling import NumericalInversePolynomial

    center = (a - 1.0) / (a + b - 2.0) if a + b > 2.0 else 0.5
    try:
        return NumericalInversePolynomial(
            _StandardBeta(a, b),
            domain=(0.0, 1.0),
            center=min(max(center, 1e-3), 1.0 - 1e-3),
            u_resolution=BETA_U_RESOLUTION,
        )
    except Exception:  # noqa: BLE001 - any set-up failure falls back to the exact inverse
        return None


def _beta_ppf(a: float, b: float, u) -> np.ndarray:
    """Inverse CDF of beta(a, b) on [0, 1].

    ``scipy.special.betaincinv`` costs about 2-6 microseconds a value; for shapes >= 1 (every
    PERT) a polynomial inversion accurate to :data:`BETA_U_RESOLUTION` in probability (values
    within 1e-9 of the exact inverse on [0, 1]) costs 30 times less; the far tails (u within
    1e-6 of 0 or 1) use the exact inverse. Deterministic: the same u give the same values in any
    process.
    """
    u = np.asarray(u, dtype=float)
    inv = _beta_inverter(float(a), float(b))
    if inv is None:
        return special.betaincinv(a, b, u)
    x = np.clip(inv.ppf(u), 0.0, 1.0)
    # the polynomial's error is absolute in u: the far tails (two draws in a million) are exact
    tails = (u < _BETA_TAIL) | (u > 1.0 - _BETA_TAIL)
    if tails.any():
        x[tails] = special.betaincinv(a, b, u[tails])
    return x


@dataclass(frozen=True)
class Beta(Distribution):
    """Beta(a, b) stretched onto [low, high]."""

    a: float
    b: float
    low: float = 0.0
    high: float = 1.0
    kind: ClassVar[str] = "beta"

    def ppf(self, u):
        """The quantile function at ``u`` (values in (0, 1))."""
        return self.low + (self.high - self.low) * _beta_ppf(self.a, self.b, u)

    @property
    def mean(self):
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    @property
    def var(self):
        s = self.a + self.b
        return (self.high - self.low) ** 2 * self.a * self.b / (s * s * (s + 1.0))


@dataclass(frozen=True)
class Pert(Distribution):
    """The (modified) PERT distribution: a beta on [low, high] with the given mode.

    Shape parameters ``1 + lam (mode - low) / (high - low)`` and ``1 + lam (high - mode) /
    (high - low)``; ``lam = 4`` is the classic PERT.
    """

    low: float
    mode: float
    high: float
    lam: float = 4.0
    kind: ClassVar[str] = "pert"

    def _beta(self) -> Beta:
        width = self.high - self.low
        return Beta(
            1.0 + self.lam * (self.mode - self.low) / width,
            1.0 + self.lam * (self.high - self.mode) / width,
            self.low,
            self.high,
        )

    def ppf(self, u):
        """The quantile function at ``u`` (values in (0, 1))."""
        return self._beta().ppf(u)

    @property
    def mean(self):
        return self._beta().mean

    @property
    def var(self):
        return self._beta().var


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal with mean ``mean`` and standard deviation ``sd``."""

    mean_: float
    sd: float
    kind: ClassVar[str] = "normal"

    def ppf(self, u):
        """The quantile function at ``u`` (values in (0, 1))."""
        return self.mean_ + self.sd * special.ndtri(np.asarray(u, dtype=float))

    @property
    def mean(self):
        return self.mean_

    @property
    def var(self):
        return self.sd**2

    def to_spec(self):
        """The ``dist:`` mapping of this distribution."""
        return {"kind": "normal", "mean": self.mean_, "sd": self.sd}


@dataclass(frozen=True)
class TruncNormal(Distribution):
    """Normal(mean, sd) truncated to [low, high] (bounds may be infinite)."""

    mean_: float
    sd: float
    low: float
    high: float
    kind: ClassVar[str] = "truncnormal"

    def _frozen(self):
        from scipy import stats

        a = (self.low - self.mean_) / self.sd
        b = (self.high - self.mean_) / self.sd
        return stats.truncnorm(a, b, loc=self.mean_, scale=self.sd)

    def ppf(self, u):
        """The quantile function at ``u`` (values in (0, 1)).

        ``Phi^-1(Phi(alpha) + u (Phi(beta) - Phi(alpha)))`` with the standardised bounds; an
        interval above the mean is computed mirrored, in the lower tail, where ``Phi`` keeps
        its precision (the schema keeps the interval within 37 sd of the mean, where ``Phi``
        of the nearer bound is a normal double).
        """
        u = np.asarray(u, dtype=float)
        alpha = (self.low - self.mean_) / self.sd
        beta = (self.high - self.mean_) / self.sd
        if alpha > 0:  # mirrored: -X is truncated to [-beta, -alpha]
            p_lo, p_hi = special.ndtr(-beta), special.ndtr(-alpha)
            z = -special.ndtri(p_lo + (1.0 - u) * (p_hi - p_lo))
        else:
            p_lo, p_hi = special.ndtr(alpha), special.ndtr(beta)
            z = special.ndtri(p_lo + u * (p_hi - p_lo))
        return np.clip(self.mean_ + self.sd * z, self.low, self.high)

    @property
    def mean(self):
        return float(self._frozen().mean())

    @property
    def var(self):
        return float(self._frozen().var())

    def to_spec(self):
        """The ``dist:`` mapping of this distribution."""
        return {
            "kind": "truncnormal",
            "mean": self.mean_,
            "sd": self.sd,
            "low": self.low,
            "high": self.high,
        }


@dataclass(frozen=True)
class LogNormal(Distribution):
    """Log-normal: exp of a normal with mean ``mu`` and standard deviation ``sigma``."""

    mu: float
    sigma: float
    kind: ClassVar[str] = "lognormal"

    def ppf(self, u):
        """The quantile function at ``u`` (values in (0, 1))."""
        return np.exp(self.mu + self.sigma * special.ndtri(np.asarray(u, dtype=float)))

    @property
    def mean(self):
        return math.exp(self.mu + 0.5 * self.sigma**2)

    @property
    def var(self):
        return math.expm1(self.sigma**2) * math.exp(2 * self.mu + self.sigma**2)


@dataclass(frozen=True)
class Choice(Distribution):
    """One of ``values``, with probabilities proportional to ``weights`` (equal if none)."""

    values: tuple[float, ...]
    weights: tuple[float, ...] = field(default=())
    kind: ClassVar[str] = "choice"

    def _probs(self) -> np.ndarray:
        w = np.ones(len(self.values)) if not self.weights else np.asarray(self.weights, float)
        return w / w.sum()

    def ppf(self, u):
        """The quantile function at ``u`` (values in (0, 1))."""
        u = np.asarray(u, dtype=float)
        cum = np.cumsum(self._probs())
        cum[-1] = 1.0
        idx = np.searchsorted(cum, u, side="right")
        return np.asarray(self.values, dtype=float)[np.minimum(idx, len(self.values) - 1)]

    @property
    def mean(self):
        return float(np.dot(self._probs(), self.values))

    @property
    def var(self):
        p, v = self._probs(), np.asarray(self.values, float)
        m = float(np.dot(p, v))
        return float(np.dot(p, (v - m) ** 2))


# ---------------------------------------------------------------------------------------------
# Building distributions from the scenario format's ``dist:`` mapping (checked by its one set of
# rules, realpolitik.scenario.distributions)


def distribution_from_spec(spec: Mapping[str, Any]) -> Distribution:
    """Build a :class:`Distribution` from a ``dist:`` mapping of the scenario format.

    The mapping is checked by :func:`realpolitik.scenario.distributions.check_distribution`, the
    rules the scenario schema applies too; the optional parameters' defaults come from its table.

    Parameters
    ----------
    spec : mapping
        ``{"kind": <kind>, <parameter>: <value>, ...}``; see the table in
        ``docs/reference/scenario-format.md``.

    Returns
    -------
    Distribution

    Raises
    ------
    DistributionError
        (a :class:`ValueError`) naming the offending parameter (``param``), what was expected and
        what was given.

    Examples
    --------
    >>> distribution_from_spec({"kind": "triangular", "low": 0.1, "mode": 0.3, "high": 0.5}).mean
    0.3
    """
    x = check_distribution(spec)
    kind = x["kind"]
    if kind == "choice":
        return Choice(x["values"], x["weights"] or ())
    if kind == "uniform":
        return Uniform(x["low"], x["high"])
    if kind == "triangular":
        return Triangular(x["low"], x["mode"], x["high"])
    if kind == "pert":
        return Pert(x["low"], x["mode"], x["high"], x["lambda"])
    if kind == "normal":
        return Normal(x["mean"], x["sd"])
    if kind == "truncnormal":
        return TruncNormal(x["mean"], x["sd"], x["low"], x["high"])
    if kind == "beta":
        return Beta(x["a"], x["b"], x["low"], x["high"])
    return LogNormal(x["mu"], x["sigma"])


# ---------------------------------------------------------------------------------------------
# Uncertainties, correlation, the experiment specification


@dataclass(frozen=True)
class Uncertainty:
    """An uncertain scenario number: its key path, its distribution, a label and its claims."""

    path: str
    distribution: Distribution
    label: str | None = None
    claims: tuple[str, ...] = ()


def correlation_matrix(paths: Sequence[str], pairs: Iterable[tuple[str, str, float]]) -> np.ndarray:
    """Build a rank-correlation matrix over ``paths`` from ``(path_a, path_b, rho)`` pairs.

    ``rho`` is Spearman's rank correlation, the quantity a Gaussian copula controls whatever the
    marginal distributions; unlisted pairs are uncorrelated.

    Raises
    ------
    ValueError
        for an unknown path, a pair of a path with itself, a pair given twice with different
        values, ``|rho| >= 1``, or a matrix that is not positive definite (after conversion to
        the copula's normal correlation).
    """
    index = {p: i for i, p in enumerate(paths)}
    out = np.eye(len(paths))
    for a, b, rho in pairs:
        for p in (a, b):
            if p not in index:
                raise ValueError(f"correlation names {p!r}, which is not an uncertain input")
        if a == b:
            raise ValueError(f"correlation of {a!r} with itself")
        if isinstance(rho, bool) or not isinstance(rho, Real) or not -1 < float(rho) < 1:
            raise ValueError(
                f"rho between {a!r} and {b!r} must be a number in (-1, 1), got {rho!r}"
            )
        i, j = index[a], index[b]
        if out[i, j] != 0 and out[i, j] != rho:
            raise ValueError(f"correlation between {a!r} and {b!r} is given twice")
        out[i, j] = out[j, i] = float(rho)
    _copula_factor(out)  # raises if not positive definite
    return out


def _copula_factor(rank_corr: np.ndarray) -> np.ndarray:
    """Cholesky factor of the normal correlation whose Spearman correlation is ``rank_corr``.

    For a bivariate normal, Spearman's rho_s and Pearson's r satisfy r = 2 sin(pi rho_s / 6).
    """
    r = 2.0 * np.sin(np.pi * np.asarray(rank_corr, float) / 6.0)
    np.fill_diagonal(r, 1.0)
    try:
        return np.linalg.cholesky(r)
    except np.linalg.LinAlgError:
        raise ValueError(
            "the correlations are inconsistent: the correlation matrix is not positive definite"
        ) from None


@runtime_checkable
class Model(Protocol):
    """What an experiment evaluates: a picklable object with a vectorised ``evaluate``.

    ``evaluate(samples, rng)`` receives one array per uncertain input path (all of the batch's
    length) and a :class:`numpy.random.Generator` for any randomness of its own, and returns one
    1-D array of the batch's length per outcome name.
    """

    def evaluate(
        self, samples: dict[str, np.ndarray], rng: np.random.Generator
    ) -> dict[str, np.ndarray]: ...


@dataclass(frozen=True, eq=False)  # holds an array and a model: compare by identity
class ExperimentSpec:
    """An experiment: what is uncertain, how it is correlated, and what evaluates a draw.

    Parameters
    ----------
    uncertainties : sequence of Uncertainty
        The uncertain inputs, in a fixed order (the order of the design's columns).
    model : Model
        A picklable object with ``evaluate(samples, rng) -> dict[str, ndarray]``.
    correlation : ndarray, optional
        Spearman rank-correlation matrix over ``uncertainties`` (see :func:`correlation_matrix`),
        induced with a Gaussian copula.
    scenario_name, scenario_hash : str
        Recorded with every run, so any figure can be regenerated from the scenario file.
    model_names : tuple of str
        The registered models the ``model`` object calls.
    outcomes : tuple of str, optional
        The outcome names ``model`` returns, when known in advance.
    """

    uncertainties: tuple[Uncertainty, ...]
    model: Any
    correlation: np.ndarray | None = None
    scenario_name: str = ""
    scenario_hash: str = ""
    model_names: tuple[str, ...] = ()
    outcomes: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "uncertainties", tuple(self.uncertainties))
        paths = self.paths
        if len(set(paths)) != len(paths):
            dup = sorted({p for p in paths if paths.count(p) > 1})
            raise ValueError(f"uncertain input given twice: {dup[0]!r}")
        if not callable(getattr(self.model, "evaluate", None)):
            raise TypeError("model must have an evaluate(samples, rng) method")
        if self.correlation is not None:
            c = np.asarray(self.correlation, dtype=float)
            d = len(paths)
            if c.shape != (d, d) or not np.allclose(c, c.T) or not np.allclose(np.diag(c), 1):
                raise ValueError(
                    f"correlation must be a symmetric {d}x{d} matrix with unit diagonal"
                )
            _copula_factor(c)
            object.__setattr__(self, "correlation", c)

    @property
    def paths(self) -> list[str]:
        return [u.path for u in self.uncertainties]

    @property
    def dimension(self) -> int:
        return len(self.uncertainties)

    def transform(self, unit: np.ndarray, correlate: bool = True) -> dict[str, np.ndarray]:
        """Map a unit-cube design ``(n, d)`` to input values, one array per path.

        With ``correlate`` (and a correlation matrix), the columns are first passed through the
        Gaussian copula: ``z = Phi^-1(u)``, ``z' = z L^T`` with ``L`` the Cholesky factor of the
        normal correlation, ``u' = Phi(z')``.
        """
        if compiled_inverse_cdfs():
            return self._transform_compiled(unit, correlate)
        u = _clip_unit(unit)
        if u.ndim != 2 or u.shape[1] != self.dimension:
            raise ValueError(f"design must have shape (n, {self.dimension}), got {u.shape}")
        linked, factor = self._copula(correlate)
        if linked.size:
            # only the inputs correlated with another go through the copula (the others would
            # come back as Phi(Phi^-1(u)), u to the last bit, at a cost per draw and input)
            z = special.ndtri(u[:, linked]) @ factor.T
            u[:, linked] = _clip_unit(special.ndtr(z))
        # each input's draws contiguous: a column of u is strided (each value on another cache
        # line), and the inverse CDFs read it several times. The same values; a flagship batch
        # of 20,000 draws x 85 inputs spends 22 ms instead of 30 in them (transpose included).
        columns = np.ascontiguousarray(u.T)
        return {
            unc.path: np.ascontiguousarray(unc.distribution.ppf(columns[j]), dtype=float)
            for j, unc in enumerate(self.uncertainties)
        }

    def _copula(self, correlate: bool) -> tuple[np.ndarray, np.ndarray]:
        """The inputs that go through the copula (those correlated with another) and the
        Cholesky factor of their normal correlation (none without a copula)."""
        c = self.correlation
        if correlate and c is not None and self.dimension > 1:
            linked = np.flatnonzero((c != 0).sum(axis=1) > 1)
            if linked.size:
                return linked, _copula_factor(c[np.ix_(linked, linked)])
        return np.empty(0, dtype=np.intp), np.empty((0, 0))

    def _transform_compiled(self, unit: np.ndarray, correlate: bool) -> dict[str, np.ndarray]:
        """:meth:`transform` with compiled kernels (:mod:`~realpolitik.experiment.ppf_kernels`),
        the same values bit for bit: the design clipped and transposed in one pass (input by
        input), the copula on the linked inputs' rows (the same elementwise functions, and the
        same C-ordered matrix product), the triangular inverse CDFs in one pass."""
        from realpolitik.experiment.ppf_kernels import clipped_columns

        u = np.asarray(unit, dtype=float)
        if u.ndim != 2 or u.shape[1] != self.dimension:
            raise ValueError(f"design must have shape (n, {self.dimension}), got {u.shape}")
        columns = clipped_columns(np.ascontiguousarray(u), _U_MIN, _U_MAX)
        linked, factor = self._copula(correlate)
        if linked.size:
            z = np.ascontiguousarray(special.ndtri(columns[linked]).T) @ factor.T
            columns[linked] = _clip_unit(special.ndtr(z)).T
        mapped = _compiled_triangular(self.uncertainties, columns)
        return {
            unc.path: (
                mapped[j]
                if j in mapped
                else np.ascontiguousarray(unc.distribution.ppf(columns[j]), dtype=float)
            )
            for j, unc in enumerate(self.uncertainties)
        }

    def sample(self, n: int, rng=None, sampler: str = "mc") -> dict[str, np.ndarray]:
        """``n`` draws of every input in one piece (for small designs and interactive use)."""
        from realpolitik.rng import as_generator

        gen = as_generator(rng)
        design_seed = np.random.SeedSequence(gen.integers(0, 2**63))
        return self.transform(unit_design(sampler, n, self.dimension, 0, n, design_seed, gen))


def compiled_inverse_cdfs() -> bool:
    """Whether :meth:`ExperimentSpec.transform` maps the triangular inputs with the compiled
    kernel (:mod:`realpolitik.experiment.ppf_kernels`; the same numbers as NumPy, bit for bit).

    ``REALPOLITIK_KERNELS`` (``numpy``, ``compiled`` or ``auto``, the default) decides, as it does
    for the models' kernels; ``auto`` runs compiled when Numba is already loaded in this process
    (a worker whose model runs compiled kernels): importing it costs a third of a second, far more
    than the kernel saves on one batch (about half a microsecond a draw and triangular input).
    """
    which = kernel_choice()
    if which != "auto":
        return which == "compiled"
    return "numba" in sys.modules


def _compiled_triangular(
    uncertainties: Sequence[Uncertainty], columns: np.ndarray
) -> dict[int, np.ndarray]:
    """The values of the triangular inputs (by column index) from the compiled kernel."""
    index = [j for j, unc in enumerate(uncertainties) if type(unc.distribution) is Triangular]
    if not index:
        return {}
    from realpolitik.experiment.ppf_kernels import triangular_rows

    params = []
    for j in index:
        d = cast(Triangular, uncertainties[j].distribution)
        a, c, b = d.low, d.mode, d.high
        # Python's arithmetic on the parameters, as Triangular.ppf does before it meets the array
        width = b - a
        params.append((a, b, (c - a) / width, width * (c - a), width * (b - c)))
    table = np.array(params, dtype=float).T.copy()
    values = triangular_rows(columns, np.array(index, dtype=np.int64), table)
    return {j: values[q] for q, j in enumerate(index)}


# ---------------------------------------------------------------------------------------------
# Unit-cube designs that any batch can compute alone

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(x: np.ndarray, key: np.uint64) -> np.ndarray:
    """A 64-bit mixing function (splitmix64 finaliser) of ``x`` and a round key."""
    z = x + key
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def keyed_permutation(index: np.ndarray, n: int, keys: np.ndarray) -> np.ndarray:
    """Apply a keyed pseudo-random permutation of ``0..n-1`` to ``index``.

    A balanced Feistel network on the smallest even number of bits covering ``n`` is a bijection
    of ``0..2^bits-1``; "cycle walking" (re-applying it while the value is ``>= n``) restricts it to
    a bijection of ``0..n-1`` (Black & Rogaway 2002).
    """
    bits = max(2, int(n - 1).bit_length())
    bits += bits % 2
    half = np.uint64(bits // 2)
    mask = np.uint64((1 << (bits // 2)) - 1)

    def feistel(x: np.ndarray) -> np.ndarray:
        left, right = x >> half, x & mask
        for k in keys:
            left, right = right, left ^ (_mix(right, k) & mask)
        return (left << half) | right

    out = feistel(np.asarray(index, dtype=np.uint64))
    todo = np.flatnonzero(out >= np.uint64(n))
    while todo.size:
        out[todo] = feistel(out[todo])
        todo = todo[out[todo] >= np.uint64(n)]
    return out.astype(np.int64)


def unit_design(
    sampler: str,
    draws: int,
    dimension: int,
    start: int,
    stop: int,
    design_seed: np.random.SeedSequence,
    rng: np.random.Generator,
) -> np.ndarray:
    """Rows ``start:stop`` of a ``draws x dimension`` design in the unit cube.

    ``design_seed`` keys what the whole run shares (the LHS permutations, the Sobol' scrambling);
    ``rng`` is the batch's own generator (Monte Carlo points, positions inside LHS strata). The
    rows depend only on these and on ``start``, ``stop`` and ``draws``, never on which process
    computes them.
    """
    m = stop - start
    # A fresh copy: consumers may spawn from a SeedSequence (which changes it), and in-process
    # executors share one object between batches.
    design_seed = np.random.SeedSequence(
        design_seed.entropy, spawn_key=design_seed.spawn_key, pool_size=design_seed.pool_size
    )
    if sampler == "mc":
        return rng.random((m, dimension))
    if sampler == "lhs":
        rounds = 6
        keys = design_seed.generate_state(dimension * rounds, dtype=np.uint64).reshape(
            dimension, rounds
        )
        idx = np.arange(start, stop, dtype=np.uint64)
        strata = np.empty((m, dimension))
        for j in range(dimension):
            strata[:, j] = keyed_permutation(idx, draws, keys[j])
        return (strata + rng.random((m, dimension))) / draws
    if sampler == "sobol":
        from scipy.stats import qmc

        engine = qmc.Sobol(dimension, scramble=True, rng=np.random.default_rng(design_seed))
        if start:
            engine.fast_forward(start)
        with warnings.catch_warnings():  # batches need not be powers of two; the run should be
            warnings.filterwarnings("ignore", message=".*balance properties.*")
            return engine.random(m)
    raise ValueError(f"unknown sampler {sampler!r}: expected one of {', '.join(SAMPLERS)}")
