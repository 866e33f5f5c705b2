"""Measured relations: dyad-year measures of amity and enmity combined into a relation.

For every non-directed dyad-year (``ccode1 < ccode2``) of states in the COW system, six
components, each scaled to [-1, 1] (positive: the pair prefers the same side):

=========== ============================================================== ==============
component   measure                                                         dataset
=========== ============================================================== ==============
alliance    strongest ATOP obligation: defence or offence 1, neutrality or  ``atop``
            non-aggression 0.5, consultation 0.25, none 0
rivalry     -1 while the pair is a strategic rivalry, else 0                ``tss-rivalries``
disputes    -min(1, sum_k 0.5^k h_{t-k} / 5) over the last 5 years, h = the ``cow-mid``
            highest MID hostility level (1-5) of the dyad in that year
un_votes    1 - |ideal point distance| / 1.0, clipped to [-1, 1]: the scale ``unga-idealpoints``
            1.0 is about the median distance between two UN members, so a
            pair closer than a typical pair is positive
trade       min(1, weak-link trade share / 0.10): the smaller of the two     ``cow-trade``,
            states' shares of their total trade that goes to the other      ``cow-trade-national``
regime      1 - 2 |d_i - d_j|, d = V-Dem polyarchy in [0, 1] (Polity2       ``vdem``,
            rescaled where V-Dem is missing)                                ``democracy``
=========== ============================================================== ==============

The relation is the weighted sum ``sum_c w_c x_c`` over the components that are measured in that
dyad-year (a missing component contributes nothing; ``coverage`` is the share of the total weight
that was measured). The signed relation is +1 above ``neutral_band``, -1 below ``-neutral_band``,
else 0. Default weights (:class:`RelationWeights`): alliance, rivalry, disputes and UN votes 1.0;
trade and regime 0.5, because trade dependence alone predicts alignment poorly (MODELS.md section 3)
and regime similarity is a weak, slow-moving signal; neutral band 0.25 (a quarter of one full
component). They were chosen before looking at any result and are not tuned.

Missing is not zero. Before or after a dataset's coverage a component is NaN. Inside COW trade,
a zero total inside a run of positive years for the same dyad is treated as a gap (NaN), because
the Soviet-bloc dyads are recorded as zero in years when trade went on (China-USSR 1960-63); a
dyad-year without a row is NaN as well.

Everything is vectorised: dyad-years are keyed by one int64 (year * 10^6 + ccode1 * 10^3 + ccode2)
and components are attached by index look-ups; there is no Python loop over dyads.

References
----------
Axelrod, Robert and D. Scott Bennett. 1993. A Landscape Theory of Aggregation. British Journal of
Political Science 23(2): 211-233.
Bailey, Michael A., Anton Strezhnev and Erik Voeten. 2017. Estimating Dynamic State Preferences
from United Nations Voting Data. Journal of Conflict Resolution 61(2): 430-456.
Leeds, Brett Ashley et al. 2002. Alliance Treaty Obligations and Provisions, 1815-1944.
International Interactions 28: 237-260.
Oneal, John R. and Bruce Russett. 1997. The Classical Liberals Were Right: Democracy,
Interdependence, and Conflict, 1950-1985. International Studies Quarterly 41(2): 267-293.
Thompson, William R. and David R. Dreyer. 2011. Handbook of International Rivalries. CQ Press.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

COMPONENTS = ("alliance", "rivalry", "disputes", "un_votes", "trade", "regime")

#: Component -> the registry key(s) of the datasets it is measured from.
COMPONENT_SOURCES = {
    "alliance": "atop",
    "rivalry": "tss-rivalries",
    "disputes": "cow-mid",
    "un_votes": "unga-idealpoints",
    "trade": "cow-trade",
    "regime": "vdem",
}

#: ATOP obligation -> alliance score (the strongest obligation counts).
ALLIANCE_SCORES = {
    "atop_defense": 1.0,
    "atop_offense": 1.0,
    "atop_neutral": 0.5,
    "atop_nonagg": 0.5,
    "atop_consul": 0.25,
}
UN_DISTANCE_SCALE = 1.0
TRADE_SHARE_SCALE = 0.10
DISPUTE_WINDOW = 5
DISPUTE_DECAY = 0.5
HOSTILITY_MAX = 5.0


@dataclass(frozen=True)
class RelationWeights:
    """Weights of the measured components and the neutral band of the signed relation.

    Defaults are documented in the module docstring; change them with
    ``RelationWeights(trade=1.0)`` or pass a dict such as ``{"trade": 1.0}`` wherever weights
    are accepted.
    """

    alliance: float = 1.0
    rivalry: float = 1.0
    disputes: float = 1.0
    un_votes: float = 1.0
    trade: float = 0.5
    regime: float = 0.5
    neutral_band: float = 0.25

    @classmethod
    def coerce(cls, weights: RelationWeights | dict[str, float] | None) -> RelationWeights:
        """``None`` -> defaults; a dict -> defaults updated by it (unknown keys are an error)."""
        if weights is None:
            return cls()
        if isinstance(weights, cls):
            return weights
        if not isinstance(weights, dict):
            raise TypeError(f"weights must be RelationWeights, dict or None, got {type(weights)}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(weights) - known)
        if unknown:
            raise ValueError(f"unknown weight(s) {unknown}; known: {sorted(known)}")
        bad = {k: v for k, v in weights.items() if not isinstance(v, int | float) or v < 0}
        if bad:
            raise ValueError(f"weights must be non-negative numbers, got {bad}")
        return cls(**{**asdict(cls()), **{k: float(v) for k, v in weights.items()}})

    def component_weights(self) -> dict[str, float]:
        return {c: getattr(self, c) for c in COMPONENTS}


@dataclass
class Inputs:
    """The tables the measures are computed from (load once with :func:`load_inputs`)."""

    states: pd.DataFrame
    nmc: pd.DataFrame
    atop: pd.DataFrame
    rivalry: pd.DataFrame
    rivalry_end: int
    mids: pd.DataFrame
    idealpoints: pd.DataFrame
    trade: pd.DataFrame
    trade_national: pd.DataFrame
    regime: pd.DataFrame
    sources: dict[str, str]


def load_inputs(
    data_dir=None, *, rivalry_source: str = "tss", mid_source: str = "cow-mid"
) -> Inputs:
    """Load every table the relation measures need from the data directory.

    Parameters
    ----------
    rivalry_source
        ``"tss"`` (to 2020) or ``"td"`` (Thompson-Dreyer, to 2010).
    mid_source
        ``"cow-mid"`` or ``"gml-mid"``.
    """
    from realpolitik.data import atop, cow, regime, rivalries, unga

    return Inputs(
        states=cow.load_states(data_dir),
        nmc=cow.load_nmc(data_dir),
        atop=atop.load_atop(data_dir),
        rivalry=rivalries.rivalry_years(data_dir, rivalry_source),
        rivalry_end=rivalries.COVERAGE_END[rivalry_source],
        mids=cow.load_mids(data_dir, mid_source),
        idealpoints=unga.load_idealpoints(data_dir),
        trade=cow.load_trade(data_dir),
        trade_national=cow.load_trade_national(data_dir),
        regime=regime.regime_scores(data_dir),
        sources={
            **COMPONENT_SOURCES,
            "rivalry": rivalries.SOURCES[rivalry_source],
            "disputes": mid_source,
        },
    )


def _key(year, c1, c2) -> np.ndarray:
    import numpy as np

    return (
        np.asarray(year, dtype="int64") * 1_000_000
        + np.asarray(c1, dtype="int64") * 1000
        + np.asarray(c2, dtype="int64")
    )


def _lookup(grid_key: np.ndarray, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """values at grid_key (NaN where absent); keys must be unique."""
    import numpy as np
    import pandas as pd

    idx = pd.Index(keys).get_indexer(grid_key)
    out = np.full(len(grid_key), np.nan)
    hit = idx >= 0
    out[hit] = np.asarray(values, dtype="float64")[idx[hit]]
    return out


def _state_lookup(table: pd.DataFrame, column: str, ccode, year) -> np.ndarray:
    import numpy as np

    keys = table["year"].to_numpy(dtype="int64") * 1000 + table["ccode"].to_numpy(dtype="int64")
    want = np.asarray(year, dtype="int64") * 1000 + np.asarray(ccode, dtype="int64")
    return _lookup(want, keys, table[column].to_numpy())


def state_years(states: pd.DataFrame, last_year: int | None = None) -> pd.DataFrame:
    """``ccode, year`` for every state in the COW system, survivors extended to ``last_year``."""
    from realpolitik.data.cow import spells_to_years

    return spells_to_years(states, last_year)


def dyad_years(
    states: pd.DataFrame, years=None, ccodes=None, last_year: int | None = None
) -> pd.DataFrame:
    """Every non-directed dyad-year (``ccode1 < ccode2``) of states both in the system.

    Parameters
    ----------
    years, ccodes
        Optional restrictions (iterables of ints).
    last_year
        Extend the membership of states alive at the end of the COW list to this year.
    """
    sy = state_years(states, last_year)
    if years is not None:
        sy = sy[sy["year"].isin(list(years))]
    if ccodes is not None:
        sy = sy[sy["ccode"].isin(list(ccodes))]
    m = sy.merge(sy, on="year", suffixes=("1", "2"))
    m = m[m["ccode1"] < m["ccode2"]]
    return (
        m[["ccode1", "ccode2", "year"]]
        .sort_values(["year", "ccode1", "ccode2"])
        .reset_index(drop=True)
    )


def _alliance(inp: Inputs, grid: pd.DataFrame, key: np.ndarray) -> np.ndarray:
    import numpy as np

    a = inp.atop
    score = np.zeros(len(a))
    for col, s in ALLIANCE_SCORES.items():
        score = np.maximum(score, a[col].to_numpy(dtype="float64") * s)
    v = _lookup(key, _key(a["year"], a["ccode1"], a["ccode2"]), score)
    y = grid["year"].to_numpy()
    inside = (y >= a["year"].min()) & (y <= a["year"].max())
    return np.where(inside, np.nan_to_num(v, nan=0.0), np.nan)


def _rivalry(inp: Inputs, grid: pd.DataFrame, key: np.ndarray) -> np.ndarray:
    import numpy as np

    r = inp.rivalry
    v = _lookup(key, _key(r["year"], r["ccode1"], r["ccode2"]), r["rivalry"].to_numpy())
    y = grid["year"].to_numpy()
    return np.where(y <= inp.rivalry_end, np.where(v > 0, -1.0, 0.0), np.nan)


def _disputes(inp: Inputs, grid: pd.DataFrame, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The decayed hostility over the window; also the current year's highest hostility."""
    import numpy as np
    import pandas as pd

    m = inp.mids
    per_year = m.groupby(["ccode1", "ccode2", "year"], as_index=False)["hostlev"].max()
    per_year["hostlev"] = per_year["hostlev"].fillna(1.0)
    shifted = pd.concat(
        [
            per_year.assign(year=per_year["year"] + k, w=DISPUTE_DECAY**k * per_year["hostlev"])
            for k in range(DISPUTE_WINDOW)
        ],
        ignore_index=True,
    )
    agg = shifted.groupby(_key(shifted["year"], shifted["ccode1"], shifted["ccode2"]))["w"].sum()
    load = np.nan_to_num(_lookup(key, agg.index.to_numpy(), agg.to_numpy()), nan=0.0)
    now = _lookup(
        key,
        _key(per_year["year"], per_year["ccode1"], per_year["ccode2"]),
        per_year["hostlev"].to_numpy(),
    )
    y = grid["year"].to_numpy()
    inside = (y >= m["year"].min()) & (y <= m["year"].max())
    value = np.where(inside, -np.minimum(1.0, load / HOSTILITY_MAX), np.nan)
    return value, np.where(inside, np.nan_to_num(now, nan=0.0), np.nan)


