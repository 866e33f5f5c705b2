"""Loaders for regime measures: V-Dem (v14), and the merged V-Dem v10 / Polity2 / UDS file.

References
----------
Coppedge, Michael et al. 2024. V-Dem Country-Year Dataset v14. Varieties of Democracy Project.
Marshall, Monty G., Ted Robert Gurr and Keith Jaggers. Polity5: Political Regime Characteristics
and Transitions, 1800-2018. Center for Systemic Peace.
Pemstein, Daniel, Stephen A. Meserve and James Melton. 2010. Democratic Compromise: A Latent
Variable Analysis of Ten Measures of Regime Type. Political Analysis 18(4): 426-449.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from realpolitik.data._io import na_codes, read_table, rename_official, to_int
from realpolitik.data.directory import find_file, has_file

if TYPE_CHECKING:
    import pandas as pd


def load_democracy(data_dir=None) -> pd.DataFrame:
    """Democracy scores by COW code (``ccode, year, v2x_polyarchy, polity2, xm_qudsest``).

    Reads the merged peacesciencer file, or the official Polity5 table (``ccode, year,
    polity2``; the other columns are then NaN). Polity's special codes (-66, -77, -88) become NaN.
    """
    path = find_file("democracy", data_dir)
    df = rename_official(read_table(path), path, {}, ["ccode", "year"])
    df = to_int(df, path, ["ccode", "year"])
    cols = ["v2x_polyarchy", "polity2", "xm_qudsest"]
    for c in cols:
        if c not in df.columns:
            df[c] = float("nan")
    df = na_codes(df, cols, codes=(-66, -77, -88))
    return df[["ccode", "year", *cols]].drop_duplicates(["ccode", "year"]).reset_index(drop=True)


def load_vdem(data_dir=None) -> pd.DataFrame:
    """V-Dem polyarchy and liberal democracy by COW code (``ccode, year, v2x_polyarchy,
    v2x_libdem, iso3``).

    The official country-year file carries ``COWcode``; files without it (vdemlite) are mapped
    from ``country_text_id`` (ISO3-like) with :func:`realpolitik.data.codes.iso3_to_ccode`.
    """
    from realpolitik.data.codes import iso3_to_ccode

    path = find_file("vdem", data_dir)
    aliases = {"iso3": ("country_text_id",), "ccode": ("COWcode",)}
    df = rename_official(read_table(path), path, aliases, ["year", "v2x_polyarchy"])
    df = to_int(df, path, ["year"])
    if "iso3" not in df.columns:
        df["iso3"] = None
    if "ccode" in df.columns:
        df = to_int(df, path, ["ccode"])
    else:
        from realpolitik.data.unga import iso3_crosswalk

        cw = iso3_crosswalk(data_dir) if has_file("unga-idealpoints", data_dir) else {}
        df["ccode"] = iso3_to_ccode(df["iso3"], df["year"], cw)
        df = df.dropna(subset=["ccode"])
        df["ccode"] = df["ccode"].astype("int64")
    if "v2x_libdem" not in df.columns:
        df["v2x_libdem"] = float("nan")
    out = df[["ccode", "year", "v2x_polyarchy", "v2x_libdem", "iso3"]]
    return out.drop_duplicates(["ccode", "year"]).reset_index(drop=True)


def regime_scores(data_dir=None) -> pd.DataFrame:
    """One democracy score in [0, 1] per state-year, with its source (``ccode, year, democracy,
    source``).

    Preference order: V-Dem v14 polyarchy (dataset key ``vdem``); V-Dem v10 polyarchy from the
    merged file (``democracy``); Polity2 rescaled as (polity2 + 10) / 20 (``democracy``, marked
    in ``source`` as ``democracy:polity2``). Missing datasets are skipped; at least one must exist.
    """
    import pandas as pd

    parts = []
    if has_file("vdem", data_dir):
        v = load_vdem(data_dir)
        parts.append(
            v.assign(democracy=v["v2x_polyarchy"], source="vdem")[
                ["ccode", "year", "democracy", "source"]
            ]
        )
    if has_file("democracy", data_dir) or not parts:
        d = load_democracy(data_dir)
        parts.append(
            d.assign(democracy=d["v2x_polyarchy"], source="democracy")[
                ["ccode", "year", "democracy", "source"]
            ]
        )
        parts.append(
            d.assign(democracy=(d["polity2"] + 10.0) / 20.0, source="democracy:polity2")[
                ["ccode", "year", "democracy", "source"]
            ]
        )
    df = pd.concat(parts, ignore_index=True).dropna(subset=["democracy"])
    return df.drop_duplicates(["ccode", "year"], keep="first").reset_index(drop=True)
