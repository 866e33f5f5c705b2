"""The historical US-USSR/Russia-China triangle, other great-power triads, and great-power camps.

Each year's configuration of a triad is read from the signed measured relations
(:mod:`realpolitik.data.relations`) and classified as a strategic triangle (Dittmer 1981):

- ménage à trois (+, +, +): three friends;
- romantic triangle (+, +, -): the actor with two positive ties is the *pivot*, the other two
  are *wings*;
- stable marriage (+, -, -): two *partners* and an *outcast* (the actor with two negative ties);
- unit veto (-, -, -): three *foes*.

A neutral tie (a relation inside the neutral band) leaves the year ``indeterminate``. Role scores
follow Wu's extension, score_i = x_ij + x_ik - x_jk (pivot +3, friend and partner +1, wing and foe
-1, outcast -3 with signs), reported on the signs and on the real-valued relations.

For the US-Russia-China triad the classification is compared, year by year, with the commonly
cited periodisation of MODELS.md section 6 (:data:`PERIODISATION`): it is the check, not an input,
and nothing in the measures is tuned to it.

Triads are classified by :func:`realpolitik.models.triangle.classify` and camps found by the exact
landscape enumeration of :mod:`realpolitik.models.landscape`.

References
----------
Dittmer, Lowell. 1981. The Strategic Triangle: An Elementary Game-Theoretical Analysis. World
Politics 33(4): 485-515.
Wu, Yu-Shan. 1996. Exploring Dual Triangles: The Development of Taipei-Washington-Beijing
Relations. Issues & Studies 32(10): 26-52.
Axelrod, Robert and D. Scott Bennett. 1993. A Landscape Theory of Aggregation. British Journal of
Political Science 23(2): 211-233.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from realpolitik.data.relations import Inputs, RelationWeights

MENAGE, ROMANTIC, MARRIAGE, UNIT_VETO, INDETERMINATE = (
    "menage a trois",
    "romantic triangle",
    "stable marriage",
    "unit veto",
    "indeterminate",
)


@dataclass(frozen=True)
class Period:
    """A span of years and the configurations the historical literature assigns to it.

    ``accepted`` holds (configuration, special actor) pairs: the pivot of a romantic triangle or
    the outcast of a stable marriage, ``None`` for the symmetric configurations.
    """

    start: int
    end: int
    accepted: tuple[tuple[str, str | None], ...]
    label: str


#: The commonly cited periodisation of the US-USSR/Russia-China triangle (MODELS.md section 6),
#: as year ranges. Boundaries marked "c." there are uncertain; :data:`BOUNDARY_YEARS` flags the
#: years next to them, and the agreement rate is also reported without them.
PERIODISATION: tuple[Period, ...] = (
    Period(1950, 1959, ((MARRIAGE, "USA"),), "stable marriage: USSR-PRC partners, US outcast"),
    Period(1960, 1969, ((UNIT_VETO, None),), "unit veto after the Sino-Soviet split"),
    Period(
        1970,
        1971,
        ((UNIT_VETO, None), (ROMANTIC, "USA")),
        "transition (1970/72): unit veto or romantic triangle with the US as pivot",
    ),
    Period(1972, 1978, ((ROMANTIC, "USA"),), "romantic triangle, US pivot"),
    Period(1979, 1982, ((MARRIAGE, "RUS"),), "stable marriage: US-PRC partners, USSR outcast"),
    Period(
        1983,
        1989,
        ((ROMANTIC, "CHN"), (MENAGE, None)),
        "romantic triangle with China as pivot, drifting to a menage a trois",
    ),
    Period(1990, 2014, ((MENAGE, None),), "menage a trois"),
    Period(2015, 2100, ((MARRIAGE, "USA"),), "stable marriage: Russia-China partners, US outcast"),
)

#: Years within a year of an uncertain ("c.", "1970/72", "after") boundary of the periodisation.
BOUNDARY_YEARS = frozenset(
    {1959, 1960, 1961, 1970, 1971, 1972, 1981, 1982, 1983, 1989, 1990, 2014, 2015}
)


def _classify(s_ab: int, s_ac: int, s_bc: int, names: tuple[str, ...]):
    """(configuration, special actor, roles) of one triad from its three signs, through the shared
    strategic-triangle model; a missing (zero) relation makes the triad indeterminate."""
    from realpolitik.models.triangle import classify

    if 0 in (s_ab, s_ac, s_bc):
        return INDETERMINATE, None, (None, None, None)
    configuration, roles = classify(s_ab, s_ac, s_bc)
    special = next(
        (n for n, r in zip(names, roles, strict=True) if r in ("pivot", "outcast")), None
    )
    return configuration, special, roles


def _relations_for(ccodes, years, data_dir, weights, inputs):
    from realpolitik.data.relations import load_inputs, relation_components

    inp = inputs if inputs is not None else load_inputs(data_dir)
    return relation_components(years=years, ccodes=ccodes, weights=weights, inputs=inp), inp


def triad_history(
    actors: tuple[str, str, str] = ("USA", "RUS", "CHN"),
    years=None,
    data_dir=None,
    weights: RelationWeights | dict | None = None,
    *,
    inputs: Inputs | None = None,
) -> pd.DataFrame:
    """Configuration and roles of any three states, year by year, from measured relations.

    Parameters
    ----------
    actors
        Three identifiers (ISO3, COW abbreviation or COW number; see
        :func:`realpolitik.data.from_data.resolve_actor`).
    years
        Years to classify (default 1950 to the last year of the data).

    Returns
    -------
    pandas.DataFrame
        One row per year in which all three are states: ``year``, ``rel_AB`` ... (real-valued
        relations, named by actor ids), ``sign_AB`` ..., ``configuration``, ``special`` (the pivot
        or outcast), ``role_<id>`` and ``score_<id>`` (Wu's role score on the signs) and
        ``rscore_<id>`` (the same on the real-valued relations), ``coverage_min``.
    """
    import pandas as pd

    from realpolitik.data.from_data import resolve_actor
    from realpolitik.data.relations import load_inputs

    if len(actors) != 3:
        raise ValueError(f"a triad needs three actors, got {list(actors)}")
    inp = inputs if inputs is not None else load_inputs(data_dir)
    ids = tuple(str(a).upper() for a in actors)
    codes = [resolve_actor(a, inp.states, data_dir) for a in actors]
    if len(set(codes)) != 3:
        raise ValueError(f"the three actors must be distinct states, got {list(actors)}")
    if years is None:
        years = range(1950, int(inp.idealpoints["year"].max()) + 1)
    rel, _ = _relations_for(codes, list(years), data_dir, weights, inp)
    pairs = {"AB": (0, 1), "AC": (0, 2), "BC": (1, 2)}
    wide: pd.DataFrame | None = None
    for tag, (i, j) in pairs.items():
        lo, hi = sorted((codes[i], codes[j]))
        part = rel[(rel["ccode1"] == lo) & (rel["ccode2"] == hi)][
            ["year", "relation", "sign", "coverage"]
        ].rename(
            columns={
                "relation": f"rel_{ids[i]}_{ids[j]}",
                "sign": f"sign_{ids[i]}_{ids[j]}",
                "coverage": f"cov_{tag}",
            }
        )
        wide = part if wide is None else wide.merge(part, on="year")
    if wide is None:  # pragma: no cover - the loop runs for the three pairs
        raise ValueError("no pairs")
    a, b, c = ids
    ab, ac, bc = f"{a}_{b}", f"{a}_{c}", f"{b}_{c}"
    out = wide.sort_values("year").reset_index(drop=True)
    cls = [
        _classify(int(x), int(y), int(z), ids)
        for x, y, z in zip(out[f"sign_{ab}"], out[f"sign_{ac}"], out[f"sign_{bc}"], strict=True)
    ]
    out["configuration"] = [k[0] for k in cls]
    out["special"] = [k[1] for k in cls]
    for n, ident in enumerate(ids):
        out[f"role_{ident}"] = [k[2][n] for k in cls]
    for kind, col in (("score", "sign"), ("rscore", "rel")):
        xab, xac, xbc = out[f"{col}_{ab}"], out[f"{col}_{ac}"], out[f"{col}_{bc}"]
        out[f"{kind}_{a}"] = xab + xac - xbc
        out[f"{kind}_{b}"] = xab + xbc - xac
        out[f"{kind}_{c}"] = xac + xbc - xab
    out["coverage_min"] = out[["cov_AB", "cov_AC", "cov_BC"]].min(axis=1)
    return pd.DataFrame(out.drop(columns=["cov_AB", "cov_AC", "cov_BC"]))


def expected_for(year: int) -> Period | None:
    """The period of :data:`PERIODISATION` that contains ``year`` (None before 1950)."""
    return next((p for p in PERIODISATION if p.start <= year <= p.end), None)


@dataclass(frozen=True)
class TriangleCheck:
    """The measured triangle compared with the periodisation.

    Attributes
    ----------
    table
        One row per year: the measured configuration and special actor, the expected period's
        label, ``agrees`` and ``boundary``.
    rate
        Share of years that agree.
    rate_core
        The same without the boundary years (:data:`BOUNDARY_YEARS`).
    """

    table: pd.DataFrame
    rate: float
    rate_core: float


def historical_triangle(
    data_dir=None,
    weights: RelationWeights | dict | None = None,
    years=None,
    *,
    inputs: Inputs | None = None,
) -> TriangleCheck:
    """The US-USSR/Russia-China triangle year by year from 1950, checked against
    :data:`PERIODISATION`.

    A year agrees when the measured (configuration, pivot or outcast) is one of the pairs its
    period accepts.
    """
    hist = triad_history(("USA", "RUS", "CHN"), years, data_dir, weights, inputs=inputs)
    expected = [expected_for(int(y)) for y in hist["year"]]
    hist["expected"] = [p.label if p else None for p in expected]
    hist["agrees"] = [
        p is not None and (conf, (sp if conf in (ROMANTIC, MARRIAGE) else None)) in p.accepted
        for p, conf, sp in zip(expected, hist["configuration"], hist["special"], strict=True)
    ]
    hist["boundary"] = hist["year"].isin(BOUNDARY_YEARS)
    rate = float(hist["agrees"].mean()) if len(hist) else float("nan")
    core = hist[~hist["boundary"]]
    rate_core = float(core["agrees"].mean()) if len(core) else float("nan")
    return TriangleCheck(hist, rate, rate_core)


def _two_camps(sizes, prop):
    """Exact minimum of the landscape energy over all two-camp configurations, through the shared
    landscape model. Returns (sigma of the minimum, its energy, energy gap to the second best)."""
    import numpy as np

    from realpolitik.models.landscape import all_configurations

    every = all_configurations(np.asarray(sizes, float), np.asarray(prop, float))
    energy = every["energy"]
    order = np.argsort(energy, kind="stable")
    gap = float(energy[order[1]] - energy[order[0]]) if len(energy) > 1 else float("nan")
    sigma = 1.0 - 2.0 * every["labels"][order[0]]
    return sigma, float(energy[order[0]]), gap


def great_power_camps(
    data_dir=None,
    years=None,
    weights: RelationWeights | dict | None = None,
    *,
    inputs: Inputs | None = None,
) -> pd.DataFrame:
    """Landscape-theory camps of the COW major powers, year by year.

    Sizes are the powers' CINC shares among themselves; propensities are the measured real-valued
    relations. The two-camp configuration of least energy is found exactly by enumeration.

    Returns
    -------
    pandas.DataFrame
        ``year, powers, camp_a, camp_b, energy, gap`` (camps as '+'-joined COW abbreviations;
        camp_a holds the power with the lowest COW code, the US; ``gap`` is the energy margin to
        the next configuration).
    """
    import numpy as np
    import pandas as pd

    from realpolitik.data.cow import load_majors, spells_to_years
    from realpolitik.data.relations import load_inputs, relation_components
    from realpolitik.errors import ModelError

    inp = inputs if inputs is not None else load_inputs(data_dir)
    last = int(inp.idealpoints["year"].max())
    majors = spells_to_years(load_majors(data_dir), last)
    if years is None:
        years = range(1950, last + 1)
    years = list(years)
    majors = majors[majors["year"].isin(years)]
    rel = relation_components(
        years=years, ccodes=sorted(set(majors["ccode"])), weights=weights, inputs=inp
    )
    cinc = inp.nmc.set_index(["ccode", "year"])["cinc"]
    abb = inp.states.drop_duplicates("ccode", keep="last").set_index("ccode")["stateabb"]
    rows = []
    for year, grp in majors.groupby("year"):
        codes = sorted(grp["ccode"])
        if len(codes) > 8:
            raise ModelError(f"{len(codes)} major powers in {year}: the exact search is for n <= 8")
        size = np.array([cinc.get((c, year), np.nan) for c in codes])
        if np.isnan(size).any() or len(codes) < 2:
            continue
        size = size / size.sum()
        r = rel[(rel["year"] == year) & rel["ccode1"].isin(codes) & rel["ccode2"].isin(codes)]
        idx = {c: k for k, c in enumerate(codes)}
        prop = np.zeros((len(codes), len(codes)))
        i1 = r["ccode1"].map(idx).to_numpy()
        i2 = r["ccode2"].map(idx).to_numpy()
        prop[i1, i2] = prop[i2, i1] = r["relation"].to_numpy()
        sigma, energy, gap = _two_camps(size, prop)
        side = sigma[0]  # camp_a holds the power with the lowest COW code (the US)
        camp_a = [abb[c] for c, s in zip(codes, sigma, strict=True) if s == side]
        camp_b = [abb[c] for c, s in zip(codes, sigma, strict=True) if s != side]
        rows.append(
            {
                "year": int(year),
                "powers": "+".join(abb[c] for c in codes),
                "camp_a": "+".join(camp_a),
                "camp_b": "+".join(camp_b),
                "energy": energy,
                "gap": gap,
            }
        )
    return pd.DataFrame(rows)
