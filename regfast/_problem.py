"""A prepared least-squares problem: design, centring, weights; solved at any alpha.

`Problem` holds what does not depend on the penalty (views of X, weighted column
means, the Gram matrix in Gram mode) so that paths and cross-validation reuse it
across alphas.  `Problem.solve` runs one elastic-net fit in the Cython kernel.
"""

import numpy as np
import scipy.sparse as sp

from . import _cd
from ._gram import gram_dense
from ._validation import raise_non_finite_X

DENSE, CSC, GRAM = 0, 1, 2
# below this tol, float32 Gram-mode results are checked on X (see Problem.path)
F32_GRAM_TOL = 1e-5

# precompute='auto' uses Gram mode for dense X with n > GRAM_RATIO * p, as long
# as the p x p matrix stays small.
GRAM_RATIO = 2
GRAM_MAX_FEATURES = 4096


def excess(v, lower, upper):
    """The push of the correlations v on coefficients at 0: v where w_j may grow,
    -v where it may shrink, the larger (numpy twin of _penalty.pxd's excess)."""
    return np.maximum(np.where(upper > 0, v, -np.inf), np.where(lower < 0, -v, -np.inf))


def no_bounds(p):
    """(lower, upper) of unbounded coefficients."""
    return np.full(p, -np.inf), np.full(p, np.inf)


def kernel_arrays(X):
    """(kind, values, indices, indptr): X as the kernel reads it, without a copy
    of the values (F-ordered dense raveled, or CSC with int32/int64 indices)."""
    if sp.issparse(X):
        return (CSC, X.data, X.indices.astype(np.int32, copy=False),
                X.indptr.astype(np.int64, copy=False))
    return DENSE, X.ravel(order="F"), None, None       # a view of F-ordered X


def use_gram(X, precompute):
    """Decide Gram mode from precompute ('auto', bool or an array)."""
    if isinstance(precompute, str):
        if precompute != "auto":
            raise ValueError(f"precompute must be 'auto', a bool or an array, got {precompute!r}")
        n, p = X.shape
        return (not sp.issparse(X)) and n > GRAM_RATIO * p and p <= GRAM_MAX_FEATURES
    if hasattr(precompute, "__array__"):
        return True
    return bool(precompute)


