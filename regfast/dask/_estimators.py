"""Lasso, ElasticNet, Ridge and the paths on dask arrays, by the Gram route.

Each class is the in-memory estimator with a `fit` that, given a dask array,
computes the sufficient statistics in one pass on the workers and solves on
the client with the in-memory Gram-mode solver; any other input goes to the
in-memory `fit` unchanged.  The dask input is detected before scikit-learn's
validation, which would call np.asarray and gather X on the client.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, check_random_state

from .. import _coordinate_descent as _cdm
from .. import _ridge
from .._path import path_params, resolve_alphas
from .._ridge import check_alpha
from .._validation import (check_bounds, check_penalty_factor, check_scalar_param)
from ._problem import problem_from_stats, ridge_coef
from ._reduce import RowData, is_dask_collection
from ._stats import check_gram_size


class DaskFitMixin:
    """Shared pieces of the dask estimators: input, statistics, predict."""

    def _row_data(self, X, y, sample_weight, n_blocks=1):
        owner = type(self).__name__
        data = RowData(X, y, sample_weight, owner)
        check_gram_size(data.n_features, n_blocks, owner)
        self.n_features_in_ = data.n_features
        if hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return data

    def _record(self, data):
        """Diagnostics: partitions read and bytes of statistics gathered."""
        self.n_partitions_ = len(data.chunks)
        self.stats_nbytes_ = data.gathered_nbytes

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : dask array, array-like or sparse matrix of shape (n_samples, n_features)
            A dask array gives a lazy dask array of predictions, computed
            partition by partition on the workers.

        Returns
        -------
        ndarray or dask.array.Array of shape (n_samples,)
        """
        if not is_dask_collection(X):
            return super().predict(X)
        check_is_fitted(self)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[-1]} features, but {type(self).__name__} "
                             f"is expecting {self.n_features_in_} features as input")
        coef, intercept = np.asarray(self.coef_), self.intercept_
        X = X.rechunk({1: -1}) if X.numblocks[1] > 1 else X
        return X.map_blocks(_linear, coef, intercept, drop_axis=1,
                            dtype=np.result_type(X.dtype, coef.dtype))


def _linear(block, coef, intercept):
    return np.asarray(block @ coef).ravel() + intercept


