"""Loading and validating scenario files: once, at the boundary, with every problem reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from realpolitik.errors import Problem, ScenarioError
from realpolitik.scenario.documents import read_document, validate_document
from realpolitik.scenario.model import Scenario
from realpolitik.scenario.schema import BUILTIN_COMPONENTS, ScenarioSpec
from realpolitik.scenario.yamlio import Loc, SourceMap, format_loc

#: Component names the realignment decomposition reserves (its own terms).
RESERVED_CAUSES = (
    "retaliation",
    "replacement",
    "switching_cost",
    "incumbent_counter",
    "outside_option",
    "credibility",
    "excess",
    "incumbent_levers",
)


def load(source: str | Path, *, text: str | None = None) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    source : str or Path
        A path to a YAML file, or the name of a shipped example (``reverse-kissinger``).
    text : str, optional
        The YAML text itself; ``source`` is then only used as the file name in messages.

    Raises
    ------
    ScenarioError
        With every problem found, each naming the file, line, key path, what was expected and
        what was given.
    """
    data, smap, file = read_document(source, text, _resolve)
    return from_dict(data, file=file, source_map=smap)


def loads(text: str, file: str = "<string>") -> Scenario:
    """Load a scenario from YAML text."""
    return load(file, text=text)


def _resolve(source: str | Path) -> Path:
    p = Path(source)
    if p.exists() or p.suffix in (".yaml", ".yml") or "/" in str(source):
        return p
    from realpolitik.scenario.examples import example_path

    found = example_path(str(source))
    return found if found is not None else p


def from_dict(data: Any, *, file: str = "<data>", source_map: SourceMap | None = None) -> Scenario:
    """Validate plain data (as parsed from YAML or built in code) into a :class:`Scenario`."""
    smap = source_map or SourceMap(file)
    spec = validate_document(
        data, ScenarioSpec, what="a scenario", smap=smap, known_keys=_known_keys
    )
    scenario = Scenario(spec, file=file, source_map=smap)
    problems = check_references(scenario)
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: p.line or 0))
    return scenario


def _check_correlations(scenario: Scenario, smap: SourceMap, paths: Any) -> list[Problem]:
    """The checks a run makes of ``correlations`` (same messages), made when loading.

    Each pair names two different uncertain numbers, once, with ``-1 < rho < 1``; together the
    pairs form a matrix whose Gaussian-copula correlation (``2 sin(pi rho / 6)``) is positive
    definite.
    """
    spec = scenario.spec
    out: list[Problem] = []

    def add(message: str, loc: Loc, expected: str | None = None, got: str | None = None) -> None:
        out.append(
            Problem(
                message,
                file=smap.file,
                line=smap.line(loc),
                path=format_loc(loc),
                expected=expected,
                got=got,
            )
        )

    if not spec.correlations:
        return out
    uncertain = {p: k for k, p in enumerate(sorted(_uncertain_paths(scenario, paths)))}
    pairs = _correlation_pairs(spec, paths, uncertain, add)
    if pairs is not None and not _positive_definite(len(uncertain), pairs):
        add(
            "the correlations are inconsistent: the correlation matrix is not positive definite",
            ("correlations",),
            "rank correlations that can hold together",
            f"{len(spec.correlations)} pairs that cannot",
        )
    return out


def _correlation_pairs(
    spec: Any, paths: Any, uncertain: dict[str, int], add: Any
) -> list[tuple[int, int, float]] | None:
    """``[(i, j, rho)]`` of the declared correlations, or None if any of them is unusable (each
    problem reported through ``add``)."""
    seen: dict[frozenset[str], int] = {}
    pairs: list[tuple[int, int, float]] | None = []
    for i, corr in enumerate(spec.correlations):
        a, b = corr.paths
        bad = False
        for k, p in enumerate(corr.paths):
            if p not in paths:
                add("no number at this path", ("correlations", i, "paths", k), "a key path", p)
                bad = True
            elif p not in uncertain:
                add(
                    f"correlation names {p!r}, which is not an uncertain input",
                    ("correlations", i, "paths", k),
                    "the key path of a number with a dist",
                    p,
                )
                bad = True
        if a == b:
            add(f"correlation of {a!r} with itself", ("correlations", i, "paths"), "two paths", a)
            bad = True
        if not -1 < corr.rho < 1:
            add(
                f"rho between {a!r} and {b!r} must be a number in (-1, 1), got {corr.rho!r}",
                ("correlations", i, "rho"),
                "-1 < rho < 1",
                f"{corr.rho:g}",
            )
            bad = True
        pair = frozenset((a, b))
        if not bad and pair in seen and spec.correlations[seen[pair]].rho != corr.rho:
            add(
                f"correlation between {a!r} and {b!r} is given twice",
                ("correlations", i, "paths"),
                "one entry per pair",
                f"also at correlations[{seen[pair]}]",
            )
            bad = True
        seen.setdefault(pair, i)
        if bad:
            pairs = None
        elif pairs is not None:
            pairs.append((uncertain[a], uncertain[b], corr.rho))
    return pairs


