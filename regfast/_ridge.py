"""Ridge: L2-penalised least squares by direct or matrix-free solvers.

Every solver works on the centred, weighted design Z of `RidgeDesign`
(the intercept is eliminated by implicit centring; X is never copied, centred
or densified), one column of targets z_t at a time or all at once:

- 'cholesky': Cholesky of Z^T Z + alpha I (n >= p) or of Z Z^T + alpha I
  (the dual form, p > n) with LAPACK, in float64 whatever X's dtype;
- 'svd': the SVD of Z (a dense copy: the decomposition's workspace);
- 'cg': conjugate gradients on the smaller of the two normal equations, and
  'lsqr': scipy's LSQR, both matrix-free (products with X and X^T only);
- 'cd': regfast's coordinate-descent kernel with l1_ratio=0, which also
  serves ``positive=True``.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from scipy import linalg
from scipy.linalg import lapack
from scipy.sparse.linalg import lsqr
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning

from ._coordinate_descent import LinearPredictorMixin
from ._problem import Problem, use_gram
from ._ridge_design import RidgeDesign
from ._validation import check_bounds, check_sample_weight, check_scalar_param, validate_X_y

SOLVERS = ("auto", "cholesky", "svd", "cg", "lsqr", "cd",
           "sparse_cg", "sag", "saga", "lbfgs")
# scikit-learn's names for the same methods; its stochastic and quasi-Newton
# solvers are served by coordinate descent (same objective, same optimum).
SOLVER_ALIASES = {"sparse_cg": "cg", "sag": "cd", "saga": "cd", "lbfgs": "cd"}
CD_MAX_ITER = 1000
# solver='auto' on sparse X: Cholesky of the Gram matrix when it is at most this
# size and costs less than this many conjugate-gradient iterations to form
SPARSE_GRAM_MAX_DIM = 2000
SPARSE_GRAM_CG_ITERS = 20
# singular values below SVD_RCOND * max(n, p) * s_max are treated as zero
# (numpy's lstsq/pinv rule; scikit-learn's fixed 1e-15 keeps noise there)
SVD_RCOND = np.finfo(np.float64).eps


def check_alpha(alpha, n_targets, owner, name="alpha"):
    """alpha as a float64 array with one non-negative value per target."""
    a = np.asarray(alpha)
    if a.dtype.kind not in "iuf" or a.ndim > 1:
        raise TypeError(f"{owner}: {name} must be a number or a 1-d array of "
                        f"numbers, got {alpha!r}")
    a = a.astype(np.float64).ravel()
    if a.size not in (1, n_targets):
        raise ValueError(f"{owner}: {name} has {a.size} values but y has "
                         f"{n_targets} target(s); pass one value, or one per target")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{owner}: {name} must be finite, got {alpha!r}")
    if np.any(a < 0):
        raise ValueError(f"{owner}: {name} must be non-negative, got {alpha!r}")
    return np.broadcast_to(a, (n_targets,)).copy()


def check_solver(solver, positive, is_sparse, owner):
    """Validate solver (a name in SOLVERS) against the data; returns regfast's name."""
    if solver not in SOLVERS:
        raise ValueError(f"{owner}: solver must be one of {SOLVERS}, got {solver!r}")
    solver = SOLVER_ALIASES.get(solver, solver)
    if positive and solver not in ("auto", "cd"):
        raise ValueError(f"{owner}: solver={solver!r} does not support "
                         "positive=True; use solver='auto' or 'cd'")
    if solver == "svd" and is_sparse:
        raise TypeError(f"{owner}: solver='svd' needs dense X (sparse X is never "
                        "densified); use 'auto', 'cg', 'lsqr' or 'cholesky'")
    return solver


def auto_solver(X, positive):
    """'cd' for positive=True; 'cholesky' for dense X; for sparse X (CSC),
    'cholesky' when the Gram matrix is small and cheap to form, else 'cg'.

    Forming the sparse Gram matrix (X^T X when n >= p, X X^T otherwise) costs
    the sum of the squared counts of stored values per row (resp. column);
    one conjugate-gradient iteration costs 2 nnz.
    """
    if positive:
        return "cd"
    if not sp.issparse(X):
        return "cholesky"
    n, p = X.shape
    counts = np.bincount(X.indices, minlength=n) if p <= n else np.diff(X.indptr)
    gram_cost = float(np.dot(counts, counts.astype(np.float64)))
    if min(n, p) <= SPARSE_GRAM_MAX_DIM and gram_cost <= SPARSE_GRAM_CG_ITERS * 2 * X.nnz:
        return "cholesky"
    return "cg"


