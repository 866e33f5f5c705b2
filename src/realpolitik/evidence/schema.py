"""The episode language: typed, frozen objects for one historical courtship of a pivot.

The reference for users is ``docs/reference/episode-format.md``; this module is its single source of
truth. An episode holds facts known at its decision year (each with a source and an ``approx`` flag)
and, optionally, what happened (its outcome); without an outcome the same file is a forecast.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

EPISODE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
STATE_CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]*$"
StateCode = Annotated[str, Field(pattern=STATE_CODE_PATTERN, max_length=64)]

#: ThreatFact levels in increasing order (the coding rule is in the episode format's reference).
THREAT_LEVELS = ("none", "low", "medium", "high")
#: The forms an offer or a counter-measure can take.
FORMS = ("statement", "agreement", "treaty", "aid", "coercion")
#: What became of a courtship.
OUTCOME_LABELS = ("aligned", "hedged", "stayed", "exited", "returned", "counter-bid-won")
REGIONS = (
    "europe",
    "middle-east",
    "africa",
    "south-asia",
    "east-asia",
    "southeast-asia",
    "americas",
    "eurasia",
    "oceania",
)


def _yes_no(value: Any) -> Any:
    """YAML 1.1 reads ``yes``/``no`` as booleans; the format means the words."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


class EpisodeRecord(BaseModel):
    """Immutable, and strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Fact(EpisodeRecord):
    """What every fact carries: where it comes from and whether it was checked."""

    source: str
    approx: bool
    note: str | None = None


class TradeShare(Fact):
    """A share of the pivot's total goods trade (exports + imports), as a value or a range."""

    value: float | None = Field(default=None, ge=0, le=1)
    range: tuple[float, float] | None = None
    year: int
    scope: str | None = None

    @model_validator(mode="after")
    def _one(self) -> TradeShare:
        if (self.value is None) == (self.range is None):
            raise ValueError("give exactly one of value or range")
        if self.range is not None:
            low, high = self.range
            if not (0 <= low <= high <= 1):
                raise ValueError("range must be [low, high] with 0 <= low <= high <= 1")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """The share as ``(low, high)``; equal ends for a single value."""
        if self.range is not None:
            return self.range
        v = float(self.value or 0.0)
        return (v, v)


class ThreatFact(Fact):
    """A threat to the pivot, coded none/low/medium/high by the written rule."""

    level: Literal["none", "low", "medium", "high"]
    forces_on_soil_or_border: bool | None = None
    year: int | None = None


class ThirdPartyThreat(ThreatFact):
    """A threat from a third party; only one the courter can address counts in the coding."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    from_: str = Field(alias="from")
    courter_can_address: bool


class LeaderChange(Fact):
    """A new leader of the pivot in the three years before the decision year."""

    who: str
    year: int


class Move(Fact):
    """An offer by the courter or a counter-measure by the incumbent."""

    what: str
    year: int
    value: float | None = None
    unit: str | None = None
    form: Literal["statement", "agreement", "treaty", "aid", "coercion"]

    @model_validator(mode="after")
    def _unit(self) -> Move:
        if self.value is not None and not self.unit:
            raise ValueError("a value needs its unit")
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError("value must be a finite number")
        return self


class SunkInvestment(Fact):
    """An investment tied to the incumbent that a defection would strand."""

    what: str
    value: float | None = None
    unit: str | None = None
    year: int | None = None

    @model_validator(mode="after")
    def _unit(self) -> SunkInvestment:
        if self.value is not None and not self.unit:
            raise ValueError("a value needs its unit")
        return self


class Faction(Fact):
    """A faction of the pivot: its share of influence and its position (0 incumbent, 1 courter)."""

    name: str
    size: float = Field(gt=0, le=1)
    position: float = Field(ge=0, le=1)


class Flag(Fact):
    """A yes/no fact."""

    value: bool
    year: int | None = None


class Facts(EpisodeRecord):
    """The facts known at the decision year."""

    trade_share_incumbent: TradeShare | None = None
    trade_share_courter: TradeShare | None = None
    incumbent_threat: ThreatFact | None = None
    third_party_threat: ThirdPartyThreat | None = None
    courter_threat: ThreatFact | None = None
    leader_change: LeaderChange | None = None
    courter_offers: tuple[Move, ...] = ()
    incumbent_counters: tuple[Move, ...] = ()
    sunk_investments: tuple[SunkInvestment, ...] = ()
    factions: tuple[Faction, ...] = ()
    regime_change_demanded: Flag | None = None


class EpisodeOutcome(EpisodeRecord):
    """What happened (absent for a forecast)."""

    label: Literal["aligned", "hedged", "stayed", "exited", "returned", "counter-bid-won"]
    aligned_with_courter: Annotated[Literal["yes", "no", "partial"], BeforeValidator(_yes_no)]
    by_year: int | None = None
    lasted_years: float | None = Field(default=None, ge=0)
    note: str | None = None
    source: str | None = None


class EpisodeSource(EpisodeRecord):
    """A reference: a full citation, and a URL where there is one."""

    cite: str
    url: str | None = None


class EpisodeSpec(EpisodeRecord):
    """One episode file, as written (before cross-references are checked)."""

    realpolitik_episode: Literal[1]
    id: Annotated[str, Field(pattern=EPISODE_ID_PATTERN, max_length=64)]
    title: str
    decision_year: int = Field(ge=1800, le=2100)
    region: Literal[
        "europe",
        "middle-east",
        "africa",
        "south-asia",
        "east-asia",
        "southeast-asia",
        "americas",
        "eurasia",
        "oceania",
    ]
    pivot: StateCode
    incumbent: StateCode
    incumbent_bloc: tuple[StateCode, ...] = ()
    courter: StateCode | None
    courter_bloc: tuple[StateCode, ...] = ()
    facts: Facts
    outcome: EpisodeOutcome | None = None
    sources: dict[str, EpisodeSource] = Field(min_length=1)
    notes: str | None = None
