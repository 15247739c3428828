# cython: language_level=3
# The penalty: elastic net with per-feature box bounds, one coordinate at a time.
#
#     h_j(w) = lam_j |w| + beta_j / 2 w^2,   lo_j <= w <= hi_j,   lo_j <= 0 <= hi_j
#
# (positive=True is lo = 0; no bounds is lo = -inf, hi = inf.)  The solvers
# need four things of it, written here once:
#   prox         the coordinate update (soft-threshold, shrink, clip)
#   excess       how far the dual correlation v_j pushes w_j = 0 to move
#                (screening, working-set priority)
#   dual scale   the directions without a finite bound, which constrain the
#                dual point (|v_j| <= lam_j there)
#   conjugate    h_j^*, finite in the bounded directions, for the duality gap
# The functions know nothing of the loss or of X's storage.

from libc.math cimport INFINITY


cdef inline double clip(double w, double lo, double hi) noexcept nogil:
    if w < lo:
        return lo
    if w > hi:
        return hi
    return w


cdef inline double soft_shrink(double z, double lam, double denom, double lo,
                               double hi) noexcept nogil:
    """argmin over lo <= w <= hi of 1/2 denom w^2 - z w + lam |w|: the update.

    The problem is one-dimensional and convex, so the unconstrained minimiser
    (soft-thresholding, then the L2 shrink) clipped into [lo, hi] is exact.
    """
    if z > lam:
        return clip((z - lam) / denom, lo, hi)
    if z < -lam:
        return clip((z + lam) / denom, lo, hi)
    return 0.0


cdef inline double excess(double v, double lo, double hi) noexcept nogil:
    """The push on w_j = 0: v where w_j may grow (hi > 0), -v where it may
    shrink (lo < 0), the larger; w_j stays 0 while excess <= lam_j."""
    cdef double a = -INFINITY
    if hi > 0.0:
        a = v
    if lo < 0.0 and -v > a:
        a = -v
    return a


cdef inline double unbounded_excess(double v, double lo, double hi) noexcept nogil:
    """excess over the directions without a finite bound: only those keep the
    penalty's conjugate infinite past lam_j, so only they bound the dual point."""
    cdef double a = -INFINITY
    if hi == INFINITY:
        a = v
    if lo == -INFINITY and -v > a:
        a = -v
    return a


cdef inline double box_conj(double v, double lam, double lo, double hi) noexcept nogil:
    """sup over lo <= w <= hi of v w - lam |w|, in the bounded directions
    (the unbounded ones are kept at zero by the dual scaling)."""
    cdef double acc = 0.0
    if hi < INFINITY and v > lam:
        acc += (v - lam) * hi
    if lo > -INFINITY and -v > lam:
        acc -= (-v - lam) * lo
    return acc


cdef inline double l2_conj2(double g, double beta, double lo, double hi) noexcept nogil:
    """Twice sup over lo <= w <= hi of g w - beta / 2 w^2 (pure L2, beta > 0)."""
    cdef double w = clip(g / beta, lo, hi)
    if w == 0.0:
        return 0.0      # beta may be inf (n alpha beyond 1e308): inf * 0 is nan
    return 2.0 * g * w - beta * w * w


cdef inline double l2_push(double beta, double w) noexcept nogil:
    """beta w, the L2 part of the penalty's gradient; 0 at w = 0 also for
    beta = inf (n alpha beyond 1e308, where the coefficient is held at 0)."""
    return beta * w if w != 0.0 else 0.0


cdef inline bint at_bound(double w, double g, double lo, double hi) noexcept nogil:
    """w sits at a bound that the gradient g pushes against (constraint active)."""
    return (w <= lo and g < 0.0) or (w >= hi and g > 0.0)


# The L2,1 row penalty of the multi-task problem, one feature's T coefficients
# (a row W_j) at a time:
#
#     h_j(W_j) = lam ||W_j||_2 + beta / 2 ||W_j||_2^2
#
# Its proximal step is the block soft-threshold: the whole row lands exactly on
# zero, or shrinks towards it along its own direction.  Its dual constraint is
# ||X_j^T theta - beta W_j||_2 <= lam (the Euclidean norm replaces |.|), so
# excess, screening and the dual scaling are the elastic net's with a norm.

cdef inline double block_shrink(double znorm, double lam, double denom) noexcept nogil:
    """The factor f with argmin_W 1/2 denom ||W||^2 - z.W + lam ||W|| = f z.

    ||z|| <= lam: the row is zero (the group's soft-threshold); otherwise the
    minimiser is z shortened by lam, then divided by denom (the L2 shrink).
    """
    if znorm <= lam:
        return 0.0
    return (1.0 - lam / znorm) / denom