def _positive_definite(n: int, pairs: list[tuple[int, int, float]]) -> bool:
    """Whether the Gaussian copula's normal correlation of these rank correlations is positive
    definite (as the samplers need it)."""
    import numpy as np

    matrix = np.eye(n)
    for i, j, rho in pairs:
        matrix[i, j] = matrix[j, i] = rho
    normal = 2.0 * np.sin(np.pi * matrix / 6.0)
    np.fill_diagonal(normal, 1.0)
    try:
        np.linalg.cholesky(normal)
    except np.linalg.LinAlgError:
        return False
    return True


def _uncertain_paths(scenario: Scenario, paths: Any) -> set[str]:
    """Key paths of the numbers that have a distribution (inline or under uncertainties)."""
    out = {p for p, ref in paths.items() if ref.quantity.dist is not None}
    out.update(u.path for u in scenario.spec.uncertainties if u.path in paths)
    return out


def _known_keys(loc: Loc) -> str:
    """The keys the scenario format allows where an unknown key ``loc`` was given."""
    from realpolitik.scenario import schema

    model: Any = schema.ScenarioSpec
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part) if model else None
        if field is None:
            model = None
            break
        model = _inner_model(field.annotation)
    if model is None or not hasattr(model, "model_fields"):
        return "a known key"
    names = [f.alias or n for n, f in model.model_fields.items()]
    return "one of " + ", ".join(names)


def _inner_model(annotation: Any) -> Any:
    import typing

    from pydantic import BaseModel

    stack = [annotation]
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
        stack.extend(typing.get_args(a))
    return None


@dataclass
class _Checks:
    """What the cross-reference checks share: the scenario, where its keys are, the actor ids
    and the problems found so far."""

    scenario: Scenario
    smap: SourceMap
    problems: list[Problem] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def spec(self) -> ScenarioSpec:
        return self.scenario.spec

    def add(
        self, message: str, loc: Loc, expected: str | None = None, got: str | None = None
    ) -> None:
        """Record a problem at ``loc`` (with its line)."""
        self.problems.append(
            Problem(
                message,
                file=self.smap.file,
                line=self.smap.line(loc),
                path=format_loc(loc),
                expected=expected,
                got=got,
            )
        )

    def need_actor(self, ident: str, loc: Loc) -> None:
        """Record a problem if ``ident`` is not an actor's id."""
        if ident not in self.ids:
            self.add(f"unknown actor {ident!r}", loc, f"one of {', '.join(self.ids)}", repr(ident))


def _check_actor_ids(c: _Checks) -> None:
    for i, a in enumerate(c.spec.actors):
        if a.id in c.ids:
            c.add(
                f"actor id {a.id!r} used twice",
                ("actors", i, "id"),
                "unique ids",
                f"also at actors[{c.ids[a.id]}]",
            )
        c.ids.setdefault(a.id, i)


