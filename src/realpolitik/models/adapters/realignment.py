"""Registry entry for the realignment model: from a scenario's ``realignment:`` block, its levers,
commitments, actors' turnover and (optionally) the pivot's factions to a
:class:`~realpolitik.models.realignment.RealignmentProblem`, for one point or a batch of draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from realpolitik.models.registry import Analysis, AnalysisContext, ModelSpec, register
from realpolitik.scenario.model import Scenario

#: Where on the pivot's orientation (0 = incumbent, 1 = courter) each option sits.
OPTION_POSITION = {"hedge": 0.5, "courter": 1.0}
#: Simulated paths per draw for the year-by-year probabilities of a point run.
POINT_PATHS = 4000


def _levers_to_pivot(scenario: Scenario) -> list[Any]:
    r = scenario.spec.realignment
    sides = {r.incumbent, r.courter, *r.courter_allies, *r.incumbent_allies}
    return [lv for lv in scenario.spec.levers if lv.to == r.pivot and lv.by in sides]


def _turnover(scenario: Scenario, actor_id: str, get) -> Any:
    from realpolitik.models.commitment import Turnover

    t = scenario.actor(actor_id).turnover
    if t is None:
        return Turnover()
    base = f"actors.{actor_id}.turnover"
    year = scenario.spec.year
    next_election = 1
    if t.next_election is not None:
        next_election = max(1, t.next_election - year) if year else 1
    return Turnover(
        annual_hazard=get(f"{base}.annual_hazard") if t.annual_hazard is not None else 0.0,
        elections_every=t.elections_every or 0,
        next_election=next_election,
        change_probability=(
            get(f"{base}.change_probability") if t.change_probability is not None else 0.0
        ),
    )


def domestic_position(
    scenario: Scenario, samples: Mapping[str, np.ndarray] | None, size: int
) -> np.ndarray | None:
    """The pivot's factions' bargaining outcome on its orientation, scaled to [0, 1], per draw.

    ``mean``: the capability x salience weighted mean of the factions' positions. ``smp`` / ``bdm``:
    the model's forecast at the point values, shifted per draw by the change of that weighted mean
    (the bargaining models are not re-run for every draw; see the realignment docs).
    """
    from realpolitik.models.adapters.bargaining import faction_arrays

    r = scenario.spec.realignment
    if r is None or r.domestic is None:
        return None
    dim = r.domestic.dimension
    names, cap, pos, sal = faction_arrays(scenario, r.pivot, [dim], samples, size)
    w = cap * sal[..., 0]
    mean = np.sum(w * pos[..., 0], axis=-1) / np.sum(w, axis=-1) / 100.0
    if r.domestic.model == "mean":
        return mean
    _, cap0, pos0, sal0 = faction_arrays(scenario, r.pivot, [dim])
    w0 = cap0 * sal0[:, 0]
    mean0 = float(np.sum(w0 * pos0[:, 0]) / np.sum(w0)) / 100.0
    if r.domestic.model == "smp":
        from realpolitik.models.bargaining import run_smp

        point = float(run_smp(cap0, pos0, sal0, rng=0).forecast()["weighted_mean"][0]) / 100.0
    else:
        from realpolitik.models.bargaining import BDMOptions, run_bdm

        res = run_bdm(cap0, pos0[:, 0] / 100.0, sal0[:, 0] / 100.0, 0.0, 1.0, options=BDMOptions())
        point = float(res.weighted_mean[-1])
    return np.clip(point + (mean - mean0), 0.0, 1.0)


def problem_from_scenario(
    scenario: Scenario, samples: Mapping[str, np.ndarray] | None = None, size: int | None = None
):
    """The realignment problem of ``scenario``: point values, or a batch with ``samples``."""
    from realpolitik.errors import ModelError
    from realpolitik.models.realignment import COURTER, INCUMBENT, PRINCIPAL, RealignmentProblem
    from realpolitik.models.realignment.claims import threat_terms

    r = scenario.spec.realignment
    B = size or 1

    def get(path: str) -> np.ndarray:
        return scenario.values_array(path, samples, B)

    def opt(path: str) -> np.ndarray:
        return np.stack([get(f"{path}.hedge"), get(f"{path}.courter")], axis=-1)

    comp_names = list(r.components)
    comps = [opt(f"realignment.components.{c}") for c in comp_names]
    z = domestic_position(scenario, samples, B)
    if z is not None:
        w = get("realignment.domestic.weight")
        dom = np.stack([w * (z - np.abs(z - OPTION_POSITION[o])) for o in ("hedge", "courter")], -1)
        comps.append(dom)
        comp_names.append("domestic")
    levers = _levers_to_pivot(scenario)
    threats = threat_terms(r, levers, get, B)
    comps += [threats.components[:, k] for k in range(len(threats.names))]
    comp_names += list(threats.names)
    components = np.stack(comps, axis=1) if comps else np.zeros((B, 0, 2))
    incumbent_side = {r.incumbent, *r.incumbent_allies}
    allies = [a for a in r.payer_value]
    ally_side = [INCUMBENT if a in incumbent_side else COURTER for a in allies]
    payer_value = (
        np.stack([opt(f"realignment.payer_value.{a}") for a in allies], axis=1)
        if allies
        else np.zeros((B, 0, 2))
    )

    def lever_arr(fn) -> np.ndarray:
        return np.stack([fn(lv) for lv in levers], axis=-1) if levers else np.zeros((B, 0))

    def rep(lv, key: str) -> np.ndarray:
        if lv.commitment is None:
            return np.zeros(B)
        return get(f"commitments.{lv.commitment}.{key}")

    if r.pivot_commitment is not None:
        p_annual = get(f"commitments.{r.pivot_commitment}.annual_repudiation")
        p_succ = get(f"commitments.{r.pivot_commitment}.successor_repudiation")
    else:
        p_annual = p_succ = np.zeros(B)
    tr = r.trade
    if tr.retaliation_commitment is not None:
        r_annual = get(f"commitments.{tr.retaliation_commitment}.annual_repudiation")
        r_succ = get(f"commitments.{tr.retaliation_commitment}.successor_repudiation")
    else:
        r_annual = r_succ = np.zeros(B)
    horizon = get("realignment.horizon")
    if np.any(horizon != np.round(horizon)):
        raise ModelError(
            "realignment.horizon must be whole years; a draw gave "
            f"{float(horizon[horizon != np.round(horizon)][0]):g} (use a 'choice' distribution)"
        )
    return RealignmentProblem(
        trade_with_incumbent=get("realignment.trade.with_incumbent"),
        gains_share=get("realignment.trade.gains_share"),
        retaliation=opt("realignment.trade.retaliation"),
        replacement_capacity=opt("realignment.trade.replacement_capacity"),
        components=components,
        component_names=tuple(comp_names),
        switching_cost=opt("realignment.switching_cost"),
        courter_value=opt("realignment.courter_value") + threats.courter_value,
        incumbent_value=opt("realignment.incumbent_value") + threats.incumbent_value,
        retaliation_credibility=(
            get("realignment.trade.retaliation_credibility")
            if tr.retaliation_credibility is not None
            else np.ones(B)
        ),
        retaliation_annual_repudiation=r_annual,
        retaliation_successor_repudiation=r_succ,
        incumbent_gains_share=(
            get("realignment.trade.incumbent_gains_share")
            if tr.incumbent_gains_share is not None
            else None
        ),
        payer_names=tuple(allies),
        payer_side=np.array(ally_side, int),
        payer_value=payer_value,
        lever_payer=np.array(
            [allies.index(lv.payer) if lv.payer in allies else PRINCIPAL for lv in levers], int
        ),
        lever_names=tuple(lv.id for lv in levers),
        lever_side=np.array(
            [INCUMBENT if lv.by in incumbent_side else COURTER for lv in levers], int
        ),
        lever_value=lever_arr(lambda lv: get(f"levers.{lv.id}.value")) + threats.lever_value,
        lever_cost=lever_arr(lambda lv: get(f"levers.{lv.id}.cost")),
        lever_min=lever_arr(lambda lv: np.full(B, lv.extent.min)),
        lever_max=lever_arr(lambda lv: np.full(B, lv.extent.max)),
        lever_binary=np.array([lv.binary for lv in levers], bool),
        lever_capacity=lever_arr(
            lambda lv: (
                get(f"levers.{lv.id}.adds_replacement_capacity")
                if lv.adds_replacement_capacity is not None
                else np.zeros(B)
            )
        ),
        lever_committed=np.array([lv.commitment is not None for lv in levers], bool),
        lever_annual_repudiation=lever_arr(lambda lv: rep(lv, "annual_repudiation")),
        lever_successor_repudiation=lever_arr(lambda lv: rep(lv, "successor_repudiation")),
        horizon=horizon.astype(int),
        discount_rate=get("realignment.discount_rate"),
        pivot_turnover=_turnover(scenario, r.pivot, get),
        incumbent_turnover=_turnover(scenario, r.incumbent, get),
        courter_turnover=_turnover(scenario, r.courter, get),
        pivot_annual_repudiation=p_annual,
        pivot_successor_repudiation=p_succ,
        successor_shift=(
            opt("realignment.successor_shift")
            if r.successor_shift is not None
            else np.zeros((B, 2))
        ),
    )


def commitment_comparison(scenario: Scenario, problem) -> list[dict[str, Any]]:
    """Re-price the courter's promises under each commitment form the scenario declares (F4c)."""
    from realpolitik.models.realignment import COURTER, solve

    courter_promise = (problem.lever_side == COURTER) & problem.lever_committed
    rows: list[dict[str, Any]] = []
    if not courter_promise.any():
        return rows
    r = scenario.spec.realignment
    others = {lv.commitment for lv in scenario.spec.levers if lv.by == r.incumbent}
    others.add(r.pivot_commitment)
    for form in scenario.spec.commitments:
        if (
            form.id in others
        ):  # the pivot's own or the incumbent's forms are not the courter's choice
            continue
        annual = problem.lever_annual_repudiation.copy()
        succ = problem.lever_successor_repudiation.copy()
        annual[:, courter_promise] = form.annual_repudiation.value
        succ[:, courter_promise] = form.successor_repudiation.value
        sol = solve(
            problem.with_changes(lever_annual_repudiation=annual, lever_successor_repudiation=succ)
        )
        price = float(sol.price[0, 1])
        rows.append(
            {
                "form": form.id,
                "outcome": ("stay", "hedge", "courter")[int(sol.outcome[0])],
                "price": None if not np.isfinite(price) else price,
                "margin": None if not np.isfinite(sol.margin[0, 1]) else float(sol.margin[0, 1]),
                "hedge_price": (
                    None if not np.isfinite(sol.price[0, 0]) else float(sol.price[0, 0])
                ),
            }
        )
    return rows


