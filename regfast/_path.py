"""Regularisation paths: lasso_path and enet_path with scikit-learn's signatures."""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_array, check_random_state

from ._docs import fill_doc
from ._problem import Problem, excess, no_bounds, use_gram
from ._validation import (check_alphas, check_bounds, check_penalty_factor,
                          check_sample_weight, check_scalar_param, as_csc,
                          check_y)

DEFAULT_N_ALPHAS = 100


def alpha_grid(problem, l1_ratio, penalty_factor, *, eps=1e-3,
               n_alphas=DEFAULT_N_ALPHAS, bounds=None):
    """scikit-learn's grid: n_alphas log-spaced from alpha_max down to eps * alpha_max.

    alpha_max is the smallest alpha at which every penalised coefficient is 0
    (bounds: only the directions in which a coefficient may move count).
    """
    if l1_ratio <= 0:
        # scikit-learn's message, then why (no alpha zeroes every coefficient)
        raise ValueError("Automatic alpha grid generation is not supported for "
                         "l1_ratio=0. Please supply a grid by providing your estimator "
                         "with the appropriate `alphas=` argument (with no L1 part no "
                         "alpha sets all coefficients to zero).")
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
    """An explicit grid (sorted descending) or scikit-learn's automatic one.

    scikit-learn 1.9's deprecations (its warnings): n_alphas (the paths'
    default "deprecated", the CVs' None: not given) and alphas=None (the
    paths' default is "warn": 100 alphas, silently).
    """
    if isinstance(alphas, str) and alphas == "warn":
        alphas = DEFAULT_N_ALPHAS
    elif alphas is None:
        warnings.warn("'alphas=None' is deprecated and will be removed in 1.11, at "
                      "which point the default value will be set to 100. Set "
                      "'alphas=100' to silence this warning.", FutureWarning, stacklevel=3)
        alphas = DEFAULT_N_ALPHAS
    if not (n_alphas is None or (isinstance(n_alphas, str) and n_alphas == "deprecated")):
        warnings.warn("'n_alphas' was deprecated in 1.9 and will be removed in 1.11. "
                      "'alphas' now accepts an integer value which removes the need to "
                      "pass 'n_alphas'.", FutureWarning, stacklevel=3)
        alphas = n_alphas
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        check_scalar_param(alphas, "alphas (number of alphas)", "path", low=1, kind="int")
        check_scalar_param(eps, "eps", "path", low=0, low_inclusive=False)
        return alpha_grid(problem, l1_ratio, penalty_factor, eps=eps,
                          n_alphas=int(alphas), bounds=bounds)
    return np.sort(check_alphas(alphas, False, "path"))[::-1]


def prepare(X, y, sample_weight, fit_intercept, precompute, owner):
    """Validated Problem for a path (X used as is when F-ordered or CSC)."""
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


def multitask_y(y, positive, owner):
    """Whether y asks for the multi-task problem: 2-d (scikit-learn's rule; a
    single column is the elastic net itself, solved as such)."""
    if np.ndim(y) != 2:
        return False
    if positive:
        raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1)")
    return True


