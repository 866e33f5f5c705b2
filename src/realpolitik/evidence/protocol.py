"""The coding protocol: an episode's facts -> a realignment scenario, by one written rule.

The same rule is applied to every episode (see ``docs/explanation/evidence.md`` for the rule in
prose). Each number written into the scenario is a :class:`Term`: a fixed part, plus a free
constant times a fact, plus a fact known only as a range, plus the unmeasured part (a standard
normal draw times the constant ``noise_scale``). The calibration moves the constants; the
backtest draws the ranges, the noise and the constants' fitted uncertainty; the scenario a user
reads has the same numbers at their point values, with distributions.

Facts dated after the decision year are refused: they are left out of every number and listed in
:attr:`CodedEpisode.refused` (and in the scenario's description), never silently used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from realpolitik.evidence import constants as K
from realpolitik.evidence.load import Episode
from realpolitik.evidence.schema import THREAT_LEVELS, Move

#: Id of the stand-in courter when the pivot may leave without joining anyone.
OUTSIDE = "OUTSIDE"
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Term:
    """One coded number: ``const + coef * constant + fact_coef * fact + noise * noise_scale * z``.

    ``fact`` names a fact known as a range (drawn uniformly between its ends; its point value is
    the middle); ``z`` is a standard normal draw shared by every term of the episode.
    """

    const: float = 0.0
    constant: str | None = None
    coef: float = 0.0
    fact: str | None = None
    fact_coef: float = 0.0
    noise: float = 0.0

    def evaluate(
        self,
        theta: Mapping[str, np.ndarray | float],
        facts: Mapping[str, np.ndarray | float],
        z: np.ndarray | float,
    ) -> np.ndarray | float:
        """The number for given constants, fact draws and noise draw (arrays broadcast)."""
        v: Any = self.const
        if self.constant is not None:
            v = v + self.coef * theta[self.constant]
        if self.fact is not None:
            v = v + self.fact_coef * facts[self.fact]
        if self.noise:
            v = v + self.noise * theta["noise_scale"] * z
        return v


@dataclass(frozen=True)
class Refusal:
    """A fact left out because it is dated after the decision year."""

    path: str
    year: int
    what: str


@dataclass
class CodedEpisode:
    """An episode coded into a scenario: the numbers as terms, and the scenario's data."""

    episode: Episode
    terms: dict[str, Term]
    fact_ranges: dict[str, tuple[float, float]]
    refused: list[Refusal]
    features: dict[str, float]
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The episode's id."""
        return self.episode.id


def _level(threat: Any) -> int:
    return 0 if threat is None else THREAT_LEVELS.index(threat.level)


def _after(year: int | None, decision_year: int) -> bool:
    return year is not None and year > decision_year


def usable_facts(episode: Episode) -> tuple[dict[str, Any], list[Refusal]]:
    """The facts the coding may use, and the refusals (facts dated after the decision year)."""
    spec, year = episode.spec, episode.spec.decision_year
    f = spec.facts
    refused: list[Refusal] = []
    kept: dict[str, Any] = {}
    for name in (
        "trade_share_incumbent",
        "trade_share_courter",
        "incumbent_threat",
        "third_party_threat",
        "courter_threat",
        "leader_change",
        "regime_change_demanded",
    ):
        fact = getattr(f, name)
        y = getattr(fact, "year", None) if fact is not None else None
        if fact is not None and y is not None and _after(y, year):
            refused.append(Refusal(f"facts.{name}", int(y), name.replace("_", " ")))
            fact = None
        kept[name] = fact
    for name in ("courter_offers", "incumbent_counters", "sunk_investments"):
        items = []
        for i, item in enumerate(getattr(f, name)):
            y = getattr(item, "year", None)
            if y is not None and _after(y, year):
                refused.append(Refusal(f"facts.{name}[{i}]", int(y), item.what))
            else:
                items.append(item)
        kept[name] = items
    kept["factions"] = list(f.factions)
    return kept, refused


