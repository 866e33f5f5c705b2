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

from realpolitik.scenario.distributions import DistributionError, check_distribution, support

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
    """Base of the schema's models: immutable, unknown keys rejected, strings stripped."""

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

    @model_validator(mode="after")
    def _check(self) -> Dist:
        check_distribution(self.spec())  # the one set of rules (scenario/distributions.py)
        for name in type(self).model_fields:  # and the bound on every number (MAX_MAGNITUDE)
            v = getattr(self, name)
            for x in v if isinstance(v, tuple) else (v,):
                if isinstance(x, float) and math.isfinite(x):
                    _check_magnitude(name.rstrip("_"), x)
        return self

    @field_validator("*", mode="before")
    @classmethod
    def _not_a_bool(cls, value: Any, info: Any) -> Any:
        if isinstance(value, bool):
            name = "lambda" if info.field_name == "lambda_" else info.field_name
            raise DistributionError(f"parameter {name!r} must be a number", name, "a number", value)
        return value

    def spec(self) -> dict[str, Any]:
        """The plain mapping, as written in the file."""
        return self.model_dump(by_alias=True, exclude_none=True)

    def support(self) -> tuple[float, float]:
        """Bounds of the distribution (may be infinite)."""
        return support(check_distribution(self.spec()))


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
    """A value for each option the pivot can take other than staying: hedge and courter (the
    courter's value is written if and only if the realignment has a courter)."""

    hedge: Q
    courter: Q | None = None


# --------------------------------------------------------------------------------------------------
# the blocks of a scenario


class Source(Frozen):
    """Where numbers come from: a title, publisher, year and address."""

    title: str
    url: str | None = None
    year: int | None = None
    publisher: str | None = None
    note: str | None = None


class Claim(Frozen):
    """A claim the scenario encodes (in our own words) and who makes it."""

    text: str
    by: str | None = None


class Dimension(Frozen):
    """A policy dimension: its range and what its two ends mean."""

    low: str
    high: str
    range: tuple[float, float] = (0.0, 100.0)

    @model_validator(mode="after")
    def _range(self) -> Dimension:
        if not self.range[0] < self.range[1]:
            raise ValueError("range must be [low, high] with low < high")
        return self


class TurnoverSpec(Frozen):
    """How often an actor's leader or ruling coalition changes."""

    annual_hazard: Q | None = None
    elections_every: int | None = Field(default=None, ge=1, le=20)
    next_election: int | None = None
    change_probability: Q | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TurnoverSpec:
        if self.elections_every is None and self.annual_hazard is None:
            raise ValueError("give annual_hazard, or elections_every with change_probability")
        if self.elections_every is not None and self.change_probability is None:
            raise ValueError("elections_every needs change_probability")
        return self


class Actor(Frozen):
    """A state, bloc or faction: its size, positions and saliences, and leadership turnover."""

    id: Ident
    name: str | None = None
    kind: Literal["state", "bloc", "faction"] = "state"
    size: Q
    parent: Ident | None = None
    description: str | None = None
    turnover: TurnoverSpec | None = None
    position: dict[str, Q] = Field(default_factory=dict)
    salience: dict[str, Q] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name or self.id


class ComponentSpec(Frozen):
    """A relation component declared by the scenario, with its weight."""

    weight: Q = Quantity(value=1.0, assumption="default weight of a component")
    description: str | None = None


class Relation(Frozen):
    """A dyad's relation: its named components (trade, threat, ...), each a number."""

    between: tuple[Ident, Ident]
    components: dict[str, Q]
    note: str | None = None

    @property
    def key(self) -> str:
        return f"{self.between[0]}~{self.between[1]}"


class Bloc(Frozen):
    """An existing bloc (alliance), its members and its strength as a field."""

    id: Ident
    members: tuple[Ident, ...] = Field(min_length=1)
    strength: Q
    description: str | None = None


class Commitment(Frozen):
    """A form of promise and its yearly and successor repudiation probabilities."""

    id: Ident
    description: str | None = None
    annual_repudiation: Q
    successor_repudiation: Q
    #: probability that a promise attempted in this form gets it (a treaty that is ratified);
    #: otherwise it takes the ``fallback`` form (default 1: the form is certain)
    ratification_probability: Q | None = None
    fallback: Ident | None = None


class Extent(Frozen):
    """How far a lever can be pulled: bounds, and whether it is all or nothing."""

    min: float = 0.0
    max: float = 1.0

    @model_validator(mode="after")
    def _order(self) -> Extent:
        if not (0 <= self.min <= self.max) or not math.isfinite(self.max):
            raise ValueError("need 0 <= min <= max")
        return self


class Lever(Frozen):
    """Something an actor can offer or do, with its value to the receiver and cost to the giver."""

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
    #: threat id -> share of that threat's level the lever relieves at full extent
    relieves: dict[Ident, Q] = Field(default_factory=dict)

    @property
    def payer(self) -> str:
        return self.paid_by or self.by


