# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Coordinate descent for the elastic net: one fit at one alpha, without the GIL.

Problem (scikit-learn's, multiplied by n_eff = sum of sample weights):

    P(w) = 1/2 ||R||_S^2 + sum_j lam_j |w_j| + beta_j / 2 w_j^2,
    R = y_c - X_c w,  lam_j = n alpha rho pf_j,  beta_j = n alpha (1 - rho) pf_j

The coordinate update is soft-thresholding (L1) followed by the closed-form
shrink (L2), clipped into the feature's box bounds (_penalty.pxd).  Around it:

* working sets: subproblems on the features most likely to be non-zero, grown
  geometrically; the duality gap is certified on all features between rounds;
* Anderson extrapolation of the iterates inside a subproblem, accepted only
  when it lowers the objective;
* gap-safe screening of features that are provably zero at this alpha.

Stopping is by the duality gap, as in scikit-learn: gap <= tol * ||y_c||_S^2.
"""

from libc.math cimport fabs, sqrt, INFINITY
from libc.float cimport DBL_EPSILON, FLT_EPSILON
from libc.stdlib cimport calloc, malloc, free, realloc
from libc.string cimport memcpy, memset
from cython.parallel cimport prange
from scipy.linalg.cython_lapack cimport dpotrf, dpotrs

from _design cimport (Design, DENSE, CSC, GRAM, floating, dot, wdot, wsum, sdot,
                      saxpy, col_grad, col_update, col_sqnorm, col_dense, col_rows_x, col_grad_block,
                      col_update_block)
from _penalty cimport (clip, soft_shrink, excess, unbounded_excess, box_conj,
                       l2_conj2, l2_push, at_bound, block_shrink)
from _interrupt cimport (Stopper, stopper_init, should_stop, stopper_raise,
                         regfast_add_stop_request)

import threading

import numpy as np

cdef enum:
    ANDERSON_K = 5        # iterates combined by one extrapolation
    WS_MIN = 10           # smallest working set
    UNPEN_MAX = 256       # unpenalised features solved jointly (see free_block)
    POLISH_MAX = 256      # largest support solved exactly after convergence (polish)
    NEWTON_MAX = 2048     # largest support that the inner solver takes Newton steps on
    GRAM_CHUNK = 32       # Gram rows made together (gram_cover)
    INTERRUPTED = 3       # solver status: stopped by a signal or a stop request
# a polish (see there) this cheap is always tried, whatever the solve cost
cdef double POLISH_FREE_FLOPS = 1e5
# a subproblem is solved to this fraction of the outer duality gap
cdef double INNER_GAP_RATIO = 0.3
# a pass is split over threads only when it reads at least this many stored
# values (about a millisecond of work): waking the threads costs ~0.1 ms on a
# 2-core VM, so with 2^16 the working-set gaps of dense_wide ran 20% slower
cdef Py_ssize_t PAR_MIN_VALUES = 1 << 20


cdef struct Problem:
    # penalties and options, all per feature
    const double* lam
    const double* beta
    const double* lower  # box bounds, lower_j <= 0 <= upper_j (+-inf: none)
    const double* upper
    bint bounded         # some bound is finite
    bint has_l1          # any lam_j > 0: gap formulation A, else B (ridge)
    bint safe_ok         # screening allowed (no unpenalised feature)
    double y_mean
    double yy            # ||y_c||_S^2
    const void* y        # DENSE/CSC: y (length n); GRAM: X_c^T S y_c (length p)


cdef inline unsigned int xorshift(unsigned int* state) noexcept nogil:
    cdef unsigned int x = state[0]
    x ^= x << 13
    x ^= x >> 17
    x ^= x << 5
    state[0] = x
    return x


cdef void init_state(const Design* D, const Problem* P, const double* w,
                     floating* v) noexcept nogil:
    """State vector for coefficients w: residual (data) or gradient (GRAM)."""
    cdef const floating* y = <const floating*> P.y
    cdef Py_ssize_t i, j
    if D.kind == GRAM:
        for i in range(D.n):
            v[i] = (<const double*> P.y)[i]
    else:
        for i in range(D.n):
            v[i] = <floating> (y[i] - P.y_mean)
    for j in range(D.p):
        if w[j] != 0.0:
            col_update(D, j, w[j], v)


cdef double state_sum(const Design* D, const floating* v) noexcept nogil:
    """Weighted sum of the residual (needed for implicit centring of CSC)."""
    if D.kind == GRAM or D.xm == NULL:
        return 0.0
    return wsum(D.n, <const floating*> D.sw, v)


cdef void residual_stats(const Design* D, const Problem* P, const double* w,
                         const floating* v, double vsum, double* R2,
                         double* Ry) noexcept nogil:
    """||R||_S^2 and R^T S y_c of the centred residual."""
    cdef const floating* s = <const floating*> D.sw
    cdef const floating* y = <const floating*> P.y
    cdef double qw = 0.0, gw = 0.0, vmean = 0.0
    cdef Py_ssize_t j
    if D.kind == GRAM:
        for j in range(D.p):
            if w[j] != 0.0:
                qw += (<const double*> P.y)[j] * w[j]
                gw += v[j] * w[j]
        Ry[0] = P.yy - qw
        R2[0] = P.yy - qw - gw
        return
    if D.xm != NULL:
        vmean = vsum / D.n_eff
    R2[0] = wdot(D.n, s, v, v) - vmean * vsum
    Ry[0] = wdot(D.n, s, v, y) - P.y_mean * vsum


cdef double penalty(const Problem* P, const double* w, const int* idx,
                    Py_ssize_t m, double* l2) noexcept nogil:
    """sum lam |w| over idx; writes sum beta w^2 to l2."""
    cdef double l1 = 0.0, acc2 = 0.0, wj
    cdef Py_ssize_t k, j
    for k in range(m):
        j = idx[k]
        wj = w[j]
        if wj != 0.0:
            l1 += P.lam[j] * fabs(wj)
            acc2 += P.beta[j] * wj * wj
    l2[0] = acc2
    return l1


cdef bint use_threads(const Design* D, const int* idx, Py_ssize_t m) noexcept nogil:
    """Whether a pass over the columns idx[:m] is worth D.n_threads threads."""
    cdef Py_ssize_t k, values = 0
    if D.n_threads <= 1 or D.kind == GRAM or m < 2 * D.n_threads:
        return False
    if D.kind == DENSE:
        return m * D.n >= PAR_MIN_VALUES
    for k in range(m):
        values += D.indptr[idx[k] + 1] - D.indptr[idx[k]]
    return values >= PAR_MIN_VALUES


cdef void col_grads(const Design* D, const floating* v, double vsum, const int* idx,
                    Py_ssize_t m, double* grad) noexcept nogil:
    """grad[j] = X_j^T S R for j in idx[:m]: the full pass of the gap and of
    screening, over D.n_threads threads.  Each value is computed whole by one
    thread, so the result does not depend on the number of threads."""
    cdef Py_ssize_t k
    if use_threads(D, idx, m):
        for k in prange(m, schedule="static", num_threads=D.n_threads):
            grad[idx[k]] = col_grad(D, idx[k], v, vsum)
    else:
        for k in range(m):
            grad[idx[k]] = col_grad(D, idx[k], v, vsum)


cdef void col_sqnorms(const Design* D, const floating* proto, const int* idx,
                      Py_ssize_t m, double* norms2) noexcept nogil:
    """norms2[j] = ||x_j - mean_j||_S^2 for j in idx[:m], threaded as col_grads."""
    cdef Py_ssize_t k
    if use_threads(D, idx, m):
        for k in prange(m, schedule="static", num_threads=D.n_threads):
            norms2[idx[k]] = col_sqnorm(D, idx[k], proto)
    else:
        for k in range(m):
            norms2[idx[k]] = col_sqnorm(D, idx[k], proto)


cdef double duality_gap(const Design* D, const Problem* P, const double* w,
                        const floating* v, double vsum, const int* idx,
                        Py_ssize_t m, const double* norms2, double* grad,
                        double* scale_out) noexcept nogil:
    """Duality gap of the problem restricted to the features idx[:m].

    With idx = all features it certifies the full problem.  grad[j] receives
    X_j^T R for j in idx.  For an L1 part (formulation A), the dual point is
    the residual rescaled into the dual feasible set (scale_out); for pure L2
    (formulation B) the smooth dual needs no rescaling.

    Unpenalised features (pf_j = 0, or alpha = 0) constrain the dual point to
    X_j^T theta = 0, which a rescaled residual only meets at their optimum.
    They are left out of the dual norm and contribute g_j^2 / ||x_j||^2
    instead: twice the decrease one exact update of w_j would still give, zero
    exactly when their first-order condition holds.
    """
    cdef double R2, Ry, l1, l2, g, xta, dual_norm = 0.0, scale = 1.0, gap
    cdef double quad = 0.0, unpen = 0.0, box = 0.0
    cdef Py_ssize_t k, j
    residual_stats(D, P, w, v, vsum, &R2, &Ry)
    l1 = penalty(P, w, idx, m, &l2)
    col_grads(D, v, vsum, idx, m, grad)
    for k in range(m):
        j = idx[k]
        # a column that is exactly zero once centred has gradient exactly 0;
        # col_grad returns rounding (c sum(R) - c vsum), which against a tiny
        # threshold scales the dual point to nothing
        if not norms2[j] > 0.0:
            grad[j] = 0.0
        g = grad[j]
        if P.lam[j] == 0.0 and P.beta[j] == 0.0:
            if at_bound(w[j], g, P.lower[j], P.upper[j]):
                continue      # the constraint is active
            if norms2[j] > 0.0:
                unpen += g * (g / norms2[j])   # g * g alone over/underflows
        elif P.has_l1:
            xta = (unbounded_excess(g - l2_push(P.beta[j], w[j]), P.lower[j], P.upper[j])
                   / P.lam[j])
            if xta > dual_norm:
                dual_norm = xta
        else:
            quad += l2_conj2(g, P.beta[j], P.lower[j], P.upper[j])
    if not P.has_l1:
        scale_out[0] = 1.0
        gap = R2 - Ry + 0.5 * l2 + 0.5 * quad
    else:
        if dual_norm > 1.0:
            scale = 1.0 / dual_norm
        scale_out[0] = scale
        if P.bounded:         # the conjugate of the bounded directions
            for k in range(m):
                j = idx[k]
                if P.lam[j] > 0.0:
                    box += box_conj(scale * (grad[j] - l2_push(P.beta[j], w[j])),
                                    P.lam[j], P.lower[j], P.upper[j])
        gap = (0.5 * (R2 + l2) + l1 + 0.5 * scale * scale * (R2 + l2) - scale * Ry
               + box)
    # weak duality makes the gap >= 0 once the unpenalised features are optimal
    if gap < 0.0:
        gap = 0.0
    return gap + unpen


cdef double primal(const Design* D, const Problem* P, const double* w,
                   const floating* v, double vsum, const int* idx,
                   Py_ssize_t m) noexcept nogil:
    """Objective P(w); the penalty is summed over idx[:m] (w is zero elsewhere)."""
    cdef double R2, Ry, l1, l2
    residual_stats(D, P, w, v, vsum, &R2, &Ry)
    l1 = penalty(P, w, idx, m, &l2)
    return 0.5 * (R2 + l2) + l1


cdef double epoch(const Design* D, const Problem* P, double* w, floating* v,
                  double vsum, const double* norms2, const int* ws,
                  Py_ssize_t m, bint random, unsigned int* seed) noexcept nogil:
    """One pass of coordinate updates over ws[:m]; returns the new vsum."""
    cdef Py_ssize_t k, j
    cdef double wj, wnew, L, g
    for k in range(m):
        if random:
            j = ws[xorshift(seed) % m]
        else:
            j = ws[k]
        L = norms2[j]
        if L + P.beta[j] == 0.0:
            continue
        wj = w[j]
        g = col_grad(D, j, v, vsum) if L > 0.0 else 0.0   # zero column: see duality_gap
        wnew = soft_shrink(g + L * wj, P.lam[j], L + P.beta[j], P.lower[j], P.upper[j])
        if wnew != wj:
            vsum += col_update(D, j, wnew - wj, v)
            w[j] = wnew
    return vsum


cdef bint solve_small(double* C, double* z, int K) noexcept nogil:
    """Solve C z = 1 (C symmetric K x K, overwritten) by Gaussian elimination.

    Returns False when C is numerically singular (relative to its diagonal).
    """
    cdef int i, r, c, piv
    cdef double f, best, tmp, cmax = 0.0
    for i in range(K):
        z[i] = 1.0
        if C[i * K + i] > cmax:
            cmax = C[i * K + i]
    for i in range(K):
        piv = i
        best = fabs(C[i * K + i])
        for r in range(i + 1, K):
            if fabs(C[r * K + i]) > best:
                best = fabs(C[r * K + i])
                piv = r
        if best <= 1e-12 * cmax:
            return False
        if piv != i:
            for c in range(K):
                tmp = C[i * K + c]; C[i * K + c] = C[piv * K + c]; C[piv * K + c] = tmp
            tmp = z[i]; z[i] = z[piv]; z[piv] = tmp
        for r in range(i + 1, K):
            f = C[r * K + i] / C[i * K + i]
            for c in range(i, K):
                C[r * K + c] -= f * C[i * K + c]
            z[r] -= f * z[i]
    for i in range(K - 1, -1, -1):
        f = z[i]
        for c in range(i + 1, K):
            f -= C[i * K + c] * z[c]
        z[i] = f / C[i * K + i]
    return True


cdef double swap_in(const Design* D, double* w, const floating* v, floating* v_try,
                    double vsum, const int* idx, Py_ssize_t m,
                    double* w_new) noexcept nogil:
    """Try a point: w[idx] <- w_new, v_try <- the state there (from v); w_new then
    holds the old values, for a restore.  Returns the trial point's vsum."""
    cdef Py_ssize_t k, j
    cdef double d
    for k in range(D.n):
        v_try[k] = v[k]
    for k in range(m):
        j = idx[k]
        d = w_new[k] - w[j]
        if d != 0.0:
            vsum += col_update(D, j, d, v_try)
        d = w[j]
        w[j] = w_new[k]
        w_new[k] = d
    return vsum


cdef double anderson(const Design* D, const Problem* P, double* w, floating* v,
                     floating* v_try, double* vsum, const int* ws, Py_ssize_t m,
                     double* hist, double* w_try) noexcept nogil:
    """Anderson extrapolation of the last ANDERSON_K + 1 iterates (hist, m rows).

    The extrapolated point replaces w only if it lowers the objective (the
    safeguard that keeps the iterates monotone).  Returns the objective reached.
    """
    cdef double C[ANDERSON_K * ANDERSON_K]
    cdef double z[ANDERSON_K]
    cdef double zs = 0.0, acc, p_old
    cdef Py_ssize_t a, b, k
    cdef int K = ANDERSON_K
    # C = U^T U with U_k = hist_{k+1} - hist_k
    for a in range(K):
        for b in range(a, K):
            acc = 0.0
            for k in range(m):
                acc += ((hist[(a + 1) * m + k] - hist[a * m + k])
                        * (hist[(b + 1) * m + k] - hist[b * m + k]))
            C[a * K + b] = acc
            C[b * K + a] = acc
    p_old = primal(D, P, w, v, vsum[0], ws, m)
    if not solve_small(C, z, K):
        return p_old
    for a in range(K):
        zs += z[a]
    if zs == 0.0:
        return p_old
    # extrapolated point, projected into the box bounds
    for k in range(m):
        acc = 0.0
        for a in range(K):
            acc += z[a] / zs * hist[(a + 1) * m + k]
        w_try[k] = clip(acc, P.lower[ws[k]], P.upper[ws[k]])
    keep_if_lower(D, P, w, v, v_try, vsum, ws, m, w_try, &p_old)
    return p_old


cdef bint keep_if_lower(const Design* D, const Problem* P, double* w, floating* v,
                        floating* v_try, double* vsum, const int* idx, Py_ssize_t m,
                        double* w_new, double* p_cur) noexcept nogil:
    """Try the point w[idx[:m]] = w_new (p_cur: the objective now): keep it if
    it lowers the objective (w, v, vsum and p_cur then updated), restore w
    otherwise (the safeguard that keeps the iterates monotone).  Returns
    whether it was kept."""
    cdef Py_ssize_t i
    cdef double vsum_try = swap_in(D, w, v, v_try, vsum[0], idx, m, w_new)
    cdef double p_new = primal(D, P, w, v_try, vsum_try, idx, m)
    if p_new < p_cur[0]:
        for i in range(D.n):
            v[i] = v_try[i]
        vsum[0] = vsum_try
        p_cur[0] = p_new
        return True
    for i in range(m):
        w[idx[i]] = w_new[i]
    return False


cdef void select_top(double* score, int* idx, Py_ssize_t n,
                     Py_ssize_t k) noexcept nogil:
    """Partially order idx[:n] so that idx[:k] hold the k largest score[idx]."""
    cdef Py_ssize_t lo = 0, hi = n - 1, i, store, mid
    cdef double pivot
    cdef int t
    if k <= 0 or k >= n:
        return
    while lo < hi:
        mid = lo + (hi - lo) // 2
        pivot = score[idx[mid]]
        t = idx[mid]; idx[mid] = idx[hi]; idx[hi] = t
        store = lo
        for i in range(lo, hi):
            if score[idx[i]] > pivot:
                t = idx[i]; idx[i] = idx[store]; idx[store] = t
                store += 1
        t = idx[store]; idx[store] = idx[hi]; idx[hi] = t
        if store == k:
            return
        if store < k:
            lo = store + 1
        else:
            hi = store - 1


cdef struct Workspace:
    # allocated once per path; sized p (features) or n (state vector)
    double* norms2        # ||x_j^c||_S^2
    double* grad          # X_j^T R at the last gap computation
    double* score         # working-set priority
    int* all_idx
    int* ws
    unsigned char* screened
    double* hist          # Anderson history, (ANDERSON_K + 1) x p
    double* w_try
    void* v_try           # state vector of the extrapolated point
    # unpenalised features (free_setup, free_block), at most UNPEN_MAX of them
    int n_free            # -1 when not solved jointly (too many)
    bint free_bounded     # some of them have a finite bound
    double free_ridge     # added to the Gram diagonal when it is singular
    int free_cap          # size the two nf x nf arrays were allocated for
    int* free_idx
    double* free_gram     # their Gram matrix, nf x nf (allocated on demand)
    double* free_chol     # Cholesky factor of (a subset of) it, lower triangle
    double* free_rhs
    double* free_x        # bounded solve: the new values
    int* free_state       # bounded solve: FREE, AT_LOWER or AT_UPPER
    int* free_set         # bounded solve: the FREE ones
    Stopper* stop         # polled between epochs (_interrupt.pxd)
    # Newton steps on the support (support_step, polish): the Gram entries of
    # the features seen on supports so far, kept while X stays the same
    int* sup              # the working set's support
    int* active           # its non-zeros, swept by the inner epochs
    int* gram_pos         # feature -> its row in gram, or -1
    int* gram_idx         # row -> feature
    double* gram          # gram_cap x gram_cap, rows 0..gram_n filled (on demand)
    double* factor        # the support's Cholesky factor, factor_cap^2
    Py_ssize_t gram_n, gram_cap, factor_cap
    # X (and its weights) the same from one solve to the next (a path): the
    # Gram entries are kept, and the inner solver takes Newton steps.  Not in
    # a logistic Newton subproblem, whose weights change at each step: there
    # the steps cost more than they saved (gisette_test L1: 15% slower)
    bint fixed_design
    double newton_credit  # epoch flops not yet spent on Newton steps


cdef enum:
    FREE = 0
    AT_LOWER = 1
    AT_UPPER = 2


cdef bint ws_alloc(Workspace* W, Py_ssize_t n, Py_ssize_t p,
                   size_t itemsize) noexcept nogil:
    W.norms2 = <double*> malloc(p * sizeof(double))
    W.grad = <double*> malloc(p * sizeof(double))
    W.score = <double*> malloc(p * sizeof(double))
    W.all_idx = <int*> malloc(p * sizeof(int))
    W.ws = <int*> malloc(p * sizeof(int))
    W.screened = <unsigned char*> malloc(p)
    W.hist = <double*> malloc((ANDERSON_K + 1) * p * sizeof(double))
    W.w_try = <double*> malloc(p * sizeof(double))
    W.v_try = malloc(n * itemsize)
    W.n_free = -1
    W.free_cap = 0
    W.free_gram = NULL
    W.free_chol = NULL
    W.free_idx = <int*> malloc(UNPEN_MAX * sizeof(int))
    W.free_rhs = <double*> malloc(UNPEN_MAX * sizeof(double))
    W.free_x = <double*> malloc(UNPEN_MAX * sizeof(double))
    W.free_state = <int*> malloc(UNPEN_MAX * sizeof(int))
    W.free_set = <int*> malloc(UNPEN_MAX * sizeof(int))
    W.sup = <int*> malloc(p * sizeof(int))
    W.active = <int*> malloc(p * sizeof(int))
    W.gram_pos = <int*> malloc(p * sizeof(int))
    W.gram_idx = NULL
    W.gram = NULL
    W.factor = NULL
    W.gram_n = W.gram_cap = W.factor_cap = 0
    W.fixed_design = False
    W.newton_credit = 0.0
    if W.gram_pos != NULL:
        memset(W.gram_pos, -1, p * sizeof(int))
    return not (W.norms2 == NULL or W.grad == NULL or W.score == NULL
                or W.sup == NULL or W.active == NULL or W.gram_pos == NULL
                or W.all_idx == NULL or W.ws == NULL or W.screened == NULL
                or W.hist == NULL or W.w_try == NULL or W.v_try == NULL
                or W.free_idx == NULL or W.free_rhs == NULL or W.free_x == NULL
                or W.free_state == NULL or W.free_set == NULL)


cdef void ws_free(Workspace* W) noexcept nogil:
    free(W.norms2); free(W.grad); free(W.score); free(W.all_idx); free(W.ws)
    free(W.screened); free(W.hist); free(W.w_try); free(W.v_try)
    free(W.free_idx); free(W.free_gram); free(W.free_chol); free(W.free_rhs)
    free(W.free_x); free(W.free_state); free(W.free_set)
    free(W.sup); free(W.active); free(W.gram_pos); free(W.gram_idx); free(W.gram)
    free(W.factor)


cdef void gram_reset(Workspace* W) noexcept nogil:
    """Forget the cached Gram entries (X, or its weights, changed)."""
    cdef Py_ssize_t c
    for c in range(W.gram_n):
        W.gram_pos[W.gram_idx[c]] = -1
    W.gram_n = 0


cdef Py_ssize_t gram_missing(const Workspace* W, const int* S, Py_ssize_t m) noexcept nogil:
    """How many features of S[:m] the cache lacks."""
    cdef Py_ssize_t a, k = 0
    for a in range(m):
        if W.gram_pos[S[a]] < 0:
            k += 1
    return k


cdef bint gram_cover(const Design* D, Workspace* W, const int* S, Py_ssize_t m,
                     const floating* proto) noexcept nogil:
    """Make the cache hold the Gram entries of the features S[:m] (proto: the
    state, for its type).  A cache too small for them is rebuilt around S
    alone, with room for as many again (at most NEWTON_MAX rows).  False if
    memory ran out.

    The new rows of dense X are made up to GRAM_CHUNK at a time: their columns
    densified into a buffer, each cached column read once for all of them
    (col_grad_block).  Sparse or weighted X gains nothing from that (the block
    primitive loops over the columns), so there they are made one at a time.
    """
    cdef Py_ssize_t a, c, c0, i, j, t, kc, first, chunk, cap = W.gram_cap, n = D.n
    cdef double sums[GRAM_CHUNK]
    cdef double out[GRAM_CHUNK]
    cdef double* G
    cdef int* idx
    cdef floating* buf
    if W.gram_n + gram_missing(W, S, m) > cap:
        gram_reset(W)
        cap = 2 * m                      # room to grow, within NEWTON_MAX^2
        if cap > NEWTON_MAX:
            cap = m if m > NEWTON_MAX else NEWTON_MAX
        if cap > D.p:
            cap = D.p
        if cap > W.gram_cap:
            free(W.gram)
            free(W.gram_idx)
            W.gram = <double*> malloc(cap * cap * sizeof(double))
            W.gram_idx = <int*> malloc(cap * sizeof(int))
            W.gram_cap = cap
            if W.gram == NULL or W.gram_idx == NULL:
                W.gram_cap = 0
                return False
    G = W.gram
    cap = W.gram_cap
    idx = W.gram_idx
    first = W.gram_n
    for a in range(m):
        j = S[a]
        if W.gram_pos[j] < 0:
            W.gram_pos[j] = <int> W.gram_n
            idx[W.gram_n] = <int> j
            W.gram_n += 1
    if W.gram_n == first:
        return True
    # several columns at once only where col_grad_block reads a column once
    # for all of them (dense, unweighted), in at most ~1 MB; else one, in v_try
    chunk = 1
    if D.kind == DENSE and D.sw == NULL:
        chunk = (1 << 20) // (n * sizeof(floating))
        chunk = GRAM_CHUNK if chunk > GRAM_CHUNK else (1 if chunk < 1 else chunk)
    buf = <floating*> W.v_try
    if chunk > 1:
        buf = <floating*> malloc(chunk * n * sizeof(floating))
        if buf == NULL:
            gram_reset(W)
            return False
    c0 = first
    while c0 < W.gram_n:
        kc = W.gram_n - c0
        if kc > chunk:
            kc = chunk
        for t in range(kc):
            col_dense(D, idx[c0 + t], buf + t * n)
            sums[t] = state_sum(D, buf + t * n)
        for i in range(c0 + kc):
            col_grad_block(D, idx[i], buf, kc, sums, out)
            for t in range(kc):
                c = c0 + t
                if i <= c:               # each pair once, from one product
                    G[c * cap + i] = out[t]
                    G[i * cap + c] = out[t]
        c0 += kc
    if chunk > 1:
        free(buf)
    return True


cdef double sign_signature(const double* w, const int* idx, Py_ssize_t m) noexcept nogil:
    """A number that changes when the support or a sign of w[idx[:m]] does."""
    cdef Py_ssize_t k
    cdef double sig = 0.0
    for k in range(m):
        if w[idx[k]] > 0.0:
            sig += <double> (k + 1) * (k + 1)
        elif w[idx[k]] < 0.0:
            sig -= <double> (k + 1)
    return sig


cdef bint chol_factor(const double* G, int nf, const int* S, int m, double ridge,
                      double* L) noexcept nogil:
    """L L^T = G[S, S] + ridge I (L m x m, lower).  False if not positive definite
    (a pivot below 1e-10 of its own diagonal entry: the test of the Gram matrix
    of the columns scaled to unit norm.  Against the largest diagonal entry,
    columns spanning 3 decades (diagonal 6) failed it at condition ~24, and
    the ridge then added biased the solve: an alpha = 0 fit stopped 2e-6 above
    the optimum with a gap of 7e-9)."""
    cdef int a, b, k
    cdef double acc
    for b in range(m):
        acc = G[S[b] * nf + S[b]] + ridge
        for k in range(b):
            acc -= L[b * m + k] * L[b * m + k]
        if acc <= 1e-10 * (G[S[b] * nf + S[b]] + ridge):
            return False
        L[b * m + b] = sqrt(acc)
        for a in range(b + 1, m):
            acc = G[S[a] * nf + S[b]]
            for k in range(b):
                acc -= L[a * m + k] * L[b * m + k]
            L[a * m + b] = acc / L[b * m + b]
    return True


cdef void chol_solve(const double* L, int m, double* z) noexcept nogil:
    """z <- (L L^T)^{-1} z."""
    cdef int a, k
    cdef double acc
    for a in range(m):                       # forward: L u = z
        acc = z[a]
        for k in range(a):
            acc -= L[a * m + k] * z[k]
        z[a] = acc / L[a * m + a]
    for a in range(m - 1, -1, -1):           # backward: L^T z = u
        acc = z[a]
        for k in range(a + 1, m):
            acc -= L[k * m + a] * z[k]
        z[a] = acc / L[a * m + a]


cdef bint free_factor(Workspace* W, const int* S, int m) noexcept nogil:
    """Factor the Gram matrix of the unpenalised features S into W.free_chol;
    a singular one (p > n, duplicated columns) gets a ridge of 1e-10 of its
    largest diagonal entry, so that the solve still gives a point whose
    gradient is zero to that precision."""
    cdef int a, nf = W.n_free
    if chol_factor(W.free_gram, nf, S, m, W.free_ridge, W.free_chol):
        return True
    if W.free_ridge == 0.0:
        for a in range(nf):
            if W.free_gram[a * nf + a] > W.free_ridge:
                W.free_ridge = W.free_gram[a * nf + a]
        W.free_ridge *= 1e-10
    return chol_factor(W.free_gram, nf, S, m, W.free_ridge, W.free_chol)


cdef void support_gram(const Design* D, const int* S, Py_ssize_t m, floating* t,
                       double* G) noexcept nogil:
    """G (m x m, symmetric) = the Gram matrix of the centred, weighted columns
    S[0..m), column by column through col_dense (t: a state-sized buffer)."""
    cdef Py_ssize_t a, b
    cdef double tsum
    for b in range(m):
        col_dense(D, S[b], t)
        tsum = state_sum(D, t)
        for a in range(b, m):
            G[a * m + b] = col_grad(D, S[a], t, tsum)
            G[b * m + a] = G[a * m + b]


cdef void free_setup(const Design* D, const Problem* P, Workspace* W,
                     floating* t) noexcept nogil:
    """Find the unpenalised features and form their Gram matrix; without
    bounds, factor it once (free_block then only solves).

    Leaves W.n_free = -1 (no joint solve) with more than UNPEN_MAX of them,
    or if memory runs out.
    """
    cdef Py_ssize_t j, a, nf = 0
    W.n_free = -1
    W.free_bounded = False
    W.free_ridge = 0.0
    for j in range(D.p):
        if P.lam[j] == 0.0 and P.beta[j] == 0.0 and W.norms2[j] > 0.0:
            if nf == UNPEN_MAX:
                return
            W.free_idx[nf] = <int> j
            if P.lower[j] > -INFINITY or P.upper[j] < INFINITY:
                W.free_bounded = True
            nf += 1
    if nf > W.free_cap:
        free(W.free_gram)
        free(W.free_chol)
        W.free_gram = <double*> malloc(nf * nf * sizeof(double))
        W.free_chol = <double*> malloc(nf * nf * sizeof(double))
        W.free_cap = <int> nf
        if W.free_gram == NULL or W.free_chol == NULL:
            W.free_cap = 0
            return
    support_gram(D, W.free_idx, nf, t, W.free_gram)
    W.n_free = <int> nf
    if not W.free_bounded:
        for a in range(nf):
            W.free_set[a] = <int> a
        if not free_factor(W, W.free_set, <int> nf):
            W.n_free = -1


cdef void bounded_lsq(Workspace* W, const double* c, const double* lo,
                      const double* hi) noexcept nogil:
    """Minimise 1/2 x^T G x - c^T x over lo <= x <= hi, from the feasible x in
    W.free_x (G the unpenalised features' Gram matrix).

    The bounded-variable least-squares active-set method (Stark and Parker):
    solve on the features not at a bound; step back to the first bound that
    the solution crosses; when it lies inside, free the bound feature whose
    gradient points inward the most; stop when none does.
    """
    cdef int nf = W.n_free, a, b, m, it, worst, hit
    cdef double* G = W.free_gram
    cdef double* x = W.free_x
    cdef double* z = W.free_rhs
    cdef int* state = W.free_state
    cdef int* S = W.free_set
    cdef double t, q, viol
    for a in range(nf):
        state[a] = AT_LOWER if x[a] <= lo[a] else (AT_UPPER if x[a] >= hi[a] else FREE)
    for it in range(3 * nf + 10):            # cycling is rare: a bound, not a rule
        m = 0
        for a in range(nf):
            if state[a] == FREE:
                S[m] = a
                m += 1
        if m > 0:
            # z = solution on S with the bound features fixed
            for a in range(m):
                q = c[S[a]]
                for b in range(nf):
                    if state[b] != FREE:
                        q -= G[S[a] * nf + b] * x[b]
                z[a] = q
            if not free_factor(W, S, m):
                return
            chol_solve(W.free_chol, m, z)
            t = 1.0
            hit = -1
            for a in range(m):               # the longest feasible step towards z
                b = S[a]
                if z[a] < lo[b] and (x[b] - lo[b]) < t * (x[b] - z[a]):
                    t = (x[b] - lo[b]) / (x[b] - z[a])
                    hit = a
                elif z[a] > hi[b] and (hi[b] - x[b]) < t * (z[a] - x[b]):
                    t = (hi[b] - x[b]) / (z[a] - x[b])
                    hit = a
            for a in range(m):
                b = S[a]
                x[b] += t * (z[a] - x[b])
                # the feature that stopped the step, or one rounding put outside
                if (a == hit and z[a] < lo[b]) or x[b] < lo[b]:
                    x[b] = lo[b]
                    state[b] = AT_LOWER
                elif (a == hit and z[a] > hi[b]) or x[b] > hi[b]:
                    x[b] = hi[b]
                    state[b] = AT_UPPER
            if hit >= 0:
                continue
        # z was feasible: free the bound feature that most wants to move inward
        worst = -1
        viol = 0.0
        for a in range(nf):
            if state[a] == FREE:
                continue
            q = c[a]                         # minus the gradient G x - c
            for b in range(nf):
                q -= G[a * nf + b] * x[b]
            if state[a] == AT_UPPER:
                q = -q
            if q > viol:
                viol = q
                worst = a
        if worst < 0:
            return
        state[worst] = FREE


cdef double free_block(const Design* D, const Problem* P, Workspace* W, double* w,
                       floating* v, double vsum) noexcept nogil:
    """Minimise exactly over the unpenalised features, the others fixed
    (within their bounds, if they have any).

    Afterwards X_j^T R = 0 for each of them not at an active bound, so the
    rescaled residual is a feasible dual point and the duality gap is a true
    certificate.  Returns the new vsum.
    """
    cdef Py_ssize_t a, b, nf = W.n_free
    cdef double d
    cdef double* z = W.free_rhs
    cdef double* x = W.free_x
    cdef double* lo = W.w_try               # scratch of size p >= nf
    cdef double* hi = W.grad                # overwritten by the next duality_gap
    for a in range(nf):
        z[a] = col_grad(D, W.free_idx[a], v, vsum)
    if not W.free_bounded:
        chol_solve(W.free_chol, <int> nf, z)
        for a in range(nf):
            x[a] = w[W.free_idx[a]] + z[a]
    else:
        # in terms of the new values x: c = X_F^T R + G w_F
        for a in range(nf):
            lo[a] = P.lower[W.free_idx[a]]
            hi[a] = P.upper[W.free_idx[a]]
            x[a] = w[W.free_idx[a]]
        for a in range(nf):
            d = 0.0
            for b in range(nf):
                d += W.free_gram[a * nf + b] * x[b]
            W.score[a] = z[a] + d             # score: scratch, rebuilt before use
        bounded_lsq(W, W.score, lo, hi)
    for a in range(nf):
        d = x[a] - w[W.free_idx[a]]
        if d != 0.0:
            vsum += col_update(D, W.free_idx[a], d, v)
            w[W.free_idx[a]] = x[a]
    return vsum


cdef int first_dependent(const double* G, int m, double* L) noexcept nogil:
    """Cholesky of G (m x m) into L until a pivot fails chol_factor's test:
    returns that column b (a combination of columns 0..b-1), or -1."""
    cdef int a, b, k
    cdef double acc
    for b in range(m):
        acc = G[b * m + b]
        for k in range(b):
            acc -= L[b * m + k] * L[b * m + k]
        if acc <= 1e-10 * G[b * m + b]:
            return b
        L[b * m + b] = sqrt(acc)
        for a in range(b + 1, m):
            acc = G[a * m + b]
            for k in range(b):
                acc -= L[a * m + k] * L[b * m + k]
            L[a * m + b] = acc / L[b * m + b]
    return -1


cdef bint reduce_support(const Design* D, const Problem* P, Workspace* W, double* w,
                         floating* v, double* vsum) noexcept nogil:
    """Drop a feature from a support whose columns are linearly dependent (more
    non-zeros than rows): LARS's support reduction.

    Along a null direction u of X_S the residual does not move and the
    objective is linear, sum lam_j sign(w_j) u_j, so coordinate descent only
    crawls along it (a 2 x 39 positive Lasso ran out of 100000 epochs with
    three non-zeros).  u comes from the support's Cholesky factor where a
    pivot fails (that column is a combination of the earlier ones); the step
    goes the way that does not raise the objective until a coefficient
    reaches 0 (dropped) or a bound.  Pure L1 supports only (an L2 part makes
    the Gram matrix definite).  Returns whether it moved.
    """
    cdef Py_ssize_t p = D.p, j, a, k, m = 0
    cdef int* S = W.ws
    cdef floating* t = <floating*> W.v_try
    cdef double* G
    cdef double* L
    cdef double* u
    cdef double slope = 0.0, step = INFINITY, lim, acc
    cdef int b, hit = -1
    cdef bint moved = False
    for j in range(p):
        if w[j] != 0.0:
            if P.lam[j] == 0.0 or P.beta[j] != 0.0 or m == POLISH_MAX:
                return False
            S[m] = <int> j
            m += 1
    G = <double*> malloc((2 * m * m + m) * sizeof(double))
    if G == NULL:
        return False
    L = G + m * m
    u = L + m * m
    support_gram(D, S, m, t, G)
    b = first_dependent(G, <int> m, L)
    if b > 0:
        # u = (c, -1, 0...) with G[:b, :b] c = G[:b, b], by the factor found so far
        for a in range(b):
            acc = G[a * m + b]
            for k in range(a):
                acc -= L[a * m + k] * u[k]
            u[a] = acc / L[a * m + a]
        for a in range(b - 1, -1, -1):
            acc = u[a]
            for k in range(a + 1, b):
                acc -= L[k * m + a] * u[k]
            u[a] = acc / L[a * m + a]
        u[b] = -1.0
        for a in range(b + 1, m):
            u[a] = 0.0
        for a in range(b + 1):
            slope += P.lam[S[a]] * (1.0 if w[S[a]] > 0.0 else -1.0) * u[a]
        if slope > 0.0:
            for a in range(b + 1):
                u[a] = -u[a]
        # ratio test: the first coefficient to reach 0 or its bound
        for a in range(b + 1):
            j = S[a]
            if u[a] * w[j] < 0.0:
                lim = -w[j] / u[a]
            elif u[a] > 0.0 and P.upper[j] < INFINITY:
                lim = (P.upper[j] - w[j]) / u[a]
            elif u[a] < 0.0 and P.lower[j] > -INFINITY:
                lim = (P.lower[j] - w[j]) / u[a]
            else:
                continue
            if lim < step:
                step, hit = lim, <int> a
        if hit >= 0:
            for a in range(b + 1):
                j = S[a]
                if a == hit:
                    acc = 0.0 if u[a] * w[j] < 0.0 else (P.upper[j] if u[a] > 0.0
                                                         else P.lower[j])
                else:
                    acc = clip(w[j] + step * u[a], P.lower[j], P.upper[j])
                if acc != w[j]:
                    vsum[0] += col_update(D, j, acc - w[j], v)
                    w[j] = acc
            moved = True
    free(G)
    return moved


cdef double col_cost(const Design* D) noexcept nogil:
    """Flops of one column update: n (dense), the mean column count (CSC), p (GRAM,
    where the state is the gradient; reading one of its entries costs 1)."""
    if D.kind == CSC:
        return <double> D.indptr[D.p] / D.p if D.p > 0 else 0.0
    return <double> D.n


cdef bint newton_point(const Design* D, const Problem* P, Workspace* W,
                       const double* w, const floating* v, double vsum, const int* S,
                       Py_ssize_t m, double* x) noexcept nogil:
    """x[:m] <- the minimiser of the objective over the features S[:m], with
    the signs of their coefficients held and the other features fixed.

    With the signs fixed the objective is a quadratic there, so this is one
    Newton step: x = w_S + d with
    (X_S^T S X_S + diag beta) d = X_S^T S R - beta w - lam sign(w).
    The Gram entries come from W's cache (gram_cover).  False when that
    matrix is not positive definite (dependent columns, as when m > n), or
    when memory ran out.
    """
    cdef Py_ssize_t a, b, j, cap
    cdef double* L
    cdef char uplo = b'U'
    cdef int mi = <int> m, one = 1, info
    if not gram_cover(D, W, S, m, v):
        return False
    if m > W.factor_cap:
        free(W.factor)
        W.factor = <double*> malloc(m * m * sizeof(double))
        W.factor_cap = m if W.factor != NULL else 0
        if W.factor == NULL:
            return False
    L = W.factor
    cap = W.gram_cap
    for a in range(m):                    # upper triangle, column-major
        for b in range(a + 1):
            L[a * m + b] = W.gram[W.gram_pos[S[a]] * cap + W.gram_pos[S[b]]]
        L[a * m + a] += P.beta[S[a]]
        x[a] = L[a * m + a]
    dpotrf(&uplo, &mi, L, &mi, &info)
    if info != 0:
        return False
    for a in range(m):                    # chol_factor's test of a pivot
        if L[a * m + a] * L[a * m + a] <= 1e-10 * x[a]:
            return False
    for a in range(m):
        j = S[a]
        x[a] = col_grad(D, j, v, vsum) - P.beta[j] * w[j]
        if P.lam[j] > 0.0:
            x[a] -= P.lam[j] if w[j] > 0.0 else -P.lam[j]
    dpotrs(&uplo, &mi, &one, L, &mi, x, &mi, &info)
    for a in range(m):
        x[a] += w[S[a]]
    return True


cdef Py_ssize_t support_of(const Problem* P, const double* w, const double* norms2,
                           const int* idx, Py_ssize_t m, int* S) noexcept nogil:
    """S <- the features of idx[:m] that a Newton step moves: the non-zero
    ones and the unpenalised ones (not zero columns); returns how many."""
    cdef Py_ssize_t k, j, ms = 0
    for k in range(m):
        j = idx[k]
        if w[j] != 0.0 or (P.lam[j] == 0.0 and norms2[j] + P.beta[j] > 0.0):
            S[ms] = <int> j
            ms += 1
    return ms


cdef double newton_cost(const Design* D, const Workspace* W, const int* S,
                        Py_ssize_t m) noexcept nogil:
    """Flops of a Newton step on S[:m] (in the units of `col_cost`): the Gram
    entries the cache lacks, the Cholesky factor and the right-hand side."""
    cdef double c = col_cost(D), mm = <double> m
    cdef double k = <double> gram_missing(W, S, m), have = <double> W.gram_n
    if have + k > W.gram_cap:
        have = 0.0                       # gram_cover rebuilds around S
        k = mm
    if D.kind == GRAM:
        c = 1.0
    # LAPACK's factor runs several times faster a flop than the epochs
    return (k * (have + 0.5 * k) + mm) * c + k * col_cost(D) + mm * mm * mm / 24.0


cdef double polish_cost(const Design* D, const Workspace* W, const int* S,
                        Py_ssize_t m) noexcept nogil:
    """Flops of `polish` on S[:m]: a Newton step, the state update and the
    new gap."""
    return newton_cost(D, W, S, m) + D.p * (1.0 if D.kind == GRAM else col_cost(D))


cdef void polish(const Design* D, const Problem* P, Workspace* W, double* w,
                 floating* v, double* vsum, double* gap, double work) noexcept nogil:
    """One Newton step on the support with its signs held: the exact minimiser
    on that support, whatever tolerance stopped the epochs.

    The gap certifies the objective, not the coefficients: a gap of tol leaves
    them about sqrt(tol / curvature) off, so the result depended on the route
    (sparse or dense X, Gram mode, working sets).  On the right support and
    signs the objective is a quadratic there, so one Newton step (newton_point)
    lands on the minimiser to rounding.  The step is kept only if it holds
    the signs and bounds, does not raise the objective beyond its rounding,
    and its duality gap (computed anew into gap: the gap reported is the
    returned point's) is no larger than the one before it.

    Tried when its cost (the support's Gram matrix, m^2 / 2 column products,
    the Cholesky factor, m^3 / 6, and the new gap) is at most a third of the
    work the solve made (`work`, in the same flop units: see `col_cost`), or
    below POLISH_FREE_FLOPS (tens of microseconds: small problems always).
    """
    cdef Py_ssize_t p = D.p, j, a, m
    cdef int* S = W.ws                          # scratch: free after convergence
    cdef double* x = W.w_try
    cdef floating* t = <floating*> W.v_try
    cdef double p_old, p_new, vsum_try, new_gap, scale, cost
    if floating is float:
        # a float32 state measures the gap at the polished point only to its
        # rounding, which is then the gap's size: the certificate would be noise
        return
    m = support_of(P, w, W.norms2, W.all_idx, p, S)
    if m > POLISH_MAX:
        return
    cost = polish_cost(D, W, S, m)
    if m == 0 or (cost > POLISH_FREE_FLOPS and 3.0 * cost > work):
        return
    if newton_point(D, P, W, w, v, vsum[0], S, m, x):
        for a in range(m):
            j = S[a]
            if (P.lam[j] > 0.0 and not x[a] * w[j] > 0.0) or not (
                    P.lower[j] <= x[a] <= P.upper[j]):
                m = 0                       # a sign or a bound would change
                break
        if m > 0:
            # keep or restore, as anderson does
            p_old = primal(D, P, w, v, vsum[0], S, m)
            vsum_try = swap_in(D, w, v, t, vsum[0], S, m, x)
            p_new = primal(D, P, w, t, vsum_try, S, m)
            # near the minimiser the decrease is below the objective's
            # rounding (Gram mode gets ||R||^2 from ||y||^2 minus terms),
            # so a tie within it keeps the (exact) step
            new_gap = INFINITY
            if p_new <= p_old + 8.0 * DBL_EPSILON * (fabs(p_old) + P.yy):
                new_gap = duality_gap(D, P, w, t, vsum_try, W.all_idx, p, W.norms2,
                                      W.grad, &scale)
            if new_gap <= gap[0]:
                for a in range(D.n):
                    v[a] = t[a]
                vsum[0] = vsum_try
                gap[0] = new_gap
            else:
                for a in range(m):
                    w[S[a]] = x[a]


cdef bint support_step(const Design* D, const Problem* P, Workspace* W, double* w,
                       floating* v, double* vsum, const int* S,
                       Py_ssize_t m) noexcept nogil:
    """Move the working set's support S[:m] towards its Newton point
    (newton_point), as far as the first coefficient that reaches zero or a
    bound there (that one stops at it: LARS's step).

    The objective is convex, and with the signs held the Newton point is the
    minimiser along the segment, so every step on it lowers the objective;
    the step is still kept only if it does (rounding).  This is what the
    epochs cannot do fast when the support's columns are strongly correlated:
    coordinate descent's rate falls with the condition of X_S^T X_S, a solve
    does not.  Returns whether it moved.
    """
    cdef Py_ssize_t a, j, hit = -1
    cdef double* x = W.w_try
    cdef floating* t = <floating*> W.v_try
    cdef double step = 1.0, lim, p_old
    if not newton_point(D, P, W, w, v, vsum[0], S, m, x):
        return False
    for a in range(m):               # ratio test: the first zero or bound reached
        j = S[a]
        lim = INFINITY
        if P.lam[j] > 0.0 and x[a] * w[j] <= 0.0:
            lim = w[j] / (w[j] - x[a])
        elif x[a] > P.upper[j]:
            lim = (P.upper[j] - w[j]) / (x[a] - w[j])
        elif x[a] < P.lower[j]:
            lim = (P.lower[j] - w[j]) / (x[a] - w[j])
        if lim < step:
            step, hit = lim, a
    for a in range(m):
        j = S[a]
        if a == hit:
            x[a] = (0.0 if P.lam[j] > 0.0 and x[a] * w[j] <= 0.0
                    else (P.upper[j] if x[a] > P.upper[j] else P.lower[j]))
        else:
            x[a] = clip(w[j] + step * (x[a] - w[j]), P.lower[j], P.upper[j])
            if P.lam[j] > 0.0 and x[a] * w[j] < 0.0:
                x[a] = 0.0           # rounding past zero: stop at it
    p_old = primal(D, P, w, v, vsum[0], S, m)
    return keep_if_lower(D, P, w, v, t, vsum, S, m, x, &p_old)


cdef void sort_ints(int* a, Py_ssize_t n) noexcept nogil:
    """Sort a[:n] ascending (heap sort: no recursion, no allocation)."""
    cdef Py_ssize_t start = n // 2, end = n, root, child
    cdef int t
    while end > 1:
        if start > 0:
            start -= 1
        else:
            end -= 1
            t = a[end]; a[end] = a[0]; a[0] = t
        root = start
        while 2 * root + 1 < end:
            child = 2 * root + 1
            if child + 1 < end and a[child] < a[child + 1]:
                child += 1
            if a[root] < a[child]:
                t = a[root]; a[root] = a[child]; a[child] = t
                root = child
            else:
                break


cdef int solve(const Design* D, const Problem* P, Workspace* W, double* w,
               floating* v, double tol_abs, int max_epochs, bint random,
               unsigned int* seed, bint use_ws, bint use_screening,
               double* gap_out, int* n_epochs_out,
               double first_gap_ratio=0.0, bint exact_finish=False) noexcept nogil:
    """Minimise P(w) from the given w.  Returns 0 when converged, 1 at
    max_epochs, INTERRUPTED when W.stop says so.

    W.norms2 must hold the column norms; the rest of W is scratch.  With
    first_gap_ratio > 0 the tolerance is also at most that fraction of the
    gap at the start (a Newton subproblem must always make progress).
    """
    cdef Py_ssize_t p = D.p, j, k, m, n_active, nnz, ws_size
    cdef double vsum, gap = INFINITY, scale, radius, sub_gap, inner_tol, cn, xt
    cdef double sub_scale, sig, last_sig, last_gap, cost
    cdef Py_ssize_t n_sup, n_act = -1, last_act, swept
    cdef int epochs = 0, status = 1, n_hist
    cdef double work = 0.0     # flops so far, roughly (what polish may add to)
    cdef double colc = col_cost(D)
    cdef double* norms2 = W.norms2
    cdef double* grad = W.grad
    cdef double* score = W.score
    cdef int* all_idx = W.all_idx
    cdef int* ws = W.ws
    cdef unsigned char* screened = W.screened
    cdef double* hist = W.hist
    memset(screened, 0, p)
    if not W.fixed_design:
        gram_reset(W)
        W.newton_credit = 0.0
    for j in range(p):
        all_idx[j] = j
        if norms2[j] + P.beta[j] == 0.0:
            w[j] = 0.0     # a zero column carries no information

    while True:
        # -- outer iteration: fresh state (no drift), certified gap on all features
        init_state(D, P, w, v)
        vsum = state_sum(D, v)
        if D.kind != GRAM and P.has_l1 and exact_finish:
            # more non-zeros than rows: the support's columns are dependent
            nnz = 0
            for j in range(p):
                if w[j] != 0.0:
                    nnz += 1
            while nnz > D.n and reduce_support(D, P, W, w, v, &vsum):
                nnz -= 1
        if W.n_free > 0:
            vsum = free_block(D, P, W, w, v, vsum)
        gap = duality_gap(D, P, w, v, vsum, all_idx, p, norms2, grad, &scale)
        work += p * (1.0 if D.kind == GRAM else colc)
        if first_gap_ratio > 0.0:
            # not below the gap's rounding (measured at 2-4e-15 yy on news20,
            # n = 16000; sums of n terms): a model solved at the start (a class
            # whose step is 0) ran all max_epochs for a gap of 1e-14 against a
            # target of 1e-15 (a third of a news20 fit)
            tol_abs = min(tol_abs, max(first_gap_ratio * gap, 8.0 * (
                FLT_EPSILON if floating is float else DBL_EPSILON) * sqrt(<double> D.n) * P.yy))
            first_gap_ratio = 0.0
        if gap <= tol_abs:
            status = 0
            if exact_finish:
                polish(D, P, W, w, v, &vsum, &gap, work)
            break
        if epochs >= max_epochs:
            break
        if should_stop(W.stop):
            status = INTERRUPTED
            break

        # -- gap-safe screening: |X_j^T theta| + r ||x_j|| < lam_j  =>  w_j = 0
        if use_screening and P.has_l1 and P.safe_ok:
            radius = sqrt(2.0 * gap)
            for j in range(p):
                if screened[j]:
                    continue
                xt = excess(scale * (grad[j] - l2_push(P.beta[j], w[j])),
                            P.lower[j], P.upper[j])
                if xt + radius * sqrt(norms2[j] + P.beta[j]) < P.lam[j]:
                    screened[j] = 1
                    if w[j] != 0.0:
                        vsum += col_update(D, j, -w[j], v)
                        w[j] = 0.0

        # -- working set: the support (and unpenalised features), then the
        #    features whose dual constraint is closest to being violated
        n_active = 0
        nnz = 0
        for j in range(p):
            if screened[j]:
                continue
            ws[n_active] = j
            n_active += 1
            if w[j] != 0.0 or P.lam[j] == 0.0:
                score[j] = INFINITY
                nnz += 1
            else:
                xt = excess(scale * (grad[j] - l2_push(P.beta[j], w[j])),
                            P.lower[j], P.upper[j])
                cn = sqrt(norms2[j] + P.beta[j])
                score[j] = -(P.lam[j] - xt) / cn if cn > 0.0 else -INFINITY
        ws_size = n_active
        if use_ws:
            # twice the support: room for the features about to enter
            ws_size = min(max(2 * nnz, <Py_ssize_t> WS_MIN), n_active)
        select_top(score, ws, n_active, ws_size)
        sort_ints(ws, ws_size)   # memory order: columns read front to back
        m = ws_size
        inner_tol = INNER_GAP_RATIO * gap
        if inner_tol < tol_abs or ws_size == n_active:
            inner_tol = tol_abs

        # -- inner solver on the working set, with Anderson extrapolation and,
        #    once the support has settled, Newton steps on it
        for k in range(m):
            hist[k] = w[ws[k]]
        n_hist = 1
        last_sig = -1.0
        last_gap = INFINITY
        last_act = 0
        while epochs < max_epochs:
            # a round of ANDERSON_K epochs starts with a sweep of the whole
            # working set; if that left no more non-zeros than the last round's,
            # the rest of the round sweeps only those (glmnet's active set: the
            # zeros of a working set twice the support rarely move then, and
            # the working set's gap checks all of them).  Measured: dense_wide
            # Lasso 16-19% and leukemia alpha_max/100 21-26% faster, the rest
            # within noise (n_act = -1: sweep the whole working set)
            if n_hist == 1 or n_act < 0:
                vsum = epoch(D, P, w, v, vsum, norms2, ws, m, random, seed)
                if n_hist == 1:
                    k = support_of(P, w, norms2, ws, m, W.active)
                    n_act = k if k <= last_act else -1
                    last_act = k
                swept = m
            else:
                vsum = epoch(D, P, w, v, vsum, norms2, W.active, n_act, random, seed)
                swept = n_act
            work += 2 * swept * colc
            W.newton_credit += 2 * swept * colc
            epochs += 1
            for k in range(m):
                hist[n_hist * m + k] = w[ws[k]]
            n_hist += 1
            if n_hist == ANDERSON_K + 1:
                anderson(D, P, w, v, <floating*> W.v_try, &vsum, ws, m, hist,
                         W.w_try)
                n_hist = 1
                sub_gap = duality_gap(D, P, w, v, vsum, ws, m, norms2, grad, &sub_scale)
                work += m * (1.0 if D.kind == GRAM else colc)
                if sub_gap <= inner_tol or should_stop(W.stop):
                    break
                # the same signs on the same support as at the last check, and
                # the epochs slow (the gap not halved since): a Newton step,
                # paid for by the epochs since the last one (so that the
                # steps at most double the work)
                sig = sign_signature(w, ws, m)
                if W.fixed_design and sig == last_sig and sub_gap > 0.5 * last_gap:
                    n_sup = support_of(P, w, norms2, ws, m, W.sup)
                    cost = newton_cost(D, W, W.sup, n_sup)
                    if n_sup > 0 and n_sup <= NEWTON_MAX and W.newton_credit >= cost:
                        W.newton_credit -= cost
                        work += cost
                        if support_step(D, P, W, w, v, &vsum, W.sup, n_sup):
                            sub_gap = duality_gap(D, P, w, v, vsum, ws, m, norms2, grad,
                                                  &sub_scale)
                            if sub_gap <= inner_tol:
                                break
                        sig = sign_signature(w, ws, m)
                last_sig = sig
                last_gap = sub_gap
                for k in range(m):
                    hist[k] = w[ws[k]]
    gap_out[0] = gap
    n_epochs_out[0] = epochs
    return status


cdef void round_to_float(double* w, Py_ssize_t m) noexcept nogil:
    """w rounded to float32, as a float32 caller receives it."""
    cdef Py_ssize_t j
    for j in range(m):
        w[j] = <double> (<float> w[j])


cdef int path(const Design* D, Problem* P, const double* alphas,
              Py_ssize_t n_alphas, double l1_ratio, const double* pf,
              double* lam, double* beta, double* w, floating* v,
              double* coefs, double* gaps, int* n_iters, unsigned char* conv,
              double tol_abs, int max_epochs, bint random, unsigned int seed,
              bint use_ws, bint use_screening, Stopper* stop) noexcept nogil:
    """Solve at each alpha in turn, warm-starting from the previous solution.

    Column norms and work arrays are computed once for the whole path.
    coefs is p x n_alphas (F order).  Returns -1 if memory ran out,
    INTERRUPTED if the fit was stopped.
    """
    cdef Workspace W
    cdef Py_ssize_t a, j, p = D.p
    cdef double gap, scale
    cdef int epochs, status
    if not ws_alloc(&W, D.n, p, sizeof(floating)):
        ws_free(&W)
        return -1
    W.stop = stop
    W.fixed_design = True       # one X for the whole path
    for j in range(p):
        W.all_idx[j] = j
    col_sqnorms(D, v, W.all_idx, p, W.norms2)
    if seed == 0:
        seed = 1
    P.lam = lam
    P.beta = beta
    for a in range(n_alphas):
        P.has_l1 = False
        P.safe_ok = True
        for j in range(p):
            # pf_j = 0 (or no L1 / L2 part) is 0 exactly: n_eff alpha may be inf
            # (alpha near 1e308), and inf * 0 = nan broke the free features
            lam[j] = D.n_eff * alphas[a] * l1_ratio * pf[j] if l1_ratio * pf[j] != 0.0 else 0.0
            beta[j] = (D.n_eff * alphas[a] * (1.0 - l1_ratio) * pf[j]
                       if (1.0 - l1_ratio) * pf[j] != 0.0 else 0.0)
            if lam[j] > 0.0:
                P.has_l1 = True
            elif beta[j] == 0.0:
                P.safe_ok = False
        if a == 0 or alphas[a] == 0.0:
            free_setup(D, P, &W, <floating*> W.v_try)
        status = solve(D, P, &W, w, v, tol_abs, max_epochs, random, &seed,
                       use_ws, use_screening, &gap, &epochs, 0.0, True)
        if D.values_are_float and floating is double and status != INTERRUPTED:
            # float32 X under a float64 state: the caller keeps float32
            # coefficients (X's dtype), so the gap and the verdict are theirs
            round_to_float(w, p)
            init_state(D, P, w, v)
            gap = duality_gap(D, P, w, v, state_sum(D, v), W.all_idx, p, W.norms2,
                              W.grad, &scale)
            status = 0 if gap <= tol_abs else 1
        for j in range(p):
            coefs[a * p + j] = w[j]
        gaps[a] = gap
        n_iters[a] = epochs
        conv[a] = status == 0
        if status == INTERRUPTED:
            break
    ws_free(&W)
    return INTERRUPTED if status == INTERRUPTED else 0


cdef bint in_main_thread():
    return threading.current_thread() is threading.main_thread()


def add_stop_request(int delta):
    """Raise (+1) or lower (-1) the count that stops every running fit."""
    regfast_add_stop_request(delta)


cdef void set_bounds(Problem* P, const double[::1] lower,
                     const double[::1] upper) noexcept:
    """Point P at the box bounds (arrays that outlive the fit)."""
    cdef Py_ssize_t j
    P.lower = &lower[0]
    P.upper = &upper[0]
    P.bounded = False
    for j in range(lower.shape[0]):
        if lower[j] > -INFINITY or upper[j] < INFINITY:
            P.bounded = True


cdef void fill_design(Design* D, int kind, const floating[:] values,
                      const int[::1] indices, const long long[::1] indptr,
                      Py_ssize_t n_rows, Py_ssize_t n_cols,
                      const floating[::1] sw, const double[::1] xm,
                      double n_eff) noexcept:
    """D for X's values in the state's dtype."""
    fill_design_at(D, kind, &values[0], floating is float, indices, indptr, n_rows,
                   n_cols, &sw[0] if sw is not None else NULL, xm, n_eff)


cdef int fill_design_any(Design* D, int kind, values, const int[::1] indices,
                         const long long[::1] indptr, Py_ssize_t n_rows,
                         Py_ssize_t n_cols, const floating[::1] sw,
                         const double[::1] xm, double n_eff) except -1:
    """D for X's values in the state's dtype, or float32 under a float64 state."""
    cdef const float[:] vf
    cdef const double[:] vd
    if values.dtype == np.float32:
        vf = values
        fill_design_at(D, kind, &vf[0], True, indices, indptr, n_rows, n_cols,
                       &sw[0] if sw is not None else NULL, xm, n_eff)
        return 0
    if floating is float:
        raise TypeError("regfast kernel: a float32 state needs float32 X values")
    vd = values
    fill_design_at(D, kind, &vd[0], False, indices, indptr, n_rows, n_cols,
                   &sw[0] if sw is not None else NULL, xm, n_eff)
    return 0


cdef void fill_design_at(Design* D, int kind, const void* values, bint values_are_float,
                         const int[::1] indices, const long long[::1] indptr,
                         Py_ssize_t n_rows, Py_ssize_t n_cols, const void* sw,
                         const double[::1] xm, double n_eff) noexcept:
    D.kind = kind
    D.n = n_cols if kind == GRAM else n_rows
    D.p = n_cols
    D.values = values
    D.ld = n_cols if kind == GRAM else n_rows
    D.indices = &indices[0] if indices is not None else NULL
    D.indptr = &indptr[0] if indptr is not None else NULL
    D.sw = sw
    D.xm = &xm[0] if xm is not None else NULL
    D.n_eff = n_eff
    D.n_threads = 1
    D.values_are_float = values_are_float


def state_is_float(state):
    """Whether the kernel keeps a float32 state: `state` (the targets or the
    vectors it acts on) is float32.  float32 X under a float64 state is read
    as float32 with float64 state arithmetic."""
    return np.asarray(state).dtype == np.float32


def xt_dot(int kind, values, indices, indptr, Py_ssize_t n_rows,
           Py_ssize_t n_cols, sw, xm, double n_eff, V, cols=None):
    """X_c^T S V for a centred-or-not design (float64, double accumulation).

    V has shape (n_rows, k), Fortran order, X's dtype or float64 (sw in V's
    dtype); the result is (n_cols, k),
    or (len(cols), k) for the columns cols (int32) only.
    All k products are taken while column j is in cache: one pass over X.
    Pass xm=None for plain X^T S V.  Not defined for the Gram kind.
    """
    cdef int[::1] c = (np.arange(n_cols, dtype=np.int32) if cols is None
                       else np.ascontiguousarray(cols, dtype=np.int32))
    if state_is_float(V):
        return _xt_dot[float](kind, values, indices, indptr, n_rows, n_cols, sw, xm, n_eff, V, c)
    return _xt_dot[double](kind, values, indices, indptr, n_rows, n_cols, sw, xm, n_eff, V, c)


cdef _xt_dot(int kind, values, const int[::1] indices,
             const long long[::1] indptr, Py_ssize_t n_rows, Py_ssize_t n_cols,
             const floating[::1] sw, const double[::1] xm, double n_eff,
             const floating[::1, :] V, const int[::1] cols):
    cdef Design D
    cdef Py_ssize_t k = V.shape[1], m = cols.shape[0], j, c
    cdef double[::1, :] out = np.empty((m, k), order="F")
    cdef double[::1] vsum = np.empty(k)
    fill_design_any(&D, kind, values, indices, indptr, n_rows, n_cols, sw, xm, n_eff)
    with nogil:
        for c in range(k):
            vsum[c] = wsum(D.n, <const floating*> D.sw, &V[0, c])
        for j in range(m):
            for c in range(k):
                out[j, c] = col_grad(&D, cols[j], &V[0, c], vsum[c])
    return np.asarray(out)


def residual(int kind, values, indices, indptr, Py_ssize_t n_rows,
             Py_ssize_t n_cols, y, sw, xm, double n_eff, double y_mean,
             const double[::1] w):
    """The solver's state for coefficients w: y - y_mean - X w, centred for
    dense X (X's dtype; sparse: uncentred, which xt_dot handles the same).
    Reads only the columns where w is non-zero.
    """
    if state_is_float(y):
        return _residual[float](kind, values, indices, indptr, n_rows, n_cols, y, sw,
                                xm, n_eff, y_mean, w)
    return _residual[double](kind, values, indices, indptr, n_rows, n_cols, y, sw,
                             xm, n_eff, y_mean, w)


cdef _residual(int kind, values, const int[::1] indices,
               const long long[::1] indptr, Py_ssize_t n_rows, Py_ssize_t n_cols,
               const floating[::1] y, const floating[::1] sw, const double[::1] xm,
               double n_eff, double y_mean, const double[::1] w):
    cdef Design D
    cdef Problem P
    cdef floating[::1] v = np.empty(n_rows, dtype=np.float32 if floating is float else np.float64)
    fill_design_any(&D, kind, values, indices, indptr, n_rows, n_cols, sw, xm, n_eff)
    P.y = &y[0]
    P.y_mean = y_mean
    with nogil:
        init_state(&D, &P, &w[0], &v[0])
    return np.asarray(v)


def enet_path_fit(int kind, values, indices, indptr, Py_ssize_t n_rows,
                  Py_ssize_t n_cols, y, sw, xm, double n_eff, double y_mean,
                  double yy, double[::1] w, const double[::1] alphas,
                  double l1_ratio, const double[::1] pf, const double[::1] lower,
                  const double[::1] upper, double tol, int max_iter, bint random,
                  unsigned int seed, bint use_ws=True, bint use_screening=True,
                  int n_threads=1):
    """Fit the elastic net along alphas, each warm-started from the previous one.

    Parameters
    ----------
    kind : int
        0 dense (values: F-ordered X raveled), 1 CSC (values, indices int32,
        indptr int64), 2 Gram (values: the centred, weighted Gram matrix).
    y : ndarray
        Target for kinds 0/1 (X's dtype, or float64 for a float64 state with
        float32 X); X_c^T S y_c (float64) for kind 2.
    sw : ndarray or None
        Sample weights, y's dtype (kinds 0/1) or G's (kind 2).
    xm : ndarray of float64 or None
        Weighted column means for implicit centring (None: no intercept).
    n_eff, y_mean, yy : float
        Sum of weights, weighted mean of y (0 without intercept), and the
        weighted squared norm of the centred y.
    w : ndarray of float64
        Initial coefficients; holds the last solution on return.
    alphas, l1_ratio, pf :
        scikit-learn's alpha and l1_ratio, and the per-feature penalty factors.
    lower, upper : ndarray of float64
        Per-feature box bounds, lower <= 0 <= upper (-inf / inf: none).
    tol : float
        Relative tolerance: stop when gap <= tol * yy.
    n_threads : int
        Threads for the full passes over X (gradients of all features for
        the gap and screening, column norms); the epochs stay sequential.
        The result does not depend on it.

    Returns
    -------
    coefs : ndarray of shape (n_cols, n_alphas), float64
    gaps : ndarray of shape (n_alphas,)
        Duality gaps in units of the unscaled objective.
    n_iters : ndarray of int32
        Coordinate-descent epochs per alpha.
    converged : ndarray of bool
    """
    if state_is_float(values if kind == GRAM else y):
        return _path_fit[float](kind, values, indices, indptr, n_rows, n_cols,
                                y, sw, xm, n_eff, y_mean, yy, w, alphas,
                                l1_ratio, pf, lower, upper, tol, max_iter, random,
                                seed, use_ws, use_screening, n_threads)
    return _path_fit[double](kind, values, indices, indptr, n_rows, n_cols, y,
                             sw, xm, n_eff, y_mean, yy, w, alphas, l1_ratio,
                             pf, lower, upper, tol, max_iter, random, seed, use_ws,
                             use_screening, n_threads)


cdef _path_fit(int kind, values, const int[::1] indices,
               const long long[::1] indptr, Py_ssize_t n_rows,
               Py_ssize_t n_cols, y, const floating[::1] sw,
               const double[::1] xm, double n_eff, double y_mean, double yy,
               double[::1] w, const double[::1] alphas, double l1_ratio,
               const double[::1] pf, const double[::1] lower,
               const double[::1] upper, double tol, int max_iter,
               bint random, unsigned int seed, bint use_ws,
               bint use_screening, int n_threads):
    cdef Design D
    cdef Problem P
    cdef Py_ssize_t n_alphas = alphas.shape[0]
    cdef int status
    cdef const floating[::1] y_data
    cdef const double[::1] y_gram
    cdef floating[::1] v = np.empty(n_cols if kind == GRAM else n_rows,
                                    dtype=np.float32 if floating is float else np.float64)
    cdef double[::1, :] coefs = np.zeros((n_cols, n_alphas), order="F")
    cdef double[::1] gaps = np.zeros(n_alphas)
    cdef int[::1] n_iters = np.zeros(n_alphas, dtype=np.int32)
    cdef unsigned char[::1] conv = np.zeros(n_alphas, dtype=np.uint8)
    cdef double[::1] lam = np.empty(n_cols)
    cdef double[::1] beta = np.empty(n_cols)
    cdef Stopper stop
    stopper_init(&stop, in_main_thread())
    fill_design_any(&D, kind, values, indices, indptr, n_rows, n_cols, sw, xm, n_eff)
    D.n_threads = max(1, n_threads)
    set_bounds(&P, lower, upper)
    P.y_mean = y_mean
    P.yy = yy
    if kind == GRAM:
        y_gram = y
        P.y = &y_gram[0]
    else:
        y_data = y
        P.y = &y_data[0]
    with nogil:
        status = path(&D, &P, &alphas[0], n_alphas, l1_ratio, &pf[0], &lam[0],
                      &beta[0], &w[0], &v[0], &coefs[0, 0], &gaps[0],
                      &n_iters[0], &conv[0], tol * yy, max_iter, random, seed,
                      use_ws, use_screening, &stop)
    stopper_raise(&stop)
    if status < 0:
        raise MemoryError("regfast: could not allocate the solver's work arrays")
    return (np.asarray(coefs), np.asarray(gaps), np.asarray(n_iters),
            np.asarray(conv).astype(bool))


def run_epochs(int kind, values, indices, indptr, Py_ssize_t n_rows,
               Py_ssize_t n_cols, y, sw, xm, double n_eff, double y_mean,
               double[::1] w, double alpha, double l1_ratio, int n_epochs):
    """Run n_epochs plain cyclic epochs over all features (no gap, no extrapolation).

    For benchmarks: the cost of one epoch, to compare with one X^T v product.
    Returns the coefficients reached.
    """
    if values.dtype == np.float32:
        return _run_epochs[float](kind, values, indices, indptr, n_rows, n_cols,
                                  y, sw, xm, n_eff, y_mean, w, alpha, l1_ratio, n_epochs)
    return _run_epochs[double](kind, values, indices, indptr, n_rows, n_cols, y,
                               sw, xm, n_eff, y_mean, w, alpha, l1_ratio, n_epochs)


cdef _run_epochs(int kind, const floating[:] values, const int[::1] indices,
                 const long long[::1] indptr, Py_ssize_t n_rows, Py_ssize_t n_cols,
                 const floating[::1] y, const floating[::1] sw, const double[::1] xm,
                 double n_eff, double y_mean, double[::1] w, double alpha,
                 double l1_ratio, int n_epochs):
    cdef Design D
    cdef Problem P
    cdef Py_ssize_t j
    cdef int e
    cdef unsigned int seed = 1
    cdef double vsum
    cdef floating[::1] v = np.empty(n_rows, dtype=np.float32 if floating is float else np.float64)
    cdef double[::1] lam = np.full(n_cols, n_eff * alpha * l1_ratio)
    cdef double[::1] beta = np.full(n_cols, n_eff * alpha * (1.0 - l1_ratio))
    cdef double[::1] norms2 = np.empty(n_cols)
    cdef int[::1] idx = np.arange(n_cols, dtype=np.int32)
    fill_design(&D, kind, values, indices, indptr, n_rows, n_cols, sw, xm, n_eff)
    P.lam = &lam[0]
    P.beta = &beta[0]
    set_bounds(&P, np.full(n_cols, -np.inf), np.full(n_cols, np.inf))
    P.y_mean = y_mean
    P.y = &y[0]
    with nogil:
        for j in range(n_cols):
            norms2[j] = col_sqnorm(&D, j, &v[0])
        init_state(&D, &P, &w[0], &v[0])
        vsum = state_sum(&D, &v[0])
        for e in range(n_epochs):
            vsum = epoch(&D, &P, &w[0], &v[0], vsum, &norms2[0], &idx[0], n_cols,
                         False, &seed)
    return np.asarray(w)


# The GLM solver (logistic, multinomial) on the functions above.
include "_glm.pxi"
# The multi-task problem (the L2,1 row penalty) on the same machinery.
include "_multitask.pxi"

include "_ridge_cg.pxi"
