"""The solvers compare.py times: regfast and its peers, one runner per task.

Every runner has the signature of ``benchmarks/tasks.py``'s: (X, y, tol,
**task parameters) -> Fit, on scikit-learn's objective with an intercept.  A
(solver, task) pair absent from ``SOLVERS`` is "n/a" in the table.  Peers are
imported inside the runners, so only the peers asked for need be installed,
and in compare.py's worker processes only.

Each solver's ``tol`` means something different; ``TOL_SCHEDULE`` says where
compare.py starts and how it tightens it until the shared gap target is met.
"""

import functools

import numpy as np
import scipy.sparse as sp

from benchmarks import tasks
from benchmarks.tasks import (CV_FOLDS, ENET_L1_RATIO, LOGISTIC_SPEC, MAX_ITER, SINGLE_C_TASKS,
                              Fit, cv_folds, path_intercepts)

# solver -> (first tol, factor per step, last tol); None: a direct solver
TOL_SCHEDULE = {
    "regfast": (1e-4, 0.1, 1e-14),     # also regfast-cg, ... (the part before "-")
    "sklearn": (1e-4, 0.1, 1e-14),
    "celer": (1e-4, 0.1, 1e-14),
    "skglm": (1e-4, 0.1, 1e-14),
    "glum": (1e-4, 0.1, 1e-14),
    "adelie": (1e-7, 0.01, 1e-19),
}


def schedule(solver):
    """The tol schedule of a solver (variants such as 'sklearn-lsqr' share their base's)."""
    return TOL_SCHEDULE[solver.split("-")[0]]


# ---------------------------------------------------------------- scikit-learn

def _sk_single(X, y, tol, alpha, l1_ratio):
    from sklearn.linear_model import ElasticNet
    m = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=MAX_ITER).fit(X, y)
    return Fit.single(m.coef_, m.intercept_, alpha, l1_ratio, m.n_iter_)


def sklearn_path(X, y, tol, alphas):
    """scikit-learn's lasso_path on the problem with an intercept, as its LassoCV poses it.

    lasso_path fits no intercept: dense X is centred (one copy, timed, as
    Lasso.fit does), sparse X gets its column means as X_offset.
    """
    from sklearn.linear_model import lasso_path
    y64 = np.asarray(y, dtype=np.float64)
    yc = (y64 - y64.mean()).astype(X.dtype)
    x_mean = np.asarray(X.mean(axis=0)).ravel().astype(X.dtype)
    if sp.issparse(X):
        out = lasso_path(X, yc, alphas=alphas, tol=tol, max_iter=MAX_ITER, return_n_iter=True,
                         X_offset=x_mean, X_scale=np.ones_like(x_mean))
    else:
        out = lasso_path(np.asfortranarray(X - x_mean), yc, alphas=alphas, tol=tol,
                         max_iter=MAX_ITER, return_n_iter=True)
    _, coefs, _, n_iters = out
    coefs = np.asarray(coefs, dtype=np.float64).T
    return Fit(coefs, path_intercepts(X, y, coefs), np.asarray(alphas), 1.0, int(np.sum(n_iters)))


def sklearn_cv(X, y, tol, alphas, n_jobs=1):
    from sklearn.linear_model import LassoCV
    m = LassoCV(alphas=alphas, cv=CV_FOLDS, tol=tol, max_iter=MAX_ITER, n_jobs=n_jobs).fit(X, y)
    return Fit.single(m.coef_, m.intercept_, m.alpha_, 1.0, m.n_iter_)


def sklearn_ridge(solver):
    def run(X, y, tol, alpha):
        from sklearn.linear_model import Ridge
        m = Ridge(alpha=alpha, solver=solver, tol=tol).fit(X, y)
        n_iter = -1 if m.n_iter_ is None else int(np.max(m.n_iter_))
        return Fit.single(m.coef_, m.intercept_, alpha / X.shape[0], 0.0, n_iter)
    return run


def sklearn_ridge_cv(X, y, tol, alphas):
    from sklearn.linear_model import RidgeCV
    m = RidgeCV(alphas=alphas).fit(X, y)
    return Fit.single(m.coef_, m.intercept_, m.alpha_ / X.shape[0], 0.0, alpha_ridge=m.alpha_)


