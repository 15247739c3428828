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


def multitask_gap(X, Y, coef, intercept, alpha, l1_ratio):
    """Score (coef (T, p), intercept (T,)) on scikit-learn's multi-task elastic net::

        P(W, b) = 1/(2n) ||Y - X W^T - b||_F^2 + alpha rho sum_j ||W_:j||_2
                  + alpha (1 - rho) / 2 ||W||_F^2

    ``enet_gap`` with rows for coordinates: the dual point is the centred
    residual; the penalty's conjugate is sum_j (||X_j^T theta|| - n alpha
    rho)_+^2 / (2 n alpha (1 - rho)) with an L2 part, else theta is rescaled
    into max_j ||X_j^T theta||_2 <= n alpha rho.  Returns the dict of
    ``enet_gap`` (rel_gap = gap / (||Y_c||_F^2 / (2n))).
    """
    n = X.shape[0]
    Y = np.asarray(Y, dtype=np.float64)
    W = np.asarray(coef, dtype=np.float64)                       # (T, p)
    R = Y - np.asarray(X @ W.T, dtype=np.float64) - np.asarray(intercept, dtype=np.float64)
    lam1, lam2 = n * alpha * l1_ratio, n * alpha * (1.0 - l1_ratio)
    primal = (0.5 * (R * R).sum() + lam1 * np.sqrt((W ** 2).sum(axis=0)).sum()
              + 0.5 * lam2 * (W * W).sum()) / n
    Yc = Y - Y.mean(axis=0)
    theta = R - R.mean(axis=0)
    norms = np.sqrt((np.asarray(X.T @ theta, dtype=np.float64) ** 2).sum(axis=1))
    if lam2 > 0:
        conj = np.sum(np.maximum(norms - lam1, 0.0) ** 2) / (2 * lam2)
    else:
        theta = theta * min(1.0, lam1 / max(norms.max(), np.finfo(float).tiny))
        conj = 0.0
    dual = (0.5 * (Yc * Yc).sum() - 0.5 * ((Yc - theta) ** 2).sum() - conj) / n
    gap = primal - dual
    return {"objective": float(primal), "gap": float(gap),
            "rel_gap": float(gap / (0.5 * (Yc * Yc).sum() / n))}


def ridge_as_enet(alpha_ridge, n_samples):
    """(alpha, l1_ratio) of the elastic net equal to scikit-learn's Ridge(alpha)."""
    return alpha_ridge / n_samples, 0.0


# ---------------------------------------------------------------- logistic

def _xlogx(a):
    """a log a, 0 at 0."""
    from scipy.special import xlogy
    return xlogy(a, a)


def optimal_intercept(z, t, b0=0.0, max_iter=200):
    """The b minimising sum_i log(1 + exp(-t_i (z_i + b))): Newton from b0, bracketed.

    Its derivative g(b) = -sum_i t_i sigmoid(-t_i (z_i + b)) increases from
    -(number of t = +1) to +(number of t = -1); Newton steps that leave the
    bracket of the root are replaced by bisection.  At the root the dual
    point sums to zero, the intercept's constraint on the dual.
    """
    from scipy.special import expit

    def deriv(b):
        q = expit(-t * (z + b))
        return -np.sum(t * q), np.sum(q * (1.0 - q))

    b = float(b0) if np.isfinite(b0) else 0.0
    g, h = deriv(b)
    if g == 0.0:
        return b
    up = g < 0                                  # the root lies above b
    lo, hi = (b, None) if up else (None, b)
    width = 1.0
    while (hi if up else lo) is None and width < 1e12:   # bracket the root
        c = b + width if up else b - width
        gc, _ = deriv(c)
        if up:
            lo, hi = (c, None) if gc < 0 else (lo, c)
        else:
            lo, hi = (None, c) if gc > 0 else (c, hi)
        if gc == 0.0:
            return c
        width *= 2.0
    g, h = deriv(b)
    scale = np.sum(np.abs(t)) * np.finfo(float).eps * 4
    for _ in range(max_iter):
        if abs(g) <= scale or lo is None or hi is None or hi - lo <= 2e-16 * (1.0 + abs(b)):
            break
        nb = b - g / h if h > 0 else 0.5 * (lo + hi)
        if not lo < nb < hi:
            nb = 0.5 * (lo + hi)
        b = nb
        g, h = deriv(b)
        if g < 0:
            lo = b
        elif g > 0:
            hi = b
        else:
            break
    return b


