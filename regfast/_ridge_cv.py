"""RidgeCV: many alphas for the price of one decomposition.

Leave-one-out errors come from one eigendecomposition (of Z Z^T when n <= p,
of Z^T Z otherwise) or one SVD of the centred, weighted design Z, exactly as
scikit-learn's ``_RidgeGCV`` computes them (Rifkin & Lippert, 2007): with
G = Z Z^T + alpha I, the LOO residual of sample i is c_i / d_i, where
c = G^-1 z and d = diag(G^-1) - (G^-1 s^1/2)_i s_i^1/2 / sum(s) (the last term
with an intercept only).  Both are evaluated for all alphas at once, block of
rows by block of rows (one gemm per block), so n x p work arrays are never
formed for dense X.  When n > p the n x p x n_alphas products shrink further
with a low-rank factorisation of the p x n_alphas matrix 1 / (lam + alpha),
truncated below rounding level (see `low_rank`).
``cv=k`` scores every alpha on each fold from one decomposition of the fold's
training design, as a grid search of `Ridge` over the folds would; on sparse
X with few alphas, from one `Ridge` solve per alpha instead (see fold_path).
"""

import warnings
from inspect import signature

import numpy as np
import scipy.sparse as sp
from scipy import linalg
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv

from ._ridge import Ridge, RidgePredictMixin, solve_auto_sparse
from ._ridge_design import BLOCK_VALUES, RidgeDesign
from ._validation import as_csc, check_alphas, check_sample_weight, validate_X_y


class _Identity(RegressorMixin, BaseEstimator):
    """A fitted 'estimator' whose predictions are its input (to reuse scorers)."""

    def predict(self, y):
        return y


def eigh_gram(G, upper_only=False):
    """Eigendecomposition (LAPACK syevd, float64) of the symmetric matrix G
    (only its upper triangle filled if upper_only); G may be overwritten.

    A full G is read from its lower triangle, as scikit-learn does: on an
    ill-conditioned Gram matrix the two triangles give eigenvectors that
    differ at rounding level, which LOO errors at small alphas amplify.
    """
    return linalg.eigh(G.astype(np.float64, copy=False), lower=not upper_only,
                       overwrite_a=True, check_finite=False, driver="evd")


def low_rank(F, w):
    """F = P Q with P of shape (r, m), Q (m, A) when that saves flops, else None.

    w scales the rows of F into (0, 1] and those of the matrices F multiplies
    by 1/w: (B * B) / w then has rows of 1-norm at most 1 (leverages), so an
    entrywise error d in w F moves each leverage by at most d, and each fitted
    value by at most d ||z||, the form of the rounding error of the direct
    sum over r terms (there r eps).  The factors are the SVD of w F truncated
    where the omitted singular values' norm falls below 4 sqrt(min(r, A)) eps
    (their noise floor is about eps; they decay fast to it when the
    eigenvalues and alphas make 1 / (lam + alpha) smooth).
    """
    r, A = F.shape
    if min(r, A) < 8:
        return None
    U, s, Vt = linalg.svd(F * w[:, None], full_matrices=False, check_finite=False,
                          lapack_driver="gesvd")    # (gesdd: a noisier floor)
    tail = np.sqrt(np.cumsum((s * s)[::-1]))[::-1]      # tail[j] = ||s[j:]||
    m = int(np.count_nonzero(tail > 4 * np.sqrt(min(r, A)) * np.finfo(np.float64).eps))
    if m * (r + A) > 0.7 * r * A:
        return None
    return (U[:, :m] * s[:m]) / w[:, None], Vt[:m]