def _trade(inp: Inputs, grid: pd.DataFrame, key: np.ndarray):
    import numpy as np

    t = inp.trade.sort_values(["ccode1", "ccode2", "year"])
    total = t[["flow1", "flow2"]].sum(axis=1, min_count=1).to_numpy()
    # a zero inside a run of positive years of the same dyad is a gap in the record, not no trade
    pos = np.nan_to_num(total, nan=0.0) > 0
    dyad = _key(0, t["ccode1"], t["ccode2"])
    ts = t.assign(pos=pos, dyad=dyad)
    before = ts.groupby("dyad")["pos"].cummax().to_numpy()
    after = ts.iloc[::-1].groupby("dyad")["pos"].cummax().to_numpy()[::-1]
    gap = (total == 0) & before & after
    total = np.where(gap, np.nan, total)
    musd = _lookup(key, _key(t["year"], t["ccode1"], t["ccode2"]), total)
    nat = inp.trade_national.assign(
        tot=inp.trade_national[["imports", "exports"]].sum(axis=1, min_count=1)
    )
    tot1 = _state_lookup(nat, "tot", grid["ccode1"], grid["year"])
    tot2 = _state_lookup(nat, "tot", grid["ccode2"], grid["year"])
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = np.where(tot1 > 0, musd / tot1, np.nan)
        s2 = np.where(tot2 > 0, musd / tot2, np.nan)
    dep = np.fmin(s1, s2)
    dep = np.where(np.isnan(s1) | np.isnan(s2), np.nan, dep)
    return np.minimum(1.0, dep / TRADE_SHARE_SCALE), musd, s1, s2


