"""One duality-gap computation, used to score every solver's result.

The problem is scikit-learn's elastic net (Lasso: l1_ratio=1, Ridge: l1_ratio=0
with alpha_ridge = n * alpha), with an intercept::

    P(w, b) = 1/(2n) ||y - Xw - b||^2 + alpha*rho*||w||_1 + alpha*(1-rho)/2 ||w||^2

Its dual, over theta with sum(theta) = 0 (the intercept's constraint), is::

    D(theta) = 1/n * [ 1/2 ||y_c||^2 - 1/2 ||y_c - theta||^2 - conj(X^T theta) ]

with conj(u) = sum_j (|u_j| - n*alpha*rho)_+^2 / (2 n alpha (1-rho)) when there
is an L2 part, and the constraint ||X^T theta||_inf <= n*alpha*rho for the
Lasso.  The dual point is the solver's residual, centred, and rescaled into the
constraint for the Lasso.  Since theta sums to zero, X^T theta = X_c^T theta:
X is never centred.  Everything is computed in float64 whatever X's dtype.
"""

import numpy as np


def enet_gap(X, y, coef, intercept, alpha, l1_ratio, fit_intercept=True):
    """Score (coef, intercept) on the elastic-net problem.

    Returns
    -------
    dict with ``objective`` (primal value), ``gap`` (primal - dual, in the
    objective's units) and ``rel_gap`` = gap / (||y_c||^2 / (2n)), the
    quantity the gap targets are stated in (scikit-learn's ``tol`` bounds
    ``rel_gap / 2``).
    """
    n = X.shape[0]
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(coef, dtype=np.float64).ravel()
    r = y - np.asarray(X @ w, dtype=np.float64).ravel() - float(intercept)
    l1 = alpha * l1_ratio
    l2 = alpha * (1.0 - l1_ratio)
    primal = (0.5 / n) * r @ r + l1 * np.abs(w).sum() + 0.5 * l2 * w @ w

    yc = y - y.mean() if fit_intercept else y
    theta = r - r.mean() if fit_intercept else r
    xt = np.asarray(X.T @ theta, dtype=np.float64).ravel()
    lam1, lam2 = n * l1, n * l2
    if lam2 > 0:
        conj = np.sum(np.maximum(np.abs(xt) - lam1, 0.0) ** 2) / (2 * lam2)
    else:
        scale = min(1.0, lam1 / max(np.max(np.abs(xt)), np.finfo(float).tiny))
        theta = theta * scale
        conj = 0.0
    dual = (0.5 * yc @ yc - 0.5 * (yc - theta) @ (yc - theta) - conj) / n
    gap = primal - dual
    return {"objective": float(primal), "gap": float(gap),
            "rel_gap": float(gap / (0.5 * (yc @ yc) / n))}


def ridge_as_enet(alpha_ridge, n_samples):
    """(alpha, l1_ratio) of the elastic net equal to scikit-learn's Ridge(alpha)."""
    return alpha_ridge / n_samples, 0.0
