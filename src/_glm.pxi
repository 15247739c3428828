# Included by _cd.pyx: the GLM solver (logistic, multinomial) over the
# elastic-net kernel above, without the GIL.
#
# Problem (scikit-learn's LogisticRegression; c_i = C * sample weight):
#
#     P(W, b) = sum_i c_i f(eta_i; y_i) + sum_{k,j} lam_j |W_kj| + beta_j / 2 W_kj^2,
#     eta_i = W x_i + b,  lam_j = l1_ratio pf_j,  beta_j = (1 - l1_ratio) pf_j
#
# Proximal Newton, glmnet's way: each step replaces the loss of one class
# block by its quadratic model, a weighted least-squares problem with weights
# c_i f''(eta_i) and working response eta_i - f'(eta_i) / f''(eta_i), which
# `solve` above minimises with its working sets, screening and extrapolation
# (the intercept through implicit weighted centring, as for the squared loss).
# A backtracking line search on the true objective makes every step a descent.
# Stopping is certified on the full problem by the duality gap with the true
# loss (the datafit's conjugate, _datafit.pxd).

from _datafit cimport (LOGISTIC, MULTINOMIAL, softplus, sigmoid, logistic_derivs,
                       logistic_conj, multinomial_conj)
from libc.math cimport exp, log
from scipy.linalg.cython_blas cimport dsymv, dsyrk

cdef double H_FLOOR = 1e-280     # least Hessian weight f'', above 0 only
# The working response z = eta - f'/f'' of a badly misfitted sample (|f'| ~ 1,
# f'' ~ e^-|eta|) is far out (1e12 on raw counts at small penalties) with a tiny
# weight, and its rounding swamps the weighted least-squares model: the model's
# step then makes no progress (news20 one-vs-rest stalled 6% above the optimum).
# Its Hessian weight is raised so that |z - eta| <= 1 / Z_SPAN: a more cautious
# model in that sample only, the line search keeps every step honest.
cdef double Z_SPAN = 1e-6
cdef double ARMIJO = 1e-4        # sufficient decrease of the line search
cdef int MAX_HALVINGS = 30
cdef double ROUNDING = 1e-14     # changes of the objective below this are noise
cdef double GLM_INNER_RATIO = 0.1  # subproblems solved to this fraction of the gap
cdef double GLM_WS_INNER = 0.3    # working-set problems: see glm_solve_ws
cdef Py_ssize_t GLM_WS_MAX_FRACTION = 4
# Stalled: this many Newton steps in a row neither lowered the objective beyond
# its rounding (relative STALL_NOISE_32 for float32 X, whose linear predictor
# is float32; ROUNDING for float64) nor halved the best gap so far.  A float32
# multinomial fit with |X| ~ 1e15 (CSR 162 x 4) has a gap floor of ~1e-2
# relative at float32's precision, and its steps moved only rounding for 1000
# steps (26 s) before max_iter.
cdef int STALL_STEPS = 20
cdef double STALL_NOISE_32 = 1e-6
cdef double MODEL_GAP_RATIO = 0.1  # ... and of their own gap at the start: the
                                   # outer gap can overstate a block's by 1000x
# Pure L2 on dense X with p >= n: the quadratic model is a weighted ridge whose
# exact minimiser comes from an n x n system (see dual_newton); coordinate descent
# on such p >> n ridge models needs ~100 epochs a step.  Up to this many samples
# (two n x n matrices in memory, n^3 / 3 flops a step).
cdef Py_ssize_t DUAL_MAX_N = 2048
cdef Py_ssize_t DUAL_BLOCK = 256   # columns scaled at a time to form X B^-1 X^T
cdef int INTERCEPT_COUPLED_MAX = 64  # classes whose intercepts take one Newton step together
# support_newton: at most this many coordinates (two nS^2 matrices, nS^3 / 3
# flops a factor), their columns made dense this many cells at a time
cdef Py_ssize_t SUPPORT_NEWTON_MAX = 2048
cdef Py_ssize_t SUPPORT_NEWTON_CELLS = 1 << 21
cdef int NEWTON_WAIT = 4            # steps before support_newton is tried again
cdef int FREE_MAX = 256            # free coordinates made exact in the gap: see exact_free_point


cdef struct GLM:
    int loss              # LOGISTIC or MULTINOMIAL
    int K                 # coefficient blocks: 1 (binary) or the number of classes
    const int* y          # class index per sample (binary: 1 is the positive class)
    double* c             # C * sample weight
    bint fit_intercept
    # work arrays, X's dtype where `solve` or the design primitives read them
    void* eta             # K x n linear predictors
    void* eta_old         # n
    void* eta_new         # n
    void* h               # n, Hessian weights c_i f''
    void* z               # n, working response
    void* v               # n, `solve`'s state vector
    double* g             # n, gradient c_i f'
    double* u             # K x p, X^T theta
    double* xm            # p, weighted column means of the quadratic model
    double* w_new         # p
    double* w_step        # p
    double* col           # K, one feature's coefficients across classes
    double* hist          # multinomial: last ANDERSON_K + 1 iterates (W, b)
    double* ext           # multinomial: the extrapolated iterate
    double* Kd            # n x n, X B^-1 X^T (upper triangle) or NULL: see dual_newton
    double* Md            # n x n, the dual step's system
    double* ad            # n, its right-hand side, then solution
    double* Khd           # n, Kd h
    double* pfree         # K x n (binary: n), exact_free_point's probabilities
    double* prob          # K x n (binary: n), the probabilities at the last gap
    bint uncertified      # the last gap could not be certified: see exact_free_point


cdef bint glm_alloc(GLM* G, Py_ssize_t n, Py_ssize_t p, size_t itemsize) noexcept nogil:
    G.c = <double*> malloc(n * sizeof(double))
    G.eta = malloc(G.K * n * itemsize)
    G.eta_old = malloc(n * itemsize)
    G.eta_new = malloc(n * itemsize)
    G.h = malloc(n * itemsize)
    G.z = malloc(n * itemsize)
    G.v = malloc(n * itemsize)
    G.g = <double*> malloc(G.K * n * sizeof(double))  # K x n for exact_free_point
    G.pfree = <double*> malloc(G.K * n * sizeof(double))
    G.prob = <double*> malloc(G.K * n * sizeof(double))
    G.u = <double*> malloc(G.K * p * sizeof(double))
    G.xm = <double*> malloc(p * sizeof(double))
    G.w_new = <double*> malloc(p * sizeof(double))
    G.w_step = <double*> malloc(p * sizeof(double))
    G.col = <double*> malloc(G.K * sizeof(double))
    G.hist = G.ext = NULL
    G.Kd = G.Md = G.ad = G.Khd = NULL
    if G.K > 1:
        G.hist = <double*> malloc((ANDERSON_K + 1) * G.K * (p + 1) * sizeof(double))
        G.ext = <double*> malloc(G.K * (p + 1) * sizeof(double))
        if G.hist == NULL or G.ext == NULL:
            return False
    return not (G.c == NULL or G.eta == NULL or G.eta_old == NULL or G.eta_new == NULL
                or G.h == NULL or G.z == NULL or G.v == NULL or G.g == NULL
                or G.u == NULL or G.xm == NULL or G.w_new == NULL or G.w_step == NULL
                or G.col == NULL or G.pfree == NULL or G.prob == NULL)


cdef void glm_free(GLM* G) noexcept nogil:
    free(G.c); free(G.eta); free(G.eta_old); free(G.eta_new); free(G.h); free(G.z)
    free(G.v); free(G.g); free(G.u); free(G.xm); free(G.w_new); free(G.w_step)
    free(G.col); free(G.hist); free(G.ext); free(G.pfree); free(G.prob)
    free(G.Kd); free(G.Md); free(G.ad); free(G.Khd)
    G.Kd = G.Md = G.ad = G.Khd = NULL


