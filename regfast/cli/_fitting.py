"""The three models at a comparable strength, and the training log.

All objectives use the elastic-net scaling shared by Lasso and ElasticNet::

    P(w) = 1/(2n) ||y - Xw - b||^2 + alpha * l1_ratio * ||w||_1
           + alpha * (1 - l1_ratio) / 2 * ||w||^2

Ridge is the case l1_ratio = 0: scikit-learn's Ridge minimises
``||y - Xw - b||^2 + alpha_ridge ||w||^2``, the same problem when
``alpha_ridge = n * alpha``.  Objective and duality gap are computed here in
numpy from ``coef_`` alone, independently of the solver's own bookkeeping.
"""

import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from .. import ElasticNet, ElasticNetCV, Lasso, LassoCV, Ridge, RidgeCV

# Ridge's CV grid, in elastic-net units relative to the mean feature variance.
RIDGE_GRID = (-4.0, 3.0)


def residual(X, y, coef):
    """y - Xw - b with the optimal intercept b for coef; returns (r, b)."""
    xm = np.asarray(X.mean(axis=0)).ravel()
    b = float(y.mean() - xm @ coef)
    return y - np.asarray(X @ coef).ravel() - b, b


def objective(X, y, coef, alpha, l1_ratio):
    """Elastic-net objective P(w) (see the module docstring)."""
    r, _ = residual(X, y, coef)
    n = len(y)
    return float(r @ r / (2 * n) + alpha * l1_ratio * np.abs(coef).sum()
                 + alpha * (1 - l1_ratio) / 2 * coef @ coef)


def duality_gap(X, y, coef, alpha, l1_ratio):
    """Duality gap of P at coef, in P's units.

    For l1_ratio > 0 the dual point is scikit-learn's (the residual rescaled
    to be feasible; the same formula as its ``dual_gap_``).  For l1_ratio = 0
    (ridge) the dual has no constraint and the residual itself is used:
    gap = P(w) - D(r) with D(t) = (t.y_c - |t|^2/2 - |X_c^T t|^2 / (2 l2)) / n.
    """
    n = len(y)
    r, _ = residual(X, y, coef)
    xm = np.asarray(X.mean(axis=0)).ravel()
    xtr = np.asarray(X.T @ r).ravel() - xm * r.sum()        # X_c^T r
    yc = y - y.mean()
    l1, l2 = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    rr, ww = float(r @ r), float(coef @ coef)
    if l1_ratio == 0:
        primal = rr / 2 + l2 / 2 * ww
        dual = float(r @ yc) - rr / 2 - float(xtr @ xtr) / (2 * l2)
        return (primal - dual) / n
    dual_norm = np.max(np.abs(xtr - l2 * coef))
    if dual_norm > l1:
        const = l1 / dual_norm
        gap = 0.5 * (rr + rr * const ** 2)
    else:
        const = 1.0
        gap = rr
    gap += l1 * np.abs(coef).sum() - const * float(r @ yc) + 0.5 * l2 * (1 + const ** 2) * ww
    return float(gap) / n


def feature_scale(X):
    """Mean variance of the columns (1 for standardised data)."""
    n = X.shape[0]
    mean = np.asarray(X.mean(axis=0)).ravel()
    sq = X.multiply(X) if sp.issparse(X) else X * X
    var = np.asarray(sq.sum(axis=0)).ravel() / n - mean ** 2
    return float(max(var.mean(), 1e-300))


def ridge_grid(X, n_alphas):
    """Ridge alphas in elastic-net units, log-spaced around the feature scale."""
    return feature_scale(X) * np.logspace(RIDGE_GRID[1], RIDGE_GRID[0], n_alphas)