def relation_components(
    data_dir=None,
    *,
    years=None,
    ccodes=None,
    weights: RelationWeights | dict[str, float] | None = None,
    inputs: Inputs | None = None,
    last_year: int | None = None,
) -> pd.DataFrame:
    """Measure every component of every dyad-year and combine them into a relation.

    Parameters
    ----------
    data_dir
        The data directory (see :func:`realpolitik.data.directory.data_dir`).
    years, ccodes
        Restrict to these years and COW codes (default: all).
    weights
        :class:`RelationWeights` or a dict of overrides (default weights otherwise).
    inputs
        Tables already loaded with :func:`load_inputs` (saves reading the files again).
    last_year
        Last year of the grid; states alive in 2016 (the end of the COW list) are kept in the
        system to this year. Default: the last year of the UNGA ideal points.

    Returns
    -------
    pandas.DataFrame
        One row per dyad-year: ``ccode1, ccode2, year``, the six components (NaN where not
        measured), ``relation``, ``sign`` (-1, 0, +1), ``coverage``, and the raw measures behind
        them (``alliance_score``, ``hostlev``, ``idealpoint1``, ``idealpoint2``, ``trade_musd``,
        ``trade_share1``, ``trade_share2``, ``democracy1``, ``democracy2``).
    """
    import numpy as np

    inp = inputs if inputs is not None else load_inputs(data_dir)
    if last_year is None:
        last_year = int(max(inp.idealpoints["year"].max(), inp.states["endyear"].max()))
    grid = dyad_years(inp.states, years, ccodes, last_year)
    key = _key(grid["year"], grid["ccode1"], grid["ccode2"])
    c1, c2, y = grid["ccode1"], grid["ccode2"], grid["year"]

    out = grid.copy()
    out["alliance"] = _alliance(inp, grid, key)
    out["rivalry"] = _rivalry(inp, grid, key)
    out["disputes"], out["hostlev"] = _disputes(inp, grid, key)
    ip1 = _state_lookup(inp.idealpoints, "idealpoint", c1, y)
    ip2 = _state_lookup(inp.idealpoints, "idealpoint", c2, y)
    out["un_votes"] = np.clip(1.0 - np.abs(ip1 - ip2) / UN_DISTANCE_SCALE, -1.0, 1.0)
    out["trade"], out["trade_musd"], out["trade_share1"], out["trade_share2"] = _trade(
        inp, grid, key
    )
    d1 = _state_lookup(inp.regime, "democracy", c1, y)
    d2 = _state_lookup(inp.regime, "democracy", c2, y)
    out["regime"] = 1.0 - 2.0 * np.abs(d1 - d2)
    out["idealpoint1"], out["idealpoint2"] = ip1, ip2
    out["democracy1"], out["democracy2"] = d1, d2
    return combine(out, weights)