cdef bint dual_setup(const Design* X, const Problem* P, GLM* G) noexcept nogil:
    """Form Kd = X B^-1 X^T (B = diag(beta), X uncentred) when the dual Newton
    step applies: dense X, p >= n, n <= DUAL_MAX_N, a pure L2 penalty on every
    feature (beta_j > 0) without bounds.  Frees it otherwise; False when it
    does not apply (or memory ran out: the primal route then serves)."""
    cdef Py_ssize_t n = X.n, p = X.p, i, j, j0, nb
    cdef double* buf
    cdef const float* xf
    cdef const double* xd
    cdef double r, one = 1.0
    cdef int ni = <int> n, ki
    cdef char uplo = b'U', notrans = b'N'
    free(G.Kd); free(G.Md); free(G.ad); free(G.Khd)
    G.Kd = G.Md = G.ad = G.Khd = NULL
    if X.kind != DENSE or p < n or n > DUAL_MAX_N or P.has_l1 or P.bounded:
        return False
    for j in range(p):
        if not P.beta[j] > 0.0:
            return False
    G.Kd = <double*> calloc(n * n, sizeof(double))
    G.Md = <double*> malloc(n * n * sizeof(double))
    G.ad = <double*> malloc(n * sizeof(double))
    G.Khd = <double*> malloc(n * sizeof(double))
    buf = <double*> malloc(n * DUAL_BLOCK * sizeof(double))
    if G.Kd == NULL or G.Md == NULL or G.ad == NULL or G.Khd == NULL or buf == NULL:
        free(buf)
        free(G.Kd); free(G.Md); free(G.ad); free(G.Khd)
        G.Kd = G.Md = G.ad = G.Khd = NULL
        return False
    j0 = 0
    while j0 < p:                        # Kd += (X_blk B_blk^-1/2)(...)^T, in double
        nb = min(DUAL_BLOCK, p - j0)
        for j in range(nb):
            r = 1.0 / sqrt(P.beta[j0 + j])
            if X.values_are_float:
                xf = <const float*> X.values + (j0 + j) * X.ld
                for i in range(n):
                    buf[j * n + i] = r * xf[i]
            else:
                xd = <const double*> X.values + (j0 + j) * X.ld
                for i in range(n):
                    buf[j * n + i] = r * xd[i]
        ki = <int> nb
        dsyrk(&uplo, &notrans, &ni, &ki, &one, buf, &ni, &one, G.Kd, &ni)
        j0 += nb
    free(buf)
    return True


cdef bint dual_newton(const Design* X, GLM* G, const Problem* P, const floating* h,
                      const floating* z, double zbar, double hsum,
                      double* w_new) noexcept nogil:
    """The quadratic model's exact minimiser, from its n x n dual system.

    The model is min_w 1/2 sum_i h_i (z_i - zbar - (x_i - m)^T w)^2 + 1/2 w^T B w
    (m the h-weighted column means with an intercept, else 0 and zbar = 0).
    With X_c = X - 1 m^T, Woodbury gives w = B^-1 X_c^T a, where a = D q,
    D = diag(sqrt h) and (I + D X_c B^-1 X_c^T D) q = D (z - zbar): an SPD
    system whose eigenvalues are >= 1.  X_c B^-1 X_c^T is Kd with its rank-one
    centring corrections (Kd h / hsum), so Kd is formed once per fit.
    Returns False when the Cholesky factorisation fails (the primal route
    then serves).
    """
    cdef Py_ssize_t n = X.n, p = X.p, i, j
    cdef double* K = G.Kd
    cdef double* M = G.Md
    cdef double* a = G.ad
    cdef double* Kh = G.Khd
    cdef double hKh = 0.0, kc, si, sj, asum = 0.0, acc, mj
    cdef const float* xf
    cdef const double* xd
    cdef int ni = <int> n, one_i = 1, info = 0
    cdef double one = 1.0, zero = 0.0
    cdef char uplo = b'U'
    if G.fit_intercept:
        for i in range(n):
            a[i] = h[i]
        dsymv(&uplo, &ni, &one, K, &ni, a, &one_i, &zero, Kh, &one_i)
        for i in range(n):
            hKh += h[i] * Kh[i]
        for i in range(n):
            Kh[i] /= hsum
        hKh /= hsum * hsum
    for j in range(n):                   # upper triangle, column-major
        sj = sqrt(<double> h[j])
        for i in range(j + 1):
            kc = K[j * n + i]
            if G.fit_intercept:
                kc = kc - Kh[i] - Kh[j] + hKh
            si = sqrt(<double> h[i])
            M[j * n + i] = si * sj * kc
        M[j * n + j] += 1.0
        a[j] = sj * (z[j] - zbar)
    dpotrf(&uplo, &ni, M, &ni, &info)
    if info != 0:
        return False
    dpotrs(&uplo, &ni, &one_i, M, &ni, a, &ni, &info)
    if info != 0:
        return False
    for i in range(n):
        a[i] *= sqrt(<double> h[i])
        asum += a[i]
    for j in range(p):                   # w = B^-1 (X^T a - m sum(a))
        acc = 0.0
        if X.values_are_float:
            xf = <const float*> X.values + j * X.ld
            for i in range(n):
                acc += xf[i] * a[i]
        else:
            xd = <const double*> X.values + j * X.ld
            for i in range(n):
                acc += xd[i] * a[i]
        mj = G.xm[j] if G.fit_intercept else 0.0
        w_new[j] = (acc - mj * asum) / P.beta[j]
    return True


cdef void linear_predictor(const Design* X, const double* w, double b,
                           floating* eta) noexcept nogil:
    """eta = X w + b, reading only the columns where w is non-zero (X uncentred)."""
    cdef Py_ssize_t i, j
    for i in range(X.n):
        eta[i] = <floating> b
    for j in range(X.p):
        if w[j] != 0.0:
            col_update(X, j, -w[j], eta)


cdef inline void derivs(const GLM* G, const floating* eta, Py_ssize_t n,
                        Py_ssize_t i, int k, double* prob, double* g,
                        double* h) noexcept nogil:
    """f', f'' of sample i in block k's predictor, and its probability
    (binary: q = sigmoid(-t eta); multinomial: p_ik)."""
    cdef double mx, acc, pk
    cdef int a
    if G.loss == LOGISTIC:
        logistic_derivs(eta[i], 1.0 if G.y[i] == 1 else -1.0, prob, g, h)
        return
    mx = eta[i]
    for a in range(1, G.K):
        if eta[a * n + i] > mx:
            mx = eta[a * n + i]
    acc = 0.0
    for a in range(G.K):
        acc += exp(eta[a * n + i] - mx)
    pk = exp(eta[k * n + i] - mx) / acc
    prob[0] = pk
    g[0] = pk - (1.0 if G.y[i] == k else 0.0)
    h[0] = pk * (1.0 - pk)


cdef double glm_loss(const GLM* G, const floating* eta, Py_ssize_t n) noexcept nogil:
    """sum_i c_i f(eta_i; y_i)."""
    cdef double acc = 0.0, mx, s
    cdef Py_ssize_t i
    cdef int a
    for i in range(n):
        if G.c[i] == 0.0:
            continue
        if G.loss == LOGISTIC:
            acc += G.c[i] * softplus(-eta[i] if G.y[i] == 1 else eta[i])
        else:
            mx = eta[i]
            for a in range(1, G.K):
                if eta[a * n + i] > mx:
                    mx = eta[a * n + i]
            s = 0.0
            for a in range(G.K):
                s += exp(eta[a * n + i] - mx)
            acc += G.c[i] * (mx + log(s) - eta[G.y[i] * n + i])
    return acc


cdef double pen_value(const Problem* P, const double* w, const int* idx,
                      Py_ssize_t p) noexcept nogil:
    cdef double l2
    cdef double l1 = penalty(P, w, idx, p, &l2)
    return l1 + 0.5 * l2


