"""Lasso and ElasticNet: scikit-learn's estimators on regfast's kernel."""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from ._problem import Problem, use_gram
from ._validation import (SPARSE_CONVERTIBLE, check_bounds, check_penalty_factor,
                          check_sample_weight, check_scalar_param,
                          check_sparse_format, validate_X_y)


def check_enet_params(est):
    """Validate the hyper-parameters shared by the elastic-net estimators."""
    owner = type(est).__name__
    check_scalar_param(est.alpha, "alpha", owner, low=0)
    check_scalar_param(est.l1_ratio, "l1_ratio", owner, low=0, high=1)
    check_scalar_param(est.tol, "tol", owner, low=0)
    check_scalar_param(est.max_iter, "max_iter", owner, low=1, kind="int")
    if est.selection not in ("cyclic", "random"):
        raise ValueError(f"{owner}: selection must be 'cyclic' or 'random', "
                         f"got {est.selection!r}")
    pre = est.precompute
    if not (pre == "auto" if isinstance(pre, str) else
            isinstance(pre, (bool, np.bool_)) or hasattr(pre, "__array__")):
        raise ValueError(f"{owner}: precompute must be 'auto', a bool or an "
                         f"array, got {est.precompute!r}")


class LinearPredictorMixin:
    """predict, sparse_coef_ and the sparse-input tag of a fitted linear model.

    coef_ is (n_features,) or (n_targets, n_features); intercept_ a scalar or
    one per target.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        check_sparse_format(X, type(self).__name__)
        X = validate_data(self, X, reset=False, accept_sparse=list(SPARSE_CONVERTIBLE),
                          dtype=[np.float64, np.float32])
        return np.asarray(X @ np.asarray(self.coef_).T) + self.intercept_

    @property
    def sparse_coef_(self):
        """coef_ as a CSR matrix with one row per target."""
        return sp.csr_matrix(np.atleast_2d(self.coef_))


class ElasticNet(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Linear regression with combined L1 and L2 priors, by coordinate descent.

    Minimises, as scikit-learn's ElasticNet::

        1 / (2 n) * ||y - Xw - b||^2_S
        + alpha * l1_ratio * sum_j pf_j |w_j|
        + 0.5 * alpha * (1 - l1_ratio) * sum_j pf_j w_j^2

    with sample weights S rescaled to sum to n and penalty factors pf
    (default 1).  Converged means a duality gap below ``tol * ||y_c||^2_S / n``.

    Parameters
    ----------
    alpha : float, default=1.0
        Regularisation strength (>= 0).
    l1_ratio : float, default=0.5
        Mix of L1 (1) and L2 (0) penalties, in [0, 1].
    fit_intercept : bool, default=True
        Fit an intercept; X is centred implicitly, never copied.
    precompute : 'auto', bool or array of shape (n_features, n_features), default='auto'
        Gram (covariance) mode: precompute the centred, weighted X^T X and run
        updates in O(p) each.  'auto' uses it for dense X with many more
        samples than features.  An array is taken as that Gram matrix.
    max_iter : int, default=1000
        Maximum number of coordinate-descent epochs (passes over the working
        set) in total.
    copy_X : bool, default=True
        Accepted for compatibility: regfast never writes to X.
    tol : float, default=1e-4
        Relative duality-gap tolerance, with scikit-learn's meaning.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    positive : bool, default=False
        Constrain coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the order of updates when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Order of the coordinate updates within an epoch.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multiplier of both penalties; 0 leaves a feature
        unpenalised (as glmnet's ``penalty.factor``, used as given).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients (glmnet's ``lower.limits`` and
        ``upper.limits``): lower <= 0 <= upper, None for no bound.
        ``positive=True`` is ``lower_bounds=0``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    sparse_coef_ : sparse matrix of shape (1, n_features)
    intercept_ : float
    n_iter_ : int
        Coordinate-descent epochs run.
    dual_gap_ : float
        Duality gap at the solution, in the units of the objective above.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True,
                 precompute="auto", max_iter=1000, copy_X=True, tol=1e-4,
                 warm_start=False, positive=False, random_state=None,
                 selection="cyclic", penalty_factor=None, lower_bounds=None,
                 upper_bounds=None):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Dense float32/float64 F-ordered arrays and CSC matrices are used
            without a copy; other layouts are converted once.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero.
        check_input : bool, default=True
            Accepted for compatibility; input is always validated.

        Returns
        -------
        self
        """
        owner = type(self).__name__
        check_enet_params(self)
        X, y = validate_X_y(self, X, y, check_finite=False)   # Problem checks
        n_samples, n_features = X.shape
        sw = check_sample_weight(sample_weight, n_samples, X.dtype, owner)
        pf = check_penalty_factor(self.penalty_factor, n_features, owner)
        bounds = check_bounds(self.lower_bounds, self.upper_bounds, self.positive,
                              n_features, owner)
        if self.alpha == 0:
            warnings.warn(f"{owner}: with alpha=0 this is unpenalised least squares; "
                          "coordinate descent converges slowly, prefer "
                          "LinearRegression.", UserWarning, stacklevel=2)
        gram = use_gram(X, self.precompute)
        if gram and hasattr(self.precompute, "__array__"):
            gram = self.precompute
        problem = Problem(X, y, sw, self.fit_intercept, gram=gram, owner=owner)

        coef = np.zeros(n_features)
        if self.warm_start and getattr(self, "coef_", None) is not None:
            if np.shape(self.coef_) == (n_features,):
                coef[:] = self.coef_
        seed = check_random_state(self.random_state).randint(1, 2**31 - 1)
        gap, n_iter, converged = problem.solve(
            float(self.alpha), float(self.l1_ratio), pf, coef,
            bounds=bounds, tol=float(self.tol),
            max_iter=int(self.max_iter), selection=self.selection, seed=seed)
        if not converged:
            warnings.warn(
                f"{owner}: objective did not converge after {n_iter} epochs "
                f"(duality gap {gap:.3e}, tolerance "
                f"{self.tol * problem.yy / n_samples:.3e}); increase max_iter, "
                "or scale the features.", ConvergenceWarning, stacklevel=2)
        self.coef_ = coef.astype(X.dtype)
        self.intercept_ = problem.intercept(coef)
        self.n_iter_ = int(n_iter)
        self.dual_gap_ = float(gap)
        return self


class Lasso(ElasticNet):
    """Linear regression with an L1 prior: ElasticNet with l1_ratio=1.

    Minimises ``1 / (2 n) ||y - Xw - b||^2_S + alpha * sum_j pf_j |w_j|``, as
    scikit-learn's Lasso.  Parameters and attributes are ElasticNet's, without
    ``l1_ratio``.
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute="auto",
                 copy_X=True, max_iter=1000, tol=1e-4, warm_start=False,
                 positive=False, random_state=None, selection="cyclic",
                 penalty_factor=None, lower_bounds=None, upper_bounds=None):
        super().__init__(
            alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept,
            precompute=precompute, max_iter=max_iter, copy_X=copy_X, tol=tol,
            warm_start=warm_start, positive=positive,
            random_state=random_state, selection=selection,
            penalty_factor=penalty_factor, lower_bounds=lower_bounds,
            upper_bounds=upper_bounds)