def features(episode: Episode) -> dict[str, float]:
    """The facts as numbers, for the logistic baseline (the same usable facts the coding reads)."""
    kept, _ = usable_facts(episode)
    third = kept["third_party_threat"]
    inc = kept["trade_share_incumbent"]
    cou = kept["trade_share_courter"]
    counters = kept["incumbent_counters"]
    factions = kept["factions"]
    leader = kept["leader_change"]
    year = episode.spec.decision_year
    total = sum(x.size for x in factions)
    return {
        "incumbent_threat": float(_level(kept["incumbent_threat"])),
        "third_party_threat": float(
            _level(third) if third is not None and third.courter_can_address else 0
        ),
        "courter_threat": float(_level(kept["courter_threat"])),
        "leader_change": float(leader is not None and year - leader.year <= K.LEADER_WINDOW),
        "trade_share_incumbent": float(np.mean(inc.bounds)) if inc is not None else 0.0,
        "trade_share_courter": float(np.mean(cou.bounds)) if cou is not None else 0.0,
        "courter_offers": float(len(kept["courter_offers"])),
        "incumbent_offers": float(sum(m.form != "coercion" for m in counters)),
        "incumbent_coercion": float(any(m.form == "coercion" for m in counters)),
        "sunk_investments": float(len(kept["sunk_investments"])),
        "faction_position": (
            float(sum(x.size * x.position for x in factions) / total) if total else 0.5
        ),
        "regime_change_demanded": float(
            kept["regime_change_demanded"] is not None and kept["regime_change_demanded"].value
        ),
        "has_courter": float(episode.spec.courter is not None),
    }


def code_terms(episode: Episode) -> CodedEpisode:
    """Apply the protocol's rule to ``episode``: every coded number as a :class:`Term`."""
    spec = episode.spec
    kept, refused = usable_facts(episode)
    feats = features(episode)
    h = K.HEDGE_SHARE
    terms: dict[str, Term] = {}
    ranges: dict[str, tuple[float, float]] = {}

    def both(path: str, full: Term) -> None:
        """A full move's term and the hedge's (HEDGE_SHARE of it)."""
        terms[f"{path}.courter"] = full
        terms[f"{path}.hedge"] = Term(
            const=h * full.const,
            constant=full.constant,
            coef=h * full.coef,
            fact=full.fact,
            fact_coef=h * full.fact_coef,
            noise=h * full.noise,
        )

    def share(name: str) -> Term:
        fact = kept[name]
        if fact is None:
            return Term()
        low, high = fact.bounds
        if high > low:
            ranges[name] = (low, high)
            return Term(fact=name, fact_coef=K.TRADE_SCALE)
        return Term(const=low * K.TRADE_SCALE)

    r = "realignment"
    terms[f"{r}.trade.with_incumbent"] = share("trade_share_incumbent")
    terms[f"{r}.trade.gains_share"] = Term(constant="trade_weight", coef=1.0 / K.TRADE_SCALE)
    retaliation = K.RETALIATION_BASE + K.RETALIATION_COERCION * feats["incumbent_coercion"]
    both(f"{r}.trade.retaliation", Term(const=min(retaliation, 1.0)))
    both(f"{r}.trade.replacement_capacity", share("trade_share_courter"))
    threat = feats["incumbent_threat"] + feats["third_party_threat"]
    both(f"{r}.components.security", Term(const=K.THREAT_UNIT * threat))
    both(
        f"{r}.components.courter_threat",
        Term(constant="courter_threat_weight", coef=feats["courter_threat"]),
    )
    both(
        f"{r}.components.new_leader",
        Term(constant="leader_change_value", coef=feats["leader_change"]),
    )
    terms[f"{r}.components.regime_demand.courter"] = Term(
        const=-K.REGIME_DEMAND_COST * feats["regime_change_demanded"]
    )
    terms[f"{r}.components.regime_demand.hedge"] = Term()
    both(f"{r}.components.unmeasured", Term(noise=1.0))
    both(f"{r}.switching_cost", Term(constant="sunk_cost", coef=feats["sunk_investments"]))
    stake = K.STAKE if spec.courter is not None else 0.0
    both(f"{r}.courter_value", Term(const=stake))
    both(f"{r}.incumbent_value", Term(const=K.STAKE))
    if kept["factions"]:
        terms[f"{r}.domestic.weight"] = Term(constant="faction_weight", coef=1.0)
    for lever in _levers(kept, spec.courter is not None):
        terms[f"levers.{lever['id']}.value"] = Term(constant="offer_value", coef=1.0)
        terms[f"levers.{lever['id']}.cost"] = Term(constant="offer_value", coef=1.0)
    return CodedEpisode(episode, terms, ranges, refused, feats)


