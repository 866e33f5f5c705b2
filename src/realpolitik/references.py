"""References (``realpolitik cite``): whom to cite for what you ran.

The one place references live. Each registered model names the keys it rests on
(``ModelSpec.references``); the experiment layer's methods are :data:`EXPERIMENT_REFERENCES`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """A work to cite: key, authors, year, title, venue, and the models it is cited for."""

    key: str
    authors: str
    year: int
    title: str
    venue: str
    kind: str = "article"

    def text(self) -> str:
        """The reference as one line of text."""
        return f"{self.authors} ({self.year}). {self.title}. {self.venue}."

    def bibtex(self) -> str:
        """The reference as a BibTeX entry."""
        field = "journal" if self.kind == "article" else "publisher"
        return (
            f"@{self.kind}{{{self.key},\n  author = {{{self.authors}}},\n  year = {{{self.year}}},\n"
            f"  title = {{{self.title}}},\n  {field} = {{{self.venue}}}\n}}"
        )


REFERENCES: tuple[Reference, ...] = (
    Reference(
        "axelrod1993landscape",
        "Axelrod, Robert and Bennett, D. Scott",
        1993,
        "A Landscape Theory of Aggregation",
        "British Journal of Political Science 23(2):211-233",
    ),
    Reference(
        "galam1996fragmentation",
        "Galam, Serge",
        1996,
        "Fragmentation versus stability in bimodal coalitions",
        "Physica A 230:174-188",
    ),
    Reference(
        "florian2000optimization",
        "Florian, Razvan and Galam, Serge",
        2000,
        "Optimization of Conflicts and Stability of Coalitions",
        "European Physical Journal B 16:189-194",
    ),
    Reference(
        "dittmer1981strategic",
        "Dittmer, Lowell",
        1981,
        "The Strategic Triangle: An Elementary Game-Theoretical Analysis",
        "World Politics 33(4):485-515",
    ),
    Reference(
        "marvel2011continuous",
        "Marvel, Seth A. and Kleinberg, Jon and Kleinberg, Robert D. and Strogatz, Steven H.",
        2011,
        "Continuous-time model of structural balance",
        "PNAS 108(5):1771-1776",
    ),
    Reference(
        "antal2006social",
        "Antal, Tibor and Krapivsky, Paul L. and Redner, Sidney",
        2006,
        "Social balance on networks: The dynamics of friendship and enmity",
        "Physica D 224:130-136",
    ),
    Reference(
        "bdm1994forecasting",
        "Bueno de Mesquita, Bruce",
        1994,
        "Political forecasting: an expected utility method",
        "European Community Decision Making, Yale University Press",
        "incollection",
    ),
    Reference(
        "scholz2011unravelling",
        "Scholz, Jason B. and Calbert, Gregory J. and Smith, Glen A.",
        2011,
        "Unravelling Bueno De Mesquita's group decision model",
        "Journal of Theoretical Politics 23(4):510-531",
    ),
    Reference(
        "ktab2017",
        "Wise, Ben and Efird, Brian and others (KAPSARC)",
        2017,
        "KTAB: the KAPSARC Toolkit for Behavioral Analysis, spatial model of politics",
        "King Abdullah Petroleum Studies and Research Center",
        "misc",
    ),
    Reference(
        "groseclose1996buying",
        "Groseclose, Tim and Snyder, James M.",
        1996,
        "Buying Supermajorities",
        "American Political Science Review 90(2):303-315",
    ),
    Reference(
        "fearon1995rationalist",
        "Fearon, James D.",
        1995,
        "Rationalist Explanations for War",
        "International Organization 49(3):379-414",
    ),
    Reference(
        "goemans2009archigos",
        "Goemans, Henk E. and Gleditsch, Kristian Skrede and Chiozza, Giacomo",
        2009,
        "Introducing Archigos: A Dataset of Political Leaders",
        "Journal of Peace Research 46(2):269-283",
    ),
    Reference(
        "friedman1999bump",
        "Friedman, Jerome H. and Fisher, Nicholas I.",
        1999,
        "Bump hunting in high-dimensional data",
        "Statistics and Computing 9:123-143",
    ),
    Reference(
        "saltelli2010variance",
        "Saltelli, Andrea and others",
        2010,
        "Variance based sensitivity analysis of model output",
        "Computer Physics Communications 181:259-270",
    ),
    Reference(
        "herman2017salib",
        "Herman, Jon and Usher, Will",
        2017,
        "SALib: An open-source Python library for Sensitivity Analysis",
        "Journal of Open Source Software 2(9):97",
    ),
)


#: The methods of the experiment layer (scenario discovery, variance-based sensitivity, SALib).
EXPERIMENT_REFERENCES: tuple[str, ...] = (
    "friedman1999bump",
    "saltelli2010variance",
    "herman2017salib",
)


def references_for(keys: Iterable[str] | None = None) -> list[Reference]:
    """The references with these keys, in the table's order (all when ``keys`` is None).

    Raises
    ------
    KeyError
        For a key that is not in :data:`REFERENCES`.
    """
    if keys is None:
        return list(REFERENCES)
    wanted = set(keys)
    unknown = wanted - {r.key for r in REFERENCES}
    if unknown:
        raise KeyError(f"unknown references: {sorted(unknown)}")
    return [r for r in REFERENCES if r.key in wanted]
