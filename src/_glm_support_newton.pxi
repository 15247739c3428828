# Included by _glm.pxi: support_newton, the multinomial proximal Newton step
# on every class at once over the support, signs held (see its docstring and
# docs/ARCHITECTURE.md, GLM step 5), and its helpers.


cdef unsigned long long support_signature(const double* w, Py_ssize_t m) noexcept nogil:
    """A fingerprint of the non-zero pattern of w[:m] (equal patterns, equal prints)."""
    cdef unsigned long long acc = 0
    cdef Py_ssize_t q
    for q in range(m):
        if w[q] != 0.0:
            acc = acc * 1000003ULL + <unsigned long long> (q + 1)
    return acc


cdef inline bint coupled_coordinate(const Problem* P, const double* w, const int* count,
                                    Py_ssize_t p, int K, int k, Py_ssize_t j) noexcept nogil:
    """Whether support_newton moves W_kj (count[j]: the classes that would)."""
    if not (w[k * p + j] != 0.0 or (P.lam[j] == 0.0 and P.beta[j] == 0.0)):
        return False
    # a common shift of a feature present in every class is flat for the loss
    # and, without an L2 part, linear for the penalty: the last class is held
    return not (k == K - 1 and count[j] == K and P.beta[j] == 0.0)


cdef void coupled_system(const Design* X, const GLM* G, const Problem* P,
                         const floating* eta, const double* w, const double* b,
                         Py_ssize_t nS, const int* ent_j, const int* ent_k,
                         Py_ssize_t nb, double* A, long long* cursor, double* H,
                         double* gr, double* old) noexcept nogil:
    """support_newton's Newton system on the coordinates (ent_k[q], ent_j[q]).

    gr: the objective's gradient (signs held); old: the coordinates' values;
    H (nS x nS, lower triangle, column-major):
    H[(k,a),(l,c)] = sum_i c_i p_ik (delta_kl - p_il) x_ia x_ic + beta_a delta,
    the same-class blocks of D^T D less B^T B (D = sqrt(c p_k) x,
    B = sqrt(c) p_k x), by BLAS, nb rows at a time: the coordinates' columns
    made dense in A (nb x nS).  G.pfree is scratch.
    """
    cdef Py_ssize_t n = X.n, p = X.p, i, j, q, r, q0, i0, m
    cdef int K = G.K, k, mb, mi, ld = <int> nS
    cdef char uplo = b'L'
    cdef char trans = b'T'
    cdef double one = 1.0, minus = -1.0, acc, mx
    cdef double* pr = G.pfree
    cdef double* a
    probabilities(G, eta, n, pr)
    for q in range(nS * nS):
        H[q] = 0.0
    for q in range(nS):
        j = ent_j[q]
        k = ent_k[q]
        if j >= 0:
            old[q] = w[k * p + j]
            gr[q] = P.beta[j] * old[q]
            if P.lam[j] > 0.0:
                gr[q] += P.lam[j] if old[q] > 0.0 else -P.lam[j]
            if X.kind == CSC:
                cursor[q] = X.indptr[j]
        else:
            old[q] = b[k]
            gr[q] = 0.0
    i0 = 0
    while i0 < n:
        m = min(nb, n - i0)
        mb = <int> m
        for q in range(nS):              # the columns, the gradient, then D
            j = ent_j[q]
            k = ent_k[q]
            a = A + q * m
            if j < 0:
                for i in range(m):
                    a[i] = 1.0
            elif X.values_are_float:
                col_rows_x(X, j, i0, i0 + m, cursor + q, <const float*> X.values, a)
            else:
                col_rows_x(X, j, i0, i0 + m, cursor + q, <const double*> X.values, a)
            acc = 0.0
            for i in range(m):
                acc += a[i] * G.c[i0 + i] * (pr[k * n + i0 + i]
                                             - (1.0 if G.y[i0 + i] == k else 0.0))
                a[i] *= sqrt(G.c[i0 + i] * pr[k * n + i0 + i])
            gr[q] += acc
        q0 = 0
        while q0 < nS:                   # the same-class blocks: D_k^T D_k
            r = q0
            while r < nS and ent_k[r] == ent_k[q0]:
                r += 1
            mi = <int> (r - q0)
            dsyrk(&uplo, &trans, &mi, &mb, &one, A + q0 * m, &mb, &one, H + q0 * nS + q0, &ld)
            q0 = r
        for q in range(nS):              # B = sqrt(p_k) D
            k = ent_k[q]
            for i in range(m):
                A[q * m + i] *= sqrt(pr[k * n + i0 + i])
        dsyrk(&uplo, &trans, &ld, &mb, &minus, A, &mb, &one, H, &ld)
        i0 += m
    for q in range(nS):
        if ent_j[q] >= 0:
            H[q * nS + q] += P.beta[ent_j[q]]


