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
from scipy import linalg, optimize
from scipy.linalg import lapack
from scipy.sparse.linalg import LinearOperator, lsqr
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning

from . import _cd
from ._coordinate_descent import LinearPredictorMixin
from ._problem import Problem, use_gram
from ._ridge_design import RidgeDesign
from ._validation import check_bounds, check_sample_weight, check_scalar_param, validate_X_y

SOLVERS = ("auto", "cholesky", "svd", "cg", "lsqr", "cd",
           "sparse_cg", "sag", "saga", "lbfgs")
# scikit-learn's names, served by regfast's methods (same objective, same
# optimum): its stochastic solvers by the exact 'auto' route (which, as they do,
# gives the minimum-norm solution when alpha = 0 and p > n).  'lbfgs' is
# scipy's L-BFGS-B, as scikit-learn's, tol and max_iter included.
SOLVER_ALIASES = {"sparse_cg": "cg", "sag": "auto", "saga": "auto"}
CD_MAX_ITER = 1000
LBFGS_MAX_ITER = 15000              # scikit-learn's default for 'lbfgs'
# solver='auto' on sparse X: conjugate gradients certified to AUTO_TOL relative
# error in the coefficients, given as many iterations as the direct route
# would cost; the direct route (Cholesky of the Gram matrix, at most
# SPARSE_GRAM_MAX_DIM rows: 128 MiB) when CG does not make it or alpha = 0.
# Costs in units of one stored value read: a CG iteration reads X twice; the
# Gram matrix costs the sum of the squared row counts; a Cholesky flop is
# BLAS-3, about DENSE_FLOP of a sparse read.
AUTO_TOL = 1e-8
SPARSE_GRAM_MAX_DIM = 4096
DENSE_FLOP = 0.1
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
        raise ValueError(f"{owner}: Number of targets and number of penalties do not "
                         f"correspond: {a.size} != {n_targets} ({name} has {a.size} "
                         "values; pass one value, or one per target)")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{owner}: {name} must be finite, got {alpha!r}")
    if np.any(a < 0):
        raise ValueError(f"{owner}: {name} must be non-negative, got {alpha!r}")
    return np.broadcast_to(a, (n_targets,)).copy()


def check_solver(solver, positive, is_sparse, fit_intercept, owner):
    """Validate solver (a name in SOLVERS) against the data; returns regfast's name."""
    if solver not in SOLVERS:
        raise ValueError(f"{owner}: solver must be one of {SOLVERS}, got {solver!r}")
    if positive and solver not in ("auto", "cd", "lbfgs"):
        raise ValueError(f"{owner}: solver={solver!r} does not support "
                         "positive=True; use solver='auto' or 'cd'")
    solver = SOLVER_ALIASES.get(solver, solver)
    if solver == "svd" and is_sparse:
        # scikit-learn's error types: ValueError (its check of the intercept
        # on sparse X comes first), else TypeError
        error = ValueError if fit_intercept else TypeError
        raise error(f"{owner}: solver='svd' does not support sparse X: it needs dense X "
                    "(sparse X is never densified); use 'auto', 'cg', 'lsqr' or 'cholesky'")
    return solver


def auto_solver(X, positive):
    """'cd' for positive=True; 'cholesky' for dense X; for sparse X (CSC)
    'auto_sparse' (see `solve_auto_sparse`)."""
    if positive:
        return "cd"
    return "auto_sparse" if sp.issparse(X) else "cholesky"


def direct_cost_iters(X):
    """What the direct route costs on sparse X, in conjugate-gradient
    iterations (0 when its Gram matrix is too large to hold)."""
    n, p = X.shape
    m = min(n, p)
    if m > SPARSE_GRAM_MAX_DIM:
        return 0
    counts = np.bincount(X.indices, minlength=n) if p <= n else np.diff(X.indptr)
    gram_cost = float(np.dot(counts, counts.astype(np.float64)))
    return int((gram_cost + DENSE_FLOP * m ** 3 / 3) / (2 * max(X.nnz, 1))) + 1


