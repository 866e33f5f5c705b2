"""Loaders for economic size: Maddison, Penn World Table, World Bank GDP, and SDP.

Every loader returns ``ccode, year`` plus its own columns and a ``gdp`` column in US$ billion
(its own price basis: Maddison 2011 international $, PWT 2017 US$ at PPP (rgdpe), World Bank
current US$, SDP 2011 US$).

References
----------
Bolt, Jutta and Jan Luiten van Zanden. 2024. Maddison style estimates of the evolution of the
world economy: A new 2023 update. Journal of Economic Surveys.
Feenstra, Robert C., Robert Inklaar and Marcel P. Timmer. 2015. The Next Generation of the Penn
World Table. American Economic Review 105(10): 3150-3182.
Anders, Therese, Christopher J. Fariss and Jonathan N. Markowitz. 2020. Bread Before Guns or
Butter: Introducing Surplus Domestic Product (SDP). International Studies Quarterly 64(2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from realpolitik.data._io import read_table, rename_official, to_int
from realpolitik.data.directory import find_file, has_file

if TYPE_CHECKING:
    import pandas as pd


def _to_ccode(df: pd.DataFrame, data_dir) -> pd.DataFrame:
    from realpolitik.data.codes import iso3_to_ccode

    cw = {}
    if has_file("unga-idealpoints", data_dir):
        from realpolitik.data.unga import iso3_crosswalk

        cw = iso3_crosswalk(data_dir)
    df = df.assign(ccode=iso3_to_ccode(df["iso3"], df["year"], cw)).dropna(subset=["ccode"])
    df["ccode"] = df["ccode"].astype("int64")
    return df


def load_maddison(data_dir=None) -> pd.DataFrame:
    """Maddison Project 2023 (``ccode, year, iso3, gdppc, pop, gdp``).

    ``gdppc`` in 2011 international $, ``pop`` in thousands, ``gdp`` = gdppc * pop in US$ bn.
    The USSR (COW 365) is the aggregate SUN up to 1991 and Russia (RUS) from 1992.
    """
    path = find_file("maddison", data_dir)
    df = rename_official(
        read_table(path), path, {"iso3": ("countrycode", "ISO")}, ["iso3", "year", "gdppc", "pop"]
    )
    df = to_int(df, path, ["year"])
    iso = df["iso3"].astype("string").str.upper()
    if (iso == "SUN").any():  # one series per COW state: the USSR aggregate, then Russia
        df = df[~((iso == "RUS") & (df["year"] <= 1991)) & ~((iso == "SUN") & (df["year"] > 1991))]
    df = _to_ccode(df, data_dir)
    df["gdp"] = df["gdppc"].astype(float) * df["pop"].astype(float) / 1e6
    out = df[["ccode", "year", "iso3", "gdppc", "pop", "gdp"]].dropna(subset=["gdp"])
    return out.drop_duplicates(["ccode", "year"]).reset_index(drop=True)


def load_pwt(data_dir=None) -> pd.DataFrame:
    """Penn World Table 10.01 (``ccode, year, iso3, rgdpe, pop, gdp``); rgdpe in 2017 US$ million
    at PPP, gdp = rgdpe / 1000 in US$ bn."""
    path = find_file("pwt", data_dir)
    df = rename_official(
        read_table(path), path, {"iso3": ("countrycode", "isocode")}, ["iso3", "year", "rgdpe"]
    )
    df = to_int(df, path, ["year"])
    df = _to_ccode(df, data_dir)
    if "pop" not in df.columns:
        df["pop"] = float("nan")
    df["gdp"] = df["rgdpe"].astype(float) / 1e3
    out = df[["ccode", "year", "iso3", "rgdpe", "pop", "gdp"]].dropna(subset=["gdp"])
    return out.drop_duplicates(["ccode", "year"]).reset_index(drop=True)


def load_wb_gdp(data_dir=None) -> pd.DataFrame:
    """World Bank GDP in current US$ (``ccode, year, iso3, gdp_usd, gdp``; gdp in US$ bn).

    Reads the official wide CSV (four preamble lines, then ``Country Name, Country Code,
    Indicator Name, Indicator Code, 1960, 1961, ...``) or the long datahub table (``Country
    Code, Year, Value``). Aggregates (regions, income groups) have no COW code and are dropped.
    """
    import pandas as pd

    path = find_file("wb-gdp", data_dir)
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline()
    skip = 4 if first.startswith('"Data Source"') or first.startswith("Data Source") else 0
    raw = read_table(path, skiprows=skip)
    years = [c for c in raw.columns if str(c).strip().isdigit()]
    if years:
        raw = rename_official(raw, path, {"iso3": ("Country Code",)}, ["iso3"])
        raw = raw.melt(id_vars=["iso3"], value_vars=years, var_name="year", value_name="gdp_usd")
    else:
        raw = rename_official(
            raw,
            path,
            {"iso3": ("Country Code",), "gdp_usd": ("Value",)},
            ["iso3", "year", "gdp_usd"],
        )
    df = to_int(raw, path, ["year"])
    df["gdp_usd"] = pd.to_numeric(df["gdp_usd"], errors="coerce")
    df = _to_ccode(df, data_dir)
    df["gdp"] = df["gdp_usd"] / 1e9
    out = df[["ccode", "year", "iso3", "gdp_usd", "gdp"]].dropna(subset=["gdp"])
    return out.drop_duplicates(["ccode", "year"]).reset_index(drop=True)


def load_sdp(data_dir=None) -> pd.DataFrame:
    """Anders-Fariss-Markowitz simulated GDP and SDP (``ccode, year, gdp, pop, sdp``), converted
    from the file's natural logarithms: gdp and sdp in 2011 US$ bn, pop in persons."""
    import numpy as np

    path = find_file("sdp", data_dir)
    aliases = {"lgdp": ("wbgdp2011est",), "lpop": ("wbpopest",), "lsdp": ("sdpest",)}
    df = rename_official(read_table(path), path, aliases, ["ccode", "year", "lgdp"])
    df = to_int(df, path, ["ccode", "year"])
    df["gdp"] = np.exp(df["lgdp"].astype(float)) / 1e9
    df["pop"] = np.exp(df["lpop"].astype(float)) if "lpop" in df.columns else np.nan
    df["sdp"] = np.exp(df["lsdp"].astype(float)) / 1e9 if "lsdp" in df.columns else np.nan
    return df[["ccode", "year", "gdp", "pop", "sdp"]].reset_index(drop=True)
