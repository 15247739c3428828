"""The multi-task elastic net: scikit-learn's MultiTask* estimators on regfast's kernel.

T targets share one support through the L2,1 penalty on the rows of the
coefficients (feature j's T coefficients W_j):

    (1 / 2n) ||Y - XW - b||_F^2 + alpha rho sum_j ||W_j||_2 + alpha (1 - rho) / 2 ||W||_F^2

The kernel (src/_multitask.pxi) is the single-target solver's machinery with a
block soft-threshold for the coordinate update; `MultiTaskProblem` prepares
its inputs (means, norms) once for a path or the folds of a CV.
"""

import warnings

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.utils.validation import check_random_state

from . import _cd
from ._coordinate_descent import LinearPredictorMixin
from ._cv import (predict_fixed_order, remote_backend_active, run_folds, select_from_folds,
                  split_threads)
from ._docs import fill_doc
from ._gram import gram_dense
from ._path import resolve_alphas
from ._problem import (CSC, Problem, float32_rounding_note, in_state_dtype, sparse_gram,
                       state_dtype)
from ._validation import (check_ratios, check_sample_weight, check_scalar_param,
                          refuse_fit_params, validate_X_y)


class MultiTaskProblem:
    """Least squares with T targets, implicit centring and weights, ready for the kernel.

    Parameters
    ----------
    X : ndarray (F-ordered) or CSC matrix, float32 or float64
        Not copied and never written to.
    Y : ndarray of shape (n, T)
        Targets; converted to X's dtype in F order (a copy only when needed).
    sample_weight : ndarray of shape (n,) or None
        Already rescaled to sum to n (X's dtype).
    fit_intercept : bool
    owner : str
        Name for error messages.
    """

    def __init__(self, X, Y, sample_weight, fit_intercept, owner="regfast"):
        Y = np.asfortranarray(Y, dtype=X.dtype)
        # the single-target Problem computes the column means (and finds
        # constant columns, and NaN/inf in X); for_targets the other targets'
        # means and sums in one more pass over X
        first = Problem(X, Y[:, 0], sample_weight, fit_intercept, owner=owner)
        problems = [first] + (first.for_targets(X, Y[:, 1:], owner) if Y.shape[1] > 1
                              else [])
        self.X = X                  # read by `polish` only (the support's columns)
        self.n_samples, self.n_features = X.shape
        self.n_targets = Y.shape[1]
        self.kind, self.values, self.indices, self.indptr = (
            first.kind, first.values, first.indices, first.indptr)
        self.sw, self.xm, self.n_eff = first.sw, first.xm, first.n_eff
        self.Y = Y
        self.y_mean = np.array([p.y_mean for p in problems])
        self.yy = float(sum(p.yy for p in problems))
        # ||X_j^T S Y_c||_2 per feature: the statistic of alpha_max, read by
        # _path.alpha_grid where the single-target Problem has |X_j^T S y_c|
        self.XtY = np.column_stack([p.xty for p in problems])     # X_c^T S Y_c
        self.xty = np.sqrt(np.sum(self.XtY ** 2, axis=1))

    def alpha_max(self, l1_ratio):
        """Smallest alpha at which every row of W is zero."""
        return float(np.max(self.xty, initial=0.0) / (self.n_eff * l1_ratio))

    def path(self, alphas, l1_ratio, W, *, tol=1e-4, max_iter=1000,
             selection="cyclic", seed=1, n_threads=1):
        """Fit along alphas (in the order given), warm-starting each from the last.

        n_threads: threads for the full passes over X (see `enet_path_fit`).

        W (float64, (p, T), C order: coef_.T) is the starting point and holds
        the last solution on return.  Returns (coefs of shape (n_alphas, p, T),
        gaps in scikit-learn's units, epochs per alpha, converged flags).
        """
        alphas = np.ascontiguousarray(alphas, dtype=np.float64)

        # the residual in float64 for float32 X at a tight tol (see state_dtype)
        dtype = state_dtype(self.Y.dtype, tol)
        Y, sw = in_state_dtype(self.Y, dtype), in_state_dtype(self.sw, dtype)

        def kernel(max_iter):
            return _cd.mt_path_fit(
                self.kind, self.values, self.indices, self.indptr, self.n_samples,
                self.n_features, Y, sw, self.xm, self.n_eff, self.y_mean,
                self.yy, W, alphas, float(l1_ratio), float(tol), int(max_iter),
                selection == "random", int(seed), n_threads=int(n_threads))

        coefs, gaps, n_iters, converged = kernel(max_iter)
        if len(alphas) == 1 and converged[0]:
            before = W.copy()
            if self.polish(W, float(alphas[0]), l1_ratio, int(n_iters[0])):
                _, new_gaps, _, _ = kernel(0)          # the gap at the polished W
                if new_gaps[0] <= gaps[0]:
                    coefs[0], gaps = W, new_gaps
                else:
                    W[:] = before
        return coefs, gaps / self.n_samples, n_iters, converged

    def polish(self, W, alpha, l1_ratio, n_epochs):
        """Newton's method on the support's rows, where the L2,1 norm is smooth.

        The gap certifies the objective, not the coefficients (they stay about
        sqrt(gap / curvature) off, so float32 and float64 X, or two routes,
        disagreed beyond the tolerance).  On the rows that are non-zero the
        objective is smooth and strictly convex, and Newton's method from the
        kernel's point reaches its minimiser in a few steps.  W (p, T) is
        updated in place, only when Newton converged with every row staying
        non-zero and the objective did not rise beyond its rounding (`path`
        then keeps it if its duality gap is no larger).  As the kernel's
        polish, tried when its cost in column passes (the support's Gram
        matrix, m^2 / 2, and the new gap's two passes over all p) is at most a
        third of what the fit did (n_epochs epochs over at least the m support
        columns), or the problem is tiny (n p T <= 1e6); and m T <= 512 (the
        Newton system).  Returns whether W changed.
        """
        S = np.flatnonzero(np.any(W != 0.0, axis=1)).astype(np.int32)
        m, T = S.size, W.shape[1]
        cost = m * (m + 1) / 2 + 2 * self.n_features
        tiny = self.n_samples * self.n_features * T <= 1e6
        if m == 0 or m * T > 512 or not (tiny or 3 * cost <= n_epochs * m):
            return False
        if self.kind == CSC:
            G = sparse_gram(self.X[:, S], self.sw, None if self.xm is None else self.xm[S],
                            self.n_eff)
        else:
            G = gram_dense(self.X, self.sw, self.xm, cols=S)
        lam, beta = self.n_eff * alpha * l1_ratio, self.n_eff * alpha * (1.0 - l1_ratio)
        new = polish_rows(np.asarray(G, dtype=np.float64), self.XtY[S], W[S], lam, beta,
                          self.yy)
        if new is None:
            return False
        W[S] = new
        return True

    def intercept(self, W):
        """Intercepts (T,) that go with W (p, T); zeros without fit_intercept."""
        if self.xm is None:
            return np.zeros(self.n_targets)
        return self.y_mean - self.xm @ W


