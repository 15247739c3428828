"""What is timed for regfast: one function per task, shared by asv and compare.py.

Each runner takes (X, y, tol, **task parameters) and returns a ``Fit``: what the
scoring needs (coef, intercept at the scored alpha; for paths, all of them).
A runner raises NotImplementedError while regfast lacks the API it needs
(lasso_path, LassoCV, Ridge, RidgeCV arrive in later issues): asv then skips
the benchmark and compare.py prints "n/a".
"""

from dataclasses import dataclass, field

import numpy as np

import regfast

from .problems import RIDGE_ALPHA, RIDGECV_ALPHAS, alpha_max, path_alphas
from .scoring import enet_gap

MAX_ITER = 100_000
TASKS = ("lasso", "enet", "lasso_path", "lasso_cv", "lasso_cv_2jobs", "ridge", "ridge_cv")
ENET_L1_RATIO = 0.5
CV_FOLDS = 5


@dataclass
class Fit:
    """A solver's answer: coefs (k, p) and intercepts (k,) at alphas (k,)."""

    coefs: np.ndarray
    intercepts: np.ndarray
    alphas: np.ndarray
    l1_ratio: float
    n_iter: int = -1
    extra: dict = field(default_factory=dict)

    @classmethod
    def single(cls, coef, intercept, alpha, l1_ratio, n_iter=-1, **extra):
        return cls(np.atleast_2d(np.asarray(coef, dtype=np.float64)),
                   np.atleast_1d(np.asarray(intercept, dtype=np.float64)),
                   np.atleast_1d(float(alpha)), float(l1_ratio), int(n_iter), extra)


# The regfast API each task needs.
REQUIRES = {"lasso": "Lasso", "enet": "ElasticNet", "lasso_path": "lasso_path",
            "lasso_cv": "LassoCV", "lasso_cv_2jobs": "LassoCV", "ridge": "Ridge",
            "ridge_cv": "RidgeCV"}


def check_available(task):
    """NotImplementedError when regfast does not have the task's API yet."""
    require(REQUIRES[task])


def require(name):
    """regfast.<name>, or NotImplementedError while it does not exist yet."""
    obj = getattr(regfast, name, None)
    if obj is None:
        raise NotImplementedError(f"regfast.{name} is not available yet")
    return obj


def run_lasso(X, y, tol, alpha):
    m = regfast.Lasso(alpha=alpha, tol=tol, max_iter=MAX_ITER).fit(X, y)
    return Fit.single(m.coef_, m.intercept_, alpha, 1.0, m.n_iter_)


def run_enet(X, y, tol, alpha):
    m = regfast.ElasticNet(alpha=alpha, l1_ratio=ENET_L1_RATIO, tol=tol,
                           max_iter=MAX_ITER).fit(X, y)
    return Fit.single(m.coef_, m.intercept_, alpha, ENET_L1_RATIO, m.n_iter_)


def path_intercepts(X, y, coefs):
    """Intercepts that go with path coefs (k, p) when X and y were centred."""
    x_mean = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
    return float(np.mean(y, dtype=np.float64)) - coefs @ x_mean


def run_lasso_path(X, y, tol, alphas):
    path_fn = require("lasso_path")
    _, coefs, _, n_iters = path_fn(X, y, alphas=alphas, fit_intercept=True, tol=tol,
                                   max_iter=MAX_ITER, return_n_iter=True)
    coefs = np.asarray(coefs, dtype=np.float64).T
    return Fit(coefs, path_intercepts(X, y, coefs), np.asarray(alphas), 1.0,
               int(np.sum(n_iters)))


def run_lasso_cv(X, y, tol, alphas, n_jobs=1):
    m = require("LassoCV")(alphas=alphas, cv=CV_FOLDS, tol=tol, max_iter=MAX_ITER,
                           n_jobs=n_jobs).fit(X, y)
    return Fit.single(m.coef_, m.intercept_, m.alpha_, 1.0, m.n_iter_)


def run_ridge(X, y, tol, alpha, solver="auto"):
    m = require("Ridge")(alpha=alpha, tol=tol, solver=solver).fit(X, y)
    n_iter = getattr(m, "n_iter_", None)
    return Fit.single(m.coef_, m.intercept_, alpha / X.shape[0], 0.0,
                      -1 if n_iter is None else np.max(n_iter))


def run_ridge_cv(X, y, tol, alphas):
    m = require("RidgeCV")(alphas=alphas).fit(X, y)
    return Fit.single(m.coef_, m.intercept_, m.alpha_ / X.shape[0], 0.0, alpha_ridge=m.alpha_)


def task_kwargs(task, X, y, alpha_ratio=10):
    """The task's penalty arguments on (X, y): alpha for single fits, alphas otherwise."""
    if task in ("lasso", "enet"):
        l1_ratio = 1.0 if task == "lasso" else ENET_L1_RATIO
        return {"alpha": alpha_max(X, y, l1_ratio) / alpha_ratio}
    if task == "ridge":
        return {"alpha": RIDGE_ALPHA}
    if task == "ridge_cv":
        return {"alphas": RIDGECV_ALPHAS}
    return {"alphas": path_alphas(X, y)}


RUNNERS = {
    "lasso": run_lasso,
    "enet": run_enet,
    "lasso_path": run_lasso_path,
    "lasso_cv": run_lasso_cv,
    "lasso_cv_2jobs": lambda X, y, tol, alphas: run_lasso_cv(X, y, tol, alphas, n_jobs=2),
    "ridge": run_ridge,
    "ridge_cv": run_ridge_cv,
}


def score_fit(X, y, fit):
    """The worst relative gap over the fit's alphas, and the last alpha's objective."""
    worst, last = None, None
    for coef, b, alpha in zip(fit.coefs, fit.intercepts, fit.alphas):
        last = enet_gap(X, y, coef, b, alpha, fit.l1_ratio)
        if worst is None or last["rel_gap"] > worst["rel_gap"]:
            worst = last
    return {"objective": last["objective"], "gap": worst["gap"], "rel_gap": worst["rel_gap"]}
