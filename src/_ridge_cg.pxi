# Ridge's conjugate gradients on the normal equations (included by _cd.pyx).
#
# Z = diag(sqrt_sw) (X - 1 m^T) for dense (F-ordered) or CSC X; the system is
# inv^2 Z^T Z + diag(alpha) (primal, p unknowns a target) or inv^2 Z Z^T +
# diag(alpha) (dual, n unknowns, w = inv Z^T u).  regfast._ridge.solve_cg sets
# up the scaling (inv, alpha / sigma^2), the Jacobi preconditioner and the
# stopping bound; this file runs the iterations without the GIL.  All targets
# go in lockstep, so each iteration reads X once (dual) or twice (primal) for
# all of them; the Design is unweighted and the weights enter as sqrt_sw.


cdef void normal_product(const Design* D, const int* cols, Py_ssize_t m,
                         const floating* sqrt_sw, double inv, const double* alphas,
                         bint dual, const floating* V, Py_ssize_t k, floating* out,
                         floating* u, double* usum, double* shift,
                         double* g) noexcept nogil:
    """out = (inv^2 Z Z^T + diag(alphas)) V (dual: V is n x k, F order) or
    (inv^2 Z^T Z + diag(alphas)) V (primal: p x k), over the columns cols.

    Each product with Z or Z^T is scaled by inv as it is formed (Z^T Z itself
    may overflow float32).  u (n x k), usum, shift and g (k) are workspace.
    The dual product reads X once: column j's dot with u is followed at once
    by its update of out while it is in cache.  A CSC column has ~10 entries
    on text data, where the work per column dominates: its loops are written
    out (sdot / saxpy) rather than taken through col_grad / col_update.
    """
    cdef Py_ssize_t n = D.n, p = D.p, i, j, jj, t
    cdef Py_ssize_t lv = n if dual else p
    cdef bint csc = D.kind == CSC
    cdef const floating* x = <const floating*> D.values
    cdef const int* idx = D.indices
    cdef const long long* ptr = D.indptr
    cdef double mj = 0.0, s2
    # centring: (X - 1 m^T) g = X g - (m^T g) 1 and (X - 1 m^T)^T u = X^T u -
    # m sum(u); a CSC column is read as stored and its mean enters through
    # shift (m^T g) and usum, a dense one is centred by the primitives
    for t in range(k):
        usum[t] = 0.0
        shift[t] = 0.0
    memset(out, 0, lv * k * sizeof(floating))
    if dual:
        # u = S^1/2 V; out = S^1/2 (X - 1 m^T) g inv with g_j = (x_j - m_j)^T u inv
        for t in range(k):
            for i in range(n):
                u[t * n + i] = V[t * n + i] * sqrt_sw[i] if sqrt_sw != NULL else V[t * n + i]
                usum[t] += u[t * n + i]
        for jj in range(m):
            j = cols[jj]
            if csc:
                if D.xm != NULL:
                    mj = D.xm[j]
                for t in range(k):
                    g[t] = (sdot(ptr[j], ptr[j + 1], x, idx, u + t * n) - mj * usum[t]) * inv
                    shift[t] += g[t] * mj
                    saxpy(ptr[j], ptr[j + 1], <floating> g[t], x, idx, out + t * n)
            else:
                col_grad_block(D, j, u, k, usum, g)
                for t in range(k):
                    g[t] = -g[t] * inv
                col_update_block(D, j, g, out, k, shift)   # DENSE: centred, shift stays 0
        for t in range(k):
            for i in range(n):
                s2 = sqrt_sw[i] if sqrt_sw != NULL else 1.0
                out[t * n + i] = <floating> ((out[t * n + i] - shift[t]) * s2 * inv
                                             + alphas[t] * V[t * n + i])
        return
    # primal: u = S (X - 1 m^T) V inv; out = (X - 1 m^T)^T u inv
    memset(u, 0, n * k * sizeof(floating))
    for jj in range(m):
        j = cols[jj]
        if csc:
            if D.xm != NULL:
                mj = D.xm[j]
            for t in range(k):
                shift[t] += V[t * p + j] * mj
                saxpy(ptr[j], ptr[j + 1], V[t * p + j], x, idx, u + t * n)
        else:
            for t in range(k):
                g[t] = -V[t * p + j]
            col_update_block(D, j, g, u, k, usum)       # DENSE: centred, usum stays 0
    for t in range(k):
        usum[t] = 0.0
        for i in range(n):
            s2 = sqrt_sw[i] * sqrt_sw[i] if sqrt_sw != NULL else 1.0
            u[t * n + i] = <floating> ((u[t * n + i] - shift[t]) * inv * s2)
            usum[t] += u[t * n + i]
    for jj in range(m):
        j = cols[jj]
        if csc:
            if D.xm != NULL:
                mj = D.xm[j]
            for t in range(k):
                out[t * p + j] = <floating> (
                    (sdot(ptr[j], ptr[j + 1], x, idx, u + t * n) - mj * usum[t]) * inv)
        else:
            col_grad_block(D, j, u, k, usum, g)
            for t in range(k):
                out[t * p + j] = <floating> (g[t] * inv)
    for t in range(k):
        for j in range(p):
            out[t * p + j] = <floating> (out[t * p + j] + alphas[t] * V[t * p + j])