# -- direct solvers ------------------------------------------------------------
def spd_solve(A, B, alphas):
    """Columns (A + alpha_t I)^-1 B[:, t]: one Cholesky per distinct alpha.

    A (float64, symmetric positive semi-definite, upper triangle read) is
    overwritten.  Raises LinAlgError when a matrix is singular to working
    precision (LAPACK's condition estimate), where Cholesky would succeed on
    rounding errors and return noise.
    """
    out = np.empty_like(B)
    distinct = np.unique(alphas)
    for k, a in enumerate(distinct):
        M = A if k == len(distinct) - 1 else A.copy()
        M.flat[::M.shape[0] + 1] += a
        norm1 = np.abs(M).sum(axis=0).max()
        cols = alphas == a
        c, lower = linalg.cho_factor(M, overwrite_a=True, check_finite=False)
        rcond, _ = lapack.dpocon(c, norm1)
        if not rcond > np.finfo(np.float64).eps * M.shape[0]:
            raise linalg.LinAlgError(f"ill-conditioned Gram matrix (rcond={rcond:.1e})")
        out[:, cols] = linalg.cho_solve((c, lower), B[:, cols], check_finite=False)
    return out


def solve_cholesky(design, z, alphas):
    """Primal (n >= p) or dual (p > n) normal equations; coef of shape (T, p)."""
    if design.n_features <= design.n_samples:
        A = design.gram_features().astype(np.float64, copy=False)
        B = design.rmatvec(z).astype(np.float64)
        return spd_solve(A, B, alphas).T
    K = design.gram_samples().astype(np.float64, copy=False)
    C = spd_solve(K, z.astype(np.float64), alphas)
    return design.rmatvec(C).T


def solve_gram_lstsq(design, z, alphas):
    """Minimum-norm fallback when the Gram matrix is singular (alpha=0)."""
    if design.n_features <= design.n_samples:
        A = design.gram_features().astype(np.float64)
        B = design.rmatvec(z).astype(np.float64)
        return np.column_stack([
            linalg.lstsq(A + a * np.eye(len(A)), B[:, t])[0]
            for t, a in enumerate(alphas)]).T
    K = design.gram_samples().astype(np.float64)
    C = np.column_stack([linalg.lstsq(K + a * np.eye(len(K)), z[:, t])[0]
                         for t, a in enumerate(alphas)])
    return design.rmatvec(C).T