def _levers(kept: Mapping[str, Any], has_courter: bool) -> list[dict[str, Any]]:
    out = []
    moves: list[tuple[str, Move]] = []
    if has_courter:
        moves += [("courter", m) for m in kept["courter_offers"]]
    moves += [("incumbent", m) for m in kept["incumbent_counters"] if m.form != "coercion"]
    counts = {"courter": 0, "incumbent": 0}
    for side, move in moves:
        counts[side] += 1
        out.append(
            {
                "id": f"{side}-{counts[side]}",
                "side": side,
                "move": move,
                "commitment": move.form if move.form in K.COMMITMENT_FORMS else None,
            }
        )
    return out


# ------------------------------------------------------------------------------------------------
# the scenario a user reads


def _source_key(key: str) -> str:
    return key if _IDENT.match(key) else f"s-{re.sub(r'[^A-Za-z0-9_.-]', '-', key)}"


def _tidy(x: float) -> float:
    """A coded number as written into a scenario: nine significant digits, no negative zero."""
    return float(f"{x:.9g}") + 0.0


def _quantity(
    term: Term,
    theta: Mapping[str, float],
    spread: Mapping[str, tuple[float, float]] | None,
    ranges: Mapping[str, tuple[float, float]],
    why: str,
    source: str | None = None,
) -> dict[str, Any]:
    mids = {k: 0.5 * (a + b) for k, (a, b) in ranges.items()}
    value = float(term.evaluate(theta, mids, 0.0))
    q: dict[str, Any] = {"value": _tidy(value)}
    if source is not None:
        q["source"] = source
    q["assumption" if source is None else "note"] = why
    if term.fact is not None:
        low, high = ranges[term.fact]
        ends = sorted(_tidy(float(term.evaluate(theta, {term.fact: x}, 0.0))) for x in (low, high))
        if ends[1] > ends[0]:
            q["dist"] = {"kind": "uniform", "low": ends[0], "high": ends[1]}
    elif term.noise:
        sd = abs(term.noise) * float(theta["noise_scale"])
        if sd > 0:
            q["dist"] = {"kind": "normal", "mean": 0.0, "sd": round(sd, 6)}
    elif term.constant is not None and term.coef and spread and term.constant in spread:
        low, high = spread[term.constant]
        ends = sorted(
            _tidy(float(term.evaluate({**theta, term.constant: x}, mids, 0.0))) for x in (low, high)
        )
        mode = min(max(q["value"], ends[0]), ends[1])
        if ends[1] > ends[0]:
            q["value"] = mode
            q["dist"] = {"kind": "triangular", "low": ends[0], "mode": mode, "high": ends[1]}
    return q


def code_episode(
    episode: Episode,
    theta: Mapping[str, float] | None = None,
    spread: Mapping[str, tuple[float, float]] | None = None,
    *,
    sizes: Mapping[str, float] | None = None,
    hazards: Mapping[str, float] | None = None,
) -> CodedEpisode:
    """Code ``episode`` into a realignment scenario (plain data, valid for the scenario layer).

    Parameters
    ----------
    episode : Episode
        The facts.
    theta : mapping, optional
        Point values of the free constants (default: each constant's default).
    spread : mapping, optional
        The fitted uncertainty of each constant, ``(low, high)``: numbers that depend on a constant
        carry it as a triangular distribution.
    sizes, hazards : mapping, optional
        Capability shares and yearly leader-change rates by actor code (from COW and Archigos, see
        :mod:`realpolitik.evidence.datasets`); stated defaults when absent.

    Returns
    -------
    CodedEpisode
        The terms, refusals and features, with ``data`` the scenario's plain data.
    """
    coded = code_terms(episode)
    spec = episode.spec
    theta = {c.name: c.default for c in K.FREE_CONSTANTS} | dict(theta or {})
    kept, _ = usable_facts(episode)
    courter = spec.courter or OUTSIDE
    t, rg = coded.terms, coded.fact_ranges

    def fact_source(name: str) -> str | None:
        fact = kept.get(name)
        return _source_key(fact.source) if fact is not None else None

    def q(path: str, why: str, source: str | None = None) -> dict[str, Any]:
        return _quantity(t[path], theta, spread, rg, why, source)

    def opt(path: str, why: str, source: str | None = None) -> dict[str, Any]:
        return {o: q(f"{path}.{o}", why, source) for o in ("hedge", "courter")}

    actors = _actors(episode, kept, courter, sizes, hazards)
    levers, commitments = _levers_block(episode, kept, courter, q)
    realignment = _realignment_block(episode, kept, courter, q, opt, fact_source)
    refused_text = "; ".join(f"{x.what} ({x.year}, {x.path})" for x in coded.refused)
    coded.data = {
        "realpolitik": 1,
        "name": f"episode-{spec.id}",
        "title": spec.title,
        "year": spec.decision_year,
        "unit": "levels of threat per year (the coding protocol's unit)",
        "strict_provenance": True,
        "description": (
            f"Coded from the episode {spec.id} by realpolitik's coding protocol, constants "
            + ", ".join(f"{k}={theta[k]:.4g}" for k in K.FREE_NAMES)
            + ". Facts refused (dated after the decision year): "
            + (refused_text or "none")
            + "."
        ),
        "dimensions": {
            "orientation": {
                "low": f"stay with {spec.incumbent}",
                "high": f"align with {courter}",
                "range": [0, 100],
            }
        },
        "actors": actors,
        "commitments": commitments,
        "levers": levers,
        "realignment": realignment,
        "analyses": ["realignment"],
        "sources": _sources(episode, bool(sizes), bool(hazards)),
    }
    return coded