cdef inline double vdot(Py_ssize_t n, const floating* a, const floating* b) noexcept nogil:
    """sum_i a_i b_i, accumulated in double."""
    cdef double acc = 0.0
    cdef Py_ssize_t i
    for i in range(n):
        acc += <double> a[i] * b[i]
    return acc


cdef inline bint cg_done(double rr, double b_norm, double factor, double alpha, double tol,
                         bint dual, Py_ssize_t lv, const floating* U,
                         const floating* AU) noexcept nogil:
    """The stopping rule of regfast._ridge.solve_cg (see there): with a finite
    factor, factor ||r|| <= tol ||w|| (||w||^2 from U and AU without a product
    with X); without one (alpha = 0), ||r|| <= tol ||b||."""
    cdef double w2, r = sqrt(rr)
    if factor == INFINITY:
        return r <= tol * b_norm
    w2 = vdot(lv, U, AU) - alpha * vdot(lv, U, U) if dual else vdot(lv, U, U)
    return factor * r <= tol * sqrt(w2 if w2 > 0.0 else 0.0)


cdef int cg_normal(const Design* D, const int* cols, Py_ssize_t m, const floating* sqrt_sw,
                   double inv, const double* alphas, bint dual, const floating* B,
                   const floating* precond, Py_ssize_t k, double tol, const double* b_norm,
                   const double* factor, int max_iter, floating* U, floating* AU,
                   floating* R, floating* Dir, floating* ADir, floating* u,
                   double* dwork, int* n_iter, unsigned char* active,
                   Stopper* stop) noexcept nogil:
    """Jacobi-preconditioned CG from U = 0 on every target whose column of
    active is set, until cg_done or max_iter; n_iter counts each target's
    iterations.  Returns 0, or INTERRUPTED."""
    cdef Py_ssize_t lv = D.n if dual else D.p, i, t, off
    cdef int it
    cdef double* rz = dwork
    cdef double* rr = dwork + k
    cdef double* usum = dwork + 2 * k
    cdef double* shift = dwork + 3 * k
    cdef double* g = dwork + 4 * k
    cdef double dAd, step, rz_new, beta
    cdef bint any_active
    for t in range(k):
        off = t * lv
        for i in range(lv):
            U[off + i] = 0
            AU[off + i] = 0
            R[off + i] = B[off + i]
            Dir[off + i] = B[off + i] * precond[off + i]
        rz[t] = vdot(lv, R + off, Dir + off)
        rr[t] = vdot(lv, R + off, R + off)
        n_iter[t] = 0
        active[t] = not cg_done(rr[t], b_norm[t], factor[t], alphas[t], tol, dual, lv,
                                U + off, AU + off)
    for it in range(1, max_iter + 1):
        any_active = False
        for t in range(k):
            any_active = any_active or active[t]
        if not any_active:
            break
        if should_stop(stop):
            return INTERRUPTED
        normal_product(D, cols, m, sqrt_sw, inv, alphas, dual, Dir, k, ADir, u, usum,
                       shift, g)
        for t in range(k):
            if not active[t]:
                continue
            off = t * lv
            dAd = vdot(lv, Dir + off, ADir + off)
            step = rz[t] / dAd if dAd > 0.0 else 0.0
            for i in range(lv):
                U[off + i] += <floating> step * Dir[off + i]
                AU[off + i] += <floating> step * ADir[off + i]
                R[off + i] -= <floating> step * ADir[off + i]
            n_iter[t] = it
            rr[t] = vdot(lv, R + off, R + off)
            if cg_done(rr[t], b_norm[t], factor[t], alphas[t], tol, dual, lv, U + off,
                       AU + off):
                active[t] = 0
                continue
            rz_new = 0.0
            for i in range(lv):
                rz_new += <double> R[off + i] * R[off + i] * precond[off + i]
            beta = rz_new / rz[t]
            for i in range(lv):
                Dir[off + i] = <floating> (R[off + i] * precond[off + i] + beta * Dir[off + i])
            rz[t] = rz_new
    return 0


