"""Scores of probabilistic forecasts: Brier score, log score and accuracy.

Binary scores are on "ended aligned with the courter" (1 for yes, 0 for no or partial); the
multi-class scores are on the outcome label as one of the model's options (stay, hedge, courter,
exit). Lower Brier and higher log score are better.
"""

from __future__ import annotations

import numpy as np

from realpolitik.evidence.constants import PROB_FLOOR


def brier(p: np.ndarray, y: np.ndarray) -> float:
    """Mean squared difference between the probability of "yes" and the outcome (0 or 1)."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    return float(np.mean((p - y) ** 2))


def log_score(p: np.ndarray, y: np.ndarray, floor: float = PROB_FLOOR) -> float:
    """Mean log probability given to what happened (probabilities floored at ``floor``)."""
    p = np.clip(np.asarray(p, float), floor, 1 - floor)
    y = np.asarray(y, float)
    return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def accuracy(p: np.ndarray, y: np.ndarray) -> float:
    """Share of episodes where "yes" was predicted (p > 1/2) exactly when it happened."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    return float(np.mean((p > 0.5) == (y > 0.5)))


def brier_multi(P: np.ndarray, labels: np.ndarray) -> float:
    """Multi-class Brier score: mean over episodes of the squared distance to the one-hot label."""
    P = np.asarray(P, float)
    onehot = np.zeros_like(P)
    onehot[np.arange(len(P)), np.asarray(labels, int)] = 1.0
    return float(np.mean(np.sum((P - onehot) ** 2, axis=1)))


def log_score_multi(P: np.ndarray, labels: np.ndarray, floor: float = PROB_FLOOR) -> float:
    """Mean log probability of the label that happened (floored at ``floor``)."""
    P = np.asarray(P, float)
    picked = P[np.arange(len(P)), np.asarray(labels, int)]
    return float(np.mean(np.log(np.maximum(picked, floor))))


def accuracy_multi(P: np.ndarray, labels: np.ndarray) -> float:
    """Share of episodes whose most probable option is the one that happened (first on ties)."""
    P = np.asarray(P, float)
    return float(np.mean(np.argmax(P, axis=1) == np.asarray(labels, int)))
