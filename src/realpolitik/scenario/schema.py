"""The scenario language: typed, frozen objects for every block of a scenario file.

The reference for users is ``docs/reference/scenario-format.md``; this module is its single source
of truth (the JSON Schema that editors use is generated from it).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]*$"
Ident = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]

#: Components every scenario knows, with their default weight (1).
BUILTIN_COMPONENTS: dict[str, str] = {
    "trade": "economic interdependence (positive: trade binds the pair)",
    "threat": "security threat one poses to the other (negative)",
    "ideology": "ideological affinity (positive) or antagonism (negative)",
    "regime": "similarity of political regimes",
    "territory": "territorial disputes (negative) or settled borders",
    "sanctions": "sanctions in force between the pair (negative)",
    "history": "historical memory: past wars, betrayals, or cooperation",
    "alliance": "formal alliance or partnership (positive)",
    "rivalry": "strategic rivalry (negative)",
    "disputes": "militarised disputes (negative)",
    "un_votes": "agreement in UN General Assembly votes",
}

OPTIONS = ("hedge", "courter")

#: The largest magnitude any number of a scenario may have. Scenario numbers are sizes, values,
#: costs and shares in the scenario's own unit; beyond 1e12 they only overflow the models'
#: arithmetic (squares, exponentials, sums over draws) without saying anything a smaller unit
#: could not.
MAX_MAGNITUDE = 1e12


def _check_magnitude(name: str, v: float) -> None:
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite")
    if abs(v) > MAX_MAGNITUDE:
        raise ValueError(
            f"{name} must be at most {MAX_MAGNITUDE:g} in absolute value (MAX_MAGNITUDE; "
            "choose a larger unit)"
        )


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# --------------------------------------------------------------------------------------------------
# distributions and quantities


class Dist(Frozen):
    """A probability distribution in place of a number (an uncertainty)."""

    kind: Literal[
        "uniform", "triangular", "pert", "normal", "truncnormal", "beta", "lognormal", "choice"
    ]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    a: float | None = None
    b: float | None = None
    mu: float | None = None
    sigma: float | None = None
    lambda_: float | None = Field(default=None, alias="lambda")
    values: tuple[float, ...] | None = None
    weights: tuple[float, ...] | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    _NEEDS = {
        "uniform": ("low", "high"),
        "triangular": ("low", "mode", "high"),
        "pert": ("low", "mode", "high"),
        "normal": ("mean", "sd"),
        "truncnormal": ("mean", "sd", "low", "high"),
        "beta": ("a", "b"),
        "lognormal": ("mu", "sigma"),
        "choice": ("values",),
    }
    _ALLOWED = {
        "pert": ("lambda_",),
        "beta": ("low", "high"),
        "choice": ("weights",),
    }

    @model_validator(mode="after")
    def _check(self) -> Dist:
        needs = self._NEEDS[self.kind]
        allowed = set(needs) | set(self._ALLOWED.get(self.kind, ())) | {"kind"}
        missing = [n for n in needs if getattr(self, n) is None]
        if missing:
            raise ValueError(f"a {self.kind} distribution needs {', '.join(missing)}")
        extra = [
            n.rstrip("_")
            for n in type(self).model_fields
            if n not in allowed and getattr(self, n) is not None
        ]
        if extra:
            raise ValueError(f"a {self.kind} distribution does not take {', '.join(extra)}")
        for name in type(self).model_fields:
            v = getattr(self, name)
            if isinstance(v, float):
                _check_magnitude(name.rstrip("_"), v)
            elif isinstance(v, tuple):
                for x in v:
                    _check_magnitude(name, float(x))
        k = self.kind
        if k in ("uniform", "truncnormal") and not self.low < self.high:  # type: ignore[operator]
            raise ValueError("low must be below high")
        if k in ("triangular", "pert") and not (
            self.low <= self.mode <= self.high and self.low < self.high  # type: ignore[operator]
        ):
            raise ValueError("need low <= mode <= high and low < high")
        if k in ("normal", "truncnormal") and not self.sd > 0:  # type: ignore[operator]
            raise ValueError("sd must be positive")
        if k == "beta":
            if not (self.a > 0 and self.b > 0):  # type: ignore[operator]
                raise ValueError("a and b must be positive")
            lo = 0.0 if self.low is None else self.low
            hi = 1.0 if self.high is None else self.high
            if not lo < hi:
                raise ValueError("low must be below high")
        if k == "lognormal" and not self.sigma > 0:  # type: ignore[operator]
            raise ValueError("sigma must be positive")
        if k == "pert" and self.lambda_ is not None and not self.lambda_ > 0:
            raise ValueError("lambda must be positive")
        if k == "choice":
            if not self.values:
                raise ValueError("values must not be empty")
            if self.weights is not None:
                if len(self.weights) != len(self.values):
                    raise ValueError("weights must have one entry per value")
                if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                    raise ValueError("weights must be non-negative and not all zero")
        return self

    def spec(self) -> dict[str, Any]:
        """The plain mapping, as written in the file."""
        return self.model_dump(by_alias=True, exclude_none=True)

    def support(self) -> tuple[float, float]:
        """Bounds of the distribution (may be infinite)."""
        k = self.kind
        if k in ("uniform", "triangular", "pert", "truncnormal"):
            return float(self.low), float(self.high)  # type: ignore[arg-type]
        if k == "beta":
            return (0.0 if self.low is None else self.low, 1.0 if self.high is None else self.high)
        if k == "choice":
            return min(self.values), max(self.values)  # type: ignore[arg-type]
        if k == "lognormal":
            return 0.0, math.inf
        return -math.inf, math.inf


class Quantity(Frozen):
    """A number with its provenance: the source it comes from or the assumption it encodes."""

    value: float
    source: str | None = None
    assumption: str | None = None
    claims: tuple[str, ...] = ()
    note: str | None = None
    dist: Dist | None = None

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float) -> float:
        _check_magnitude("the value", v)
        return v

    @field_validator("claims", mode="before")
    @classmethod
    def _claims(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _inside(self) -> Quantity:
        if self.dist is not None:
            lo, hi = self.dist.support()
            if not lo <= self.value <= hi:
                raise ValueError(
                    f"value {self.value:g} lies outside its distribution's range [{lo:g}, {hi:g}]"
                )
        return self

    @property
    def has_provenance(self) -> bool:
        return bool(self.source or self.assumption)


def _to_quantity(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError("a number or a mapping with a value key, not true/false")
    if isinstance(v, int | float):
        return {"value": v}
    if isinstance(v, str):
        # YAML 1.1 reads 1e5 (no dot) as text; accept text that is plainly a finite number
        try:
            number = float(v)
        except ValueError:
            raise ValueError("a number, or a mapping with a value key") from None
        if not math.isfinite(number):
            raise ValueError("a finite number")
        return {"value": number}
    return v


Q = Annotated[Quantity, BeforeValidator(_to_quantity)]


class OptionValues(Frozen):
    """A value for each option the pivot can take other than staying: hedge and courter."""

    hedge: Q
    courter: Q


# --------------------------------------------------------------------------------------------------
# the blocks of a scenario


class Source(Frozen):
    title: str
    url: str | None = None
    year: int | None = None
    publisher: str | None = None
    note: str | None = None


class Claim(Frozen):
    text: str
    by: str | None = None


class Dimension(Frozen):
    low: str
    high: str
    range: tuple[float, float] = (0.0, 100.0)

    @model_validator(mode="after")
    def _range(self) -> Dimension:
        if not self.range[0] < self.range[1]:
            raise ValueError("range must be [low, high] with low < high")
        return self


class Turnover(Frozen):
    """How often an actor's leader or ruling coalition changes."""

    annual_hazard: Q | None = None
    elections_every: int | None = Field(default=None, ge=1, le=20)
    next_election: int | None = None
    change_probability: Q | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Turnover:
        if self.elections_every is None and self.annual_hazard is None:
            raise ValueError("give annual_hazard, or elections_every with change_probability")
        if self.elections_every is not None and self.change_probability is None:
            raise ValueError("elections_every needs change_probability")
        return self


