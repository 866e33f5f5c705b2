"""Loaders for the Correlates of War datasets: states, major powers, capabilities, trade,
alliances, disputes and contiguity.

Each loader takes an optional ``data_dir`` (see :mod:`realpolitik.data.directory`), reads the
official release (or a repackaging that keeps the official column names) and returns a DataFrame
keyed by ``ccode`` and ``year`` (dyadic tables: ``ccode1``, ``ccode2``, ``year``). COW's missing
code -9 becomes NaN.

References
----------
Singer, J. David, Stuart Bremer and John Stuckey. 1972. Capability Distribution, Uncertainty, and
Major Power War, 1820-1965. In B. Russett (ed.), Peace, War, and Numbers. Beverly Hills: Sage.
Barbieri, Katherine, Omar M. G. Keshk and Brian Pollins. 2009. Trading Data. Conflict Management
and Peace Science 26(5): 471-491.
Gibler, Douglas M. 2009. International Military Alliances, 1648-2008. CQ Press.
Palmer, Glenn et al. 2022. The MID5 Dataset, 2011-2014. Conflict Management and Peace Science
39(4): 470-482.
Stinnett, Douglas M. et al. 2002. The Correlates of War Project Direct Contiguity Data, Version 3.
Conflict Management and Peace Science 19(2): 58-66.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from realpolitik.data._io import na_codes, read_table, rename_official, to_int
from realpolitik.data.directory import find_file

if TYPE_CHECKING:
    import os

    import pandas as pd

    PathLike = str | os.PathLike[str] | None


def undirected(df: pd.DataFrame, flows: tuple[str, str] | None = None) -> pd.DataFrame:
    """Order each dyad so that ``ccode1 < ccode2`` (swapping paired flow columns with it)."""
    import numpy as np

    swap = (df["ccode1"] > df["ccode2"]).to_numpy()
    if swap.any():
        df = df.copy()
        a, b = df["ccode1"].to_numpy().copy(), df["ccode2"].to_numpy().copy()
        df["ccode1"], df["ccode2"] = np.where(swap, b, a), np.where(swap, a, b)
        if flows:
            f1, f2 = df[flows[0]].to_numpy().copy(), df[flows[1]].to_numpy().copy()
            df[flows[0]], df[flows[1]] = np.where(swap, f2, f1), np.where(swap, f1, f2)
    return df


def load_states(data_dir: PathLike = None) -> pd.DataFrame:
    """COW state system membership: one row per spell (``ccode, stateabb, statenme, styear,
    endyear``)."""
    path = find_file("cow-states", data_dir)
    df = read_table(path)
    df = rename_official(
        df,
        path,
        {"statenme": ("statename",), "styear": (), "endyear": ()},
        ["ccode", "stateabb", "styear", "endyear"],
    )
    df = to_int(df, path, ["ccode", "styear", "endyear"])
    if "statenme" not in df.columns:
        df["statenme"] = df["stateabb"]
    return df[["ccode", "stateabb", "statenme", "styear", "endyear"]]


def load_majors(data_dir: PathLike = None) -> pd.DataFrame:
    """COW major powers: one row per spell (``ccode, styear, endyear``)."""
    path = find_file("cow-majors", data_dir)
    df = rename_official(read_table(path), path, {}, ["ccode", "styear", "endyear"])
    df = to_int(df, path, ["ccode", "styear", "endyear"])
    return df[["ccode", "styear", "endyear"]]


def spells_to_years(spells: pd.DataFrame, last_year: int | None = None) -> pd.DataFrame:
    """Expand ``ccode, styear, endyear`` spells to ``ccode, year`` rows (vectorised).

    ``last_year`` extends spells that run to the end of the data's coverage (their ``endyear`` is
    the maximum in the table) up to that year: the COW 2016 lists stop in 2016, while other data
    go further.
    """
    import numpy as np
    import pandas as pd

    end = spells["endyear"].to_numpy().copy()
    if last_year is not None and len(end):
        end[end == end.max()] = max(last_year, end.max())
    start = spells["styear"].to_numpy()
    n = np.maximum(end - start + 1, 0)
    code = np.repeat(spells["ccode"].to_numpy(), n)
    offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    year = np.repeat(start, n) + offs
    return pd.DataFrame({"ccode": code, "year": year}).drop_duplicates().reset_index(drop=True)


def load_nmc(data_dir: PathLike = None) -> pd.DataFrame:
    """COW National Material Capabilities with CINC (``ccode, year, milex, milper, irst, pec,
    tpop, upop, cinc``)."""
    path = find_file("cow-nmc", data_dir)
    cols = ["milex", "milper", "irst", "pec", "tpop", "upop", "cinc"]
    df = rename_official(read_table(path), path, {}, ["ccode", "year", "cinc"])
    df = to_int(df, path, ["ccode", "year"])
    df = na_codes(df, cols)
    for c in cols:
        if c not in df.columns:
            df[c] = float("nan")
    return df[["ccode", "year", *cols]]


def load_trade(data_dir: PathLike = None) -> pd.DataFrame:
    """COW dyadic trade, non-directed with ``ccode1 < ccode2``.

    ``flow1`` is the imports of ``ccode1`` from ``ccode2`` and ``flow2`` the imports of
    ``ccode2`` from ``ccode1``, in current US$ million; -9 becomes NaN. Zeros are kept as given:
    :func:`realpolitik.data.relations.trade_component` decides which zeros are gaps.
    """
    path = find_file("cow-trade", data_dir)
    df = rename_official(read_table(path), path, {}, ["ccode1", "ccode2", "year", "flow1", "flow2"])
    df = to_int(df, path, ["ccode1", "ccode2", "year"])
    df = na_codes(df, ["flow1", "flow2"])
    df = undirected(df[["ccode1", "ccode2", "year", "flow1", "flow2"]], ("flow1", "flow2"))
    return df.drop_duplicates(["ccode1", "ccode2", "year"]).reset_index(drop=True)


def load_trade_national(data_dir: PathLike = None) -> pd.DataFrame:
    """COW national trade totals (``ccode, year, imports, exports``, current US$ million)."""
    path = find_file("cow-trade-national", data_dir)
    df = rename_official(read_table(path), path, {}, ["ccode", "year", "imports", "exports"])
    df = to_int(df, path, ["ccode", "year"])
    df = na_codes(df, ["imports", "exports"])
    return df[["ccode", "year", "imports", "exports"]]


_ALLIANCE = {
    "cow_defense": ("defense",),
    "cow_neutral": ("neutrality",),
    "cow_nonagg": ("nonaggression",),
    "cow_entente": ("entente",),
}


def load_cow_alliances(data_dir: PathLike = None) -> pd.DataFrame:
    """COW formal alliances v4.1 as non-directed allied dyad-years (one row per dyad-year, the
    strongest obligation of any alliance between the two: ``cow_defense, cow_neutral,
    cow_nonagg, cow_entente`` as 0/1)."""
    path = find_file("cow-alliance", data_dir)
    df = rename_official(read_table(path), path, _ALLIANCE, ["ccode1", "ccode2", "year"])
    df = to_int(df, path, ["ccode1", "ccode2", "year"])
    cols = list(_ALLIANCE)
    for c in cols:
        df[c] = df[c].fillna(0).astype("float64") if c in df.columns else 0.0
    df = undirected(df[["ccode1", "ccode2", "year", *cols]])
    return df.groupby(["ccode1", "ccode2", "year"], as_index=False, sort=True)[cols].max()


_MID = {
    "dispnum": ("disno", "dispnum3"),
    "ccode1": ("statea",),
    "ccode2": ("stateb",),
    "hostlev": ("hihost", "hostlev1"),
    "ongoing": ("cowmidongoing", "gmlmidongoing"),
    "onset": ("cowmidonset", "gmlmidonset"),
}


def load_mids(data_dir: PathLike = None, source: str = "cow-mid") -> pd.DataFrame:
    """Militarised interstate disputes as dyad-years (``dispnum, ccode1, ccode2, year, onset,
    ongoing, hostlev``), non-directed, one row per dispute-dyad-year.

    Parameters
    ----------
    source
        ``"cow-mid"`` (MID 5) or ``"gml-mid"`` (Gibler-Miller-Little).

    Notes
    -----
    Accepts the peacesciencer dyad-year files and the Maoz dyadic MID release (``disno,
    statea, stateb, year, hihost, strtyr``): there every row is an ongoing dispute year and the
    onset is the year equal to ``strtyr``. ``hostlev`` is the dispute's highest hostility
    level, 1 (no militarised action) to 5 (war).
    """
    if source not in ("cow-mid", "gml-mid"):
        raise ValueError(f"source must be 'cow-mid' or 'gml-mid', got {source!r}")
    path = find_file(source, data_dir)
    df = rename_official(read_table(path), path, _MID, ["ccode1", "ccode2", "year", "hostlev"])
    df = to_int(df, path, ["ccode1", "ccode2", "year"])
    if "dispnum" not in df.columns:
        df["dispnum"] = -1
    if "ongoing" not in df.columns:
        df["ongoing"] = 1.0
    if "onset" not in df.columns:
        start = next((c for c in ("strtyr", "styear") if c in df.columns), None)
        df["onset"] = (df["year"] == df[start]).astype(float) if start else float("nan")
    df = na_codes(df, ["hostlev", "onset", "ongoing"])
    df = undirected(df[["dispnum", "ccode1", "ccode2", "year", "onset", "ongoing", "hostlev"]])
    df = df.groupby(["dispnum", "ccode1", "ccode2", "year"], as_index=False).max()
    return df


def load_contiguity(data_dir: PathLike = None) -> pd.DataFrame:
    """COW direct contiguity as non-directed dyad-years (``ccode1, ccode2, year, conttype``;
    1 = land border, 2-5 = separated by up to 12, 24, 150, 400 miles of water).

    Reads the yearly release (``contdird.csv``: ``state1no, state2no, year, conttype``) or the
    dated one (``contdir.csv``: ``stdate``/``enddate`` as YYYYMM or ISO dates), which is
    expanded to years.
    """
    import numpy as np
    import pandas as pd

    path = find_file("cow-contiguity", data_dir)
    aliases = {
        "ccode1": ("state1no",),
        "ccode2": ("state2no",),
        "stdate": ("begin",),
        "enddate": ("end",),
    }
    df = rename_official(read_table(path), path, aliases, ["ccode1", "ccode2", "conttype"])
    df = to_int(df, path, ["ccode1", "ccode2"])
    if "year" not in df.columns:

        def _year(s: pd.Series) -> np.ndarray:
            t = s.astype("string").str.slice(0, 4)
            return pd.to_numeric(t, errors="coerce").fillna(0).astype("int64").to_numpy()

        st, en = _year(df["stdate"]), _year(df["enddate"])
        n = np.maximum(en - st + 1, 0)
        rep = np.repeat(np.arange(len(df)), n)
        offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        df = df.iloc[rep].reset_index(drop=True).assign(year=np.repeat(st, n) + offs)
    df = to_int(df, path, ["year"])
    df = undirected(df[["ccode1", "ccode2", "year", "conttype"]])
    return df.groupby(["ccode1", "ccode2", "year"], as_index=False)["conttype"].min()
