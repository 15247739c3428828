# cython: language_level=3
# Design access: the only code that knows how X is stored.
#
# A Design describes X (dense Fortran-ordered, CSC, or a precomputed Gram
# matrix) together with the sample weights and the column means used for
# implicit centering.  The inline primitives below read column j of the
# *centred, weighted* design without ever materialising it; everything above
# them (the coordinate update, epochs, duality gap, screening, extrapolation)
# is written once.  They are specialised for float32/float64 through the fused
# type of the vector they act on (`floating`, the state's type).  X's values
# have that type too, or are float32 under a float64 state (`values_are_float`
# with floating = double): the primitives then read X through the `xfloat`
# variants, so a float32 X keeps float64's precision in the state.
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

# X's values in the primitives' helpers (see values_are_float)
ctypedef fused xfloat:
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
    const void* sw          # sample weights (the state's dtype) or NULL
    const double* xm        # weighted column means, NULL when not centred
    double n_eff            # sum of the sample weights
    int n_threads           # threads for the full passes over X (see _cd.col_grads)
    bint values_are_float   # values hold float32 (also under a float64 state)


cdef extern from "_simd.h" nogil:
    double rf_dot_d(Py_ssize_t n, const double* x, const double* v)
    double rf_dot_f(Py_ssize_t n, const float* x, const float* v)
    double rf_wdot_d(Py_ssize_t n, const double* s, const double* x, const double* v)
    double rf_wdot_f(Py_ssize_t n, const float* s, const float* x, const float* v)
    void rf_axpy_d(Py_ssize_t n, double a, const double* x, double c, double* v)
    void rf_axpy_f(Py_ssize_t n, float a, const float* x, float c, float* v)
    void rf_dot4_d(Py_ssize_t n, const double* x, const double* r0, const double* r1,
                   const double* r2, const double* r3, double* out)
    void rf_dot4_f(Py_ssize_t n, const float* x, const float* r0, const float* r1,
                   const float* r2, const float* r3, double* out)
    void rf_axpy4_d(Py_ssize_t n, const double* a, const double* x, const double* c,
                    double* r0, double* r1, double* r2, double* r3)
    void rf_axpy4_f(Py_ssize_t n, const float* a, const float* x, const float* c,
                    float* r0, float* r1, float* r2, float* r3)
    # float32 X, float64 state
    double rf_dot_fd(Py_ssize_t n, const float* x, const double* v)
    double rf_wdot_fd(Py_ssize_t n, const double* s, const float* x, const double* v)
    void rf_axpy_fd(Py_ssize_t n, double a, const float* x, double c, double* v)
    void rf_dot4_fd(Py_ssize_t n, const float* x, const double* r0, const double* r1,
                    const double* r2, const double* r3, double* out)
    void rf_axpy4_fd(Py_ssize_t n, const double* a, const float* x, const double* c,
                     double* r0, double* r1, double* r2, double* r3)


# The (xfloat, floating) pairs used are (float, float), (double, double) and
# (float, double); the fourth, never called, gets the plain loop so it compiles.