class Trade(Frozen):
    """The pivot's trade with its partner and what a realignment does to it."""

    with_incumbent: Q
    gains_share: Q
    retaliation: OptionValues
    replacement_capacity: OptionValues
    #: probability that the incumbent carries its cut out at all (default 1)
    retaliation_credibility: Q | None = None
    #: commitment form under which a cut, once made, is sustained (default: for the horizon)
    retaliation_commitment: Ident | None = None
    #: what each unit of cut trade is worth to the incumbent a year (default: gains_share)
    incumbent_gains_share: Q | None = None


class Domestic(Frozen):
    """The pivot's factions: the dimension they bargain on, its weight and the model used."""

    dimension: Ident
    weight: Q
    model: Literal["smp", "bdm", "mean"] = "mean"


class RelationLink(Frozen):
    """A threat's level read from the ``relations:`` block (one claim, one number): the component
    ``component`` of the relation between the pivot and the threatening actor, a score in
    [-1, 1], gives the level ``cost_per_unit x max(-score, 0)``."""

    #: the component of the pivot's relation with the threatening actor (e.g. ``threat``)
    component: str
    #: the conversion constant: yearly cost to the pivot per unit of hostility (-score)
    cost_per_unit: Q


class Threat(Frozen):
    """A threat to the pivot, written once; the realignment model derives from it the security
    value of each option, the value of the levers that relieve it and the part of each side's
    valuation that comes from it (each through a stated share)."""

    by: Ident  # the threatening actor: the incumbent, the courter or a third party
    description: str | None = None
    claims: tuple[str, ...] = ()
    #: the threat's yearly cost to the pivot while nothing relieves it (or ``from_relation``)
    level: Q | None = None
    #: read the level from the pivot's relation with ``by`` instead (exactly one of the two)
    from_relation: RelationLink | None = None
    #: share of the level each option removes against staying (negative: the option worsens it)
    relief: OptionValues
    #: the courter's yearly value of each option per unit of the level (default 0)
    courter_gain: OptionValues | None = None
    #: the incumbent's yearly loss from each option per unit of the level (default 0)
    incumbent_loss: OptionValues | None = None


class RegimeDemands(Frozen):
    """Demands on the pivot's regime that no package meets while its current government rules:
    the options they close until a successor government rules the pivot."""

    #: the options closed (``hedge``, ``courter``)
    closes: tuple[Literal["hedge", "courter"], ...] = Field(min_length=1)
    description: str | None = None
    #: where the claim comes from (a key of ``sources``), or the assumption it encodes
    source: str | None = None
    assumption: str | None = None
    claims: tuple[str, ...] = ()


class Realignment(Frozen):
    """The realignment game: pivot, incumbent, courter, horizon, values and costs."""

    pivot: Ident
    incumbent: Ident
    #: absent: nobody courts the pivot; its ``hedge`` option is then its exit (leaving the
    #: incumbent without joining anyone) and no option value has a ``courter`` entry
    courter: Ident | None = None
    courter_allies: tuple[Ident, ...] = ()
    incumbent_allies: tuple[Ident, ...] = ()
    horizon: Q
    discount_rate: Q
    trade: Trade
    components: dict[str, OptionValues] = Field(default_factory=dict)
    switching_cost: OptionValues
    #: the courter's yearly value of each option (required with a courter, absent without)
    courter_value: OptionValues | None = None
    incumbent_value: OptionValues
    domestic: Domestic | None = None
    pivot_commitment: Ident | None = None
    successor_shift: OptionValues | None = None
    #: share by which the incumbent side's stake and its levers' reach shrink each year, seen at
    #: each new bid (default 0: they stay as they are)
    incumbent_decline: Q | None = None
    #: each ally's own yearly value of the pivot hedging / aligning (courter's allies) or loss
    #: from it (incumbent's allies); an ally without one is pooled with its side's principal
    payer_value: dict[Ident, OptionValues] = Field(default_factory=dict)
    #: threats to the pivot (one claim each, see :class:`Threat`)
    threats: dict[Ident, Threat] = Field(default_factory=dict)
    #: options closed while the pivot's current government rules (see :class:`RegimeDemands`)
    regime_demands: RegimeDemands | None = None


class UncertaintySpec(Frozen):
    """A distribution for the number at a key path (the ``uncertainties:`` list)."""

    path: str
    dist: Dist
    claims: tuple[str, ...] = ()
    note: str | None = None


class Correlation(Frozen):
    """A rank correlation between two uncertain numbers."""

    paths: tuple[str, str]
    rho: float = Field(ge=-1, le=1)


class OutcomeSpec(Frozen):
    """A declared outcome: a name for one model output that experiments report on."""

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
    outcomes: tuple[OutcomeSpec, ...] = ()