def _check_actors(c: _Checks) -> None:
    spec = c.spec
    for i, a in enumerate(spec.actors):
        if a.kind == "faction":
            if a.parent is None:
                c.add("a faction needs a parent actor", ("actors", i), "parent: <actor id>", "none")
            elif a.parent == a.id:
                c.add(
                    "a faction cannot be its own parent",
                    ("actors", i, "parent"),
                    "another actor's id",
                    a.parent,
                )
            else:
                c.need_actor(a.parent, ("actors", i, "parent"))
        elif a.parent is not None:
            c.add("only factions have a parent", ("actors", i, "parent"), "kind: faction", a.kind)
        if a.size.value <= 0:
            c.add(
                "sizes must be positive", ("actors", i, "size"), "a number > 0", f"{a.size.value:g}"
            )
        for key in ("position", "salience"):
            for dim in getattr(a, key):
                if dim not in spec.dimensions:
                    c.add(
                        f"unknown dimension {dim!r}",
                        ("actors", i, key, dim),
                        "a key of dimensions: " + (", ".join(spec.dimensions) or "(none declared)"),
                        repr(dim),
                    )
        for dim, q in a.position.items():
            d = spec.dimensions.get(dim)
            if d is not None and not d.range[0] <= q.value <= d.range[1]:
                c.add(
                    "position outside the dimension's range",
                    ("actors", i, "position", dim),
                    f"a number in [{d.range[0]:g}, {d.range[1]:g}]",
                    f"{q.value:g}",
                )
        for dim, q in a.salience.items():
            if not 0 <= q.value <= 1:
                c.add(
                    "salience outside [0, 1]",
                    ("actors", i, "salience", dim),
                    "0 <= salience <= 1",
                    f"{q.value:g}",
                )
        if a.turnover is not None:
            for key in ("annual_hazard", "change_probability"):
                q = getattr(a.turnover, key)
                if q is not None and not 0 <= q.value <= 1:
                    c.add(
                        "a probability must lie in [0, 1]",
                        ("actors", i, "turnover", key),
                        "0 <= p <= 1",
                        f"{q.value:g}",
                    )


def _check_relations(c: _Checks) -> None:
    spec = c.spec
    seen_pairs: dict[frozenset[str], int] = {}
    for i, rel in enumerate(spec.relations):
        a, b = rel.between
        for k, x in enumerate(rel.between):
            c.need_actor(x, ("relations", i, "between", k))
        if a == b:
            c.add(
                "a relation needs two different actors",
                ("relations", i, "between"),
                "two actor ids",
                f"{a}, {b}",
            )
        pair = frozenset((a, b))
        if pair in seen_pairs:
            c.add(
                f"relation {a}~{b} given twice",
                ("relations", i, "between"),
                "one entry per pair",
                f"also at relations[{seen_pairs[pair]}]",
            )
        seen_pairs.setdefault(pair, i)
        for cname in rel.components:
            if cname not in BUILTIN_COMPONENTS and cname not in spec.components:
                c.add(
                    f"unknown component {cname!r}",
                    ("relations", i, "components", cname),
                    "a built-in component ("
                    + ", ".join(BUILTIN_COMPONENTS)
                    + ") or one declared under components:",
                    repr(cname),
                )


def _check_blocs(c: _Checks) -> None:
    spec = c.spec
    for i, bloc in enumerate(spec.blocs):
        for k, m in enumerate(bloc.members):
            c.need_actor(m, ("blocs", i, "members", k))


def _check_commitments_and_levers(c: _Checks) -> None:
    spec = c.spec
    commitments = {form.id for form in spec.commitments}
    for i, form in enumerate(spec.commitments):
        for key in ("annual_repudiation", "successor_repudiation"):
            q = getattr(form, key)
            if not 0 <= q.value <= 1:
                c.add(
                    "a probability must lie in [0, 1]",
                    ("commitments", i, key),
                    "0 <= p <= 1",
                    f"{q.value:g}",
                )
    by_id = {f.id: f for f in spec.commitments}
    for i, form in enumerate(spec.commitments):
        if (form.ratification_probability is None) != (form.fallback is None):
            c.add(
                "ratification_probability and fallback go together",
                ("commitments", i),
                "both or neither",
                "one of them",
            )
        if (
            form.ratification_probability is not None
            and not 0 <= form.ratification_probability.value <= 1
        ):
            c.add(
                "a probability must lie in [0, 1]",
                ("commitments", i, "ratification_probability"),
                "0 <= p <= 1",
                f"{form.ratification_probability.value:g}",
            )
        if form.fallback is not None and (
            form.fallback not in by_id
            or form.fallback == form.id
            or by_id[form.fallback].fallback is not None
        ):
            c.add(
                f"fallback {form.fallback!r} must be another declared form without a fallback",
                ("commitments", i, "fallback"),
                "one of " + ", ".join(sorted(k for k, v in by_id.items() if v.fallback is None)),
                repr(form.fallback),
            )
    lever_ids: set[str] = set()
    for i, lever in enumerate(spec.levers):
        if lever.id in lever_ids:
            c.add(f"lever id {lever.id!r} used twice", ("levers", i, "id"), "unique ids", lever.id)
        lever_ids.add(lever.id)
        for key in ("by", "to", "paid_by"):
            v = getattr(lever, key)
            if v is not None:
                c.need_actor(v, ("levers", i, key))
        if lever.by == lever.to:
            c.add(
                "a lever needs two different actors: one pulls it (by), another receives it (to)",
                ("levers", i, "to"),
                f"an actor other than {lever.by}",
                lever.to,
            )
        if lever.commitment is not None and lever.commitment not in commitments:
            c.add(
                f"unknown commitment {lever.commitment!r}",
                ("levers", i, "commitment"),
                "one of " + (", ".join(sorted(commitments)) or "(none declared)"),
                repr(lever.commitment),
            )
        if lever.value.value < 0 or lever.cost.value < 0:
            c.add(
                "a lever's value and cost must not be negative",
                ("levers", i),
                "value >= 0 and cost >= 0",
                f"value {lever.value.value:g}, cost {lever.cost.value:g}",
            )


