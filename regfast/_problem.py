"""A prepared least-squares problem: design, centring, weights; solved at any alpha.

`Problem` holds what does not depend on the penalty (views of X, weighted column
means, the Gram matrix in Gram mode) so that paths and cross-validation reuse it
across alphas.  `Problem.solve` runs one elastic-net fit in the Cython kernel.
"""

import copy
import warnings

import numpy as np
import scipy.sparse as sp

from . import _cd
from ._gram import gram_csc, gram_dense
from ._validation import raise_non_finite_X

DENSE, CSC, GRAM = 0, 1, 2
# below this tol, float32 Gram-mode results are checked on X (see Problem.path)
F32_GRAM_TOL = 1e-5
# float32 X: below this tol the kernel keeps its state (the residual; the GLM's
# linear predictor and Newton weights) in float64 while still reading X as
# float32.  A float32 residual drifts by ~1e-7 relative per update, which
# stalls the gap near tol 1e-7 (dense_wide, alpha_max/10: 100000 epochs without
# reaching 1e-8, against 65 epochs with a float64 state) and slows it from
# about 1e-6; above it, a float32 state is up to ~20% cheaper an epoch.
F32_STATE_TOL = 1e-5


def state_dtype(dtype, tol):
    """The dtype of the kernel's state for X of this dtype at this tol."""
    if dtype == np.float32 and tol < F32_STATE_TOL:
        return np.dtype(np.float64)
    return np.dtype(dtype)


def float32_rounding_note(dtype, n_iter, max_iter):
    """What a ConvergenceWarning adds when float32 rounding, not the epochs, is
    what keeps the gap above tol (the kernel reports the gap of the float32
    coefficients the caller gets)."""
    if dtype != np.float32 or n_iter >= max_iter:
        return ""
    return (" The solver met the tolerance, but the coefficients are float32 (X's "
            "dtype) and rounding them leaves this gap: pass float64 X for a tighter fit.")


def in_state_dtype(a, dtype):
    """a (targets or sample weights, or None) in the state's dtype."""
    return None if a is None else np.asarray(a, dtype=dtype, order="F")

# precompute='auto' uses Gram mode for X with n > GRAM_RATIO * p, as long as
# the p x p matrix stays small; for sparse X also only when forming it (the sum
# over rows of the squared row counts) costs at most GRAM_SPARSE_EPOCHS full
# epochs over X, which Gram mode's O(p) updates repay many times on a path.
GRAM_RATIO = 2
GRAM_MAX_FEATURES = 4096
GRAM_SPARSE_EPOCHS = 50


def excess(v, lower, upper):
    """The push of the correlations v on coefficients at 0: v where w_j may grow,
    -v where it may shrink, the larger (numpy twin of _penalty.pxd's excess)."""
    return np.maximum(np.where(upper > 0, v, -np.inf), np.where(lower < 0, -v, -np.inf))


def no_bounds(p):
    """(lower, upper) of unbounded coefficients."""
    return np.full(p, -np.inf), np.full(p, np.inf)


def sparse_gram(X, sw, xm, n_eff):
    """X_c^T S X_c (float64, F order) of CSC X, centred by xm (or not: None).

    Formed row by row (cost: the sum of the squared row counts) without a copy
    of X; X's indices must be sorted (canonical CSC, as validation leaves it).
    """
    if not X.has_sorted_indices:
        X = X.sorted_indices()
    return gram_csc(X.data, X.indices.astype(np.int32, copy=False),
                    X.indptr.astype(np.int64, copy=False), X.shape[0],
                    None if sw is None else np.asarray(sw, dtype=np.float64),
                    xm, float(n_eff))


def kernel_arrays(X):
    """(kind, values, indices, indptr): X as the kernel reads it, without a copy
    of the values (F-ordered dense raveled, or CSC with int32/int64 indices)."""
    if sp.issparse(X):
        return (CSC, X.data, X.indices.astype(np.int32, copy=False),
                X.indptr.astype(np.int64, copy=False))
    return DENSE, X.ravel(order="F"), None, None       # a view of F-ordered X


