"""A scenario for any set of states and a year, measured from the IR datasets.

:func:`scenario_from_data` returns a plain dict in the scenario YAML format
(docs/reference/scenario-format.md): actors sized by their share of the group's CINC, and one
relation per pair with the measured components of :mod:`realpolitik.data.relations`. Every number
names its dataset (a key of ``sources``) and says in ``note`` which year and which raw values it
comes from. :func:`to_yaml` writes it as readable YAML.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from realpolitik.errors import Problem, ScenarioError

if TYPE_CHECKING:
    import pandas as pd

    from realpolitik.data.relations import Inputs, RelationWeights

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


def resolve_actor(actor: str | int, states: pd.DataFrame, data_dir=None) -> int:
    """COW code of an actor identifier.

    Accepts a COW number (``365`` or ``"365"``), an ISO3 code (``RUS``, ``CHN``, ``DEU``) or a
    COW abbreviation (``UKG``, ``GMY``). ISO3 is tried first, so ``AUS`` is Australia (COW's
    ``AUS`` is Austria: write ``AUT`` or ``305``). ``RUS`` is COW 365, which is the USSR before
    1992.

    Raises
    ------
    ScenarioError
        For an identifier that matches nothing.
    """
    from realpolitik.data.codes import KNOWN
    from realpolitik.data.directory import has_file

    if isinstance(actor, int) or (isinstance(actor, str) and actor.strip().isdigit()):
        code = int(actor)
        if code not in set(states["ccode"]):
            raise ScenarioError.single(
                "unknown COW code", path="actors", expected="a COW ccode", got=str(actor)
            )
        return code
    text = str(actor).strip().upper()
    if text in KNOWN:
        return KNOWN[text]
    if has_file("unga-idealpoints", data_dir):
        from realpolitik.data.unga import iso3_crosswalk

        cw = iso3_crosswalk(data_dir)
        if text in cw:
            return cw[text]
    abb = states.drop_duplicates("stateabb").set_index("stateabb")["ccode"]
    if text in abb.index:
        return int(abb[text])
    raise ScenarioError.single(
        "unknown actor identifier",
        path="actors",
        expected="an ISO3 code (USA, RUS, CHN), a COW abbreviation (UKG) or a COW number",
        got=repr(actor),
    )


def _q(value: float, source: str, note: str) -> dict[str, Any]:
    return {"value": round(float(value), 4), "source": source, "note": note}


def scenario_from_data(
    year: int,
    actors: list[str],
    data_dir=None,
    weights: RelationWeights | dict[str, float] | None = None,
    *,
    size: str = "cinc",
    inputs: Inputs | None = None,
) -> dict[str, Any]:
    """Build a scenario (as a plain dict) for ``actors`` in ``year`` from the IR datasets.

    Parameters
    ----------
    year
        The year of every measure.
    actors
        Two or more identifiers (see :func:`resolve_actor`); they become the actor ids.
    data_dir
        The data directory (explicit > ``REALPOLITIK_DATA_DIR`` > user data directory).
    weights
        Component weights (:class:`~realpolitik.data.relations.RelationWeights` or a dict of
        overrides); written under ``components:``.
    size
        ``"cinc"`` (COW CINC) or ``"gdp"`` (Maddison GDP); sizes are shares of the group's total.
    inputs
        Pre-loaded tables (:func:`~realpolitik.data.relations.load_inputs`).

    Returns
    -------
    dict
        ``realpolitik, name, title, year, unit, description, strict_provenance, sources,
        components, actors, relations`` in the scenario format. Components that no dataset
        measures for a pair in that year are left out of the pair and listed in its ``note``.

    Raises
    ------
    ScenarioError
        For unknown actors, duplicates, fewer than two actors, a state not in the COW system in
        that year, or a missing size.
    """
    import math

    from realpolitik.data.citations import dataset
    from realpolitik.data.codes import NAMES
    from realpolitik.data.relations import (
        COMPONENTS,
        RelationWeights,
        actor_sizes,
        describe,
        load_inputs,
        relation_components,
    )

    w = RelationWeights.coerce(weights)
    year = int(year)
    inp = inputs if inputs is not None else load_inputs(data_dir)
    problems = []
    ids: list[str] = []
    codes: list[int] = []
    if len(actors) < 2:
        problems.append(
            Problem(
                "a scenario needs at least two actors",
                path="actors",
                expected="two or more identifiers",
                got=str(list(actors)),
            )
        )
    for a in actors:
        try:
            code = resolve_actor(a, inp.states, data_dir)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        ident = str(a).strip().upper()
        if not _ID.match(ident):
            ident = f"COW{code}"
        if code in codes:
            problems.append(
                Problem(
                    "actor given twice",
                    path="actors",
                    expected="distinct states",
                    got=f"{a} (COW {code})",
                )
            )
            continue
        ids.append(ident)
        codes.append(code)
    if problems:
        raise ScenarioError(problems)

    covered = actor_sizes(data_dir, ccodes=codes, measure=size, inputs=inp)["year"]
    out_of_range = bool(len(covered)) and not covered.min() <= year <= covered.max()
    if out_of_range:
        first_year, last_year = int(covered.min()), int(covered.max())
        problems.append(
            Problem(
                f"year {year} is outside the years the {size} data cover ({first_year} to {last_year}; "
                f"the last year covered is {last_year})",
                path="year",
                expected=f"a year from {first_year} to {last_year}",
                got=str(year),
            )
        )

    spells = inp.states
    for ident, code in zip(ids, codes, strict=True):
        s = spells[spells["ccode"] == code]
        last = s["endyear"].to_numpy()
        open_end = last == spells["endyear"].max()
        alive = (s["styear"] <= year) & ((s["endyear"] >= year) | open_end)
        if not alive.any():
            problems.append(
                Problem(
                    "state not in the COW state system in that year",
                    path=f"actors.{ident}",
                    expected=f"a member in {year}",
                    got=f"COW {code}",
                )
            )
    sizes = actor_sizes(data_dir, years=[year], ccodes=codes, measure=size, inputs=inp)
    size_of = dict(zip(sizes["ccode"], sizes["size"], strict=True))
    for ident, code in zip(ids, codes, strict=True):
        if not out_of_range and not (size_of.get(code, 0) > 0):
            problems.append(
                Problem(
                    f"no {size} value for this state in {year}",
                    path=f"actors.{ident}.size",
                    expected="a positive number",
                    got="missing",
                )
            )
    if problems:
        raise ScenarioError(problems)

    size_key = "cow-nmc" if size == "cinc" else "maddison"
    total = sum(size_of[c] for c in codes)
    names = inp.states.drop_duplicates("ccode", keep="last").set_index("ccode")["statenme"]
    actor_list = []
    for ident, code in zip(ids, codes, strict=True):
        raw = size_of[code]
        what = f"CINC {raw:.4f}" if size == "cinc" else f"GDP {raw:,.0f} bn 2011 int'l $"
        actor_list.append(
            {
                "id": ident,
                "name": NAMES.get(code, str(names.get(code, ident))),
                "kind": "state",
                "size": _q(
                    raw / total,
                    size_key,
                    f"{what} in {year} (COW {code}); share of the {len(codes)} actors' total",
                ),
            }
        )

    rel = relation_components(data_dir, years=[year], ccodes=codes, weights=w, inputs=inp)
    by_pair = {(int(r.ccode1), int(r.ccode2)): r for r in rel.itertuples(index=False)}
    regime_src = inp.regime[inp.regime["year"] == year].set_index("ccode")["source"]
    used = {size_key}
    relations = []
    for i in range(len(codes)):
        for j in range(i + 1, len(codes)):
            code_a, code_b = sorted((codes[i], codes[j]))
            row = by_pair.get((code_a, code_b))
            if row is None:
                continue
            rowd = row._asdict()
            first = ids[codes.index(code_a)], ids[codes.index(code_b)]
            comps, missing = {}, []
            for c in COMPONENTS:
                v = rowd[c]
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    missing.append(c)
                    continue
                src = inp.sources[c]
                if c == "regime":
                    src = str(regime_src.get(code_a, "democracy")).split(":")[0]
                used.add(src)
                if c == "trade":
                    used.add("cow-trade-national")
                comps[c] = _q(v, src, f"{first[0]}~{first[1]}: {describe(rowd, c)}")
            item: dict[str, Any] = {"between": list(first), "components": comps}
            note = (
                f"measured relation {rowd['relation']:+.2f} (weighted sum), signed "
                f"{int(rowd['sign']):+d} with neutral band {w.neutral_band}"
            )
            if missing:
                note += "; not measured in this year: " + ", ".join(missing)
            item["note"] = note
            relations.append(item)

    sources = {}
    for key in sorted(used):
        d = dataset(key)
        sources[key] = {
            "title": f"{d.title}, version {d.version}",
            "url": d.url,
            "year": d.year,
            "note": f"{d.citation} Licence: {d.licence}.",
        }
    cw = w.component_weights()
    components = {
        c: {
            "weight": {
                "value": cw[c],
                "assumption": "the weight used to combine the measured components "
                "(the default, or as given; docs/explanation/historical-triangle.md)",
            },
            "description": _COMPONENT_TEXT[c],
        }
        for c in COMPONENTS
    }
    slug = "-".join(i.lower() for i in ids)
    return {
        "realpolitik": 1,
        "name": f"from-data-{year}-{slug}",
        "title": f"Measured relations of {', '.join(ids)} in {year}",
        "year": year,
        "unit": "dimensionless: each component is scaled to [-1, 1]",
        "description": (
            f"Generated by realpolitik.data.scenario_from_data from the IR datasets for {year}. "
            "Sizes are shares of the actors' total "
            f"{'CINC' if size == 'cinc' else 'GDP'}; relation components are the measures of "
            "realpolitik.data.relations (alliance, rivalry, disputes, UN ideal points, trade "
            "dependence, regime similarity), each scaled to [-1, 1]. Weights are the defaults "
            f"unless changed; neutral band {w.neutral_band}."
        ),
        "strict_provenance": True,
        "sources": sources,
        "components": components,
        "actors": actor_list,
        "relations": relations,
    }


_COMPONENT_TEXT = {
    "alliance": "ATOP alliance obligation (1 defence/offence, 0.5 neutrality/non-aggression, "
    "0.25 consultation)",
    "rivalry": "strategic rivalry (-1 while it lasts)",
    "disputes": "militarised disputes over the last 5 years, hostility-weighted (-1 to 0)",
    "un_votes": "closeness of UNGA ideal points (1 - distance, clipped to [-1, 1])",
    "trade": "weak-link trade dependence (min(1, smaller trade share / 10%))",
    "regime": "regime similarity (1 - 2 |polyarchy difference|)",
}


def to_yaml(scenario: dict[str, Any]) -> str:
    """Readable YAML for a scenario dict: keys in the given order, block style, no aliases.

    The text loads back with ``yaml.safe_load`` to an equal dict.
    """
    import yaml

    class _Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    def _str(dumper: yaml.SafeDumper, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _str)
    body = yaml.dump(
        scenario,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    header = (
        "# Generated by realpolitik from the IR datasets; every number names its source.\n"
        "# Cite the datasets listed under `sources:` (see docs/how-to/data.md).\n"
    )
    return header + body