def solve_auto_sparse(design, z, alphas, max_iter, owner):
    """solver='auto' on sparse X: coefficients within AUTO_TOL relative.

    Returns (coef, n_iter, solver run)."""
    budget = direct_cost_iters(design.X)
    if np.all(alphas > 0) and budget > 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            coef, n_iter, ok = solve_cg(design, z, alphas, AUTO_TOL, budget, owner)
        if ok.all():
            return coef, n_iter, "cg"
    if budget > 0:
        coef, solver = solve_direct(design, z, alphas)
        return coef, np.ones(z.shape[1], dtype=np.int32), solver
    coef, n_iter, _ = solve_cg(design, z, alphas, AUTO_TOL, max_iter, owner)
    return coef, n_iter, "cg"


# -- direct solvers ------------------------------------------------------------
def spd_solve(A, B, alphas, eps=np.finfo(np.float64).eps, scaled=False):
    """Columns (A + alpha_t I)^-1 B[:, t]: one Cholesky per distinct alpha.

    A (float64, symmetric positive semi-definite, upper triangle read) is
    overwritten.  Raises LinAlgError when a matrix is too ill-conditioned for
    its solve to be accurate to about eps relative (LAPACK's condition
    estimate, see well_conditioned), where Cholesky would succeed on rounding
    errors and return noise.  scaled: the solution itself is the answer (the
    primal normal equations), so the equilibrated condition may certify it.
    """
    out = np.empty_like(B)
    distinct = np.unique(alphas)
    for k, a in enumerate(distinct):
        M = A if k == len(distinct) - 1 else A.copy()
        M.flat[::M.shape[0] + 1] += a
        d = np.sqrt(np.diag(M).copy())
        absM = np.abs(M)
        norm1 = absM.sum(axis=0).max()
        norm1_h = None
        if scaled:
            with np.errstate(divide="ignore", invalid="ignore"):
                norm1_h = np.max((absM.T @ (1.0 / d)) / d)     # of D^-1 M D^-1
        del absM
        cols = alphas == a
        c, lower = linalg.cho_factor(M, overwrite_a=True, check_finite=False)
        well_conditioned(c, d, norm1, norm1_h, eps)
        out[:, cols] = linalg.cho_solve((c, lower), B[:, cols], check_finite=False)
    return out


def well_conditioned(R, d, norm1, norm1_h, eps):
    """Raise LinAlgError unless a solve with the Cholesky factor R (upper) of
    M (diag(M) = d^2, 1-norm norm1, that of D^-1 M D^-1 norm1_h, or None to
    use M's condition alone) is accurate to about eps relative.

    Either M's condition estimate is below 1 / (m eps), or that of the
    equilibrated H = D^-1 M D^-1 (D = diag(d)) times the spread of d is:
    Cholesky is invariant under that scaling, so its error in D w is bounded
    by H's condition, and in w by that times max(d) / min(d).  Columns of X
    over a few decades (california_housing: norms 68 to 1.6e5, Gram condition
    4e7) pass through the second; a genuinely near-singular M through
    neither.  (For the dual system, whose solution u gives w = Z^T u, the
    scaled bound on u says nothing as clean about w: it is not used there.)
    """
    m = R.shape[0]
    rcond, _ = lapack.dpocon(R, norm1)
    if rcond > eps * m:
        return
    if norm1_h is not None and np.all(d > 0) and np.all(np.isfinite(d)):
        spread = d.max() / d.min()
        rcond_h, _ = lapack.dpocon(R / d[None, :], norm1_h)  # H = (R D^-1)^T R D^-1
        if rcond_h > eps * m * spread:
            return
    raise linalg.LinAlgError(f"ill-conditioned Gram matrix (rcond={rcond:.1e})")


