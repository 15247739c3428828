"""logistic_path: penalised logistic regression along a grid, in glmnet's scaling."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._glm_problem import GLMProblem
from ._logistic import LogisticRegression, validate_classification
from ._path import DEFAULT_N_ALPHAS
from ._validation import check_bounds, check_penalty_factor, check_scalar_param


def logistic_path(X, y, *, l1_ratio=1.0, eps=1e-3, n_alphas=None, alphas=None,
                  fit_intercept=True, sample_weight=None, coef_init=None, tol=1e-4,
                  max_iter=100, positive=False, penalty_factor=None, lower_bounds=None,
                  upper_bounds=None, return_n_iter=False):
    """Logistic (two classes) or multinomial regression along a grid of alphas.

    glmnet's scaling, as skglm and glum::

        (1 / n) * sum_i s_i logloss_i + alpha * sum_j pf_j (l1_ratio |w_j|
                                                + (1 - l1_ratio) / 2 w_j^2)

    which is scikit-learn's LogisticRegression at ``C = 1 / (alpha * n)``.
    Each alpha is warm-started from the previous one.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Never copied when F-ordered dense or CSC; must be finite.
    y : array-like of shape (n_samples,)
        Class labels, at least two classes.
    l1_ratio : float, default=1.0
        Mix of the L1 (1) and L2 (0) penalties, in [0, 1].
    eps : float, default=1e-3
        Ratio alpha_min / alpha_max of the automatic grid.
    n_alphas : int, default=None
        Number of alphas (the older spelling of ``alphas=int``).
    alphas : int or array-like, default=None
        Number of alphas of the automatic grid (None: 100), log-spaced from
        alpha_max (the smallest alpha at which every penalised coefficient
        is zero) down to ``eps * alpha_max``; or the alphas themselves
        (sorted in decreasing order; 0 is the unpenalised fit).
    fit_intercept : bool, default=True
        Fit an intercept (unpenalised).
    sample_weight : array-like of shape (n_samples,), default=None
        Used as given.
    coef_init : array-like of shape (n_features,) or (n_classes, n_features)
        Starting coefficients.
    tol : float, default=1e-4
        As LogisticRegression's: duality gap below tol times the objective.
    max_iter : int, default=100
        Proximal Newton steps per alpha.
    positive : bool, default=False
        Coefficients >= 0 (a lower bound of 0).
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multiplier of both penalties (0: unpenalised).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints, lower <= 0 <= upper (glmnet's lower.limits / upper.limits).
    return_n_iter : bool, default=False
        Also return the Newton steps per alpha.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas, in decreasing order.
    coefs : ndarray of shape (n_features, n_alphas) or (n_classes, n_features, n_alphas)
        Coefficients along the path (the second shape for more than two classes).
    intercepts : ndarray of shape (n_alphas,) or (n_classes, n_alphas)
        Intercepts along the path.
    dual_gaps : ndarray of shape (n_alphas,)
        In the units of the objective above.
    n_iters : ndarray of shape (n_alphas,), only with return_n_iter
        Proximal Newton steps per alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> import regfast
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> alphas, coefs, intercepts, gaps = regfast.logistic_path(X, y, l1_ratio=1.0, alphas=5)
    >>> alphas.round(4), coefs.shape
    (array([0.3837, 0.0682, 0.0121, 0.0022, 0.0004]), (30, 5))
    >>> n_nonzero = (coefs != 0).sum(axis=0)
    >>> int(n_nonzero[0]), bool(np.all(np.diff(n_nonzero) >= 0))
    (0, True)
    """
    owner = "logistic_path"
    l1_ratio = check_scalar_param(l1_ratio, "l1_ratio", owner, low=0, high=1)
    tol = check_scalar_param(tol, "tol", owner, low=0)
    max_iter = check_scalar_param(max_iter, "max_iter", owner, low=1, kind="int")
    # a default estimator stands in for validation: no class weights
    X, y_idx, classes, sw = validate_classification(LogisticRegression(), X, y,
                                                    sample_weight, owner=owner)
    n, p = X.shape
    pf = check_penalty_factor(penalty_factor, p, owner)
    bounds = check_bounds(lower_bounds, upper_bounds, positive, p, owner)
    problem = GLMProblem(X, y_idx, len(classes), sw, fit_intercept)
    if n_alphas is not None:
        alphas = n_alphas
    if alphas is None or isinstance(alphas, (int, np.integer)):
        n_grid = DEFAULT_N_ALPHAS if alphas is None else int(alphas)
        check_scalar_param(n_grid, "alphas (number of alphas)", owner, low=1, kind="int")
        check_scalar_param(eps, "eps", owner, low=0, low_inclusive=False)
        alpha_max = 1.0 / (problem.C_min(l1_ratio, pf, bounds) * n)
        alphas = np.geomspace(alpha_max, alpha_max * eps, num=n_grid)
    else:
        alphas = np.asarray(alphas, dtype=np.float64).ravel()
        if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
            raise ValueError(f"{owner}: alphas must be a non-empty array of finite, "
                             "non-negative values")
        alphas = np.sort(alphas)[::-1]
    K = problem.n_blocks
    coef, intercept = np.zeros((K, p)), np.zeros(K)
    if coef_init is not None:
        coef[:] = np.asarray(coef_init, dtype=np.float64).reshape(K, p)
    with np.errstate(divide="ignore"):
        Cs = 1.0 / (alphas * n)                      # alpha = 0: C = inf
    coefs, intercepts, gaps, n_iters, status = problem.fit(
        Cs, l1_ratio, pf, coef, intercept, bounds=bounds, tol=tol,
        max_iter=max_iter)
    if np.any(status != 0):
        warnings.warn(f"{owner}: {int(np.sum(status != 0))} of {len(alphas)} alphas did "
                      f"not reach the duality-gap tolerance (max_iter={max_iter} "
                      "proximal Newton steps, or the precision of the data).",
                      ConvergenceWarning, stacklevel=2)
    # scikit-learn's objective at C is C n times this one
    gaps = np.where(np.isfinite(Cs), gaps / (np.where(np.isfinite(Cs), Cs, 1.0) * n), gaps / n)
    coefs = np.moveaxis(coefs, 0, -1).astype(X.dtype, copy=False)   # (K, p, n_alphas)
    intercepts = intercepts.T                                       # (K, n_alphas)
    if K == 1:
        coefs, intercepts = coefs[0], intercepts[0]
    if return_n_iter:
        return alphas, coefs, intercepts, gaps, n_iters
    return alphas, coefs, intercepts, gaps
