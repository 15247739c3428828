"""From `Stats` to what the in-memory solvers take: a Gram-mode Problem, Ridge's normal equations."""

import numpy as np
from scipy import linalg

from .._problem import Problem
from .._ridge import spd_solve


def moments(stats, fit_intercept):
    """(X_c^T S X_c, X_c^T S y_c, y_c^T S y_c, x_mean, y_mean) with the weights
    as given; without an intercept the sums are uncentred (x_mean None)."""
    if fit_intercept:
        return stats.xx, stats.xy, stats.yy, stats.x_mean, stats.y_mean
    W, m, my = stats.weight, stats.x_mean, stats.y_mean
    return (stats.xx + W * np.outer(m, m), stats.xy + W * m * my,
            stats.yy + W * my * my, None, 0.0)


def problem_from_stats(stats, fit_intercept):
    """The Gram-mode `Problem` of the rows summarised by stats.

    The elastic net rescales the weights to sum to the number of rows (as
    scikit-learn does), so the sums are multiplied by count / weight.
    """
    gram, xty, yy, xm, y_mean = moments(stats, fit_intercept)
    c = stats.count / stats.weight
    return Problem.from_statistics(c * gram, c * xty, c * yy, xm, y_mean,
                                   stats.count, stats.count)


def ridge_coef(stats, alphas, fit_intercept):
    """Ridge coefficients (n_alphas, p) at each alpha, and the intercepts.

    Cholesky of X_c^T S X_c + alpha I with the weights as given (Ridge's
    objective), as the in-memory 'cholesky' solver; a singular system
    (alpha = 0 and collinear features) gets the minimum-norm solution.
    """
    gram, xty, _, xm, y_mean = moments(stats, fit_intercept)
    alphas = np.asarray(alphas, dtype=np.float64)
    B = np.repeat(xty[:, None], len(alphas), axis=1)
    try:
        coef = spd_solve(gram.copy(), B, alphas).T
    except linalg.LinAlgError:
        coef = np.array([linalg.lstsq(gram + a * np.eye(len(gram)), xty)[0]
                         for a in alphas])
    intercept = (y_mean - coef @ xm) if xm is not None else np.zeros(len(alphas))
    return coef, intercept


def ridge_path(stats, alphas, fit_intercept):
    """Ridge at every alpha from one eigendecomposition of X_c^T S X_c.

    Returns coefs of shape (p, n_alphas) and intercepts (n_alphas,); alpha = 0
    on a singular matrix gives the minimum-norm solution (as in memory).
    """
    gram, xty, _, xm, y_mean = moments(stats, fit_intercept)
    lam, V = linalg.eigh(gram, check_finite=False, driver="evd")
    lam = np.maximum(lam, 0.0)[:, None]
    cutoff = np.finfo(np.float64).eps * stats.count * (lam.max() if lam.size else 0.0)
    with np.errstate(divide="ignore"):
        inv = np.where(lam + alphas[None, :] > cutoff, 1.0 / (lam + alphas[None, :]), 0.0)
    coefs = V @ (inv * (V.T @ xty)[:, None])
    intercepts = (y_mean - xm @ coefs) if xm is not None else np.zeros(len(alphas))
    return coefs, intercepts