class Actor(Frozen):
    id: Ident
    name: str | None = None
    kind: Literal["state", "bloc", "faction"] = "state"
    size: Q
    parent: Ident | None = None
    description: str | None = None
    turnover: Turnover | None = None
    position: dict[str, Q] = Field(default_factory=dict)
    salience: dict[str, Q] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name or self.id


class ComponentSpec(Frozen):
    weight: Q = Quantity(value=1.0, assumption="default weight of a component")
    description: str | None = None


class Relation(Frozen):
    between: tuple[Ident, Ident]
    components: dict[str, Q]
    note: str | None = None

    @property
    def key(self) -> str:
        return f"{self.between[0]}~{self.between[1]}"


class Bloc(Frozen):
    id: Ident
    members: tuple[Ident, ...] = Field(min_length=1)
    strength: Q
    description: str | None = None


class Commitment(Frozen):
    id: Ident
    description: str | None = None
    annual_repudiation: Q
    successor_repudiation: Q


class Extent(Frozen):
    min: float = 0.0
    max: float = 1.0

    @model_validator(mode="after")
    def _order(self) -> Extent:
        if not (0 <= self.min <= self.max) or not math.isfinite(self.max):
            raise ValueError("need 0 <= min <= max")
        return self


class Lever(Frozen):
    id: Ident
    by: Ident
    to: Ident
    paid_by: Ident | None = None
    description: str | None = None
    claims: tuple[str, ...] = ()
    value: Q
    cost: Q
    extent: Extent = Extent()
    binary: bool = False
    commitment: Ident | None = None
    adds_replacement_capacity: Q | None = None

    @property
    def payer(self) -> str:
        return self.paid_by or self.by