def spectrum_scale(lam, alphas):
    """(c, sqrt(c)): powers of two by which lam and alpha are divided when
    1 / (lam + alpha) would leave float64's range, else (1, 1).

    The Gram matrix squares X's magnitude: |X| ~ 1e-153 puts its eigenvalues
    near 1e-305 and a proportionate alpha at a subnormal 4e-309, where
    1 / (lam + alpha) overflows to inf on a zero eigenvalue (a constant
    column, zero once centred) and inf * 0 made the LOO scores nan.  Ridge is
    invariant under (Z, alpha) -> (Z / sqrt(c), alpha / c), so the formulas
    run on the spectrum in units of c near max(lam_max, alpha_min), exactly
    (c = 4^m).
    """
    top = max(float(np.max(lam, initial=0.0)), float(np.min(alphas)))
    if not 0 < top < np.inf or 2.0 ** -400 < top < 2.0 ** 400:
        return 1.0, 1.0
    m = int(np.round(np.log2(top) / 2))
    return np.ldexp(1.0, 2 * m), np.ldexp(1.0, m)


class LooDecomposition:
    """Everything LOO needs from one decomposition of Z, for any alpha.

    kind 'gram': Z Z^T = U diag(lam) U^T with U of shape (n, n);
    kind 'cov':  Z^T Z = V diag(lam) V^T, and W = Z V (blocks of rows of it).
    """

    def __init__(self, design, z, mode):
        n, p = design.n_samples, design.n_features
        self.design, self.n_targets = design, z.shape[1]
        self.sqrt_sw = None
        if design.xm is not None:
            self.sqrt_sw = np.ones(n) if design.sw is None else np.sqrt(design.sw)
        if mode == "svd":
            U, s, Vt = linalg.svd(design.dense(np.float64), full_matrices=False,
                                  overwrite_a=True, check_finite=False)
            self.lam = s * s
            if n <= p:
                self.kind, self.U = "gram", U
            else:
                self.kind, self.V, self._W = "cov", Vt.T, U * s
        elif mode == "gram":
            self.kind = "gram"
            self.lam, self.U = eigh_gram(design.gram_samples(mirror=False), upper_only=True)
        else:
            self.kind, self._W = "cov", None
            self.lam, self.V = eigh_gram(design.gram_features())
        # With an intercept, d also needs alpha G^-1 s^1/2.  In the 'cov' form
        # that is s^1/2 itself (Z^T s^1/2 = 0).  In the 'gram' form s^1/2 is a
        # near-null eigenvector of Z Z^T: it is carried along like z (as
        # scikit-learn does) so that rounding in Z Z^T cancels between c and d.
        if self.kind == "gram" and self.sqrt_sw is not None:
            z = np.column_stack([z, self.sqrt_sw])
        self.z = z
        if self.kind == "gram":
            self.proj = self.U.T @ z                           # U^T z
        else:
            self.proj = self.V.T @ design.rmatvec(z).astype(np.float64)   # W^T z

    def _blocks(self, step):
        """(rows, B) with B the rows of U ('gram') or of W = Z V ('cov')."""
        if self.kind == "gram" or self._W is not None:
            M = self.U if self.kind == "gram" else self._W
            for i0 in range(0, M.shape[0], step):
                rows = slice(i0, min(i0 + step, M.shape[0]))
                yield rows, M[rows]
        else:
            yield from self.design.row_blocks(self.V, step,
                                              frob2=float(np.sum(self.lam)))

    def loo_residuals(self, alphas):
        """Yield (rows, E) with E[i, t, a] the LOO residual of z at alphas[a].

        With B the block's rows of U or W and c = proj, the diagonal of
        alpha G^-1 and alpha G^-1 z for all alphas are (B * B) F and
        B diag(c_t) F: k + 1 gemms, thin ones when F = P Q.
        """
        lam = np.maximum(self.lam, 0.0)[:, None]
        a = np.asarray(alphas, dtype=np.float64)[None, :]
        gram = self.kind == "gram"
        # in units of c (see spectrum_scale): W F W^T = (W / sqrt c) (c F) (W / sqrt c)^T
        c, root_c = (1.0, 1.0) if gram else spectrum_scale(lam, a)
        lam, a = lam / c, a / c
        # gram: a / (lam + a) without inf / inf for lam >> a
        with np.errstate(over="ignore"):
            F = 1.0 / (1.0 + lam / a) if gram else 1.0 / (lam + a)
        # gram: alpha G^-1 = U F U^T;  cov: alpha G^-1 = I - W F W^T
        r, A = F.shape
        k = self.z.shape[1]
        # 'cov' (n > p): F (rows scaled into (0, 1]) of low rank saves most of
        # the n r A products; 'gram' has r = n, and the SVD would cost as much
        PQ = None if gram else low_rank(F, lam[:, 0] + a.min())
        P, Q = (F, None) if PQ is None else PQ
        m = P.shape[1]
        cP = (self.proj / root_c).T[:, :, None] * P       # diag(c_t) P, (k, r, m)
        # rows per block: keep the blocks (rows x max(r, A)) a few MB
        step = max(1, BLOCK_VALUES // ((k + 1) * max(r, A)))
        BB = np.empty((0, r))
        for rows, B in self._blocks(step):
            b = B.shape[0]
            if root_c != 1.0:
                B = B / root_c
            if BB.shape[0] < b:
                BB = np.empty((b, r), order="F")      # as B (F-ordered rows)
            np.multiply(B, B, out=BB[:b])
            R = np.empty((k + 1, b, m))
            np.matmul(BB[:b], P, out=R[0])
            for t in range(k):
                np.matmul(B, cP[t], out=R[t + 1])
            if Q is not None:
                R = (R.reshape((k + 1) * b, m) @ Q).reshape(k + 1, b, A)
            ad, AC = R[0], R[1:]
            if not gram:
                np.subtract(1.0, ad, out=ad)
                np.subtract(self.z[rows].T[:, :, None], AC, out=AC)
            if self.sqrt_sw is not None:     # the intercept's share of leverage
                s = self.sqrt_sw[rows, None]
                ad -= (AC[-1] if gram else s) * (s / self.design.sw_sum)
            E = AC[:self.n_targets]
            np.divide(E, ad, out=E)
            yield rows, E.transpose(1, 0, 2)

    def coef(self, alphas):
        """Coefficients (T, p) with alphas[t] for target t."""
        lam = np.maximum(self.lam, 0.0)[:, None]
        # |proj| / (lam + alpha) may be subnormal (y ~ 1e-150, alpha ~ 1e166:
        # u ~ 1e-316 held 10% errors in coef_): solve for z / tau, tau a power
        # of two near |proj|, and scale back (exact)
        proj = self.proj[:, :self.n_targets]
        top = np.max(np.abs(proj), axis=0, initial=0.0)
        ok = (top > 0) & np.isfinite(top)
        tau = 2.0 ** np.minimum(np.ceil(np.log2(np.where(ok, top, 1.0))), 1023)
        # and lam + alpha in units of c (see spectrum_scale): D / c is the solution
        c, _ = spectrum_scale(lam, alphas)
        with np.errstate(over="ignore"):
            D = (proj / tau) / ((lam + alphas[None, :]) / c)
        if self.kind == "gram":
            return (self.design.rmatvec(self.U @ D).T.astype(np.float64) / c) * tau[:, None]
        return ((self.V @ D).T / c) * tau[:, None]


# sparse X: up to this many alphas, one Ridge solve each (exact, Ridge's own
# route) instead of one eigendecomposition, ~9 m^3 flops for the m x m Gram
# matrix: each solve costs at most a Cholesky (m^3 / 3) and mostly a few
# hundred CG products (we8there, cv=5, 10 alphas: 17 s of eigendecompositions)
FOLD_SOLVES_MAX = 20


def fold_path(X, y, sample_weight, fit_intercept, alphas):
    """Ridge on (X, y) at every alpha: from one eigendecomposition of the Gram
    matrix (Z^T Z when n >= p, Z Z^T otherwise), or on sparse X with at most
    FOLD_SOLVES_MAX alphas from one exact Ridge solve per alpha.

    Returns coef of shape (p, T, n_alphas) and intercepts (T, n_alphas).
    """
    design = RidgeDesign(X, sample_weight, fit_intercept)
    y_mean, z = design.center_y(y.reshape(len(y), -1))
    n, p = X.shape
    T = z.shape[1]
    A = len(alphas)
    if design.is_sparse and A <= FOLD_SOLVES_MAX:
        coef = np.empty((p, T, A))
        for a, alpha in enumerate(alphas):
            coef[:, :, a] = solve_auto_sparse(design, z, np.full(T, float(alpha)), None,
                                              "RidgeCV")[0].T
        return coef, fold_intercept(design, y_mean, coef)
    if n >= p:
        lam, Q = eigh_gram(design.gram_features())
        proj = Q.T @ design.rmatvec(z).astype(np.float64)        # V^T Z^T z
    else:
        lam, Q = eigh_gram(design.gram_samples(mirror=False), upper_only=True)
        proj = Q.T @ z.astype(np.float64)                        # U^T z
    # as in LooDecomposition.coef: z / tau, so that proj / (lam + alpha) is not
    # subnormal, and coef times tau (exact)
    top = np.max(np.abs(proj), axis=0, initial=0.0)
    tau = 2.0 ** np.minimum(np.ceil(np.log2(np.where((top > 0) & np.isfinite(top), top, 1.0))),
                            1023)
    proj = proj / tau
    lam = np.maximum(lam, 0.0)[:, None]
    a = alphas[None, :]
    # alpha = 0 on a singular Gram matrix: the minimum-norm solution, as Ridge
    cutoff = np.finfo(np.float64).eps * max(n, p) * (lam.max() if lam.size else 0.0)
    # 1 / (lam + alpha) in units of c (see spectrum_scale), the solution then / c
    c, _ = spectrum_scale(lam, np.maximum(a, np.finfo(np.float64).tiny))
    with np.errstate(divide="ignore", over="ignore"):
        inv = np.where(lam + a > cutoff, 1.0 / ((lam + a) / c), 0.0)
    M = (proj[:, :, None] * inv[:, None, :]).reshape(len(lam), T * A)
    if n >= p:
        coef = Q @ M
    else:
        coef = design.rmatvec(Q @ M).astype(np.float64)      # Z^T G^-1 z
    coef = (coef.reshape(p, T, A) / c) * tau[None, :, None]
    return coef, fold_intercept(design, y_mean, coef)


def fold_intercept(design, y_mean, coef):
    """Intercepts (T, n_alphas) of coef (p, T, n_alphas)."""
    if design.xm is None:
        return np.zeros(coef.shape[1:])
    return y_mean[:, None] - np.einsum("p,pta->ta", design.xm, coef)


def check_finite_fit(values, owner):
    """Refuse, naming the cause, results that over/underflowed: the Gram matrix
    squares X, so |X| beyond ~1e150 or below ~1e-150 leaves float64's range."""
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{owner}: the fit over/underflows float64 (X's Gram matrix "
                         "squares its magnitude); rescale X or y (e.g. StandardScaler)")


class RidgeCV(RidgePredictMixin, MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Ridge with the penalty chosen by cross-validation, as scikit-learn's RidgeCV.

    With ``cv=None`` (default) every alpha is scored by efficient
    leave-one-out from a single decomposition of the design.  Float32 X is
    decomposed from one float64 copy (LOO is too sensitive to rounding for
    float32, as in scikit-learn); coef_ and intercept_ keep X's dtype.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Penalties to try (> 0 for leave-one-out).
    fit_intercept : bool, default=True
        Fit an intercept (X is centred implicitly, never copied).
    scoring : str, callable or None, default=None
        None: negative mean squared LOO error (cv=None), R^2 otherwise.
    cv : int, cross-validation generator, iterable or None, default=None
        None: efficient leave-one-out; otherwise the alphas are scored on
        these folds as GridSearchCV(Ridge) would (one decomposition per fold).
    gcv_mode : {'auto', 'svd', 'eigen'} or None, default=None
        'auto'/'eigen': eigendecomposition of Z Z^T (n <= p) or Z^T Z;
        'svd': SVD of Z (dense X only; sparse X falls back to 'eigen').
    store_cv_results : bool, default=False
        Keep the LOO squared errors (or predictions, with a scoring) in
        ``cv_results_`` (cv=None only).
    alpha_per_target : bool, default=False
        Choose alpha for each target separately (cv=None only).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
    best_score_ : float or ndarray of shape (n_targets,)
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> import numpy as np
    >>> import regfast
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> y = X @ [2.0, 0.0, 0.0, -1.0, 0.0] + 3 + 0.1 * rng.standard_normal(100)
    >>> model = regfast.RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X, y)
    >>> round(model.alpha_, 3)
    0.1
    >>> model.coef_.round(1)
    array([ 2.,  0.,  0., -1.,  0.])
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True,
                 scoring=None, cv=None, gcv_mode=None, store_cv_results=False,
                 alpha_per_target=False):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target

    def fit(self, X, y, sample_weight=None):
        """Fit Ridge at the alpha with the best cross-validation score.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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
        if self.gcv_mode not in (None, "auto", "svd", "eigen"):
            raise ValueError(f"{owner}: gcv_mode must be None, 'auto', 'svd' or "
                             f"'eigen', got {self.gcv_mode!r}")
        alphas = check_alphas(self.alphas, self.cv is None, owner)
        if y is None:
            raise ValueError(f"{owner} requires y to be passed, but the target y is None")
        if self.cv is None:
            return self._fit_loo(X, y, sample_weight, alphas, owner)
        if self.store_cv_results:
            raise ValueError(f"{owner}: cv!=None and store_cv_results=True are incompatible")
        if self.alpha_per_target:
            raise ValueError(f"{owner}: cv!=None and alpha_per_target=True are incompatible")
        return self._fit_kfold(X, y, sample_weight, alphas, owner)

    def _fit_kfold(self, X, y, sample_weight, alphas, owner):
        """Grid search over the folds of cv, scored as GridSearchCV(Ridge, alphas)
        scores it (mean over folds, first best alpha, sample weights passed to
        scorers that take them), with every alpha of a fold from one
        decomposition; then Ridge at alpha_."""
        X, y = validate_X_y(self, X, y, multi_output=True)
        n = X.shape[0]
        sw = check_sample_weight(sample_weight, n, np.float64, owner, rescale=False)
        scorer = check_scoring(self, self.scoring)
        weighted = sw is not None and (
            scorer._accept_sample_weight() if hasattr(scorer, "_accept_sample_weight")
            else "sample_weight" in signature(scorer).parameters)
        folds = list(check_cv(self.cv, y, classifier=False).split(X, y))
        scores = np.zeros(len(alphas))
        for train, test in folds:
            if sw is not None and not sw[train].sum() > 0:
                raise ValueError("a cross-validation fold has only zero sample weights "
                                 "in its training part")
            X_train = X[train]
            X_train = as_csc(X_train, owner) if sp.issparse(X) else np.asfortranarray(X_train)
            coef, intercept = fold_path(X_train, y[train],
                                        None if sw is None else sw[train],
                                        bool(self.fit_intercept), alphas)
            p, T, A = coef.shape
            pred = np.asarray(X[test] @ coef.reshape(p, T * A)).reshape(-1, T, A) + intercept
            check_finite_fit(pred, owner)
            params = {"sample_weight": sw[test]} if weighted else {}
            for a in range(A):
                scores[a] += scorer(_Identity(), pred[:, :, a].reshape(y[test].shape),
                                    y[test], **params)
        scores /= len(folds)
        best = int(np.argmax(scores))
        self.alpha_ = float(alphas[best])
        self.best_score_ = float(scores[best])
        model = Ridge(alpha=self.alpha_, fit_intercept=self.fit_intercept).fit(
            X, y, sample_weight=sample_weight)
        self.coef_, self.intercept_ = model.coef_, model.intercept_
        return self

    def _fit_loo(self, X, y, sample_weight, alphas, owner):
        X, y = validate_X_y(self, X, y, multi_output=True)
        n, p = X.shape
        Y = y.reshape(n, -1)
        T = Y.shape[1]
        sw = check_sample_weight(sample_weight, n, np.float64, owner, rescale=False)
        n_pos = n if sw is None else np.count_nonzero(sw)
        if n_pos < 2:
            # leaving out the only (weighted) sample leaves nothing to fit
            raise ValueError(f"{owner}: leave-one-out (cv=None) needs at least 2 "
                             f"samples with a positive sample_weight; got {n_pos} "
                             f"sample{'' if n_pos == 1 else 's'}")
        # Leave-one-out divides by 1 - leverage, which float32 rounding can
        # wreck: float32 X is decomposed from one float64 copy (as
        # scikit-learn does); the fitted attributes stay float32.
        X64 = X.astype(np.float64) if X.dtype == np.float32 else X
        design = RidgeDesign(X64, sw, bool(self.fit_intercept))
        y_mean, z = design.center_y(Y.astype(np.float64))
        z = np.asarray(z, dtype=np.float64)
        mode = self.gcv_mode
        if mode == "svd" and design.is_sparse:
            # scikit-learn's warning (an error from its 1.11 on); regfast goes on
            warnings.warn(f"{owner}: The 'svd' mode is not supported for sparse X; "
                          "gcv_mode='eigen' is used.", FutureWarning, stacklevel=3)
            mode = None
        if mode != "svd":
            mode = "gram" if n <= p else "cov"
        loo = LooDecomposition(design, z, mode)

        per_target = bool(self.alpha_per_target)
        scorer = None if self.scoring is None else check_scoring(self, self.scoring)
        keep = self.store_cv_results or scorer is not None
        results = np.empty((n, T, len(alphas))) if keep else None
        sq_sum = np.zeros((T, len(alphas)))
        for rows, E in loo.loo_residuals(alphas):
            sq_sum += np.einsum("ita,ita->ta", E, E)
            if keep:
                results[rows] = E
        # never a nan score in silence: LOO residuals that left float64's range
        # (an infinite one is a sample of leverage one at alpha ~ 0: its LOO
        # error is unbounded, the score -inf, as scikit-learn's)
        if np.isnan(sq_sum).any():
            check_finite_fit(sq_sum, owner)

        if scorer is None:
            scores = -sq_sum / n                         # (T, n_alphas)
            scores = scores if per_target else scores.sum(axis=0) / T
            if results is not None:
                results *= results                       # squared errors
        else:
            scores, results = self._scores(scorer, results, Y, design,
                                           sample_weight, per_target)
        self._select(alphas, scores, per_target, y.ndim, T)
        alpha_t = np.broadcast_to(np.asarray(self.alpha_, dtype=np.float64), (T,))
        coef = loo.coef(alpha_t)
        check_finite_fit(coef, owner)
        self._set_fitted(coef, design.intercept(y_mean, coef), y.ndim, X.dtype)
        if self.store_cv_results:
            shape = (n, len(alphas)) if y.ndim == 1 else (n, T, len(alphas))
            self.cv_results_ = results.reshape(shape).astype(X.dtype)
        return self

    def _scores(self, scorer, E, Y, design, sample_weight, per_target):
        """Scores of the LOO predictions (in y's units) by a user scorer."""
        if design.sqrt_sw is not None:         # E is in units of s^1/2 y
            E = E / np.sqrt(design.sw)[:, None, None]
        pred = Y[:, :, None] - E
        params = {} if sample_weight is None else {"sample_weight": design.sw}
        truth = Y if Y.shape[1] > 1 else Y[:, 0]
        n_alphas = E.shape[2]
        if per_target:
            scores = np.array([[scorer(_Identity(), pred[:, t, a], Y[:, t], **params)
                                for a in range(n_alphas)] for t in range(Y.shape[1])])
        else:
            scores = np.array([scorer(_Identity(), pred[:, :, a].reshape(truth.shape),
                                      truth, **params) for a in range(n_alphas)])
        return scores, pred

    def _select(self, alphas, scores, per_target, y_ndim, T):
        """alpha_ and best_score_: first best alpha, per target if asked."""
        if per_target and T > 1:
            best = np.argmax(scores, axis=1)
            self.alpha_ = alphas[best]
            self.best_score_ = scores[np.arange(T), best]
            return
        if scores.ndim == 2:                       # per target, one target
            best = int(np.argmax(scores[0]))
            self.best_score_ = scores[:, best] if y_ndim == 2 else float(scores[0, best])
        else:
            best = int(np.argmax(scores))
            self.best_score_ = float(scores[best])
        self.alpha_ = float(alphas[best])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