def _fmt(x: Any) -> str:
    if x is None:
        return "out of reach"
    return f"{x:,.1f}"


def analyze(scenario: Scenario, ctx: AnalysisContext) -> Analysis:
    import pandas as pd

    from realpolitik.models.realignment import result_dict, simulate, solve

    r = scenario.spec.realignment
    problem = problem_from_scenario(scenario)
    solution = solve(problem)
    sim = simulate(
        problem,
        rng=np.random.SeedSequence(ctx.seed).spawn(1)[0],
        solution=solution,
        paths=POINT_PATHS,
    )
    out = result_dict(problem, solution, sim)
    out["commitment_forms"] = commitment_comparison(scenario, problem)
    in_game = {lv.id for lv in _levers_to_pivot(scenario)}
    out["levers_ignored"] = [lv.id for lv in scenario.spec.levers if lv.id not in in_game]
    label = {a: scenario.actor(a).label for a in (r.pivot, r.incumbent, r.courter)}
    outcome_text = {
        "stay": f"{label[r.pivot]} stays with {label[r.incumbent]}",
        "hedge": f"{label[r.pivot]} hedges between the two",
        "courter": f"{label[r.pivot]} aligns with {label[r.courter]}",
    }[out["outcome"]]
    lines = [
        f"Outcome at the point values: {outcome_text}.",
        f"Price of a full realignment (cost to {label[r.courter]}'s side, present value over the "
        f"horizon): {_fmt(out['price'])}",
        f"{label[r.courter]}'s willingness to pay: {_fmt(out['courter_willingness_to_pay'])};  "
        f"{label[r.incumbent]}'s maximum retention bid: {_fmt(out['incumbent_max_bid'])};  "
        f"margin: {_fmt(out['margin'])}",
        f"Price of a hedge: {_fmt(out['hedge']['price'])} against willingness to pay "
        f"{_fmt(out['hedge']['courter_willingness_to_pay'])} (margin {_fmt(out['hedge']['margin'])})",
        "Options' value to the pivot before any offer (present value against staying): "
        + ", ".join(f"{k} {v:,.1f}" for k, v in out["options"].items()),
        "Why a full realignment costs what it does: what the package must make up, by cause "
        "(positive adds to the price, negative lowers it):",
    ]
    deco = out["decomposition_value"]
    for cause, v in sorted(deco.items(), key=lambda kv: -abs(kv[1])):
        if abs(v) > 1e-9:
            lines.append(f"  {cause:<22} {v:>12,.1f}")
    if out["package"]:
        offered = {k: v for k, v in out["package"].items() if v > 1e-9}
        lines.append(
            "Cheapest package for a full realignment: "
            + (
                ", ".join(f"{k} x{v:.2f}" for k, v in offered.items()) or "none needed"
                if out["feasible"]
                else "no package within the levers' bounds"
            )
        )
    if out["commitment_forms"]:
        lines.append("The same package under each commitment form of the courter's promises:")
        for row in out["commitment_forms"]:
            lines.append(
                f"  {row['form']:<24} outcome {row['outcome']:<8} price {_fmt(row['price'])}"
                f"  margin {_fmt(row['margin'])}"
            )
    by_year = out.get("p_realign_by_year", [])
    if by_year:
        lines.append(
            "Probability the pivot is aligned with the courter, by year (leadership "
            "turnover of all three, point values): " + " ".join(f"{v:.2f}" for v in by_year)
        )
        lines.append(
            f"Expected duration of a realignment: {_fmt(out.get('expected_duration'))} years"
        )
    rows = []
    for c, v in deco.items():
        row = {"cause": c, "value to the pivot": round(v, 6) + 0.0}
        if out["feasible"]:
            row["cost to the courter's side"] = round(out["decomposition"][c], 6) + 0.0
        rows.append(row)
    tables = {"price decomposition": pd.DataFrame(rows)}
    if by_year:
        tables["alignment by year"] = pd.DataFrame(
            {
                "year": np.arange(1, len(by_year) + 1) + (scenario.spec.year or 0),
                "p_courter": by_year,
                "p_hedge": out.get("p_hedge_by_year", []),
            }
        )
    figures = _figures(out, scenario)
    return Analysis("realignment", out, tables=tables, lines=lines, figures=figures)


