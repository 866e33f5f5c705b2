"""The modelling choices of KTAB's spatial model of politics (SMP): its nine model parameters as
enums, and :class:`SMPOptions`, whose defaults are KTAB's.

Kept apart from :mod:`realpolitik.models.bargaining.smp` and free of NumPy, so that the plain-Python
SMP (:mod:`realpolitik.models.bargaining.smp_plain`) and the ``bargain`` command can read options
without loading NumPy.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from realpolitik.errors import ModelError
from realpolitik.scenario.importers.ktab import KTAB_MODEL_PARAMETERS


class VictoryProbModel(enum.Enum):
    """How coalition strengths become a probability of victory, p = c_ij^m / (c_ij^m + c_ji^m)."""

    LINEAR = "Linear"
    SQUARE = "Square"
    QUARTIC = "Quartic"
    OCTIC = "Octic"
    BINARY = "Binary"  # 10 % advantage or more is certain victory, linear in between


class VotingRule(enum.Enum):
    """How a difference in utility becomes a vote (times the voter's weight)."""

    BINARY = "Binary"
    PROP_BIN = "PropBin"
    PROPORTIONAL = "Proportional"
    PROP_CBC = "PropCbc"
    CUBIC = "Cubic"
    ASYM_PROSP = "ASymProsp"


class PCEModel(enum.Enum):
    """Probabilistic Condorcet election: option probabilities from pairwise victory probabilities."""

    CONDITIONAL = "Conditional"
    MARKOV_INCENTIVE = "MarkovIncentive"
    MARKOV_UNIFORM = "MarkovUniform"


class StateTransition(enum.Enum):
    DETERMINISTIC = "Deterministic"
    STOCHASTIC = "Stochastic"


class BigRRange(enum.Enum):
    """Range of the inferred risk attitudes: Min [0, 1], Mid [-0.5, 1] (KTAB default), Max [-1, 1]."""

    MIN = "Min"
    MID = "Mid"
    MAX = "Max"


class BigRAdjust(enum.Enum):
    """How actor h estimates actor i's risk attitude from its own r_h and the true r_i."""

    FULL = "Full"  # r_i
    TWO_THIRDS = "TwoThirds"  # (r_h + 2 r_i) / 3
    HALF = "Half"  # (r_h + r_i) / 2
    ONE_THIRD = "OneThird"  # (2 r_h + r_i) / 3   (KTAB default)
    NONE = "No"  # r_h


class ThirdPartyCommit(enum.Enum):
    """How far a third party that joins a side expects to be bound to that side's position."""

    NO_COMMIT = "NoCommit"
    SEMI_COMMIT = "SemiCommit"
    FULL_COMMIT = "FullCommit"


class InterVecBrgn(enum.Enum):
    """Interpolation of a bargain between two positions, per dimension."""

    S1P1 = "S1P1"  # weights s p
    S2P2 = "S2P2"  # weights s² p²  (KTAB default)
    S2PMAX = "S2PMax"  # the weaker side moves by its probability deficit, salience-weighted


class BargainModel(enum.Enum):
    """Which interpolated bargain(s) a challenge puts on the table."""

    INIT_ONLY = "InitOnlyInterp"  # the initiator's interpolation (KTAB default)
    INIT_RCVR = "InitRcvrInterp"  # both the initiator's and the receiver's interpolation
    PW_COMP = "PWCompInterp"  # their power-weighted compromise


_ALIASES: dict[type[enum.Enum], dict[str, enum.Enum]] = {
    VotingRule: {"prop": VotingRule.PROPORTIONAL},
    BigRAdjust: {"none": BigRAdjust.NONE, "norA": BigRAdjust.NONE},
}


def _parse_enum(cls: type[enum.Enum], value: Any) -> enum.Enum:
    if isinstance(value, cls):
        return value
    text = str(value).strip()
    for member in cls:
        if text.lower() in (member.value.lower(), member.name.lower()):
            return member
    alias = _ALIASES.get(cls, {}).get(text.lower())
    if alias is not None:
        return alias
    names = ", ".join(m.value for m in cls)
    raise ModelError(f"unknown {cls.__name__} {value!r}; expected one of {names}")


@dataclass(frozen=True)
class SMPOptions:
    """Every modelling choice of the SMP; the defaults are KTAB's.

    Attributes
    ----------
    victory_prob, voting_rule, pce, state_transition, big_r_range, big_r_adjust,
    third_party_commit, inter_vec_bargain, bargain_model
        The nine model parameters of KTAB's XML format (``ModelParameters``), with KTAB's defaults:
        Linear, Proportional, Conditional, Deterministic, Mid, OneThird, SemiCommit, S2P2,
        InitOnlyInterp.
    min_turns, max_turns
        Turn bounds of the stopping rule (KTAB: 2 and 100).
    min_delta_ratio
        Stop when the summed movement of one turn, divided by that of the first turn (plus
        ``min_sig_delta``), falls below this (KTAB: 0.02).
    min_sig_delta
        Guard against a first turn without movement (KTAB: 1e-4, on the 0–1 scale). With 0 and
        no movement in the first turn, the positions are at rest: a turn without movement counts
        as quiet (ratio 0), one with movement as not (:func:`movement_ratio`).
    position_tolerance
        Two positions closer than this (Euclidean, 0–1 scale) count as one option when the
        winning probabilities of positions are reported (KTAB's ``posTol`` 1e-3).
    """

    victory_prob: VictoryProbModel = VictoryProbModel.LINEAR
    voting_rule: VotingRule = VotingRule.PROPORTIONAL
    pce: PCEModel = PCEModel.CONDITIONAL
    state_transition: StateTransition = StateTransition.DETERMINISTIC
    big_r_range: BigRRange = BigRRange.MID
    big_r_adjust: BigRAdjust = BigRAdjust.ONE_THIRD
    third_party_commit: ThirdPartyCommit = ThirdPartyCommit.SEMI_COMMIT
    inter_vec_bargain: InterVecBrgn = InterVecBrgn.S2P2
    bargain_model: BargainModel = BargainModel.INIT_ONLY
    min_turns: int = 2
    max_turns: int = 100
    min_delta_ratio: float = 0.02
    min_sig_delta: float = 1e-4
    position_tolerance: float = 1e-3

    def __post_init__(self) -> None:
        for f in fields(self):
            if isinstance(f.default, enum.Enum):
                object.__setattr__(
                    self, f.name, _parse_enum(type(f.default), getattr(self, f.name))
                )
        if not (1 <= int(self.min_turns) <= int(self.max_turns)):
            raise ModelError(
                f"turn bounds must satisfy 1 <= min_turns <= max_turns, got "
                f"{self.min_turns}, {self.max_turns}"
            )
        if not self.min_delta_ratio >= 0:
            raise ModelError(f"min_delta_ratio must be >= 0, got {self.min_delta_ratio}")
        if not 0 <= self.min_sig_delta < math.inf:
            raise ModelError(f"min_sig_delta must be finite and >= 0, got {self.min_sig_delta}")

    # KTAB's XML element names for the nine parameters, from the KTAB importer's table (a class
    # attribute, not a field)
    XML_NAMES: ClassVar[dict[str, str]] = {
        element: parameter.option for element, parameter in KTAB_MODEL_PARAMETERS.items()
    }

    @classmethod
    def from_ktab(cls, params: dict[str, str] | None = None, **overrides: Any) -> SMPOptions:
        """Options from KTAB parameter names (``{"VotingRule": "Binary", ...}``), plus overrides."""
        kwargs: dict[str, Any] = {}
        for key, value in (params or {}).items():
            name = cls.XML_NAMES.get(key, key)
            if name not in {f.name for f in fields(cls)}:
                raise ModelError(f"unknown SMP option {key!r}")
            kwargs[name] = value
        kwargs.update(overrides)
        return cls(**kwargs)

    def as_dict(self) -> dict[str, Any]:
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = v.value if isinstance(v, enum.Enum) else v
        return out


def movement_ratio(move: float, first: float) -> float:
    """The stopping rule's ratio: a turn's summed movement over the first turn's (plus
    ``min_sig_delta``). When that is 0 (no movement in the first turn and ``min_sig_delta`` 0) the
    positions are at rest: a turn without movement gives 0, one with movement ``inf``.

    >>> movement_ratio(0.5, 2.0), movement_ratio(0.0, 0.0), movement_ratio(0.1, 0.0)
    (0.25, 0.0, inf)
    """
    if first == 0.0:
        return 0.0 if move == 0.0 else math.inf
    return move / first


__all__ = [
    "BargainModel",
    "BigRAdjust",
    "BigRRange",
    "InterVecBrgn",
    "PCEModel",
    "SMPOptions",
    "StateTransition",
    "ThirdPartyCommit",
    "VictoryProbModel",
    "VotingRule",
    "movement_ratio",
]
