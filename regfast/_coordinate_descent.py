"""Lasso and ElasticNet: scikit-learn's estimators on regfast's kernel."""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from ._docs import fill_doc
from ._problem import Problem, float32_rounding_note, use_gram
from ._validation import (SPARSE_CONVERTIBLE, check_bounds, check_penalty_factor,
                          check_sample_weight, check_scalar_param, validate_X_y)


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


# Several targets at one alpha in Gram mode: the targets share the whole Gram
# matrix (X^T S X once, n p^2 / 2 multiply-adds in BLAS-3) when p is at most
# this many times the number of targets; with fewer targets each builds only the
# Gram columns of its own support (a few passes over X each, see Problem.path).
# Measured break-even (2 cores, n = 6000-10000, p = 200-2500, 2-32 targets,
# alpha_max/10 and /100): p about 30 times the number of targets.
SHARED_GRAM_RATIO = 32


def target_problems(X, Y, sw, fit_intercept, gram, l1_ratio, owner):
    """One Problem per column of Y (n, k) on the same X (see Problem.for_targets)."""
    first = Problem(X, np.ascontiguousarray(Y[:, 0]), sw, fit_intercept, gram=gram,
                    owner=owner)
    if Y.shape[1] == 1:
        return [first]
    # without an L1 part every target needs every Gram column (no subsets)
    if l1_ratio == 0 or X.shape[1] <= SHARED_GRAM_RATIO * Y.shape[1]:
        first.build_gram()              # before the threads: BLAS may use every core
    return [first] + first.for_targets(X, Y[:, 1:], owner)


def solve_target(problems, alpha, l1_ratio, pf, coefs, options, k):
    """Solve target k from coefs[k]: (coef, gap, epochs, converged).

    The coefficients are returned, not written into coefs: under a joblib
    backend that runs elsewhere (see run_folds) coefs is a copy.
    """
    coef = coefs[k].copy()
    return (coef, *problems[k].solve(alpha, l1_ratio, pf, coef, **options))


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
            Samples, with the features seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``, one column per target of a 2-d y.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse=list(SPARSE_CONVERTIBLE),
                          dtype=[np.float64, np.float32])
        return np.asarray(X @ np.asarray(self.coef_).T) + self.intercept_

    @property
    def sparse_coef_(self):
        """coef_ as a CSR matrix with one row per target."""
        return sp.csr_matrix(np.atleast_2d(self.coef_))


