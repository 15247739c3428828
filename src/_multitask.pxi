# Included by _cd.pyx: the multi-task problem (T targets sharing one support),
# on the same Design primitives, working sets, screening and extrapolation as
# the single-target solver above.
#
# Problem (scikit-learn's MultiTaskElasticNet, multiplied by n_eff):
#
#     P(W) = 1/2 ||R||_S^2 + lam sum_j ||W_j||_2 + beta / 2 ||W||_F^2,
#     R = Y_c - X_c W,  lam = n alpha rho,  beta = n alpha (1 - rho)
#
# W is p x T with row W_j (feature j's T coefficients) contiguous: the block
# update reads and writes one row.  The residual R is T x n, one contiguous
# length-n residual per target, so each target's column dot and axpy is the
# single-target primitive (col_grad / col_update, vectorised, implicit
# centring and weights included) and the per-target weighted sums of CSC's
# implicit centring are an array vsum[T].  Column j stays in cache across the
# T products of one block update.
#
# The block update of feature j (_penalty.pxd's block_shrink):
#     z = L_j W_j + X_j^T S R,   W_j <- max(0, 1 - lam / ||z||) z / (L_j + beta)
# The dual point is the residual rescaled so that max_j ||X_j^T theta - beta
# W_j||_2 <= lam; the duality gap then has the single-target formula with
# Frobenius norms.  Stopping: gap <= tol * ||Y_c||_S^2, scikit-learn's meaning.


cdef struct MTProblem:
    Py_ssize_t T
    double lam
    double beta
    const void* Y          # T x n targets (the state's dtype), target t at Y + t n
    const double* y_mean   # T
    double yy              # ||Y_c||_S^2 (Frobenius)
    double* z              # scratch, T
    double* d              # scratch, T
    double* vsum_try       # scratch, T


cdef void mt_init_state(const Design* D, const MTProblem* M, const double* w,
                        floating* R, double* vsum) noexcept nogil:
    """R = Y - y_mean - X_c W (centred for dense X) and its weighted sums."""
    cdef const floating* Y = <const floating*> M.Y
    cdef Py_ssize_t n = D.n, T = M.T, i, j, t
    for t in range(T):
        for i in range(n):
            R[t * n + i] = <floating> (Y[t * n + i] - M.y_mean[t])
    for j in range(D.p):
        for t in range(T):
            if w[j * T + t] != 0.0:
                col_update(D, j, w[j * T + t], R + t * n)
    for t in range(T):
        vsum[t] = state_sum(D, R + t * n)


cdef void mt_residual_stats(const Design* D, const MTProblem* M, const floating* R,
                            const double* vsum, double* R2, double* Ry) noexcept nogil:
    """||R||_S^2 and <R, Y_c>_S, summed over the targets."""
    cdef const floating* s = <const floating*> D.sw
    cdef const floating* Y = <const floating*> M.Y
    cdef Py_ssize_t n = D.n, t
    cdef double vmean, r2 = 0.0, ry = 0.0
    for t in range(M.T):
        vmean = vsum[t] / D.n_eff if D.xm != NULL else 0.0
        r2 += wdot(n, s, R + t * n, R + t * n) - vmean * vsum[t]
        ry += wdot(n, s, R + t * n, Y + t * n) - M.y_mean[t] * vsum[t]
    R2[0] = r2
    Ry[0] = ry


cdef inline double row_norm(const double* a, Py_ssize_t T) noexcept nogil:
    cdef double acc = 0.0
    cdef Py_ssize_t t
    for t in range(T):
        acc += a[t] * a[t]
    return sqrt(acc)


cdef double mt_penalty(const MTProblem* M, const double* w, const int* idx,
                       Py_ssize_t m, double* l2) noexcept nogil:
    """lam sum ||W_j|| over idx; writes beta ||W||_F^2 (over idx) to l2."""
    cdef double l1 = 0.0, acc2 = 0.0, nrm
    cdef Py_ssize_t k
    for k in range(m):
        nrm = row_norm(w + idx[k] * M.T, M.T)
        l1 += nrm
        acc2 += nrm * nrm
    l2[0] = M.beta * acc2
    return M.lam * l1


cdef double mt_primal(const Design* D, const MTProblem* M, const double* w,
                      const floating* R, const double* vsum, const int* idx,
                      Py_ssize_t m) noexcept nogil:
    cdef double R2, Ry, l1, l2
    mt_residual_stats(D, M, R, vsum, &R2, &Ry)
    l1 = mt_penalty(M, w, idx, m, &l2)
    return 0.5 * (R2 + l2) + l1