# ---------------------------------------------------------------- celer, skglm

def _estimator_single(module, name):
    def run(X, y, tol, alpha, l1_ratio):
        mod = __import__(module)
        kw = {} if l1_ratio == 1.0 else {"l1_ratio": l1_ratio}
        cls = getattr(mod, "Lasso" if l1_ratio == 1.0 else "ElasticNet")
        m = cls(alpha=alpha, tol=tol, max_epochs=MAX_ITER, **kw).fit(X, y)
        return Fit.single(m.coef_, m.intercept_, alpha, l1_ratio, getattr(m, "n_iter_", -1))
    run.__name__ = f"{module}_{name}"
    return run


def _warm_path(module, fit_intercept=True):
    """A path by warm starts, the way these packages' users get one with an intercept."""
    def run(X, y, tol, alphas):
        mod = __import__(module)
        m = mod.Lasso(alpha=alphas[0], tol=tol, max_epochs=MAX_ITER, warm_start=True,
                      fit_intercept=fit_intercept)
        coefs, intercepts = [], []
        for alpha in alphas:
            m.set_params(alpha=alpha).fit(X, y)
            coefs.append(np.asarray(m.coef_, dtype=np.float64).copy())
            intercepts.append(float(m.intercept_))
        return Fit(np.array(coefs), np.array(intercepts), np.asarray(alphas), 1.0,
                   fit_intercept=fit_intercept)
    return run


def sklearn_path_noint(X, y, tol, alphas):
    """scikit-learn's lasso_path as it is: no intercept, X and y as given."""
    from sklearn.linear_model import lasso_path
    _, coefs, _, n_iters = lasso_path(X, np.asarray(y, dtype=X.dtype), alphas=alphas, tol=tol,
                                      max_iter=MAX_ITER, return_n_iter=True)
    return Fit(np.asarray(coefs, dtype=np.float64).T, np.zeros(len(alphas)),
               np.asarray(alphas), 1.0, int(np.sum(n_iters)), fit_intercept=False)


def celer_cv(X, y, tol, alphas, n_jobs=1):
    from celer import LassoCV
    m = LassoCV(alphas=alphas, cv=CV_FOLDS, tol=tol, max_epochs=MAX_ITER, n_jobs=n_jobs).fit(X, y)
    return Fit.single(m.coef_, m.intercept_, m.alpha_, 1.0)


# ---------------------------------------------------------------- glum

def _glum(X, y, tol, l1_ratio, **kw):
    from glum import GeneralizedLinearRegressor
    return GeneralizedLinearRegressor(family="normal", l1_ratio=l1_ratio, gradient_tol=tol,
                                      max_iter=MAX_ITER, fit_intercept=True, **kw).fit(X, y)


def glum_single(X, y, tol, alpha, l1_ratio):
    m = _glum(X, y, tol, l1_ratio, alpha=alpha)
    return Fit.single(m.coef_, m.intercept_, alpha, l1_ratio, m.n_iter_)


def glum_path(X, y, tol, alphas):
    m = _glum(X, y, tol, 1.0, alpha_search=True, alphas=np.asarray(alphas))
    return Fit(np.asarray(m.coef_path_, dtype=np.float64), np.asarray(m.intercept_path_),
               np.asarray(alphas), 1.0, m.n_iter_)


def glum_ridge(X, y, tol, alpha):
    m = _glum(X, y, tol, 0.0, alpha=alpha / X.shape[0])
    return Fit.single(m.coef_, m.intercept_, alpha / X.shape[0], 0.0, m.n_iter_)


# ---------------------------------------------------------------- adelie

def _adelie(X, y, tol, lmdas, l1_ratio, intercept=True):
    import adelie as ad
    threads = tasks.THREADS
    if sp.issparse(X):
        Xa = ad.matrix.sparse(X, method="naive", n_threads=threads)
    else:
        Xa = ad.matrix.dense(X, method="naive", n_threads=threads)
    state = ad.grpnet(Xa, ad.glm.gaussian(np.asarray(y, dtype=X.dtype)), alpha=l1_ratio,
                      lmda_path=np.asarray(lmdas, dtype=np.float64), tol=tol,
                      intercept=intercept, early_exit=False, progress_bar=False,
                      n_threads=threads)
    return np.asarray(state.betas.toarray(), dtype=np.float64), np.asarray(state.intercepts)