class Problem:
    """Least squares with implicit centring, ready for the kernel.

    Parameters
    ----------
    X : ndarray (F-ordered) or CSC matrix, float32 or float64
        Not copied and never written to.
    y : ndarray of shape (n,), X's dtype
    sample_weight : ndarray of shape (n,) or None
        Already rescaled to sum to n (X's dtype).
    fit_intercept : bool
    gram : bool or ndarray
        Gram mode; an array is a user-supplied X_c^T S X_c.
    owner : str
        Name for error messages.  X may hold NaN or inf: they are found in the
        sums of the first pass over X and reported with owner's name.
    """

    def __init__(self, X, y, sample_weight, fit_intercept, gram=False, owner="regfast"):
        self.n_samples, self.n_features = X.shape
        self.dtype = X.dtype
        self.sw = sample_weight
        self.fit_intercept = fit_intercept
        self.kind, self.values, self.indices, self.indptr = kernel_arrays(X)
        self.n_eff = float(self.n_samples if sample_weight is None else sample_weight.sum())
        # weighted sums in float64 without n-sized temporaries (einsum buffers)
        self.y = y
        if fit_intercept:
            self.y_mean = float(self._wsum("i->", y) / self.n_eff)
            # X^T S 1 and X^T S y_c in one pass; X_c^T S y_c = X^T S y_c as
            # sum(S y_c) = 0 (the gradient at w = 0: alpha_max, Gram mode)
            V = np.empty((self.n_samples, 2), dtype=self.dtype, order="F")
            V[:, 0] = 1
            np.subtract(y, self.y_mean, out=V[:, 1], casting="unsafe")
            yc = V[:, 1]
            both = self._xt(V, None)
            self.xm = both[:, 0] / self.n_eff
            self.xty = both[:, 1]
        else:
            self.xm = None
            self.y_mean = 0.0
            yc = y
            self.xty = self._xt(yc, None)
        self.yy = float(self._wsum("i,i->", yc, yc))
        if not np.isfinite(self.yy):
            raise ValueError("y is too large: its sum of squares overflows float64; "
                             "rescale y (e.g. divide it by its standard deviation)")
        if not (np.isfinite(self.xty).all()
                and (self.xm is None or np.isfinite(self.xm).all())):
            raise_non_finite_X(X, owner)
        # Gram mode: a user array is checked and used; dense X builds it on
        # first use (a single alpha may need only a few of its columns)
        self.gram = None
        self._dense_X = None
        if hasattr(gram, "__array__") or (gram and self.kind == CSC):
            self.gram = self._gram(X, gram)
        elif gram:
            self._dense_X = X

    def _wsum(self, spec, *arrays):
        """Weighted sum over samples, in float64: einsum(spec) with S inserted."""
        if self.sw is None:
            return np.einsum(spec, *arrays, dtype=np.float64)
        lhs, rhs = spec.split("->")
        return np.einsum(f"{lhs},i->{rhs}" if lhs else f"i->{rhs}", *arrays, self.sw,
                         dtype=np.float64)

    def _xt(self, v, xm, cols=None):
        """X_c^T S v in float64 (xm=None: no centring); v of shape (n,) or (n, k).

        cols: only these columns (int32), in that order.
        """
        V = np.asfortranarray(v, dtype=self.dtype)
        out = _cd.xt_dot(self.kind, self.values, self.indices, self.indptr,
                         self.n_samples, self.n_features, self.sw, xm, self.n_eff,
                         V.reshape(self.n_samples, -1, order="F"), cols)
        return out[:, 0] if V.ndim == 1 else out

    def _gram(self, X, gram):
        if hasattr(gram, "__array__"):
            G = np.asarray(gram)
            p = self.n_features
            if G.shape != (p, p):
                raise ValueError(f"precompute: the Gram matrix has shape {G.shape}, "
                                 f"expected ({p}, {p})")
            G = np.asfortranarray(G, dtype=self.dtype)
            self._check_gram(X, G)
            return G
        if self.kind == DENSE:
            return gram_dense(X, self.sw, self.xm)
        return self._gram_sparse(X)

    def _gram_sparse(self, X, n_blocks=32):
        """X_c^T S X_c for CSC X, a block of columns at a time.

        X^T (a CSR view of X's arrays) times a column block (about 1/n_blocks
        of X) avoids the whole-matrix format conversion (a copy of X) that
        X.T @ X would make, for the same arithmetic; the centring is the
        rank-one correction -n_eff xm xm^T.
        """
        p = self.n_features
        block = max(1, -(-p // n_blocks))
        G = np.empty((p, p), dtype=self.dtype, order="F")
        XT = X.T
        for start in range(0, p, block):
            blk = X[:, start:start + block]
            if self.sw is not None:
                blk = sp.csc_matrix(blk.multiply(self.sw[:, None]))
            cols = (XT @ blk).toarray().astype(np.float64)
            if self.xm is not None:
                cols -= self.n_eff * np.outer(self.xm, self.xm[start:start + block])
            G[:, start:start + block] = cols
        return G

    def _check_gram(self, X, G):
        """A user Gram matrix must be that of the centred, weighted X: check one column."""
        j = int(np.argmax(np.abs(np.diag(G)))) if G.size else 0
        e = np.zeros(self.n_features)
        e[j] = 1.0
        col = X @ e if self.kind == DENSE else np.asarray(X[:, j].todense()).ravel()
        if self.xm is not None:
            col = col - self.xm[j]
        ref = self._xt(col, self.xm)
        if not np.allclose(ref, G[:, j], rtol=1e-4, atol=1e-6 * max(1.0, np.abs(ref).max())):
            raise ValueError(
                "precompute: the Gram matrix does not match X (checked one column); "
                "it must be X_c^T S X_c for the centred (fit_intercept=True), "
                "sample-weighted X")

    def alpha_max(self, l1_ratio, penalty_factor):
        """Smallest alpha at which all penalised coefficients are zero."""
        if l1_ratio <= 0:
            raise ValueError("alpha_max is infinite for l1_ratio=0 (no L1 part)")
        pen = penalty_factor > 0
        return float(np.max(np.abs(self.xty[pen]) / penalty_factor[pen])
                     / (self.n_eff * l1_ratio))

    def path(self, alphas, l1_ratio, penalty_factor, coef, *, bounds=None,
             tol=1e-4, max_iter=1000, selection="cyclic", seed=1,
             use_ws=True, use_screening=True):
        """Fit along alphas (in the order given), warm-starting each from the last.

        coef (float64, length p) is the starting point and holds the last
        solution on return; bounds is (lower, upper) from check_bounds
        (None: unbounded).  Returns (coefs of shape (p, n_alphas), gaps in
        scikit-learn's units (objective with the 1/(2n) factor), epochs per
        alpha, converged flags).
        """
        lower, upper = no_bounds(self.n_features) if bounds is None else bounds
        options = dict(lower=lower, upper=upper, tol=float(tol), max_iter=int(max_iter),
                       random=selection == "random", seed=int(seed), use_ws=use_ws,
                       use_screening=use_screening)
        alphas = np.ascontiguousarray(alphas, dtype=np.float64)
        pf = np.ascontiguousarray(penalty_factor, dtype=np.float64)
        gram_mode = self.gram is not None or self._dense_X is not None
        # A float32 Gram matrix cannot certify relative gaps much below 1e-6
        # (X^T X and the gradient state round at 1e-7 relative, and the gap
        # comes out of their cancellation).  At such a tol a path runs on X
        # itself, and one alpha is checked, and finished if need be, on X.
        on_X_too = gram_mode and self.dtype == np.float32 and tol < F32_GRAM_TOL
        if not gram_mode or (on_X_too and len(alphas) > 1):
            coefs, gaps, n_iters, converged = self._data_fit(
                alphas, l1_ratio, pf, coef, options)
            return coefs, gaps / self.n_samples, n_iters, converged
        if self.gram is None and len(alphas) == 1 and l1_ratio > 0:
            # subsets pay off for sparse solutions; pure L2 needs every column
            coefs, gaps, n_iters, converged = self._solve_on_gram_subsets(
                alphas, l1_ratio, pf, coef, options)
        else:
            if self.gram is None:
                self.gram = gram_dense(self._dense_X, self.sw, self.xm)
            coefs, gaps, n_iters, converged = self._gram_fit(
                self.gram, self.xty, alphas, l1_ratio, pf, coef, options)
            coef[:] = coefs[:, -1]
        if on_X_too:
            left = max(0, options["max_iter"] - int(n_iters[0]))
            coefs, gaps, more, converged = self._data_fit(
                alphas, l1_ratio, pf, coef, {**options, "max_iter": left})
            n_iters = n_iters + more
        return coefs, gaps / self.n_samples, n_iters, converged

    def _data_fit(self, alphas, l1_ratio, pf, coef, options):
        """The kernel on X itself (dense or CSC); the state vector is the residual."""
        return _cd.enet_path_fit(self.kind, self.values, self.indices, self.indptr,
                                 self.n_samples, self.n_features, self.y, self.sw,
                                 self.xm, self.n_eff, self.y_mean, self.yy, coef,
                                 alphas, float(l1_ratio), pf, **options)

    def _gram_fit(self, G, xty, alphas, l1_ratio, pf, coef, options):
        """The kernel in Gram mode on G (the state vector is the gradient)."""
        return _cd.enet_path_fit(GRAM, G.ravel(order="F"), None, None, self.n_samples,
                                 G.shape[0], xty, None, None, self.n_eff, self.y_mean,
                                 self.yy, coef, alphas, float(l1_ratio), pf, **options)

    def _solve_on_gram_subsets(self, alphas, l1_ratio, pf, coef, options):
        """One alpha in Gram mode with only the Gram columns it needs.

        Solve on a feature subset S with the Gram matrix of S alone, then check
        the optimality condition |X_j^T R| <= lam_j of every feature outside S
        on the true residual.  When it holds, the dual point of the subproblem
        is feasible for the full problem, so the subproblem's duality gap
        certifies the full one; otherwise the violators join S.  A sparse
        solution costs a few passes over X instead of the n p^2 of the full
        Gram matrix.
        """
        X, p, alpha = self._dense_X, self.n_features, alphas[0]
        lower, upper = options["lower"], options["upper"]
        lam = self.n_eff * alpha * l1_ratio * pf
        score = excess(self.xty, lower, upper)
        score = np.where(pf > 0, score / np.where(pf > 0, pf, 1.0), np.inf)
        score[coef != 0] = np.inf
        size = min(p, max(32, 2 * int(np.sum(np.isinf(score)))))
        S = np.sort(np.argsort(-score, kind="stable")[:size]).astype(np.int32)
        max_iter, total_iter, G, complete = options["max_iter"], 0, None, False
        # Each round solves on S, then checks the features outside S.  It ends
        # (1) when S is everything: the kernel's gap is the full problem's;
        # (2) when no feature outside S violates its condition and the
        #     subproblem converged or the epochs ran out: the subproblem's gap
        #     certifies the full problem;
        # (3) when the epochs ran out with violators left: the full problem's
        #     gap at coef is computed on X.
        while True:
            if G is None or G.shape[0] < len(S):
                G = gram_dense(X, self.sw, self.xm, cols=S, prev=G)
            remaining = max_iter - total_iter
            # keep epochs for later rounds until S is known to hold the support
            budget = remaining if complete or len(S) == p else max(1, remaining // 2)
            w_S = coef[S].copy()
            _, gaps, n_iters, converged = self._gram_fit(
                G, self.xty[S], alphas, l1_ratio, pf[S], w_S,
                {**options, "max_iter": budget, "lower": lower[S], "upper": upper[S]})
            total_iter += int(n_iters[0])
            coef[:] = 0.0
            coef[S] = w_S
            if len(S) == p:
                break                                               # (1)
            outside = np.ones(p, dtype=bool)
            outside[S] = False
            rest = np.flatnonzero(outside).astype(np.int32)
            grad = self._xt(self._residual(coef), self.xm, cols=rest)
            over = excess(grad, lower[rest], upper[rest]) - lam[rest]
            violators = rest[over > 0]
            complete = violators.size == 0
            if complete and (converged[0] or total_iter >= max_iter):
                break                                               # (2)
            if complete:
                continue              # short of tol on the right S: go on
            if total_iter >= max_iter:
                # no epochs: just the gap (and the exact step of unpenalised
                # features, which the kernel takes before every gap)
                coefs, gaps, _, converged = self._data_fit(
                    alphas, l1_ratio, pf, coef, {**options, "max_iter": 0})
                coef[:] = coefs[:, 0]
                break                                               # (3)
            # the violators, and as many (at least 8) of the features closest
            # to violating: insurance against another pass over X
            n_extra = min(len(S), max(violators.size, 8))
            order = np.argsort(-over, kind="stable")
            extra = rest[order[over[order] <= 0][:n_extra]]
            # S grows at its end, so the Gram matrix of S so far is reused
            S = np.concatenate([S, violators, extra]).astype(np.int32)
        return (coef[:, None].copy(), gaps, np.array([total_iter], dtype=np.int32),
                converged)

    def _residual(self, coef):
        """The residual y_c - X_c coef (X's dtype), reading only the support's columns."""
        return _cd.residual(self.kind, self.values, self.indices, self.indptr,
                            self.n_samples, self.n_features, self.y, self.sw, self.xm,
                            self.n_eff, self.y_mean, coef)

    def solve(self, alpha, l1_ratio, penalty_factor, coef, **options):
        """Fit at one alpha from coef (float64, updated in place).

        Returns (gap, n_iter, converged); gap in scikit-learn's units.
        """
        _, gaps, n_iters, converged = self.path([alpha], l1_ratio, penalty_factor,
                                                coef, **options)
        return float(gaps[0]), int(n_iters[0]), bool(converged[0])

    def intercept(self, coef):
        """Intercept that goes with coef (0 without fit_intercept)."""
        if self.xm is None:
            return 0.0
        return self.y_mean - float(np.dot(self.xm, coef))