cdef int newton_step(const Design* X, Design* Dh, GLM* G, Problem* P,
                     Workspace* W, floating* eta, double* w, double* b, int k,
                     double inner_tol,
                     int max_epochs, bint random, unsigned int* seed, bint use_ws,
                     bint use_screening, int* epochs) noexcept nogil:
    """One proximal Newton step on block k (w, b[k]); returns 0 if it made progress.

    `solve` minimises the block's quadratic model exactly as it minimises a
    weighted least-squares problem; a backtracking line search on the true
    objective then takes the step.
    """
    cdef Py_ssize_t n = X.n, p = X.p, i, j
    cdef floating* etak = eta + k * n
    cdef floating* eta_old = <floating*> G.eta_old
    cdef floating* eta_new = <floating*> G.eta_new
    cdef floating* h = <floating*> G.h
    cdef floating* z = <floating*> G.z
    cdef double prob, gi, hi, hsum = 0.0, zbar = 0.0, zz = 0.0, d, b_new = 0.0
    cdef double f0, ft, delta, t, sub_gap, pen_old
    cdef int sub_epochs, halving
    cdef bint moved
    for i in range(n):
        derivs(G, eta, n, i, k, &prob, &gi, &hi)
        hi = max(hi, Z_SPAN * fabs(gi), H_FLOOR)
        G.g[i] = G.c[i] * gi
        h[i] = <floating> (G.c[i] * hi)
        z[i] = <floating> (etak[i] - gi / hi)
        hsum += h[i]
        zbar += h[i] * z[i]
    if hsum <= 0.0:
        return 1
    Dh.sw = h
    Dh.n_eff = hsum
    if G.fit_intercept:
        zbar /= hsum
        for j in range(p):                 # X^T h: X is read uncentred, unweighted
            G.xm[j] = col_grad(X, j, h, 0.0) / hsum
        Dh.xm = G.xm
    else:
        zbar = 0.0
        Dh.xm = NULL
    for i in range(n):
        d = z[i] - zbar
        zz += h[i] * d * d
    P.y = z
    P.y_mean = zbar
    P.yy = zz
    if G.Kd != NULL and dual_newton(X, G, P, h, z, zbar, hsum, G.w_new):
        epochs[0] += 1                   # one exact solve of the model
    else:
        col_sqnorms(Dh, h, W.all_idx, p, W.norms2)
        if not P.safe_ok:
            free_setup(Dh, P, W, <floating*> W.v_try)
        for j in range(p):
            G.w_new[j] = w[j]
        solve(Dh, P, W, G.w_new, <floating*> G.v, inner_tol, max_epochs, random, seed,
              use_ws, use_screening, &sub_gap, &sub_epochs, MODEL_GAP_RATIO)
        epochs[0] += sub_epochs
    if G.fit_intercept:
        b_new = zbar
        for j in range(p):
            if G.w_new[j] != 0.0:
                b_new -= G.xm[j] * G.w_new[j]
    linear_predictor(X, G.w_new, b_new, eta_new)

    # line search along (w_new - w, b_new - b): Armijo on P = loss + penalty
    pen_old = pen_value(P, w, W.all_idx, p)
    delta = pen_value(P, G.w_new, W.all_idx, p) - pen_old
    for i in range(n):
        delta += G.g[i] * (<double> eta_new[i] - etak[i])
        eta_old[i] = etak[i]
    f0 = glm_loss(G, eta, n) + pen_old
    if fabs(delta) <= ROUNDING * fabs(f0):
        # the step's predicted change is below the rounding of the objective,
        # so no line search can judge it; near the optimum the Newton step is
        # exact, and taking it is what brings the gap (first order in the
        # step, where the objective is second order) below 1e-9
        moved = b_new != b[k]
        for j in range(p):
            if G.w_new[j] != w[j]:
                moved = True
            w[j] = G.w_new[j]
        b[k] = b_new
        for i in range(n):
            etak[i] = eta_new[i]
        return 0 if moved else 1
    if not delta < 0.0:
        return 1                           # no descent along the step
    t = 1.0
    for halving in range(MAX_HALVINGS):
        for i in range(n):
            etak[i] = <floating> (eta_old[i] + t * (<double> eta_new[i] - eta_old[i]))
        for j in range(p):
            G.w_step[j] = w[j] + t * (G.w_new[j] - w[j])
        ft = glm_loss(G, eta, n) + pen_value(P, G.w_step, W.all_idx, p)
        if ft <= f0 + ARMIJO * t * delta:
            for j in range(p):
                w[j] = G.w_step[j]
            b[k] += t * (b_new - b[k])
            return 0
        t *= 0.5
    for i in range(n):
        etak[i] = eta_old[i]
    return 1


cdef void probabilities(const GLM* G, const floating* eta, Py_ssize_t n,
                        double* pr) noexcept nogil:
    """pr = P(y_i = 1) (binary, n), or p_ik (multinomial, K x n, one softmax a sample)."""
    cdef Py_ssize_t i
    cdef int k
    cdef double mx, acc
    for i in range(n):
        if G.loss == LOGISTIC:
            pr[i] = sigmoid(eta[i])
            continue
        mx = eta[i]
        for k in range(1, G.K):
            mx = max(mx, <double> eta[k * n + i])
        acc = 0.0
        for k in range(G.K):
            pr[k * n + i] = exp(eta[k * n + i] - mx)
            acc += pr[k * n + i]
        for k in range(G.K):
            pr[k * n + i] /= acc


cdef void fit_intercepts(GLM* G, floating* eta, double* b, Py_ssize_t n) noexcept nogil:
    """Make the intercepts optimal for the current W: damped Newton on all at once.

    The classes' intercepts are coupled through the softmax: one Newton step
    on the first K - 1 of them together (a common shift is flat), from their
    (K-1) x (K-1) Hessian, converges in a few steps, where one class at a time
    ran all 50 rounds with 20 classes (80% of a news20 fit, two n K passes of
    exp a class and round).  More than INTERCEPT_COUPLED_MAX classes, or a
    Hessian that Cholesky calls singular (a class the weights leave out):
    the diagonal step, which the line search keeps a descent.  Stops when
    the Newton decrement -g.d is below 1e-24 of the loss, or when a line
    search finds no decrease (the precision of the data).  A decrement
    below the loss's rounding takes the full step.
    """
    cdef int K = G.K, B = K - 1 if G.loss == MULTINOMIAL else 1
    cdef bint coupled = B <= INTERCEPT_COUPLED_MAX
    cdef double prob, gi, hi, a, dec, f0, ft, last_dec = INFINITY
    cdef Py_ssize_t i
    cdef int k, l, it, halving, info = 0, one = 1
    cdef char uplo = b'L'
    cdef bint solved
    cdef double* H = <double*> malloc(((B * B if coupled else 0) + 3 * B) * sizeof(double))
    cdef double* hd                     # the Hessian's diagonal
    cdef double* g
    cdef double* d
    cdef double* pr = G.prob            # the probabilities (K x n), recomputed here
    if H == NULL:
        return
    hd = H + (B * B if coupled else 0)
    g = hd + B
    d = g + B
    f0 = glm_loss(G, eta, n)
    for it in range(50):
        for k in range(B):
            g[k] = 0.0
            hd[k] = 0.0
            if coupled:
                for l in range(B):
                    H[k * B + l] = 0.0
        if G.loss == MULTINOMIAL:
            probabilities(G, eta, n, pr)
        for i in range(n):
            if G.c[i] == 0.0:
                continue
            if G.loss == LOGISTIC:
                derivs(G, eta, n, i, 0, &prob, &gi, &hi)
                g[0] += G.c[i] * gi
                hd[0] += G.c[i] * hi
                continue
            for k in range(B):
                a = G.c[i] * pr[k * n + i]
                g[k] += a - (G.c[i] if G.y[i] == k else 0.0)
                hd[k] += a * (1.0 - pr[k * n + i])
                if coupled:              # the lower triangle, column k
                    for l in range(k + 1, B):
                        H[k * B + l] -= a * pr[l * n + i]
        solved = False
        if coupled:
            for k in range(B):
                H[k * B + k] = hd[k]
                d[k] = -g[k]
            dpotrf(&uplo, &B, H, &B, &info)
            if info == 0:
                dpotrs(&uplo, &B, &one, H, &B, d, &B, &info)
                solved = info == 0
        if not solved:
            for k in range(B):
                d[k] = -g[k] / hd[k] if hd[k] > 0.0 else 0.0
        dec = 0.0                        # the Newton decrement, -g.d
        for k in range(B):
            dec -= g[k] * d[k]
        if not dec > 1e-24 * f0:
            break
        if dec <= ROUNDING * fabs(f0):
            # below the loss's rounding no line search can judge the step
            # (reuters_moneyfx kept an intercept gradient of 3e-8 and ran 18
            # more Newton steps); this close the Newton step is exact, as in
            # newton_step: taken while it keeps halving the decrement
            if not dec < 0.5 * last_dec:
                break
            last_dec = dec
            for k in range(B):
                b[k] += d[k]
                for i in range(n):
                    eta[k * n + i] = <floating> (eta[k * n + i] + d[k])
            f0 = glm_loss(G, eta, n)
            continue
        # near the optimum a full step succeeds or is below rounding: a few
        # halvings are enough, and more would cost a pass over y each
        for halving in range(8):
            for k in range(B):
                for i in range(n):
                    eta[k * n + i] = <floating> (eta[k * n + i] + d[k])
            ft = glm_loss(G, eta, n)
            if ft <= f0 - ARMIJO * dec:
                for k in range(B):
                    b[k] += d[k]
                f0 = ft
                break
            for k in range(B):
                for i in range(n):
                    eta[k * n + i] = <floating> (eta[k * n + i] - d[k])
                d[k] *= 0.5
            dec *= 0.5
        else:
            break                        # no decrease: the precision of the data
    free(H)
    if G.K > 1:
        # the softmax cannot see a common shift of the intercepts: make them
        # sum to zero, so that the decision function is defined
        a = 0.0
        for k in range(G.K):
            a += b[k]
        a /= G.K
        for k in range(G.K):
            b[k] -= a
            for i in range(n):
                eta[k * n + i] = <floating> (eta[k * n + i] - a)