def adelie_single(X, y, tol, alpha, l1_ratio):
    coefs, intercepts = _adelie(X, y, tol, [alpha], l1_ratio)
    return Fit.single(coefs[-1], intercepts[-1], alpha, l1_ratio)


def adelie_path(X, y, tol, alphas):
    coefs, intercepts = _adelie(X, y, tol, alphas, 1.0)
    return Fit(coefs, intercepts, np.asarray(alphas), 1.0)


def adelie_path_noint(X, y, tol, alphas):
    coefs, _ = _adelie(X, y, tol, alphas, 1.0, intercept=False)
    return Fit(coefs, np.zeros(len(alphas)), np.asarray(alphas), 1.0, fit_intercept=False)


# ---------------------------------------------------------------- logistic
#
# Binary logistic regression on scikit-learn 1.9's objective (C * sum of log
# losses + l1_ratio ||w||_1 + (1 - l1_ratio) / 2 ||w||^2, intercept free).
# skglm, glum and adelie use glmnet's scaling: alpha = 1 / (C n).  celer
# (L1, no intercept) minimises sum of log losses + ||w||_1 / C: the same
# problem divided by C.  scikit-learn's liblinear penalises an intercept, so
# it runs on the rows without one; with an intercept scikit-learn's L1 solver
# is saga.  Runners: (X, y, tol, C, l1_ratio, fit_intercept) -> Fit for one
# C, (X, y, tol, Cs, fit_intercept) -> Fit for a path (Cs increasing).

LOGISTIC_PEER_MAX_ITER = 100_000


def sk_logreg(solver):
    def run(X, y, tol, C, l1_ratio, fit_intercept):
        from sklearn.linear_model import LogisticRegression
        m = LogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, tol=tol,
                               max_iter=LOGISTIC_PEER_MAX_ITER,
                               fit_intercept=fit_intercept).fit(X, y)
        return Fit.logistic(m.coef_, m.intercept_, C, l1_ratio, fit_intercept,
                            int(np.max(m.n_iter_)))
    run.__name__ = f"sklearn_{solver}"
    return run


def sk_logreg_path(solver):
    """A path as scikit-learn offers it: LogisticRegression at each C, warm-started
    (saga; liblinear cannot warm-start and starts each C from zero)."""
    def run(X, y, tol, Cs, fit_intercept):
        from sklearn.linear_model import LogisticRegression
        m = LogisticRegression(C=Cs[0], l1_ratio=1.0, solver=solver, tol=tol,
                               max_iter=LOGISTIC_PEER_MAX_ITER, fit_intercept=fit_intercept,
                               warm_start=True)
        coefs, intercepts = [], []
        for C in Cs:
            m.set_params(C=C).fit(X, y)
            coefs.append(m.coef_.ravel().copy())
            intercepts.append(float(m.intercept_[0]) if fit_intercept else 0.0)
        return Fit.logistic(np.array(coefs), intercepts, Cs, 1.0, fit_intercept)
    return run


def sk_logreg_cv(solver):
    """LogisticRegressionCV on the same Cs, folds and scoring as regfast's."""
    def run(X, y, tol, Cs, fit_intercept):
        from sklearn.linear_model import LogisticRegressionCV
        m = LogisticRegressionCV(Cs=Cs, l1_ratios=(1.0,), solver=solver, cv=cv_folds(),
                                 scoring="accuracy", tol=tol, max_iter=LOGISTIC_PEER_MAX_ITER,
                                 fit_intercept=fit_intercept,
                                 use_legacy_attributes=False).fit(X, y)
        return Fit.logistic(m.coef_, m.intercept_, float(np.ravel(m.C_)[0]), 1.0, fit_intercept)
    return run


