# cython: language_level=3
# Design access: the only code that knows how X is stored.
#
# A Design describes X (dense Fortran-ordered, CSC, or a precomputed Gram
# matrix) together with the sample weights and the column means used for
# implicit centering.  The inline primitives below read column j of the
# *centred, weighted* design without ever materialising it; everything above
# them (the coordinate update, epochs, duality gap, screening, extrapolation)
# is written once.  They are specialised for float32/float64 through the fused
# type of the vector they act on.
#
# The "state vector" v is what coordinate descent keeps up to date:
#   DENSE: the residual y - y_mean - X_c w (length n), kept centred: an update
#          subtracts delta * (x_j - mean_j).
#   CSC:   the residual y - y_mean - X w, *not* centred (that would be O(n)
#          per update); its weighted sum `vsum` is tracked instead and the
#          centring is applied as a rank-one correction, so sparse X is never
#          densified.
#   GRAM:  the gradient X_c^T S (y_c - X_c w) (length p).
# All reductions accumulate in double, also for float32 data.

cimport cython

ctypedef fused floating:
    float
    double

cdef enum:
    DENSE = 0
    CSC = 1
    GRAM = 2


cdef struct Design:
    int kind
    Py_ssize_t n            # length of the state vector (n, or p for GRAM)
    Py_ssize_t p            # columns of X
    const void* values      # DENSE: X (F order); CSC: data; GRAM: G (p x p)
    Py_ssize_t ld           # leading dimension of DENSE X / GRAM G
    const int* indices      # CSC row indices (int32)
    const long long* indptr # CSC column pointers (int64)
    const void* sw          # sample weights (same dtype as X) or NULL
    const double* xm        # weighted column means, NULL when not centred
    double n_eff            # sum of the sample weights


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline double dot(Py_ssize_t n, const floating* x,
                       const floating* v) noexcept nogil:
    """sum_i x_i v_i, four independent accumulators so the loop pipelines."""
    cdef double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
    cdef Py_ssize_t i, m = n - n % 4
    for i in range(0, m, 4):
        a0 += <double> x[i] * v[i]
        a1 += <double> x[i + 1] * v[i + 1]
        a2 += <double> x[i + 2] * v[i + 2]
        a3 += <double> x[i + 3] * v[i + 3]
    for i in range(m, n):
        a0 += <double> x[i] * v[i]
    return (a0 + a1) + (a2 + a3)


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline double wdot(Py_ssize_t n, const floating* s, const floating* x,
                        const floating* v) noexcept nogil:
    """sum_i s_i x_i v_i; plain dot when s is NULL."""
    if s == NULL:
        return dot(n, x, v)
    cdef double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
    cdef Py_ssize_t i, m = n - n % 4
    for i in range(0, m, 4):
        a0 += <double> s[i] * x[i] * v[i]
        a1 += <double> s[i + 1] * x[i + 1] * v[i + 1]
        a2 += <double> s[i + 2] * x[i + 2] * v[i + 2]
        a3 += <double> s[i + 3] * x[i + 3] * v[i + 3]
    for i in range(m, n):
        a0 += <double> s[i] * x[i] * v[i]
    return (a0 + a1) + (a2 + a3)


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline double wsum(Py_ssize_t n, const floating* s,
                        const floating* v) noexcept nogil:
    """sum_i s_i v_i (s may be NULL)."""
    cdef double acc = 0.0
    cdef Py_ssize_t i
    if s == NULL:
        for i in range(n):
            acc += v[i]
    else:
        for i in range(n):
            acc += <double> s[i] * v[i]
    return acc


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline double col_grad(const Design* D, Py_ssize_t j, const floating* v,
                            double vsum) noexcept nogil:
    """(x_j - mean_j)^T S (v - vsum / n_eff): minus the gradient in w_j.

    For GRAM the state vector already is the gradient.
    """
    cdef const floating* s = <const floating*> D.sw
    cdef const floating* x
    cdef double acc = 0.0, m = 0.0
    cdef Py_ssize_t k, i
    if D.kind == GRAM:
        return v[j]
    if D.xm != NULL:
        m = D.xm[j]
    if D.kind == DENSE:
        x = <const floating*> D.values + j * D.ld
        # v is kept centred, so sum_i s_i (x_ij - m) v_i = x_j^T S v - m vsum
        return wdot(D.n, s, x, v) - m * vsum
    x = <const floating*> D.values
    if s == NULL:
        for k in range(D.indptr[j], D.indptr[j + 1]):
            acc += <double> x[k] * v[D.indices[k]]
    else:
        for k in range(D.indptr[j], D.indptr[j + 1]):
            i = D.indices[k]
            acc += <double> s[i] * x[k] * v[i]
    return acc - m * vsum


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline double col_update(const Design* D, Py_ssize_t j, double delta,
                              floating* v) noexcept nogil:
    """v -= delta * (column j of the centred design); returns the change of vsum.

    This is the state update after w_j grew by delta.
    """
    cdef const floating* x
    cdef floating a = <floating> delta, c
    cdef Py_ssize_t k, i
    if D.kind == GRAM:
        x = <const floating*> D.values + j * D.ld
        for i in range(D.n):
            v[i] -= a * x[i]
        return 0.0
    if D.kind == DENSE:
        x = <const floating*> D.values + j * D.ld
        c = <floating> (delta * D.xm[j]) if D.xm != NULL else 0
        for i in range(D.n):
            v[i] -= a * x[i] - c
        return 0.0
    x = <const floating*> D.values
    for k in range(D.indptr[j], D.indptr[j + 1]):
        v[D.indices[k]] -= a * x[k]
    if D.xm != NULL:
        return -delta * D.n_eff * D.xm[j]
    return 0.0


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline double col_sqnorm(const Design* D, Py_ssize_t j,
                              const floating* proto) noexcept nogil:
    """sum_i s_i (x_ij - mean_j)^2, computed without cancellation.

    `proto` only selects the float type.
    """
    cdef const floating* s = <const floating*> D.sw
    cdef const floating* x
    cdef double acc = 0.0, m = 0.0, d, wsum_nz = 0.0, si
    cdef Py_ssize_t k, i
    if D.kind == GRAM:
        return (<const floating*> D.values)[j * D.ld + j]
    if D.xm != NULL:
        m = D.xm[j]
    if D.kind == DENSE:
        x = <const floating*> D.values + j * D.ld
        for i in range(D.n):
            d = x[i] - m
            acc += (s[i] if s != NULL else 1.0) * d * d
        return acc
    # CSC: stored entries, plus m^2 times the weight of the implicit zeros
    x = <const floating*> D.values
    for k in range(D.indptr[j], D.indptr[j + 1]):
        i = D.indices[k]
        si = s[i] if s != NULL else 1.0
        d = x[k] - m
        acc += si * d * d
        wsum_nz += si
    return acc + m * m * (D.n_eff - wsum_nz)
