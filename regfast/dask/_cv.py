"""LassoCV, ElasticNetCV and k-fold RidgeCV on dask arrays: one pass, any folds and alphas.

The pass keeps one block of statistics per fold.  A fold's training
statistics are the total minus its block (`subtract`), its held-out squared
errors for every alpha come from its block alone (`squared_error`), so the
data is read once however many folds, alphas and l1_ratios are tried.
"""

import numbers

import numpy as np
from sklearn.model_selection import KFold, PredefinedSplit
from sklearn.utils.validation import check_random_state

from .. import _cv as _cvm
from .. import _ridge_cv
from .._path import resolve_alphas
from .._validation import check_bounds, check_penalty_factor
from ._estimators import DaskFitMixin
from ._problem import problem_from_stats, ridge_coef, ridge_path
from ._reduce import is_dask_collection
from ._stats import merge_all, squared_error, subtract

DEFAULT_FOLDS = 5


def fold_spec(cv, owner):
    """(what RowData.statistics takes, number of folds if known).

    None or an int k: scikit-learn's default KFold(k) (contiguous rows, no
    shuffling).  KFold without shuffling: the same.  A 1-d array of labels
    (dask or in-memory, e.g. from `random_fold_labels`): PredefinedSplit's
    meaning (rows labelled -1 are always trained on).
    """
    if cv is None:
        cv = DEFAULT_FOLDS
    if isinstance(cv, KFold) and not cv.shuffle:
        cv = cv.get_n_splits()
    if isinstance(cv, PredefinedSplit):
        cv = cv.test_fold
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"{owner}: cv must be at least 2 folds, got {cv}")
        return ("kfold", int(cv)), int(cv)
    if is_dask_collection(cv) or (hasattr(cv, "__array__") and np.ndim(cv) == 1):
        return cv, None
    raise ValueError(
        f"{owner}: on dask arrays cv must be None, an int, KFold(shuffle=False), "
        "PredefinedSplit or an array of fold labels (e.g. regfast.dask."
        f"random_fold_labels(X, k, seed) for a shuffled split); got {cv!r}")


def fold_parts(data, cv, owner):
    """One pass: (total Stats, [held-out Stats of each fold, by label])."""
    spec, k = fold_spec(cv, owner)
    if k is not None and k > data.n_samples:
        raise ValueError(f"{owner}: cannot have {k} folds with {data.n_samples} samples")
    parts = data.statistics(spec)
    total = merge_all(list(parts.values()))
    folds = [parts[key] for key in sorted(parts) if key >= 0]
    if len(folds) < 2:
        raise ValueError(f"{owner}: cross-validation needs at least 2 folds, the "
                         f"labels give {len(folds)}")
    return total, folds


def _n_blocks(cv):
    """Statistics blocks the client will hold (for the size check)."""
    k = DEFAULT_FOLDS if cv is None else cv
    return (k if isinstance(k, numbers.Integral) else DEFAULT_FOLDS) + 1


class ElasticNetCV(DaskFitMixin, _cvm.ElasticNetCV):
    """regfast.ElasticNetCV that also fits on dask arrays, reading them once.

    On a dask array the folds are row sets (``cv``: None/int for
    scikit-learn's KFold without shuffling, or an array of fold labels, e.g.
    from :func:`random_fold_labels`); one pass gives each fold's statistics,
    every fold's path runs in Gram mode on the total minus the fold, and its
    held-out MSE comes from the fold's statistics.  The alpha grid, the folds'
    MSE paths, alpha_ and the refit are those of ``regfast.ElasticNetCV`` with
    the same folds, to rounding.  Folds and l1_ratios run in ``n_jobs``
    threads on the client.

    Examples
    --------
    >>> import dask.array as da
    >>> from regfast.dask import ElasticNetCV
    >>> X = da.random.default_rng(0).standard_normal((20_000, 4), chunks=(5_000, 4))
    >>> y = X @ da.from_array([1.0, 0.0, 2.0, 0.0]) + da.random.default_rng(1).standard_normal(20_000, chunks=5_000)
    >>> model = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3).fit(X, y)
    >>> model.mse_path_.shape, model.coef_.round(1)
    ((2, 100, 3), array([1., 0., 2., 0.]))
    """

    def fit(self, X, y, sample_weight=None):
        """Choose alpha (and l1_ratio) by cross-validation, then refit on all the data.

        Parameters
        ----------
        X : dask array of shape (n_samples, n_features), or in-memory input
        y : dask array or array-like of shape (n_samples,)
        sample_weight : dask array, array-like or None, default=None

        Returns
        -------
        self
        """
        if not is_dask_collection(X):
            return super().fit(X, y, sample_weight=sample_weight)
        owner = type(self).__name__
        l1_ratios = self._check_params()
        data = self._row_data(X, y, sample_weight, _n_blocks(self.cv))
        p = data.n_features
        pf = check_penalty_factor(self.penalty_factor, p, owner)
        bounds = check_bounds(self.lower_bounds, self.upper_bounds, self.positive, p, owner)
        total, folds = fold_parts(data, self.cv, owner)
        self._record(data)
        full = problem_from_stats(total, self.fit_intercept)
        grids = [resolve_alphas(full, self.alphas, self.n_alphas, r, pf, self.eps,
                                bounds) for r in l1_ratios]
        seed = check_random_state(self.random_state).randint(1, 2**31 - 1)
        jobs = [(i, k) for i in range(len(l1_ratios)) for k in range(len(folds))]

        def run(job):
            i, k = job
            problem = problem_from_stats(subtract(total, folds[k]), self.fit_intercept)
            coefs, _, _, _ = problem.path(
                grids[i], l1_ratios[i], pf, np.zeros(p), bounds=bounds,
                tol=float(self.tol), max_iter=int(self.max_iter),
                selection=self.selection, seed=seed)
            intercepts = problem.y_mean - (problem.xm @ coefs if self.fit_intercept else 0)
            return squared_error(folds[k], coefs, intercepts) / folds[k].weight

        results = _cvm.run_folds(run, jobs, self.n_jobs)
        return self._select_and_refit(results, grids, l1_ratios, len(folds), full, pf,
                                      bounds, seed, data.dtype)