class Trade(Frozen):
    with_incumbent: Q
    gains_share: Q
    retaliation: OptionValues
    replacement_capacity: OptionValues


class Domestic(Frozen):
    dimension: Ident
    weight: Q
    model: Literal["smp", "bdm", "mean"] = "mean"


class Realignment(Frozen):
    pivot: Ident
    incumbent: Ident
    courter: Ident
    courter_allies: tuple[Ident, ...] = ()
    horizon: Q
    discount_rate: Q
    trade: Trade
    components: dict[str, OptionValues] = Field(default_factory=dict)
    switching_cost: OptionValues
    courter_value: OptionValues
    incumbent_value: OptionValues
    domestic: Domestic | None = None
    pivot_commitment: Ident | None = None
    successor_shift: OptionValues | None = None


class UncertaintySpec(Frozen):
    path: str
    dist: Dist
    claims: tuple[str, ...] = ()
    note: str | None = None


class Correlation(Frozen):
    paths: tuple[str, str]
    rho: float = Field(ge=-1, le=1)


class Outcome(Frozen):
    name: Ident
    model: Ident
    output: Ident
    direction: Literal["maximize", "minimize", "none"] = "none"
    description: str | None = None


class ScenarioSpec(Frozen):
    """The whole file, as written (before cross-references are checked)."""

    realpolitik: Literal[1] = 1
    name: Ident
    title: str | None = None
    description: str | None = None
    year: int | None = Field(default=None, ge=1000, le=3000)
    unit: str = "US$ bn per year"
    strict_provenance: bool = False
    sources: dict[str, Source] = Field(default_factory=dict)
    claims: dict[str, Claim] = Field(default_factory=dict)
    dimensions: dict[str, Dimension] = Field(default_factory=dict)
    components: dict[str, ComponentSpec] = Field(default_factory=dict)
    actors: tuple[Actor, ...] = Field(min_length=1)
    relations: tuple[Relation, ...] = ()
    blocs: tuple[Bloc, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    levers: tuple[Lever, ...] = ()
    realignment: Realignment | None = None
    uncertainties: tuple[UncertaintySpec, ...] = ()
    correlations: tuple[Correlation, ...] = ()
    analyses: tuple[Ident, ...] | None = None
    outcomes: tuple[Outcome, ...] = ()