def combine(
    components: pd.DataFrame, weights: RelationWeights | dict | None = None
) -> pd.DataFrame:
    """(Re)compute ``relation``, ``sign`` and ``coverage`` from the component columns.

    Cheap: use it to try other weights without measuring again.
    """
    import numpy as np

    w = RelationWeights.coerce(weights)
    cw = w.component_weights()
    x = components[list(COMPONENTS)].to_numpy(dtype="float64")
    wv = np.array([cw[c] for c in COMPONENTS])
    have = ~np.isnan(x)
    rel = np.nan_to_num(x, nan=0.0) @ wv
    total = wv.sum()
    out = components.copy()
    out["relation"] = rel
    out["coverage"] = (have @ wv) / total if total > 0 else 0.0
    out["sign"] = np.where(rel > w.neutral_band, 1, np.where(rel < -w.neutral_band, -1, 0))
    return out


def actor_sizes(
    data_dir=None,
    *,
    years=None,
    ccodes=None,
    measure: str = "cinc",
    inputs: Inputs | None = None,
) -> pd.DataFrame:
    """Actor sizes by state-year (``ccode, year, size, source``).

    Parameters
    ----------
    measure
        ``"cinc"``: the COW Composite Index of National Capability (share of world capabilities);
        ``"gdp"``: Maddison GDP (gdppc * pop, 2011 international $ bn).
    """
    if measure == "cinc":
        nmc = inputs.nmc if inputs is not None else None
        if nmc is None:
            from realpolitik.data.cow import load_nmc

            nmc = load_nmc(data_dir)
        df = nmc[["ccode", "year", "cinc"]].rename(columns={"cinc": "size"})
        df = df.assign(source="cow-nmc")
    elif measure == "gdp":
        from realpolitik.data.gdp import load_maddison

        df = load_maddison(data_dir)[["ccode", "year", "gdp"]].rename(columns={"gdp": "size"})
        df = df.assign(source="maddison")
    else:
        raise ValueError(f"measure must be 'cinc' or 'gdp', got {measure!r}")
    if years is not None:
        df = df[df["year"].isin(list(years))]
    if ccodes is not None:
        df = df[df["ccode"].isin(list(ccodes))]
    return df.dropna(subset=["size"]).reset_index(drop=True)


