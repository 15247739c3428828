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

from .problems import (RIDGE_ALPHA, RIDGECV_ALPHAS, alpha_max, alpha_max_multitask,
                       hard_path_alphas, logistic_path_cs, path_alphas)
from .scoring import enet_gap, logistic_c_min, logistic_gap, multitask_gap

MAX_ITER = 100_000
LOGISTIC_MAX_ITER = 1000       # regfast: proximal Newton steps (per C)
# hard_path: the Lasso path of issue 13's hard correlated problems, 20 alphas
# down to alpha_max / 20 (every solver runs it as it runs lasso_path);
# hard_path_noint: the same without an intercept, on X and y as they are (the
# problem scikit-learn's lasso_path solves)
REGRESSION_TASKS = ("lasso", "enet", "lasso_path", "hard_path", "hard_path_noint", "lasso_cv",
                    "lasso_cv_2jobs", "ridge", "ridge_cv")
# Binary logistic regression, scikit-learn 1.9's objective.  task -> (l1_ratio,
# fit_intercept).  The "_noint" rows fit no intercept: the problem liblinear
# (which penalises an intercept) and celer (which has none) solve.
LOGISTIC_SPEC = {
    "logreg_l1": (1.0, True), "logreg_enet": (0.5, True), "logreg_l2": (0.0, True),
    "logreg_l1_noint": (1.0, False),
    "logreg_path": (1.0, True), "logreg_path_noint": (1.0, False),
    "logreg_cv": (1.0, True), "logreg_cv_noint": (1.0, False),
}
LOGISTIC_TASKS = tuple(LOGISTIC_SPEC)
SINGLE_C_TASKS = ("logreg_l1", "logreg_enet", "logreg_l2", "logreg_l1_noint")
# The multi-task problem (y of shape (n, T)), on problems.MULTITASK
MULTITASK_TASKS = ("mtlasso",)
TASKS = REGRESSION_TASKS + LOGISTIC_TASKS + MULTITASK_TASKS
ENET_L1_RATIO = 0.5
CV_FOLDS = 5


def is_logistic(task):
    return task in LOGISTIC_SPEC


def is_multitask(task):
    return task in MULTITASK_TASKS


@dataclass
class Fit:
    """A solver's answer: coefs (k, p) and intercepts (k,) at alphas (k,).

    For the logistic loss (``loss="logistic"``) ``alphas`` holds the Cs
    (scikit-learn's scaling) and ``fit_intercept`` says which problem it is.
    """

    coefs: np.ndarray
    intercepts: np.ndarray
    alphas: np.ndarray
    l1_ratio: float
    n_iter: int = -1
    extra: dict = field(default_factory=dict)
    loss: str = "squared"
    fit_intercept: bool = True

    @classmethod
    def single(cls, coef, intercept, alpha, l1_ratio, n_iter=-1, **extra):
        return cls(np.atleast_2d(np.asarray(coef, dtype=np.float64)),
                   np.atleast_1d(np.asarray(intercept, dtype=np.float64)),
                   np.atleast_1d(float(alpha)), float(l1_ratio), int(n_iter), extra)

    @classmethod
    def logistic(cls, coefs, intercepts, Cs, l1_ratio, fit_intercept, n_iter=-1, **extra):
        """Binary logistic fit(s): coefs (k, p) or (p,), intercepts, Cs (k,)."""
        coefs = np.atleast_2d(np.asarray(coefs, dtype=np.float64))
        Cs = np.atleast_1d(np.asarray(Cs, dtype=np.float64))
        intercepts = (np.zeros(len(Cs)) if not fit_intercept else
                      np.atleast_1d(np.asarray(intercepts, dtype=np.float64)).ravel())
        return cls(coefs, intercepts, Cs, float(l1_ratio), int(n_iter), extra,
                   loss="logistic", fit_intercept=bool(fit_intercept))

    @classmethod
    def multitask(cls, coef, intercept, alpha, l1_ratio, n_iter=-1, **extra):
        """One multi-task fit: coef (T, p), intercept (T,)."""
        return cls(np.asarray(coef, dtype=np.float64)[None],
                   np.asarray(intercept, dtype=np.float64).reshape(1, -1),
                   np.atleast_1d(float(alpha)), float(l1_ratio), int(n_iter), extra,
                   loss="multitask")