def _check_realignment_sides(c: _Checks, r: Any) -> None:
    """Allies on one side only, allies' valuations, threats and what relieves them."""
    spec = c.spec
    for k, x in enumerate(r.incumbent_allies):
        c.need_actor(x, ("realignment", "incumbent_allies", k))
    both = set(r.courter_allies) & {r.incumbent, *r.incumbent_allies}
    both |= set(r.incumbent_allies) & {r.courter, r.pivot}
    if both or r.pivot in r.courter_allies:
        c.add(
            "an actor can be on one side only",
            ("realignment",),
            "disjoint sides",
            ", ".join(sorted(both | ({r.pivot} & set(r.courter_allies)))),
        )
    payers = {r.courter, *r.courter_allies, r.incumbent, *r.incumbent_allies} - {None}
    for x in r.payer_value:
        if x in (r.courter, r.incumbent) or x not in payers:
            c.add(
                "payer_value is for the allies of either side (the courter's and the "
                "incumbent's own values are courter_value and incumbent_value)",
                ("realignment", "payer_value", x),
                "one of " + (", ".join(sorted(payers - {r.courter, r.incumbent})) or "(no allies)"),
                x,
            )
    for tid, th in r.threats.items():
        c.need_actor(th.by, ("realignment", "threats", tid, "by"))
        _check_threat_level(c, r, tid, th)
        if tid in r.components or tid in RESERVED_CAUSES or tid == "domestic":
            c.add(
                "a threat's id names its security component: it must differ from the "
                "components, 'domestic' and the decomposition's reserved names",
                ("realignment", "threats", tid),
                "a new name",
                tid,
            )
    for i, lever in enumerate(spec.levers):
        for tid in lever.relieves:
            if tid not in r.threats:
                c.add(
                    f"unknown threat {tid!r}",
                    ("levers", i, "relieves", tid),
                    "one of " + (", ".join(sorted(r.threats)) or "(none declared)"),
                    tid,
                )


def _check_threat_level(c: _Checks, r: Any, tid: str, th: Any) -> None:
    """A threat's level is written once: as ``level`` or read ``from_relation`` (a component of
    the pivot's relation with the threatening actor), never both."""
    loc = ("realignment", "threats", tid)
    if (th.level is None) == (th.from_relation is None):
        c.add(
            "a threat's level is written once: give either level or from_relation",
            loc,
            "exactly one of level, from_relation",
            "both" if th.level is not None else "neither",
        )
        return
    link = th.from_relation
    if link is None:
        return
    pair = {r.pivot, th.by}
    rel = next((x for x in c.spec.relations if set(x.between) == pair), None)
    if rel is None or link.component not in rel.components:
        c.add(
            "from_relation needs that component in the relation of the pivot and the threat's actor",
            (*loc, "from_relation", "component"),
            f"a component of relations [{r.pivot}, {th.by}]"
            + ("" if rel is None else ": " + ", ".join(sorted(rel.components))),
            link.component if rel is not None else f"no relation between {r.pivot} and {th.by}",
        )
    if link.cost_per_unit.value < 0:
        c.add(
            "a threat's cost per unit of hostility is >= 0",
            (*loc, "from_relation", "cost_per_unit"),
            ">= 0",
            f"{link.cost_per_unit.value:g}",
        )