def _sources(episode: Episode, cow: bool, archigos: bool) -> dict[str, dict[str, str]]:
    """The episode's sources under scenario keys, with the protocol and the datasets it read."""
    sources = {
        _source_key(k): {"title": s.cite, **({"url": s.url} if s.url else {})}
        for k, s in episode.spec.sources.items()
    }
    sources["realpolitik-protocol"] = {
        "title": "realpolitik's coding protocol for episodes (docs/explanation/evidence.md)"
    }
    if cow:
        sources["cow-nmc"] = {"title": "COW National Material Capabilities v7.0 (CINC)"}
    if archigos:
        sources["archigos"] = {"title": "Archigos v4.1 (Goemans, Gleditsch and Chiozza 2009)"}
    return sources


def _actors(
    episode: Episode,
    kept: Mapping[str, Any],
    courter: str,
    sizes: Mapping[str, float] | None,
    hazards: Mapping[str, float] | None,
) -> list[dict[str, Any]]:
    """The scenario's actors: pivot, incumbent and courter (sizes and turnover from the data
    where given), and the pivot's factions."""
    spec = episode.spec
    actors: list[dict[str, Any]] = []
    names = {spec.pivot: "pivot", spec.incumbent: "incumbent", courter: "courter"}
    for code, role in names.items():
        size = (sizes or {}).get(code)
        hazard = (hazards or {}).get(code)
        actor: dict[str, Any] = {
            "id": code,
            "name": "no one (the pivot leaves without joining a side)" if code == OUTSIDE else code,
            "kind": "state",
            "size": (
                {"value": round(size, 6), "source": "cow-nmc", "note": "CINC share of the three"}
                if size is not None
                else {"value": round(1 / 3, 6), "assumption": "COW capabilities not available"}
            ),
            "description": f"the {role}",
        }
        if code != OUTSIDE:
            actor["turnover"] = {
                "annual_hazard": (
                    {
                        "value": round(hazard, 6),
                        "source": "archigos",
                        "note": f"leader changes a year in the {K.HAZARD_WINDOW} years before",
                    }
                    if hazard is not None
                    else {
                        "value": K.DEFAULT_HAZARD,
                        "assumption": "Archigos not available: the protocol's default rate",
                    }
                )
            }
        actors.append(actor)
    for i, fac in enumerate(kept["factions"]):
        actors.append(
            {
                "id": f"{spec.pivot}-faction-{i + 1}",
                "name": fac.name,
                "kind": "faction",
                "parent": spec.pivot,
                "size": {"value": fac.size, "source": _source_key(fac.source)},
                "position": {
                    "orientation": {"value": 100 * fac.position, "source": _source_key(fac.source)}
                },
                "salience": {
                    "orientation": {"value": 1.0, "assumption": "every faction cares fully"}
                },
            }
        )

    return actors