cdef bint signed_newton_step(const Problem* P, Py_ssize_t nS, const int* ent_j,
                             const double* H, const double* gr, const double* old,
                             double* Hs, double* d, int* act, int* zeroed,
                             double* step) noexcept nogil:
    """step <- the Newton step of H, gr; the coefficients it takes across 0
    are set to 0 (zeroed[q] = 1, step -old[q]) and the others solved for
    again, up to four times (a support still settling has some: stopping
    at the first, LARS's way, left news20's gap 2x above its target).
    False when Cholesky calls the system singular, also with a ridge."""
    cdef Py_ssize_t nact = nS, a, c, q
    cdef int qa, rnd, ma, ridge, info = 0, one_i = 1
    cdef char uplo = b'L'
    cdef double acc
    cdef bint crossed
    for q in range(nS):
        act[q] = <int> q
        zeroed[q] = 0
    for rnd in range(4):
        ma = <int> nact
        for a in range(nact):
            qa = act[a]
            acc = gr[qa]                 # the model's gradient after the zeroing
            for q in range(nS):
                if zeroed[q]:
                    acc -= H[min(q, qa) * nS + max(q, qa)] * old[q]
            d[a] = -acc
        for ridge in range(2):
            for a in range(nact):
                qa = act[a]
                for c in range(a, nact):     # lower triangle, column-major
                    Hs[a * nact + c] = H[qa * nS + act[c]]
                # singular: columns equal on the samples (a word in the same
                # documents as another), flat for an L1 fit; a relative ridge
                # of 1e-9 leaves the step along such a direction at ~0
                Hs[a * nact + a] *= 1.0 + 1e-9 * ridge
            dpotrf(&uplo, &ma, Hs, &ma, &info)
            if info == 0:
                break
        if info == 0:
            dpotrs(&uplo, &ma, &one_i, Hs, &ma, d, &ma, &info)
        if info != 0:
            return False
        crossed = False
        for a in range(nact):
            qa = act[a]
            if (ent_j[qa] >= 0 and P.lam[ent_j[qa]] > 0.0
                    and old[qa] * (old[qa] + d[a]) < 0.0):
                zeroed[qa] = 1
                crossed = True
        if not crossed or rnd == 3:
            break
        c = 0
        for a in range(nact):
            if not zeroed[act[a]]:
                act[c] = act[a]
                c += 1
        nact = c
    for q in range(nS):
        step[q] = 0.0
    for a in range(nact):
        step[act[a]] = d[a]
    for q in range(nS):
        if zeroed[q]:
            step[q] = -old[q]
    return True


