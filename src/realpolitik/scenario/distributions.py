"""The distributions of the scenario format (``dist:``): the one table of kinds and parameters,
and the one set of rules a ``dist:`` mapping must follow.

The schema (:class:`~realpolitik.scenario.schema.Dist`) applies these rules once, when a file is
loaded; the samplers (:func:`realpolitik.experiment.uncertainty.distribution_from_spec`) build on a
validated ``Dist`` and take the optional parameters' defaults from the same table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from typing import Any

#: kind -> (required parameters, optional parameters with their defaults).
DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "uniform": (("low", "high"), {}),
    "triangular": (("low", "mode", "high"), {}),
    "pert": (("low", "mode", "high"), {"lambda": 4.0}),
    "normal": (("mean", "sd"), {}),
    "truncnormal": (("mean", "sd", "low", "high"), {}),
    "beta": (("a", "b"), {"low": 0.0, "high": 1.0}),
    "lognormal": (("mu", "sigma"), {}),
    "choice": (("values",), {"weights": None}),
}
#: Parameters that must be positive.
SCALES = ("sd", "sigma", "a", "b", "lambda")
#: How far (in standard deviations) from the mean a truncated normal's interval may lie: beyond,
#: the normal's tail holds less mass than a double can resolve.
MAX_TRUNCATION_Z = 37.0


class DistributionError(ValueError):
    """A ``dist:`` mapping that does not describe a valid distribution.

    ``param`` names the offending key (``None`` for the mapping as a whole), so that a caller can
    report the key path ``<number path>.dist.<param>``; ``expected`` and ``got`` say what was wrong.
    """

    def __init__(
        self, message: str, param: str | None = None, expected: str | None = None, got: Any = None
    ) -> None:
        super().__init__(message)
        self.param = param
        self.expected = expected
        self.got = None if got is None else repr(got)


def _number(kind: str, name: str, value: Any, allow_inf: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise DistributionError(
            f"{kind}: parameter {name!r} must be a number", name, "a number", value
        )
    x = float(value)
    if math.isnan(x) or (math.isinf(x) and not allow_inf):
        raise DistributionError(
            f"{kind}: parameter {name!r} must be finite", name, "a finite number", value
        )
    return x


def _numbers(kind: str, name: str, value: Any) -> tuple[float, ...]:
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        raise DistributionError(
            f"{kind}: parameter {name!r} must be a list of numbers",
            name,
            "a list of numbers",
            value,
        )
    return tuple(_number(kind, name, v) for v in value)


def check_distribution(spec: Any) -> dict[str, Any]:
    """Check a ``dist:`` mapping; return its parameters with the optional ones' defaults filled in
    (numbers as floats, ``values`` and ``weights`` as tuples).

    Raises
    ------
    DistributionError
        For an unknown kind, a missing or unknown parameter, a parameter that is not a (finite)
        number, or parameters that contradict each other (``low >= high``, a mode outside the
        range, a non-positive scale, bad weights, a truncation interval without mass).

    Examples
    --------
    >>> check_distribution({"kind": "pert", "low": 0, "mode": 1, "high": 4})["lambda"]
    4.0
    """
    if not isinstance(spec, Mapping):
        raise DistributionError("dist must be a mapping with a 'kind'", None, "a mapping", spec)
    kind = spec.get("kind")
    if kind not in DISTRIBUTIONS:
        raise DistributionError(
            f"unknown distribution kind {kind!r}",
            "kind",
            "one of " + ", ".join(DISTRIBUTIONS),
            kind,
        )
    required, optional = DISTRIBUTIONS[kind]
    given = {k: v for k, v in spec.items() if k != "kind" and v is not None}
    unknown = sorted(set(given) - {*required, *optional})
    if unknown:
        raise DistributionError(
            f"{kind}: unknown parameter {unknown[0]!r}",
            unknown[0],
            "one of " + ", ".join((*required, *optional)),
            unknown[0],
        )
    missing = [k for k in required if k not in given]
    if missing:
        raise DistributionError(
            f"{kind}: missing parameter {missing[0]!r}", missing[0], "a number", None
        )
    p = {**optional, **given}
    if kind == "choice":
        return {"kind": kind, **_check_choice(p)}
    inf_ok = {"low", "high"} if kind == "truncnormal" else set()
    x = {k: _number(kind, k, p[k], allow_inf=k in inf_ok) for k in (*required, *optional)}
    _check_relations(kind, x, p)
    return {"kind": kind, **x}


def _check_choice(p: Mapping[str, Any]) -> dict[str, Any]:
    values = _numbers("choice", "values", p["values"])
    if not values:
        raise DistributionError(
            "choice: values must not be empty", "values", "at least one value", p["values"]
        )
    weights = None
    if p.get("weights") is not None:
        weights = _numbers("choice", "weights", p["weights"])
        if len(weights) != len(values):
            raise DistributionError(
                "choice: needs one weight per value", "weights", f"{len(values)} weights", weights
            )
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise DistributionError(
                "choice: weights must be non-negative and not all zero",
                "weights",
                "non-negative weights with a positive sum",
                weights,
            )
    return {"values": values, "weights": weights}


def _check_relations(kind: str, x: Mapping[str, float], p: Mapping[str, Any]) -> None:
    def bad(name: str, message: str, expected: str) -> DistributionError:
        return DistributionError(f"{kind}: {message}", name, expected, p[name])

    if "low" in x and not x["low"] < x["high"]:
        raise bad("high", f"high must be greater than low (low={x['low']:g})", f"> {x['low']:g}")
    if kind in ("triangular", "pert") and not x["low"] <= x["mode"] <= x["high"]:
        raise bad(
            "mode",
            "mode must lie between low and high",
            f"a number in [{x['low']:g}, {x['high']:g}]",
        )
    for scale in SCALES:
        if scale in x and not x[scale] > 0:
            raise bad(scale, f"{scale} must be positive", "> 0")
    if kind == "truncnormal":
        z_low = (x["low"] - x["mean"]) / x["sd"]
        z_high = (x["high"] - x["mean"]) / x["sd"]
        if z_low > MAX_TRUNCATION_Z or z_high < -MAX_TRUNCATION_Z:
            raise bad(
                "low",
                "the interval holds no probability mass of the normal",
                f"an interval within about {MAX_TRUNCATION_Z:g} sd of the mean",
            )


def support(params: Mapping[str, Any]) -> tuple[float, float]:
    """Bounds of a checked distribution (may be infinite).

    >>> support({"kind": "lognormal", "mu": 0.0, "sigma": 1.0})
    (0.0, inf)
    """
    k = params["kind"]
    if k in ("uniform", "triangular", "pert", "truncnormal", "beta"):
        return float(params["low"]), float(params["high"])
    if k == "choice":
        return min(params["values"]), max(params["values"])
    if k == "lognormal":
        return 0.0, math.inf
    return -math.inf, math.inf