def _figures(out: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    import plotly.graph_objects as go

    figs = {}
    deco = {k: v for k, v in out["decomposition_value"].items() if abs(v) > 1e-9}
    if deco:
        fig = go.Figure(
            go.Waterfall(
                x=[*deco, "what the package must make up"],
                y=[*deco.values(), 0.0],
                measure=["relative"] * len(deco) + ["total"],
            )
        )
        fig.update_layout(
            title="What a full realignment must make up, by cause (value to the pivot)",
            height=380,
            margin=dict(l=40, r=20, t=50, b=80),
        )
        figs["decomposition"] = fig
    by_year = out.get("p_realign_by_year", [])
    if by_year:
        years = list(range(1, len(by_year) + 1))
        if scenario.spec.year:
            years = [scenario.spec.year + y for y in years]
        fig = go.Figure(
            [
                go.Scatter(
                    x=years, y=by_year, name="aligned with the courter", mode="lines+markers"
                ),
                go.Scatter(
                    x=years, y=out.get("p_hedge_by_year", []), name="hedging", mode="lines+markers"
                ),
            ]
        )
        fig.update_layout(
            title="Probability of each alignment by year",
            yaxis_range=[0, 1],
            height=360,
            margin=dict(l=40, r=20, t=50, b=40),
        )
        figs["by-year"] = fig
    return figs


def evaluate(
    scenario: Scenario, samples: Mapping[str, np.ndarray], rng: Any
) -> dict[str, np.ndarray]:
    """Per-draw outcomes of the realignment model for a batch of sampled draws."""
    from realpolitik.models.realignment import evaluate_batch

    size = len(next(iter(samples.values()))) if samples else 1
    problem = problem_from_scenario(scenario, samples, size)
    last = int(np.max(problem.horizon))
    out = evaluate_batch(problem, rng, years=tuple(range(1, last + 1)))
    result = {k: np.asarray(v, dtype=float) for k, v in out.items()}
    # The realignment gap: what the pivot must be given to realign, per unit of what the courter
    # would pay for it. Above 1 the courter cannot buy the pivot even with levers that cost it no
    # more than they are worth; the horizon and discounting cancel out of the ratio.
    wtp = result["willingness_to_pay"]
    result["gap_ratio"] = np.clip(result["need"] / np.maximum(wtp, 1e-9), -1e6, 1e6)
    return result


SPEC = register(
    ModelSpec(
        name="realignment",
        title="Realignment: the price of flipping a pivot",
        summary="A bidding game for a pivot between its incumbent partner and a courter, with "
        "discounted promises and a year-by-year simulation of leadership turnover.",
        analyze=analyze,
        evaluate=evaluate,
        stochastic=True,
        min_actors=3,
        outputs=(
            "courter_wins",
            "hedges",
            "stays",
            "price",
            "willingness_to_pay",
            "incumbent_max_bid",
            "margin",
            "need",
            "gap_ratio",
            "realignment_duration",
        ),
        references=(
            "groseclose1996buying",
            "fearon1995rationalist",
            "goemans2009archigos",
            "dittmer1981strategic",
        ),
        applies=lambda s: s.spec.realignment is not None,
    )
)