def polish_rows(G, C, W, lam, beta, yy, max_steps=30):
    """Minimise 1/2 tr(W^T G W) - tr(W^T C) + lam sum_j ||W_j|| + beta/2 ||W||^2
    over W (m, T) by Newton's method from W, every row non-zero.

    Converged when the Newton decrement is below the objective's rounding
    (yy: ||Y_c||^2, the scale of the terms that cancel).  Returns the
    minimiser, or None when Newton did not converge, when a row lost more than
    half its norm (heading for zero: the support was not the solution's), or
    when the objective ended above its value at W beyond its rounding.
    """
    m, T = W.shape

    def objective(V):
        return (0.5 * np.sum(V * (G @ V)) - np.sum(V * C)
                + lam * np.sum(np.linalg.norm(V, axis=1)) + 0.5 * beta * np.sum(V * V))

    f_start = f = objective(W)
    rounding = 64 * np.finfo(float).eps * (abs(f) + yy)
    V, eye = W.copy(), np.eye(T)
    for _ in range(max_steps):
        norms = np.linalg.norm(V, axis=1)
        U = V / norms[:, None]
        grad = G @ V - C + lam * U + beta * V
        # Hessian: G (x) I_T, plus per row lam (I - u u^T) / ||V_j|| + beta I
        H = np.kron(G, eye)
        for j in range(m):
            H[j * T:(j + 1) * T, j * T:(j + 1) * T] += (
                lam / norms[j] * (eye - np.outer(U[j], U[j])) + beta * eye)
        try:
            d = -scipy.linalg.cho_solve(scipy.linalg.cho_factor(H, check_finite=False),
                                        grad.ravel(), check_finite=False).reshape(m, T)
        except np.linalg.LinAlgError:
            return None
        if -np.sum(grad * d) <= rounding:      # the decrement: nothing left to gain
            V = V + d
            shrunk = np.linalg.norm(V, axis=1) < 0.5 * np.linalg.norm(W, axis=1)
            if shrunk.any() or objective(V) > f_start + rounding:
                return None
            return V
        step = 1.0
        while step > 1e-4:                    # backtracking; rows stay non-zero
            trial = V + step * d
            if np.all(np.any(trial != 0.0, axis=1)):
                f_trial = objective(trial)
                if f_trial <= f + rounding:
                    break
            step /= 2
        else:
            return None
        V, f = trial, f_trial
    return None