# The regfast API each task needs.
REQUIRES = {"lasso": "Lasso", "enet": "ElasticNet", "lasso_path": "lasso_path",
            "hard_path": "lasso_path", "hard_path_noint": "lasso_path",
            "lasso_cv": "LassoCV", "lasso_cv_2jobs": "LassoCV", "ridge": "Ridge",
            "ridge_cv": "RidgeCV", "mtlasso": "MultiTaskLasso",
            "logreg_path": "logistic_path", "logreg_path_noint": "logistic_path",
            "logreg_cv": "LogisticRegressionCV", "logreg_cv_noint": "LogisticRegressionCV",
            **{t: "LogisticRegression" for t in SINGLE_C_TASKS}}


def check_available(task):
    """NotImplementedError when regfast does not have the task's API yet."""
    require(REQUIRES[task])


def require(name):
    """regfast.<name>, or NotImplementedError while it does not exist yet."""
    obj = getattr(regfast, name, None)
    if obj is None:
        raise NotImplementedError(f"regfast.{name} is not available yet")
    return obj


# threads per fit for the solvers that can thread one fit (regfast's n_jobs,
# adelie's n_threads); compare.py --threads sets it
THREADS = 1


def run_lasso(X, y, tol, alpha):
    m = regfast.Lasso(alpha=alpha, tol=tol, max_iter=MAX_ITER, n_jobs=THREADS).fit(X, y)
    return Fit.single(m.coef_, m.intercept_, alpha, 1.0, m.n_iter_)


def run_enet(X, y, tol, alpha):
    m = regfast.ElasticNet(alpha=alpha, l1_ratio=ENET_L1_RATIO, tol=tol,
                           max_iter=MAX_ITER, n_jobs=THREADS).fit(X, y)
    return Fit.single(m.coef_, m.intercept_, alpha, ENET_L1_RATIO, m.n_iter_)


def path_intercepts(X, y, coefs):
    """Intercepts that go with path coefs (k, p) when X and y were centred."""
    x_mean = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
    return float(np.mean(y, dtype=np.float64)) - coefs @ x_mean


def run_lasso_path(X, y, tol, alphas, fit_intercept=True):
    path_fn = require("lasso_path")
    _, coefs, _, n_iters = path_fn(X, y, alphas=alphas, fit_intercept=fit_intercept, tol=tol,
                                   max_iter=MAX_ITER, return_n_iter=True, n_jobs=THREADS)
    coefs = np.asarray(coefs, dtype=np.float64).T
    intercepts = path_intercepts(X, y, coefs) if fit_intercept else np.zeros(len(alphas))
    return Fit(coefs, intercepts, np.asarray(alphas), 1.0, int(np.sum(n_iters)),
               fit_intercept=fit_intercept)


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


def run_mtlasso(X, Y, tol, alpha):
    m = require("MultiTaskLasso")(alpha=alpha, tol=tol, max_iter=MAX_ITER).fit(X, Y)
    return Fit.multitask(m.coef_, m.intercept_, alpha, 1.0, m.n_iter_)


# ---------------------------------------------------------------- logistic

def run_logreg(X, y, tol, C, l1_ratio, fit_intercept):
    m = require("LogisticRegression")(C=C, l1_ratio=l1_ratio, tol=tol,
                                      max_iter=LOGISTIC_MAX_ITER,
                                      fit_intercept=fit_intercept).fit(X, y)
    return Fit.logistic(m.coef_, m.intercept_, C, l1_ratio, fit_intercept, m.n_iter_[0])


def run_logreg_path(X, y, tol, Cs, fit_intercept):
    """logistic_path on the Cs (as glmnet's alphas = 1 / (C n)), warm-started in one call."""
    n = X.shape[0]
    alphas, coefs, intercepts, _, n_iters = require("logistic_path")(
        X, y, l1_ratio=1.0, alphas=1.0 / (np.asarray(Cs) * n), fit_intercept=fit_intercept,
        tol=tol, max_iter=LOGISTIC_MAX_ITER, return_n_iter=True)
    return Fit.logistic(np.asarray(coefs).T, intercepts, 1.0 / (alphas * n), 1.0,
                        fit_intercept, int(np.sum(n_iters)))


def cv_folds():
    """The folds every LogisticRegressionCV gets: stratified, 5, unshuffled (the default)."""
    from sklearn.model_selection import StratifiedKFold
    return StratifiedKFold(CV_FOLDS)