def logistic_gap(X, y, coef, intercept, C, l1_ratio, fit_intercept=True):
    """Score (coef, intercept) on scikit-learn 1.9's binary logistic objective.

    The problem, labels t_i = +-1 (y > 0 is +1), eta = X w + b::

        P(w, b) = C sum_i log(1 + exp(-t_i eta_i)) + l1_ratio ||w||_1
                  + (1 - l1_ratio) / 2 ||w||^2

    with b unpenalised (absent when ``fit_intercept`` is False).  The duality
    gap is regfast's kernel's (src/_glm.pxi ``glm_gap``), computed here in
    numpy, float64:

    - With an intercept, b is first made optimal for the given w (a 1-D
      Newton, to machine precision): only the primal can go down, and the
      dual point then sums to zero, the intercept's dual constraint.  The
      solver's own b is reported as ``intercept_given`` next to the one
      scored.
    - Dual point theta = C t q, q = sigmoid(-t eta).  With an L1 part, the L2
      part is kept in the smooth term: theta and (1 - l1_ratio) w are scaled
      by s <= 1 until |X^T theta - (1 - l1_ratio) w|_inf <= l1_ratio; the
      scaled probabilities pi = s q stay in [0, 1].  Pure L2 (l1_ratio = 0):
      no scaling, the L2 conjugate ||X^T theta||^2 / 2.
    - gap = P + C sum_i [pi log pi + (1 - pi) log(1 - pi)] + (s^2 (1 - l1_ratio)
      / 2) ||w||^2 (L1 part) or ||X^T theta||^2 / 2 (pure L2) + s b sum(theta)
      (the intercept held at b; ~0 once b is optimal) + sum(theta)^2 / sum(h)
      (twice the decrease one more Newton step on b would give; ~0 likewise).

    Returns
    -------
    dict with ``objective`` (P at the scored (w, b)), ``gap``, ``rel_gap`` =
    gap / objective (regfast's ``tol`` bounds it), ``intercept`` (scored)
    and ``intercept_given``.
    """
    from scipy.special import expit, log_expit
    y = np.asarray(y, dtype=np.float64).ravel()
    t = np.where(y > 0, 1.0, -1.0)
    w = np.asarray(coef, dtype=np.float64).ravel()
    z = np.asarray(X @ w, dtype=np.float64).ravel()
    b_given = float(np.asarray(intercept, dtype=np.float64).ravel()[0]) if fit_intercept else 0.0
    b = optimal_intercept(z, t, b_given) if fit_intercept else 0.0
    eta = z + b
    lam, beta = float(l1_ratio), 1.0 - float(l1_ratio)
    primal = (C * -np.sum(log_expit(t * eta)) + lam * np.abs(w).sum() + 0.5 * beta * (w @ w))
    q = expit(-t * eta)
    theta = C * t * q
    u = np.asarray(X.T @ theta, dtype=np.float64).ravel()
    if lam > 0.0:
        a = float(np.max(np.abs(u - beta * w), initial=0.0))
        s = 1.0 if a <= lam else lam / a
        hstar = 0.5 * s * s * beta * (w @ w)
    else:
        s = 1.0
        hstar = 0.5 * (u @ u) / beta
    pi = s * q
    conj = C * np.sum(_xlogx(pi) + _xlogx(1.0 - pi))
    tsum = float(np.sum(theta))
    gap = max(primal + conj + hstar + s * b * tsum, 0.0)
    if fit_intercept:
        hsum = float(C * np.sum(q * (1.0 - q)))
        if hsum > 0.0:
            gap += tsum * tsum / hsum
    return {"objective": float(primal), "gap": float(gap), "rel_gap": float(gap / primal),
            "intercept": float(b), "intercept_given": float(b_given)}


def logistic_c_min(X, y, l1_ratio=1.0, fit_intercept=True):
    """Smallest C with a non-zero coefficient (scikit-learn's scaling).

    At w = 0 the gradient of the loss is C X^T (sigmoid(b) - y01), b the
    null model's optimal intercept (logit of the positive fraction), or 0
    without one; w = 0 stays optimal while C |X^T (y01 - p)|_inf <= l1_ratio.
    """
    y01 = (np.asarray(y, dtype=np.float64).ravel() > 0).astype(np.float64)
    p = y01.mean() if fit_intercept else 0.5
    g = np.asarray(X.T @ (y01 - p), dtype=np.float64).ravel()
    return float(l1_ratio / np.max(np.abs(g)))