class ElasticNet(DaskFitMixin, _cdm.ElasticNet):
    """regfast.ElasticNet that also fits on dask arrays (tall data on a cluster).

    Given a dask array X (partitioned by rows), one pass on the workers
    computes the weighted sums, X^T S X, X^T S y and y^T S y of every
    partition in float64, combines them in a tree, and the client solves in
    Gram mode with the same kernel as in memory: the same coefficients as
    ``regfast.ElasticNet`` on the whole data, to rounding.  Other input is fitted
    in memory.  Parameters and attributes are ``regfast.ElasticNet``'s;
    ``precompute`` and ``check_input`` are ignored on dask input (always Gram
    mode).  Memory: the client and each worker hold a few p x p float64
    matrices; X is never gathered.

    Attributes
    ----------
    n_partitions_ : int
        Row partitions read (dask input only).
    stats_nbytes_ : int
        Bytes of statistics gathered on the client (dask input only).

    Examples
    --------
    >>> import dask.array as da
    >>> from regfast.dask import ElasticNet
    >>> X = da.random.default_rng(0).standard_normal((10_000, 5), chunks=(2_500, 5))
    >>> y = X @ da.from_array([1.0, 0.0, 2.0, 0.0, -1.0]) + 3
    >>> model = ElasticNet(alpha=0.01, l1_ratio=0.9).fit(X, y)
    >>> model.coef_.round(1), round(model.intercept_, 1)
    (array([ 1.,  0.,  2.,  0., -1.]), 3.0)
    >>> model.predict(X[:3]).compute().shape
    (3,)
    """

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model; see ``regfast.ElasticNet.fit``.

        Parameters
        ----------
        X : dask array of shape (n_samples, n_features), or in-memory input
            Dense float32/float64 or scipy.sparse partitions, split by rows.
        y : dask array or array-like of shape (n_samples,)
        sample_weight : dask array, array-like or None, default=None
        check_input : bool, default=True
            Accepted for compatibility.

        Returns
        -------
        self
        """
        if not is_dask_collection(X):
            return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)
        owner = type(self).__name__
        _cdm.check_enet_params(self)
        data = self._row_data(X, y, sample_weight)
        p = data.n_features
        pf = check_penalty_factor(self.penalty_factor, p, owner)
        bounds = check_bounds(self.lower_bounds, self.upper_bounds, self.positive, p, owner)
        stats = data.statistics()
        self._record(data)
        problem = problem_from_stats(stats, self.fit_intercept)
        coef = np.zeros(p)
        if self.warm_start and np.shape(getattr(self, "coef_", None)) == (p,):
            coef[:] = self.coef_
        seed = check_random_state(self.random_state).randint(1, 2**31 - 1)
        gap, n_iter, converged = problem.solve(
            float(self.alpha), float(self.l1_ratio), pf, coef, bounds=bounds,
            tol=float(self.tol), max_iter=int(self.max_iter), selection=self.selection,
            seed=seed)
        if not converged:
            warnings.warn(f"{owner}: objective did not converge after {n_iter} epochs "
                          f"(duality gap {gap:.3e}); increase max_iter, or scale the "
                          "features.", ConvergenceWarning, stacklevel=2)
        self.coef_ = coef.astype(data.dtype)
        self.intercept_ = problem.intercept(coef)
        self.n_iter_ = int(n_iter)
        self.dual_gap_ = float(gap)
        return self


class Lasso(ElasticNet, _cdm.Lasso):
    """regfast.Lasso that also fits on dask arrays; see :class:`ElasticNet`.

    Examples
    --------
    >>> import dask.array as da
    >>> from regfast.dask import Lasso
    >>> X = da.random.default_rng(0).standard_normal((10_000, 3), chunks=(5_000, 3))
    >>> y = 2 * X[:, 0] + 1
    >>> Lasso(alpha=0.1).fit(X, y).coef_.round(2)
    array([1.9, 0. , 0. ])
    """

    __init__ = _cdm.Lasso.__init__


class Ridge(DaskFitMixin, _ridge.Ridge):
    """regfast.Ridge that also fits on dask arrays (tall data on a cluster).

    On a dask array, one pass on the workers gives X_c^T S X_c and
    X_c^T S y_c (float64, weights as given), and the client solves the
    normal equations by Cholesky, as the in-memory 'cholesky' solver.
    ``solver`` must be 'auto' or 'cholesky' there, ``positive=False``, and y
    one target.  Other input is fitted in memory.

    Examples
    --------
    >>> import dask.array as da
    >>> from regfast.dask import Ridge
    >>> X = da.random.default_rng(0).standard_normal((10_000, 3), chunks=(5_000, 3))
    >>> y = X @ da.from_array([1.0, 2.0, 3.0])
    >>> Ridge(alpha=1.0).fit(X, y).coef_.round(2)
    array([1., 2., 3.])
    """

    def fit(self, X, y, sample_weight=None):
        """Fit the model; see ``regfast.Ridge.fit``.

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
        if self.solver not in ("auto", "cholesky") or self.positive:
            raise ValueError(f"{owner}: on dask arrays only solver='auto'/'cholesky' "
                             "without positive=True is available (the Gram route)")
        alpha = check_alpha(self.alpha, 1, owner)
        data = self._row_data(X, y, sample_weight)
        stats = data.statistics()
        self._record(data)
        coef, intercept = ridge_coef(stats, alpha, self.fit_intercept)
        self._set_fitted(coef, intercept, 1, data.dtype)
        self.n_iter_ = np.ones(1, dtype=np.int32)
        self.solver_ = "cholesky"
        return self


