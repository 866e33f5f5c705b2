"""Loader for the Alliance Treaty Obligations and Provisions (ATOP) dyad-year data.

References
----------
Leeds, Brett Ashley, Jeffrey M. Ritter, Sara McLaughlin Mitchell and Andrew G. Long. 2002.
Alliance Treaty Obligations and Provisions, 1815-1944. International Interactions 28: 237-260.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from realpolitik.data._io import read_table, rename_official, to_int
from realpolitik.data.cow import undirected
from realpolitik.data.directory import find_file

if TYPE_CHECKING:
    import pandas as pd

OBLIGATIONS = ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul")

_ALIASES = {
    "ccode1": ("stateA", "statea"),
    "ccode2": ("stateB", "stateb"),
    "atop_defense": ("defense",),
    "atop_offense": ("offense",),
    "atop_neutral": ("neutral",),
    "atop_nonagg": ("nonagg",),
    "atop_consul": ("consul",),
}


def load_atop(data_dir=None) -> pd.DataFrame:
    """ATOP allied dyad-years, non-directed (``ccode1 < ccode2``), one row per dyad-year with each
    obligation (defence, offence, neutrality, non-aggression, consultation) as 0/1.

    Reads the official ``atop5_1ddyr.csv`` (``stateA, stateB, year, defense, offense, neutral,
    nonagg, consul``) or peacesciencer's ``atop_*`` columns. Dyad-years that are absent have no
    alliance; years outside the data's coverage are unknown, not zero.
    """
    path = find_file("atop", data_dir)
    df = rename_official(read_table(path), path, _ALIASES, ["ccode1", "ccode2", "year"])
    df = to_int(df, path, ["ccode1", "ccode2", "year"])
    cols = list(OBLIGATIONS)
    for c in cols:
        df[c] = df[c].fillna(0).astype("float64") if c in df.columns else 0.0
    df = undirected(df[["ccode1", "ccode2", "year", *cols]])
    return df.groupby(["ccode1", "ccode2", "year"], as_index=False, sort=True)[cols].max()