def constant_columns(X, xm, sw=None):
    """(indices, values) of the columns of X whose values are all equal (on the
    rows of positive weight sw, when given: the others do not enter the fit).

    Their weighted mean carries rounding (a sum of n equal values is rarely n
    times the value), so centred they would be a tiny non-zero constant that
    an unpenalised fit (alpha = 0 or pf_j = 0) scales up to a huge
    coefficient, which rounding in the intercept then turns into wrong
    predictions (or an overflow: one positive weight, Ridge at alpha = 0).
    Only the columns whose mean is within rounding of their first value are
    read in full (dense), or those storing a value on every weighted row (CSC:
    a column with implicit zeros there is constant only if all zero there,
    and then its mean is exactly 0 already).
    """
    rows = None if sw is None or np.all(sw > 0) else np.flatnonzero(sw > 0)
    if rows is not None:
        X = X[rows]               # rarely taken: zero weights; a copy of those rows
    n = X.shape[0]
    first = column_values(X, np.arange(X.shape[1]))
    # float32 X: the mean is taken with the weights rounded to float32, which
    # alone moves it by up to float32's eps relative (a float64 eps here missed
    # such columns, and Ridge 'lsqr' fitted w ~ 1e15 on one); only a candidate
    # test: the values are compared exactly below
    eps = np.finfo(X.dtype).eps if X.dtype == np.float32 else np.finfo(float).eps
    close = np.abs(xm - first) <= 4 * max(n, 16) * eps * np.abs(first)
    close &= first != 0
    if sp.issparse(X):
        X = sp.csc_matrix(X)
        close &= np.diff(X.indptr) == n
        cand = np.flatnonzero(close)
        const = np.array([j for j in cand if np.all(
            X.data[X.indptr[j]:X.indptr[j + 1]] == X.data[X.indptr[j]])], dtype=np.intp)
    else:
        cand = np.flatnonzero(close)
        const = cand[np.all(X[:, cand] == X[0, cand], axis=0)] if cand.size else cand
    return const, first[const]


def column_values(X, cols):
    """The first value of each of the columns cols (dense: row 0; CSC: first stored)."""
    if sp.issparse(X):
        start = X.indptr[:-1][cols]
        has = np.diff(X.indptr)[cols] > 0
        return np.where(has, X.data[np.minimum(start, max(X.nnz - 1, 0))] if X.nnz
                        else 0.0, 0.0).astype(np.float64)
    return np.asarray(X[0, cols], dtype=np.float64) if X.shape[0] else np.zeros(len(cols))


def use_gram(X, precompute):
    """Decide Gram mode from precompute ('auto', bool or an array)."""
    if isinstance(precompute, str):
        if precompute != "auto":
            raise ValueError(f"precompute must be 'auto', a bool or an array, got {precompute!r}")
        n, p = X.shape
        if not (n > GRAM_RATIO * p and p <= GRAM_MAX_FEATURES):
            return False
        if not sp.issparse(X):
            return True
        counts = np.bincount(X.indices, minlength=n).astype(np.float64)
        return float(counts @ counts) <= GRAM_SPARSE_EPOCHS * max(X.nnz, 1)
    if hasattr(precompute, "__array__"):
        return True
    return bool(precompute)