def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas="deprecated",
              alphas="warn", precompute="auto", Xy=None, copy_X=True,
              coef_init=None, verbose=False, return_n_iter=False, positive=False,
              check_input=True, **params):
    """``regfast.enet_path`` on a dask array, from one pass of statistics.

    Same signature and outputs as ``regfast.enet_path`` (and scikit-learn's);
    in-memory X is passed on to it.  The automatic alpha grid comes from the
    statistics (X^T y), so it is the in-memory grid.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features), or in-memory input
    y : dask array or array-like of shape (n_samples,)
    l1_ratio, eps, n_alphas, alphas, coef_init, return_n_iter, positive, **params
        As ``regfast.enet_path`` (params: tol, max_iter, selection,
        random_state, sample_weight, fit_intercept, penalty_factor,
        lower_bounds, upper_bounds).
    precompute, Xy, copy_X, verbose, check_input
        Accepted for compatibility (always Gram mode).

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)
    n_iters : ndarray of shape (n_alphas,), only with return_n_iter

    Examples
    --------
    >>> import dask.array as da
    >>> from regfast.dask import enet_path
    >>> X = da.random.default_rng(0).standard_normal((1_000, 4), chunks=(250, 4))
    >>> y = X[:, 0] - X[:, 1]
    >>> alphas, coefs, gaps = enet_path(X, y, alphas=5)
    >>> coefs.shape
    (4, 5)
    """
    from .. import _path
    if not is_dask_collection(X):
        return _path.enet_path(X, y, l1_ratio=l1_ratio, eps=eps, n_alphas=n_alphas,
                               alphas=alphas, precompute=precompute, Xy=Xy,
                               copy_X=copy_X, coef_init=coef_init, verbose=verbose,
                               return_n_iter=return_n_iter, positive=positive,
                               check_input=check_input, **params)
    owner = "enet_path"
    options, rest = path_params(dict(params), owner)
    l1_ratio = check_scalar_param(l1_ratio, "l1_ratio", owner, low=0, high=1)
    data = RowData(X, y, rest["sample_weight"], owner)
    p = data.n_features
    check_gram_size(p, 1, owner)
    pf = check_penalty_factor(rest["penalty_factor"], p, owner)
    bounds = check_bounds(rest["lower_bounds"], rest["upper_bounds"], positive, p, owner)
    problem = problem_from_stats(data.statistics(), rest["fit_intercept"])
    alphas = resolve_alphas(problem, alphas, n_alphas, l1_ratio, pf, eps, bounds)
    coef = np.zeros(p)
    if coef_init is not None:
        coef[:] = np.asarray(coef_init, dtype=np.float64).ravel()
    coefs, gaps, n_iters, converged = problem.path(alphas, l1_ratio, pf, coef,
                                                   bounds=bounds, **options)
    if not np.all(converged):
        warnings.warn(f"{owner}: {int(np.sum(~converged))} of {len(alphas)} alphas did "
                      f"not converge within max_iter={options['max_iter']} epochs; "
                      "increase max_iter.", ConvergenceWarning, stacklevel=2)
    coefs = coefs.astype(data.dtype, copy=False)
    return (alphas, coefs, gaps, n_iters) if return_n_iter else (alphas, coefs, gaps)


def lasso_path(X, y, *, eps=1e-3, n_alphas="deprecated", alphas="warn",
               precompute="auto", Xy=None, copy_X=True, coef_init=None,
               verbose=False, return_n_iter=False, positive=False, **params):
    """Lasso path on a dask array: :func:`enet_path` with l1_ratio=1.

    Examples
    --------
    >>> import dask.array as da
    >>> from regfast.dask import lasso_path
    >>> X = da.random.default_rng(0).standard_normal((1_000, 4), chunks=(250, 4))
    >>> alphas, coefs, gaps = lasso_path(X, X[:, 2], alphas=[1.0, 0.1])
    >>> coefs[2].round(2)
    array([0.  , 0.89])
    """
    return enet_path(X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
                     precompute=precompute, Xy=Xy, copy_X=copy_X, coef_init=coef_init,
                     verbose=verbose, return_n_iter=return_n_iter, positive=positive,
                     **params)
