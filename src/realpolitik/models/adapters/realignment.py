"""Registry entry for the realignment model: from a scenario's ``realignment:`` block, its levers,
commitments, actors' turnover and (optionally) the pivot's factions to a
:class:`~realpolitik.models.realignment.RealignmentProblem`, for one point or a batch of draws;
and from the model's solution to the typed :class:`RealignmentResult` and the declared outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.errors import ModelError
from realpolitik.models.adapters.realignment_compare import compare_runs
from realpolitik.models.registry import AnalysisContext, ModelSpec, register
from realpolitik.models.results import ModelResult, Output, finite_or_none
from realpolitik.scenario.model import Scenario, key_path

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.models.plain_table import PlainTable

#: Where on the pivot's orientation (0 = incumbent, 1 = courter) each option sits.
OPTION_POSITION = {"hedge": 0.5, "courter": 1.0}
#: The courter's id and label in a result when the scenario has none (the pivot's ``hedge`` is
#: then its exit).
NO_COURTER, NO_COURTER_LABEL = "", "no courter"
#: Simulated paths per draw for the year-by-year probabilities of a point run.
POINT_PATHS = 4000


def _levers_to_pivot(scenario: Scenario) -> list[Any]:
    r = scenario.realignment_block
    sides = {r.incumbent, r.courter, *r.courter_allies, *r.incumbent_allies}
    return [lv for lv in scenario.spec.levers if lv.to == r.pivot and lv.by in sides]


def _turnover(scenario: Scenario, actor_id: str, get: Callable[[str], np.ndarray]) -> Any:
    from realpolitik.models.commitment import Turnover

    t = scenario.actor(actor_id).turnover
    if t is None:
        return Turnover()
    base = key_path("actors", actor_id, "turnover")
    year = scenario.spec.year
    next_election = 1
    if t.next_election is not None:
        next_election = max(1, t.next_election - year) if year else 1
    return Turnover(
        annual_hazard=get(key_path(base, "annual_hazard")) if t.annual_hazard is not None else 0.0,
        elections_every=t.elections_every or 0,
        next_election=next_election,
        change_probability=(
            get(key_path(base, "change_probability")) if t.change_probability is not None else 0.0
        ),
    )


def _bargained_position(model: str, cap: np.ndarray, pos: np.ndarray, sal: np.ndarray) -> float:
    """One draw's bargaining outcome on the pivot's orientation, in [0, 1]: SMP's forecast
    (weighted mean, seed 0) or BDM's weighted mean after its rounds."""
    if model == "smp":
        from realpolitik.models.bargaining import run_smp

        return float(run_smp(cap, pos, sal, rng=0).forecast()["weighted_mean"][0]) / 100.0
    from realpolitik.models.bargaining import BDMOptions, run_bdm

    res = run_bdm(cap, pos[:, 0] / 100.0, sal[:, 0] / 100.0, 0.0, 1.0, options=BDMOptions())
    return float(res.weighted_mean[-1])


def domestic_position(
    scenario: Scenario, samples: Mapping[str, np.ndarray] | None, size: int
) -> np.ndarray | None:
    """The pivot's factions' bargaining outcome on its orientation, scaled to [0, 1], per draw.

    ``mean``: the capability x salience weighted mean of the factions' positions. ``smp`` / ``bdm``:
    the model run on each draw's factions (sizes, positions, saliences), cached on those inputs, so
    that draws which do not move the factions share one run.
    """
    from realpolitik.models.adapters.bargaining import faction_arrays

    r = scenario.spec.realignment
    if r is None:
        raise ModelError("the scenario has no realignment block")
    if r.domestic is None:
        return None
    dim = r.domestic.dimension
    names, cap, pos, sal = faction_arrays(
        scenario, r.pivot, [dim], None if samples is None else dict(samples), size
    )
    if r.domestic.model == "mean":
        w = cap * sal[..., 0]
        mean = np.sum(w * pos[..., 0], axis=-1) / np.sum(w, axis=-1) / 100.0
        return np.asarray(mean, dtype=float)
    cache: dict[bytes, float] = {}
    out = np.empty(cap.shape[0])
    for b in range(cap.shape[0]):
        key = cap[b].tobytes() + pos[b].tobytes() + sal[b].tobytes()
        if key not in cache:
            cache[key] = _bargained_position(r.domestic.model, cap[b], pos[b], sal[b])
        out[b] = cache[key]
    return np.clip(out, 0.0, 1.0)


#: The two numbers of a commitment form, in the columns of :func:`commitment_forms`' table.
FORM_FIELDS = ("annual_repudiation", "successor_repudiation")
#: The form index of a lever that is not a promise (delivered at once, never repudiated).
NO_FORM = -1


def commitment_forms(
    scenario: Scenario, get: Callable[[str], np.ndarray], size: int
) -> tuple[tuple[str, ...], np.ndarray]:
    """The scenario's commitment forms and their table: ``(ids, table)`` with ``table[b, f, k]``
    the ``k``-th of :data:`FORM_FIELDS` of form ``f`` in draw ``b``; a last row of zeros stands
    for :data:`NO_FORM` (index -1), so that ``table[:, index]`` gives every lever its numbers."""
    ids = tuple(form.id for form in scenario.spec.commitments)
    rows = [
        np.stack([get(key_path("commitments", f, field)) for field in FORM_FIELDS], axis=-1)
        for f in ids
    ]
    table = np.stack([*rows, np.zeros((size, len(FORM_FIELDS)))], axis=1)
    return ids, table