@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline double dot(Py_ssize_t n, const xfloat* x,
                       const floating* v) noexcept nogil:
    """sum_i x_i v_i (double accumulation, vectorised in _simd.h)."""
    cdef double acc = 0.0
    cdef Py_ssize_t i
    if xfloat is float and floating is float:
        return rf_dot_f(n, x, v)
    elif xfloat is double and floating is double:
        return rf_dot_d(n, x, v)
    elif xfloat is float and floating is double:
        return rf_dot_fd(n, x, v)
    else:
        for i in range(n):
            acc += <double> x[i] * v[i]
        return acc


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline double wdot(Py_ssize_t n, const floating* s, const xfloat* x,
                        const floating* v) noexcept nogil:
    """sum_i s_i x_i v_i; plain dot when s is NULL."""
    cdef double acc = 0.0
    cdef Py_ssize_t i
    if s == NULL:
        return dot(n, x, v)
    if xfloat is float and floating is float:
        return rf_wdot_f(n, s, x, v)
    elif xfloat is double and floating is double:
        return rf_wdot_d(n, s, x, v)
    elif xfloat is float and floating is double:
        return rf_wdot_fd(n, s, x, v)
    else:
        for i in range(n):
            acc += <double> s[i] * x[i] * v[i]
        return acc


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline void axpy_centred(Py_ssize_t n, floating a, const xfloat* x,
                              floating c, floating* v) noexcept nogil:
    """v_i -= a x_i - c."""
    cdef Py_ssize_t i
    if xfloat is float and floating is float:
        rf_axpy_f(n, a, x, c, v)
    elif xfloat is double and floating is double:
        rf_axpy_d(n, a, x, c, v)
    elif xfloat is float and floating is double:
        rf_axpy_fd(n, a, x, c, v)
    else:
        for i in range(n):
            v[i] -= a * x[i] - c


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
cdef inline double sdot(Py_ssize_t k0, Py_ssize_t k1, const xfloat* x,
                        const int* idx, const floating* v) noexcept nogil:
    """sum_k x[k] v[idx[k]] for k0 <= k < k1: a sparse column's dot product.
    Four partial sums: one accumulator is bound by the latency of its adds.
    (col_grad keeps its one accumulator: its rounding is what the solvers'
    results were checked with; moving it to sdot changed a LogisticRegressionCV
    sample-weight equivalence check by 1.8e-7 relative, past its 1e-7.)"""
    cdef double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
    cdef Py_ssize_t k = k0
    while k + 4 <= k1:
        a0 += <double> x[k] * v[idx[k]]
        a1 += <double> x[k + 1] * v[idx[k + 1]]
        a2 += <double> x[k + 2] * v[idx[k + 2]]
        a3 += <double> x[k + 3] * v[idx[k + 3]]
        k += 4
    while k < k1:
        a0 += <double> x[k] * v[idx[k]]
        k += 1
    return (a0 + a1) + (a2 + a3)


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline void saxpy(Py_ssize_t k0, Py_ssize_t k1, floating a, const xfloat* x,
                       const int* idx, floating* v) noexcept nogil:
    """v[idx[k]] += a x[k] for k0 <= k < k1: a sparse column added to v."""
    cdef Py_ssize_t k
    for k in range(k0, k1):
        v[idx[k]] += a * x[k]


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline double col_grad(const Design* D, Py_ssize_t j, const floating* v,
                            double vsum) noexcept nogil:
    """(x_j - mean_j)^T S (v - vsum / n_eff): minus the gradient in w_j.

    For GRAM the state vector already is the gradient.
    """
    if floating is double:
        if D.values_are_float:
            return col_grad_x(D, j, <const float*> D.values, v, vsum)
    return col_grad_x(D, j, <const floating*> D.values, v, vsum)


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline double col_grad_x(const Design* D, Py_ssize_t j, const xfloat* X,
                              const floating* v, double vsum) noexcept nogil:
    """col_grad with X's values typed (X = D.values)."""
    cdef const floating* s = <const floating*> D.sw
    cdef const xfloat* x
    cdef double acc = 0.0, m = 0.0
    cdef Py_ssize_t k, i
    if D.kind == GRAM:
        return v[j]
    if D.xm != NULL:
        m = D.xm[j]
    if D.kind == DENSE:
        x = X + j * D.ld
        # v is kept centred, so sum_i s_i (x_ij - m) v_i = x_j^T S v - m vsum
        return wdot(D.n, s, x, v) - m * vsum
    x = X
    if s == NULL:
        for k in range(D.indptr[j], D.indptr[j + 1]):
            acc += <double> x[k] * v[D.indices[k]]
        return acc - m * vsum
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
    if floating is double:
        if D.values_are_float:
            return col_update_x(D, j, delta, <const float*> D.values, v)
    return col_update_x(D, j, delta, <const floating*> D.values, v)


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline double col_update_x(const Design* D, Py_ssize_t j, double delta,
                                const xfloat* X, floating* v) noexcept nogil:
    """col_update with X's values typed (X = D.values)."""
    cdef floating a = <floating> delta, c
    if D.kind == GRAM:
        axpy_centred(D.n, a, X + j * D.ld, <floating> 0, v)
        return 0.0
    if D.kind == DENSE:
        c = <floating> (delta * D.xm[j]) if D.xm != NULL else 0
        axpy_centred(D.n, a, X + j * D.ld, c, v)
        return 0.0
    saxpy(D.indptr[j], D.indptr[j + 1], -a, X, D.indices, v)
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
    if floating is double:
        if D.values_are_float:
            return col_sqnorm_x(D, j, <const float*> D.values, proto)
    return col_sqnorm_x(D, j, <const floating*> D.values, proto)


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline double col_sqnorm_x(const Design* D, Py_ssize_t j, const xfloat* X,
                                const floating* proto) noexcept nogil:
    """col_sqnorm with X's values typed (X = D.values)."""
    cdef const floating* s = <const floating*> D.sw
    cdef const xfloat* x
    cdef double acc = 0.0, m = 0.0, d, wsum_nz = 0.0, si
    cdef Py_ssize_t k, i
    if D.kind == GRAM:
        return X[j * D.ld + j]
    if D.xm != NULL:
        m = D.xm[j]
    if D.kind == DENSE:
        x = X + j * D.ld
        for i in range(D.n):
            d = x[i] - m
            acc += (s[i] if s != NULL else 1.0) * d * d
        return acc
    # CSC: stored entries, plus m^2 times the weight of the implicit zeros
    x = X
    for k in range(D.indptr[j], D.indptr[j + 1]):
        i = D.indices[k]
        si = s[i] if s != NULL else 1.0
        d = x[k] - m
        acc += si * d * d
        wsum_nz += si
    if D.indptr[j + 1] - D.indptr[j] >= D.n:
        # no implicit zeros: n_eff - wsum_nz would be rounding (the weights
        # summed in another order), and a constant column's norm not 0
        return acc
    return acc + m * m * (D.n_eff - wsum_nz)


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline void col_dense(const Design* D, Py_ssize_t j, floating* t) noexcept nogil:
    """t = column j, uncentred (DENSE/CSC: length n; GRAM: column j of G).

    With col_grad(D, i, t, sum_s(t)) this gives x_i^c^T S x_j^c: entries of
    the Gram matrix of a few columns, for any storage.
    """
    if floating is double:
        if D.values_are_float:
            col_dense_x(D, j, <const float*> D.values, t)
            return
    col_dense_x(D, j, <const floating*> D.values, t)


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline void col_dense_x(const Design* D, Py_ssize_t j, const xfloat* X,
                             floating* t) noexcept nogil:
    """col_dense with X's values typed (X = D.values)."""
    cdef const xfloat* x
    cdef Py_ssize_t i, k
    if D.kind == CSC:
        for i in range(D.n):
            t[i] = 0
        for k in range(D.indptr[j], D.indptr[j + 1]):
            t[D.indices[k]] = X[k]
        return
    x = X + j * D.ld
    for i in range(D.n):
        t[i] = x[i]


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline void col_rows_x(const Design* X, Py_ssize_t j, Py_ssize_t i0, Py_ssize_t i1,
                            long long* cursor, const xfloat* v, double* t) noexcept nogil:
    """t[:i1 - i0] = rows i0..i1 of column j (CSC: from cursor, moved past them;
    the row indices are sorted, as validation leaves them)."""
    cdef Py_ssize_t i
    cdef long long a
    if X.kind == CSC:
        for i in range(i1 - i0):
            t[i] = 0.0
        a = cursor[0]
        while a < X.indptr[j + 1] and X.indices[a] < i1:
            if X.indices[a] >= i0:       # always, with sorted indices
                t[X.indices[a] - i0] = v[a]
            a += 1
        cursor[0] = a
        return
    for i in range(i0, i1):
        t[i - i0] = v[j * X.ld + i]