def check_multitask_y(y, owner, single):
    """Refuse a 1-d y with scikit-learn's message (its MultiTask models do)."""
    if y.ndim == 1:
        raise ValueError(f"For mono-task outputs, use {single}: {owner} needs a 2-d y "
                         "of shape (n_samples, n_targets)")


@fill_doc
class MultiTaskElasticNet(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Multi-task elastic net: targets sharing one support (scikit-learn's MultiTaskElasticNet).

    %(mt_objective)s

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the penalty (>= 0).
    l1_ratio : float, default=0.5
        Mix of the L2,1 (1) and squared Frobenius (0) penalties, in [0, 1].
    %(mt_params)s

    Attributes
    ----------
    %(mt_attributes)s

    See Also
    --------
    MultiTaskLasso : ``l1_ratio=1``.
    MultiTaskElasticNetCV : alpha and l1_ratio chosen by cross-validation.
    ElasticNet : Independent targets (one problem per column of y).

    Examples
    --------
    >>> import numpy as np
    >>> import regfast
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> Y = X[:, [0, 3]] @ [[2.0, 1.0], [-1.0, 0.5]] + 0.1 * rng.standard_normal((100, 2))
    >>> model = regfast.MultiTaskElasticNet(alpha=0.05, l1_ratio=0.9).fit(X, Y)
    >>> model.coef_.round(2)
    array([[ 1.93,  0.  ,  0.  , -0.97,  0.  ],
           [ 0.96,  0.  ,  0.  ,  0.48,  0.  ]])
    >>> model.predict(X[:3]).shape
    (3, 2)
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, random_state=None,
                 selection="cyclic"):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Dense float32/float64 F-ordered arrays and CSC matrices are used
            without a copy; other layouts are converted once.
        y : array-like of shape (n_samples, n_targets)
            Targets (a 1-d y is refused, as by scikit-learn).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero (rescaled to sum to n_samples).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        owner = type(self).__name__
        check_scalar_param(self.alpha, "alpha", owner, low=0)
        check_scalar_param(self.l1_ratio, "l1_ratio", owner, low=0, high=1)
        check_scalar_param(self.tol, "tol", owner, low=0)
        check_scalar_param(self.max_iter, "max_iter", owner, low=1, kind="int")
        if self.selection not in ("cyclic", "random"):
            raise ValueError(f"{owner}: selection must be 'cyclic' or 'random', "
                             f"got {self.selection!r}")
        X, y = validate_X_y(self, X, y, multi_output=True, check_finite=False)
        check_multitask_y(y, owner, "Lasso" if isinstance(self, MultiTaskLasso)
                          else "ElasticNet")
        n_samples, n_features = X.shape
        sw = check_sample_weight(sample_weight, n_samples, X.dtype, owner)
        if self.alpha == 0:
            warnings.warn(f"{owner}: With alpha=0, this algorithm does not converge "
                          "well. You are advised to use the LinearRegression "
                          "estimator", UserWarning, stacklevel=2)
        problem = MultiTaskProblem(X, y, sw, self.fit_intercept, owner)
        W = np.zeros((n_features, y.shape[1]))
        if self.warm_start and getattr(self, "coef_", None) is not None:
            if np.shape(self.coef_) == W.T.shape:
                W[:] = np.asarray(self.coef_).T
        elif self.l1_ratio == 0:
            # pure L2 is Ridge for each target: start from its exact solution, which
            # the kernel certifies (see ElasticNet and exact_l2_start)
            from ._ridge import exact_l2_start
            start = exact_l2_start(X, y, sw, self.fit_intercept, float(self.alpha))
            if start is not None:
                W[:] = start.T
        seed = check_random_state(self.random_state).randint(1, 2**31 - 1)
        _, gaps, n_iters, converged = problem.path(
            [float(self.alpha)], self.l1_ratio, W, tol=float(self.tol),
            max_iter=int(self.max_iter), selection=self.selection, seed=seed)
        if not converged[0]:
            warnings.warn(      # scikit-learn's words first (code may filter on them)
                f"{owner}: Objective did not converge. You might want to increase "
                f"the number of iterations (duality gap {gaps[0]:.3e} after "
                f"{n_iters[0]} epochs, tolerance "
                f"{self.tol * problem.yy / n_samples:.3e}), or scale the features."
                + float32_rounding_note(X.dtype, n_iters[0], self.max_iter),
                ConvergenceWarning, stacklevel=2)
        self.coef_ = W.T.astype(X.dtype)       # (n_targets, n_features)
        self.intercept_ = (problem.intercept(W).astype(X.dtype) if self.fit_intercept
                           else 0.0)
        self.n_iter_, self.dual_gap_ = int(n_iters[0]), float(gaps[0])
        return self


@fill_doc
class MultiTaskLasso(MultiTaskElasticNet):
    """Multi-task Lasso: the L2,1 penalty alone (scikit-learn's MultiTaskLasso).

    MultiTaskElasticNet with ``l1_ratio=1``:
    %(mt_objective)s

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the L2,1 penalty (>= 0).
    %(mt_params)s

    Attributes
    ----------
    %(mt_attributes)s

    See Also
    --------
    MultiTaskElasticNet : L2,1 and squared Frobenius penalties mixed.
    MultiTaskLassoCV : alpha chosen by cross-validation.
    Lasso : Independent targets (one problem per column of y).

    Examples
    --------
    >>> import numpy as np
    >>> import regfast
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> Y = X[:, [0, 3]] @ [[2.0, 1.0], [-1.0, 0.5]] + 0.1 * rng.standard_normal((100, 2))
    >>> model = regfast.MultiTaskLasso(alpha=0.1).fit(X, Y)
    >>> (model.coef_ != 0).any(axis=0)     # one support for both targets
    array([ True, False, False,  True, False])
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=1000,
                 tol=1e-4, warm_start=False, random_state=None, selection="cyclic"):
        super().__init__(alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept,
                         copy_X=copy_X, max_iter=max_iter, tol=tol,
                         warm_start=warm_start, random_state=random_state,
                         selection=selection)


def fold_mse(est, X, Y, sw, train, test, alphas, l1_ratio, seed, n_threads=1):
    """Held-out mean squared error (over samples and targets) per alpha."""
    X_train = X[train] if not isinstance(X, np.ndarray) else np.asfortranarray(X[train])
    sw_train = None
    if sw is not None:
        total = sw[train].sum()
        if total <= 0:
            raise ValueError("a cross-validation fold has only zero sample weights "
                             "in its training part")
        sw_train = (sw[train] * (len(train) / total)).astype(X.dtype)
    problem = MultiTaskProblem(X_train, Y[train], sw_train, est.fit_intercept)
    W = np.zeros((X.shape[1], Y.shape[1]))
    coefs, _, _, _ = problem.path(alphas, l1_ratio, W, tol=float(est.tol),
                                  max_iter=int(est.max_iter), selection=est.selection,
                                  seed=seed, n_threads=n_threads)
    # predictions for every alpha, (n_test, n_alphas, T): one product with X[test]
    n_alphas, p, T = coefs.shape
    pred = predict_fixed_order(X[test], coefs.transpose(1, 0, 2).reshape(p, n_alphas * T))
    pred = pred.reshape(len(test), n_alphas, T)
    if problem.xm is not None:
        pred = pred + (problem.y_mean - np.einsum("j,ajt->at", problem.xm, coefs))
    residues = pred - Y[test][:, None, :]
    weights = None if sw is None else sw[test]
    if weights is not None and not weights.sum() > 0:
        raise ValueError("a cross-validation fold has only zero sample weights "
                         "in its test part; use fewer folds or shuffle (cv=KFold("
                         "n_splits, shuffle=True))")
    return np.average(residues ** 2, axis=0, weights=weights).mean(axis=1)


def fold_job(est, X, Y, sw, folds, grids, l1_ratios, seed, n_threads, job):
    i, k = job
    train, test = folds[k]
    return fold_mse(est, X, Y, sw, train, test, grids[i], l1_ratios[i], seed, n_threads)


@fill_doc
class MultiTaskElasticNetCV(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Multi-task elastic net with alpha (and l1_ratio) chosen by cross-validation.

    scikit-learn's MultiTaskElasticNetCV: the multi-task path over a grid of
    alphas on each fold, the alpha (and l1_ratio) of lowest held-out mean
    squared error (over samples and targets), then one fit on all the data.
    Each fold's path runs without the GIL, so folds run in parallel threads
    with ``n_jobs``.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Mix of L2,1 (1) and squared Frobenius (0), in [0, 1]; a list is
        searched over (the automatic grid needs l1_ratio > 0).
    %(mt_cv_params)s

    Attributes
    ----------
    l1_ratio_ : float
        The l1_ratio chosen.
    mse_path_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        Held-out mean squared error per l1_ratio, alpha and fold; (n_alphas,
        n_folds) for a single l1_ratio.
    alphas_ : ndarray of shape (n_l1_ratio, n_alphas) or (n_alphas,)
        The grid of each l1_ratio (decreasing).
    %(mt_cv_attributes)s

    See Also
    --------
    MultiTaskElasticNet : One alpha, chosen by hand.
    MultiTaskLassoCV : The L2,1 penalty alone.

    Examples
    --------
    >>> import numpy as np
    >>> import regfast
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> Y = X[:, [0, 3]] @ [[2.0, 1.0], [-1.0, 0.5]] + 0.1 * rng.standard_normal((100, 2))
    >>> model = regfast.MultiTaskElasticNetCV(l1_ratio=[0.5, 1.0], cv=3).fit(X, Y)
    >>> model.mse_path_.shape, model.coef_.shape
    ((2, 100, 3), (2, 5))
    """

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 max_iter=1000, tol=1e-4, cv=None, copy_X=True, verbose=0,
                 n_jobs=None, random_state=None, selection="cyclic"):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.selection = selection

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags

    def fit(self, X, y, sample_weight=None, **params):
        """Choose alpha (and l1_ratio) by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; each fold's training rows are copied once.
        y : array-like of shape (n_samples, n_targets)
            Targets (a 1-d y is refused, as by scikit-learn).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, used in the fits and the held-out errors.
        **params : dict
            scikit-learn's metadata for the CV splitter: not routed, so refused.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        owner = type(self).__name__
        refuse_fit_params(params, self)
        l1_ratios = check_ratios(self.l1_ratio, "l1_ratio", owner)
        check_scalar_param(self.tol, "tol", owner, low=0)
        check_scalar_param(self.max_iter, "max_iter", owner, low=1, kind="int")
        check_scalar_param(self.eps, "eps", owner, low=0, low_inclusive=False)
        if self.selection not in ("cyclic", "random"):
            raise ValueError(f"{owner}: selection must be 'cyclic' or 'random', "
                             f"got {self.selection!r}")
        X, y = validate_X_y(self, X, y, multi_output=True, check_finite=False)
        check_multitask_y(y, owner, owner[len("MultiTask"):])
        n_samples, n_features = X.shape
        sw = check_sample_weight(sample_weight, n_samples, X.dtype, owner)
        full = MultiTaskProblem(X, y, sw, self.fit_intercept, owner)
        ones = np.ones(n_features)
        grids = [resolve_alphas(full, self.alphas, None, r, ones, self.eps, None)
                 for r in l1_ratios]
        folds = list(check_cv(self.cv).split(X, y))
        seed = check_random_state(self.random_state).randint(1, 2**31 - 1)
        jobs = [(i, k) for i in range(len(l1_ratios)) for k in range(len(folds))]
        workers, n_threads = ((self.n_jobs, 1) if remote_backend_active()
                              else split_threads(self.n_jobs, len(jobs)))
        results = run_folds(fold_job, jobs, workers,
                            shared=(self, X, y, sw, folds, grids, l1_ratios, seed, n_threads))
        select_from_folds(self, results, grids, l1_ratios, len(folds))

        W = np.zeros((n_features, y.shape[1]))
        _, gaps, n_iters, converged = full.path(
            [self.alpha_], self.l1_ratio_, W, tol=float(self.tol),
            max_iter=int(self.max_iter), selection=self.selection, seed=seed,
            n_threads=split_threads(self.n_jobs, 1)[1])
        if not converged[0]:
            warnings.warn(f"{owner}: the final fit did not converge within "
                          f"max_iter={self.max_iter} epochs (duality gap {gaps[0]:.3e})."
                          + float32_rounding_note(X.dtype, n_iters[0], self.max_iter),
                          ConvergenceWarning, stacklevel=2)
        self.coef_ = W.T.astype(X.dtype)
        self.intercept_ = (full.intercept(W).astype(X.dtype) if self.fit_intercept
                           else 0.0)
        self.dual_gap_, self.n_iter_ = float(gaps[0]), int(n_iters[0])
        return self


@fill_doc
class MultiTaskLassoCV(MultiTaskElasticNetCV):
    """Multi-task Lasso with alpha chosen by cross-validation (scikit-learn's MultiTaskLassoCV).

    The multi-task Lasso path on each fold, the alpha of lowest held-out mean
    squared error (over samples and targets), then one fit on all the data.

    Parameters
    ----------
    %(mt_cv_params)s

    Attributes
    ----------
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Held-out mean squared error per alpha and fold.
    alphas_ : ndarray of shape (n_alphas,)
        The grid (decreasing).
    %(mt_cv_attributes)s

    See Also
    --------
    MultiTaskLasso : One alpha, chosen by hand.
    MultiTaskElasticNetCV : L2,1 and squared Frobenius penalties mixed.

    Examples
    --------
    >>> import numpy as np
    >>> import regfast
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> Y = X[:, [0, 3]] @ [[2.0, 1.0], [-1.0, 0.5]] + 0.1 * rng.standard_normal((100, 2))
    >>> model = regfast.MultiTaskLassoCV(cv=3).fit(X, Y)
    >>> model.mse_path_.shape, model.coef_.shape
    ((100, 3), (2, 5))
    >>> bool((model.coef_[:, [0, 3]] != 0).all())   # the true features are found
    True
    """

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, max_iter=1000,
                 tol=1e-4, copy_X=True, cv=None, verbose=False, n_jobs=None,
                 random_state=None, selection="cyclic"):
        super().__init__(l1_ratio=1.0, eps=eps, alphas=alphas,
                         fit_intercept=fit_intercept, max_iter=max_iter, tol=tol,
                         cv=cv, copy_X=copy_X, verbose=verbose, n_jobs=n_jobs,
                         random_state=random_state, selection=selection)