def lever_forms(levers: Sequence[Any], forms: Sequence[str]) -> np.ndarray:
    """Each lever's commitment form as an index into the forms (:data:`NO_FORM` for none)."""
    return np.array(
        [NO_FORM if lv.commitment is None else forms.index(lv.commitment) for lv in levers],
        dtype=int,
    )


#: The numbers of an uncertain form, in the columns of :func:`form_mixture`'s table: the chance
#: the form is obtained and its fallback form's two numbers.
MIXTURE_FIELDS = ("ratification_probability", "fallback_annual", "fallback_successor")


def form_mixture(scenario: Scenario, get: Callable[[str], np.ndarray], size: int) -> np.ndarray:
    """``table[b, f, k]``: the ``k``-th of :data:`MIXTURE_FIELDS` of form ``f`` (a form without a
    ``fallback`` is certain: probability 1, its own numbers), with a last row for
    :data:`NO_FORM` (certain, never repudiated), in the order of :func:`commitment_forms`."""
    rows = []
    by_id = {c.id: c for c in scenario.spec.commitments}
    for c in scenario.spec.commitments:
        fb = by_id[c.fallback] if c.fallback is not None else c
        p = (
            get(key_path("commitments", c.id, "ratification_probability"))
            if c.ratification_probability is not None
            else np.ones(size)
        )
        rows.append(
            np.stack(
                [
                    p,
                    get(key_path("commitments", fb.id, "annual_repudiation")),
                    get(key_path("commitments", fb.id, "successor_repudiation")),
                ],
                axis=-1,
            )
        )
    last = np.stack([np.ones(size), np.zeros(size), np.zeros(size)], axis=-1)
    return np.stack([*rows, last], axis=1)


