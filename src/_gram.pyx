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


def gram_csc(const floating[::1] data, const int[::1] indices,
             const long long[::1] indptr, Py_ssize_t n, sw=None, xm=None,
             double n_eff=0.0, Py_ssize_t chunk=65536):
    """Return G = X_c^T S X_c (p x p, float64, F order) of CSC X.

    Row by row, every pair of a row's stored values is added once: the cost
    is the sum over rows of the squared row counts, far below a sparse
    matrix product's (no intermediate sparse result, no sorting).  The rows
    are gathered a block at a time (about `chunk` stored values) by walking
    each column's sorted indices forward, so no copy of X is made.  The
    centring is the rank-one correction -n_eff xm xm^T.

    Parameters
    ----------
    data, indices, indptr : X in CSC form, indices sorted within each
        column and without duplicates; float32 or float64.
    n : int
        Number of rows.
    sw : ndarray of float64 (n,) or None
        Sample weights.
    xm : ndarray of float64 (p,) or None
        Weighted column means (None: no centring); n_eff their weights' sum.
    """
    cdef Py_ssize_t p = indptr.shape[0] - 1, nnz = indptr[p]
    cdef Py_ssize_t block = max(1, min(n, <Py_ssize_t> (n * (<double> chunk) / max(nnz, 1))))
    cdef Py_ssize_t i0, i1, i, a, b, j, k, ja, nb
    cdef double[::1, :] G = np.zeros((p, p), order="F")
    cdef long long[::1] ptr = np.array(indptr[:p], dtype=np.int64)
    cdef long long[::1] start = np.empty(block + 1, dtype=np.int64)
    cdef int[::1] cols = np.empty(max(nnz, 1) if block >= n else 2 * chunk + p, dtype=np.int32)
    cdef double[::1] vals = np.empty(cols.shape[0])
    cdef const double[::1] s
    cdef const double[::1] m
    cdef bint has_sw = sw is not None, has_m = xm is not None
    cdef double va
    if has_sw:
        s = np.ascontiguousarray(sw, dtype=np.float64)
    if has_m:
        m = np.ascontiguousarray(xm, dtype=np.float64)
    with nogil:
        i0 = 0
        while i0 < n:
            i1 = min(n, i0 + block)
            # the block's rows in CSR form: count, then place (columns ascending)
            for i in range(i1 - i0 + 1):
                start[i] = 0
            for j in range(p):
                k = ptr[j]
                while k < indptr[j + 1] and indices[k] < i1:
                    start[indices[k] - i0 + 1] += 1
                    k += 1
            for i in range(i1 - i0):
                start[i + 1] += start[i]
            nb = start[i1 - i0]
            if nb > cols.shape[0]:       # a block denser than the buffer: grow it
                with gil:
                    cols = np.empty(nb, dtype=np.int32)
                    vals = np.empty(nb)
            for j in range(p):
                while ptr[j] < indptr[j + 1] and indices[ptr[j]] < i1:
                    k = ptr[j]
                    i = indices[k] - i0
                    cols[start[i]] = <int> j
                    vals[start[i]] = data[k]
                    start[i] += 1
                    ptr[j] += 1
            # start[i] is now the end of row i: rows run from start[i - 1]
            for i in range(i1 - i0):
                a = start[i - 1] if i > 0 else 0
                for k in range(a, start[i]):
                    va = vals[k] * s[i0 + i] if has_sw else vals[k]
                    ja = cols[k]
                    for b in range(k, start[i]):
                        G[ja, cols[b]] += va * vals[b]      # ja <= cols[b]: upper
            i0 = i1
        for j in range(p):
            for ja in range(j + 1):
                if has_m:
                    G[ja, j] -= n_eff * m[ja] * m[j]
                G[j, ja] = G[ja, j]
    return np.asarray(G)
