"""Regularisation paths: lasso_path and enet_path with scikit-learn's signatures."""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_array, check_random_state

from ._problem import Problem, excess, no_bounds, use_gram
from ._validation import (check_bounds, check_penalty_factor, check_sample_weight,
                          check_scalar_param, check_sparse_format, as_csc,
                          check_y)

DEFAULT_N_ALPHAS = 100


def alpha_grid(problem, l1_ratio, penalty_factor, *, eps=1e-3,
               n_alphas=DEFAULT_N_ALPHAS, bounds=None):
    """scikit-learn's grid: n_alphas log-spaced from alpha_max down to eps * alpha_max.

    alpha_max is the smallest alpha at which every penalised coefficient is 0
    (bounds: only the directions in which a coefficient may move count).
    """
    if l1_ratio <= 0:
        raise ValueError("an automatic alpha grid needs l1_ratio > 0 (with no L1 "
                         "part no alpha sets all coefficients to zero); pass alphas")
    pen = penalty_factor > 0
    lower, upper = no_bounds(problem.n_features) if bounds is None else bounds
    xty = excess(problem.xty, lower, upper)
    alpha_max = float(np.max(xty[pen] / penalty_factor[pen], initial=0.0)
                      / (problem.n_eff * l1_ratio))
    tiny = np.finfo(float).resolution
    if alpha_max <= tiny:
        return np.full(n_alphas, tiny)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def resolve_alphas(problem, alphas, n_alphas, l1_ratio, penalty_factor, eps, bounds):
    """An explicit grid (sorted descending) or scikit-learn's automatic one."""
    if n_alphas is not None:
        alphas = n_alphas
    if alphas is None:
        alphas = DEFAULT_N_ALPHAS
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        check_scalar_param(alphas, "alphas (number of alphas)", "path", low=1, kind="int")
        check_scalar_param(eps, "eps", "path", low=0, low_inclusive=False)
        return alpha_grid(problem, l1_ratio, penalty_factor, eps=eps,
                          n_alphas=int(alphas), bounds=bounds)
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        raise ValueError("alphas must be a non-empty array of finite, non-negative values")
    return np.sort(alphas)[::-1]


def prepare(X, y, sample_weight, fit_intercept, precompute, owner):
    """Validated Problem for a path (X used as is when F-ordered or CSC)."""
    check_sparse_format(X, owner)
    X = check_array(X, accept_sparse=["csc", "csr", "coo"],
                    dtype=[np.float64, np.float32], order="F",
                    accept_large_sparse=True, ensure_all_finite=False)  # Problem checks
    if sp.issparse(X):
        X = as_csc(X, owner)
    y = check_y(y, X.dtype, owner)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"{owner}: X has {X.shape[0]} samples but y has {y.shape[0]}")
    sw = check_sample_weight(sample_weight, X.shape[0], X.dtype, owner)
    gram = use_gram(X, precompute)
    if gram and hasattr(precompute, "__array__"):
        gram = precompute
    return X, Problem(X, y, sw, fit_intercept, gram=gram, owner=owner)


def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas=None, alphas=None,
              precompute="auto", Xy=None, copy_X=True, coef_init=None,
              verbose=False, return_n_iter=False, positive=False,
              check_input=True, **params):
    """Elastic-net path by coordinate descent, warm-starting each alpha from the last.

    Same signature and outputs as ``sklearn.linear_model.enet_path``: no
    intercept unless ``fit_intercept=True`` is passed in params.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Never copied when F-ordered dense or CSC.
    y : array-like of shape (n_samples,)
    l1_ratio : float, default=0.5
    eps : float, default=1e-3
        alpha_min / alpha_max for the automatic grid.
    n_alphas : int, default=None
        Number of alphas (scikit-learn's older spelling of ``alphas=int``).
    alphas : int or array-like, default=None
        Number of alphas of the automatic grid (None: 100) or the alphas.
    precompute : 'auto', bool or array-like, default='auto'
        Gram mode, as in ElasticNet.
    Xy, copy_X, check_input, verbose :
        Accepted for compatibility (X is never copied or modified).
    coef_init : array-like of shape (n_features,), default=None
        Starting coefficients.
    return_n_iter : bool, default=False
    positive : bool, default=False
        Coefficients >= 0 (a lower bound of 0).
    **params :
        tol (1e-4), max_iter (1000), selection ('cyclic'), random_state,
        sample_weight, fit_intercept (False), penalty_factor, lower_bounds and
        upper_bounds (per-feature box bounds, lower <= 0 <= upper, as glmnet's
        lower.limits / upper.limits).

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)
    n_iters : ndarray of shape (n_alphas,), only with return_n_iter
    """
    owner = "enet_path"
    tol = check_scalar_param(params.pop("tol", 1e-4), "tol", owner, low=0)
    max_iter = check_scalar_param(params.pop("max_iter", 1000), "max_iter", owner,
                                  low=1, kind="int")
    selection = params.pop("selection", "cyclic")
    if selection not in ("cyclic", "random"):
        raise ValueError(f"{owner}: selection must be 'cyclic' or 'random', got {selection!r}")
    seed = check_random_state(params.pop("random_state", None)).randint(1, 2**31 - 1)
    sample_weight = params.pop("sample_weight", None)
    fit_intercept = bool(params.pop("fit_intercept", False))
    penalty_factor = params.pop("penalty_factor", None)
    lower_bounds = params.pop("lower_bounds", None)
    upper_bounds = params.pop("upper_bounds", None)
    if params:
        raise TypeError(f"{owner}: unexpected parameters {sorted(params)}")
    l1_ratio = check_scalar_param(l1_ratio, "l1_ratio", owner, low=0, high=1)
    X, problem = prepare(X, y, sample_weight, fit_intercept, precompute, owner)
    pf = check_penalty_factor(penalty_factor, X.shape[1], owner)
    bounds = check_bounds(lower_bounds, upper_bounds, positive, X.shape[1], owner)
    alphas = resolve_alphas(problem, alphas, n_alphas, l1_ratio, pf, eps, bounds)
    coef = np.zeros(X.shape[1])
    if coef_init is not None:
        coef[:] = np.asarray(coef_init, dtype=np.float64).ravel()
    coefs, gaps, n_iters, converged = problem.path(
        alphas, l1_ratio, pf, coef, bounds=bounds, tol=tol,
        max_iter=max_iter, selection=selection, seed=seed)
    if not np.all(converged):
        warnings.warn(
            f"{owner}: {int(np.sum(~converged))} of {len(alphas)} alphas did not "
            f"converge within max_iter={max_iter} epochs; increase max_iter.",
            ConvergenceWarning, stacklevel=2)
    coefs = coefs.astype(X.dtype, copy=False)
    if return_n_iter:
        return alphas, coefs, gaps, n_iters
    return alphas, coefs, gaps


def lasso_path(X, y, *, eps=1e-3, n_alphas=None, alphas=None, precompute="auto",
               Xy=None, copy_X=True, coef_init=None, verbose=False,
               return_n_iter=False, positive=False, **params):
    """Lasso path: :func:`enet_path` with l1_ratio=1 (scikit-learn's signature)."""
    return enet_path(X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
                     precompute=precompute, Xy=Xy, copy_X=copy_X,
                     coef_init=coef_init, verbose=verbose,
                     return_n_iter=return_n_iter, positive=positive, **params)
