# cython: language_level=3
# Datafits: the per-sample losses of the GLM solver, in the linear predictor.
#
# Each loss is sum_i c_i f(eta_i; y_i) with c_i = C * sample weight.  The
# solver (_glm.pxi) needs four things of it, all written here once:
#   value         f(eta)
#   gradient      f'(eta) (the negative dual point, -theta_i / c_i)
#   Hessian       f''(eta) (the weights of the IRLS / prox-Newton quadratic)
#   conjugate     f*(-theta), for the dual objective and the duality gap
# Logistic (binary, labels t in {-1, +1}) and multinomial (class index y in
# 0..K-1, eta a K-vector per sample, one class updated at a time) are the two
# members; the squared loss is the kernel's own quadratic (_cd.pyx), whose
# Hessian is constant so one Newton step solves it.
#
# The functions know nothing of X's storage: they act on one sample.

from libc.math cimport exp, log, log1p

cdef enum:
    LOGISTIC = 0
    MULTINOMIAL = 1


cdef inline double softplus(double x) noexcept nogil:
    """log(1 + exp(x)) without overflow."""
    if x > 0.0:
        return x + log1p(exp(-x))
    return log1p(exp(x))


cdef inline double sigmoid(double x) noexcept nogil:
    """1 / (1 + exp(-x)) without overflow."""
    cdef double e
    if x >= 0.0:
        return 1.0 / (1.0 + exp(-x))
    e = exp(x)
    return e / (1.0 + e)


cdef inline double xlogx(double x) noexcept nogil:
    """x log x, with 0 log 0 = 0."""
    return x * log(x) if x > 0.0 else 0.0


cdef inline void logistic_derivs(double eta, double t, double* q,
                                 double* g, double* h) noexcept nogil:
    """Binary logistic f = log(1 + exp(-t eta)): q = sigmoid(-t eta),
    f' = -t q and f'' = q (1 - q)."""
    q[0] = sigmoid(-t * eta)
    g[0] = -t * q[0]
    h[0] = q[0] * (1.0 - q[0])


cdef inline double logistic_conj(double q, double s) noexcept nogil:
    """f*(-theta) at the rescaled dual point theta = s t q (0 <= s <= 1):
    the negative entropy of pi = s q, finite because 0 <= pi <= 1."""
    cdef double pi = s * q
    return xlogx(pi) + xlogx(1.0 - pi)


cdef inline double multinomial_conj(double p, double s, bint own) noexcept nogil:
    """One class's term of f*(-theta) for theta = s (e_y - p): pi = s p + (1 - s) e_y
    stays in the simplex, and f* is its negative entropy sum_k pi_k log pi_k."""
    cdef double pi = s * p + ((1.0 - s) if own else 0.0)
    return xlogx(pi)
