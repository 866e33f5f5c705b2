"""Reading dataset files: format by extension, official column names, checks with locations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from realpolitik.errors import Problem, ScenarioError

if TYPE_CHECKING:
    import pandas as pd

MAX_PROBLEMS = 5


def read_table(path: Path, columns: Iterable[str] | None = None, **csv_kwargs) -> pd.DataFrame:
    """Read a CSV, Parquet or Stata file into a DataFrame (format from the extension)."""
    import pandas as pd

    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            df = pd.read_parquet(path)
        elif suffix == ".dta":
            df = pd.read_stata(path, convert_categoricals=False)
        elif suffix in (".csv", ".tsv", ".txt", ".gz"):
            sep = "\t" if suffix == ".tsv" else ","
            try:
                df = pd.read_csv(path, sep=sep, low_memory=False, **csv_kwargs)
            except UnicodeDecodeError:
                df = pd.read_csv(path, sep=sep, low_memory=False, encoding="latin-1", **csv_kwargs)
        else:
            raise ScenarioError.single(
                "unsupported file format",
                file=str(path),
                expected=".csv, .parquet or .dta",
                got=suffix or "no extension",
            )
    except ScenarioError:
        raise
    except Exception as exc:  # a parser error: say which file
        raise ScenarioError.single(
            f"cannot read the file: {exc}", file=str(path), expected="a readable table"
        ) from exc
    return df


def rename_official(
    df: pd.DataFrame, path: Path, aliases: Mapping[str, Iterable[str]], required: Iterable[str]
) -> pd.DataFrame:
    """Rename columns to our names and check that the required ones are present.

    Parameters
    ----------
    aliases
        Our column name -> the names it has in the official release and repackagings
        (matched case-insensitively; the first present wins).
    required
        Our names that must be present after renaming.
    """
    lower = {str(c).lower(): c for c in df.columns}
    mapping = {}
    required = list(required)
    wanted = {**{c: () for c in required}, **aliases}
    for ours, names in wanted.items():
        if ours in df.columns:
            continue
        for name in (ours, *names):
            if name.lower() in lower and lower[name.lower()] not in mapping:
                mapping[lower[name.lower()]] = ours
                break
    df = df.rename(columns=mapping)
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ScenarioError(
            [
                Problem(
                    "required column missing",
                    file=str(path),
                    line=1,
                    path=c,
                    expected=" or ".join([c, *aliases.get(c, ())]),
                    got="columns " + ", ".join(map(str, list(df.columns)[:30])),
                )
                for c in missing
            ]
        )
    return df


def to_int(df: pd.DataFrame, path: Path, columns: Iterable[str], missing=(-9,)) -> pd.DataFrame:
    """Cast code columns to integers; rows with non-numeric codes are reported with line numbers.

    Missing codes (NaN or a listed missing code) drop the row: a row without a key is unusable.
    Line numbers assume one header line (CSV); for Parquet they are row numbers + 2.
    """
    import numpy as np
    import pandas as pd

    problems = []
    keep = np.ones(len(df), dtype=bool)
    out = {}
    for c in columns:
        raw = df[c]
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna() & (raw.astype("string").str.strip() != "")
        if bad.any():
            idx = np.flatnonzero(bad.to_numpy())
            for i in idx[:MAX_PROBLEMS]:
                problems.append(
                    Problem(
                        "not an integer code",
                        file=str(path),
                        line=int(i) + 2,
                        path=c,
                        expected="an integer",
                        got=repr(raw.iloc[i]),
                    )
                )
        frac = num.notna() & (num != np.floor(num.fillna(0)))
        if frac.any():
            i = int(np.flatnonzero(frac.to_numpy())[0])
            problems.append(
                Problem(
                    "not an integer code",
                    file=str(path),
                    line=i + 2,
                    path=c,
                    expected="an integer",
                    got=repr(raw.iloc[i]),
                )
            )
        miss = num.isna() | num.isin(list(missing))
        keep &= ~miss.to_numpy()
        out[c] = num
    if problems:
        raise ScenarioError(problems)
    df = df.assign(**out).loc[keep]
    for c in columns:
        df[c] = df[c].astype("int64")
    return df.reset_index(drop=True)


def na_codes(df: pd.DataFrame, columns: Iterable[str], codes=(-9,)) -> pd.DataFrame:
    """Replace missing-value codes (COW uses -9) by NaN in numeric columns."""
    import numpy as np
    import pandas as pd

    for c in columns:
        if c in df.columns:
            v = pd.to_numeric(df[c], errors="coerce").astype("float64")
            df[c] = v.mask(v.isin(list(codes)), np.nan)
    return df


def year_range_check(df: pd.DataFrame, path: Path, column: str = "year") -> None:
    """Years must be plausible (1 to 2100): catches a shifted or mislabelled column."""
    import numpy as np

    v = df[column].to_numpy()
    bad = (v < 1) | (v > 2100)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ScenarioError.single(
            "implausible year",
            file=str(path),
            line=i + 2,
            path=column,
            expected="a year between 1 and 2100",
            got=str(v[i]),
        )
