"""Loaders for United Nations General Assembly votes and ideal points.

Ideal points are the Bailey-Strezhnev-Voeten estimates: one dimension of state preferences on
the US-led liberal order, comparable over time through resolutions that are voted repeatedly.

References
----------
Bailey, Michael A., Anton Strezhnev and Erik Voeten. 2017. Estimating Dynamic State Preferences
from United Nations Voting Data. Journal of Conflict Resolution 61(2): 430-456.
Voeten, Erik, Anton Strezhnev and Michael Bailey. 2009. United Nations General Assembly Voting
Data. Harvard Dataverse, hdl:1902.1/12379.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from realpolitik.data._io import read_table, rename_official, to_int
from realpolitik.data.directory import find_file

if TYPE_CHECKING:
    import pandas as pd

_IDEAL = {
    "idealpoint": ("IdealPointAll", "IdealPoint", "ideal_point"),
    "nvotes": ("NVotesAll", "NVotes"),
    "iso3": ("iso3c", "iso3"),
    "name": ("Countryname", "countryname"),
}


def load_idealpoints(data_dir=None) -> pd.DataFrame:
    """UNGA ideal points by state and year (``ccode, year, session, idealpoint, nvotes, iso3``).

    ``year = 1945 + session`` (a session opens in September of that year). Russia (365) covers
    the USSR; China (710) is the PRC from 1971.
    """
    path = find_file("unga-idealpoints", data_dir)
    df = rename_official(read_table(path), path, _IDEAL, ["ccode", "session", "idealpoint"])
    df = to_int(df, path, ["ccode", "session"])
    df["year"] = df["session"] + 1945
    for c in ("nvotes", "iso3"):
        if c not in df.columns:
            df[c] = None
    df["idealpoint"] = df["idealpoint"].astype("float64")
    df = df[["ccode", "year", "session", "idealpoint", "nvotes", "iso3"]]
    return df.drop_duplicates(["ccode", "year"]).reset_index(drop=True)


def iso3_crosswalk(data_dir=None) -> dict[str, int]:
    """ISO3 -> COW code for every UN member, read from the ideal-point file (its ``iso3c`` and
    ``ccode`` columns); the most recent code wins where a code was reused (DEU, YEM)."""
    df = load_idealpoints(data_dir).dropna(subset=["iso3"]).sort_values("year")
    return {str(k).upper(): int(v) for k, v in zip(df["iso3"], df["ccode"], strict=True)}


def load_votes(data_dir=None) -> pd.DataFrame:
    """Roll-call votes (``rcid, country, country_code, vote``), with ``session`` and ``year``
    added from the roll-call file when it is present. ``vote`` is yes, no or abstain."""
    import pandas as pd

    from realpolitik.data.directory import has_file

    path = find_file("unga-votes", data_dir)
    df = rename_official(read_table(path), path, {}, ["rcid", "country", "vote"])
    df = to_int(df, path, ["rcid"])
    if has_file("unga-rollcalls", data_dir):
        rpath = find_file("unga-rollcalls", data_dir)
        rc = rename_official(read_table(rpath), rpath, {}, ["rcid", "session"])
        rc = to_int(rc, rpath, ["rcid", "session"])[["rcid", "session"]]
        df = df.merge(rc, on="rcid", how="left")
        df["year"] = (df["session"] + 1945).astype("Int64")
    df["vote"] = df["vote"].astype("string").str.lower()
    return pd.DataFrame(df)
