"""Robustness: how many of the library's outcomes change when a constant moves.

For each free constant, with the others at the fit: the constant at half and at one and a half
times its fitted value, and at the two ends of its fitted interval. An outcome "changes" when the
point forecast of "ended aligned with the courter" (probability above 1/2) or the most probable
option differs from the one at the fitted constants.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from realpolitik.evidence import constants as K
from realpolitik.evidence.calibration import Calibration
from realpolitik.evidence.load import Episode
from realpolitik.evidence.predict import OPTIONS, prepare, probabilities

#: The moves tried for each constant: (label, how the value is set from (fit, low, high)).
MOVES = ("-50%", "+50%", "interval low", "interval high")


def robustness(
    episodes: Sequence[Episode], calibration: Calibration, draws: int = 64, seed: int = 0
) -> list[dict[str, Any]]:
    """One row per constant and move: the value tried and how many outcomes change."""
    scored = [e for e in episodes if e.has_outcome]
    prepared = prepare(scored, draws, seed)
    point, spread = calibration.point, calibration.spread
    rows = [point]
    tried = []
    for i, name in enumerate(K.FREE_NAMES):
        for move, value in zip(
            MOVES, (0.5 * point[i], 1.5 * point[i], spread[i, 0], spread[i, 1]), strict=True
        ):
            r = point.copy()
            r[i] = value
            rows.append(r)
            tried.append((name, move, float(value)))
    P = probabilities(prepared, np.array(rows))  # (episodes, candidates, options)
    courter = OPTIONS.index("courter")
    yes0 = P[:, 0, courter] > 0.5
    top0 = np.argmax(P[:, 0, :], axis=1)
    out = []
    for j, (name, move, value) in enumerate(tried, start=1):
        yes = P[:, j, courter] > 0.5
        top = np.argmax(P[:, j, :], axis=1)
        changed = [scored[i].id for i in np.flatnonzero(yes != yes0)]
        out.append(
            {
                "constant": name,
                "move": move,
                "value": value,
                "aligned_changes": int(np.sum(yes != yes0)),
                "option_changes": int(np.sum(top != top0)),
                "episodes": changed,
            }
        )
    return out