cdef double shift_minimiser(double* a, int K, double lam, double beta) noexcept nogil:
    """argmin_d sum_k lam |a_k - d| + beta / 2 (a_k - d)^2 (a is sorted in place).

    The derivative lam (#{a_k < d} - #{a_k > d}) - beta sum_k (a_k - d) is
    increasing: the minimiser is a breakpoint a_k where it changes sign, or
    the zero of its linear piece between two breakpoints.
    """
    cdef int i, m, lt, eq
    cdef double t, v, S = 0.0, lo, hi, d
    for i in range(1, K):                    # insertion sort: K is small
        t = a[i]
        m = i - 1
        while m >= 0 and a[m] > t:
            a[m + 1] = a[m]
            m -= 1
        a[m + 1] = t
    for i in range(K):
        S += a[i]
    m = 0
    while m < K:
        v = a[m]
        lt = m
        eq = 1
        while m + eq < K and a[m + eq] == v:
            eq += 1
        lo = lam * (lt - eq - (K - lt - eq)) - beta * (S - K * v)
        hi = lam * (lt + eq - (K - lt - eq)) - beta * (S - K * v)
        if lo <= 0.0 <= hi:
            return v
        if lo > 0.0 and beta > 0.0:          # the zero lies before v
            d = (S - lam * (2 * lt - K) / beta) / K
            return d
        m += eq
    if beta > 0.0:
        return (S - lam * K / beta) / K      # past the last breakpoint
    return a[K - 1]


cdef void center_classes(const Design* X, GLM* G, const Problem* P, double* w,
                         floating* eta, double* col) noexcept nogil:
    """Move the multinomial coefficients along the direction the loss cannot see.

    Adding d_j to feature j's coefficient in every class leaves every softmax,
    and so the loss, unchanged: only the penalty decides d_j.  Block
    (class-by-class) Newton steps cannot move along this flat direction, and
    stall in it; here each d_j is set to its exact minimiser.  An unpenalised
    feature has no minimiser: its coefficients are centred (sum over the
    classes 0), the solution scikit-learn's solvers return.
    """
    cdef Py_ssize_t n = X.n, p = X.p, i, j
    cdef int k, K = G.K
    cdef bint moved = False
    cdef double d, a
    for j in range(p):
        G.w_step[j] = 0.0
        if P.lam[j] == 0.0 and P.beta[j] == 0.0:
            d = 0.0
            a = 0.0
            for k in range(K):
                d += w[k * p + j]
                a += fabs(w[k * p + j])
            d /= K
            if fabs(d) <= 1e-15 * a:      # centred to rounding already: keep eta
                d = 0.0
        else:
            for k in range(K):
                col[k] = w[k * p + j]
            d = shift_minimiser(col, K, P.lam[j], P.beta[j])
        if d != 0.0:
            G.w_step[j] = d
            moved = True
            for k in range(K):
                w[k * p + j] -= d
    if not moved:
        return
    linear_predictor(X, G.w_step, 0.0, <floating*> G.eta_new)
    for k in range(K):
        for i in range(n):
            eta[k * n + i] -= (<floating*> G.eta_new)[i]


cdef inline double free_dot(const Design* X, int j, const floating* v,
                            Py_ssize_t n) noexcept nogil:
    """x_j^T v for a free coordinate: j < 0 is the intercept (a column of ones)."""
    cdef double acc = 0.0
    cdef Py_ssize_t i
    if j >= 0:
        return col_grad(X, j, v, 0.0)
    for i in range(n):
        acc += v[i]
    return acc


cdef int exact_free_point(const Design* X, GLM* G, const Problem* P, const double* w,
                          const floating* eta, double* pr) noexcept nogil:
    """Probabilities pr of a dual point that meets the free block's constraints
    (from G.prob, the probabilities at eta, which glm_gap has just computed).

    The free coordinates (the intercepts, unpenalised features off their
    bounds) constrain the dual point theta_k = -c (p_k - e_yk) exactly:
    X_F^T theta_k = 0 for every class block k.  Moving the probabilities by
    the free block's Newton step d (the softmax linearised: p'_ik = p_ik
    (1 + z_ik - sum_l p_il z_il), z_ik = x_iF^T d_k, the last class's d = 0
    since a shift of all classes is flat) meets them exactly.  The gap at
    theta' is then a certificate, which the one-step estimate u^2 / h_jj is
    not (on correlated or flat free blocks it understated the suboptimality
    1000-fold).  Binary: one block, pr[i] = P(y_i = 1); multinomial: K
    blocks of n, pr[k n + i] = p_ik, K - 1 of them solved for.

    Returns 1 (pr is the dual point); 0 if there is no free block, H_FF is
    singular, the block exceeds FREE_MAX or (with more classes) bounds make the
    flat direction matter: the estimate serves; -1 if some p' leaves [0, 1]: the
    step is too long for its linearisation (the free block is far from its
    optimum), and no gap computed here may count as converged.
    """
    cdef Py_ssize_t n = X.n, p = X.p, i, j
    cdef int K = G.K if G.loss == MULTINOMIAL else 2, B = K - 1, m = 0, nf, nq
    cdef int a, c, k, l, ja
    cdef int ok = 1
    cdef double own, zk
    cdef double* zbar_ = NULL
    cdef int* F = NULL
    cdef int info = 0, one = 1
    cdef char uplo = b'U'
    cdef double* H = NULL
    cdef double* d = NULL
    cdef floating* xa = <floating*> G.z          # scratch: free at gap time
    cdef floating* v = <floating*> G.eta_new
    cdef floating* th = <floating*> G.v
    if G.loss == MULTINOMIAL and P.bounded:
        return 0
    memcpy(pr, G.prob, (K if G.loss == MULTINOMIAL else 1) * n * sizeof(double))
    F = <int*> malloc((p + 1) * sizeof(int))      # the free coordinates, -1: intercept
    if F == NULL:
        return 0
    if G.loss == LOGISTIC:
        for i in range(n):
            th[i] = <floating> (-G.c[i] * (pr[i] - (1.0 if G.y[i] == 1 else 0.0)))
    for j in range(p):
        if P.lam[j] == 0.0 and P.beta[j] == 0.0:
            # a feature held at a bound is not free (multinomial: unbounded, above)
            if G.loss == LOGISTIC:
                G.u[j] = col_grad(X, j, th, 0.0)  # kept: the right-hand side below
                if at_bound(w[j], G.u[j], P.lower[j], P.upper[j]):
                    continue
            F[m] = <int> j
            m += 1
    if G.fit_intercept:
        F[m] = -1
        m += 1
    nf = m
    nq = B * nf
    if nf == 0 or nq > FREE_MAX:
        free(F)
        return 0
    H = <double*> malloc((nq * nq + nq + n) * sizeof(double))
    if H == NULL:
        free(F)
        return 0
    d = H + nq * nq
    zbar_ = d + nq
    # H[(k, a), (l, c)] = sum_i c_i p_ik (delta_kl - p_il) x_ia x_ic; rhs u_ka = x_a^T theta_k
    for k in range(B):
        for i in range(n):
            own = 1.0 if G.y[i] == (k + 1 if G.loss == LOGISTIC else k) else 0.0
            th[i] = <floating> (-G.c[i] * (pr[k * n + i] - own))
        for a in range(nf):
            if G.loss == LOGISTIC and F[a] >= 0:
                d[a] = G.u[F[a]]
            else:
                d[k * nf + a] = free_dot(X, F[a], th, n)
    for k in range(B):
        for a in range(nf):
            ja = F[a]
            if ja >= 0:
                col_dense(X, ja, xa)
            for i in range(n):
                xa[i] = <floating> (G.c[i] * pr[k * n + i] * (xa[i] if ja >= 0 else 1.0))
            for l in range(B):
                for i in range(n):
                    v[i] = <floating> (xa[i] * ((1.0 if l == k else 0.0) - pr[l * n + i]))
                for c in range(nf):
                    H[(k * nf + a) * nq + l * nf + c] = free_dot(X, F[c], v, n)
    # LAPACK's Cholesky, not chol_factor: near separation H_FF's condition
    # reaches 1e13, whose pivots chol_factor's test (1e-10 of the diagonal)
    # calls singular, while the solve's residual is still at rounding level
    dpotrf(&uplo, &nq, H, &nq, &info)
    ok = 1 if info == 0 else 0
    if ok == 1:
        dpotrs(&uplo, &nq, &one, H, &nq, d, &nq, &info)
        ok = 1 if info == 0 else 0
    if ok == 1:
        for i in range(n):
            zbar_[i] = 0.0
        for k in range(B):                       # z_k = X_F d_k, kept in G.g
            for i in range(n):
                xa[i] = 0
            for a in range(nf):
                if F[a] >= 0:
                    col_update(X, F[a], -d[k * nf + a], xa)
                else:
                    for i in range(n):
                        xa[i] = <floating> (xa[i] + d[k * nf + a])
            for i in range(n):
                G.g[k * n + i] = xa[i]
                zbar_[i] += pr[k * n + i] * xa[i]
        for k in range(K if G.loss == MULTINOMIAL else 1):
            for i in range(n):
                zk = G.g[k * n + i] if k < B else 0.0
                pr[k * n + i] *= 1.0 + zk - zbar_[i]
                # a saturated probability moved by rounding: clamped (the
                # constraints then hold to rounding, as every gap's do)
                if -1e-12 <= pr[k * n + i] < 0.0:
                    pr[k * n + i] = 0.0
                elif 1.0 < pr[k * n + i] <= 1.0 + 1e-12:
                    pr[k * n + i] = 1.0
                elif not (0.0 <= pr[k * n + i] <= 1.0):
                    ok = -1
    free(H)
    free(F)
    return ok


