"""Box bounds on the coefficients (glmnet's lower.limits / upper.limits), for the
squared and the logistic loss, against an independent reference.

The reference splits w = a - b with 0 <= a <= upper and 0 <= b <= -lower, which
turns the L1 penalty into the smooth lam * (a + b) and leaves a bound-constrained
smooth problem for scipy's L-BFGS-B; at its optimum a * b = 0.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.special import expit

from regfast import (ElasticNet, ElasticNetCV, Lasso, LogisticRegression, enet_path,
                     lasso_path, logistic_path)


def reference(X, y, loss, lam, beta, lower, upper, intercept=True):
    """argmin loss(Xw + b) + lam |w|_1 + beta / 2 |w|^2 over lower <= w <= upper."""
    n, p = X.shape

    def f(z):
        a, c, b0 = z[:p], z[p:2 * p], z[2 * p] if intercept else 0.0
        w = a - c
        val, g_eta = loss(X @ w + b0)
        gw = X.T @ g_eta + beta * w
        grad = np.concatenate([gw + lam, -gw + lam, [g_eta.sum()] if intercept else []])
        return val + lam * (a.sum() + c.sum()) + 0.5 * beta * w @ w, grad

    bounds = ([(0, None if np.isinf(u) else u) for u in upper]
              + [(0, None if np.isinf(lo) else -lo) for lo in lower]
              + ([(None, None)] if intercept else []))
    z0 = np.zeros(2 * p + int(intercept))
    res = minimize(f, z0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options=dict(maxiter=50_000, ftol=1e-15, gtol=1e-12, maxcor=30))
    return res.fun


def squared(y, n):
    def loss(eta):
        r = eta - y
        return 0.5 / n * r @ r, r / n
    return loss


def logistic(y01, C):
    t = 2.0 * y01 - 1.0

    def loss(eta):
        m = t * eta
        return C * np.logaddexp(0, -m).sum(), -C * t * expit(-m)
    return loss


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    n, p = 80, 12
    X = rng.randn(n, p)
    w = np.array([3.0, -2.0, 1.5, -1.0, 0.5] + [0.0] * (p - 5))
    y = X @ w + 0.5 * rng.randn(n) + 1.0
    return np.asfortranarray(X), y


BOUNDS = [
    (np.zeros(12), np.full(12, np.inf)),                      # positive
    (np.full(12, -0.8), np.full(12, 1.2)),                    # a box that binds
    (np.r_[np.full(6, -np.inf), np.full(6, -0.3)], np.r_[np.full(6, 0.7), np.full(6, np.inf)]),
]


def enet_objective(X, y, w, b, alpha, l1_ratio):
    r = y - X @ w - b
    return (0.5 / len(y) * r @ r + alpha * l1_ratio * np.abs(w).sum()
            + 0.5 * alpha * (1 - l1_ratio) * w @ w)


@pytest.mark.parametrize("lower, upper", BOUNDS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("storage", ["dense", "sparse"])
def test_enet_bounds_match_reference(data, lower, upper, l1_ratio, storage):
    X, y = data
    Xf = sp.csc_matrix(X) if storage == "sparse" else X
    alpha = 0.1
    m = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, lower_bounds=lower, upper_bounds=upper,
                   tol=1e-12, max_iter=100_000).fit(Xf, y)
    assert np.all(m.coef_ >= lower - 1e-12) and np.all(m.coef_ <= upper + 1e-12)
    ours = enet_objective(X, y, m.coef_, m.intercept_, alpha, l1_ratio)
    ref = reference(X, y, squared(y, len(y)), alpha * l1_ratio, alpha * (1 - l1_ratio),
                    lower, upper)
    assert ours <= ref + 1e-9 * abs(ref)
    assert ours >= ref - 1e-7 * abs(ref)             # L-BFGS-B is the looser of the two
    # the certified gap covers the distance to the reference optimum
    assert ours - ref <= m.dual_gap_ + 1e-12


def test_positive_is_lower_bound_zero(data):
    X, y = data
    a = Lasso(alpha=0.05, positive=True, tol=1e-10).fit(X, y)
    b = Lasso(alpha=0.05, lower_bounds=0.0, tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_bounded_path_and_alpha_max(data):
    """The automatic grid starts where every coefficient is 0 under the bounds."""
    X, y = data
    upper = np.zeros(X.shape[1])            # only non-positive coefficients allowed
    alphas, coefs, _ = lasso_path(X, y, upper_bounds=upper, alphas=20,
                                  fit_intercept=True, tol=1e-10)
    assert np.all(coefs[:, 0] == 0)
    assert np.any(coefs[:, 1] != 0)
    assert np.all(coefs <= 0)
    # and it is not the grid of the unbounded problem (its alpha_max is larger)
    free, _, _ = lasso_path(X, y, alphas=20, fit_intercept=True)
    assert alphas[0] < free[0]
    _, coefs2, _ = enet_path(X, y, l1_ratio=0.5, upper_bounds=upper, alphas=alphas,
                             fit_intercept=True, tol=1e-10)
    assert np.all(coefs2 <= 0)


def test_bounds_in_cv(data):
    X, y = data
    m = ElasticNetCV(l1_ratio=[0.5, 1.0], lower_bounds=-0.5, upper_bounds=0.5, cv=3,
                     alphas=10).fit(X, y)
    assert np.all(np.abs(m.coef_) <= 0.5 + 1e-12)


@pytest.mark.parametrize("lower, upper", BOUNDS[1:])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_logistic_bounds_match_reference(data, lower, upper, l1_ratio):
    X, y = data
    y01 = (y > np.median(y)).astype(float)
    C = 0.5
    m = LogisticRegression(C=C, l1_ratio=l1_ratio, lower_bounds=lower, upper_bounds=upper,
                           tol=1e-12, max_iter=500).fit(X, y01)
    w, b = m.coef_[0].astype(float), float(m.intercept_[0])
    assert np.all(w >= lower - 1e-12) and np.all(w <= upper + 1e-12)
    loss = logistic(y01, C)
    ours = loss(X @ w + b)[0] + l1_ratio * np.abs(w).sum() + 0.5 * (1 - l1_ratio) * w @ w
    ref = reference(X, y01, loss, l1_ratio, 1 - l1_ratio, lower, upper)
    assert ours <= ref + 1e-9 * abs(ref)
    assert ours >= ref - 1e-7 * abs(ref)


def test_logistic_path_bounds(data):
    X, y = data
    y01 = (y > np.median(y)).astype(float)
    _, coefs, _, _ = logistic_path(X, y01, lower_bounds=0.0, alphas=15, tol=1e-8)
    assert np.all(coefs >= 0)
    assert np.all(coefs[:, 0] == 0) and np.any(coefs[:, -1] != 0)


def test_multinomial_bounds(data):
    X, y = data
    labels = np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = LogisticRegression(C=1.0, l1_ratio=0.5, lower_bounds=-0.2, upper_bounds=0.3,
                               tol=1e-8, max_iter=300).fit(X, labels)
    assert m.coef_.shape == (3, X.shape[1])
    assert np.all(m.coef_ >= -0.2 - 1e-12) and np.all(m.coef_ <= 0.3 + 1e-12)
    assert np.any(np.isclose(m.coef_, 0.3)) or np.any(np.isclose(m.coef_, -0.2))


@pytest.mark.parametrize("kwargs, match", [
    (dict(lower_bounds=0.5), "lower_bounds must be <= 0"),
    (dict(upper_bounds=-1.0), "upper_bounds must be >= 0"),
    (dict(lower_bounds=np.zeros(3)), r"lower_bounds has shape \(3,\)"),
    (dict(upper_bounds=np.full(12, np.nan)), "upper_bounds contains NaN"),
    (dict(lower_bounds="a"), "lower_bounds must be numeric"),
])
@pytest.mark.parametrize("Est", [Lasso, LogisticRegression])
def test_bad_bounds(data, kwargs, match, Est):
    X, y = data
    if Est is LogisticRegression:
        y = (y > 0).astype(int)
    with pytest.raises((ValueError, TypeError), match=match):
        Est(**kwargs).fit(X, y)


# Unpenalised features with bounds (alpha = 0 or penalty_factor 0): the kernel
# solves them jointly (bounded least squares) so that the duality gap is a
# certificate; before, one coordinate's decrease stood in for it and fits
# stopped far from the optimum (found by tests/test_properties.py).

@pytest.mark.parametrize("storage", ["dense", "sparse"])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_unpenalised_bounded_is_bounded_least_squares(storage, fit_intercept):
    from scipy.optimize import lsq_linear
    rng = np.random.RandomState(0)
    X, y = rng.randn(50, 6), rng.randn(50)
    lo = np.array([-0.1, 0, -np.inf, -1, 0, -0.05])
    hi = np.array([0.1, np.inf, 0, 1, 0.02, np.inf])
    Xc, yc = (X - X.mean(0), y - y.mean()) if fit_intercept else (X, y)
    ref = lsq_linear(Xc, yc, bounds=(lo, hi), method="bvls", tol=1e-15).x
    Xf = sp.csc_matrix(X) if storage == "sparse" else X
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)      # alpha=0 advice
        m = Lasso(alpha=0.0, fit_intercept=fit_intercept, lower_bounds=lo,
                  upper_bounds=hi, tol=1e-12).fit(Xf, y)
    np.testing.assert_allclose(m.coef_, ref, atol=1e-10)


def test_non_negative_least_squares_wide():
    from scipy.optimize import nnls
    rng = np.random.RandomState(10)
    X, y = rng.randn(5, 8), rng.randn(5)      # singular Gram: p > n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = Lasso(alpha=0.0, fit_intercept=False, positive=True, tol=1e-8,
                  max_iter=100000).fit(X, y)
    loss = 0.5 * np.sum((y - X @ m.coef_) ** 2) / 5
    assert loss <= 0.5 * nnls(X, y)[1] ** 2 / 5 + 1e-8 * np.sum(y ** 2) / 5
    assert np.all(m.coef_ >= 0)


def test_free_and_penalised_features_with_bounds_meet_kkt():
    rng = np.random.RandomState(2)
    X, y = rng.randn(7, 20), rng.randn(7)
    pf = np.r_[np.zeros(10), np.ones(10)]
    m = Lasso(alpha=0.01, fit_intercept=False, positive=True, penalty_factor=pf,
              tol=1e-10, max_iter=100000).fit(X, y)
    # KKT of min 1/2n ||y - Xw||^2 + alpha sum pf |w|, w >= 0
    g = X.T @ (y - X @ m.coef_) / 7 - 0.01 * pf
    violation = np.where(m.coef_ > 0, np.abs(g), np.maximum(g, 0))
    assert violation.max() < 1e-6, violation.max()