def multitask_path(X, y, l1_ratio, eps, n_alphas, alphas, coef_init, options, rest,
                   owner):
    """scikit-learn's paths for a 2-d y: the multi-task problem (the L2,1 penalty
    shared by the targets, as MultiTaskElasticNet).  Returns (alphas, coefs of
    shape (n_targets, n_features, n_alphas), gaps, epochs)."""
    from ._multitask import MultiTaskProblem
    for name in ("penalty_factor", "lower_bounds", "upper_bounds"):
        if rest[name] is not None:
            raise ValueError(f"{owner}: {name} is not supported with a 2-d y (the "
                             "multi-task problem)")
    X = check_array(X, accept_sparse=["csc", "csr", "coo"],
                    dtype=[np.float64, np.float32], order="F",
                    accept_large_sparse=True, ensure_all_finite=False)
    if sp.issparse(X):
        X = as_csc(X, owner)
    Y = check_array(y, dtype=X.dtype, order="F", input_name="y")
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"{owner}: X has {X.shape[0]} samples but y has {Y.shape[0]}")
    sw = check_sample_weight(rest["sample_weight"], X.shape[0], X.dtype, owner)
    problem = MultiTaskProblem(X, Y, sw, rest["fit_intercept"], owner)
    alphas = resolve_alphas(problem, alphas, n_alphas, l1_ratio, np.ones(X.shape[1]),
                            eps, None)
    W = np.zeros((X.shape[1], Y.shape[1]))
    if coef_init is not None:        # scikit-learn's shape (n_targets, n_features)
        W[:] = np.asarray(coef_init, dtype=np.float64).reshape(W.T.shape).T
    coefs, gaps, n_iters, converged = problem.path(alphas, l1_ratio, W, **options)
    if not np.all(converged):
        warnings.warn(
            f"{owner}: {int(np.sum(~converged))} of {len(alphas)} alphas did not "
            f"converge within max_iter={options['max_iter']} epochs; increase max_iter.",
            ConvergenceWarning, stacklevel=3)
    return alphas, coefs.transpose(2, 1, 0).astype(X.dtype), gaps, n_iters


def path_params(params, owner):
    """Pop the paths' keyword parameters (scikit-learn's **params and regfast's).

    Returns (options for Problem.path: tol, max_iter, selection, seed,
    n_threads (from n_jobs); the
    rest: sample_weight, fit_intercept, penalty_factor, lower_bounds,
    upper_bounds); anything else left in params is an error.
    """
    tol = check_scalar_param(params.pop("tol", 1e-4), "tol", owner, low=0)
    max_iter = check_scalar_param(params.pop("max_iter", 1000), "max_iter", owner,
                                  low=1, kind="int")
    selection = params.pop("selection", "cyclic")
    if selection not in ("cyclic", "random"):
        raise ValueError(f"{owner}: selection must be 'cyclic' or 'random', got {selection!r}")
    seed = check_random_state(params.pop("random_state", None)).randint(1, 2**31 - 1)
    from ._cv import effective_n_jobs
    n_threads = effective_n_jobs(params.pop("n_jobs", None))
    rest = {k: params.pop(k, None) for k in ("sample_weight", "penalty_factor",
                                             "lower_bounds", "upper_bounds")}
    rest["fit_intercept"] = bool(params.pop("fit_intercept", False))
    if params:
        raise ValueError(f"{owner}: Unexpected parameters in params: {sorted(params)}")
    return (dict(tol=tol, max_iter=max_iter, selection=selection, seed=seed,
                 n_threads=n_threads), rest)


