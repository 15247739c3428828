"""LassoCV and ElasticNetCV: the path on each fold, folds in parallel threads.

Each fold's whole path runs in the kernel without the GIL, so a thread pool
gives real parallelism; BLAS is pinned to one thread inside it so the threads
do not oversubscribe the cores.
"""

import contextlib
import os
import threading
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.utils.validation import check_random_state
from threadpoolctl import threadpool_limits

from ._coordinate_descent import LinearPredictorMixin
from ._docs import fill_doc
from ._interrupt import map_threads
from ._path import enet_path, lasso_path, resolve_alphas
from ._problem import Problem, float32_rounding_note, use_gram
from ._validation import (check_bounds, check_penalty_factor, check_ratios,
                          check_sample_weight, check_scalar_param, refuse_fit_params,
                          validate_X_y)


def effective_n_jobs(n_jobs):
    """None -> 1, negative -> counted back from the number of CPUs (joblib's rule)."""
    if n_jobs is None:
        return 1
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return max(1, int(n_jobs))


# joblib backends that run on this machine; any other one (dask, ray, ...) is
# a user's request to fan the folds out to a cluster
LOCAL_BACKENDS = ("LokyBackend", "ThreadingBackend", "SequentialBackend",
                  "MultiprocessingBackend")


def remote_backend_active():
    """Whether the caller activated a joblib backend that runs tasks elsewhere,
    e.g. ``with joblib.parallel_backend("dask")``."""
    from joblib.parallel import get_active_backend
    return type(get_active_backend()[0]).__name__ not in LOCAL_BACKENDS


_blas_lock = threading.Lock()
_blas_users = 0
_blas_limiter = None


@contextlib.contextmanager
def single_threaded_blas():
    """BLAS on one thread while any caller is inside, restored when the last leaves.

    threadpoolctl's limits are process-wide and each restores what it found:
    two CV fits in concurrent user threads used to interleave, so one restored
    BLAS's threads while the other still ran its folds (whose bits then
    depended on the timing), and the last could leave BLAS pinned for good.
    """
    global _blas_users, _blas_limiter
    with _blas_lock:
        if _blas_users == 0:
            _blas_limiter = threadpool_limits(limits=1, user_api="blas")
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


