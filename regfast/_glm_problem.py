"""A prepared classification problem for the kernel's GLM solver (logistic, multinomial).

`GLMProblem` holds what does not depend on C (views of X, class indices, the
weights) so that a single fit, a path and the folds of a cross-validation all
call the same kernel entry, `_cd.glm_path_fit`.
"""

import numpy as np

from . import _cd
from ._problem import excess, kernel_arrays, no_bounds, state_dtype


class GLMProblem:
    """Penalised logistic (two classes) or multinomial regression, ready for the kernel.

    Minimises, as scikit-learn's LogisticRegression::

        C * sum_i s_i logloss_i + sum_{k,j} pf_j (l1_ratio |W_kj| + (1 - l1_ratio) / 2 W_kj^2)

    Parameters
    ----------
    X : ndarray (F-ordered) or CSC matrix, float32 or float64
        Not copied and never written to.  Must be finite.
    y : ndarray of int32
        Class index of each sample, 0..n_classes-1.
    n_classes : int
        At least 2; two classes use one coefficient vector (class 1 positive).
    sample_weight : ndarray of float64 or None
        Used as given (not rescaled), class weights already multiplied in.
    fit_intercept : bool
    """

    def __init__(self, X, y, n_classes, sample_weight, fit_intercept):
        self.n_samples, self.n_features = X.shape
        self.dtype = X.dtype
        self.n_classes = int(n_classes)
        self.n_blocks = 1 if n_classes == 2 else self.n_classes
        self.fit_intercept = bool(fit_intercept)
        self.y = np.ascontiguousarray(y, dtype=np.int32)
        self.sw = (np.ones(self.n_samples) if sample_weight is None
                   else np.ascontiguousarray(sample_weight, dtype=np.float64))
        self.kind, self.values, self.indices, self.indptr = kernel_arrays(X)
        self._X = X

    def null_gradient(self):
        """X^T S (Y - p0): minus the loss gradient at W = 0 (intercepts optimal).

        Shape (n_features, n_blocks); p0 is the weighted class frequency with
        an intercept, else the uniform probability.
        """
        K, sw = self.n_classes, self.sw
        if self.n_blocks == 1:
            Y = (self.y == 1).astype(np.float64)[:, None]
        else:
            Y = (self.y[:, None] == np.arange(K)).astype(np.float64)
        p0 = (sw @ Y) / sw.sum() if self.fit_intercept else np.full(Y.shape[1], 1.0 / K)
        R = sw[:, None] * (Y - p0)
        return np.asarray(self._X.T @ R.astype(self.dtype), dtype=np.float64)

    def C_min(self, l1_ratio, penalty_factor, bounds=None):
        """Smallest C at which some penalised coefficient is non-zero (L1 part > 0)."""
        if l1_ratio <= 0:
            raise ValueError("C_min is zero for l1_ratio=0 (no L1 part): every C "
                             "gives non-zero coefficients; pass Cs")
        lower, upper = no_bounds(self.n_features) if bounds is None else bounds
        pen = penalty_factor > 0
        g = excess(self.null_gradient(), lower[:, None], upper[:, None])
        g = g[pen].max(axis=1) / penalty_factor[pen]
        top = float(g.max(initial=0.0))
        return np.inf if top <= 0 else l1_ratio / top

    def fit(self, Cs, l1_ratio, penalty_factor, coef, intercept, *, bounds=None,
            tol=1e-4, max_iter=100, max_epochs=10_000, seed=1):
        """Solve at each C in turn (in the order given), warm-starting each from the last.

        coef (n_blocks x n_features) and intercept (n_blocks,), float64, are
        the starting point and hold the last solution on return.  bounds is
        (lower, upper) from check_bounds, for every class (None: unbounded).

        Returns
        -------
        coefs : ndarray (n_Cs, n_blocks, n_features)
        intercepts : ndarray (n_Cs, n_blocks)
        gaps : ndarray (n_Cs,)
            Duality gaps in the units of scikit-learn's objective at that C
            (for C = inf, of the unscaled loss); converged means gap <= tol *
            objective.  NaN with max_iter=0 (no step taken, no gap computed).
        n_iters : ndarray (n_Cs,), proximal Newton steps
        status : ndarray (n_Cs,), 0 converged, 1 max_iter reached, 2 stalled
            at the precision of the data.
        """
        Cs = np.ascontiguousarray(Cs, dtype=np.float64)
        if max_iter == 0:
            # scikit-learn's max_iter=0: the starting point, untouched (the
            # kernel would fit the intercepts before its first step)
            n_C = len(Cs)
            return (np.repeat(coef[None], n_C, axis=0),
                    np.repeat(intercept[None], n_C, axis=0), np.full(n_C, np.nan),
                    np.zeros(n_C, dtype=np.int32), np.ones(n_C, dtype=np.int32))
        pf = np.ascontiguousarray(penalty_factor, dtype=np.float64)
        lower, upper = no_bounds(self.n_features) if bounds is None else bounds
        coefs, intercepts, gaps, n_iters, _, status = _cd.glm_path_fit(
            self.kind, self.values, self.indices, self.indptr, self.n_samples,
            self.n_features, self.y, self.n_classes, self.sw, self.fit_intercept,
            coef, intercept, Cs, float(l1_ratio), pf, lower, upper, float(tol),
            int(max_iter), int(max_epochs), seed=int(seed),
            # float32 X at a tight tol: float64 vectors (see _problem.state_dtype)
            state64=state_dtype(self.dtype, tol) != self.dtype)
        return coefs, intercepts, gaps, n_iters, status