def describe(row: Any, component: str, sources: dict[str, str] | None = None) -> str:
    """A one-line note on how a component value of one dyad-year row was measured."""
    import math

    def f(v, fmt="{:.3g}"):
        return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)

    y = int(row["year"])
    if component == "alliance":
        return (
            f"ATOP alliance score {f(row['alliance'])} in {y} (1 defence/offence pact, 0.5 "
            "neutrality/non-aggression, 0.25 consultation, 0 none)"
        )
    if component == "rivalry":
        return f"strategic rivalry in {y}: {'yes' if row['rivalry'] < 0 else 'no'}"
    if component == "disputes":
        h = row["hostlev"]
        now = "none" if h == 0 else f"{f(h)} (1-5)"
        return (
            f"militarised disputes {y - DISPUTE_WINDOW + 1}-{y}, hostility decayed by "
            f"{DISPUTE_DECAY} a year; highest hostility in {y}: {now}"
        )
    if component == "un_votes":
        return (
            f"UNGA ideal points {y}: {f(row['idealpoint1'])} and {f(row['idealpoint2'])}; "
            f"value = 1 - distance / {UN_DISTANCE_SCALE}"
        )
    if component == "trade":
        return (
            f"COW trade {y}: US$ {f(row['trade_musd'], '{:,.0f}')} million; shares of each "
            f"side's total trade {f(row['trade_share1'], '{:.1%}')} and "
            f"{f(row['trade_share2'], '{:.1%}')}; value = min(1, smaller share / "
            f"{TRADE_SHARE_SCALE:.0%})"
        )
    if component == "regime":
        return (
            f"democracy (polyarchy) {y}: {f(row['democracy1'])} and "
            f"{f(row['democracy2'])}; value = 1 - 2|difference|"
        )
    raise ValueError(f"unknown component {component!r}")