def celer_logreg(X, y, tol, C, l1_ratio, fit_intercept):
    from celer import LogisticRegression
    assert l1_ratio == 1.0 and not fit_intercept
    m = LogisticRegression(C=C, penalty="l1", tol=tol, max_iter=1000,
                           max_epochs=LOGISTIC_PEER_MAX_ITER, fit_intercept=False).fit(X, y)
    return Fit.logistic(m.coef_, 0.0, C, 1.0, False)


def celer_logreg_path(X, y, tol, Cs, fit_intercept):
    from celer import LogisticRegression
    assert not fit_intercept
    m = LogisticRegression(C=Cs[0], penalty="l1", tol=tol, max_iter=1000,
                           max_epochs=LOGISTIC_PEER_MAX_ITER, fit_intercept=False,
                           warm_start=True)
    coefs = []
    for C in Cs:
        m.set_params(C=C).fit(X, y)
        coefs.append(m.coef_.ravel().copy())
    return Fit.logistic(np.array(coefs), None, Cs, 1.0, False)


def _skglm_logreg(C, n, l1_ratio, tol, fit_intercept, warm_start=False):
    from skglm import SparseLogisticRegression
    return SparseLogisticRegression(alpha=1.0 / (C * n), l1_ratio=l1_ratio, tol=tol,
                                    max_iter=1000, max_epochs=LOGISTIC_PEER_MAX_ITER,
                                    fit_intercept=fit_intercept, warm_start=warm_start)


def skglm_logreg(X, y, tol, C, l1_ratio, fit_intercept):
    m = _skglm_logreg(C, X.shape[0], l1_ratio, tol, fit_intercept).fit(X, y)
    return Fit.logistic(m.coef_, m.intercept_ if fit_intercept else 0.0, C, l1_ratio,
                        fit_intercept)


def skglm_logreg_path(X, y, tol, Cs, fit_intercept):
    m = _skglm_logreg(Cs[0], X.shape[0], 1.0, tol, fit_intercept, warm_start=True)
    coefs, intercepts = [], []
    for C in Cs:
        m.set_params(alpha=1.0 / (C * X.shape[0])).fit(X, y)
        coefs.append(np.asarray(m.coef_, dtype=np.float64).ravel().copy())
        intercepts.append(float(np.ravel(m.intercept_)[0]) if fit_intercept else 0.0)
    return Fit.logistic(np.array(coefs), intercepts, Cs, 1.0, fit_intercept)


def _glum_logreg(X, y, tol, l1_ratio, fit_intercept, **kw):
    from glum import GeneralizedLinearRegressor
    return GeneralizedLinearRegressor(family="binomial", l1_ratio=l1_ratio, gradient_tol=tol,
                                      max_iter=LOGISTIC_PEER_MAX_ITER,
                                      fit_intercept=fit_intercept, **kw).fit(X, y)


def glum_logreg(X, y, tol, C, l1_ratio, fit_intercept):
    m = _glum_logreg(X, y, tol, l1_ratio, fit_intercept, alpha=1.0 / (C * X.shape[0]))
    return Fit.logistic(m.coef_, m.intercept_, C, l1_ratio, fit_intercept, m.n_iter_)


def glum_logreg_path(X, y, tol, Cs, fit_intercept):
    alphas = 1.0 / (np.asarray(Cs) * X.shape[0])
    m = _glum_logreg(X, y, tol, 1.0, fit_intercept, alpha_search=True, alphas=alphas)
    return Fit.logistic(np.asarray(m.coef_path_, dtype=np.float64), np.asarray(m.intercept_path_),
                        Cs, 1.0, fit_intercept, m.n_iter_)


def _adelie_logreg(X, y, tol, Cs, l1_ratio, fit_intercept):
    import adelie as ad
    if sp.issparse(X):
        Xa = ad.matrix.sparse(X, method="naive", n_threads=1)
    else:
        Xa = ad.matrix.dense(X, method="naive", n_threads=1)
    lmdas = 1.0 / (np.asarray(Cs, dtype=np.float64) * X.shape[0])
    state = ad.grpnet(Xa, ad.glm.binomial(np.asarray(y, dtype=X.dtype)), alpha=l1_ratio,
                      lmda_path=lmdas, tol=tol, irls_tol=tol, intercept=fit_intercept,
                      early_exit=False, progress_bar=False, n_threads=1)
    if state.betas.shape[0] < len(lmdas):    # adelie logs its error and returns what it has
        raise RuntimeError(f"adelie stopped after {state.betas.shape[0]} of {len(lmdas)} "
                           f"lambdas: {getattr(state, 'error', '') or 'no message'}")
    return np.asarray(state.betas.toarray(), dtype=np.float64), np.asarray(state.intercepts)