cdef double glm_gap(const Design* X, Design* Dh, GLM* G, const Problem* P,
                    Workspace* W, floating* eta, const double* w, const double* b,
                    double* primal_out) noexcept nogil:
    """Duality gap of the full problem at (W, b), with the true loss.

    The dual point is theta = -c f'(eta) (one column per class).  As for the
    squared loss (`duality_gap`), with an L1 part the L2 term is kept in the
    smooth part: theta and beta w are rescaled by s <= 1 until
    |X_j^T theta - beta_j w_j| <= lam_j for every feature; the rescaled theta
    keeps its probabilities in [0, 1] (the simplex), so f* stays finite.  For
    pure L2 no rescaling is needed (the penalty's conjugate is finite).
    The intercepts are held at their value, which frees the dual point of the
    constraint sum_i theta_ik = 0 (the term b_k sum_i theta_ik below).
    Unpenalised coordinates (pf_j = 0, C = inf, the intercepts) would
    constrain X_j^T theta = 0 exactly: as for the squared loss, each adds
    instead u_j^2 / h_jj, twice the decrease one Newton step on it would
    still give.  That is an estimate, not a bound: theta is first moved onto
    those constraints (exact_free_point, |F| column passes per class), and
    the gap is a certificate; the estimate remains only where that move is
    not a dual point.
    """
    cdef Py_ssize_t n = X.n, p = X.p, i, j
    cdef floating* th = <floating*> G.v          # theta of one class
    cdef floating* h = <floating*> G.h
    cdef double prob, gi, hi, tsum, hsum, s = 1.0, uj, a, primal, conj = 0.0
    cdef double l2 = 0.0, hstar = 0.0, unpen = 0.0, m, hjj, pk, wj, lin = 0.0
    cdef int k, own
    cdef int route
    cdef bint exact
    probabilities(G, eta, n, G.prob)   # once: a softmax costs K exp
    route = (exact_free_point(X, G, P, w, eta, G.pfree)
             if G.fit_intercept or not P.safe_ok else 0)
    exact = route == 1
    G.uncertified = route == -1
    for k in range(G.K):
        tsum = 0.0
        hsum = 0.0
        own = 1 if G.loss == LOGISTIC else k     # the class of block k's probabilities
        for i in range(n):
            if G.loss == MULTINOMIAL:
                prob = G.prob[k * n + i]
                gi = prob - (1.0 if G.y[i] == k else 0.0)
                hi = prob * (1.0 - prob)
            else:
                derivs(G, eta, n, i, k, &prob, &gi, &hi)
            if exact:
                gi = G.pfree[k * n + i] - (1.0 if G.y[i] == own else 0.0)
            th[i] = <floating> (-G.c[i] * gi)
            h[i] = <floating> (G.c[i] * hi)
            tsum += th[i]
            hsum += h[i]
        lin += b[k] * tsum
        if G.fit_intercept and hsum > 0.0 and not exact:
            unpen += tsum * (tsum / hsum)   # squared first, it underflows
        for j in range(p):
            uj = col_grad(X, j, th, 0.0)
            G.u[k * p + j] = uj
            wj = w[k * p + j]
            if P.lam[j] > 0.0:
                a = unbounded_excess(uj - P.beta[j] * wj, P.lower[j], P.upper[j])
                if a * s > P.lam[j]:
                    s = P.lam[j] / a
                l2 += P.beta[j] * wj * wj
            elif P.beta[j] > 0.0:                  # pure L2: conjugate at u
                hstar += 0.5 * l2_conj2(uj, P.beta[j], P.lower[j], P.upper[j])
        if not P.safe_ok and hsum > 0.0 and not exact:
            # curvature of each unpenalised coordinate (centred with an intercept)
            Dh.sw = h
            Dh.n_eff = hsum
            Dh.xm = NULL
            for j in range(p):
                if (P.lam[j] == 0.0 and P.beta[j] == 0.0
                        and not at_bound(w[k * p + j], G.u[k * p + j], P.lower[j], P.upper[j])):
                    m = col_grad(X, j, h, 0.0) / hsum if G.fit_intercept else 0.0
                    hjj = col_sqnorm(Dh, j, h) - m * m * hsum
                    if hjj > 0.0:
                        uj = G.u[k * p + j]
                        unpen += uj * (uj / hjj)
    hstar += 0.5 * s * s * l2                      # conjugate of the L2 part at s beta w
    if P.bounded:                                  # and of the bounded directions
        for k in range(G.K):
            for j in range(p):
                if P.lam[j] > 0.0:
                    hstar += box_conj(s * (G.u[k * p + j] - P.beta[j] * w[k * p + j]),
                                      P.lam[j], P.lower[j], P.upper[j])
    for i in range(n):
        if G.c[i] == 0.0:
            continue
        if G.loss == LOGISTIC:
            if exact:                   # q = P(the other class), from P(y = 1)
                prob = (1.0 - G.pfree[i]) if G.y[i] == 1 else G.pfree[i]
            else:
                derivs(G, eta, n, i, 0, &prob, &gi, &hi)
            conj += G.c[i] * logistic_conj(prob, s)
        else:
            for k in range(G.K):
                pk = G.pfree[k * n + i] if exact else G.prob[k * n + i]
                conj += G.c[i] * multinomial_conj(pk, s, G.y[i] == k)
    primal = glm_loss(G, eta, n)
    for k in range(G.K):
        primal += pen_value(P, w + k * p, W.all_idx, p)
    primal_out[0] = primal
    a = primal + conj + hstar + s * lin
    if a < 0.0:
        a = 0.0                  # rounding: weak duality holds
    return a + unpen


# The multinomial Newton step on all classes at once over the support.
include "_glm_support_newton.pxi"


cdef void store_iterate(const GLM* G, const double* w, const double* b,
                        Py_ssize_t p, double* row) noexcept nogil:
    cdef Py_ssize_t j
    cdef int k
    for j in range(G.K * p):
        row[j] = w[j]
    for k in range(G.K):
        row[G.K * p + k] = b[k]


cdef double glm_objective(const GLM* G, const Problem* P, const Workspace* W,
                          const floating* eta, const double* w, Py_ssize_t n,
                          Py_ssize_t p) noexcept nogil:
    cdef double f = glm_loss(G, eta, n)
    cdef int k
    for k in range(G.K):
        f += pen_value(P, w + k * p, W.all_idx, p)
    return f