def solve_svd(design, z, alphas):
    """w = V diag(s / (s^2 + alpha)) U^T z from the thin SVD of Z."""
    Z = design.dense(design.dtype)
    U, s, Vt = linalg.svd(Z, full_matrices=False, overwrite_a=True,
                          check_finite=False)
    s = s.astype(np.float64)[:, None]
    cutoff = SVD_RCOND * max(Z.shape) * (s.max() if s.size else 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(s > cutoff, s / (s * s + alphas[None, :]), 0.0)
    return (Vt.T @ (d * (U.T @ z))).T


# -- matrix-free solvers -------------------------------------------------------
def conjugate_gradient(apply, B, tol, max_iter):
    """Solve apply(X) = B column by column (each system symmetric positive
    definite), all columns in lockstep so that apply works on blocks.

    Column t stops (is frozen) once ||r_t|| <= tol ||b_t||.  Returns
    (X, iterations per column, converged per column).
    """
    X = np.zeros_like(B)
    R = B.copy()
    bound = tol * np.linalg.norm(B, axis=0)
    rr = np.einsum("it,it->t", R, R)
    active = np.sqrt(rr) > bound
    n_iter = np.zeros(B.shape[1], dtype=np.int32)
    D = R.copy()
    for it in range(1, max_iter + 1):
        if not active.any():
            break
        AD = apply(D)
        dAd = np.einsum("it,it->t", D, AD)
        step = np.divide(rr, dAd, out=np.zeros_like(rr), where=active & (dAd > 0))
        X += step.astype(B.dtype) * D
        R -= step.astype(B.dtype) * AD
        rr_new = np.einsum("it,it->t", R, R)
        n_iter[active] = it
        active &= np.sqrt(rr_new) > bound
        beta = np.divide(rr_new, rr, out=np.zeros_like(rr), where=active)
        D *= beta.astype(B.dtype)
        D += R
        rr = rr_new
    return X, n_iter, ~active


def solve_cg(design, z, alphas, tol, max_iter, owner):
    """Conjugate gradients on Z^T Z + alpha I (n >= p) or Z Z^T + alpha I
    (p > n), all targets at once (one block product with X per iteration)."""
    n, p = design.n_samples, design.n_features
    max_iter = 10 * min(n, p) if max_iter is None else max_iter
    a = alphas.astype(design.dtype)
    if p > n:
        U, n_iter, ok = conjugate_gradient(
            lambda V: design.matvec(design.rmatvec(V)) + a * V, z, tol, max_iter)
        coef = design.rmatvec(U).T
    else:
        W, n_iter, ok = conjugate_gradient(
            lambda V: design.rmatvec(design.matvec(V)) + a * V,
            design.rmatvec(z), tol, max_iter)
        coef = W.T
    if not ok.all():
        warnings.warn(f"{owner}: conjugate gradients did not reach tol={tol} "
                      f"in {max_iter} iterations; increase max_iter.",
                      ConvergenceWarning, stacklevel=3)
    return coef, n_iter


def solve_lsqr(design, z, alphas, tol, max_iter):
    """scipy's LSQR on Z with damping sqrt(alpha), as scikit-learn's 'lsqr'."""
    op = design.operator()
    coef = np.empty((z.shape[1], design.n_features), dtype=design.dtype)
    n_iter = np.empty(z.shape[1], dtype=np.int32)
    for t, a in enumerate(alphas):
        res = lsqr(op, z[:, t], damp=np.sqrt(a), atol=tol, btol=tol, iter_lim=max_iter)
        coef[t], n_iter[t] = res[0], res[2]
    return coef, n_iter


def solve_cd(X, y, sample_weight, fit_intercept, alphas, positive, tol,
             max_iter, owner):
    """The shared coordinate-descent kernel, one target at a time.

    The kernel minimises (1/2n) sum_i s'_i r_i^2 + (a/2) ||w||^2 with weights s'
    rescaled to sum to n; with S = sum_i s_i that is Ridge's objective divided
    by 2S when a = alpha / S.
    """
    n, p = X.shape
    sw = None
    S = float(n)
    if sample_weight is not None:
        S = float(sample_weight.sum())
        sw = np.ascontiguousarray(sample_weight * (n / S), dtype=X.dtype)
    T = y.shape[1]
    bounds = check_bounds(None, None, positive, p, owner)
    coef = np.zeros((T, p))
    n_iter = np.empty(T, dtype=np.int32)
    gram = use_gram(X, "auto")
    for t in range(T):
        problem = Problem(X, np.ascontiguousarray(y[:, t]), sw, fit_intercept, gram=gram)
        if gram is True and problem.gram is not None:
            gram = problem.gram          # computed once for all targets
        w = np.zeros(p)
        gap, n_iter[t], converged = problem.solve(
            alphas[t] / S, 0.0, np.ones(p), w, bounds=bounds, tol=tol,
            max_iter=max_iter)
        if not converged:
            warnings.warn(f"{owner}: coordinate descent did not converge after "
                          f"{n_iter[t]} epochs (duality gap {gap:.3e}); increase "
                          "max_iter.", ConvergenceWarning, stacklevel=3)
        coef[t] = w
    return coef, n_iter


class RidgePredictMixin(LinearPredictorMixin):
    """Fitted attributes in scikit-learn's shapes; predict comes from LinearPredictorMixin."""

    def _set_fitted(self, coef, intercept, y_ndim, dtype):
        """coef_ and intercept_ in scikit-learn's shapes, X's dtype."""
        coef = np.asarray(coef, dtype=dtype)
        self.coef_ = coef[0] if coef.shape[0] == 1 else coef
        if not self.fit_intercept:
            self.intercept_ = 0.0
        elif y_ndim == 1:
            self.intercept_ = dtype.type(intercept[0])
        else:
            self.intercept_ = intercept.astype(dtype)


class Ridge(RidgePredictMixin, MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Linear least squares with an L2 penalty, as scikit-learn's Ridge.

    Minimises ``||y - X w - b||^2_S + alpha * ||w||^2`` with sample weights S
    used as given (not rescaled), for one target or several at once.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Non-negative penalty strength; an array gives one per target.
    fit_intercept : bool, default=True
        Fit an intercept (X is centred implicitly, never copied).
    copy_X : bool, default=True
        Accepted for compatibility: regfast never writes to X.
    max_iter : int, default=None
        Iteration limit of the iterative solvers ('cg': 10 * min(n, p) by
        default, 'lsqr': scipy's default, 'cd': 1000 epochs).
    tol : float, default=1e-4
        'cg': relative residual of the normal equations; 'lsqr': its atol and
        btol; 'cd': relative duality gap (as regfast's ElasticNet).  Unused by
        the direct solvers.
    solver : {'auto', 'cholesky', 'svd', 'cg', 'lsqr', 'cd', 'sparse_cg', \
'sag', 'saga', 'lbfgs'}, default='auto'
        'auto' is 'cholesky' for dense X (primal when n >= p, dual when
        p > n), 'cg' for sparse X unless its Gram matrix is small and cheap
        to form ('cholesky' then), and 'cd' with ``positive=True``.
        'sparse_cg' is 'cg'; 'sag', 'saga' and 'lbfgs' run 'cd'.
    positive : bool, default=False
        Constrain the coefficients to be non-negative ('cd' only).
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility; every solver here is deterministic.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : ndarray of shape (n_targets,)
        Iterations of the iterative solvers ('cg', 'lsqr', 'cd'); 1 for the
        direct ones (scikit-learn gives None there).
    solver_ : str
        The solver that was run.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True,
                 max_iter=None, tol=1e-4, solver="auto", positive=False,
                 random_state=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Dense float32/float64 F-ordered arrays and CSC matrices are used
            without a copy; other layouts are converted once.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, used as given.

        Returns
        -------
        self
        """
        owner = type(self).__name__
        check_scalar_param(self.tol, "tol", owner, low=0)
        if self.max_iter is not None:
            check_scalar_param(self.max_iter, "max_iter", owner, low=1, kind="int")
        solver = check_solver(self.solver, bool(self.positive), sp.issparse(X), owner)
        X, y = validate_X_y(self, X, y, multi_output=True)
        if solver == "auto":
            solver = auto_solver(X, bool(self.positive))
        n, p = X.shape
        Y = y.reshape(n, -1)
        alphas = check_alpha(self.alpha, Y.shape[1], owner)
        sw = check_sample_weight(sample_weight, n, np.float64, owner, rescale=False)
        design = RidgeDesign(X, sw, bool(self.fit_intercept))
        y_mean, z = design.center_y(Y)
        tol, max_iter = float(self.tol), self.max_iter
        n_iter = np.ones(Y.shape[1], dtype=np.int32)    # direct solvers
        if solver == "cholesky":
            try:
                coef = solve_cholesky(design, z, alphas)
            except linalg.LinAlgError:       # singular: alpha = 0, rank-deficient X
                solver = "gram_lstsq" if design.is_sparse else "svd"
                coef = (solve_gram_lstsq if design.is_sparse else solve_svd)(
                    design, z, alphas)
        elif solver == "svd":
            coef = solve_svd(design, z, alphas)
        elif solver == "cg":
            coef, n_iter = solve_cg(design, z, alphas, tol, max_iter, owner)
        elif solver == "lsqr":
            coef, n_iter = solve_lsqr(design, z, alphas, tol, max_iter)
        else:
            coef, n_iter = solve_cd(X, Y, sw, bool(self.fit_intercept), alphas,
                                    bool(self.positive), tol,
                                    max_iter or CD_MAX_ITER, owner)
        self._set_fitted(coef, design.intercept(y_mean, coef), y.ndim, X.dtype)
        self.n_iter_ = n_iter
        self.solver_ = solver
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self.solver != "svd"
        return tags