@fill_doc
def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas="deprecated",
              alphas="warn", precompute="auto", Xy=None, copy_X=True,
              coef_init=None, verbose=False, return_n_iter=False, positive=False,
              check_input=True, **params):
    """Elastic-net path by coordinate descent, warm-starting each alpha from the last.

    scikit-learn's ``enet_path``: same signature, objective and outputs, no
    intercept unless ``fit_intercept=True`` is passed in params.  The whole
    path runs in one call to the kernel without the GIL.

    Parameters
    ----------
    %(path_xy)s
    l1_ratio : float, default=0.5
        Mix of the L1 (1) and L2 (0) penalties, in [0, 1]; the automatic grid
        needs l1_ratio > 0.
    %(path_params)s
    check_input : bool, default=True
        Accepted for compatibility; input is always validated.
    %(path_kwargs)s

    Returns
    -------
    %(path_returns)s

    See Also
    --------
    lasso_path : ``l1_ratio=1``.
    ElasticNetCV : The alpha of the path chosen by cross-validation.

    Examples
    --------
    >>> import numpy as np
    >>> import regfast
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> y = X @ [2.0, 0.0, 0.0, -1.0, 0.0] + 3 + 0.1 * rng.standard_normal(100)
    >>> alphas, coefs, gaps = regfast.enet_path(X, y, l1_ratio=0.5, alphas=[1.0, 0.1, 0.01],
    ...                                         fit_intercept=True)
    >>> coefs.shape
    (5, 3)
    >>> coefs[[0, 3]].round(1)
    array([[ 0.9,  1.8,  2. ],
           [-0.6, -1. , -1. ]])
    """
    owner = "enet_path"
    options, rest = path_params(params, owner)
    tol, max_iter, selection, seed = (options[k] for k in ("tol", "max_iter", "selection",
                                                           "seed"))
    sample_weight, fit_intercept, penalty_factor, lower_bounds, upper_bounds = (
        rest[k] for k in ("sample_weight", "fit_intercept", "penalty_factor",
                          "lower_bounds", "upper_bounds"))
    l1_ratio = check_scalar_param(l1_ratio, "l1_ratio", owner, low=0, high=1)
    if multitask_y(y, positive, owner) and np.shape(y)[1] != 1:
        alphas, coefs, gaps, n_iters = multitask_path(
            X, y, l1_ratio, eps, n_alphas, alphas, coef_init, options, rest, owner)
        return (alphas, coefs, gaps, n_iters) if return_n_iter else (alphas, coefs, gaps)
    column_y = np.ndim(y) == 2       # one column: the elastic net of that column
    if column_y:
        y = np.asarray(y)[:, 0]
    X, problem = prepare(X, y, sample_weight, fit_intercept, precompute, owner)
    pf = check_penalty_factor(penalty_factor, X.shape[1], owner)
    bounds = check_bounds(lower_bounds, upper_bounds, positive, X.shape[1], owner)
    alphas = resolve_alphas(problem, alphas, n_alphas, l1_ratio, pf, eps, bounds)
    coef = np.zeros(X.shape[1])
    if coef_init is not None:
        coef[:] = np.asarray(coef_init, dtype=np.float64).ravel()
    coefs, gaps, n_iters, converged = problem.path(
        alphas, l1_ratio, pf, coef, bounds=bounds, tol=tol,
        max_iter=max_iter, selection=selection, seed=seed,
        n_threads=options["n_threads"])
    if not np.all(converged):
        warnings.warn(
            f"{owner}: {int(np.sum(~converged))} of {len(alphas)} alphas did not "
            f"converge within max_iter={max_iter} epochs; increase max_iter.",
            ConvergenceWarning, stacklevel=2)
    coefs = coefs.astype(X.dtype, copy=False)
    if column_y:
        coefs = coefs[None]             # scikit-learn's (n_targets, p, n_alphas)
    if return_n_iter:
        return alphas, coefs, gaps, n_iters
    return alphas, coefs, gaps


@fill_doc
def lasso_path(X, y, *, eps=1e-3, n_alphas="deprecated", alphas="warn",
               precompute="auto", Xy=None, copy_X=True, coef_init=None,
               verbose=False, return_n_iter=False, positive=False, **params):
    """Lasso path: :func:`enet_path` with l1_ratio=1 (scikit-learn's ``lasso_path``).

    Parameters
    ----------
    %(path_xy)s
    %(path_params)s
    %(path_kwargs)s

    Returns
    -------
    %(path_returns)s

    See Also
    --------
    enet_path : L1 and L2 penalties mixed.
    LassoCV : The alpha of the path chosen by cross-validation.

    Examples
    --------
    >>> import numpy as np
    >>> import regfast
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> y = X @ [2.0, 0.0, 0.0, -1.0, 0.0] + 3 + 0.1 * rng.standard_normal(100)
    >>> alphas, coefs, gaps = regfast.lasso_path(X, y, alphas=5, fit_intercept=True)
    >>> alphas.round(3)
    array([1.883, 0.335, 0.06 , 0.011, 0.002])
    >>> coefs[[0, 3]].round(1)
    array([[ 0. ,  1.6,  1.9,  2. ,  2. ],
           [ 0. , -0.8, -1. , -1. , -1. ]])

    At alphas[0] (alpha_max) every coefficient is zero; going down the path,
    the features enter one by one.
    """
    return enet_path(X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
                     precompute=precompute, Xy=Xy, copy_X=copy_X,
                     coef_init=coef_init, verbose=verbose,
                     return_n_iter=return_n_iter, positive=positive, **params)