def _check_gains_share(c: _Checks) -> None:
    """The realignment's ``gains_share`` is a share: in [0, 1], its distribution too."""
    r = c.spec.realignment
    if r is None:
        return
    share = r.trade.gains_share
    lo, hi = share.dist.support() if share.dist is not None else (share.value, share.value)
    if not (0 <= share.value <= 1 and 0 <= lo and hi <= 1):
        c.add(
            "gains_share is a share of the gains from trade",
            ("realignment", "trade", "gains_share"),
            "0 <= share <= 1 (with its distribution inside [0, 1])",
            f"{share.value:g}" + ("" if share.dist is None else f", range [{lo:g}, {hi:g}]"),
        )


def _check_realignment_trade(c: _Checks, r: Any, commitments: set[str]) -> None:
    """The trade block's retaliation: a probability, and a declared commitment form."""
    tr = r.trade
    if tr.retaliation_credibility is not None and not 0 <= tr.retaliation_credibility.value <= 1:
        c.add(
            "retaliation_credibility is a probability",
            ("realignment", "trade", "retaliation_credibility"),
            "0 <= p <= 1",
            f"{tr.retaliation_credibility.value:g}",
        )
    if tr.retaliation_commitment is not None and tr.retaliation_commitment not in commitments:
        c.add(
            f"unknown commitment {tr.retaliation_commitment!r}",
            ("realignment", "trade", "retaliation_commitment"),
            "one of " + (", ".join(sorted(commitments)) or "(none declared)"),
            repr(tr.retaliation_commitment),
        )


def _check_pivot_levers(c: _Checks, r: Any) -> None:
    """Levers to the pivot come from either side and are paid by the offering side."""
    spec = c.spec
    sides = {r.incumbent, r.courter, *r.courter_allies, *r.incumbent_allies} - {None}
    for i, lever in enumerate(spec.levers):
        if lever.to == r.pivot and lever.by not in sides:
            c.add(
                "a lever to the pivot must come from the incumbent or the courter's side",
                ("levers", i, "by"),
                "one of " + ", ".join(sorted(sides)),
                lever.by,
            )
        elif lever.to == r.pivot:
            side = (
                {r.courter, *r.courter_allies}
                if lever.by in {r.courter, *r.courter_allies}
                else {r.incumbent, *r.incumbent_allies}
            )
            if lever.payer not in side:
                c.add(
                    "a lever's payer must be on the side of the actor that offers it",
                    ("levers", i, "paid_by"),
                    "one of " + ", ".join(sorted(side)),
                    lever.payer,
                )


def _check_horizon(c: _Checks, r: Any) -> None:
    """The horizon: whole years, 1 to 100, and a drawn horizon whole years too."""
    if r.horizon.value != int(r.horizon.value):
        c.add(
            "the horizon is a whole number of years",
            ("realignment", "horizon"),
            "an integer",
            f"{r.horizon.value:g}",
        )
    _check_horizon_draws(c, r)
    if r.horizon.value < 1 or r.horizon.value > 100:
        c.add(
            "horizon out of range",
            ("realignment", "horizon"),
            "1 to 100 years",
            f"{r.horizon.value:g}",
        )


def _option_values(r: Any) -> list[tuple[Loc, Any]]:
    """Every option-valued entry of the realignment block (one per hedge / courter pair)."""
    rl: Loc = ("realignment",)
    out: list[tuple[Loc, Any]] = [
        (rl + ("trade", "retaliation"), r.trade.retaliation),
        (rl + ("trade", "replacement_capacity"), r.trade.replacement_capacity),
        (rl + ("switching_cost",), r.switching_cost),
        (rl + ("courter_value",), r.courter_value),
        (rl + ("incumbent_value",), r.incumbent_value),
        (rl + ("successor_shift",), r.successor_shift),
    ]
    out += [(rl + ("components", k), v) for k, v in r.components.items()]
    out += [(rl + ("payer_value", k), v) for k, v in r.payer_value.items()]
    for tid, th in r.threats.items():
        for key in ("relief", "courter_gain", "incumbent_loss"):
            out.append((rl + ("threats", tid, key), getattr(th, key)))
    return [(loc, v) for loc, v in out if v is not None]