cdef double mt_gap(const Design* D, const MTProblem* M, const double* w,
                   const floating* R, const double* vsum, const int* idx,
                   Py_ssize_t m, const double* norms2, double* grad,
                   double* scale_out) noexcept nogil:
    """Duality gap restricted to the features idx[:m] (all: the full problem).

    grad[j T + t] receives X_j^T S R_t.  With an L1 part, the dual point is the
    residual scaled into max_j ||X_j^T theta - beta W_j|| <= lam (scale_out);
    pure L2 needs no scaling (the smooth dual, as the single-target solver);
    alpha = 0 measures each feature's remaining exact-step decrease instead.
    """
    cdef Py_ssize_t T = M.T, n = D.n, k, j, t
    cdef double R2, Ry, l1, l2, g, acc, accg, dual_norm = 0.0, scale = 1.0, gap
    cdef double quad = 0.0, unpen = 0.0
    mt_residual_stats(D, M, R, vsum, &R2, &Ry)
    l1 = mt_penalty(M, w, idx, m, &l2)
    # the full pass, over D.n_threads threads as `col_grads` (bit-identical results)
    if use_threads(D, idx, m):
        for k in prange(m, schedule="static", num_threads=D.n_threads):
            col_grad_block(D, idx[k], R, T, vsum, grad + idx[k] * T)
    else:
        for k in range(m):
            col_grad_block(D, idx[k], R, T, vsum, grad + idx[k] * T)
    for k in range(m):
        j = idx[k]
        acc = 0.0
        accg = 0.0
        for t in range(T):
            g = grad[j * T + t]
            accg += g * g
            g -= M.beta * w[j * T + t]
            acc += g * g
        if M.lam > 0.0:
            acc = sqrt(acc) / M.lam
            if acc > dual_norm:
                dual_norm = acc
        elif M.beta > 0.0:
            quad += accg / M.beta         # the L2 part's conjugate at X_j^T R
        elif norms2[j] > 0.0:
            unpen += accg / norms2[j]     # twice an exact step's decrease
    if M.lam > 0.0:
        if dual_norm > 1.0:
            scale = 1.0 / dual_norm
        scale_out[0] = scale
        gap = (0.5 * (R2 + l2) + l1 + 0.5 * scale * scale * (R2 + l2) - scale * Ry)
    else:
        scale_out[0] = 1.0
        gap = R2 - Ry + 0.5 * l2 + 0.5 * quad + unpen
    return gap if gap > 0.0 else 0.0


cdef void mt_update_row(const Design* D, const MTProblem* M, Py_ssize_t j,
                        double* w, floating* R, double* vsum,
                        const double* wnew) noexcept nogil:
    """Move row W_j to wnew, keeping R and vsum in step."""
    cdef Py_ssize_t T = M.T, t
    cdef bint moved = False
    for t in range(T):
        M.d[t] = wnew[t] - w[j * T + t]
        if M.d[t] != 0.0:
            moved = True
    if moved:
        col_update_block(D, j, M.d, R, T, vsum)
        for t in range(T):
            w[j * T + t] = wnew[t]


cdef void mt_epoch(const Design* D, const MTProblem* M, double* w, floating* R,
                   double* vsum, const double* norms2, const int* ws, Py_ssize_t m,
                   bint random, unsigned int* seed) noexcept nogil:
    """One pass of block updates over ws[:m]."""
    cdef Py_ssize_t T = M.T, n = D.n, k, j, t
    cdef double L, f, zz
    cdef double* z = M.z
    for k in range(m):
        j = ws[xorshift(seed) % m] if random else ws[k]
        L = norms2[j]
        if L + M.beta == 0.0:
            continue
        zz = 0.0
        col_grad_block(D, j, R, T, vsum, z)
        for t in range(T):
            z[t] += L * w[j * T + t]
            zz += z[t] * z[t]
        f = block_shrink(sqrt(zz), M.lam, L + M.beta)
        for t in range(T):
            z[t] *= f
        mt_update_row(D, M, j, w, R, vsum, z)