cdef void glm_anderson(const Design* X, const GLM* G, const Problem* P,
                       const Workspace* W, floating* eta, double* w, double* b) noexcept nogil:
    """Anderson extrapolation of the last ANDERSON_K + 1 multinomial iterates.

    Class-by-class Newton steps converge linearly when the classes are
    coupled (an L1 or elastic-net multinomial fit can need hundreds of
    steps); extrapolating the sequence of iterates, kept only when it
    lowers the objective, restores fast convergence.
    """
    cdef double C[ANDERSON_K * ANDERSON_K]
    cdef double z[ANDERSON_K]
    cdef Py_ssize_t n = X.n, p = X.p, m = G.K * (p + 1), i, q
    cdef double zs = 0.0, acc, f_old, f_new
    cdef double* hist = G.hist
    cdef int a, c, k, K = ANDERSON_K
    for a in range(K):
        for c in range(a, K):
            acc = 0.0
            for q in range(m):
                acc += ((hist[(a + 1) * m + q] - hist[a * m + q])
                        * (hist[(c + 1) * m + q] - hist[c * m + q]))
            C[a * K + c] = acc
            C[c * K + a] = acc
    if not solve_small(C, z, K):
        return
    for a in range(K):
        zs += z[a]
    if zs == 0.0:
        return
    for q in range(m):
        acc = 0.0
        for a in range(K):
            acc += z[a] / zs * hist[(a + 1) * m + q]
        if q < G.K * p:
            acc = clip(acc, P.lower[q % p], P.upper[q % p])
        G.ext[q] = acc
    f_old = glm_objective(G, P, W, eta, w, n, p)
    for q in range(G.K * p):
        w[q] = G.ext[q]
    for k in range(G.K):
        b[k] = G.ext[G.K * p + k]
        linear_predictor(X, w + k * p, b[k], eta + k * n)
    f_new = glm_objective(G, P, W, eta, w, n, p)
    if f_new < f_old:
        return
    for q in range(G.K * p):                 # not better: back to the last iterate
        w[q] = hist[K * m + q]
    for k in range(G.K):
        b[k] = hist[K * m + G.K * p + k]
        linear_predictor(X, w + k * p, b[k], eta + k * n)


cdef double null_loss_of(const GLM* G, Py_ssize_t n) noexcept nogil:
    """The loss of W = 0, b = 0: sum_i c_i log K (log 2 for two classes)."""
    cdef double acc = 0.0
    cdef Py_ssize_t i
    for i in range(n):
        acc += G.c[i]
    return acc * log(<double> max(G.K, 2))


cdef inline bint gap_converged(const GLM* G, double gap, double primal, double tol,
                               double null_loss) noexcept nogil:
    """The stop of glm_solve: a certified gap <= tol * P(W, b), or a gap at
    rounding level against the loss of the zero model (separable data without
    penalty, where P tends to 0)."""
    return (gap <= tol * primal and not G.uncertified) or gap <= 1e-15 * null_loss


cdef int glm_solve(const Design* X, Design* Dh, GLM* G, Problem* P, Workspace* W,
                   floating* eta, double* w, double* b, double tol, int max_iter,
                   int max_epochs, bint random, unsigned int* seed, bint use_ws,
                   bint use_screening, double* gap_out, int* n_iter_out,
                   int* epochs_out, double tol_abs=0.0, double known_gap=-1.0,
                   double known_primal=0.0) noexcept nogil:
    """Minimise P(W, b) from the given point.  0: converged; 1: max_iter; 2: stalled;
    INTERRUPTED: stopped by a signal or a stop request.

    Converged: duality gap <= tol * P(W, b), the objective certified to
    within tol relative; or a gap at rounding level against the loss of the
    zero model (separable data without penalty, where P tends to 0); or
    (a working-set subproblem, see glm_solve_ws) gap <= tol_abs.  A caller
    that has just made the intercepts optimal and computed the gap at this
    point, with eta = X W + b, passes it as known_gap (and the objective as
    known_primal): the first iteration then uses it instead of a pass of its own.

    max_iter bounds the Newton steps (a step updates every class block once);
    max_epochs bounds the coordinate-descent epochs of each subproblem.
    """
    cdef Py_ssize_t n = X.n, p = X.p, j
    cdef int k, it = 0, status = 1, epochs = 0, n_hist = 0
    cdef Py_ssize_t m = G.K * (p + 1)
    cdef bint progress
    cdef double gap, primal, ratio = GLM_INNER_RATIO, null_loss = 0.0
    cdef double best_f = 0.0, best_gap = 0.0
    cdef double noise = STALL_NOISE_32 if sizeof(floating) == 4 else ROUNDING
    cdef int stalled = 0, newton_wait = 0
    cdef unsigned long long sig = 0, last_sig = 0
    for j in range(p):
        W.all_idx[j] = <int> j
    null_loss = null_loss_of(G, n)
    if known_gap < 0.0:
        for k in range(G.K):
            linear_predictor(X, w + k * p, b[k], eta + k * n)
    while True:
        if should_stop(W.stop):
            status = INTERRUPTED
            break
        if known_gap >= 0.0:
            gap = known_gap
            primal = known_primal
            known_gap = -1.0
        else:
            if G.loss == MULTINOMIAL and not P.bounded:
                center_classes(X, G, P, w, eta, G.col)
            if G.fit_intercept:
                fit_intercepts(G, eta, b, n)
            gap = glm_gap(X, Dh, G, P, W, eta, w, b, &primal)
            if G.loss == MULTINOMIAL:
                # the support unchanged since the last step: its coupled
                # Newton step (rejected: not again for a few steps)
                sig = support_signature(w, G.K * p)
                if it > 0 and sig == last_sig and newton_wait == 0 and not (
                        gap_converged(G, gap, primal, tol, null_loss) or gap <= tol_abs):
                    if support_newton(X, Dh, G, P, W, eta, w, b, noise, &gap, &primal):
                        n_hist = 0               # Anderson: a new sequence
                        sig = support_signature(w, G.K * p)
                    else:
                        newton_wait = NEWTON_WAIT
                elif newton_wait > 0:
                    newton_wait -= 1
                last_sig = sig
        if gap_converged(G, gap, primal, tol, null_loss) or gap <= tol_abs:
            status = 0
            break
        if it == 0 or primal < best_f - noise * fabs(best_f) or gap < 0.5 * best_gap:
            stalled = 0
        else:
            stalled += 1
        if it == 0 or primal < best_f:
            best_f = primal
        if it == 0 or gap < best_gap:
            best_gap = gap
        if stalled >= STALL_STEPS:
            status = 2                   # the steps only move rounding
            break
        if it >= max_iter:
            break
        progress = False
        for k in range(G.K):
            if newton_step(X, Dh, G, P, W, eta, w + k * p, b, k,
                           max(ratio * gap, 0.1 * tol * primal) / G.K,
                           max_epochs, random, seed, use_ws, use_screening,
                           &epochs) == 0:
                progress = True
        it += 1
        if G.hist != NULL and progress:
            store_iterate(G, w, b, p, G.hist + n_hist * m)
            n_hist += 1
            if n_hist == ANDERSON_K + 1:
                glm_anderson(X, G, P, W, eta, w, b)
                store_iterate(G, w, b, p, G.hist)
                n_hist = 1
        if not progress:
            # the subproblems met their tolerance without a step: the outer gap
            # can overstate the model's, so ask them for more before giving up
            if ratio < 1e-6:
                status = 2
                break
            ratio *= 0.01
    gap_out[0] = gap
    n_iter_out[0] = it
    epochs_out[0] = epochs
    return status


cdef Py_ssize_t top_features(const double* score, Py_ssize_t p, Py_ssize_t m,
                             int* sel) noexcept nogil:
    """sel[:m] = the m features of largest score (ties: the lower indices), in
    increasing order; returns how many (fewer when p < m or scores are NaN).

    A min-heap of the best m so far, filled in one sequential pass: most
    features lose the single comparison with its root.  select_top's
    quickselect through an index array (~2.3 p swaps and random reads) was
    ~15% of a leukemia fit, called on all 7129 features every round.
    """
    cdef Py_ssize_t j, k = 0, c, r
    cdef double v
    for j in range(p):
        v = score[j]
        if not v == v:
            continue
        if k < m:                        # room left: sift up
            c = k
            k += 1
            while c > 0:
                r = (c - 1) // 2
                if score[sel[r]] <= v:
                    break
                sel[c] = sel[r]
                c = r
            sel[c] = <int> j
        elif v > score[sel[0]]:          # better than the worst kept: sift down
            c = 0
            while True:
                r = 2 * c + 1
                if r >= m:
                    break
                if r + 1 < m and score[sel[r + 1]] < score[sel[r]]:
                    r += 1
                if score[sel[r]] >= v:
                    break
                sel[c] = sel[r]
                c = r
            sel[c] = <int> j
    sort_ints(sel, k)
    return k