class LassoCV(ElasticNetCV, _cvm.LassoCV):
    """regfast.LassoCV that also fits on dask arrays; see :class:`ElasticNetCV`.

    Examples
    --------
    >>> import dask.array as da
    >>> from regfast.dask import LassoCV
    >>> X = da.random.default_rng(0).standard_normal((20_000, 3), chunks=(5_000, 3))
    >>> y = 2 * X[:, 0] + da.random.default_rng(1).standard_normal(20_000, chunks=5_000)
    >>> model = LassoCV(cv=4).fit(X, y)
    >>> model.mse_path_.shape, model.coef_.round(1)
    ((100, 4), array([2., 0., 0.]))
    """

    __init__ = _cvm.LassoCV.__init__


class RidgeCV(DaskFitMixin, _ridge_cv.RidgeCV):
    """regfast.RidgeCV that also fits on dask arrays, by k-fold CV in one pass.

    On a dask array ``cv`` is a number of folds, KFold(shuffle=False),
    PredefinedSplit or an array of fold labels (see :class:`ElasticNetCV`);
    each fold's Ridge at every alpha comes from one eigendecomposition of its
    training Gram matrix (the total minus the fold's), and its held-out score
    from the fold's statistics, as ``regfast.RidgeCV(cv=...)`` (a grid search of
    Ridge over the folds) scores it.  ``scoring`` may be None or 'r2' (R^2,
    the default for k-fold) or 'neg_mean_squared_error'.

    ``cv=None`` (leave-one-out, the in-memory default) is refused: its
    errors need every row's leverage, a second pass over the data and n
    numbers per alpha, which is not what a tall problem should pay for (the
    GCV criterion, which the Gram's eigenvalues do give exactly, is a
    different criterion and would not match the in-memory choice).

    Examples
    --------
    >>> import dask.array as da
    >>> from regfast.dask import RidgeCV
    >>> X = da.random.default_rng(0).standard_normal((20_000, 3), chunks=(5_000, 3))
    >>> y = X @ da.from_array([1.0, 2.0, 3.0]) + da.random.default_rng(1).standard_normal(20_000, chunks=5_000)
    >>> model = RidgeCV(alphas=[0.1, 1e5], cv=5).fit(X, y)
    >>> model.alpha_, model.coef_.round(1)
    (0.1, array([1., 2., 3.]))
    """

    SCORINGS = (None, "r2", "neg_mean_squared_error")

    def fit(self, X, y, sample_weight=None):
        """Fit Ridge at the alpha with the best k-fold score.

        Parameters
        ----------
        X : dask array of shape (n_samples, n_features), or in-memory input
        y : dask array or array-like of shape (n_samples,)
        sample_weight : dask array, array-like, float or None, default=None
            Non-negative weights, used as given.

        Returns
        -------
        self
        """
        if not is_dask_collection(X):
            return super().fit(X, y, sample_weight=sample_weight)
        owner = type(self).__name__
        if self.cv is None:
            raise ValueError(
                f"{owner}: on dask arrays pass cv=k (k-fold, one pass over the data); "
                "cv=None (leave-one-out) needs every row's leverage, a second pass")
        if self.scoring not in self.SCORINGS:
            raise ValueError(f"{owner}: on dask arrays scoring must be one of "
                             f"{self.SCORINGS} (computed from the statistics), "
                             f"got {self.scoring!r}")
        if self.store_cv_results or self.alpha_per_target:
            raise ValueError(f"{owner}: cv!=None and store_cv_results=True or "
                             "alpha_per_target=True are incompatible")
        alphas = _ridge_cv.check_alphas(self.alphas, False, owner)
        data = self._row_data(X, y, sample_weight, _n_blocks(self.cv))
        total, folds = fold_parts(data, self.cv, owner)
        self._record(data)
        scores = np.zeros(len(alphas))
        for fold in folds:
            coefs, intercepts = ridge_path(subtract(total, fold), alphas,
                                           bool(self.fit_intercept))
            sse = squared_error(fold, coefs, intercepts)
            # R^2 against the held-out rows' own weighted mean, as r2_score
            scores += (-sse / fold.weight if self.scoring == "neg_mean_squared_error"
                       else 1 - sse / fold.yy)
        scores /= len(folds)
        best = int(np.argmax(scores))
        self.alpha_ = float(alphas[best])
        self.best_score_ = float(scores[best])
        coef, intercept = ridge_coef(total, [self.alpha_], bool(self.fit_intercept))
        self._set_fitted(coef, intercept, 1, data.dtype)
        return self