def adelie_logreg(X, y, tol, C, l1_ratio, fit_intercept):
    coefs, intercepts = _adelie_logreg(X, y, tol, [C], l1_ratio, fit_intercept)
    return Fit.logistic(coefs[-1], intercepts[-1:], C, l1_ratio, fit_intercept)


def adelie_logreg_path(X, y, tol, Cs, fit_intercept):
    coefs, intercepts = _adelie_logreg(X, y, tol, Cs, 1.0, fit_intercept)
    return Fit.logistic(coefs, intercepts, Cs, 1.0, fit_intercept)


def _logistic_table(single, path=None, cv=None, tasks=tuple(LOGISTIC_SPEC)):
    """{task: runner} for the logistic tasks a peer has (l1_ratio, intercept bound)."""
    out = {}
    for task in tasks:
        l1_ratio, fit_intercept = LOGISTIC_SPEC[task]
        if task in SINGLE_C_TASKS:
            if single is not None:
                out[task] = functools.partial(_bind_single, single, l1_ratio, fit_intercept)
        elif "_path" in task:
            if path is not None:
                out[task] = functools.partial(_bind_path, path, fit_intercept)
        elif cv is not None:
            out[task] = functools.partial(_bind_path, cv, fit_intercept)
    return out


def _bind_single(single, l1_ratio, fit_intercept, X, y, tol, C):
    return single(X, y, tol, C, l1_ratio, fit_intercept)


def _bind_path(path, fit_intercept, X, y, tol, Cs):
    return path(X, y, tol, Cs, fit_intercept)


# ---------------------------------------------------------------- the table

def _multitask_lasso(module):
    """scikit-learn's or skglm's MultiTaskLasso (intercepts fitted)."""
    def run(X, Y, tol, alpha):
        mod = __import__(module)
        if module == "sklearn":
            from sklearn.linear_model import MultiTaskLasso
            m = MultiTaskLasso(alpha=alpha, tol=tol, max_iter=MAX_ITER)
        else:
            m = mod.MultiTaskLasso(alpha=alpha, tol=tol, max_epochs=MAX_ITER)
        m.fit(X, Y)
        return Fit.multitask(m.coef_, m.intercept_, alpha, 1.0,
                             int(np.max(getattr(m, "n_iter_", -1))))
    run.__name__ = f"{module}_mtlasso"
    return run


def celer_mtlasso(X, Y, tol, alpha):
    """celer's multi-task solver (mtl_path at one alpha) on centred data, as its
    MultiTaskLasso estimator poses it.  The estimator itself fails on
    scikit-learn 1.9 (it calls the removed ``_validate_data``), so the centring
    (one copy of X, timed, as the estimator makes) is done here; celer's
    solver takes dense X only."""
    from celer.homotopy import mtl_path
    if sp.issparse(X):
        raise NotImplementedError("celer's multi-task solver takes dense X only")
    x_mean = X.mean(axis=0)
    y_mean = np.asarray(Y, dtype=np.float64).mean(axis=0)
    Yc = np.asfortranarray(Y - y_mean.astype(X.dtype))
    _, coefs, gaps = mtl_path(np.asfortranarray(X - x_mean), Yc, alphas=[alpha], tol=tol,
                              max_epochs=MAX_ITER)
    coef = np.asarray(coefs[..., 0], dtype=np.float64)          # (T, p)
    return Fit.multitask(coef, y_mean - coef @ x_mean, alpha, 1.0)


def _lasso(single):
    return lambda X, y, tol, alpha: single(X, y, tol, alpha, 1.0)


def _enet(single):
    return lambda X, y, tol, alpha: single(X, y, tol, alpha, ENET_L1_RATIO)


