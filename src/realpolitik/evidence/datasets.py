"""What the coding reads from the IR datasets when they are available: actors' sizes (COW CINC
shares) and their leaders' yearly change rates (Archigos), both at or before the decision year.

Absent datasets are not an error: the coding then uses its stated defaults and says so in the
scenario (``assumption:``). Only years up to the decision year are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from realpolitik.evidence import constants as K
from realpolitik.evidence.load import Episode
from realpolitik.evidence.protocol import OUTSIDE


def _codes(data_dir: Any) -> dict[str, int]:
    from realpolitik.data.cow import load_states

    states = load_states(data_dir).sort_values("styear")
    return {str(r.stateabb): int(r.ccode) for r in states.itertuples()}


def capability_shares(
    episodes: Sequence[Episode], data_dir: Any = None
) -> dict[str, dict[str, float]]:
    """CINC shares of pivot, incumbent and courter among the three, per episode id.

    The latest COW year at or before the decision year; episodes with an actor COW does not know
    are left out (the coding then uses equal shares, marked as an assumption).
    """
    from realpolitik.data.cow import load_nmc
    from realpolitik.data.directory import DataNotFoundError

    try:
        codes = _codes(data_dir)
        nmc = load_nmc(data_dir)
    except DataNotFoundError:
        return {}
    cinc = {
        (int(c), int(y)): float(v)
        for c, y, v in nmc[["ccode", "year", "cinc"]].itertuples(index=False)
    }
    out: dict[str, dict[str, float]] = {}
    for ep in episodes:
        s = ep.spec
        actors = [a for a in (s.pivot, s.incumbent, s.courter) if a and a != OUTSIDE]
        values: dict[str, float] = {}
        for a in actors:
            code = codes.get(a)
            years = [
                y for y in range(s.decision_year, s.decision_year - 30, -1) if (code, y) in cinc
            ]
            if code is None or not years:
                break
            values[a] = cinc[(code, years[0])]
        if len(values) == len(actors) and sum(values.values()) > 0:
            total = sum(values.values())
            out[ep.id] = {a: v / total for a, v in values.items()}
    return out


def leader_hazards(
    episodes: Sequence[Episode], data_dir: Any = None
) -> dict[str, dict[str, float]]:
    """Yearly leader-change rate of each actor over the ``HAZARD_WINDOW`` years before the
    decision year (Archigos), per episode id; actors Archigos does not cover are left out."""
    from realpolitik.data.archigos import leader_turnover
    from realpolitik.data.directory import DataNotFoundError

    try:
        codes = _codes(data_dir)
        changes = leader_turnover(data_dir)
    except DataNotFoundError:
        return {}
    covered = set(changes["ccode"].astype(int))
    per = {
        (int(c), int(y)): int(n)
        for c, y, n in changes[["ccode", "year", "changes"]].itertuples(index=False)
    }
    out: dict[str, dict[str, float]] = {}
    for ep in episodes:
        s = ep.spec
        rates: dict[str, float] = {}
        for a in (s.pivot, s.incumbent, s.courter):
            code = codes.get(a or "")
            if code is None or code not in covered:
                continue
            years = range(s.decision_year - K.HAZARD_WINDOW, s.decision_year)
            n = sum(per.get((code, y), 0) for y in years)
            rates[a] = min(n / K.HAZARD_WINDOW, 1.0)  # type: ignore[index]
        if rates:
            out[ep.id] = rates
    return out