def split_threads(n_jobs, n_tasks):
    """(workers, threads per fit): n_jobs threads in all, over n_tasks fits
    first (independent fits scale best), the rest within each fit."""
    total = effective_n_jobs(n_jobs)
    workers = max(1, min(total, n_tasks))
    return workers, max(1, total // workers)


def run_folds(run, jobs, n_jobs, shared=()):
    """[run(*shared, job) for job in jobs], in a pool of n_jobs threads (each job
    a fit without the GIL; BLAS pinned to one thread so they do not oversubscribe).

    Under a joblib backend that runs elsewhere, activated by the caller
    (``with joblib.parallel_backend("dask")``), each job is a joblib task
    instead; ``shared`` goes as arguments so that the backend ships each
    once (Dask's scatters large arguments), and n_jobs keeps joblib's meaning
    (None: the backend's default).

    A fold that stops at max_iter is scored as it is, as in scikit-learn: its
    ConvergenceWarning is not shown.
    """
    if remote_backend_active():
        from joblib import Parallel, delayed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return Parallel(n_jobs=n_jobs)(delayed(run)(*shared, job) for job in jobs)
    n_jobs = min(effective_n_jobs(n_jobs), len(jobs))
    # BLAS on one thread whatever n_jobs: a BLAS reduction split over another
    # number of threads rounds differently, and n_jobs must not change the bits
    with warnings.catch_warnings(), single_threaded_blas():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if n_jobs == 1:
            return [run(*shared, job) for job in jobs]
        return map_threads(lambda job: run(*shared, job), jobs, n_jobs)


def fold_problem(X, y, sw, train, fit_intercept, precompute):
    """The training part of a fold (rows copied once, weights rescaled to sum n_train)."""
    X_train = X[train] if sp.issparse(X) else np.asfortranarray(X[train])
    sw_train = None
    if sw is not None:
        sw_train = sw[train]
        total = sw_train.sum()
        if total <= 0:
            raise ValueError("a cross-validation fold has only zero sample weights "
                             "in its training part")
        sw_train = (sw_train * (len(train) / total)).astype(X.dtype)
    return Problem(X_train, y[train], sw_train, fit_intercept,
                   gram=use_gram(X_train, precompute) and not hasattr(precompute, "__array__"))


def predict_fixed_order(X, coefs):
    """X @ coefs (coefs of shape (p, m)) summed in an order that does not
    depend on the calling thread.

    BLAS's gemm blocks (and so rounds) differently in the main thread and in
    worker threads (numpy 2.4's OpenBLAS: 7e-15 apart), which made mse_path_
    depend on n_jobs and on the thread that called fit.  Dense X goes through
    einsum's own loops instead, over the columns where some coefficient is
    non-zero only (paths are sparse); sparse products do not use BLAS.
    """
    coefs = np.asarray(coefs)
    if sp.issparse(X):
        return np.asarray(X @ coefs)
    active = np.flatnonzero(np.any(coefs != 0, axis=1))
    out_dtype = np.result_type(X.dtype, coefs.dtype)
    if active.size == 0:
        return np.zeros((X.shape[0], coefs.shape[1]), dtype=out_dtype)
    return np.einsum("ij,ja->ia", X[:, active], coefs[active], dtype=out_dtype)


def fold_mse(est, X, y, sw, train, test, alphas, l1_ratio, pf, bounds, seed,
             n_threads=1):
    """Mean squared test error of the path fitted on the training rows, per alpha."""
    problem = fold_problem(X, y, sw, train, est.fit_intercept, est.precompute)
    coef = np.zeros(X.shape[1])
    coefs, _, _, _ = problem.path(
        alphas, l1_ratio, pf, coef, bounds=bounds, tol=float(est.tol),
        max_iter=int(est.max_iter), selection=est.selection, seed=seed,
        n_threads=n_threads)
    # einsum, not BLAS's gemv: its rounding differed between the main thread and
    # worker threads for the same arrays (so n_jobs and threads changed mse_path_)
    intercepts = (problem.y_mean - np.einsum("j,ja->a", problem.xm, coefs)
                  if problem.xm is not None else 0.0)
    residues = predict_fixed_order(X[test], coefs) + intercepts - y[test][:, None]
    weights = None if sw is None else sw[test]
    if weights is not None and not weights.sum() > 0:
        # np.average would raise ZeroDivisionError: say which input is at fault
        raise ValueError("a cross-validation fold has only zero sample weights "
                         "in its test part; use fewer folds or shuffle (cv=KFold("
                         "n_splits, shuffle=True))")
    return np.average(residues ** 2, axis=0, weights=weights)


def fold_job(est, X, y, sw, folds, grids, l1_ratios, pf, bounds, seed, n_threads, job):
    """fold_mse of one job: (index of the l1_ratio, index of the fold)."""
    i, k = job
    train, test = folds[k]
    return fold_mse(est, X, y, sw, train, test, grids[i], l1_ratios[i], pf, bounds, seed,
                    n_threads)


def select_from_folds(est, results, grids, l1_ratios, n_folds):
    """Set est's alpha_, l1_ratio_, alphas_ and mse_path_ from the folds' MSE
    paths (results: one per (l1_ratio, fold) job, in that order)."""
    mse = np.array(results).reshape(len(l1_ratios), n_folds, -1).transpose(0, 2, 1)
    mean_mse = mse.mean(axis=2)
    i_best, a_best = np.unravel_index(np.argmin(mean_mse), mean_mse.shape)
    est.l1_ratio_ = float(l1_ratios[i_best])
    est.alpha_ = float(grids[i_best][a_best])
    alphas = np.array(grids)
    # scikit-learn's: one automatic grid per l1_ratio, a given grid once
    given = getattr(est, "n_alphas", None) is None and np.ndim(est.alphas) == 1
    est.alphas_ = alphas[0] if len(l1_ratios) == 1 or given else alphas
    est.mse_path_ = mse[0] if len(l1_ratios) == 1 else mse


@fill_doc
class ElasticNetCV(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Elastic net with alpha (and l1_ratio) chosen by cross-validation.

    scikit-learn's ElasticNetCV: the path over a grid of alphas on each fold,
    the alpha (and l1_ratio) of lowest mean squared error on the held-out
    rows, then one fit on all the data there.  Same parameters, attributes
    and results; each fold's path runs without the GIL, so folds and
    l1_ratios run in parallel threads with ``n_jobs``.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Mix of L1 (1) and L2 (0), in [0, 1]; a list is searched over (the
        automatic grid needs l1_ratio > 0).
    %(cv_params)s
    %(cv_cv)s
    %(copy_x)s
    %(cv_params_end)s

    Attributes
    ----------
    l1_ratio_ : float
        The l1_ratio chosen.
    mse_path_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        Held-out mean squared error per l1_ratio, alpha and fold; (n_alphas,
        n_folds) for a single l1_ratio.
    alphas_ : ndarray of shape (n_l1_ratio, n_alphas) or (n_alphas,)
        The grid of each l1_ratio (decreasing); one row only for one l1_ratio
        or given alphas (the same grid for all).
    %(cv_attributes)s

    See Also
    --------
    ElasticNet : One alpha, chosen by hand.
    LassoCV : The L1 penalty alone.
    enet_path : The path on all the data.

    Examples
    --------
    >>> import numpy as np
    >>> import regfast
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> y = X @ [2.0, 0.0, 0.0, -1.0, 0.0] + 3 + 0.1 * rng.standard_normal(100)
    >>> model = regfast.ElasticNetCV(l1_ratio=[0.5, 0.9, 1.0], cv=5).fit(X, y)
    >>> model.l1_ratio_, round(model.alpha_, 4)
    (1.0, 0.0062)
    >>> model.mse_path_.shape, model.alphas_.shape
    ((3, 100, 5), (3, 100))
    >>> model.coef_.round(1)
    array([ 2.,  0.,  0., -1.,  0.])
    """

    path = staticmethod(enet_path)

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, n_alphas=None, alphas=100,
                 fit_intercept=True, precompute="auto", max_iter=1000, tol=1e-4,
                 cv=None, copy_X=True, verbose=0, n_jobs=None, positive=False,
                 random_state=None, selection="cyclic", penalty_factor=None,
                 lower_bounds=None, upper_bounds=None):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.n_alphas = n_alphas
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    @fill_doc
    def fit(self, X, y, sample_weight=None, **params):
        """Choose alpha (and l1_ratio) by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; each fold's training rows are copied once.
        %(cv_y)s
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, used in the fits and the held-out errors.
        **params : dict
            scikit-learn's metadata for the CV splitter (e.g. ``groups``): not
            routed by regfast, so refused (with scikit-learn's message when
            routing is disabled).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        owner = type(self).__name__
        refuse_fit_params(params, self)
        l1_ratios = self._check_params()
        X, y = validate_X_y(self, X, y, check_finite=False)   # Problem checks
        n_samples, n_features = X.shape
        sw = check_sample_weight(sample_weight, n_samples, X.dtype, owner)
        pf = check_penalty_factor(self.penalty_factor, n_features, owner)
        bounds = check_bounds(self.lower_bounds, self.upper_bounds, self.positive,
                              n_features, owner)
        full = Problem(X, y, sw, self.fit_intercept, owner=owner)
        grids = [resolve_alphas(full, self.alphas, self.n_alphas, r, pf, self.eps,
                                bounds) for r in l1_ratios]
        folds = list(check_cv(self.cv).split(X, y))
        seed = check_random_state(self.random_state).randint(1, 2**31 - 1)
        jobs = [(i, k) for i in range(len(l1_ratios)) for k in range(len(folds))]

        workers, n_threads = ((self.n_jobs, 1) if remote_backend_active()
                              else split_threads(self.n_jobs, len(jobs)))
        results = run_folds(fold_job, jobs, workers, shared=(
            self, X, y, sw, folds, grids, l1_ratios, pf, bounds, seed, n_threads))
        # refit on all the data at the chosen alpha
        if use_gram(X, self.precompute):
            full = Problem(X, y, sw, self.fit_intercept, gram=True)
        return self._select_and_refit(results, grids, l1_ratios, len(folds), full, pf,
                                      bounds, seed, X.dtype)

    def _check_params(self):
        """Validate the hyper-parameters; returns the l1_ratios as an array."""
        owner = type(self).__name__
        l1_ratios = check_ratios(self.l1_ratio, "l1_ratio", owner)
        check_scalar_param(self.tol, "tol", owner, low=0)
        check_scalar_param(self.max_iter, "max_iter", owner, low=1, kind="int")
        check_scalar_param(self.eps, "eps", owner, low=0, low_inclusive=False)
        if self.selection not in ("cyclic", "random"):
            raise ValueError(f"{owner}: selection must be 'cyclic' or 'random', "
                             f"got {self.selection!r}")
        return l1_ratios

    def _select_and_refit(self, results, grids, l1_ratios, n_folds, full, pf, bounds,
                          seed, dtype):
        """Set alpha_, l1_ratio_, alphas_, mse_path_ from the folds' MSE paths
        (results: one per (l1_ratio, fold) job), then refit `full` (a Problem of
        all the data) at the chosen alpha; also used by regfast.dask."""
        owner = type(self).__name__
        select_from_folds(self, results, grids, l1_ratios, n_folds)

        coef = np.zeros(full.n_features)
        gap, n_iter, converged = full.solve(
            self.alpha_, self.l1_ratio_, pf, coef, bounds=bounds,
            tol=float(self.tol), max_iter=int(self.max_iter),
            selection=self.selection, seed=seed,
            n_threads=split_threads(getattr(self, "n_jobs", None), 1)[1])
        if not converged:
            warnings.warn(f"{owner}: the final fit did not converge within "
                          f"max_iter={self.max_iter} epochs (duality gap {gap:.3e})."
                          + float32_rounding_note(dtype, n_iter, self.max_iter),
                          ConvergenceWarning, stacklevel=3)
        self.coef_ = coef.astype(dtype)
        self.intercept_ = full.intercept(coef)
        self.dual_gap_ = gap
        self.n_iter_ = n_iter
        return self


@fill_doc
class LassoCV(ElasticNetCV):
    """Lasso with alpha chosen by cross-validation (scikit-learn's LassoCV).

    The Lasso path over a grid of alphas on each fold, the alpha of lowest
    mean squared error on the held-out rows, then one Lasso fit on all the
    data there.  Folds run in parallel threads with ``n_jobs``.

    Parameters
    ----------
    %(cv_params)s
    %(copy_x)s
    %(cv_cv)s
    %(cv_params_end)s

    Attributes
    ----------
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Held-out mean squared error per alpha and fold.
    alphas_ : ndarray of shape (n_alphas,)
        The grid (decreasing).
    %(cv_attributes)s

    See Also
    --------
    Lasso : One alpha, chosen by hand.
    ElasticNetCV : L1 and L2 penalties mixed.
    lasso_path : The path on all the data.

    Examples
    --------
    >>> import numpy as np
    >>> import regfast
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> y = X @ [2.0, 0.0, 0.0, -1.0, 0.0] + 3 + 0.1 * rng.standard_normal(100)
    >>> model = regfast.LassoCV(cv=5).fit(X, y)
    >>> round(model.alpha_, 4), model.mse_path_.shape
    (0.0062, (100, 5))
    >>> model.coef_.round(1)
    array([ 2.,  0.,  0., -1.,  0.])
    """

    path = staticmethod(lasso_path)

    def __init__(self, *, eps=1e-3, n_alphas=None, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, copy_X=True, cv=None,
                 verbose=False, n_jobs=None, positive=False, random_state=None,
                 selection="cyclic", penalty_factor=None, lower_bounds=None,
                 upper_bounds=None):
        super().__init__(
            l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
            fit_intercept=fit_intercept, precompute=precompute, max_iter=max_iter,
            tol=tol, cv=cv, copy_X=copy_X, verbose=verbose, n_jobs=n_jobs,
            positive=positive, random_state=random_state, selection=selection,
            penalty_factor=penalty_factor, lower_bounds=lower_bounds,
            upper_bounds=upper_bounds)