def run_logreg_cv(X, y, tol, Cs, fit_intercept):
    m = require("LogisticRegressionCV")(Cs=Cs, l1_ratios=(1.0,), cv=cv_folds(),
                                        scoring="accuracy", tol=tol,
                                        max_iter=LOGISTIC_MAX_ITER,
                                        fit_intercept=fit_intercept,
                                        use_legacy_attributes=False).fit(X, y)
    return Fit.logistic(m.coef_, m.intercept_, float(np.ravel(m.C_)[0]), 1.0, fit_intercept,
                        int(np.sum(m.n_iter_)))


def logistic_runner(task):
    """The regfast runner of a logistic task, with its l1_ratio and intercept bound."""
    l1_ratio, fit_intercept = LOGISTIC_SPEC[task]
    if task in SINGLE_C_TASKS:
        return lambda X, y, tol, C: run_logreg(X, y, tol, C, l1_ratio, fit_intercept)
    run = run_logreg_path if "_path" in task else run_logreg_cv
    return lambda X, y, tol, Cs: run(X, y, tol, Cs, fit_intercept)


def task_kwargs(task, X, y, alpha_ratio=10):
    """The task's penalty arguments on (X, y): alpha for single fits, alphas otherwise.

    Logistic tasks: C = C_min * alpha_ratio for single fits (C_min of the L1
    problem, with or without the task's intercept: the same C for L1, elastic
    net and L2), the path's Cs otherwise.
    """
    if is_logistic(task):
        fit_intercept = LOGISTIC_SPEC[task][1]
        if task in SINGLE_C_TASKS:
            return {"C": logistic_c_min(X, y, 1.0, fit_intercept) * alpha_ratio}
        return {"Cs": logistic_path_cs(X, y, fit_intercept)}
    if task == "mtlasso":
        return {"alpha": alpha_max_multitask(X, y) / alpha_ratio}
    if task in ("lasso", "enet"):
        l1_ratio = 1.0 if task == "lasso" else ENET_L1_RATIO
        return {"alpha": alpha_max(X, y, l1_ratio) / alpha_ratio}
    if task == "ridge":
        return {"alpha": RIDGE_ALPHA}
    if task == "ridge_cv":
        return {"alphas": RIDGECV_ALPHAS}
    if task in ("hard_path", "hard_path_noint"):
        return {"alphas": hard_path_alphas(X, y, task == "hard_path")}
    return {"alphas": path_alphas(X, y)}


RUNNERS = {
    "lasso": run_lasso,
    "enet": run_enet,
    "lasso_path": run_lasso_path,
    "hard_path": run_lasso_path,
    "hard_path_noint": lambda X, y, tol, alphas: run_lasso_path(X, y, tol, alphas,
                                                                fit_intercept=False),
    "lasso_cv": run_lasso_cv,
    "lasso_cv_2jobs": lambda X, y, tol, alphas: run_lasso_cv(X, y, tol, alphas, n_jobs=2),
    "ridge": run_ridge,
    "ridge_cv": run_ridge_cv,
    "mtlasso": run_mtlasso,
    **{task: logistic_runner(task) for task in LOGISTIC_TASKS},
}


def score_fit(X, y, fit):
    """The worst relative gap over the fit's alphas, and the last alpha's objective.

    A path with fewer fits than alphas (a solver that stopped part-way, as
    adelie does after "max coordinate descents reached") scores an infinite
    gap: it did not solve the problem asked."""
    if len(fit.coefs) != len(fit.alphas):
        return {"objective": float("nan"), "gap": float("inf"), "rel_gap": float("inf")}
    worst, last = None, None
    for coef, b, alpha in zip(fit.coefs, fit.intercepts, fit.alphas):
        if fit.loss == "logistic":
            last = logistic_gap(X, y, coef, b, alpha, fit.l1_ratio, fit.fit_intercept)
        elif fit.loss == "multitask":
            last = multitask_gap(X, y, coef, b, alpha, fit.l1_ratio)
        else:
            last = enet_gap(X, y, coef, b, alpha, fit.l1_ratio, fit.fit_intercept)
        if worst is None or last["rel_gap"] > worst["rel_gap"]:
            worst = last
    return {"objective": last["objective"], "gap": worst["gap"], "rel_gap": worst["rel_gap"]}
