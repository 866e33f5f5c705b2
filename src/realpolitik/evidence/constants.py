"""The coding protocol's constants: the free ones the calibration fits, and the fixed ones.

Every number the protocol writes into a scenario is a fact of the episode, a free constant below
times a fact, or a fixed constant below. The unit of every value is **one level of threat per
year**: a threat one level higher (none < low < medium < high, by the episode format's written
rule) that the pivot escapes by an option is worth 1 a year to it. Values are scale-free in the
realignment model (scaling all of them changes no outcome), so one unit must be fixed; we fix the
threat, the cause the diplomatic-history literature finds most often decisive.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FreeConstant:
    """A constant of the coding protocol that the calibration fits to the library's outcomes.

    ``low`` and ``high`` bound the search; ``default`` is used before any fit.
    """

    name: str
    default: float
    low: float
    high: float
    meaning: str


#: The free constants, in the order of the fitted vector.
FREE_CONSTANTS: tuple[FreeConstant, ...] = (
    FreeConstant(
        "trade_weight",
        2.0,
        0.0,
        40.0,
        "Yearly value to the pivot of trade worth its whole trade (the scenario's gains_share times "
        "TRADE_SCALE, with trade measured in hundredths of the pivot's total goods trade).",
    ),
    FreeConstant(
        "offer_value",
        0.5,
        0.0,
        5.0,
        "Yearly value to the pivot of one offer by the courter or one counter-offer by the "
        "incumbent at full extent (each lever's value; its cost to the giver is the same).",
    ),
    FreeConstant(
        "leader_change_value",
        1.0,
        0.0,
        12.0,
        "Yearly value of a full move toward the courter under a leader who took office in the "
        "three years before the decision (a component 'new_leader').",
    ),
    FreeConstant(
        "faction_weight",
        1.0,
        0.0,
        40.0,
        "Yearly value to the pivot's leader of the factions' full support (the scenario's "
        "domestic.weight, factions combined by their weighted mean).",
    ),
    FreeConstant(
        "courter_threat_weight",
        -1.0,
        -8.0,
        8.0,
        "Yearly value of a full move per level of the courter's own threat to the pivot: negative "
        "if pivots balance against a threatening courter (Walt 1987), positive if they bandwagon "
        "with it. Its sign is left to the data.",
    ),
    FreeConstant(
        "sunk_cost",
        1.0,
        0.0,
        30.0,
        "One-off cost to the pivot of each investment tied to the incumbent that a full move "
        "strands (the scenario's switching_cost, per investment listed).",
    ),
    FreeConstant(
        "noise_scale",
        1.0,
        0.05,
        10.0,
        "Standard deviation of the yearly value of a full move that the facts do not measure (a "
        "component 'unmeasured', normal with mean 0).",
    ),
)

FREE_NAMES: tuple[str, ...] = tuple(c.name for c in FREE_CONSTANTS)

# ---- fixed constants (not fitted; each a stated assumption) ------------------------------------

#: The model is never certain: probabilities enter the likelihood and the log score within
#: [PROB_FLOOR, 1 - PROB_FLOOR].
PROB_FLOOR = 0.01

#: Value per year of one level of threat (none 0, low 1, medium 2, high 3): the unit.
THREAT_UNIT = 1.0
#: Trade is coded in hundredths of the pivot's total goods trade, so that the scenario's
#: ``gains_share`` (value per unit of trade, ``trade_weight / TRADE_SCALE``) stays a share in [0, 1]
#: as the scenario format requires; the product, and so every coded value, does not depend on it.
TRADE_SCALE = 100.0
#: A hedge is coded as this share of a full move on every component (its security gain, its
#: trade loss, its stranded investments, its factions' position, the courter's stake in it).
HEDGE_SHARE = 0.5
#: Share of its trade with the pivot the incumbent cuts against a full move, without coercion.
RETALIATION_BASE = 0.5
#: Added to that share when the incumbent's counter-measures include coercion.
RETALIATION_COERCION = 0.5
#: Yearly stake of the courter and of the incumbent in a full move: large, so that the sides'
#: listed levers, which the facts give, bind rather than their unmeasured valuations.
STAKE = 50.0
#: Yearly cost of a full move when the courter demands a change of the pivot's regime: more than
#: any coded value, so no package meets it while that government rules.
REGIME_DEMAND_COST = 100.0
#: Years over which the pivot values its options, and its yearly discount rate.
HORIZON = 10
DISCOUNT_RATE = 0.05
#: A leader change counts when it happened this many years before the decision year, or less.
LEADER_WINDOW = 3
#: Yearly probability that a state's leader changes when Archigos is not available.
DEFAULT_HAZARD = 0.1
#: Years of Archigos before the decision year used for a state's leader-change rate.
HAZARD_WINDOW = 20
#: How durable each form of promise is: (annual repudiation, repudiation by a new government).
#: Aid and coercion are delivered at once (no commitment).
COMMITMENT_FORMS: dict[str, tuple[float, float]] = {
    "statement": (0.15, 0.5),
    "agreement": (0.08, 0.3),
    "treaty": (0.03, 0.1),
}
