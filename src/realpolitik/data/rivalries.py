"""Loaders for strategic rivalries: Thompson-Dreyer (to 2010) and Thompson-Sakuwa-Suhas (to 2020).

A strategic rivalry is a pair of states that regard each other as competitors, as sources of
actual or latent threats, and as enemies (Thompson and Dreyer 2011): a perception-based measure,
unlike disputes.

References
----------
Thompson, William R. and David R. Dreyer. 2011. Handbook of International Rivalries, 1494-2010.
CQ Press.
Thompson, William R., Kentaro Sakuwa and Prashant Hosur Suhas. 2022. Analyzing Strategic
Rivalries in World Politics. Springer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from realpolitik.data._io import read_table, rename_official, to_int
from realpolitik.data.cow import undirected
from realpolitik.data.directory import find_file

if TYPE_CHECKING:
    import pandas as pd

SOURCES = {"tss": "tss-rivalries", "td": "td-rivalries"}


def load_rivalries(data_dir=None, source: str = "tss") -> pd.DataFrame:
    """Rivalry spells (``ccode1, ccode2, start, end, name``), non-directed.

    Parameters
    ----------
    source
        ``"tss"`` (Thompson-Sakuwa-Suhas, to 2020; ``end == 2020`` means ongoing) or ``"td"``
        (Thompson-Dreyer, to 2010).
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {sorted(SOURCES)}, got {source!r}")
    path = find_file(SOURCES[source], data_dir)
    aliases = {"start": ("styear",), "end": ("endyear",), "name": ("rivalry", "rivalryname")}
    df = rename_official(read_table(path), path, aliases, ["ccode1", "ccode2", "start", "end"])
    df = to_int(df, path, ["ccode1", "ccode2", "start", "end"])
    if "name" not in df.columns:
        df["name"] = ""
    return undirected(df[["ccode1", "ccode2", "start", "end", "name"]])


def rivalry_years(data_dir=None, source: str = "tss", first_year: int = 1816) -> pd.DataFrame:
    """Rivalry dyad-years (``ccode1, ccode2, year, rivalry`` with rivalry = 1) from
    ``first_year``; the data end (2020 for TSS, 2010 for Thompson-Dreyer) is in
    :data:`COVERAGE_END`."""
    import numpy as np
    import pandas as pd

    df = load_rivalries(data_dir, source)
    st = np.maximum(df["start"].to_numpy(), first_year)
    en = df["end"].to_numpy()
    n = np.maximum(en - st + 1, 0)
    offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    out = pd.DataFrame(
        {
            "ccode1": np.repeat(df["ccode1"].to_numpy(), n),
            "ccode2": np.repeat(df["ccode2"].to_numpy(), n),
            "year": np.repeat(st, n) + offs,
        }
    ).drop_duplicates()
    out["rivalry"] = 1.0
    return out.reset_index(drop=True)


#: Last year each source covers (a dyad-year after it is unknown, not "no rivalry").
COVERAGE_END = {"tss": 2020, "td": 2010}