cdef double mt_anderson(const Design* D, const MTProblem* M, double* w, floating* R,
                        floating* R_try, double* vsum, const int* ws, Py_ssize_t m,
                        double* hist, double* w_try) noexcept nogil:
    """Anderson extrapolation of the last ANDERSON_K + 1 iterates (hist: rows of
    m T values, the working set's rows of W), kept only if it lowers P."""
    cdef double C[ANDERSON_K * ANDERSON_K]
    cdef double z[ANDERSON_K]
    cdef double zs = 0.0, acc, p_old, p_new, d
    cdef Py_ssize_t T = M.T, mT = m * M.T, a, b, k, t, i, j
    cdef double* vs_try = M.vsum_try
    cdef int K = ANDERSON_K
    for a in range(K):
        for b in range(a, K):
            acc = 0.0
            for k in range(mT):
                acc += ((hist[(a + 1) * mT + k] - hist[a * mT + k])
                        * (hist[(b + 1) * mT + k] - hist[b * mT + k]))
            C[a * K + b] = acc
            C[b * K + a] = acc
    p_old = mt_primal(D, M, w, R, vsum, ws, m)
    if not solve_small(C, z, K):
        return p_old
    for a in range(K):
        zs += z[a]
    if zs == 0.0:
        return p_old
    for k in range(mT):
        acc = 0.0
        for a in range(K):
            acc += z[a] / zs * hist[(a + 1) * mT + k]
        w_try[k] = acc
    for i in range(D.n * T):
        R_try[i] = R[i]
    for t in range(T):
        vs_try[t] = vsum[t]
    for k in range(m):
        j = ws[k]
        for t in range(T):
            d = w_try[k * T + t] - w[j * T + t]
            if d != 0.0:
                vs_try[t] += col_update(D, j, d, R_try + t * D.n)
    # swap w_try into w, evaluate, keep or swap back
    for k in range(m):
        j = ws[k]
        for t in range(T):
            d = w[j * T + t]
            w[j * T + t] = w_try[k * T + t]
            w_try[k * T + t] = d
    p_new = mt_primal(D, M, w, R_try, vs_try, ws, m)
    if p_new < p_old:
        for i in range(D.n * T):
            R[i] = R_try[i]
        for t in range(T):
            vsum[t] = vs_try[t]
        return p_new
    for k in range(m):
        j = ws[k]
        for t in range(T):
            w[j * T + t] = w_try[k * T + t]
    return p_old


cdef int mt_solve(const Design* D, const MTProblem* M, Workspace* W, double* w,
                  floating* R, double* vsum, double tol_abs, int max_epochs,
                  bint random, unsigned int* seed, bint use_ws, bint use_screening,
                  double* gap_out, int* n_epochs_out) noexcept nogil:
    """Minimise P(W) from the given W: `solve`'s outer loop with rows for
    coordinates.  Returns 0 when converged, 1 at max_epochs, INTERRUPTED.

    W (the Workspace) is allocated for p T coefficients and an n T residual;
    W.norms2[:p] must hold the column norms.
    """
    cdef Py_ssize_t p = D.p, T = M.T, j, k, t, m, n_active, nnz, ws_size
    cdef double gap = INFINITY, scale, radius, sub_gap, inner_tol, cn, xt, acc
    cdef double sub_scale
    cdef int epochs = 0, status = 1, n_hist
    cdef double* norms2 = W.norms2
    cdef double* grad = W.grad
    cdef double* score = W.score
    cdef int* all_idx = W.all_idx
    cdef int* ws = W.ws
    cdef unsigned char* screened = W.screened
    cdef double* hist = W.hist
    cdef bint nonzero
    memset(screened, 0, p)
    for j in range(p):
        all_idx[j] = <int> j
        if norms2[j] + M.beta == 0.0:
            for t in range(T):
                w[j * T + t] = 0.0     # a zero column carries no information

    while True:
        # -- outer iteration: fresh residual, certified gap on all features
        mt_init_state(D, M, w, R, vsum)
        gap = mt_gap(D, M, w, R, vsum, all_idx, p, norms2, grad, &scale)
        if gap <= tol_abs:
            status = 0
            break
        if epochs >= max_epochs:
            break
        if should_stop(W.stop):
            status = INTERRUPTED
            break

        # -- gap-safe screening: ||X_j^T theta - beta W_j|| + r ||x_j|| < lam => W_j = 0
        if use_screening and M.lam > 0.0:
            radius = sqrt(2.0 * gap)
            for j in range(p):
                if screened[j]:
                    continue
                acc = 0.0
                for t in range(T):
                    xt = scale * (grad[j * T + t] - M.beta * w[j * T + t])
                    acc += xt * xt
                if sqrt(acc) + radius * sqrt(norms2[j] + M.beta) < M.lam:
                    screened[j] = 1
                    for t in range(T):
                        M.z[t] = 0.0
                    mt_update_row(D, M, j, w, R, vsum, M.z)

        # -- working set: the support, then the rows closest to entering
        n_active = 0
        nnz = 0
        for j in range(p):
            if screened[j]:
                continue
            ws[n_active] = <int> j
            n_active += 1
            nonzero = False
            for t in range(T):
                if w[j * T + t] != 0.0:
                    nonzero = True
            if nonzero or M.lam == 0.0:
                score[j] = INFINITY
                nnz += 1
            else:
                acc = 0.0
                for t in range(T):
                    xt = scale * grad[j * T + t]
                    acc += xt * xt
                cn = sqrt(norms2[j] + M.beta)
                score[j] = -(M.lam - sqrt(acc)) / cn if cn > 0.0 else -INFINITY
        ws_size = n_active
        if use_ws:
            ws_size = min(max(2 * nnz, <Py_ssize_t> WS_MIN), n_active)
        select_top(score, ws, n_active, ws_size)
        sort_ints(ws, ws_size)
        m = ws_size
        inner_tol = INNER_GAP_RATIO * gap
        if inner_tol < tol_abs or ws_size == n_active:
            inner_tol = tol_abs

        # -- inner solver on the working set, with Anderson extrapolation
        for k in range(m):
            for t in range(T):
                hist[k * T + t] = w[ws[k] * T + t]
        n_hist = 1
        while epochs < max_epochs:
            mt_epoch(D, M, w, R, vsum, norms2, ws, m, random, seed)
            epochs += 1
            for k in range(m):
                for t in range(T):
                    hist[(n_hist * m + k) * T + t] = w[ws[k] * T + t]
            n_hist += 1
            if n_hist == ANDERSON_K + 1:
                mt_anderson(D, M, w, R, <floating*> W.v_try, vsum, ws, m, hist,
                            W.w_try)
                for k in range(m):
                    for t in range(T):
                        hist[k * T + t] = w[ws[k] * T + t]
                n_hist = 1
                sub_gap = mt_gap(D, M, w, R, vsum, ws, m, norms2, grad, &sub_scale)
                if sub_gap <= inner_tol or should_stop(W.stop):
                    break
    gap_out[0] = gap
    n_epochs_out[0] = epochs
    return status