def unit_columns(B):
    """(B / tau, tau): each column divided by a power of two near its largest
    entry (exact).  The direct solvers work on unit right-hand sides: with
    y ~ 1e-150 and alpha ~ 1e166, (K + alpha)^-1 z ~ 1e-316 is subnormal, and
    coef_ came out 10% off; coef is linear in z, so it is scaled back by tau."""
    B = np.asarray(B, dtype=np.float64)
    top = np.max(np.abs(B), axis=0, initial=0.0)
    ok = (top > 0) & np.isfinite(top)
    tau = 2.0 ** np.minimum(np.ceil(np.log2(np.where(ok, top, 1.0))), 1023)
    return B / tau, tau


def solve_cholesky(design, z, alphas):
    """Primal (n >= p) or dual (p > n) normal equations; coef of shape (T, p)."""
    z, tau = unit_columns(z)
    # the Gram matrix carries the rounding of X's dtype: a float32 one whose
    # condition is beyond 1 / (n eps32) gives noise (alpha = 0, p > n: objective
    # 27 times the optimum), and the caller falls back to the SVD.  Its
    # condition is X's squared, and so is the error of its solve: beyond
    # AUTO_TOL / eps64 the coefficients are not certainly exact to AUTO_TOL
    # (dense 2 x 8, columns over 10 decades, alpha = 0: rcond 1e-14 passed and
    # the objective was 2e-3 where the SVD of X reaches 1e-31), so the routes
    # on X itself take over there too.
    eps = max(np.finfo(design.dtype).eps,
              np.finfo(np.float64).eps / AUTO_TOL / min(design.n_samples, design.n_features))
    if design.n_features <= design.n_samples:
        A = design.gram_features().astype(np.float64, copy=False)
        B = design.rmatvec(z).astype(np.float64)
        return spd_solve(A, B, alphas, eps, scaled=True).T * tau[:, None]
    K = design.gram_samples().astype(np.float64, copy=False)
    C = spd_solve(K, z, alphas, eps)
    return design.rmatvec(C).T * tau[:, None]


def solve_direct(design, z, alphas):
    """Cholesky, or where the Gram matrix is singular (alpha = 0 and X
    rank-deficient) a minimum-norm least-squares solve; returns (coef, solver)."""
    try:
        return solve_cholesky(design, z, alphas), "cholesky"
    except linalg.LinAlgError:
        if design.is_sparse:
            coef = solve_gram_lstsq(design, z, alphas)
            return refine_lsqr(design, z, alphas, coef), "gram_lstsq"
        return solve_svd(design, z, alphas), "svd"


# refinement of the sparse minimum-norm fallback by LSQR on X itself
REFINE_TOL = 1e-13


def ridge_objectives(design, z, alphas, coef):
    """||z_t - Z w_t||^2 + alpha_t ||w_t||^2 per target, in units of z's
    largest entry (float64 whatever X's dtype)."""
    zs, tau = unit_columns(z)
    W = np.asarray(coef, dtype=np.float64) / tau[:, None]
    R = zs - design.matvec(W.T.astype(design.dtype)).astype(np.float64).reshape(zs.shape)
    return np.einsum("it,it->t", R, R) + alphas * np.einsum("ti,ti->t", W, W)


def refine_lsqr(design, z, alphas, coef):
    """coef (the Gram matrix's minimum-norm solution) refined by equilibrated
    LSQR on Z itself, per target the one with the lower objective.

    The fallback runs where Cholesky refused the Gram matrix: its condition
    is the square of Z's, and the minimum-norm cutoff dropped eigenvalues that
    are genuine in Z (alpha = 0, sparse 3 x 20 with columns over 10 decades:
    objective 0.035 against lstsq's 1e-32).  LSQR from that point works on Z
    with its columns scaled to unit norm (see solve_lsqr) and only adds what
    the cutoff dropped; it is kept only where it lowers the objective (a
    certified improvement), so the minimum-norm answer of a genuinely
    rank-deficient design stays as it was.
    """
    m = min(design.n_samples, design.n_features)
    with np.errstate(all="ignore"):
        refined, _ = solve_lsqr(design, z, alphas, REFINE_TOL, 2 * m + 20, coef0=coef,
                                equilibrate=True)
        better = ridge_objectives(design, z, alphas, refined) < ridge_objectives(
            design, z, alphas, coef)
    better &= np.all(np.isfinite(refined), axis=1)
    out = np.array(coef, dtype=np.float64, copy=True)
    out[better] = refined[better]
    return out