def _form_numbers(
    scenario: Scenario, get: Callable[[str], np.ndarray], form: str | None, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """A form's two numbers per draw (:data:`FORM_FIELDS`; zeros for no form): column ``form``
    of :func:`commitment_forms`' table, read without building the table."""
    if form is None:
        zeros = np.zeros(size)
        return zeros, zeros
    _form_ids(scenario).index(form)  # an unknown form fails as the table's index would
    a, b = (get(key_path("commitments", form, field)) for field in FORM_FIELDS)
    return a, b


def _form_ids(scenario: Scenario) -> tuple[str, ...]:
    """The scenario's commitment forms, in the order of :func:`commitment_forms`."""
    return tuple(form.id for form in scenario.spec.commitments)


def _lever_form_kwargs(
    scenario: Scenario, levers: Sequence[Any], get: Callable[[str], np.ndarray], size: int
) -> dict[str, np.ndarray]:
    """The levers' commitment numbers, ``(B, levers)`` each: what :func:`commitment_forms`' and
    :func:`form_mixture`'s tables give them through :func:`lever_forms`' index, the same values
    taken from the draws directly (building the two tables, indexing them and copying the
    strided results cost a flagship batch of 20,000 draws about 2 ms more)."""
    lever_forms(levers, _form_ids(scenario))  # an unknown form fails as before
    by_id = {c.id: c for c in scenario.spec.commitments}
    ones, zeros = np.ones(size), np.zeros(size)
    columns: list[list[np.ndarray]] = [[] for _ in range(5)]
    for lv in levers:
        if lv.commitment is None:  # NO_FORM's rows: never repudiated, certain
            numbers = (zeros, zeros, ones, zeros, zeros)
        else:
            c = by_id[lv.commitment]
            fb = by_id[c.fallback] if c.fallback is not None else c
            numbers = (
                *_form_numbers(scenario, get, c.id, size),
                (
                    get(key_path("commitments", c.id, "ratification_probability"))
                    if c.ratification_probability is not None
                    else ones
                ),
                get(key_path("commitments", fb.id, "annual_repudiation")),
                get(key_path("commitments", fb.id, "successor_repudiation")),
            )
        for column, values in zip(columns, numbers, strict=True):
            column.append(values)
    names = (
        "lever_annual_repudiation",
        "lever_successor_repudiation",
        "lever_form_probability",
        "lever_fallback_annual_repudiation",
        "lever_fallback_successor_repudiation",
    )
    return {
        name: np.stack(column, axis=-1) if levers else np.zeros((size, 0))
        for name, column in zip(names, columns, strict=True)
    }


def _option_pair(get: Callable[[str], np.ndarray], *keys: str) -> np.ndarray:
    """The hedge and courter values of an option-valued number, as the last axis."""
    return np.stack([get(key_path(*keys, "hedge")), get(key_path(*keys, "courter"))], axis=-1)


def _components(
    scenario: Scenario, get: Callable[[str], np.ndarray], samples: Any, size: int
) -> tuple[np.ndarray, tuple[str, ...]]:
    """The value components of each option (B, causes, 2), with the factions' domestic term."""
    r = scenario.realignment_block
    names = list(r.components)
    comps = [_option_pair(get, "realignment", "components", c) for c in names]
    z = domestic_position(scenario, samples, size)
    if z is not None:
        w = get(key_path("realignment", "domestic", "weight"))
        dom = np.stack([w * (z - np.abs(z - OPTION_POSITION[o])) for o in ("hedge", "courter")], -1)
        comps.append(dom)
        names.append("domestic")
    stacked = np.stack(comps, axis=1) if comps else np.zeros((size, 0, 2))
    return stacked, tuple(names)


def _lever_kwargs(
    scenario: Scenario,
    levers: Sequence[Any],
    get: Callable[[str], np.ndarray],
    size: int,
    threat_value: np.ndarray,
) -> dict[str, Any]:
    """The levers' arrays (columns in the order of ``levers``): values (with what the threats
    they relieve add), costs, bounds, capacity, payers and commitment forms."""
    from realpolitik.models.realignment import COURTER, INCUMBENT, PRINCIPAL

    r = scenario.realignment_block
    B = size

    def column(field: str, default: float | None = None) -> np.ndarray:
        cols = [
            get(key_path("levers", lv.id, field))
            if default is None or getattr(lv, field) is not None
            else np.full(B, default)
            for lv in levers
        ]
        return np.stack(cols, axis=-1) if levers else np.zeros((B, 0))

    def bound(which: str) -> np.ndarray:
        cols = [np.full(B, getattr(lv.extent, which)) for lv in levers]
        return np.stack(cols, -1) if levers else np.zeros((B, 0))

    incumbent_side = {r.incumbent, *r.incumbent_allies}
    allies = list(r.payer_value)
    return dict(
        lever_payer=np.array(
            [allies.index(lv.payer) if lv.payer in allies else PRINCIPAL for lv in levers], int
        ),
        lever_names=tuple(lv.id for lv in levers),
        lever_side=np.array(
            [INCUMBENT if lv.by in incumbent_side else COURTER for lv in levers], int
        ),
        lever_value=column("value") + threat_value,
        lever_cost=column("cost"),
        lever_min=bound("min"),
        lever_max=bound("max"),
        lever_binary=np.array([lv.binary for lv in levers], bool),
        lever_capacity=column("adds_replacement_capacity", default=0.0),
        lever_committed=np.array([lv.commitment is not None for lv in levers], bool),
        **_lever_form_kwargs(scenario, levers, get, B),
    )


def _trade_kwargs(
    scenario: Scenario, get: Callable[[str], np.ndarray], size: int
) -> dict[str, Any]:
    """Trade with the incumbent, its retaliation (credibility, how long a cut is sustained,
    what it costs the incumbent) and the courter side's replacement capacity."""
    r = scenario.realignment_block
    tr = r.trade
    annual, successor = _form_numbers(scenario, get, tr.retaliation_commitment, size)
    return dict(
        trade_with_incumbent=get("realignment.trade.with_incumbent"),
        gains_share=get("realignment.trade.gains_share"),
        retaliation=_option_pair(get, "realignment", "trade", "retaliation"),
        replacement_capacity=_option_pair(get, "realignment", "trade", "replacement_capacity"),
        retaliation_credibility=(
            get("realignment.trade.retaliation_credibility")
            if tr.retaliation_credibility is not None
            else np.ones(size)
        ),
        retaliation_annual_repudiation=annual,
        retaliation_successor_repudiation=successor,
        incumbent_gains_share=(
            get("realignment.trade.incumbent_gains_share")
            if tr.incumbent_gains_share is not None
            else None
        ),
    )


def _sides_kwargs(
    scenario: Scenario, get: Callable[[str], np.ndarray], size: int, threats: Any
) -> dict[str, Any]:
    """The two sides' valuations (with what the threats add), the allies that pay with their
    own valuation, the three actors' turnover and the pivot's own commitment."""
    from realpolitik.models.commitment import Turnover
    from realpolitik.models.realignment import COURTER, INCUMBENT

    r = scenario.realignment_block
    incumbent_side = {r.incumbent, *r.incumbent_allies}
    allies = list(r.payer_value)
    pivot_annual, pivot_successor = _form_numbers(scenario, get, r.pivot_commitment, size)
    courter_value = (
        np.zeros((size, 2))
        if r.courter_value is None
        else _option_pair(get, "realignment", "courter_value")
    )
    return dict(
        courter_value=courter_value + threats.courter_value,
        incumbent_value=_option_pair(get, "realignment", "incumbent_value")
        + threats.incumbent_value,
        payer_names=tuple(allies),
        payer_side=np.array([INCUMBENT if a in incumbent_side else COURTER for a in allies], int),
        payer_value=(
            np.stack([_option_pair(get, "realignment", "payer_value", a) for a in allies], 1)
            if allies
            else np.zeros((size, 0, 2))
        ),
        pivot_turnover=_turnover(scenario, r.pivot, get),
        incumbent_turnover=_turnover(scenario, r.incumbent, get),
        courter_turnover=_turnover(scenario, r.courter, get) if r.courter else Turnover(),
        pivot_annual_repudiation=pivot_annual,
        pivot_successor_repudiation=pivot_successor,
        incumbent_decline=(
            get("realignment.incumbent_decline")
            if r.incumbent_decline is not None
            else np.zeros(size)
        ),
    )


def _whole_years(horizon: np.ndarray) -> np.ndarray:
    """The drawn horizons as integers; a draw that is not whole years is refused (the scenario
    loader refuses such a distribution already, with its file and line)."""
    odd = horizon != np.round(horizon)
    if np.any(odd):
        raise ModelError(
            "realignment.horizon must be whole years; a draw gave "
            f"{float(horizon[odd][0]):g} (use a 'choice' distribution)"
        )
    return horizon.astype(int)


def problem_from_scenario(
    scenario: Scenario, samples: Mapping[str, np.ndarray] | None = None, size: int | None = None
) -> Any:
    """The realignment problem of ``scenario``: point values, or a batch with ``samples``.

    Plan the lookups (every number by its key path, the point value or its draws), then build the
    arrays: option-valued numbers as pairs, levers as columns, commitment forms as an index into
    the table of forms; add what the threats reach (:mod:`realpolitik.models.realignment.claims`),
    the allies' own valuations and the retaliation's credibility.
    """
    from realpolitik.models.realignment import RealignmentProblem
    from realpolitik.models.realignment.claims import threat_terms

    r = scenario.realignment_block
    B = size or 1

    def get(path: str) -> np.ndarray:
        if r.courter is None and path.startswith("realignment.") and path.endswith(".courter"):
            return np.zeros(B)  # no courter: its option is closed and has no values
        return scenario.values_array(path, samples, B)

    components, component_names = _components(scenario, get, samples, B)
    levers = _levers_to_pivot(scenario)
    threats = threat_terms(r, levers, get, B, scenario.spec.relations)
    return RealignmentProblem(
        **_trade_kwargs(scenario, get, B),
        **_sides_kwargs(scenario, get, B, threats),
        **_lever_kwargs(scenario, levers, get, B, threats.lever_value),
        components=np.concatenate([components, threats.components], axis=1),
        component_names=component_names + threats.names,
        switching_cost=_option_pair(get, "realignment", "switching_cost"),
        horizon=_whole_years(get("realignment.horizon")),
        discount_rate=get("realignment.discount_rate"),
        successor_shift=(
            _option_pair(get, "realignment", "successor_shift")
            if r.successor_shift is not None
            else np.zeros((B, 2))
        ),
        has_courter=r.courter is not None,
        regime_blocks=regime_blocks(r),
    )


def regime_blocks(r: Any) -> list[bool]:
    """Whether ``realignment.regime_demands`` closes the hedge / courter option while the
    pivot's current government rules."""
    closes = () if r.regime_demands is None else r.regime_demands.closes
    return [o in closes for o in ("hedge", "courter")]


#: The pivot's options in the model's order (0 stay, 1 hedge, 2 courter), by their output names.
OUTCOME_NAMES = ("stays", "hedges", "realigns")

#: The realignment model's scalar outputs (the by-year series are added per scenario).
OUTPUTS: tuple[Output, ...] = (
    Output(
        "realigns",
        "indicator",
        "1 if the pivot aligns with the courter, else 0",
        "the pivot aligns with the courter",
    ),
    Output(
        "hedges",
        "indicator",
        "1 if the pivot hedges between the two, else 0",
        "the pivot hedges between the two",
    ),
    Output(
        "stays",
        "indicator",
        "1 if the pivot stays with its partner, else 0",
        "the pivot stays with its partner",
    ),
    Output(
        "price",
        "money",
        "scenario money unit, present value; NaN when out of reach",
        "the courting side's cost of the cheapest package that buys a full realignment",
    ),
    Output(
        "price_reachable",
        "indicator",
        "1 if some package within the levers' bounds buys a full realignment, else 0",
        "a full realignment can be bought",
    ),
    Output(
        "price_hedge",
        "money",
        "scenario money unit, present value; NaN when out of reach",
        "the courting side's cost of the cheapest package that buys a hedge",
    ),
    Output(
        "willingness_to_pay",
        "money",
        "scenario money unit, present value",
        "the courter's willingness to pay for a full realignment",
    ),
    Output(
        "retention_bid",
        "money",
        "scenario money unit, present value",
        "the partner's maximum bid to keep the pivot",
    ),
    Output(
        "margin",
        "money",
        "scenario money unit, present value; NaN when out of reach",
        "willingness to pay minus price of a full realignment",
    ),
    Output(
        "need",
        "money",
        "value to the pivot, present value",
        "the value the pivot must be given to realign",
    ),
    Output(
        "gap_ratio",
        "ratio",
        "value the pivot must be given per unit of willingness to pay",
        "the realignment gap (value the pivot must be given / the courter's willingness to pay)",
    ),
    Output(
        "duration",
        "count",
        "years, censored at the horizon",
        "how long a realignment of year 1 lasts",
    ),
    Output(
        "affordable",
        "indicator",
        "1 if some package buys a full realignment with every payer of the courter's side no "
        "worse off, else 0",
        "the courter's side can afford a full realignment",
    ),
    Output(
        "stake_binds",
        "indicator",
        "1 if a package within the levers' bounds buys a full realignment but some payer's stake "
        "stops the courter's side, else 0",
        "a payer's stake, not the levers, stops a full realignment",
    ),
    Output(
        "incumbent_stake",
        "money",
        "incumbent side's money, present value",
        "what the incumbent's side loses if the pivot aligns with the courter (its budget)",
    ),
    Output(
        "retaliation_cost",
        "money",
        "incumbent's money, present value",
        "the trade the incumbent gives up by retaliating against a full realignment",
    ),
)


def _years(scenario: Scenario) -> int:
    """The longest horizon the scenario allows (its point value or its distribution's bound)."""
    path = "realignment.horizon"
    high = scenario.value(path)
    for u in scenario.uncertainties():
        if u.path == path:
            high = max(high, u.dist.support()[1])
    return max(1, int(round(high)))


def year_outputs(scenario: Scenario) -> tuple[Output, ...]:
    """The by-year series: ``realigns_year_k`` and ``hedges_year_k`` for every year k."""
    out = []
    for k in range(1, _years(scenario) + 1):
        out.append(
            Output(
                f"realigns_year_{k}",
                "indicator",
                f"1 if the pivot is aligned with the courter in year {k}, else 0",
                f"the pivot is aligned with the courter in year {k}",
            )
        )
        out.append(
            Output(
                f"hedges_year_{k}",
                "indicator",
                f"1 if the pivot hedges in year {k}, else 0",
                f"the pivot hedges in year {k}",
            )
        )
    return tuple(out)


def applies(scenario: Scenario) -> bool:
    """The model needs a ``realignment:`` block."""
    return scenario.spec.realignment is not None


def declares(scenario: Scenario) -> tuple[Output, ...]:
    """The outputs on ``scenario``: :data:`OUTPUTS` and the by-year series of its horizon."""
    return OUTPUTS + year_outputs(scenario) if applies(scenario) else OUTPUTS


def commitment_comparison(scenario: Scenario, problem: Any) -> list[dict[str, Any]]:
    """Re-price the courter's promises under each commitment form the scenario declares (F4c):
    the courter's promised levers point, in turn, at each row of the table of forms."""
    from realpolitik.models.realignment import COURTER, solve

    courter_promise = (problem.lever_side == COURTER) & problem.lever_committed
    rows: list[dict[str, Any]] = []
    if not courter_promise.any():
        return rows
    r = scenario.realignment_block
    point = lambda path: scenario.values_array(path, None, 1)  # noqa: E731
    forms, table = commitment_forms(scenario, point, 1)
    mixture = form_mixture(scenario, point, 1)
    levers = _levers_to_pivot(scenario)
    index = lever_forms(levers, forms)
    others = {lv.commitment for lv in scenario.spec.levers if lv.by == r.incumbent}
    others.add(r.pivot_commitment)
    # the pivot's own or the incumbent's forms are not the courter's
    mine = [f for f, form in enumerate(forms) if form not in others]
    if not mine:
        return rows
    # every form in one batch: row i re-prices the point with the courter's promises under
    # form mine[i]
    chosen = np.array([np.where(courter_promise, f, index) for f in mine])  # (F, L)
    stacked = problem.take(np.zeros(len(mine), int)).with_changes(
        lever_annual_repudiation=table[0, chosen, 0],
        lever_successor_repudiation=table[0, chosen, 1],
        lever_form_probability=mixture[0, chosen, 0],
        lever_fallback_annual_repudiation=mixture[0, chosen, 1],
        lever_fallback_successor_repudiation=mixture[0, chosen, 2],
    )
    sol = solve(stacked)
    for i, f in enumerate(mine):
        rows.append(
            {
                "form": forms[f],
                "outcome": OUTCOME_NAMES[int(sol.outcome[i])],
                "price": finite_or_none(sol.price[i, 1]),
                "margin": finite_or_none(sol.margin[i, 1]),
                "price_hedge": finite_or_none(sol.price[i, 0]),
            }
        )
    return rows


@dataclass(frozen=True)
class RealignmentResult(ModelResult):
    """The realignment model on a scenario's point values.

    Money is in the scenario's unit, present value over the horizon; ``None`` where no package
    within the levers' bounds can buy the target (JSON has no infinity). ``by_year`` arrays give
    the share of simulated paths (leadership turnover of all three actors) with the pivot in each
    option in years ``1..horizon``.
    """

    pivot: str = ""
    incumbent: str = ""
    courter: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    year: int | None = None
    unit: str = ""
    outcome: str = "stays"  # one of OUTCOME_NAMES
    offer_target: str | None = None  # None, "hedges" or "realigns"
    price: float | None = None
    price_value: float | None = None
    price_trade_value: float | None = None
    willingness_to_pay: float = 0.0
    retention_bid: float = 0.0
    margin: float | None = None
    reachable: bool = False
    price_hedge: float | None = None
    willingness_to_pay_hedge: float = 0.0
    margin_hedge: float | None = None
    hedge: Mapping[str, Any] = field(default_factory=dict)
    option_values: Mapping[str, float] = field(default_factory=dict)
    decomposition: Mapping[str, float] = field(default_factory=dict)
    decomposition_value: Mapping[str, float] = field(default_factory=dict)
    package: Mapping[str, float] = field(default_factory=dict)
    counter: Mapping[str, float] = field(default_factory=dict)
    commitment_forms: tuple[Mapping[str, Any], ...] = ()
    levers_ignored: tuple[str, ...] = ()
    realigns_by_year: tuple[float, ...] = ()
    hedges_by_year: tuple[float, ...] = ()
    expected_duration: float | None = None
    method: str = ""
    point_outputs: Mapping[str, float] = field(default_factory=dict)
    affordable: bool = False
    courter_binds: str = "none"  # "none", "levers" or "stake": what stops the courter's side
    incumbent_binds: str = "levers"  # "levers" or "stake": what limits the retention bid
    incumbent_stake: float = 0.0
    incumbent_lever_limit: float = 0.0
    retaliation_cost: float = 0.0
    payers: Mapping[str, Mapping[str, float | None]] = field(default_factory=dict)
    shapley: Mapping[str, Any] = field(default_factory=dict)
    threats: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    draws_by_year: tuple[int, ...] = ()

    def outputs(self) -> dict[str, float]:
        """The declared outputs at the point values (by-year ones as shares of paths)."""
        return dict(self.point_outputs)

    def to_summary(self) -> dict[str, Any]:
        """JSON-ready: the outcome, prices, the decomposition, packages and the by-year series."""
        return {
            "outcome": self.outcome,
            "offer_target": self.offer_target,
            "price": self.price,
            "price_reachable": self.reachable,
            "price_value": self.price_value,
            "price_trade_value": self.price_trade_value,
            "willingness_to_pay": self.willingness_to_pay,
            "retention_bid": self.retention_bid,
            "margin": self.margin,
            "price_hedge": self.price_hedge,
            "willingness_to_pay_hedge": self.willingness_to_pay_hedge,
            "margin_hedge": self.margin_hedge,
            "hedge": dict(self.hedge),
            "option_values": dict(self.option_values),
            "decomposition": dict(self.decomposition),
            "decomposition_value": dict(self.decomposition_value),
            "package": dict(self.package),
            "counter": dict(self.counter),
            "commitment_forms": [dict(r) for r in self.commitment_forms],
            "levers_ignored": list(self.levers_ignored),
            "realigns_by_year": list(self.realigns_by_year),
            "hedges_by_year": list(self.hedges_by_year),
            "draws_by_year": list(self.draws_by_year),
            "expected_duration": self.expected_duration,
            "method": self.method,
            "affordable": self.affordable,
            "courter_binds": self.courter_binds,
            "incumbent_binds": self.incumbent_binds,
            "incumbent_stake": self.incumbent_stake,
            "incumbent_lever_limit": self.incumbent_lever_limit,
            "retaliation_cost": self.retaliation_cost,
            "payers": {k: dict(v) for k, v in self.payers.items()},
            "shapley": _jsonable(self.shapley),
            "threats": {k: list(v) for k, v in self.threats.items()},
            "outputs": {k: finite_or_none(v) for k, v in self.point_outputs.items()},
            "provenance": self.provenance.to_dict(),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """The price decomposition by cause and the alignment by year."""
        import pandas as pd

        return {name: pd.DataFrame(data) for name, data in self._table_data().items()}

    def report_tables(self) -> dict[str, PlainTable | None]:
        """:meth:`tables` as plain rows (built from the same data, without pandas)."""
        from realpolitik.models.plain_table import PlainTable

        out: dict[str, PlainTable | None] = {}
        for name, data in self._table_data().items():
            is_rows = isinstance(data, list)
            out[name] = PlainTable.from_records(data) if is_rows else PlainTable.from_columns(data)
        return out

    def _table_data(self) -> dict[str, Any]:
        """Each table's data: a list of row dicts or a dict of columns."""
        rows = []
        for cause, v in self.decomposition_value.items():
            row = {"cause": cause, "value to the pivot": round(v, 6) + 0.0}
            if self.reachable:
                row["cost to the courter's side"] = round(self.decomposition[cause], 6) + 0.0
            rows.append(row)
        tables: dict[str, Any] = {"price decomposition": rows}
        if self.shapley:
            groups = self.shapley["groups"]
            tables["causal decomposition"] = {
                "cause": groups,
                "need (value to the pivot)": self.shapley["realigns"]["need"],
                "price (courter's side)": self.shapley["realigns"]["price"],
                "need of a hedge": self.shapley["hedges"]["need"],
                "price of a hedge": self.shapley["hedges"]["price"],
            }
        if self.payers:
            tables["payers"] = [{"payer": k, **v} for k, v in self.payers.items()]
        if self.realigns_by_year:
            tables["alignment by year"] = {
                "year": self.calendar_years(),
                "realigns": list(self.realigns_by_year),
                "hedges": list(self.hedges_by_year),
            }
        return tables

    def calendar_years(self) -> list[int]:
        """Years 1..horizon, as calendar years when the scenario has a year."""
        return [(self.year or 0) + k for k in range(1, len(self.realigns_by_year) + 1)]


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, float | np.floating):
        return finite_or_none(float(x))
    return x


def _point_outputs(
    scenario: Scenario, problem: Any, solution: Any, sim: Any, ctx: AnalysisContext
) -> dict[str, float]:
    """The declared outputs at the point values (empty with the option ``point_outputs`` false:
    their one-path simulation, for the duration, is then skipped)."""
    from realpolitik.models.realignment import evaluate_batch

    if not ctx.options.get("point_outputs", True):
        return {}
    rng = np.random.default_rng(ctx.seed)
    out = evaluate_batch(problem, rng, years=(), solution=solution)
    values = {k: float(v[0]) for k, v in _outputs_from_batch(out, _years(scenario)).items()}
    T = 0 if sim is None else sim.p_aligned.shape[0]
    for k in range(1, _years(scenario) + 1):  # shares of the simulated paths, not one path
        inside = k <= T and sim.covered[k - 1] > 0
        values[f"realigns_year_{k}"] = float(sim.p_aligned[k - 1, 2]) if inside else float("nan")
        values[f"hedges_year_{k}"] = float(sim.p_aligned[k - 1, 1]) if inside else float("nan")
    return values


#: Cause groups of the causal decomposition beyond one group per component.
_ATOM_GROUPS = ("retaliation", "switching_cost", "incumbent_levers", "credibility")


def shapley_summary(problem: Any) -> dict[str, Any]:
    """Exact Shapley values of need and price over the causes (one group per cause) at the
    point values, for a full realignment and for a hedge (NaN where a price is out of reach)."""
    from realpolitik.models.realignment import shapley_decomposition

    sh = shapley_decomposition(problem)
    out: dict[str, Any] = {"groups": list(sh.groups)}
    for j, name in ((1, "realigns"), (0, "hedges")):
        out[name] = {
            "need": [float(v) for v in sh.need[0, j]],
            "price": [float(v) for v in sh.price[0, j]],
            "need_total": float(sh.need_total[0, j]),
            "price_total": float(sh.price_total[0, j]),
        }
    return out


def _hedge_block(hedge: Mapping[str, Any]) -> dict[str, Any]:
    """The hedge's prices and package under the result's names."""
    return {
        "price": hedge.get("price"),
        "price_value": hedge.get("price_value"),
        "price_trade_value": hedge.get("price_trade_value"),
        "willingness_to_pay": hedge.get("courter_willingness_to_pay"),
        "retention_bid": hedge.get("incumbent_max_bid"),
        "margin": hedge.get("margin"),
        "price_reachable": hedge.get("feasible"),
        "decomposition": hedge.get("decomposition", {}),
        "package": hedge.get("package", {}),
    }


def _point_simulation(problem: Any, solution: Any, seed: int, paths: int) -> Any:
    """The by-year simulation of the point run over ``paths`` paths (``None`` for 0 paths)."""
    from realpolitik.models.realignment import simulate

    if paths <= 0:
        return None
    rng = np.random.SeedSequence(seed).spawn(1)[0]
    return simulate(problem, rng=rng, solution=solution, paths=paths)


def analyze(scenario: Scenario, ctx: AnalysisContext) -> RealignmentResult:
    """The point run: the equilibrium, prices, decomposition and the by-year simulation.

    Options (``ctx.options``), for callers that show only part of the result (the dashboard,
    which takes the by-year figures from its draws): ``point_paths`` (default
    :data:`POINT_PATHS`; 0 skips the by-year simulation, whose fields are then empty),
    ``commitment_forms`` (default true; false skips re-pricing the package under each form) and
    ``point_outputs`` (default true; false leaves :attr:`RealignmentResult.point_outputs` empty).
    """
    from realpolitik.models.realignment import result_dict, solve

    r = scenario.realignment_block
    problem = problem_from_scenario(scenario)
    solution = solve(problem)
    paths = int(ctx.options.get("point_paths", POINT_PATHS))
    sim = _point_simulation(problem, solution, ctx.seed, paths)
    d = result_dict(problem, solution, sim)
    from realpolitik.models.realignment.claims import threat_reach

    courter = r.courter or NO_COURTER
    payers = {(courter if p == "courter" else p): v for p, v in d["payers"].items()}
    in_game = {lv.id for lv in _levers_to_pivot(scenario)}
    target = {None: None, "hedge": "hedges", "courter": "realigns"}[d["offer_target"]]
    hedge = dict(d["hedge"])
    return RealignmentResult(
        model="realignment",
        provenance=ctx.provenance(scenario, point_paths=paths),
        pivot=r.pivot,
        incumbent=r.incumbent,
        courter=courter,
        labels={
            a: scenario.actor(a).label if a != NO_COURTER else NO_COURTER_LABEL
            for a in (r.pivot, r.incumbent, courter)
        },
        year=scenario.spec.year,
        unit=scenario.spec.unit,
        outcome=OUTCOME_NAMES[("stay", "hedge", "courter").index(d["outcome"])],
        offer_target=target,
        price=d["price"],
        price_value=d["price_value"],
        price_trade_value=d["price_trade_value"],
        willingness_to_pay=d["courter_willingness_to_pay"],
        retention_bid=d["incumbent_max_bid"],
        margin=d["margin"],
        reachable=d["feasible"],
        price_hedge=hedge.get("price"),
        willingness_to_pay_hedge=hedge.get("courter_willingness_to_pay", 0.0),
        margin_hedge=hedge.get("margin"),
        hedge=_hedge_block(hedge),
        option_values={n: v for n, v in zip(OUTCOME_NAMES, d["options"].values(), strict=True)},
        decomposition=d["decomposition"],
        decomposition_value=d["decomposition_value"],
        package=d["package"],
        counter=d["counter"],
        commitment_forms=(
            tuple(commitment_comparison(scenario, problem))
            if ctx.options.get("commitment_forms", True)
            else ()
        ),
        levers_ignored=tuple(lv.id for lv in scenario.spec.levers if lv.id not in in_game),
        realigns_by_year=tuple(d.get("p_realign_by_year", ())),
        hedges_by_year=tuple(d.get("p_hedge_by_year", ())),
        expected_duration=d.get("expected_duration"),
        method=d["method"],
        point_outputs=_point_outputs(scenario, problem, solution, sim, ctx),
        affordable=d["affordable"],
        courter_binds=d["courter_binds"],
        incumbent_binds=d["incumbent_binds"],
        incumbent_stake=d["incumbent_stake"],
        incumbent_lever_limit=d["incumbent_lever_limit"],
        retaliation_cost=d["retaliation_cost"],
        payers=payers,
        shapley=shapley_summary(problem),
        threats={
            k: tuple(v)
            for k, v in threat_reach(r, _levers_to_pivot(scenario), scenario.spec.relations).items()
        },
        draws_by_year=tuple(d.get("draws_by_year", ())),
    )


def _nan_where_unreachable(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return np.where(np.isfinite(x), x, np.nan)


def _outputs_from_batch(out: Mapping[str, np.ndarray], years: int) -> dict[str, np.ndarray]:
    """The model's batch keys under the declared output names (inf prices become NaN)."""
    f = {k: np.asarray(v, dtype=float) for k, v in out.items()}
    wtp = f["willingness_to_pay"]
    result = {
        "realigns": f["courter_wins"],
        "hedges": f["hedges"],
        "stays": f["stays"],
        "price": _nan_where_unreachable(f["price"]),
        "price_reachable": np.isfinite(f["price"]).astype(float),
        "price_hedge": _nan_where_unreachable(f["price_hedge"]),
        "willingness_to_pay": wtp,
        "retention_bid": f["incumbent_max_bid"],
        "margin": _nan_where_unreachable(f["margin"]),
        "need": f["need"],
        # The realignment gap: what the pivot must be given to realign, per unit of what the
        # courter would pay for it. Above 1 the courter cannot buy the pivot even with levers that
        # cost it no more than they are worth; the horizon and discounting cancel out of the ratio.
        "gap_ratio": np.clip(f["need"] / np.maximum(wtp, 1e-9), -1e6, 1e6),
        "duration": f["realignment_duration"],
        "affordable": f["affordable"],
        "stake_binds": (f["courter_binds"] == 2).astype(float),
        "incumbent_stake": f["incumbent_stake"],
        "retaliation_cost": f["retaliation_cost"],
    }
    nan = np.full_like(f["courter_wins"], np.nan)
    for k in range(1, years + 1):
        # a draw whose horizon ends before year k has no state in year k (NaN: not counted)
        result[f"realigns_year_{k}"] = f.get(f"p_courter_year_{k}", nan)
        result[f"hedges_year_{k}"] = f.get(f"p_hedge_year_{k}", nan)
    return result


def evaluate(
    scenario: Scenario, samples: Mapping[str, np.ndarray], rng: Any
) -> dict[str, np.ndarray]:
    """The declared outputs of the realignment model for a batch of sampled draws."""
    from realpolitik.models.realignment import evaluate_batch

    size = len(next(iter(samples.values()))) if samples else 1
    problem = problem_from_scenario(scenario, samples, size)
    years = _years(scenario)
    out = evaluate_batch(problem, rng, years=tuple(range(1, years + 1)))
    return _outputs_from_batch(out, years)


def _simulated_output(name: str) -> bool:
    """Whether the output ``name`` needs the year-by-year simulation (the others come from the
    year-1 game)."""
    return name == "duration" or name.startswith(("realigns_year_", "hedges_year_"))


def evaluate_some(
    scenario: Scenario, samples: Mapping[str, np.ndarray], rng: Any, names: frozenset[str]
) -> dict[str, np.ndarray]:
    """The outputs ``names`` for a batch of sampled draws, the same arrays as :func:`evaluate`
    gives them: when none of them needs the simulation, the year-1 game alone is solved (the
    game draws no random numbers, so skipping the simulation changes none of its outputs)."""
    from realpolitik.models.realignment import evaluate_batch

    if any(_simulated_output(n) for n in names):
        out = evaluate(scenario, samples, rng)
    else:
        size = len(next(iter(samples.values()))) if samples else 1
        problem = problem_from_scenario(scenario, samples, size)
        game = evaluate_batch(problem, rng, years=(), simulated=False)
        out = _outputs_from_batch({**game, "realignment_duration": game["courter_wins"]}, 0)
    return {n: out[n] for n in names}


SPEC = register(
    ModelSpec(
        name="realignment",
        title="Realignment: the price of flipping a pivot",
        summary="A bidding game for a pivot between its incumbent partner and a courter, with "
        "discounted promises and a year-by-year simulation of leadership turnover.",
        analyze=analyze,
        evaluate=evaluate,
        evaluate_some=evaluate_some,
        outputs=OUTPUTS,
        declares=declares,
        stochastic=True,
        min_actors=2,  # a pivot and its incumbent (the courter is optional)
        references=(
            "groseclose1996buying",
            "fearon1995rationalist",
            "goemans2009archigos",
            "dittmer1981strategic",
        ),
        applies=applies,
        compare=compare_runs,
    )
)