cdef int mt_path(const Design* D, MTProblem* M, const double* alphas,
                 Py_ssize_t n_alphas, double l1_ratio, double* w, floating* R,
                 double* coefs, double* gaps, int* n_iters, unsigned char* conv,
                 double tol_abs, int max_epochs, bint random, unsigned int seed,
                 bint use_ws, bint use_screening, Stopper* stop) noexcept nogil:
    """Solve at each alpha in turn, warm-starting from the previous solution.

    coefs receives n_alphas blocks of p T (W row-major).  Returns -1 if memory
    ran out, INTERRUPTED if stopped.
    """
    cdef Workspace W
    cdef Py_ssize_t a, j, p = D.p, T = M.T
    cdef double gap, scale
    cdef int epochs, status = 0
    cdef double* vsum = <double*> malloc(T * sizeof(double))
    cdef double* scratch = <double*> malloc(3 * T * sizeof(double))
    # the single-target workspace, sized for p T coefficients and an n T residual
    cdef bint ok = ws_alloc(&W, D.n * T, p * T, sizeof(floating))
    if vsum == NULL or scratch == NULL or not ok:
        ws_free(&W)
        free(vsum)
        free(scratch)
        return -1
    M.z = scratch
    M.d = scratch + T
    M.vsum_try = scratch + 2 * T
    W.stop = stop
    for j in range(p):
        W.all_idx[j] = <int> j
    col_sqnorms(D, R, W.all_idx, p, W.norms2)
    if seed == 0:
        seed = 1
    for a in range(n_alphas):
        M.lam = D.n_eff * alphas[a] * l1_ratio
        M.beta = D.n_eff * alphas[a] * (1.0 - l1_ratio)
        status = mt_solve(D, M, &W, w, R, vsum, tol_abs, max_epochs, random, &seed,
                          use_ws, use_screening, &gap, &epochs)
        if D.values_are_float and floating is double and status != INTERRUPTED:
            # float32 X under a float64 state: the gap of the float32
            # coefficients the caller keeps (see `path`)
            round_to_float(w, p * T)
            mt_init_state(D, M, w, R, vsum)
            gap = mt_gap(D, M, w, R, vsum, W.all_idx, p, W.norms2, W.grad, &scale)
            status = 0 if gap <= tol_abs else 1
        for j in range(p * T):
            coefs[a * p * T + j] = w[j]
        gaps[a] = gap
        n_iters[a] = epochs
        conv[a] = status == 0
        if status == INTERRUPTED:
            break
    ws_free(&W)
    free(vsum)
    free(scratch)
    return INTERRUPTED if status == INTERRUPTED else 0