def _check_courter_options(c: _Checks, r: Any) -> None:
    """With a courter every option value has its ``courter`` entry; without one none has, no
    actor is on the courter's side, and nothing values the pivot's move for the courter."""
    if r.courter is not None:
        if r.courter_value is None:
            c.add("a courter needs its valuation", ("realignment",), "courter_value", "none")
        for loc, ov in _option_values(r):
            if ov.courter is None:
                c.add("a value for the courter option is missing", loc, "courter: <quantity>")
        return
    for loc, ov in _option_values(r):
        if ov.courter is not None:
            c.add(
                "no courter is declared, so there is no courter option to value",
                loc + ("courter",),
                "only hedge (the pivot's exit)",
                f"courter: {ov.courter.value:g}",
            )
    nothing = [("courter_allies", bool(r.courter_allies)), ("courter_value", r.courter_value)]
    nothing += [(f"threats.{t}.courter_gain", th.courter_gain) for t, th in r.threats.items()]
    for key, present in nothing:
        if present:
            c.add(
                "no courter is declared, so nothing can be on its side",
                ("realignment", *key.split(".")),
                "no " + key.rsplit(".", 1)[-1],
                "a value",
            )


def _check_regime_demands(c: _Checks, r: Any) -> None:
    """Regime demands close declared options, with a source or an assumption."""
    rd = r.regime_demands
    if rd is None:
        return
    loc: Loc = ("realignment", "regime_demands")
    if not (rd.source or rd.assumption):
        c.add(
            "regime demands need their provenance",
            loc,
            "a source or an assumption",
            "neither",
        )
    if rd.source is not None and rd.source not in c.spec.sources:
        c.add(f"unknown source {rd.source!r}", loc + ("source",), "a key of sources", rd.source)
    for claim in rd.claims:
        if claim not in c.spec.claims:
            c.add(f"unknown claim {claim!r}", loc + ("claims",), "a key of claims", repr(claim))
    if r.courter is None and "courter" in rd.closes:
        c.add(
            "no courter is declared: its option is closed already",
            loc + ("closes",),
            "hedge",
            "courter",
        )


def _check_horizon_draws(c: _Checks, r: Any) -> None:
    """A drawn horizon is whole years too: only a ``choice`` of whole numbers can be sampled."""
    dists: list[tuple[Any, Loc]] = []
    if r.horizon.dist is not None:
        dists.append((r.horizon.dist, ("realignment", "horizon", "dist")))
    for i, u in enumerate(c.spec.uncertainties):
        if u.path == "realignment.horizon":
            dists.append((u.dist, ("uncertainties", i, "dist")))
    for dist, loc in dists:
        values = dist.values if dist.kind == "choice" else None
        if values is None or any(v != int(v) for v in values):
            c.add(
                "a drawn horizon must be whole years (it is never rounded)",
                loc,
                "kind: choice with whole numbers of years",
                f"kind: {dist.kind}" + ("" if values is None else f", values {list(values)}"),
            )