def solve_gram_lstsq(design, z, alphas):
    """Minimum-norm fallback when the Gram matrix is singular (alpha=0)."""
    z, tau = unit_columns(z)
    return _solve_gram_lstsq(design, z, alphas) * tau[:, None]


def _solve_gram_lstsq(design, z, alphas):
    # singular values below the rounding of X's dtype count as zero: a float32
    # Gram matrix leaves its zero eigenvalues at ~1e-7 of the largest, which a
    # float64 cutoff inverted (alpha = 0, rank-deficient float32 CSC: objective
    # 12 times the optimum)
    if design.n_features <= design.n_samples:
        A = design.gram_features().astype(np.float64)
        B = design.rmatvec(z).astype(np.float64)
        cond = np.finfo(design.dtype).eps * len(A)
        return np.column_stack([
            linalg.lstsq(A + a * np.eye(len(A)), B[:, t], cond=cond)[0]
            for t, a in enumerate(alphas)]).T
    K = design.gram_samples().astype(np.float64)
    cond = np.finfo(design.dtype).eps * len(K)
    C = np.column_stack([linalg.lstsq(K + a * np.eye(len(K)), z[:, t], cond=cond)[0]
                         for t, a in enumerate(alphas)])
    return design.rmatvec(C).T


def thin_svd(Z):
    """Thin SVD (U, s, Vt) of Z, overwritten.  A matrix at least twice as long as
    it is wide is first reduced by QR (orthogonal: nothing squared) and the
    small triangle decomposed: 72 x 7129 took 0.3 s in LAPACK's SVD, 0.02 s so."""
    n, p = Z.shape
    if max(n, p) < 2 * min(n, p):
        return linalg.svd(Z, full_matrices=False, overwrite_a=True, check_finite=False)
    if n < p:
        Vt_, s, Ut_ = thin_svd(Z.T)
        return Ut_.T, s, Vt_.T
    Q, R = linalg.qr(Z, mode="economic", overwrite_a=True, check_finite=False)
    U, s, Vt = linalg.svd(R, full_matrices=False, overwrite_a=True, check_finite=False)
    return Q @ U, s, Vt