def mt_path_fit(int kind, values, indices, indptr, Py_ssize_t n_rows,
                Py_ssize_t n_cols, Y, sw, xm, double n_eff,
                const double[::1] y_mean, double yy, double[:, ::1] w,
                const double[::1] alphas, double l1_ratio, double tol, int max_iter,
                bint random, unsigned int seed, bint use_ws=True,
                bint use_screening=True, int n_threads=1):
    """Fit the multi-task elastic net along alphas, warm-starting each from the last.

    Parameters
    ----------
    kind, values, indices, indptr, n_rows, n_cols, sw, xm, n_eff :
        The design, as for `enet_path_fit` (dense or CSC; no Gram kind).
    Y : ndarray of shape (n_rows, T), Fortran order, X's dtype or float64
        The targets (uncentred; y_mean is subtracted implicitly).  Their dtype
        is the state's: float64 Y with float32 X keeps a float64 residual.
    y_mean : ndarray of shape (T,)
        Weighted means of the targets (zeros without intercept).
    yy : float
        ||Y_c||_S^2, the Frobenius norm of the centred, weighted targets.
    w : ndarray of shape (n_cols, T), float64, C order
        Initial coefficients (W, i.e. coef_.T); holds the last solution on return.
    tol : float
        Relative tolerance: stop when gap <= tol * yy.

    Returns
    -------
    coefs : ndarray of shape (n_alphas, n_cols, T), float64
    gaps : ndarray of shape (n_alphas,), in units of the unscaled objective
    n_iters : ndarray of int32, epochs per alpha
    converged : ndarray of bool
    """
    if kind == GRAM:
        raise ValueError("mt_path_fit: the multi-task kernel reads X, not a Gram matrix")
    if state_is_float(Y):
        return _mt_path_fit[float](kind, values, indices, indptr, n_rows, n_cols, Y,
                                   sw, xm, n_eff, y_mean, yy, w, alphas, l1_ratio, tol,
                                   max_iter, random, seed, use_ws, use_screening,
                                   n_threads)
    return _mt_path_fit[double](kind, values, indices, indptr, n_rows, n_cols, Y, sw,
                                xm, n_eff, y_mean, yy, w, alphas, l1_ratio, tol,
                                max_iter, random, seed, use_ws, use_screening, n_threads)


cdef _mt_path_fit(int kind, values, const int[::1] indices,
                  const long long[::1] indptr, Py_ssize_t n_rows, Py_ssize_t n_cols,
                  const floating[::1, :] Y, const floating[::1] sw,
                  const double[::1] xm, double n_eff, const double[::1] y_mean,
                  double yy, double[:, ::1] w, const double[::1] alphas,
                  double l1_ratio, double tol, int max_iter, bint random,
                  unsigned int seed, bint use_ws, bint use_screening, int n_threads):
    cdef Design D
    cdef MTProblem M
    cdef Py_ssize_t T = Y.shape[1], n_alphas = alphas.shape[0]
    cdef int status
    cdef floating[::1] R = np.empty(n_rows * T,
                                    dtype=np.float32 if floating is float else np.float64)
    cdef double[:, :, ::1] coefs = np.zeros((n_alphas, n_cols, T))
    cdef double[::1] gaps = np.zeros(n_alphas)
    cdef int[::1] n_iters = np.zeros(n_alphas, dtype=np.int32)
    cdef unsigned char[::1] conv = np.zeros(n_alphas, dtype=np.uint8)
    cdef Stopper stop
    if Y.shape[0] != n_rows or w.shape[0] != n_cols or w.shape[1] != T \
            or y_mean.shape[0] != T:
        raise ValueError("mt_path_fit: inconsistent shapes of Y, w and y_mean")
    stopper_init(&stop, in_main_thread())
    fill_design_any(&D, kind, values, indices, indptr, n_rows, n_cols, sw, xm, n_eff)
    D.n_threads = max(1, n_threads)
    M.T = T
    M.Y = &Y[0, 0]
    M.y_mean = &y_mean[0]
    M.yy = yy
    with nogil:
        status = mt_path(&D, &M, &alphas[0], n_alphas, l1_ratio, &w[0, 0], &R[0],
                         &coefs[0, 0, 0], &gaps[0], &n_iters[0], &conv[0], tol * yy,
                         max_iter, random, seed, use_ws, use_screening, &stop)
    stopper_raise(&stop)
    if status < 0:
        raise MemoryError("regfast: could not allocate the solver's work arrays")
    return (np.asarray(coefs), np.asarray(gaps), np.asarray(n_iters),
            np.asarray(conv).astype(bool))