cdef bint support_newton(const Design* X, Design* Dh, GLM* G, const Problem* P,
                         Workspace* W, floating* eta, double* w, double* b,
                         double noise, double* gap, double* primal) noexcept nogil:
    """One Newton step on all the classes at once over the support, signs held.

    Class-by-class Newton steps converge linearly when the classes are
    coupled: on news20 (20 classes) the objective reached its rounding
    while the gap, first order in the distance to the optimum where the
    objective is second order, still lagged 1e-7 relative after 170 steps.
    With the signs of the non-zero coefficients held the objective is smooth
    there, and one Newton step on the coupled coordinates (the non-zero W_kj,
    the unpenalised features, the intercepts but the last class's, see
    coupled_coordinate; system: coupled_system; step: signed_newton_step)
    converges quadratically.  The step is halved (up to 3 times) while the
    objective rises beyond `noise` (relative); the new point is kept when the
    objective falls beyond it, or stays within it and the gap falls; gap and
    primal then hold the new point's.  Returns True if kept; otherwise W, b
    and eta are as they were.
    """
    cdef Py_ssize_t n = X.n, p = X.p, j, q, nS = 0
    cdef int K = G.K, k
    cdef double new_gap = INFINITY, new_primal, mean, t = 1.0
    cdef int halving
    cdef bint kept = False, uncertified = G.uncertified
    cdef int* count = NULL             # classes a feature is moved in
    cdef int* ent_j                    # feature of each coordinate, -1: intercept
    cdef int* ent_k                    # its class (coordinates sorted by class)
    cdef int* act
    cdef int* zeroed
    cdef double* A = NULL              # nb rows of the coordinates' columns
    cdef long long* cursor = NULL      # CSC: where each column's next rows start
    cdef Py_ssize_t nb
    cdef double* H
    cdef double* Hs
    cdef double* gr
    cdef double* old
    cdef double* d
    cdef double* step
    if P.bounded or G.loss != MULTINOMIAL:
        return False
    count = <int*> malloc((p + 4 * K * (p + 1)) * sizeof(int))
    if count == NULL:
        return False
    ent_j = count + p
    ent_k = ent_j + K * (p + 1)
    act = ent_k + K * (p + 1)
    zeroed = act + K * (p + 1)
    for j in range(p):
        count[j] = 0
        for k in range(K):
            if w[k * p + j] != 0.0 or (P.lam[j] == 0.0 and P.beta[j] == 0.0):
                count[j] += 1
    for k in range(K):
        for j in range(p):
            if coupled_coordinate(P, w, count, p, K, k, j):
                ent_j[nS] = <int> j
                ent_k[nS] = k
                nS += 1
        if G.fit_intercept and k < K - 1:
            ent_j[nS] = -1
            ent_k[nS] = k
            nS += 1
    if nS == 0 or nS > SUPPORT_NEWTON_MAX:
        free(count)
        return False
    nb = min(n, max(<Py_ssize_t> 256, SUPPORT_NEWTON_CELLS // nS))   # rows a block
    A = <double*> malloc((nb * nS + 2 * nS * nS + 4 * nS) * sizeof(double))
    cursor = <long long*> malloc(nS * sizeof(long long))
    if A == NULL or cursor == NULL:
        free(A); free(cursor); free(count)
        return False
    H = A + nb * nS
    Hs = H + nS * nS
    gr = Hs + nS * nS
    old = gr + nS
    d = old + nS
    step = d + nS
    coupled_system(X, G, P, eta, w, b, nS, ent_j, ent_k, nb, A, cursor, H, gr, old)
    if signed_newton_step(P, nS, ent_j, H, gr, old, Hs, d, act, zeroed, step):
        # the sign-held objective is convex along the step: halve it while
        # the objective rises (a support still settling overshoots)
        for halving in range(4):
            for q in range(nS):
                if ent_j[q] < 0:
                    b[ent_k[q]] = old[q] + t * step[q]
                else:                    # exactly 0 where zeroed
                    w[ent_k[q] * p + ent_j[q]] = (0.0 if zeroed[q] and t == 1.0
                                                  else old[q] + t * step[q])
            # the flat directions back where center_classes and fit_intercepts
            # keep them: unpenalised coefficients and intercepts sum to 0
            for j in range(-1 if G.fit_intercept else 0, p):
                if j >= 0 and not (P.lam[j] == 0.0 and P.beta[j] == 0.0):
                    continue
                mean = 0.0
                for k in range(K):
                    mean += (w[k * p + j] if j >= 0 else b[k]) / K
                for k in range(K):
                    if j >= 0:
                        w[k * p + j] -= mean
                    else:
                        b[k] -= mean
            for k in range(K):
                linear_predictor(X, w + k * p, b[k], eta + k * n)
            new_primal = glm_objective(G, P, W, eta, w, n, p)
            if new_primal <= primal[0] + noise * fabs(primal[0]):
                new_gap = glm_gap(X, Dh, G, P, W, eta, w, b, &new_primal)
                kept = new_primal < primal[0] - noise * fabs(primal[0]) or (
                    new_primal <= primal[0] + noise * fabs(primal[0]) and new_gap < gap[0])
                break
            t *= 0.5
        if kept:
            gap[0] = new_gap
            primal[0] = new_primal
        else:
            for q in range(nS):
                if ent_j[q] < 0:
                    b[ent_k[q]] = old[q]
                else:
                    w[ent_k[q] * p + ent_j[q]] = old[q]
            for k in range(K):
                linear_predictor(X, w + k * p, b[k], eta + k * n)
            G.uncertified = uncertified
    free(A); free(cursor); free(count)
    return kept