cdef int glm_solve_ws(const Design* X, Design* Dh, GLM* G, Problem* P, Workspace* W,
                      floating* eta, double* w, double* b, double tol, int max_iter,
                      int max_epochs, bint random, unsigned int* seed, bint use_ws,
                      bint use_screening, double* gap_out, int* n_iter_out,
                      int* epochs_out) noexcept nogil:
    """glm_solve with the working set outside the Newton steps (skglm's prox-Newton).

    glm_solve's Newton steps each read all of X several times (the model's
    column means and norms, `solve`'s certified gaps, the outer gap), which on
    wide data (leukemia, 72 x 7129) is most of the time although the support
    holds a few dozen features.  Here each round reads X once, for the gap of
    the full problem (the certified stop, as in glm_solve); then the support
    and the features that violate their optimality condition most (twice the
    support) are copied into a compact matrix (dense or CSC, as X), and
    glm_solve minimises the problem restricted to them, with every other
    coefficient held at 0, until its own gap is GLM_WS_INNER times the full
    one.  The restricted problem's objective is the full one at every point
    it visits.  A round whose working set came out 90% non-zero takes four
    times the support next (an elastic net fills each one, and doubling from
    10 took 8 rounds to reach reuters_moneyfx's 661 features); a round that
    does not lower the full gap doubles the working set; when it would hold
    more than 1 / GLM_WS_MAX_FRACTION of the features, or a restricted solve
    stalls, glm_solve finishes on the full problem.  More classes: a feature
    is in the working set for all of them, ranked by its worst violation.
    An L1 part; otherwise glm_solve.
    """
    cdef Py_ssize_t n = X.n, p = X.p, i, j, k, m = 0, m_prev = 0, nnz, cap = 0
    cdef int K = G.K, c
    cdef double worst
    cdef Py_ssize_t cap_ptr = 0, cap_ind = 0, nz
    cdef long long a, q
    cdef long long* ptr = NULL       # CSC: the working set's column pointers
    cdef int* ind = NULL             # and row indices
    cdef int status = 1, it = 0, epochs = 0, sub_it = 0, sub_epochs = 0, sub_status
    cdef double gap = INFINITY, primal, null_loss = 0.0, sub_gap, prev_gap = INFINITY
    cdef bint finish = True, fresh = True   # fresh: gap and primal are those at w, b
    cdef int* sel = NULL
    cdef double* sub = NULL           # the working set's W (K x m), lam, beta, lower, upper
    cdef char* Xs = NULL              # the working set's values, in X's dtype
    cdef size_t xsize = sizeof(float) if X.values_are_float else sizeof(double)
    cdef void* grown
    cdef Design S, Sh
    cdef Problem Q
    if (X.kind == DENSE or X.kind == CSC) and P.has_l1 and use_ws:
        sel = <int*> malloc(p * sizeof(int))
        sub = <double*> malloc((K + 4) * p * sizeof(double))
    if sel == NULL or sub == NULL:
        free(sel); free(sub)
        return glm_solve(X, Dh, G, P, W, eta, w, b, tol, max_iter, max_epochs, random,
                         seed, use_ws, use_screening, gap_out, n_iter_out, epochs_out)
    null_loss = null_loss_of(G, n)
    for c in range(K):
        linear_predictor(X, w + c * p, b[c], eta + c * n)
    while True:
        if should_stop(W.stop):
            status = INTERRUPTED
            finish = False
            break
        for j in range(p):               # the restricted solve renumbers them
            W.all_idx[j] = <int> j
        if G.fit_intercept:
            fit_intercepts(G, eta, b, n)
        gap = glm_gap(X, Dh, G, P, W, eta, w, b, &primal)
        if gap_converged(G, gap, primal, tol, null_loss):
            status = 0
            finish = False
            break
        if it >= max_iter:
            finish = False
            break
        # the support (and unpenalised features), then the largest violations
        nnz = 0
        for j in range(p):
            W.score[j] = -INFINITY
            if P.lam[j] == 0.0:
                W.score[j] = INFINITY
            for c in range(K):
                if w[c * p + j] != 0.0:
                    W.score[j] = INFINITY
                elif W.score[j] < INFINITY:
                    worst = (excess(G.u[c * p + j] - P.beta[j] * w[c * p + j], P.lower[j],
                                    P.upper[j]) - P.lam[j])
                    W.score[j] = max(W.score[j], worst)
            if W.score[j] == INFINITY:
                nnz += 1
        m = max(2 * nnz, <Py_ssize_t> WS_MIN)
        if m_prev > 0 and 10 * nnz >= 9 * m_prev:
            m = 4 * nnz                 # the last working set filled up: more enter
        if not gap < prev_gap and m < 2 * m_prev:
            m = 2 * m_prev              # the last round did not help: grow
        if GLM_WS_MAX_FRACTION * m > p:
            break
        m = top_features(W.score, p, m, sel)   # in memory order
        if m == 0:
            break
        nz = n * m
        if X.kind == CSC:
            nz = 0
            for k in range(m):
                nz += X.indptr[sel[k] + 1] - X.indptr[sel[k]]
            if m + 1 > cap_ptr:
                grown = realloc(ptr, (m + 1) * sizeof(long long))
                if grown == NULL:
                    break
                ptr = <long long*> grown
                cap_ptr = m + 1
            if nz > cap_ind:
                grown = realloc(ind, max(nz, 1) * sizeof(int))
                if grown == NULL:
                    break
                ind = <int*> grown
                cap_ind = nz
        if nz > cap:
            grown = realloc(Xs, max(nz, 1) * xsize)
            if grown == NULL:
                break
            Xs = <char*> grown
            cap = nz
        Q.has_l1 = False
        Q.safe_ok = True
        if X.kind == CSC:
            ptr[0] = 0
        for k in range(m):
            j = sel[k]
            if X.kind == DENSE:
                memcpy(Xs + k * n * xsize, <const char*> X.values + j * X.ld * xsize,
                       n * xsize)
            else:
                q = ptr[k]
                a = X.indptr[j + 1] - X.indptr[j]
                memcpy(Xs + q * xsize, <const char*> X.values + X.indptr[j] * xsize,
                       a * xsize)
                memcpy(ind + q, X.indices + X.indptr[j], a * sizeof(int))
                ptr[k + 1] = q + a
            for c in range(K):
                sub[c * m + k] = w[c * p + j]
            sub[K * p + k] = P.lam[j]
            sub[(K + 1) * p + k] = P.beta[j]
            sub[(K + 2) * p + k] = P.lower[j]
            sub[(K + 3) * p + k] = P.upper[j]
            if P.lam[j] > 0.0:
                Q.has_l1 = True
            elif P.beta[j] == 0.0:
                Q.safe_ok = False
        if not Q.has_l1:
            break
        Q.lam = sub + K * p
        Q.beta = sub + (K + 1) * p
        Q.lower = sub + (K + 2) * p
        Q.upper = sub + (K + 3) * p
        Q.bounded = P.bounded
        Q.y = NULL
        Q.y_mean = 0.0
        Q.yy = 0.0
        S = X[0]
        S.values = Xs
        S.ld = n
        S.p = m
        if X.kind == CSC:
            S.indices = ind
            S.indptr = ptr
        S.sw = NULL
        S.xm = NULL
        Sh = S
        sub_status = glm_solve(&S, &Sh, G, &Q, W, eta, sub, b, tol, max_iter - it,
                               max_epochs, random, seed, use_ws, use_screening,
                               &sub_gap, &sub_it, &sub_epochs, GLM_WS_INNER * gap,
                               gap, primal)
        for k in range(m):
            for c in range(K):
                w[c * p + sel[k]] = sub[c * m + k]
        it += sub_it
        epochs += sub_epochs
        prev_gap = gap
        m_prev = m
        if sub_status == INTERRUPTED:
            status = INTERRUPTED
            finish = False
            break
        if sub_status == 2:
            fresh = False               # stalled on the working set: the full problem
            break
    if finish:
        for j in range(p):
            W.all_idx[j] = <int> j
        status = glm_solve(X, Dh, G, P, W, eta, w, b, tol, max_iter - it, max_epochs,
                           random, seed, use_ws, use_screening, &gap, &sub_it,
                           &sub_epochs, 0.0, gap if fresh else -1.0, primal)
        it += sub_it
        epochs += sub_epochs
    for j in range(p):
        W.all_idx[j] = <int> j
    free(sel); free(sub); free(Xs); free(ptr); free(ind)
    gap_out[0] = gap
    n_iter_out[0] = it
    epochs_out[0] = epochs
    return status