def solve_svd(design, z, alphas):
    """w = V diag(s / (s^2 + alpha)) U^T z from the thin SVD of Z."""
    # in float64 also for float32 X (exact conversion): a float32 SVD leaves its
    # zero singular values at ~1e-7 s_max, so its cutoff had to be float32's
    # eps, which also cut genuine ones (2 x 2 float32 X with columns 10 decades
    # apart, alpha = 0: objective 0.5 against 1e-32)
    Z = design.dense(np.float64)
    U, s, Vt = thin_svd(Z)
    s = s[:, None]
    cutoff = SVD_RCOND * max(Z.shape) * (s.max() if s.size else 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(s > cutoff, s / (s * s + alphas[None, :]), 0.0)
    z, tau = unit_columns(z)                 # see unit_columns
    return (Vt.T @ (d * (U.T @ z))).T * tau[:, None]


# -- matrix-free solvers -------------------------------------------------------
def solve_cg(design, z, alphas, tol, max_iter, owner):
    """Jacobi-preconditioned conjugate gradients on Z^T Z + alpha I (n >= p)
    or Z Z^T + alpha I (p > n), all targets at once (one block product with X
    per iteration).

    A target stops when its coefficients are certified within tol relative:
    with residual r of the system, ||w - w*|| <= ||r|| / alpha (primal) or
    <= ||r|| / (2 sqrt(alpha)) (dual: w = Z^T u), so stop once that bound is
    at most tol ||w||.  With alpha = 0 there is no such bound: the relative
    residual ||r|| <= tol ||b|| is used.
    """
    n, p = design.n_samples, design.n_features
    max_iter = 10 * min(n, p) if max_iter is None else max_iter
    dual = p > n
    # CG's squared norms (r^T r, d^T A d) over/underflow far sooner than the
    # data: float32 X ~ 1e-11 and y ~ 1e-16 give ||Z^T z||^2 ~ 1e-48, zero in
    # float32, and CG stopped at once at w = 0.  Solve the exactly rescaled
    # system instead: Z / sigma and z / tau (powers of two), alpha / sigma^2,
    # whose solution is w sigma / tau.
    sq = design.row_sqnorms() if dual else design.col_sqnorms()
    norm = float(np.sqrt(np.max(sq, initial=0.0)))
    sigma = 2.0 ** np.round(np.log2(norm)) if 0 < norm < np.inf else 1.0
    zmax = np.max(np.abs(z), axis=0, initial=0.0)
    ok_z = (zmax > 0) & np.isfinite(zmax)
    tau = 2.0 ** np.minimum(np.ceil(np.log2(np.where(ok_z, zmax, 1.0))), 1023)
    z = np.asarray(z / tau, dtype=design.dtype, order="F")
    alphas = alphas / sigma / sigma
    b = z if dual else np.asarray(design.rmatvec(z) / sigma, dtype=design.dtype)
    b_norm = np.linalg.norm(b, axis=0)
    # the error bound's factor per target: ||w - w*|| <= factor * ||r||
    with np.errstate(divide="ignore"):
        factor = 1.0 / (2.0 * np.sqrt(alphas)) if dual else 1.0 / alphas
    diag = (sq / sigma / sigma)[:, None] + alphas
    precond = (1.0 / np.where(diag > 0, diag, 1.0)).astype(design.dtype)
    inv = 1.0 / sigma
    # Jacobi-preconditioned CG in the kernel, all targets in lockstep (one or two
    # passes over X per iteration for all of them), without the GIL
    U, n_iter, ok = _cd.ridge_cg(*design.kernel_args(), np.asfortranarray(b),
                                 np.asfortranarray(precond), alphas, inv, dual, float(tol),
                                 b_norm.astype(np.float64), factor.astype(np.float64),
                                 int(max_iter))
    W = design.rmatvec(U) * inv if dual else U
    coef = (W * (tau / sigma)).astype(design.dtype).T
    if not ok.all():
        warnings.warn(f"{owner}: conjugate gradients did not reach tol={tol} "
                      f"in {max_iter} iterations; increase max_iter.",
                      ConvergenceWarning, stacklevel=3)
    return coef, n_iter, ok


def pow2(v):
    """The power of two nearest each positive finite value of v (1 elsewhere)."""
    v = np.asarray(v, dtype=np.float64)
    ok = (v > 0) & np.isfinite(v)
    return np.where(ok, 2.0 ** np.round(np.log2(np.where(ok, v, 1.0))), 1.0)


# solver='lsqr' equilibrates the columns (see solve_lsqr) when their norms span
# more than this factor
LSQR_EQUILIBRATE_SPREAD = 1e4


def solve_lsqr(design, z, alphas, tol, max_iter, coef0=None, equilibrate=None):
    """scipy's LSQR on Z with damping sqrt(alpha), as scikit-learn's 'lsqr',
    with the columns equilibrated where their scales make Z ill-conditioned.

    Equilibrated, LSQR works on [Z; sqrt(alpha) I] D^-1, D the norms of these
    augmented columns rounded to powers of two (exact): Ridge in v = D w.  On Z
    scaled by one number, columns spanning 10 decades made LSQR stop on its
    condition limit far from the optimum (alpha = 0, 3 x 20 CSC: objective
    0.035 against 1e-32); scaling the columns removes that part of the
    condition, the one the Gram matrix squares.  It is not done by default
    (equilibrate=None) with column norms within LSQR_EQUILIBRATE_SPREAD: for
    alpha > 0 it only slows LSQR down where p > n (the null space of Z, all at
    eigenvalue alpha, is spread to alpha / d_j^2; 3x the iterations on a
    20000 x 50000 sparse design), and at alpha = 0 with p > n LSQR from 0 ends
    on the minimum-norm solution of the system it runs on, which for D^-1 w is
    not the minimum-norm w (scikit-learn's test_ridge_regression_unpenalized).  Either way scale-free:
    z is divided by a power of two near its largest entry.  coef0 (T, p), if
    given, is the starting point (equilibrated runs only).
    """
    n, p = design.n_samples, design.n_features
    coef = np.empty((z.shape[1], p), dtype=design.dtype)
    n_iter = np.empty(z.shape[1], dtype=np.int32)
    norms = np.sqrt(design.col_sqnorms())
    nz = norms[(norms > 0) & np.isfinite(norms)]
    spread = nz.max() / nz.min() if nz.size else 1.0
    sigma = float(pow2(nz.max() if nz.size else 1.0))
    # products with float32 X carry its rounding: a tolerance below its eps
    # cannot be met, and the iterates then follow rounding (rank-deficient
    # float32 X at tol=1e-10 grew to 1e6); the condition limit at X's precision
    # (scipy's default 1e8 stopped it early on columns over 10 decades)
    eps = np.finfo(design.dtype).eps
    conlim, tol = 1.0 / eps, max(tol, eps)
    for t, a in enumerate(alphas):
        scale = float(pow2(np.max(np.abs(z[:, t]), initial=0.0)))
        b = z[:, t].astype(np.float64) / scale
        equi = spread > LSQR_EQUILIBRATE_SPREAD if equilibrate is None else equilibrate
        if not equi:
            op = LinearOperator(
                (n, p), dtype=np.float64,
                matvec=lambda v: design.matvec(np.ravel(v) / sigma).astype(np.float64),
                rmatvec=lambda u: design.rmatvec(np.ravel(u)).astype(np.float64) / sigma)
            res = lsqr(op, b, damp=np.sqrt(a) / sigma, atol=tol, btol=tol, conlim=conlim,
                       iter_lim=max_iter)
            coef[t], n_iter[t] = res[0] * (scale / sigma), res[2]
            continue
        # the augmented columns [z_j; sqrt(alpha) e_j] to unit norm: scaled by
        # ||z_j|| alone, a penalty far above a column's norm made LSQR's norm
        # estimate that of the penalty rows, and it stopped at once
        d = pow2(np.hypot(norms, np.sqrt(a)))
        pen = np.sqrt(a) / d if a > 0 else None
        m = n + (p if pen is not None else 0)

        def matvec(v, pen=pen, d=d):
            v = np.ravel(v)
            zv = design.matvec(v / d).astype(np.float64)
            return zv if pen is None else np.concatenate([zv, pen * v])

        def rmatvec(u, pen=pen, d=d):
            u = np.ravel(u)
            out = design.rmatvec(u[:n]).astype(np.float64) / d
            return out if pen is None else out + pen * u[n:]

        op = LinearOperator((m, p), matvec=matvec, rmatvec=rmatvec, dtype=np.float64)
        if pen is not None:
            b = np.concatenate([b, np.zeros(p)])
        x0 = None if coef0 is None else coef0[t].astype(np.float64) * d / scale
        res = lsqr(op, b, atol=tol, btol=tol, conlim=conlim, iter_lim=max_iter, x0=x0)
        coef[t], n_iter[t] = res[0] / d * scale, res[2]
    return coef, n_iter


def solve_lbfgs(design, z, alphas, positive, tol, max_iter):
    """scipy's L-BFGS-B on 1/2 ||Z w - z||^2 + alpha/2 ||w||^2 (w >= 0 with
    positive), as scikit-learn's 'lbfgs': it stops on tol (its gtol and ftol) or
    max_iter (default 15000), and warns when it did not converge."""
    p = design.n_features
    max_iter = LBFGS_MAX_ITER if max_iter is None else max_iter
    bounds = [(0.0, np.inf)] * p if positive else None
    coef = np.empty((z.shape[1], p))
    n_iter = np.empty(z.shape[1], dtype=np.int32)
    for t, a in enumerate(alphas):
        zt = z[:, t].astype(np.float64)

        def objective(w):
            r = design.matvec(w).astype(np.float64) - zt
            return 0.5 * (r @ r + a * (w @ w)), design.rmatvec(r).astype(np.float64) + a * w

        res = optimize.minimize(objective, np.zeros(p), method="L-BFGS-B", jac=True,
                                bounds=bounds, tol=tol,
                                options=dict(maxiter=max_iter, gtol=tol))
        if not res.success:     # scikit-learn's words (code may filter on them)
            warnings.warn(f"The lbfgs solver did not converge. Try increasing max_iter or "
                          f"tol. Currently: max_iter={max_iter} and tol={tol}",
                          ConvergenceWarning, stacklevel=3)
        coef[t], n_iter[t] = res.x, res.nit
    return coef, n_iter


# ElasticNet(l1_ratio=0) is Ridge: it starts from the exact solution when the
# direct solve costs at most this many passes over X.  Coordinate descent
# certifies the objective, not the coefficients: on a rank-deficient design the
# objective is flat along the small singular directions and the iterates stop
# far (1e-4 relative) from the solution there.
EXACT_L2_START_PASSES = 200


def exact_l2_start(X, Y, sample_weight, fit_intercept, alpha):
    """Ridge's exact coefficients (T, p) for the objective (1/2n) sum_i s_i r_i^2
    + (alpha/2) ||w||^2 (weights s summing to n), or None where a direct solve
    costs more than EXACT_L2_START_PASSES passes over X or fails.

    X is F-ordered dense or CSC (as validated), Y of shape (n, T).
    """
    n, p = X.shape
    m = min(n, p)
    if sp.issparse(X):
        passes = direct_cost_iters(X) or np.inf
    else:   # Gram matrix n p m / 2 and Cholesky m^3 / 3 BLAS-3 flops, against n p reads
        passes = DENSE_FLOP * (m / 2 + m ** 3 / (3 * n * p))
    # near float64's limits (alpha ~ 1e308) the start is 0 anyway: leave it to the kernel
    if not passes <= EXACT_L2_START_PASSES or not 0 < alpha < 1e300:
        return None
    sw = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    design = RidgeDesign(X, sw, fit_intercept)
    _, z = design.center_y(Y)
    S = design.sw_sum
    try:
        with np.errstate(all="ignore"):      # overflow shows as a non-finite answer
            coef = solve_cholesky(design, z, np.full(Y.shape[1], alpha * S))
    except (linalg.LinAlgError, ValueError):
        return None
    return coef if np.all(np.isfinite(coef)) else None


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
        'cg': a bound on the relative error of the coefficients,
        ||w - w*|| <= tol ||w|| (from the residual and alpha; with alpha = 0,
        the relative residual of the normal equations); 'lsqr': its atol and
        btol; 'cd': relative duality gap (as regfast's ElasticNet).  Unused by
        the direct solvers.
    solver : {'auto', 'cholesky', 'svd', 'cg', 'lsqr', 'cd', 'sparse_cg', \
'sag', 'saga', 'lbfgs'}, default='auto'
        'auto' gives the coefficients to 1e-8 relative or better, whatever
        ``tol``: 'cholesky' for dense X (primal when n >= p, dual when
        p > n); for sparse X, 'cg' certified to 1e-8 (see ``tol``) when it
        gets there within the cost of the direct route, else 'cholesky'
        (Gram matrices up to 4096 rows; beyond, 'cg' to 1e-8 up to
        ``max_iter``); 'cd' with ``positive=True``.
        'sparse_cg' is 'cg'; 'sag' and 'saga' run 'auto' (without
        ``positive``, as scikit-learn's); 'lbfgs' is scipy's L-BFGS-B, as
        scikit-learn's (inexact: it stops on ``tol``).
    positive : bool, default=False
        Constrain the coefficients to be non-negative ('auto', 'cd' and
        'lbfgs').
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility; every solver here is deterministic.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : ndarray of shape (n_targets,)
        Iterations of the iterative solvers ('cg', 'lsqr', 'lbfgs', 'cd'); 1 for the
        direct ones (scikit-learn gives None there).
    solver_ : str
        The solver that was run; a scikit-learn name asked for ('sparse_cg',
        'sag', 'saga', 'lbfgs') is reported as given.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> import numpy as np
    >>> import regfast
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> y = X @ [2.0, 0.0, 0.0, -1.0, 0.0] + 3 + 0.1 * rng.standard_normal(100)
    >>> model = regfast.Ridge(alpha=1.0).fit(X, y)
    >>> model.coef_.round(2), round(float(model.intercept_), 2), model.solver_
    (array([ 1.97,  0.01,  0.01, -0.99,  0.  ]), 3.0, 'cholesky')

    One alpha per target:

    >>> model = regfast.Ridge(alpha=[1.0, 100.0]).fit(X, np.column_stack([y, y]))
    >>> model.coef_[:, 0].round(2)
    array([1.97, 0.94])
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
            Target; a 2-d y is one problem per column.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, used as given.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        owner = type(self).__name__
        check_scalar_param(self.tol, "tol", owner, low=0)
        if self.max_iter is not None:
            check_scalar_param(self.max_iter, "max_iter", owner, low=1, kind="int")
        solver = check_solver(self.solver, bool(self.positive), sp.issparse(X),
                              bool(self.fit_intercept), owner)
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
            coef, solver = solve_direct(design, z, alphas)
        elif solver == "auto_sparse":
            coef, n_iter, solver = solve_auto_sparse(design, z, alphas, max_iter, owner)
        elif solver == "svd":
            coef = solve_svd(design, z, alphas)
        elif solver == "cg":
            coef, n_iter, _ = solve_cg(design, z, alphas, tol, max_iter, owner)
        elif solver == "lsqr":
            coef, n_iter = solve_lsqr(design, z, alphas, tol, max_iter)
        elif solver == "lbfgs":
            coef, n_iter = solve_lbfgs(design, z, alphas, bool(self.positive), tol, max_iter)
        else:
            coef, n_iter = solve_cd(X, Y, sw, bool(self.fit_intercept), alphas,
                                    bool(self.positive), tol,
                                    max_iter or CD_MAX_ITER, owner)
        if not np.all(np.isfinite(coef)) and solver not in ("svd", "lsqr", "cd", "lbfgs"):
            # the normal equations' intermediates (e.g. (X X^T)^-1 z) can
            # overflow where the answer does not: retry on X itself
            solver = "lsqr" if design.is_sparse else "svd"
            coef = (solve_lsqr(design, z, alphas, tol, max_iter)[0] if design.is_sparse
                    else solve_svd(design, z, alphas))
        if not np.all(np.isfinite(coef)):
            raise ValueError(f"{owner}: the coefficients overflow float64 (|y| / |X| is "
                             "too large); rescale X or y (e.g. StandardScaler)")
        self._set_fitted(coef, design.intercept(y_mean, coef), y.ndim, X.dtype)
        self.n_iter_ = n_iter
        # as asked when it is one of scikit-learn's names: code may branch on it
        self.solver_ = self.solver if self.solver in SOLVER_ALIASES else solver
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self.solver != "svd"
        return tags
