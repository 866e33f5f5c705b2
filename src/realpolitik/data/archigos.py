"""Loader for Archigos, the dataset of political leaders (entry, exit and manner of exit).

References
----------
Goemans, Henk E., Kristian Skrede Gleditsch and Giacomo Chiozza. 2009. Introducing Archigos: A
Dataset of Political Leaders. Journal of Peace Research 46(2): 269-283.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from realpolitik.data._io import read_table, rename_official, to_int
from realpolitik.data.directory import find_file

if TYPE_CHECKING:
    import pandas as pd


def load_leaders(data_dir=None) -> pd.DataFrame:
    """One row per leader spell (``ccode, gwcode, leader, startdate, enddate, entry, exit,
    exitcode, start_year, end_year``).

    Archigos keys states by Gleditsch-Ward code; in the official file that column is called
    ``ccode`` (in repackagings ``gwcode``). ``ccode`` here is the COW code, converted with
    :func:`realpolitik.data.codes.gw_to_ccode` at the spell's start year.
    """
    import pandas as pd

    from realpolitik.data.codes import gw_to_ccode

    path = find_file("archigos", data_dir)
    df = read_table(path)
    if "gwcode" not in df.columns and "ccode" in df.columns:
        df = df.rename(columns={"ccode": "gwcode"})
    df = rename_official(
        df, path, {"enddate": ("eindate",)}, ["gwcode", "leader", "startdate", "enddate"]
    )
    df = to_int(df, path, ["gwcode"])
    for c in ("startdate", "enddate"):
        df[c] = pd.to_datetime(df[c], errors="coerce")
    df["start_year"] = df["startdate"].dt.year.astype("Int64")
    df["end_year"] = df["enddate"].dt.year.astype("Int64")
    df["ccode"] = gw_to_ccode(df["gwcode"], df["start_year"].fillna(0))
    for c in ("entry", "exit", "exitcode"):
        if c not in df.columns:
            df[c] = None
    cols = [
        "ccode",
        "gwcode",
        "leader",
        "startdate",
        "enddate",
        "entry",
        "exit",
        "exitcode",
        "start_year",
        "end_year",
    ]
    return df[cols].reset_index(drop=True)


def leader_turnover(data_dir=None) -> pd.DataFrame:
    """Leader changes per state-year (``ccode, year, changes, irregular``): the number of leader
    spells that start in the year (after the state's first), and how many of them began
    irregularly (``entry`` not 'Regular')."""
    df = load_leaders(data_dir).sort_values(["ccode", "startdate"])
    first = df.groupby("ccode")["startdate"].transform("min")
    starts = df[df["startdate"] > first].assign(
        year=lambda d: d["start_year"].astype("int64"),
        irregular=lambda d: (d["entry"].astype("string").str.lower() != "regular").astype(int),
    )
    out = starts.groupby(["ccode", "year"], as_index=False).agg(
        changes=("leader", "size"), irregular=("irregular", "sum")
    )
    return out
