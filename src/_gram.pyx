# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The centred, weighted Gram matrix X_c^T S X_c of dense X, from BLAS syrk.

Rows are processed in blocks: each block is centred and scaled by sqrt(s) in a
small buffer and added with syrk, so X is never copied whole and large column
means do not cancel catastrophically (as X^T X - n m m^T would).
"""
from libc.math cimport sqrt
from scipy.linalg.cython_blas cimport dgemm, dsyrk, sgemm, ssyrk

from _design cimport floating

import numpy as np


def gram_dense(const floating[::1, :] X, sw, xm, cols=None, prev=None):
    """Return G = (X - 1 xm^T)^T diag(sw) (X - 1 xm^T), F-ordered, X's dtype.

    Parameters
    ----------
    X : ndarray of shape (n, p), F-ordered, float32 or float64
    sw : ndarray of shape (n,) (X's dtype) or None
    xm : ndarray of shape (p,) float64 or None (no centring)
    cols : ndarray of int32, optional
        Only these columns: G is then len(cols) x len(cols).
    prev : ndarray of shape (k, k), optional
        The Gram matrix of the first k of cols, already known: only the
        blocks that involve the other columns are multiplied (one gemm and one
        syrk per row block); every row block still gathers all the columns.
    """
    cdef const int[::1] c = (np.arange(X.shape[1], dtype=np.int32) if cols is None
                             else np.ascontiguousarray(cols, dtype=np.int32))
    cdef Py_ssize_t n = X.shape[0], p = c.shape[0]
    cdef Py_ssize_t block = max(1, min(n, (1 << 19) // max(p, 1)))
    cdef Py_ssize_t k = 0 if prev is None else prev.shape[0]
    cdef Py_ssize_t i0, i, j, b
    cdef const floating[::1] s
    cdef const double[::1] m
    cdef bint has_sw = sw is not None, has_m = xm is not None
    dtype = np.float32 if floating is float else np.float64
    cdef floating[::1, :] G = np.zeros((p, p), dtype=dtype, order="F")
    cdef floating[::1, :] buf = np.empty((block, p), dtype=dtype, order="F")
    cdef floating one = 1.0, mj
    cdef int ni, pi = <int> p, ld = <int> block, ki = <int> k, qi = <int> (p - k)
    cdef char uplo = b'U', trans = b'T', notrans = b'N'
    if k > 0:
        np.asarray(G)[:k, :k] = prev
    if k == p:
        return np.asarray(G)
    if has_sw:
        s = sw
    if has_m:
        m = xm
    with nogil:
        i0 = 0
        while i0 < n:
            b = min(block, n - i0)
            for j in range(p):
                mj = <floating> m[c[j]] if has_m else 0
                for i in range(b):
                    buf[i, j] = X[i0 + i, c[j]] - mj
                    if has_sw:
                        buf[i, j] *= <floating> sqrt(s[i0 + i])
            ni = <int> b
            # G[:k, k:] += B_old^T B_new and the upper triangle of G[k:, k:]
            if floating is float:
                if k > 0:
                    sgemm(&trans, &notrans, &ki, &qi, &ni, &one, &buf[0, 0], &ld,
                          &buf[0, k], &ld, &one, &G[0, k], &pi)
                ssyrk(&uplo, &trans, &qi, &ni, &one, &buf[0, k], &ld, &one, &G[k, k], &pi)
            else:
                if k > 0:
                    dgemm(&trans, &notrans, &ki, &qi, &ni, &one, &buf[0, 0], &ld,
                          &buf[0, k], &ld, &one, &G[0, k], &pi)
                dsyrk(&uplo, &trans, &qi, &ni, &one, &buf[0, k], &ld, &one, &G[k, k], &pi)
            i0 += b
        # the new upper parts, mirrored
        for j in range(k, p):
            for i in range(j + 1, p):
                G[i, j] = G[j, i]
            for i in range(k):
                G[j, i] = G[i, j]
    return np.asarray(G)