def check_sums(X, xty, yy, xm, owner):
    """Refuse a y whose y_c^T S y_c overflows, and X holding NaN/inf (seen in its sums)."""
    if not np.all(np.isfinite(yy)):
        raise ValueError("y is too large: its sum of squares overflows float64; "
                         "rescale y (e.g. divide it by its standard deviation)")
    if not (np.isfinite(xty).all() and (xm is None or np.isfinite(xm).all())):
        raise_non_finite_X(X, owner)


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
        # summed in float64: a float32 sum is off by ~1e-7, and so would the means be
        self.n_eff = float(self.n_samples if sample_weight is None
                           else np.sum(sample_weight, dtype=np.float64))
        # weighted sums in float64 without n-sized temporaries (einsum buffers)
        self.y = y
        if fit_intercept:
            self.y_mean = float(self._wsum("i->", y) / self.n_eff)
            if self.n_samples and np.all(y == y[0]):
                self.y_mean = float(y[0])     # y_c exactly 0, not rounding noise
            # X^T S 1 and X^T S y_c in one pass; X_c^T S y_c = X^T S y_c as
            # sum(S y_c) = 0 (the gradient at w = 0: alpha_max, Gram mode)
            V = np.empty((self.n_samples, 2), dtype=self.dtype, order="F")
            V[:, 0] = 1
            np.subtract(y, self.y_mean, out=V[:, 1], casting="unsafe")
            yc = V[:, 1]
            both = self._xt(V, None)
            self.xm = both[:, 0] / self.n_eff
            self.xty = both[:, 1]
            const, values = constant_columns(X, self.xm, sample_weight)
            self._const = const
            self.xm[const] = values
            self.xty[const] = 0.0
        else:
            self.xm = None
            self.y_mean = 0.0
            yc = y
            self.xty = self._xt(yc, None)
        self.yy = float(self._wsum("i,i->", yc, yc))
        check_sums(X, self.xty, self.yy, self.xm, owner)
        # Gram mode: a user array is checked and used; dense X builds it on
        # first use (a single alpha may need only a few of its columns)
        self.gram = None
        self._dense_X = None
        # whether the Gram matrix's entries carry float32 rounding (see `path`):
        # dense float32 X forms it in float32 BLAS; CSC's is summed in float64
        self._f32_gram = (self.dtype == np.float32 and self.kind == DENSE
                          or np.asarray(gram).dtype == np.float32)
        if hasattr(gram, "__array__") or (gram and self.kind == CSC):
            self.gram = self._gram(X, gram)
        elif gram:
            self._dense_X = X

    @classmethod
    def from_statistics(cls, gram, xty, yy, xm, y_mean, n_samples, n_eff):
        """A Gram-mode Problem from sufficient statistics alone (no X).

        For data that never sits in one process (regfast.dask): gram is
        X_c^T S X_c (float64, F-ordered), xty X_c^T S y_c, yy y_c^T S y_c, xm
        and y_mean the weighted means (xm None: no intercept), n_eff the sum
        of the weights S (rescaled to n_samples, as Problem's).  Paths, the
        alpha grid and `intercept` work as on a Problem built from X; the
        float32 re-check on X (see `path`) does not apply: the statistics
        are float64.
        """
        self = cls.__new__(cls)
        self.n_samples, self.n_features = int(n_samples), gram.shape[0]
        self.dtype = np.dtype(np.float64)
        self.sw = self.y = self.values = self.indices = self.indptr = None
        self.kind = GRAM
        self.fit_intercept = xm is not None
        self.gram = np.asfortranarray(gram, dtype=np.float64)
        self._dense_X = None
        self._f32_gram = False
        self.xty = np.asarray(xty, dtype=np.float64)
        self.yy, self.xm, self.y_mean = float(yy), xm, float(y_mean)
        self.n_eff = float(n_eff)
        return self

    def for_targets(self, X, Y, owner="regfast"):
        """Problems for more targets on this one's X: one per column of Y.

        Y: (n, k) in X's dtype.  X, its weighted means and constant columns,
        and the Gram matrix when built (see `build_gram`) are shared, not
        recomputed: each target has its own mean, X_c^T S y_c and y_c^T S y_c,
        all k from one pass over X.  The problems only read what they share,
        so they can be solved in parallel threads.
        """
        Y = np.asfortranarray(Y, dtype=self.dtype)
        if self.fit_intercept:
            means = self._wsum("ik->k", Y) / self.n_eff
            const = np.all(Y == Y[:1], axis=0)
            means[const] = Y[0, const]          # as in __init__: y_c exactly 0
            Yc = np.empty_like(Y, order="F")
            np.subtract(Y, means.astype(self.dtype), out=Yc, casting="unsafe")
        else:
            means, Yc = np.zeros(Y.shape[1]), Y
        xty = self._xt(Yc, None)                # = X_c^T S y_c, as in __init__
        if self.fit_intercept:
            xty[self._const] = 0.0
        yy = self._wsum("ik,ik->k", Yc, Yc)
        check_sums(X, xty, yy, self.xm, owner)
        problems = []
        for k in range(Y.shape[1]):
            problem = copy.copy(self)
            problem.y, problem.y_mean = Y[:, k], float(means[k])
            problem.xty, problem.yy = np.ascontiguousarray(xty[:, k]), float(yy[k])
            problems.append(problem)
        return problems

    def build_gram(self):
        """Form the whole Gram matrix now (Gram mode on dense X forms it lazily)."""
        if self.gram is None and self._dense_X is not None:
            self.gram = gram_dense(self._dense_X, self.sw, self.xm)

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
            # the kernel's state in float64 whatever G's dtype: a float32
            # state drifts by 1e-7 relative per update
            G = np.asfortranarray(G, dtype=np.float64)
            if self._gram_matches(X, G, self.xm):
                return G
            if self.xm is None or not self._gram_matches(X, G, None):
                raise ValueError(
                    "precompute: the Gram matrix did not pass validation: it does not "
                    "match X (checked one column); it must be X_c^T S X_c for the "
                    "centred (fit_intercept=True), sample-weighted X")
            # X^T S X of the uncentred X, as scikit-learn users pass it: its
            # warning and its remedy
            warnings.warn("Gram matrix was provided but X was centered to fit "
                          "intercept: recomputing Gram matrix.", UserWarning, stacklevel=2)
        if self.kind == DENSE:
            return gram_dense(X, self.sw, self.xm)
        return self._gram_sparse(X)

    def _gram_sparse(self, X):
        return sparse_gram(X, self.sw, self.xm, self.n_eff)   # float64 for float32 X too

    def _gram_matches(self, X, G, xm):
        """Whether G is X_c^T S X_c for X centred by xm (None: not centred).

        One column is checked: the one of G's largest diagonal entry.
        """
        j = int(np.argmax(np.abs(np.diag(G)))) if G.size else 0
        e = np.zeros(self.n_features)
        e[j] = 1.0
        col = X @ e if self.kind == DENSE else np.asarray(X[:, j].todense()).ravel()
        if xm is not None:
            col = col - xm[j]
        ref = self._xt(col, xm)
        return np.allclose(ref, G[:, j], rtol=1e-4, atol=1e-6 * max(1.0, np.abs(ref).max()))

    def alpha_max(self, l1_ratio, penalty_factor):
        """Smallest alpha at which all penalised coefficients are zero."""
        if l1_ratio <= 0:
            raise ValueError("alpha_max is infinite for l1_ratio=0 (no L1 part)")
        pen = penalty_factor > 0
        return float(np.max(np.abs(self.xty[pen]) / penalty_factor[pen])
                     / (self.n_eff * l1_ratio))

    def path(self, alphas, l1_ratio, penalty_factor, coef, *, bounds=None,
             tol=1e-4, max_iter=1000, selection="cyclic", seed=1,
             use_ws=True, use_screening=True, n_threads=1):
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
                       use_screening=use_screening, n_threads=int(n_threads))
        alphas = np.ascontiguousarray(alphas, dtype=np.float64)
        pf = np.ascontiguousarray(penalty_factor, dtype=np.float64)
        gram_mode = self.gram is not None or self._dense_X is not None
        # A Gram matrix formed in float32 cannot certify relative gaps much
        # below 1e-6 (its entries round at 1e-7 relative, and the gap comes out
        # of their cancellation).  At such a tol a path runs on X itself, and
        # one alpha is checked, and finished if need be, on X.
        on_X_too = gram_mode and self._f32_gram and tol < F32_GRAM_TOL
        if not gram_mode or (on_X_too and len(alphas) > 1):
            coefs, gaps, n_iters, converged = self._data_fit(
                alphas, l1_ratio, pf, coef, options)
            return coefs, gaps / self.n_samples, n_iters, converged
        if self.gram is None and len(alphas) == 1 and l1_ratio > 0:
            # subsets pay off for sparse solutions; pure L2 needs every column
            coefs, gaps, n_iters, converged = self._solve_on_gram_subsets(
                alphas, l1_ratio, pf, coef, options)
        else:
            self.build_gram()
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
        """The kernel on X itself (dense or CSC); the state vector is the residual
        (float64 for float32 X at a tol below F32_STATE_TOL)."""
        dtype = state_dtype(self.dtype, options["tol"])
        return _cd.enet_path_fit(self.kind, self.values, self.indices, self.indptr,
                                 self.n_samples, self.n_features,
                                 in_state_dtype(self.y, dtype), in_state_dtype(self.sw, dtype),
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
        # n alpha beyond 1e308: inf (w_j held at 0), and exactly 0 where pf_j = 0
        # or l1_ratio = 0 (not inf * 0 = nan)
        with np.errstate(over="ignore", invalid="ignore"):
            lam = np.where((pf > 0) & (l1_ratio > 0), self.n_eff * alpha * l1_ratio * pf, 0.0)
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