def ridge_cg(int kind, values, indices, indptr, Py_ssize_t n_rows, Py_ssize_t n_cols,
             xm, sqrt_sw, cols, B, precond, alphas, double inv, bint dual, double tol,
             b_norm, factor, int max_iter):
    """Conjugate gradients on Ridge's normal equations, all targets at once.

    Parameters
    ----------
    kind, values, indices, indptr, n_rows, n_cols : X (DENSE F-ordered or CSC)
    xm : ndarray (n_cols,) float64 or None
        Column means (centring), or None.
    sqrt_sw : ndarray (n_rows,) in X's dtype, or None
        Square roots of the sample weights.
    cols : ndarray of int32
        The columns of Z used; the others (constant columns, centred to
        exactly zero) count as zero.
    B, precond : ndarray (len, k), F order, X's dtype
        Right-hand sides and the inverse diagonal (Jacobi) per target, len =
        n_rows (dual) or n_cols (primal).
    alphas, b_norm, factor : ndarray (k,) float64
        Per target: the scaled penalty, ||b|| and the error bound's factor
        (||w - w*|| <= factor ||r||; inf where there is none).
    inv, dual, tol, max_iter : see the module comment and solve_cg.

    Returns
    -------
    U : ndarray (len, k), X's dtype
    n_iter : ndarray (k,) int32
    converged : ndarray (k,) bool
    """
    if values.dtype == np.float32:
        return _ridge_cg[float](kind, values, indices, indptr, n_rows, n_cols, xm, sqrt_sw,
                                cols, B, precond, alphas, inv, dual, tol, b_norm, factor,
                                max_iter)
    return _ridge_cg[double](kind, values, indices, indptr, n_rows, n_cols, xm, sqrt_sw,
                             cols, B, precond, alphas, inv, dual, tol, b_norm, factor,
                             max_iter)