# Several state vectors at once (the multi-task solver: R is T x n, vector t at
# R + t n).  Same meaning as col_grad / col_update applied to each vector; a
# dense column without weights is read once per four vectors (rf_dot4 /
# rf_axpy4), every other case is the one-vector primitive in a loop.

@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline void col_grad_block(const Design* D, Py_ssize_t j, const floating* R,
                                Py_ssize_t T, const double* vsum,
                                double* out) noexcept nogil:
    """out[t] = col_grad(D, j, R + t n, vsum[t]) for t < T."""
    cdef Py_ssize_t t = 0, k, n = D.n
    cdef const void* x
    cdef double m = 0.0
    if D.kind == DENSE and D.sw == NULL:
        x = (<const char*> D.values
             + j * D.ld * (sizeof(float) if D.values_are_float else sizeof(double)))
        if D.xm != NULL:
            m = D.xm[j]
        while t + 4 <= T:
            if floating is float:
                rf_dot4_f(n, <const float*> x, R + t * n, R + (t + 1) * n,
                          R + (t + 2) * n, R + (t + 3) * n, out + t)
            elif D.values_are_float:
                rf_dot4_fd(n, <const float*> x, R + t * n, R + (t + 1) * n,
                           R + (t + 2) * n, R + (t + 3) * n, out + t)
            else:
                rf_dot4_d(n, <const double*> x, R + t * n, R + (t + 1) * n,
                          R + (t + 2) * n, R + (t + 3) * n, out + t)
            for k in range(t, t + 4):
                out[k] -= m * vsum[k]      # R_t is kept centred (see col_grad)
            t += 4
    while t < T:
        out[t] = col_grad(D, j, R + t * n, vsum[t])
        t += 1


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline void col_update_block(const Design* D, Py_ssize_t j, const double* delta,
                                  floating* R, Py_ssize_t T,
                                  double* vsum) noexcept nogil:
    """col_update(D, j, delta[t], R + t n) for t < T (delta[t] = 0 skipped),
    adding the changes of the weighted sums to vsum."""
    cdef Py_ssize_t t = 0, k, n = D.n
    cdef const void* x
    cdef floating a[4]
    cdef floating c[4]
    cdef double m = 0.0
    if D.kind == DENSE:
        x = (<const char*> D.values
             + j * D.ld * (sizeof(float) if D.values_are_float else sizeof(double)))
        if D.xm != NULL:
            m = D.xm[j]
        while t + 4 <= T:
            for k in range(4):
                a[k] = <floating> delta[t + k]
                c[k] = <floating> (delta[t + k] * m)
            if floating is float:
                rf_axpy4_f(n, a, <const float*> x, c, R + t * n, R + (t + 1) * n,
                           R + (t + 2) * n, R + (t + 3) * n)
            elif D.values_are_float:
                rf_axpy4_fd(n, a, <const float*> x, c, R + t * n, R + (t + 1) * n,
                            R + (t + 2) * n, R + (t + 3) * n)
            else:
                rf_axpy4_d(n, a, <const double*> x, c, R + t * n, R + (t + 1) * n,
                           R + (t + 2) * n, R + (t + 3) * n)
            t += 4
    while t < T:
        if delta[t] != 0.0:
            vsum[t] += col_update(D, j, delta[t], R + t * n)
        t += 1