cdef int glm_round_to_float(const Design* X, Design* Dh, GLM* G, const Problem* P,
                            Workspace* W, floating* eta, double* w, double* b, double tol,
                            int status, double* gap_out) noexcept nogil:
    """float32 X under a float64 state: W and b rounded to float32, the dtype
    the caller keeps, and the status and gap (gap_out) of those coefficients.
    Rounding that leaves the gap above tol is reported as 2 (the precision of
    the data), unless the fit had already stopped for another reason."""
    cdef Py_ssize_t n = X.n, p = X.p, j
    cdef double primal, gap
    cdef int k
    round_to_float(w, G.K * p)
    round_to_float(b, G.K)
    for j in range(p):
        W.all_idx[j] = <int> j
    for k in range(G.K):
        linear_predictor(X, w + k * p, b[k], eta + k * n)
    gap = glm_gap(X, Dh, G, P, W, eta, w, b, &primal)
    gap_out[0] = gap
    if gap_converged(G, gap, primal, tol, null_loss_of(G, n)):
        return 0
    return 2 if status == 0 else status


def glm_path_fit(int kind, values, indices, indptr, Py_ssize_t n_rows,
                 Py_ssize_t n_cols, const int[::1] y, int n_classes,
                 const double[::1] sw, bint fit_intercept, double[:, ::1] w,
                 double[::1] b, const double[::1] Cs, double l1_ratio,
                 const double[::1] pf, const double[::1] lower,
                 const double[::1] upper, double tol, int max_iter,
                 int max_epochs, bint random=False, unsigned int seed=1,
                 bint use_ws=True, bint use_screening=True, bint state64=False):
    """Fit penalised logistic (n_classes = 2) or multinomial regression along Cs.

    Each C is warm-started from the previous solution.  C = inf is the
    unpenalised fit.

    Parameters
    ----------
    kind, values, indices, indptr, n_rows, n_cols :
        X as for `enet_path_fit` (dense F order or CSC; float32 or float64).
    y : ndarray of int32
        Class index per sample, 0..n_classes-1 (binary: 1 is the positive class).
    sw : ndarray of float64
        Sample weights (times class weights), used as given (not rescaled).
    lower, upper : ndarray of float64
        Per-feature box bounds, lower <= 0 <= upper (-inf / inf: none), for
        every class.
    w : ndarray of shape (K, n_cols), float64
        Initial coefficients, K = 1 for two classes, else n_classes; holds
        the last solution on return.  b (K,) likewise for the intercepts.
    tol : float
        Stop when the duality gap <= tol * objective: the objective is
        certified to within tol relative.
    max_iter, max_epochs :
        Newton steps per C; epochs of coordinate descent per subproblem.
    state64 : bool
        Keep the solver's vectors (linear predictor, weights, working response)
        in float64 for float32 X, which is still read as float32.  The
        solution is then handed back rounded to float32, with its gap.

    Returns
    -------
    coefs : ndarray (n_Cs, K, n_cols); intercepts : (n_Cs, K)
    gaps : ndarray (n_Cs,), in the units of scikit-learn's objective
    n_iters, n_epochs : ndarray of int32 (Newton steps, CD epochs)
    status : ndarray of int32 (0 converged, 1 max_iter reached, 2 stalled)
    """
    if values.dtype == np.float32 and not state64:
        return _glm_path_fit[float](kind, values, indices, indptr, n_rows, n_cols, y,
                                    n_classes, sw, fit_intercept, w, b, Cs, l1_ratio,
                                    pf, lower, upper, tol, max_iter, max_epochs, random,
                                    seed, use_ws, use_screening, None)
    return _glm_path_fit[double](kind, values, indices, indptr, n_rows, n_cols, y,
                                 n_classes, sw, fit_intercept, w, b, Cs, l1_ratio, pf,
                                 lower, upper, tol, max_iter, max_epochs, random, seed,
                                 use_ws, use_screening, None)


cdef _glm_path_fit(int kind, values, const int[::1] indices,
                   const long long[::1] indptr, Py_ssize_t n_rows, Py_ssize_t n_cols,
                   const int[::1] y, int n_classes, const double[::1] sw,
                   bint fit_intercept, double[:, ::1] w, double[::1] b,
                   const double[::1] Cs, double l1_ratio, const double[::1] pf,
                   const double[::1] lower, const double[::1] upper, double tol,
                   int max_iter, int max_epochs,
                   bint random, unsigned int seed, bint use_ws, bint use_screening,
                   const floating[::1] no_weights):
    # no_weights (None) is the Design's sample weights, and its type the state's
    cdef Design X, Dh
    cdef Problem P
    cdef Workspace W
    cdef GLM G
    cdef Py_ssize_t n_C = Cs.shape[0], a, i, j, p = n_cols
    cdef int K = 1 if n_classes == 2 else n_classes, k, ok
    cdef double C
    cdef double[:, :, ::1] coefs = np.zeros((n_C, K, n_cols))
    cdef double[:, ::1] intercepts = np.zeros((n_C, K))
    cdef double[::1] gaps = np.zeros(n_C)
    cdef int[::1] n_iters = np.zeros(n_C, dtype=np.int32)
    cdef int[::1] n_epochs = np.zeros(n_C, dtype=np.int32)
    cdef int[::1] status = np.zeros(n_C, dtype=np.int32)
    cdef double[::1] lam = np.empty(n_cols)
    cdef double[::1] beta = np.empty(n_cols)
    cdef const double[::1] no_means = None
    cdef Stopper stop
    stopper_init(&stop, in_main_thread())
    W.stop = &stop
    fill_design_any(&X, kind, values, indices, indptr, n_rows, n_cols, no_weights,
                    no_means, 0.0)
    Dh = X
    G.loss = LOGISTIC if n_classes == 2 else MULTINOMIAL
    G.K = K
    G.y = &y[0]
    G.fit_intercept = fit_intercept
    set_bounds(&P, lower, upper)
    P.lam = &lam[0]
    P.beta = &beta[0]
    with nogil:
        ok = ws_alloc(&W, n_rows, n_cols, sizeof(floating))
        ok = glm_alloc(&G, n_rows, n_cols, sizeof(floating)) and ok
        if ok:
            if seed == 0:
                seed = 1
            for a in range(n_C):
                C = Cs[a]
                P.has_l1 = False
                P.safe_ok = True
                for j in range(p):
                    lam[j] = l1_ratio * pf[j] if C < INFINITY else 0.0
                    beta[j] = (1.0 - l1_ratio) * pf[j] if C < INFINITY else 0.0
                    if lam[j] > 0.0:
                        P.has_l1 = True
                    elif beta[j] == 0.0:
                        P.safe_ok = False
                if a == 0 or Cs[a - 1] == INFINITY or C == INFINITY:
                    dual_setup(&X, &P, &G)    # beta does not change with C
                if C == INFINITY:
                    C = 1.0              # no penalty: the loss alone, unscaled
                for i in range(n_rows):
                    G.c[i] = C * sw[i]
                status[a] = glm_solve_ws(&X, &Dh, &G, &P, &W, <floating*> G.eta, &w[0, 0], &b[0], tol,
                                      max_iter, max_epochs, random, &seed, use_ws,
                                      use_screening, &gaps[a], &n_iters[a],
                                      &n_epochs[a])
                if X.values_are_float and floating is double and status[a] != INTERRUPTED:
                    status[a] = glm_round_to_float(&X, &Dh, &G, &P, &W, <floating*> G.eta,
                                                   &w[0, 0], &b[0], tol, status[a], &gaps[a])
                for k in range(K):
                    intercepts[a, k] = b[k]
                    for j in range(p):
                        coefs[a, k, j] = w[k, j]
                if status[a] == INTERRUPTED:
                    break
        ws_free(&W)
        glm_free(&G)
    stopper_raise(&stop)
    if not ok:
        raise MemoryError("regfast: could not allocate the solver's work arrays")
    return (np.asarray(coefs), np.asarray(intercepts), np.asarray(gaps),
            np.asarray(n_iters), np.asarray(n_epochs), np.asarray(status))