cdef _ridge_cg(int kind, const floating[:] values, const int[::1] indices,
               const long long[::1] indptr, Py_ssize_t n_rows, Py_ssize_t n_cols,
               const double[::1] xm, const floating[::1] sqrt_sw, const int[::1] cols,
               const floating[::1, :] B, const floating[::1, :] precond,
               const double[::1] alphas, double inv, bint dual, double tol,
               const double[::1] b_norm, const double[::1] factor, int max_iter):
    cdef Design D
    cdef Py_ssize_t k = B.shape[1], lv = B.shape[0], n = n_rows
    dtype = np.float32 if floating is float else np.float64
    cdef floating[::1, :] U = np.empty((lv, k), dtype=dtype, order="F")
    cdef floating[::1, :] AU = np.empty((lv, k), dtype=dtype, order="F")
    cdef floating[::1, :] R = np.empty((lv, k), dtype=dtype, order="F")
    cdef floating[::1, :] Dir = np.empty((lv, k), dtype=dtype, order="F")
    cdef floating[::1, :] ADir = np.empty((lv, k), dtype=dtype, order="F")
    cdef floating[::1, :] u = np.empty((max(n, 1), k), dtype=dtype, order="F")
    cdef double[::1] dwork = np.zeros(5 * max(k, 1))
    cdef int[::1] n_iter = np.zeros(k, dtype=np.int32)
    cdef unsigned char[::1] active = np.zeros(k, dtype=np.uint8)
    cdef const floating[::1] no_sw = None
    cdef const floating* s = &sqrt_sw[0] if sqrt_sw is not None else NULL
    cdef int status = 0
    cdef Stopper stop
    if k == 0 or lv == 0:
        return np.asarray(U), np.asarray(n_iter), np.ones(k, dtype=bool)
    stopper_init(&stop, in_main_thread())
    fill_design(&D, kind, values, indices, indptr, n_rows, n_cols, no_sw, xm, <double> n)
    with nogil:
        status = cg_normal(&D, &cols[0] if cols.shape[0] else NULL, cols.shape[0], s, inv,
                           &alphas[0], dual, &B[0, 0], &precond[0, 0], k, tol,
                           &b_norm[0], &factor[0], max_iter, &U[0, 0], &AU[0, 0],
                           &R[0, 0], &Dir[0, 0], &ADir[0, 0], &u[0, 0], &dwork[0],
                           &n_iter[0], &active[0], &stop)
    stopper_raise(&stop)
    return np.asarray(U), np.asarray(n_iter), np.asarray(active) == 0


def normal_apply(int kind, values, indices, indptr, Py_ssize_t n_rows, Py_ssize_t n_cols,
                 xm, sqrt_sw, cols, V, double inv, alphas, bint dual):
    """The product of one CG iteration (normal_product) on its own, for tests and
    benchmarks: V (n_rows or n_cols, k), F order, X's dtype; arguments as ridge_cg."""
    if values.dtype == np.float32:
        return _normal_apply[float](kind, values, indices, indptr, n_rows, n_cols, xm,
                                    sqrt_sw, cols, V, inv, alphas, dual)
    return _normal_apply[double](kind, values, indices, indptr, n_rows, n_cols, xm,
                                 sqrt_sw, cols, V, inv, alphas, dual)


cdef _normal_apply(int kind, const floating[:] values, const int[::1] indices,
                   const long long[::1] indptr, Py_ssize_t n_rows, Py_ssize_t n_cols,
                   const double[::1] xm, const floating[::1] sqrt_sw, const int[::1] cols,
                   const floating[::1, :] V, double inv, const double[::1] alphas,
                   bint dual):
    cdef Design D
    cdef Py_ssize_t k = V.shape[1]
    dtype = np.float32 if floating is float else np.float64
    cdef floating[::1, :] out = np.empty((V.shape[0], k), dtype=dtype, order="F")
    cdef floating[::1, :] u = np.empty((max(n_rows, 1), k), dtype=dtype, order="F")
    cdef double[::1] dwork = np.zeros(3 * max(k, 1))
    cdef const floating[::1] no_sw = None
    if k == 0 or V.shape[0] == 0:
        return np.asarray(out)
    fill_design(&D, kind, values, indices, indptr, n_rows, n_cols, no_sw, xm, <double> n_rows)
    with nogil:
        normal_product(&D, &cols[0] if cols.shape[0] else NULL, cols.shape[0],
                       &sqrt_sw[0] if sqrt_sw is not None else NULL, inv, &alphas[0], dual,
                       &V[0, 0], k, &out[0, 0], &u[0, 0], &dwork[0], &dwork[k],
                       &dwork[2 * k])
    return np.asarray(out)
