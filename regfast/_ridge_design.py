"""The centred, weighted design of ridge regression, used without forming it.

Ridge minimises ``||S^1/2 (y - X w - b)||^2 + alpha ||w||^2``.  Eliminating the
intercept leaves least squares on ``Z = S^1/2 (X - 1 m^T)`` and
``z = S^1/2 (y - m_y)``, with ``m`` and ``m_y`` the weighted means.
`RidgeDesign` gives every solver what it needs from Z -- products with Z and
Z^T, the two Gram matrices Z^T Z and Z Z^T, blocks of rows -- straight from X
(dense F-ordered or CSC), which is never copied, centred or densified.
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg import blas
from scipy.sparse.linalg import LinearOperator

from . import _cd
from ._gram import gram_dense
from ._problem import CSC, DENSE, constant_columns, sparse_gram

# Dense blocks (a few MB) in which columns or rows of Z are formed for BLAS.
BLOCK_VALUES = 1 << 19


class RidgeDesign:
    """Z = S^1/2 (X - 1 m^T) for X dense (F order) or CSC, float32 or float64.

    Parameters
    ----------
    X : ndarray (F-ordered) or CSC matrix
        Never copied nor written to.
    sample_weight : ndarray of shape (n_samples,), float64, or None
        Used as given (not rescaled).
    fit_intercept : bool
        Centre by the weighted column means (m = 0 otherwise).
    """

    def __init__(self, X, sample_weight, fit_intercept):
        self.X = X
        self.n_samples, self.n_features = n, p = X.shape
        self.dtype = X.dtype
        self.is_sparse = sp.issparse(X)
        self.sw = sample_weight
        self.sw_sum = float(n if sample_weight is None else np.sum(sample_weight, dtype=np.float64))
        # weights and their square roots in X's dtype, for BLAS and the kernel
        self._sw = None if sample_weight is None else sample_weight.astype(self.dtype)
        self.sqrt_sw = (None if sample_weight is None
                        else np.sqrt(sample_weight).astype(self.dtype))
        if self.is_sparse:
            self._kernel_args = (CSC, X.data, X.indices.astype(np.int32, copy=False),
                                 X.indptr.astype(np.int64, copy=False))
        else:
            self._kernel_args = (DENSE, X.ravel(order="F"), None, None)
        self.xm = None
        self._const = None          # constant columns: zero once centred
        self._cols = None           # the others, for normal_apply
        if fit_intercept:
            self.xm = self._xt(np.ones(n, dtype=self.dtype)) / self.sw_sum
            # a constant column's mean exactly its value: centred, it is 0, not
            # rounding that an unpenalised solve scales up (see constant_columns)
            const, values = constant_columns(X, self.xm, sample_weight)
            self.xm[const] = values
            self._const = const if const.size else None

    def _xt(self, v):
        """X^T S v in float64 (double accumulation in the kernel), v of length n."""
        kind, values, indices, indptr = self._kernel_args
        return _cd.xt_dot(kind, values, indices, indptr, self.n_samples,
                          self.n_features, self._sw, None, self.sw_sum,
                          np.asarray(v, dtype=self.dtype).reshape(-1, 1))[:, 0]

    # -- the target -----------------------------------------------------------
    def center_y(self, y):
        """(m_y, z): weighted means of the columns of y (n, T), and z in X's dtype."""
        if self.xm is None:
            y_mean = np.zeros(y.shape[1])
        else:
            w = np.ones(self.n_samples) if self.sw is None else self.sw
            y_mean = (w @ y.astype(np.float64, copy=False)) / self.sw_sum
            # a constant target's mean is its value: centred exactly 0, as the
            # elastic net's Problem does (rounding there made ElasticNet(l1_ratio=0)
            # start from w ~ 1e-86 with a tolerance of 0, and never stop)
            if self.n_samples:
                const = np.all(y == y[:1], axis=0)
                y_mean[const] = y[0, const]
        z = y - y_mean
        if self.sqrt_sw is not None:
            z = z * self.sqrt_sw[:, None]
        return y_mean, np.asarray(z, dtype=self.dtype, order="F")

    # -- products -------------------------------------------------------------
    def matvec(self, v):
        """Z v for v of shape (p,) or (p, k), in X's dtype."""
        v = np.asarray(v, dtype=self.dtype)
        out = np.asarray(self.X @ v)
        if self.xm is not None:
            out -= (self.xm @ v).astype(self.dtype)
        if self.sqrt_sw is not None:
            out *= self.sqrt_sw if out.ndim == 1 else self.sqrt_sw[:, None]
        return out

    def rmatvec(self, u):
        """Z^T u for u of shape (n,) or (n, k), in X's dtype."""
        u = np.asarray(u, dtype=self.dtype)
        if self.sqrt_sw is not None:
            u = u * (self.sqrt_sw if u.ndim == 1 else self.sqrt_sw[:, None])
        out = np.asarray(self.X.T @ u)
        if self.xm is not None:
            out -= np.multiply.outer(self.xm, u.sum(axis=0)).astype(self.dtype)
            if self._const is not None:
                out[self._const] = 0      # c sum(u) - c sum(u): rounding, not 0
        return out

    def operator(self):
        """Z as a scipy LinearOperator (matrix-free)."""
        return LinearOperator((self.n_samples, self.n_features), dtype=self.dtype,
                              matvec=self.matvec, rmatvec=self.rmatvec,
                              matmat=self.matvec, rmatmat=self.rmatvec)

    def columns(self):
        """int32 indices of the columns of Z that are not exactly zero: all
        but the constant columns (centred exactly 0, see constant_columns)."""
        if self._cols is None:
            keep = np.ones(self.n_features, dtype=bool)
            if self._const is not None:
                keep[self._const] = False
            self._cols = np.flatnonzero(keep).astype(np.int32)
        return self._cols

    def kernel_args(self):
        """The arguments that describe Z to the kernel's Ridge routines
        (_cd.ridge_cg, _cd.normal_apply): X, its shape, means, weights, columns."""
        return (*self._kernel_args, self.n_samples, self.n_features, self.xm,
                self.sqrt_sw, self.columns())

    def normal_apply(self, V, dual, inv, alphas):
        """inv^2 Z Z^T V + V diag(alphas) (dual: V of shape (n, k)) or
        inv^2 Z^T Z V + V diag(alphas) (primal: V of shape (p, k)), in X's
        dtype: the product of one conjugate-gradient iteration."""
        V = np.asarray(V, dtype=self.dtype, order="F")
        return _cd.normal_apply(*self.kernel_args(), V, float(inv),
                                np.asarray(alphas, dtype=np.float64), bool(dual))

    # -- diagonals of the Gram matrices (CG's preconditioner) -----------------
    def _squares(self, rows, chunk=1 << 16):
        """Sum of squared stored values of X per column (rows=False) or per
        row (rows=True), weighted by S, float64; sparse values are read in
        chunks so no copy of X is made."""
        n, p = self.n_samples, self.n_features
        s = None if self.sw is None else np.asarray(self.sw, dtype=np.float64)
        if not self.is_sparse:
            X = self.X
            if rows:
                return np.einsum("ij,ij->i", X, X, dtype=np.float64) * (1 if s is None else s)
            return (np.einsum("ij,ij->j", X, X, dtype=np.float64) if s is None
                    else np.einsum("i,ij,ij->j", s, X, X, dtype=np.float64))
        X = self.X
        out = np.zeros(n if rows else p)
        # column blocks holding about `chunk` stored values each
        ends = np.searchsorted(X.indptr, np.arange(chunk, X.nnz + chunk, chunk))
        j0 = 0
        for j1 in np.unique(np.minimum(np.maximum(ends, 1), p)):
            k0, k1 = X.indptr[j0], X.indptr[j1]
            idx = X.indices[k0:k1]
            sq = np.square(X.data[k0:k1], dtype=np.float64)
            if s is not None:
                sq *= s[idx]
            if rows:
                out += np.bincount(idx, weights=sq, minlength=n)
            else:
                local = np.repeat(np.arange(j1 - j0), np.diff(X.indptr[j0:j1 + 1]))
                out[j0:j1] = np.bincount(local, weights=sq, minlength=j1 - j0)
            j0 = j1
        return out

    def col_sqnorms(self):
        """diag(Z^T Z): the weighted squared norms of the centred columns."""
        d = self._squares(rows=False)
        if self.xm is not None:
            d -= self.sw_sum * self.xm ** 2
        return np.maximum(d, 0.0)

    def row_sqnorms(self):
        """diag(Z Z^T): s_i ||x_i - m||^2 for the rows."""
        d = self._squares(rows=True)
        if self.xm is not None:
            s = np.ones(self.n_samples) if self.sw is None else np.asarray(self.sw, np.float64)
            xm_dot = np.asarray(self.X @ self.xm, dtype=np.float64).ravel()
            d += s * (self.xm @ self.xm - 2.0 * xm_dot)
        return np.maximum(d, 0.0)

    # -- Gram matrices --------------------------------------------------------
    def _scaled_sparse(self):
        """S^1/2 X for sparse X: a matrix sharing X's structure (values copied)."""
        if self.sqrt_sw is None:
            return self.X
        X = self.X
        return sp.csc_matrix((X.data * self.sqrt_sw[X.indices], X.indices, X.indptr),
                             shape=X.shape)

    def gram_features(self):
        """Z^T Z, shape (p, p), in X's dtype."""
        if not self.is_sparse:
            return gram_dense(self.X, self._sw, self.xm)
        G = sparse_gram(self.X, self.sw, self.xm, self.sw_sum)
        return G if self.dtype == np.float64 else np.asfortranarray(G, dtype=self.dtype)

    def gram_samples(self, mirror=True):
        """Z Z^T, shape (n, n), in X's dtype.

        Dense X: accumulated over blocks of columns with BLAS syrk, each block
        centred and weighted into one reused buffer.  With ``mirror=False``
        only the upper triangle is filled (enough for LAPACK's symmetric
        routines; mirroring costs two passes over the matrix).
        """
        n = self.n_samples
        if self.is_sparse:
            Xs = self._scaled_sparse()
            K = (Xs @ Xs.T).toarray().astype(np.float64)
            if self.xm is not None:
                s = np.ones(n) if self.sqrt_sw is None else self.sqrt_sw.astype(np.float64)
                a = np.asarray(Xs @ self.xm, dtype=np.float64)
                K -= np.outer(a, s)
                K -= np.outer(s, a)
                K += (self.xm @ self.xm) * np.outer(s, s)
            return np.asfortranarray(K, dtype=self.dtype)
        K = self._gram_samples_in_place()
        if K is not None:
            if mirror:
                K += np.triu(K, 1).T
            return K
        syrk = blas.ssyrk if self.dtype == np.float32 else blas.dsyrk
        K = np.zeros((n, n), dtype=self.dtype, order="F")
        step = min(self.n_features, max(1, BLOCK_VALUES // max(n, 1)))
        buf = np.empty((n, step), dtype=self.dtype, order="F")
        xm = None if self.xm is None else self.xm.astype(self.dtype)
        for j0 in range(0, self.n_features, step):
            j1 = min(j0 + step, self.n_features)
            B = buf[:, :j1 - j0]
            if xm is None:
                B[...] = self.X[:, j0:j1]
            else:
                np.subtract(self.X[:, j0:j1], xm[j0:j1], out=B)
            if self.sqrt_sw is not None:
                B *= self.sqrt_sw[:, None]
            K = syrk(1.0, B, beta=1.0, c=K, overwrite_c=1)
        if mirror:
            K += np.triu(K, 1).T        # syrk filled the upper triangle only
        return K

    def _gram_samples_in_place(self):
        """Upper triangle of Z Z^T for unweighted float64 dense X, from syrk on
        X itself (no copy) and the centring correction X X^T - a 1^T - 1 a^T +
        |m|^2 1 1^T (a = X m); None when that does not apply (weights,
        float32) or the means are too large for it.

        The correction is kept when n |m|^2 <= |Z|_F^2, i.e. 2 n |m|^2 <=
        |X|_F^2 = trace(X X^T): then every term is at most 2 |Z|_F^2 in norm
        and the rounding errors are a small multiple of those of the centred
        product, as in row_blocks.  Otherwise the caller centres blocks of
        columns (columns ~ 1e6 + noise would lose 12 digits to cancellation).
        (Z^T Z keeps gram_dense's centred row blocks: as fast, 112 ms on
        100000 x 200 either way.)
        """
        if self.dtype != np.float64 or self.sqrt_sw is not None:
            return None
        n = self.n_samples
        K = blas.dsyrk(1.0, self.X, lower=0)
        if self.xm is None:
            return K
        m2 = float(self.xm @ self.xm)
        if not 2.0 * n * m2 <= np.trace(K):
            return None
        a = self.X @ self.xm
        iu = np.triu_indices(n)
        K[iu] -= a[iu[0]] + a[iu[1]] - m2
        return K

    def row_blocks(self, V, step, frob2=None):
        """Yield (rows, Z[rows] @ V) over blocks of step rows, float64.

        Dense X is read block by block (never copied whole); sparse X in one
        sparse-dense product.  frob2, if given, is ||Z||_F^2 (the trace of
        Z^T Z): when the means are small next to it, float64 X is not
        centred first (see below).
        """
        n, p = self.n_samples, self.n_features
        V = np.asarray(V, dtype=np.float64)
        if self.is_sparse:
            out = np.asarray(self.X @ V.astype(self.dtype), dtype=np.float64)
            if self.xm is not None:
                out -= self.xm @ V
            if self.sqrt_sw is not None:
                out *= self.sqrt_sw[:, None]
            yield slice(0, n), out
            return
        # Float64 X is read in place by BLAS, Z V = S^1/2 (X V - 1 m^T V), when
        # S ||m||^2 <= ||Z||_F^2: then ||S^1/2 X||_F^2 = ||Z||_F^2 + S ||m||^2
        # <= 2 ||Z||_F^2, and the rounding errors are at most sqrt(2) times
        # those of the centred product, normwise.  Otherwise the rows are
        # centred first into one F-ordered buffer (contiguous pieces of X's
        # columns).
        mV = None if self.xm is None else self.xm @ V
        direct = self.dtype == np.float64 and (
            self.xm is None or (frob2 is not None
                                and self.sw_sum * (self.xm @ self.xm) <= frob2))
        buf = None if direct else np.empty((min(step, n), p), order="F")
        Vt = V.T      # (V^T B^T)^T: an F-ordered result, which BLAS writes faster
        for i0 in range(0, n, step):
            rows = slice(i0, min(i0 + step, n))
            if direct:
                out = (Vt @ self.X[rows].T).T
                if mV is not None:
                    out -= mV
            else:
                B = buf[:rows.stop - i0]
                if self.xm is None:
                    B[...] = self.X[rows]
                else:
                    np.subtract(self.X[rows], self.xm, out=B)
                out = (Vt @ B.T).T
            if self.sqrt_sw is not None:
                out *= self.sqrt_sw[rows, None]
            yield rows, out

    def dense(self, dtype):
        """Z as a new dense array (the workspace of an SVD), shape (n, p)."""
        if self.is_sparse:
            raise TypeError("the design is sparse; it is never densified")
        Z = np.array(self.X, dtype=dtype, order="F")
        if self.xm is not None:
            Z -= self.xm.astype(dtype)
        if self.sqrt_sw is not None:
            Z *= self.sqrt_sw[:, None].astype(dtype)
        return Z

    def intercept(self, y_mean, coef):
        """b = m_y - m^T w for coef of shape (T, p); 0 without an intercept."""
        if self.xm is None:
            return np.zeros(len(y_mean))
        return y_mean - coef.astype(np.float64) @ self.xm
