"""Baselines the model must beat: the base rate, and a logistic regression on the same facts.

The logistic regression is fitted by penalised maximum likelihood with scipy (L-BFGS-B on the
exact gradient); features are standardised on the training episodes, and an L2 penalty of
``RIDGE`` on the coefficients (not the intercept) keeps the fit finite on small or separable
libraries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: L2 penalty on the standardised coefficients.
RIDGE = 1.0


@dataclass(frozen=True)
class LogisticFit:
    """Coefficients of a fitted logistic regression, with the standardisation it used."""

    intercept: float
    coef: np.ndarray
    mean: np.ndarray
    scale: np.ndarray


def fit_logistic(X: np.ndarray, y: np.ndarray, ridge: float = RIDGE) -> LogisticFit:
    """Fit P(y = 1 | x) = 1 / (1 + exp(-(b0 + b . (x - mean) / scale))) by penalised ML."""
    from scipy.optimize import minimize

    X = np.asarray(X, float)
    y = np.asarray(y, float)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - mean) / scale

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        eta = w[0] + Z @ w[1:]
        # log(1 + e^eta) - y eta, computed stably
        nll = np.sum(np.logaddexp(0.0, eta) - y * eta) + 0.5 * ridge * np.sum(w[1:] ** 2)
        r = 1.0 / (1.0 + np.exp(-eta)) - y
        grad = np.concatenate([[r.sum()], Z.T @ r + ridge * w[1:]])
        return float(nll), grad

    res = minimize(loss, np.zeros(Z.shape[1] + 1), jac=True, method="L-BFGS-B")
    return LogisticFit(float(res.x[0]), res.x[1:], mean, scale)


def predict_logistic(fit: LogisticFit, X: np.ndarray) -> np.ndarray:
    """P(y = 1) for the rows of ``X``."""
    Z = (np.asarray(X, float) - fit.mean) / fit.scale
    return 1.0 / (1.0 + np.exp(-(fit.intercept + Z @ fit.coef)))