def _check_realignment(c: _Checks) -> None:
    spec = c.spec
    commitments = {form.id for form in spec.commitments}
    r = spec.realignment
    if r is not None:
        roles = ("pivot", "incumbent") + (("courter",) if r.courter is not None else ())
        for key in roles:
            c.need_actor(getattr(r, key), ("realignment", key))
        for k, x in enumerate(r.courter_allies):
            c.need_actor(x, ("realignment", "courter_allies", k))
        _check_realignment_sides(c, r)
        _check_realignment_trade(c, r, commitments)
        _check_courter_options(c, r)
        _check_regime_demands(c, r)
        if len({getattr(r, key) for key in roles}) < len(roles):
            c.add(
                "pivot, incumbent and courter must be different actors",
                ("realignment",),
                "different actor ids",
                ", ".join(getattr(r, key) for key in roles),
            )
        _check_pivot_levers(c, r)
        _check_horizon(c, r)
        if r.incumbent_decline is not None and not 0 <= r.incumbent_decline.value < 1:
            c.add(
                "the incumbent's decline is a yearly share",
                ("realignment", "incumbent_decline"),
                "0 <= share < 1",
                f"{r.incumbent_decline.value:g}",
            )
        if not 0 <= r.discount_rate.value < 1:
            c.add(
                "discount rate out of range",
                ("realignment", "discount_rate"),
                "0 <= rate < 1",
                f"{r.discount_rate.value:g}",
            )
        for opt in ("hedge", "courter"):
            q = getattr(r.trade.retaliation, opt)
            if q is not None and not 0 <= q.value <= 1:
                c.add(
                    "retaliation is a share of trade",
                    ("realignment", "trade", "retaliation", opt),
                    "0 <= share <= 1",
                    f"{q.value:g}",
                )
        if r.pivot_commitment is not None and r.pivot_commitment not in commitments:
            c.add(
                f"unknown commitment {r.pivot_commitment!r}",
                ("realignment", "pivot_commitment"),
                "one of " + (", ".join(sorted(commitments)) or "(none declared)"),
                repr(r.pivot_commitment),
            )
        if r.domestic is not None:
            if r.domestic.dimension not in spec.dimensions:
                c.add(
                    f"unknown dimension {r.domestic.dimension!r}",
                    ("realignment", "domestic", "dimension"),
                    "a key of dimensions",
                    repr(r.domestic.dimension),
                )
            elif not any(
                f.parent == r.pivot and r.domestic.dimension in f.position for f in spec.actors
            ):
                c.add(
                    "domestic needs factions of the pivot with positions on that dimension",
                    ("realignment", "domestic"),
                    f"factions with parent {r.pivot}",
                    "none",
                )


def _check_key_paths(c: _Checks) -> None:
    spec = c.spec
    paths = c.scenario._quantity_index  # every number by key path, built once
    for i, u in enumerate(spec.uncertainties):
        if u.path not in paths:
            c.add(
                "no number at this path",
                ("uncertainties", i, "path"),
                "the key path of a number, e.g. " + next(iter(paths), "actors.X.size"),
                u.path,
            )
        else:
            lo, hi = u.dist.support()
            v = paths[u.path].quantity.value
            if not lo <= v <= hi:
                c.add(
                    "the number's value lies outside this distribution",
                    ("uncertainties", i, "dist"),
                    f"a range containing {v:g}",
                    f"[{lo:g}, {hi:g}]",
                )
    c.problems.extend(_check_correlations(c.scenario, c.smap, paths))


def _check_provenance(c: _Checks) -> None:
    spec = c.spec
    paths = c.scenario._quantity_index
    # provenance: claims and sources that numbers cite must exist
    claim_ids = set(spec.claims)
    for ref in paths.values():
        q = ref.quantity
        if q.source is not None and q.source not in spec.sources:
            c.add(
                f"unknown source {q.source!r}",
                ref.loc + ("source",),
                "a key of sources: " + (", ".join(sorted(spec.sources)[:8]) or "(none declared)"),
                repr(q.source),
            )
        for claim in q.claims:
            if claim not in claim_ids:
                c.add(
                    f"unknown claim {claim!r}",
                    ref.loc + ("claims",),
                    "a key of claims: " + (", ".join(sorted(claim_ids)) or "(none declared)"),
                    repr(claim),
                )
        if spec.strict_provenance and not q.has_provenance:
            c.add(
                "a number without provenance",
                ref.loc,
                "a source or an assumption (strict_provenance is on)",
                f"{q.value:g} alone",
            )
    for i, lever in enumerate(spec.levers):
        for claim in lever.claims:
            if claim not in claim_ids:
                c.add(
                    f"unknown claim {claim!r}",
                    ("levers", i, "claims"),
                    "a key of claims:",
                    repr(claim),
                )


#: The cross-reference checks, in the order their problems are reported (actor ids first: the
#: others look actors up by id).
_CHECKS = (
    _check_actor_ids,
    _check_actors,
    _check_relations,
    _check_blocs,
    _check_commitments_and_levers,
    _check_realignment,
    _check_gains_share,
    _check_key_paths,
    _check_provenance,
)


def check_references(scenario: Scenario) -> list[Problem]:
    """Cross-reference checks that a schema alone cannot express: every problem found, in file
    order within each kind of check."""
    checks = _Checks(scenario, scenario.source_map or SourceMap(scenario.file))
    for check in _CHECKS:
        check(checks)
    return checks.problems