def _two_jobs(cv):
    return lambda X, y, tol, alphas: cv(X, y, tol, alphas, n_jobs=2)


_celer = _estimator_single("celer", "single")
_skglm = _estimator_single("skglm", "single")

SOLVERS = {
    "regfast": dict(tasks.RUNNERS),
    # Ridge's iterative solver, to set against scikit-learn's iterative ones
    # at the same accuracy (regfast's auto is exact on dense X)
    "regfast-cg": {"ridge": functools.partial(tasks.run_ridge, solver="cg")},
    "sklearn": {"lasso": _lasso(_sk_single), "enet": _enet(_sk_single),
                "lasso_path": sklearn_path, "lasso_cv": sklearn_cv,
                "lasso_cv_2jobs": _two_jobs(sklearn_cv),
                "ridge": sklearn_ridge("auto"), "ridge_cv": sklearn_ridge_cv,
                "mtlasso": _multitask_lasso("sklearn")},
    # scikit-learn's logistic solvers, each on the rows it solves: liblinear
    # (L1 without an intercept: it would penalise one), saga (L1 with an
    # intercept, elastic net), lbfgs and newton-cholesky (L2).  CV and paths
    # as scikit-learn offers them (LogisticRegressionCV; LogisticRegression
    # warm-started along the Cs).
    "sklearn-liblinear": _logistic_table(sk_logreg("liblinear"), sk_logreg_path("liblinear"),
                                         sk_logreg_cv("liblinear"),
                                         ("logreg_l1_noint", "logreg_path_noint",
                                          "logreg_cv_noint")),
    "sklearn-saga": _logistic_table(sk_logreg("saga"), sk_logreg_path("saga"),
                                    sk_logreg_cv("saga"),
                                    ("logreg_l1", "logreg_enet", "logreg_path", "logreg_cv")),
    "sklearn-lbfgs": _logistic_table(sk_logreg("lbfgs"), tasks=("logreg_l2",)),
    "sklearn-newton-cholesky": _logistic_table(sk_logreg("newton-cholesky"),
                                               tasks=("logreg_l2",)),
    "sklearn-cholesky": {"ridge": sklearn_ridge("cholesky")},
    "sklearn-lsqr": {"ridge": sklearn_ridge("lsqr")},
    "sklearn-sparse_cg": {"ridge": sklearn_ridge("sparse_cg")},
    "celer": {"lasso": _lasso(_celer), "enet": _enet(_celer), "lasso_path": _warm_path("celer"),
              "lasso_cv": celer_cv, "lasso_cv_2jobs": _two_jobs(celer_cv),
              **_logistic_table(celer_logreg, celer_logreg_path,
                                tasks=("logreg_l1_noint", "logreg_path_noint")),
              "mtlasso": celer_mtlasso},
    "skglm": {"lasso": _lasso(_skglm), "enet": _enet(_skglm), "lasso_path": _warm_path("skglm"),
              **_logistic_table(skglm_logreg, skglm_logreg_path),
              "mtlasso": _multitask_lasso("skglm")},
    "glum": {"lasso": _lasso(glum_single), "enet": _enet(glum_single), "lasso_path": glum_path,
             "ridge": glum_ridge, **_logistic_table(glum_logreg, glum_logreg_path)},
    "adelie": {"lasso": _lasso(adelie_single), "enet": _enet(adelie_single),
               "lasso_path": adelie_path, **_logistic_table(adelie_logreg, adelie_logreg_path)},
}
for _table in SOLVERS.values():       # the hard path is a Lasso path on other data
    if "lasso_path" in _table:
        _table["hard_path"] = _table["lasso_path"]
SOLVERS["sklearn"]["hard_path_noint"] = sklearn_path_noint
SOLVERS["celer"]["hard_path_noint"] = _warm_path("celer", fit_intercept=False)
SOLVERS["skglm"]["hard_path_noint"] = _warm_path("skglm", fit_intercept=False)
SOLVERS["adelie"]["hard_path_noint"] = adelie_path_noint
PEERS = [s for s in SOLVERS if not s.startswith("regfast")]
DIRECT = {"sklearn-cholesky"}          # tol plays no part
JIT = {"skglm"}                        # compiled on first call (numba)