def _levers_block(
    episode: Episode, kept: Mapping[str, Any], courter: str, q: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The levers (one per usable offer and non-coercive counter) and the commitment forms they use."""
    spec = episode.spec
    levers, commitments_used = [], set()
    for lever in _levers(kept, spec.courter is not None):
        move: Move = lever["move"]
        giver = courter if lever["side"] == "courter" else spec.incumbent
        src = _source_key(move.source)
        entry: dict[str, Any] = {
            "id": lever["id"],
            "by": giver,
            "to": spec.pivot,
            "description": f"{move.what} ({move.form}, {move.year})",
            "value": q(f"levers.{lever['id']}.value", "offer_value: one offer's yearly value"),
            "cost": q(f"levers.{lever['id']}.cost", "a transfer: costs the giver its value"),
        }
        if move.value is not None:
            entry["description"] += f"; recorded size {move.value:g} {move.unit} ({src})"
        if lever["commitment"]:
            entry["commitment"] = lever["commitment"]
            commitments_used.add(lever["commitment"])
        levers.append(entry)
    commitments = [
        {
            "id": form,
            "description": f"a promise made as a {form}",
            "annual_repudiation": {
                "value": K.COMMITMENT_FORMS[form][0],
                "assumption": "the protocol's fixed durability of this form",
            },
            "successor_repudiation": {
                "value": K.COMMITMENT_FORMS[form][1],
                "assumption": "the protocol's fixed durability of this form",
            },
        }
        for form in sorted(commitments_used)
    ]

    return levers, commitments


def _realignment_block(
    episode: Episode, kept: Mapping[str, Any], courter: str, q: Any, opt: Any, fact_source: Any
) -> dict[str, Any]:
    """The scenario's ``realignment:`` block, every number from the protocol's terms."""
    spec = episode.spec
    r = "realignment"
    components = {
        "security": opt(
            f"{r}.components.security",
            "THREAT_UNIT per level of the incumbent's threat and of a third-party threat the "
            "courter can address (escaped by the move)",
            fact_source("incumbent_threat"),
        ),
        "courter_threat": opt(
            f"{r}.components.courter_threat",
            "courter_threat_weight per level of the courter's own threat to the pivot",
            fact_source("courter_threat"),
        ),
        "new_leader": opt(
            f"{r}.components.new_leader",
            "leader_change_value if the pivot's leader changed in the three years before",
            fact_source("leader_change"),
        ),
        "regime_demand": opt(
            f"{r}.components.regime_demand",
            "REGIME_DEMAND_COST if the courter demands a change of regime",
            fact_source("regime_change_demanded"),
        ),
        "unmeasured": opt(
            f"{r}.components.unmeasured",
            "what the facts do not measure: normal with sd noise_scale (mean 0)",
        ),
    }
    realignment: dict[str, Any] = {
        "pivot": spec.pivot,
        "incumbent": spec.incumbent,
        "courter": courter,
        "horizon": {"value": K.HORIZON, "assumption": "the protocol's fixed horizon"},
        "discount_rate": {"value": K.DISCOUNT_RATE, "assumption": "the protocol's fixed rate"},
        "trade": {
            "with_incumbent": q(
                f"{r}.trade.with_incumbent",
                "hundredths of the pivot's total trade (TRADE_SCALE)",
                fact_source("trade_share_incumbent"),
            ),
            "gains_share": q(f"{r}.trade.gains_share", "trade_weight"),
            "retaliation": opt(
                f"{r}.trade.retaliation",
                "RETALIATION_BASE, plus RETALIATION_COERCION if the incumbent coerces",
            ),
            "replacement_capacity": opt(
                f"{r}.trade.replacement_capacity",
                "the courter's bloc's trade with the pivot, in hundredths of its total (TRADE_SCALE)",
                fact_source("trade_share_courter"),
            ),
        },
        "components": components,
        "switching_cost": opt(
            f"{r}.switching_cost", "sunk_cost per investment tied to the incumbent"
        ),
        "courter_value": opt(f"{r}.courter_value", "STAKE (0 without a courter)"),
        "incumbent_value": opt(f"{r}.incumbent_value", "STAKE"),
    }
    if kept["factions"]:
        realignment["domestic"] = {
            "dimension": "orientation",
            "weight": q(f"{r}.domestic.weight", "faction_weight"),
            "model": "mean",
        }
    return realignment