class Spec:
    """One penalty: its name, l1_ratio, and how to build its estimators."""

    def __init__(self, key, label, l1_ratio):
        self.key, self.label, self.l1_ratio = key, label, l1_ratio

    def estimator(self, alpha, n_samples, **kw):
        """The single-alpha estimator; alpha is in elastic-net units.

        kw (max_iter, tol, warm_start) go to Lasso/ElasticNet; Ridge, a
        direct solve, keeps its own defaults.
        """
        if self.l1_ratio == 0:
            return Ridge(alpha=n_samples * alpha)
        if self.l1_ratio == 1:
            return Lasso(alpha=alpha, **kw)
        return ElasticNet(alpha=alpha, l1_ratio=self.l1_ratio, **kw)


def specs(l1_ratio):
    return [Spec("l1", "L1 (Lasso)", 1.0),
            Spec("elasticnet", f"Elastic net (l1_ratio={l1_ratio:g})", l1_ratio),
            Spec("l2", "L2 (Ridge)", 0.0)]


def cross_validate(spec, X, y, cv, n_alphas, eps, max_iter=1000):
    """Cross-validated alpha (elastic-net units) and the CV description.

    L1 and elastic net: LassoCV / ElasticNetCV (cv folds, n_alphas
    log-spaced down to eps * alpha_max).  L2: RidgeCV's efficient
    leave-one-out over `ridge_grid`, mapped by alpha_ridge = n * alpha.
    """
    n = X.shape[0]
    if spec.l1_ratio == 0:
        grid = ridge_grid(X, n_alphas)
        model = RidgeCV(alphas=n * grid).fit(X, y)
        alpha = float(model.alpha_) / n
        how = f"leave-one-out over {n_alphas} alphas"
    else:
        if spec.l1_ratio == 1:
            model = LassoCV(alphas=n_alphas, eps=eps, cv=cv, max_iter=max_iter).fit(X, y)
        else:
            model = ElasticNetCV(l1_ratio=spec.l1_ratio, alphas=n_alphas, eps=eps,
                                 cv=cv, max_iter=max_iter).fit(X, y)
        grid = np.asarray(model.alphas_)
        alpha = float(model.alpha_)
        how = f"{cv}-fold over {n_alphas} alphas"
    at_edge = bool(np.isclose(alpha, grid.max()) or np.isclose(alpha, grid.min()))
    return alpha, how, at_edge


def fit_timed(spec, alpha, X, y, max_iter=1000):
    """Fit at alpha; returns (model, seconds)."""
    model = spec.estimator(alpha, X.shape[0], max_iter=max_iter)
    t0 = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - t0


def training_log(spec, alpha, X, y, max_iter=1000, tol=1e-4):
    """Refit from zero with budgets of 1, 2, 4, ... epochs until converged.

    The kernel runs a whole fit without Python callbacks, so convergence is
    shown by refitting (warm_start=False) under a doubling ``max_iter``; each
    row's objective and gap are recomputed here from ``coef_``.  Ridge is one
    solve (direct, or conjugate gradients for sparse X): one row.
    """
    rows = []
    if spec.l1_ratio == 0:
        model, _ = fit_timed(spec, alpha, X, y)
        rows.append({"max_iter": None, "epochs": None,
                     "solver": getattr(model, "solver_", model.solver),
                     "objective": objective(X, y, model.coef_, alpha, 0.0),
                     "gap": duality_gap(X, y, model.coef_, alpha, 0.0),
                     "solver_gap": None})
        return rows
    yc = y - y.mean()
    tol_abs = tol * float(yc @ yc) / len(y)
    budget = 1
    while True:
        budget = min(budget, max_iter)
        model = spec.estimator(alpha, X.shape[0], max_iter=budget, tol=tol, warm_start=False)
        with warnings.catch_warnings():      # a small budget is meant to stop early
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        coef = np.asarray(model.coef_, dtype=np.float64)
        rows.append({"max_iter": budget, "epochs": int(model.n_iter_),
                     "objective": objective(X, y, coef, alpha, spec.l1_ratio),
                     "gap": duality_gap(X, y, coef, alpha, spec.l1_ratio),
                     "solver_gap": float(model.dual_gap_)})
        if model.n_iter_ < budget or model.dual_gap_ <= tol_abs or budget >= max_iter:
            return rows
        budget *= 2
