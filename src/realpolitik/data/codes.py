"""Country codes: COW numbers, COW abbreviations, ISO3 and Gleditsch-Ward, with their exceptions.

COW codes (``ccode``) key every table this package returns. ISO3-keyed datasets (V-Dem, Maddison,
PWT, World Bank) are mapped with :func:`iso3_to_ccode`; Gleditsch-Ward-keyed ones (Archigos) with
:func:`gw_to_ccode`. The general ISO3 -> COW crosswalk is read from the UNGA ideal-point file (it
carries both codes for every UN member); the year-dependent cases are handled by rules here.

References
----------
Gleditsch, Kristian S. and Michael D. Ward. 1999. A Revised List of Independent States since the
Congress of Vienna. International Interactions 25(4): 393-413.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: COW codes of the states most scenarios use, under their ISO3 code and their COW abbreviation.
#: Written by hand; the full lists come from the data files at run time.
KNOWN: dict[str, int] = {
    "USA": 2,
    "CAN": 20,
    "CUB": 40,
    "MEX": 70,
    "BRA": 140,
    "ARG": 160,
    "CHL": 155,
    "GBR": 200,
    "UKG": 200,
    "IRL": 205,
    "NLD": 210,
    "NTH": 210,
    "BEL": 211,
    "FRA": 220,
    "FRN": 220,
    "CHE": 225,
    "SWZ": 225,
    "ESP": 230,
    "SPN": 230,
    "PRT": 235,
    "POR": 235,
    "DEU": 255,
    "GMY": 255,
    "GFR": 260,
    "GDR": 265,
    "POL": 290,
    "AUT": 305,
    "HUN": 310,
    "CZE": 316,
    "CZR": 316,
    "ITA": 325,
    "SRB": 345,
    "YUG": 345,
    "GRC": 350,
    "RUS": 365,
    "USSR": 365,
    "SUN": 365,
    "UKR": 369,
    "FIN": 375,
    "SWD": 380,
    "SWE": 380,
    "NOR": 385,
    "DNK": 390,
    "DEN": 390,
    "NGA": 475,
    "NIG": 475,
    "ZAF": 560,
    "SAF": 560,
    "IRN": 630,
    "TUR": 640,
    "IRQ": 645,
    "EGY": 651,
    "SYR": 652,
    "ISR": 666,
    "SAU": 670,
    "PRC": 710,
    "CHN": 710,
    "TWN": 713,
    "TAW": 713,
    "PRK": 731,
    "KOR": 732,
    "ROK": 732,
    "JPN": 740,
    "IND": 750,
    "PAK": 770,
    "VNM": 816,
    "DRV": 816,
    "IDN": 850,
    "INS": 850,
    "AUS": 900,
    "NZL": 920,
    "NEW": 920,
}

#: Names for the actors a scenario builds (COW names are long and dated).
NAMES: dict[int, str] = {
    2: "United States",
    200: "United Kingdom",
    220: "France",
    255: "Germany",
    260: "West Germany",
    265: "East Germany",
    325: "Italy",
    365: "Russia (USSR to 1991)",
    710: "China",
    740: "Japan",
    750: "India",
}


def gw_to_ccode(gw: pd.Series, year: pd.Series) -> pd.Series:
    """Map Gleditsch-Ward codes to COW codes (vectorised).

    GW and COW agree except for a handful of states: united Germany after 1990 (GW 260, COW 255),
    Serbia/Yugoslavia (GW 340, COW 345), Yemen after 1990 (GW 678, COW 679), Great Colombia
    (GW 99, COW 100).
    """
    import numpy as np

    g = gw.to_numpy(dtype="int64")
    y = year.to_numpy(dtype="int64")
    out = g.copy()
    out[(g == 260) & (y >= 1991)] = 255
    out[g == 340] = 345
    out[(g == 678) & (y >= 1990)] = 679
    out[g == 99] = 100
    import pandas as pd

    return pd.Series(np.asarray(out), index=gw.index, name="ccode")


def iso3_to_ccode(iso3: pd.Series, year: pd.Series, crosswalk: dict[str, int]) -> pd.Series:
    """Map ISO3 codes to COW codes for each row's year (vectorised); unknown codes give NA.

    Year rules: Germany (DEU) is COW 260 (West Germany) for 1949-1990 and 255 otherwise; the
    Maddison former-USSR aggregate SUN and Russia (RUS) are both COW 365; Czechoslovakia/Czechia
    (CSK, CZE) is 315 to 1992 and 316 from 1993; Yemen (YEM) is 678 (North Yemen) to 1989 and
    679 from 1990; Serbia (SRB) is 345.
    """
    import numpy as np
    import pandas as pd

    table = {**crosswalk, **{k: v for k, v in KNOWN.items() if len(k) == 3}}
    table.update({"CSK": 315, "SUN": 365, "YEM": 679, "SRB": 345, "YUG": 345})
    code = iso3.astype("string").str.upper().map(table)
    code = pd.to_numeric(code, errors="coerce")
    y = year.to_numpy()
    iso = iso3.astype("string").str.upper().to_numpy(dtype=object)
    c = code.to_numpy(dtype="float64").copy()
    c[(iso == "DEU") & (y >= 1949) & (y <= 1990)] = 260
    c[(iso == "CZE") & (y <= 1992)] = 315
    c[(iso == "CSK") & (y >= 1993)] = np.nan
    c[(iso == "YEM") & (y <= 1989)] = 678
    return pd.Series(c, index=iso3.index, name="ccode").astype("Int64")
