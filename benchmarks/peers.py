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
from benchmarks.tasks import CV_FOLDS, ENET_L1_RATIO, MAX_ITER, Fit, path_intercepts

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


def _warm_path(module):
    """A path by warm starts, the way these packages' users get one with an intercept."""
    def run(X, y, tol, alphas):
        mod = __import__(module)
        m = mod.Lasso(alpha=alphas[0], tol=tol, max_epochs=MAX_ITER, warm_start=True)
        coefs, intercepts = [], []
        for alpha in alphas:
            m.set_params(alpha=alpha).fit(X, y)
            coefs.append(np.asarray(m.coef_, dtype=np.float64).copy())
            intercepts.append(float(m.intercept_))
        return Fit(np.array(coefs), np.array(intercepts), np.asarray(alphas), 1.0)
    return run


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

def _adelie(X, y, tol, lmdas, l1_ratio):
    import adelie as ad
    if sp.issparse(X):
        Xa = ad.matrix.sparse(X, method="naive", n_threads=1)
    else:
        Xa = ad.matrix.dense(X, method="naive", n_threads=1)
    state = ad.grpnet(Xa, ad.glm.gaussian(np.asarray(y, dtype=X.dtype)), alpha=l1_ratio,
                      lmda_path=np.asarray(lmdas, dtype=np.float64), tol=tol,
                      intercept=True, early_exit=False, progress_bar=False, n_threads=1)
    return np.asarray(state.betas.toarray(), dtype=np.float64), np.asarray(state.intercepts)


def adelie_single(X, y, tol, alpha, l1_ratio):
    coefs, intercepts = _adelie(X, y, tol, [alpha], l1_ratio)
    return Fit.single(coefs[-1], intercepts[-1], alpha, l1_ratio)


def adelie_path(X, y, tol, alphas):
    coefs, intercepts = _adelie(X, y, tol, alphas, 1.0)
    return Fit(coefs, intercepts, np.asarray(alphas), 1.0)


# ---------------------------------------------------------------- the table

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
                "ridge": sklearn_ridge("auto"), "ridge_cv": sklearn_ridge_cv},
    "sklearn-cholesky": {"ridge": sklearn_ridge("cholesky")},
    "sklearn-lsqr": {"ridge": sklearn_ridge("lsqr")},
    "sklearn-sparse_cg": {"ridge": sklearn_ridge("sparse_cg")},
    "celer": {"lasso": _lasso(_celer), "enet": _enet(_celer), "lasso_path": _warm_path("celer"),
              "lasso_cv": celer_cv, "lasso_cv_2jobs": _two_jobs(celer_cv)},
    "skglm": {"lasso": _lasso(_skglm), "enet": _enet(_skglm), "lasso_path": _warm_path("skglm")},
    "glum": {"lasso": _lasso(glum_single), "enet": _enet(glum_single), "lasso_path": glum_path,
             "ridge": glum_ridge},
    "adelie": {"lasso": _lasso(adelie_single), "enet": _enet(adelie_single),
               "lasso_path": adelie_path},
}
PEERS = [s for s in SOLVERS if not s.startswith("regfast")]
DIRECT = {"sklearn-cholesky"}          # tol plays no part
JIT = {"skglm"}                        # compiled on first call (numba)