@fill_doc
class ElasticNet(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Linear regression with combined L1 and L2 priors (scikit-learn's ElasticNet).

    %(enet_objective)s

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the penalty (>= 0).  alpha=0 is least squares, for which
        coordinate descent is slow (prefer LinearRegression).
    l1_ratio : float, default=0.5
        Mix of the L1 (1) and L2 (0) penalties, in [0, 1].
    %(enet_params)s
    %(enet_max_iter)s
    %(copy_x)s
    %(enet_params_end)s

    Attributes
    ----------
    %(enet_attributes)s

    See Also
    --------
    Lasso : The L1 penalty alone (``l1_ratio=1``).
    ElasticNetCV : The alpha and l1_ratio chosen by cross-validation.
    enet_path : The solutions along a grid of alphas.

    Examples
    --------
    >>> import numpy as np
    >>> import regfast
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> y = X @ [2.0, 0.0, 0.0, -1.0, 0.0] + 3 + 0.1 * rng.standard_normal(100)
    >>> model = regfast.ElasticNet(alpha=0.01, l1_ratio=0.9).fit(X, y)
    >>> model.coef_.round(2)
    array([ 1.98,  0.  ,  0.  , -0.99,  0.  ])
    >>> round(model.intercept_, 2)
    3.0
    >>> model.predict(X[:2]).shape
    (2,)
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True,
                 precompute="auto", max_iter=1000, copy_X=True, tol=1e-4,
                 warm_start=False, positive=False, random_state=None,
                 selection="cyclic", penalty_factor=None, lower_bounds=None,
                 upper_bounds=None, n_jobs=None):
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
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Dense float32/float64 F-ordered arrays and CSC matrices are used
            without a copy; other layouts are converted once.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target; a 2-d y is one problem per column, as in scikit-learn
            (they share X's means and, in Gram mode, its Gram matrix).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero (rescaled to sum to n_samples).
        check_input : bool, default=True
            Accepted for compatibility; input is always validated.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        owner = type(self).__name__
        check_enet_params(self)
        X, y = validate_X_y(self, X, y, multi_output=True,
                            check_finite=False)                # Problem checks
        n_samples, n_features = X.shape
        sw = check_sample_weight(sample_weight, n_samples, X.dtype, owner)
        pf = check_penalty_factor(self.penalty_factor, n_features, owner)
        bounds = check_bounds(self.lower_bounds, self.upper_bounds, self.positive,
                              n_features, owner)
        if self.alpha == 0:
            # scikit-learn's message (code may filter on it)
            warnings.warn(f"{owner}: With alpha=0, this algorithm does not converge "
                          "well. You are advised to use the LinearRegression "
                          "estimator", UserWarning, stacklevel=2)
        gram = use_gram(X, self.precompute)
        if gram and hasattr(self.precompute, "__array__"):
            gram = self.precompute
        Y = y.reshape(n_samples, -1)
        problems = target_problems(X, Y, sw, self.fit_intercept, gram, self.l1_ratio,
                                   owner)

        # scikit-learn's warm start: coef_ of the same shape, one row per target
        coefs = np.zeros((Y.shape[1], n_features))
        if self.warm_start and getattr(self, "coef_", None) is not None:
            if np.size(self.coef_) == coefs.size:
                coefs[:] = np.reshape(self.coef_, coefs.shape)
        elif self.l1_ratio == 0 and np.all(pf == pf[0]) and not np.isfinite(bounds).any():
            # pure L2 without bounds is Ridge: start from its exact solution, which
            # coordinate descent then certifies (see exact_l2_start)
            from ._ridge import exact_l2_start
            start = exact_l2_start(X, Y, sw, self.fit_intercept, self.alpha * pf[0])
            if start is not None:
                coefs[:] = start
        seed = check_random_state(self.random_state).randint(1, 2**31 - 1)
        from ._cv import remote_backend_active, run_folds, split_threads
        workers, n_threads = ((self.n_jobs, 1) if remote_backend_active()
                              else split_threads(self.n_jobs, len(problems)))
        options = dict(bounds=bounds, tol=float(self.tol), max_iter=int(self.max_iter),
                       selection=self.selection, seed=seed, n_threads=n_threads)
        args = (problems, float(self.alpha), float(self.l1_ratio), pf, coefs, options)
        if len(problems) == 1:          # in this thread, BLAS free for the Gram matrix
            results = [solve_target(*args, 0)]
        else:
            results = run_folds(solve_target, range(len(problems)), workers, shared=args)
        coefs, gaps, n_iters, converged = (np.array(r) for r in zip(*results))
        for k in np.flatnonzero(~converged):
            which = f" on target {k}" if len(problems) > 1 else ""
            warnings.warn(      # scikit-learn's words first (code may filter on them)
                f"{owner}: Objective did not converge{which}. You might want to "
                f"increase the number of iterations (duality gap {gaps[k]:.3e} after "
                f"{n_iters[k]} epochs, tolerance "
                f"{self.tol * problems[k].yy / n_samples:.3e}), or scale the features."
                + float32_rounding_note(X.dtype, n_iters[k], self.max_iter),
                ConvergenceWarning, stacklevel=2)
        intercepts = [problem.intercept(coef) for problem, coef in zip(problems, coefs)]
        # scikit-learn's shapes: 1-d y gives scalars; a column y keeps intercept_
        # 1-d; more targets give one row, intercept, gap and epoch count each;
        # without an intercept, intercept_ is 0.0 whatever y
        if y.ndim == 1 or not self.fit_intercept:
            self.intercept_ = intercepts[0]
        else:
            self.intercept_ = np.array(intercepts, dtype=X.dtype)
        self.coef_ = (coefs[0] if Y.shape[1] == 1 else coefs).astype(X.dtype)
        if Y.shape[1] == 1:
            self.n_iter_, self.dual_gap_ = int(n_iters[0]), float(gaps[0])
        else:
            self.n_iter_, self.dual_gap_ = [int(n) for n in n_iters], gaps.astype(X.dtype)
        return self


@fill_doc
class Lasso(ElasticNet):
    """Linear regression with an L1 prior (scikit-learn's Lasso).

    ElasticNet with ``l1_ratio=1``:
    %(enet_objective)s

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the L1 penalty (>= 0).  alpha=0 is least squares, for which
        coordinate descent is slow (prefer LinearRegression).
    %(enet_params)s
    %(copy_x)s
    %(enet_max_iter)s
    %(enet_params_end)s

    Attributes
    ----------
    %(enet_attributes)s

    See Also
    --------
    ElasticNet : L1 and L2 penalties mixed.
    LassoCV : The alpha chosen by cross-validation.
    lasso_path : The solutions along a grid of alphas.

    Examples
    --------
    >>> import numpy as np
    >>> import regfast
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> y = X @ [2.0, 0.0, 0.0, -1.0, 0.0] + 3 + 0.1 * rng.standard_normal(100)
    >>> model = regfast.Lasso(alpha=0.1).fit(X, y)
    >>> model.coef_.round(2)
    array([ 1.89,  0.  ,  0.  , -0.94,  0.  ])

    Several targets: one problem each, as scikit-learn's.

    >>> Y = np.column_stack([y, X[:, 1] - 1])
    >>> model = regfast.Lasso(alpha=0.1).fit(X, Y)
    >>> model.coef_.round(2)
    array([[ 1.89,  0.  ,  0.  , -0.94,  0.  ],
           [ 0.  ,  0.9 ,  0.  ,  0.  ,  0.  ]])
    >>> model.intercept_.round(2)
    array([ 3.  , -1.01])
    >>> model.predict(X[:3]).shape
    (3, 2)
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute="auto",
                 copy_X=True, max_iter=1000, tol=1e-4, warm_start=False,
                 positive=False, random_state=None, selection="cyclic",
                 penalty_factor=None, lower_bounds=None, upper_bounds=None,
                 n_jobs=None):
        super().__init__(
            alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept,
            precompute=precompute, max_iter=max_iter, copy_X=copy_X, tol=tol,
            warm_start=warm_start, positive=positive,
            random_state=random_state, selection=selection,
            penalty_factor=penalty_factor, lower_bounds=lower_bounds,
            upper_bounds=upper_bounds, n_jobs=n_jobs)
