"""Regression tests for bugs found by the property-based tests (tests/test_properties.py).

Each test is the smallest form of one failure, checked against an
independent reference (numpy least squares, a recomputed objective).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from regfast import ElasticNet, Lasso, LassoCV, Ridge, lasso_path


def constant_column_problem(n=60, seed=0):
    """A constant column next to an informative one; y from the informative one."""
    rng = np.random.RandomState(seed)
    X = np.full((n, 2), 0.1)
    X[:, 1] = rng.randn(n)
    return np.asfortranarray(X), rng.randn(n)


@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_unpenalised_fit_with_a_constant_column(precompute, sparse):
    """alpha=0 with an intercept: a constant column is zero once centred.

    Its weighted mean used to carry rounding, so the centred column was a tiny
    constant that the exact unpenalised step scaled to ~1e15 (Gram mode) and
    the intercept lost the predictions to cancellation; without Gram mode the
    fit stopped at w = 0.  The answer is ordinary least squares.
    """
    X, y = constant_column_problem()
    slope, intercept = np.polyfit(X[:, 1], y, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)     # "alpha=0: prefer LinearRegression"
        est = Lasso(alpha=0.0, precompute=precompute).fit(
            sp.csc_matrix(X) if sparse else X, y)
    np.testing.assert_allclose(est.coef_[1], slope, rtol=1e-10)
    np.testing.assert_allclose(est.predict(X), intercept + slope * X[:, 1],
                               rtol=0, atol=1e-9)      # the bug: 0.07 to 0.2
    assert np.abs(est.coef_[0]) < 1e3            # not the ~1e15 of the bug


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_constant_column_is_exactly_zero_at_alpha_max(dtype):
    """A constant column has X_c^T y_c = 0 exactly: it does not set alpha_max,
    and with pf=0 on it the fit is still the least-squares one."""
    X, y = constant_column_problem()
    X = X.astype(dtype, order="F")
    alphas, coefs, _ = lasso_path(X[:, :1], y, alphas=3, fit_intercept=True)
    assert np.all(coefs == 0)
    assert alphas[0] <= np.finfo(float).resolution      # the grid of a null problem
    est = ElasticNet(alpha=0.01, l1_ratio=0.5, penalty_factor=[0.0, 1.0]).fit(X, y)
    assert np.abs(est.coef_[0]) < 1e3


def test_constant_target_gives_zero_coefficients():
    """y constant: y_c is exactly 0 (not rounding noise), so the fit is w = 0
    at once for any alpha, including tiny ones (it used to run to max_iter)."""
    rng = np.random.RandomState(0)
    X = rng.randn(66, 4)
    y = np.full(66, 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = Lasso(alpha=1e-30, max_iter=1000).fit(X, y)
    assert np.all(est.coef_ == 0) and est.intercept_ == 0.1
    assert est.dual_gap_ == 0.0


def test_float32_weights_sum_in_float64():
    """n_eff (the weights' sum) in float64: a float32 sum is off by ~1e-7, so
    the weighted mean of a constant float32 column was not its value."""
    from regfast._problem import Problem
    rng = np.random.RandomState(0)
    n = 10_001
    X = np.full((n, 1), 0.3, dtype=np.float32, order="F")
    sw = rng.uniform(0.1, 3.0, n).astype(np.float32)
    sw *= np.float32(n / sw.sum(dtype=np.float64))
    problem = Problem(X, rng.randn(n).astype(np.float32), sw, True)
    assert problem.n_eff == np.sum(sw, dtype=np.float64)
    assert problem.xm[0] == np.float32(0.3)


# ---------------------------------------------------------------------------
# Cross-validation with zero sample weights: a clear error, not a crash
# ---------------------------------------------------------------------------

def weighted_problem(n=12, p=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    return X, X @ rng.randn(p) + 0.1 * rng.randn(n), (np.arange(n) % 2).astype(int)


@pytest.mark.parametrize("estimator", ["LassoCV", "ElasticNetCV"])
def test_enet_cv_zero_weight_test_fold(estimator):
    """A test fold whose weights are all zero used to raise ZeroDivisionError
    from np.average; it is a ValueError naming the cause."""
    import regfast
    X, y, _ = weighted_problem()
    sw = np.ones(12)
    sw[:4] = 0.0                               # KFold(3): the first test fold
    with pytest.raises(ValueError, match="fold has only zero sample weights in its test"):
        getattr(regfast, estimator)(cv=3).fit(X, y, sample_weight=sw)


def test_logistic_cv_zero_weight_test_fold():
    from sklearn.model_selection import KFold
    from regfast import LogisticRegressionCV
    X, _, labels = weighted_problem()
    sw = np.ones(12)
    sw[:4] = 0.0
    with pytest.raises(ValueError, match="fold has only zero sample weights in its test"):
        LogisticRegressionCV(Cs=3, l1_ratios=[0.0], cv=KFold(3), scoring=None,
                             use_legacy_attributes=False).fit(X, labels, sample_weight=sw)


def test_ridge_cv_zero_weight_training_fold():
    """k-fold RidgeCV: a training part without weight used to give NaN
    predictions and scikit-learn's "Input contains NaN"."""
    from regfast import RidgeCV
    X, y, _ = weighted_problem()
    sw = np.zeros(12)
    sw[:4] = 1.0                               # only the first test fold has weight
    with pytest.raises(ValueError, match="fold has only zero sample weights in its training"):
        RidgeCV(alphas=[0.1, 1.0], cv=3).fit(X, y, sample_weight=sw)


@pytest.mark.parametrize("weights", [None, "one_positive"])
def test_ridge_cv_leave_one_out_needs_two_samples(weights):
    """Leave-one-out with one (weighted) sample left nothing to fit: NaN
    scores and, with weights, scikit-learn's "Input contains NaN"."""
    from regfast import RidgeCV
    X, y, _ = weighted_problem(n=4)
    sw = None
    if weights:
        sw = np.zeros(4)
        sw[2] = 1.0
    else:
        X, y = X[:1], y[:1]
    with pytest.raises(ValueError, match="leave-one-out .* at least 2 samples"):
        RidgeCV().fit(X, y, sample_weight=sw)


def test_ridge_cv_refuses_an_underflowing_fit():
    """X of 1e-150: X^T X underflows; the fit used to return non-finite
    coefficients (LOO) or NaN predictions (k-fold) without naming the cause.
    Since the coefficients are computed for z / tau (see
    test_ridge_cv_coef_with_tiny_y_and_huge_alpha) this one stays in range and
    is right; a refusal must still name the cause."""
    from regfast import RidgeCV
    X = np.array([[1.764052345967664e-150, 0.0], [9.787379841057392e-151, 0.0]])
    y = np.array([1125.3141037750506, -358.9955515693741])
    alpha = 4.0698087208453856e-306
    try:
        est = RidgeCV(alphas=[alpha], fit_intercept=False).fit(X, y)
    except ValueError as exc:
        assert "over/underflows float64" in str(exc)
    else:
        x = X[:, 0] * 1e150           # the closed form in units that do not underflow
        ref = (x @ y) / (x @ x + alpha * 1e300) * 1e150
        # X^T X ~ 4e-300, near the bottom of float64's range: good to ~3e-11
        np.testing.assert_allclose(est.coef_, [ref, 0.0], rtol=1e-9)


# ---------------------------------------------------------------------------
# Ridge: solvers at extreme magnitudes and on degenerate columns
# ---------------------------------------------------------------------------

def ridge_reference(X, y, alpha, fit_intercept):
    """Ridge's minimiser by numpy's lstsq on the augmented system, columns
    rescaled to unit norm first (so the reference is scale-free)."""
    if fit_intercept:
        X, y = X - X.mean(axis=0), y - y.mean()
    d = np.linalg.norm(X, axis=0)
    d[d == 0] = 1.0
    A = np.vstack([X / d, np.diag(np.sqrt(alpha) / d)])
    return np.linalg.lstsq(A, np.r_[y, np.zeros(X.shape[1])], rcond=None)[0] / d


def test_ridge_dual_cholesky_overflow_falls_back():
    """p > n at alpha = 0: (X X^T)^-1 y overflowed (1e149 / 3e-160) although
    the answer (1e229) does not; coef_ came back -inf without a word."""
    from regfast import Ridge
    X = np.array([[1.76405235e-80, 4.00157208e-81]])
    y = np.array([-1.91809744e+149])
    for solver in ("auto", "cholesky"):
        coef = Ridge(alpha=0.0, solver=solver, fit_intercept=False).fit(X, y).coef_
        np.testing.assert_allclose(coef, np.linalg.pinv(X) @ y, rtol=1e-12)


@pytest.mark.parametrize("x_scale, y_scale", [(1.0, 1e-25), (1e-26, 1.0)])
def test_ridge_lsqr_is_scale_invariant(x_scale, y_scale):
    """scipy's LSQR stopped at once, far from the solution, for |y| ~ 1e-25 or
    |X| ~ 1e-26; regfast now solves a rescaled system."""
    from regfast import Ridge
    rng = np.random.RandomState(0)
    X, y = rng.randn(2, 2) * x_scale, rng.randn(2) * y_scale
    coef = Ridge(alpha=0.0, solver="lsqr", fit_intercept=False, tol=1e-10).fit(X, y).coef_
    np.testing.assert_allclose(coef, np.linalg.solve(X, y), rtol=1e-6)


@pytest.mark.parametrize("solver", ["lsqr", "cholesky", "svd", "cg"])
def test_ridge_constant_column_with_intercept(solver):
    """A constant column is zero once centred: its mean carried rounding, and
    LSQR at alpha = 0 put ~1e16 on it (objective far above the optimum)."""
    from regfast import Ridge
    rng = np.random.RandomState(0)
    X = np.c_[np.full(4, 0.37), rng.randn(4)]
    y = rng.randn(4)
    est = Ridge(alpha=0.0, solver=solver, tol=1e-10).fit(X, y)
    assert abs(est.coef_[0]) < 1e-6
    np.testing.assert_allclose(est.coef_[1], np.polyfit(X[:, 1], y, 1)[0], rtol=1e-6)


def test_ridge_svd_float32_treats_float32_rounding_as_zero():
    """float32 X with all-zero columns at alpha = 0: the SVD's cutoff used
    float64's eps, so the float32 rounding left on the zero singular values
    (~1e-7 s_max) was inverted into garbage coefficients."""
    from regfast import Ridge
    rng = np.random.RandomState(0)
    X = np.zeros((93, 4), dtype=np.float32)
    X[:, [0, 3]] = rng.randn(93, 2)
    y = X[:, 0] - 2 * X[:, 3] + 0.1 * rng.randn(93)
    for solver in ("auto", "svd"):
        coef = Ridge(alpha=0.0, solver=solver, fit_intercept=False).fit(X, y).coef_
        ref = np.linalg.lstsq(X[:, [0, 3]].astype(float), y, rcond=None)[0]
        np.testing.assert_allclose(coef[[0, 3]], ref, rtol=1e-4)
        assert np.all(np.abs(coef[[1, 2]]) < 1e-3)


@pytest.mark.parametrize("precompute", [False, True])
def test_constant_column_certified_at_a_tiny_alpha(precompute):
    """Kernel bug 3 (docs/KERNEL_BUGS.md): a constant column is zero once
    centred, so its gradient is exactly 0.  It used to get c * (sum of R)
    rounding, which against the null problem's grid alpha (1e-15) scaled the
    dual point to nothing: max_iter and dual_gap 0.5 on the right answer w = 0."""
    rng = np.random.RandomState(0)
    X = np.full((149, 1), 1366.6666293733)
    y = rng.randn(149)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no ConvergenceWarning
        alphas, coefs, gaps = lasso_path(X, y, alphas=1, fit_intercept=True, tol=1e-8,
                                         precompute=precompute, max_iter=1000)
    assert np.all(coefs == 0)                  # x_c = 0: w = 0 is the optimum
    assert gaps[0] <= 1e-8 * np.sum((y - y.mean()) ** 2)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
@pytest.mark.parametrize("precompute", [False, True])
def test_enet_alpha_near_float_max_is_finite(l1_ratio, precompute):
    """Untriaged long-run failure 1: at alpha = 1e308 the kernel's n alpha is
    inf, and inf * 0 (the L2 term of w_j = 0) made the duality gap nan: 100000
    epochs and a ConvergenceWarning.  The optimum is w ~ x y / (n alpha), some
    1e-12 of |y| / |x| here: w = 0 is right to the objective's precision."""
    X = np.array([[1.76405235e+143], [4.00157208e+142]])
    y = np.array([7.08592579e+59, 7.30414222e+59])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = ElasticNet(alpha=1e308, l1_ratio=l1_ratio, precompute=precompute,
                         max_iter=1000).fit(X, y)
    assert np.isfinite(est.dual_gap_) and np.all(np.isfinite(est.coef_))
    yc = y - y.mean()
    # the closed-form ridge optimum, in units where nothing overflows
    xs = (X[:, 0] - X[:, 0].mean()) / 1e143
    w_ref = (xs @ yc) / (xs @ xs + 2 * (1 - l1_ratio) * 1e308 / 1e286) / 1e143
    assert abs(est.coef_[0] - w_ref) * 1e143 <= 1e-10 * np.abs(y).max()
    np.testing.assert_allclose(est.intercept_, y.mean(), rtol=1e-12)


def logistic_objective(X, y, sw, C, w, b):
    """C sum_i s_i logloss_i + ||w||^2 / 2 (binary, y in {0, 1})."""
    from scipy.special import log_expit
    return C * sw @ -log_expit((2 * y - 1) * (X @ w + b)) + 0.5 * w @ w


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("scale", [1e80, 1e120])
def test_logistic_gap_certifies_at_extreme_magnitudes(seed, scale):
    """Kernel bug 4 (docs/KERNEL_BUGS.md): with |X| ~ 1e80 the natural C is
    ~1e-160, so c_i = C s_i is too, and the intercept's Newton decrement and gap
    term g * g / h underflowed (g ~ 1e-160): the intercept stopped short while
    dual_gap_ claimed convergence.  (X s, C / s^2) is the problem (X, C) with w
    scaled by 1 / s: the objective must be scikit-learn's at |X| ~ 1, and the
    reported gap must bound the suboptimality."""
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression
    from regfast import LogisticRegression
    rng = np.random.RandomState(seed)
    X = rng.randn(30, 3)
    y = (X[:, 0] + rng.randn(30) > 0.5).astype(int)
    sw = rng.uniform(0.1, 3, 30)
    C = 0.05
    ref = SkLogisticRegression(C=C, tol=1e-14, max_iter=100_000).fit(X, y, sample_weight=sw)
    p_ref = logistic_objective(X, y, sw, C, ref.coef_[0], ref.intercept_[0])
    est = LogisticRegression(C=C / scale**2, l1_ratio=0.0, tol=1e-8).fit(
        X * scale, y, sample_weight=sw)
    p = logistic_objective(X, y, sw, C, est.coef_[0] * scale, est.intercept_[0])
    gap = est.dual_gap_ * scale**2                 # in the units of p
    assert p - p_ref <= gap + 1e-14 * p_ref, (p - p_ref, gap)   # the bug: 8.8e-9 > 2.4e-9
    assert p - p_ref <= 1e-8 * p_ref


@pytest.mark.parametrize("solver", ["lsqr", "cholesky", "svd", "cg", "auto"])
def test_ridge_float32_weighted_constant_column(solver):
    """Untriaged long-run failure 2: float32 X, sample weights.  The weighted
    mean is taken with the weights rounded to float32, so a constant column's
    mean is off by ~1e-8 relative, more than the float64-eps test that spots
    constant columns allowed: the column was centred to rounding and LSQR at
    alpha = 0 put 6e15 on it (objective 1100 times the optimum)."""
    from regfast import Ridge
    rng = np.random.RandomState(0)
    X = np.full((60, 1), 1.7640523e-12, dtype=np.float32)
    y = rng.randn(60)
    sw = rng.uniform(0.1, 3.0, 60)
    est = Ridge(alpha=0.0, solver=solver, tol=1e-10).fit(X, y, sample_weight=sw)
    # x_c = 0: w = 0 and b = the weighted mean of y are the optimum
    assert abs(est.coef_[0]) * 1.8e-12 <= 1e-6 * np.abs(y).max()
    np.testing.assert_allclose(est.predict(X), np.full(60, sw @ y / sw.sum()), rtol=1e-6)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_ridge_cg_float32_tiny_magnitudes(sparse):
    """Untriaged long-run failure 3 (RidgeCV's refit, cg on CSC): float32 X ~
    5e-11 and y ~ 4e-16 make CG's squared norms ~1e-48, zero in float32, so it
    stopped at once at w = 0 (objective 100 times the optimum).  CG now solves
    the system rescaled by powers of two.  One column: w = x^T y / (x^T x + alpha)."""
    from regfast import Ridge, RidgeCV
    rng = np.random.RandomState(0)
    x = (rng.randn(60) * 5e-11).astype(np.float32)
    y = (x.astype(float) * 3e-6 + 1e-17 * rng.randn(60)) * 2.0
    X = x[:, None]
    Xin = sp.csc_matrix(X) if sparse else X
    alpha = 1e-21
    xd = x.astype(float)
    w_ref = xd @ y / (xd @ xd + alpha)
    est = Ridge(alpha=alpha, solver="cg", fit_intercept=False, tol=1e-6).fit(Xin, y)
    np.testing.assert_allclose(est.coef_[0], w_ref, rtol=1e-5)
    if sparse:
        cv = RidgeCV(alphas=[alpha], cv=3, fit_intercept=False).fit(Xin, y)
        np.testing.assert_allclose(cv.coef_[0], w_ref, rtol=1e-4)


@pytest.mark.parametrize("cv", [None, 2])
def test_ridge_cv_coef_with_tiny_y_and_huge_alpha(cv):
    """Found by the 2026-12-06 long run (test_ridge_cv, 2 x 2): y ~ 1e-150 and
    alpha ~ 4e166 make (Z Z^T + alpha)^-1 z ~ 1e-316, subnormal, and coef_ came
    out 10% off (objective 6e-4 above the optimum).  The eigendecomposition's
    coefficients are now computed for z / tau and scaled back.  Reference: the
    2 x 2 normal equations solved exactly in rational arithmetic."""
    from fractions import Fraction
    from regfast import RidgeCV
    X = np.array([[1.76405235e+86, 4.00157208e+74], [9.78737984e+85, 2.24089320e+75]])
    y = np.array([1.22060810e-150, -1.33949555e-150])
    alpha = 4.0698087208453856e+166
    Xf = [[Fraction(v) for v in row] for row in X]
    yf = [Fraction(v) for v in y]
    G = [[sum(Xf[k][i] * Xf[k][j] for k in range(2)) + (Fraction(alpha) if i == j else 0)
          for j in range(2)] for i in range(2)]
    b = [sum(Xf[k][i] * yf[k] for k in range(2)) for i in range(2)]
    det = G[0][0] * G[1][1] - G[0][1] * G[1][0]
    ref = [float((b[0] * G[1][1] - G[0][1] * b[1]) / det),
           float((G[0][0] * b[1] - G[1][0] * b[0]) / det)]
    est = RidgeCV(alphas=[alpha], cv=cv, fit_intercept=False).fit(X, y)
    # the decomposition is good to eps lam_max / alpha ~ 1e-10 here; the bug: 0.1
    np.testing.assert_allclose(est.coef_, ref, rtol=1e-8)


@pytest.mark.parametrize("solver", ["cholesky", "svd", "auto"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_ridge_direct_solvers_tiny_y_and_huge_alpha(solver, sparse):
    """Found by the 2026-12-06 long run (RidgeCV's refit, 3 x 20 CSC, X ~ 1e85,
    y ~ 1e-150, alpha ~ 2e166): the dual solution (K + alpha)^-1 z ~ 1e-320 was
    subnormal, coef_ was far off (objective 260 times the optimum).  Reference:
    the same problem in units where nothing is subnormal (powers of two: exact
    rescaling), by numpy's lstsq on the augmented system."""
    from regfast import Ridge
    if solver == "svd" and sparse:
        pytest.skip("svd needs dense X")
    rng = np.random.RandomState(0)
    Xs = rng.randn(3, 20) * 10.0 ** rng.randint(-3, 4, 20)
    ys = rng.randn(3)
    sx, sy = 2.0 ** 280, 2.0 ** -500          # X ~ 1e84, y ~ 1e-150
    alpha_s = 0.7
    X, y, alpha = Xs * sx, ys * sy, alpha_s * sx * sx
    A = np.vstack([Xs, np.sqrt(alpha_s) * np.eye(20)])
    ref = np.linalg.lstsq(A, np.r_[ys, np.zeros(20)], rcond=None)[0] * (sy / sx)
    est = Ridge(alpha=alpha, solver=solver, fit_intercept=False).fit(
        sp.csc_matrix(X) if sparse else X, y)
    np.testing.assert_allclose(est.coef_, ref, rtol=1e-8)



def property_module():
    """tests/test_properties.py as a module (its build_case and certificates)."""
    pytest.importorskip("hypothesis")
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).with_name("test_properties.py")
    module_spec = importlib.util.spec_from_file_location("_properties_for_cases", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def property_case(**spec):
    """The property tests' problem of that spec (tests/test_properties.py)."""
    return property_module().build_case(**spec)


def test_ridge_float32_ill_conditioned_gram_falls_back_to_svd():
    """Found by the 2026-12-06 long run (test_ridge, float32 8 x 21 at 10%
    density, alpha = 0, no intercept): the float32 Gram matrix X X^T passed the
    float64 rcond test, and Cholesky solved its rounding (objective 27 times
    the optimum).  The test now uses X's eps and falls back to the SVD.
    Reference: numpy's lstsq (minimum-norm least squares) in float64."""
    from regfast import Ridge
    case = property_case(shape='wide', n=8, p=21, dtype='float32', layout='F', quirks=[],
                         seed=1789304, lx=0, ly=0, column_spread=0, density=0.1,
                         integer_valued=False, n_const=0, n_empty=0, bad_X=None, bad_y=None,
                         weights='none', target='linear')
    for solver in ("auto", "cholesky"):
        est = Ridge(alpha=0.0, solver=solver, fit_intercept=False).fit(case.X, case.y)
        ref = np.linalg.lstsq(case.Xd, case.yd, rcond=None)[0]
        r = case.yd - case.Xd @ est.coef_.astype(float)
        r_ref = case.yd - case.Xd @ ref
        # float32 X: the residual is good to ~1e-4 of ||y||^2 (the bug: 0.055 vs 0.002)
        assert r @ r <= r_ref @ r_ref + 1e-4 * (case.yd @ case.yd), (r @ r, r_ref @ r_ref)


def test_csc_constant_column_with_zero_weights_has_zero_norm():
    """Found by the 2026-12-06 long run (lasso_path on CSC, a constant column,
    some zero weights, the null problem's alpha of 1e-15): the centred norm
    added m^2 (n_eff - the stored rows' weights), rounding of two sums in
    different orders, so the column was not exactly zero and bug 3 came back
    (recomputed gap 6.2e-7 above the property test's bound 5.7e-7).  The
    certificate is the property test's, recomputed in numpy."""
    props = property_module()
    case = props.build_case(shape='tall', n=95, p=1, dtype='float64', layout='csc', quirks=[],
                            seed=1, lx=0, ly=3, column_spread=0, density=1.0,
                            integer_valued=False, n_const=1, n_empty=0, bad_X=None,
                            bad_y=None, weights='some_zero', target='noise')
    tol = 1e-8
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alphas, coefs, gaps = lasso_path(case.X, case.y, alphas=1, fit_intercept=True,
                                         sample_weight=case.sw, tol=tol, max_iter=100_000,
                                         precompute=False)
    s = case.sw
    w = coefs[:, 0].astype(float)
    b = s @ (case.yd - case.Xd @ w) / s.sum()
    gap, yy, primal = props.enet_certificate(case, w, b, alpha=alphas[0], l1_ratio=1.0,
                                             sw=s, pf=None, fit_intercept=True)
    # the property test's bound (assert_certified, float64)
    assert gap <= 10 * tol * yy + 1e-10 * (yy + primal) + 1e-13 * case.n, (gap, yy)


def test_unpenalised_block_with_columns_over_three_decades():
    """Found by the 2026-12-06 long run (lasso_path, alpha = 0, 8 x 7, columns
    over 3 decades): the free block's Cholesky compared pivots with the largest
    diagonal entry, called a Gram matrix of (scaled) condition 24 singular, and
    its ridge biased the exact solve: the fit stopped 2e-6 above the
    least-squares optimum with a reported gap of 7e-9.  Reference: numpy's lstsq."""
    case = property_case(shape='small', n=8, p=7, dtype='float64', layout='F', quirks=[],
                         seed=0, lx=0, ly=0, column_spread=3, density=1.0,
                         integer_valued=False, n_const=0, n_empty=0, bad_X=None, bad_y=None,
                         weights='none', target='linear')
    ref = np.linalg.lstsq(case.Xd, case.yd, rcond=None)[0]
    r_ref = case.yd - case.Xd @ ref
    for precompute in (False, True):
        _, coefs, gaps = lasso_path(case.X, case.y, alphas=[0.0], fit_intercept=False,
                                    tol=1e-8, max_iter=100_000, precompute=precompute)
        r = case.yd - case.Xd @ coefs[:, 0]
        excess = 0.5 * (r @ r - r_ref @ r_ref)
        assert excess <= max(gaps[0], 0.0) + 1e-12 * (case.yd @ case.yd), (excess, gaps[0])


def test_ridge_float32_sparse_rank_deficient_min_norm():
    """Found by the 2026-12-06 long run (Ridge alpha = 0 on a rank-deficient
    float32 CSC 8 x 20): the minimum-norm fallback on the Gram matrix used a
    float64 cutoff, and inverted the ~1e-7 rounding left on the float32 Gram
    matrix's zero eigenvalues (objective 12 times the optimum).  Reference:
    numpy's lstsq in float64."""
    from regfast import Ridge
    case = property_case(shape='wide', n=8, p=20, dtype='float32', layout='csc', quirks=[],
                         seed=1, lx=0, ly=0, column_spread=0, density=0.1,
                         integer_valued=False, n_const=0, n_empty=0, bad_X=None, bad_y=None,
                         weights='none', target='linear')
    est = Ridge(alpha=0.0, fit_intercept=False).fit(case.X, case.y)
    ref = np.linalg.lstsq(case.Xd, case.yd, rcond=None)[0]
    r = case.yd - case.Xd @ est.coef_.astype(float)
    r_ref = case.yd - case.Xd @ ref
    # float32 X: good to ~1e-4 of ||y||^2 (the bug: 0.149 against 0.0123)
    assert r @ r <= r_ref @ r_ref + 1e-4 * (case.yd @ case.yd), (r @ r, r_ref @ r_ref)


@pytest.mark.parametrize("precompute", [False, True, "auto"])
def test_alpha_near_float_max_with_an_unpenalised_feature(precompute):
    """Found by the 2026-12-06 long run (Lasso at alpha = 1e308, pf with a zero,
    2 x 3): n_eff * alpha overflowed to inf and inf * pf_j = nan for the
    unpenalised feature, which then came out wrong (gap 0.019 against 3e-4).
    The penalised features are held at 0 (alpha far above alpha_max) and the
    free one is least squares on y: x^T y / x^T x, computed in scaled units."""
    rng = np.random.RandomState(0)
    X = rng.randn(2, 3) * 1e146
    y = rng.randn(2) * 1e150
    est = Lasso(alpha=1e308, fit_intercept=False, penalty_factor=[2.36, 0.258, 0.0],
                precompute=precompute).fit(X, y)
    x = X[:, 2] / 1e146
    ref = (x @ (y / 1e150)) / (x @ x) * 1e4
    np.testing.assert_allclose(est.coef_, [0.0, 0.0, ref], rtol=1e-12)


@pytest.mark.parametrize("solver", ["auto", "svd", "cholesky"])
def test_ridge_float32_columns_ten_decades_apart(solver):
    """Found by the 2026-12-06 long run and CI's numpy 2.4 draws (test_ridge,
    2 x 2 float32, columns 10 decades apart, alpha = 0): Cholesky on the float32
    Gram matrix (objective 0.034 against 1e-32), then an SVD done in float32
    whose float32 cutoff dropped the genuine 1e-10 singular value (0.5).
    X is square and invertible: the answer is X^-1 y (in float64)."""
    from regfast import Ridge
    case = property_case(shape='small', n=2, p=2, dtype='float32', layout='F', quirks=[],
                         seed=0, lx=0, ly=0, column_spread=10, density=1.0,
                         integer_valued=False, n_const=0, n_empty=0, bad_X=None, bad_y=None,
                         weights='none', target='linear')
    est = Ridge(alpha=0.0, solver=solver, fit_intercept=False).fit(case.X, case.y)
    ref = np.linalg.solve(case.Xd, case.yd)
    np.testing.assert_allclose(est.coef_, ref, rtol=1e-5)


@pytest.mark.parametrize("solver", ["auto", "cholesky"])
def test_ridge_dense_interpolation_with_columns_seven_decades_apart(solver):
    """Dense 2 x 8 with two non-zero columns (1e-9 and 1e-2), alpha = 0, found by
    the long property run of 2026-12-07: the dual Gram matrix's condition (3e14,
    X's squared) passed Cholesky's singularity test and its solve left the
    objective at 2e-3 where the SVD of X interpolates (1e-31).  Such a Gram
    matrix now goes to the SVD; reference: numpy's lstsq on X."""
    X = np.zeros((2, 8), order="F")
    X[0, 1] = 7.540057503466596e-10
    X[:, 3] = 1.081597888843952e-02
    y = np.array([-0.4870245435247825, 0.01861036098007123])
    est = Ridge(alpha=0.0, fit_intercept=False, solver=solver).fit(X, y)
    ref = np.linalg.lstsq(X, y, rcond=None)[0]
    assert np.sum((y - X @ est.coef_) ** 2) <= 1e-20 * (y @ y)
    np.testing.assert_allclose(est.coef_, ref, rtol=1e-8, atol=0)


@pytest.mark.parametrize("storage", ["dense", "csc"])
def test_column_constant_on_the_weighted_rows_is_constant(storage):
    """One positive sample weight (the long property run of 2026-12-07: 2 x 1 X
    ~ 1e-146, 'one_positive' weights, Ridge at alpha = 0): on the rows that
    enter the fit the column is constant, but it was not on all rows, so its
    weighted mean kept rounding, centred it was ~1e-163 instead of 0, and the
    minimum-norm solve divided by that ("coefficients overflow float64").
    Reference: with one weighted row the fit is that row's value, and the
    minimum-norm coefficient of a column constant there is 0."""
    h = float.fromhex
    X = np.array([[h("0x1.c320a5ca977a3p-485")], [h("0x1.9955aaf535934p-487")]])
    X = sp.csc_matrix(X) if storage == "csc" else np.asfortranarray(X)
    y = np.array([h("-0x1.904b035513d35p-4"), h("0x1.034d133ee1069p-3")])
    sw = np.array([0.0, h("0x1.42ea513e3978dp-1")])
    for est in (Ridge(alpha=0.0), Lasso(alpha=0.0)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # Lasso's alpha=0 advice
            est.fit(X, y, sample_weight=sw)
        assert est.coef_[0] == 0.0
        assert est.intercept_ == pytest.approx(y[1], rel=1e-15)


@pytest.mark.parametrize("cv", [None, 3])
@pytest.mark.parametrize("gcv_mode", [None, "svd"])
def test_ridge_cv_subnormal_alpha_on_a_tiny_constant_column(cv, gcv_mode):
    """Found by the 2026-12-06 22:05 long run (test_ridge_cv): a 186 x 1
    constant column of 4.9e-153 and a proportionate alpha of 4.5e-309
    (subnormal).  Centred, the column is exactly 0, so its eigenvalue is 0 and
    1 / (lam + alpha) overflowed to inf: LOO gave best_score_ = nan (0 * inf),
    k-fold refused the fit.  The spectrum is now used in units near
    max(lam, alpha).  Reference: with Z = 0 the model is the intercept alone,
    whose LOO residuals are (y_i - mean(y)) n / (n - 1), and whose k-fold R^2
    is that of each training fold's mean."""
    from sklearn.metrics import r2_score
    from sklearn.model_selection import KFold
    from regfast import RidgeCV
    case = property_case(shape='tall', n=186, p=1, dtype='float64', layout='F', quirks=[],
                         seed=129629, lx=-150, ly=0, column_spread=0, density=1.0,
                         integer_valued=True, n_const=1, n_empty=0, bad_X=None,
                         bad_y=None, weights='none', target='linear')
    y, n = case.yd, case.n
    alpha = 4.4623776044955e-309
    est = RidgeCV(alphas=[alpha], cv=cv, gcv_mode=gcv_mode).fit(case.X, case.y)
    if cv is None:
        ref = -np.mean(((y - y.mean()) * n / (n - 1)) ** 2)
    else:
        ref = np.mean([r2_score(y[test], np.full(len(test), y[train].mean()))
                       for train, test in KFold(3).split(case.Xd)])
    assert est.alpha_ == alpha
    np.testing.assert_allclose(est.best_score_, ref, rtol=1e-12)
    assert est.coef_[0] == 0.0
    np.testing.assert_allclose(est.intercept_, y.mean(), rtol=1e-14)


@pytest.mark.parametrize("solver", ["auto", "cholesky", "lsqr"])
@pytest.mark.parametrize("alpha", [0.0, 1e-30, 1e-12])
def test_ridge_sparse_columns_ten_decades_apart(solver, alpha):
    """Open since the 2026-12-06 runs (test_ridge, CI's numpy 2.4 draw "objective
    0.034 against 1e-32"): alpha = 0 (or tiny) on sparse 3 x 20 X whose columns
    span 10 decades (singular values 6.5e7, 4.5, 1.6e-5).  The direct route's
    Gram matrix X X^T squares the condition to 1e25: Cholesky refused it and
    the minimum-norm fallback's cutoff dropped the genuine small eigenvalue;
    'lsqr' on X scaled by one number stopped on scipy's condition limit
    (1e8).  Both now run LSQR on X with its columns equilibrated (the fallback
    from its minimum-norm point).  Reference: numpy's lstsq on the augmented
    system [X; sqrt(alpha) I] (SVD of X itself)."""
    from regfast import Ridge
    case = property_case(shape='wide', n=3, p=20, dtype='float64', layout='csc', quirks=[],
                         seed=0, lx=0, ly=0, column_spread=10, density=0.1,
                         integer_valued=False, n_const=0, n_empty=0, bad_X=None, bad_y=None,
                         weights='none', target='linear')
    X, y = case.Xd, case.yd
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = Ridge(alpha=alpha, solver=solver, fit_intercept=False, tol=1e-10).fit(case.X, y)

    def objective(w):
        r = y - X @ w
        return r @ r + alpha * (w @ w)
    A = np.vstack([X, np.sqrt(alpha) * np.eye(20)])
    ref = np.linalg.lstsq(A, np.r_[y, np.zeros(20)], rcond=None)[0]
    # the bug: 0.0349 against an optimum of 1e-32 (alpha = 0) or 1.3e-4 (1e-12)
    assert objective(est.coef_) <= objective(ref) + 1e-10 * (y @ y), (
        objective(est.coef_), objective(ref))


def test_logistic_float32_stall_stops_early():
    """Found by CI's derandomized profile (test_logistic_path, multinomial
    float32 CSR 162 x 4, |X| ~ 2.5e15, intercept, l1_ratio 0.5, C = 1e3 C_unit):
    at float32's precision the duality gap has a floor near 1e-2 relative, and
    the Newton steps moved only rounding for 1000 steps (26 s for four alphas)
    before max_iter.  The solver now stops once 20 steps in a row neither
    lower the objective beyond its rounding nor halve the gap, with the
    ConvergenceWarning.  The answer is the same: checked against the float64
    fit, itself certified by the property tests' recomputed duality gap.
    Since the coupled Newton step on the support (session 11) the fit reaches
    tol in 3 steps with no warning; without a warning, the recomputed gap of
    each float32 answer must meet tol."""
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    from regfast import logistic_path
    props = property_module()
    case = props.build_case(shape='tall', n=162, p=4, dtype='float32', layout='csr',
                            quirks=[], seed=16071303, lx=15, ly=0, column_spread=10,
                            density=1.0, integer_valued=False, n_const=0, n_empty=2,
                            bad_X=None, bad_y=None, weights='none', n_classes=3,
                            label_kind='int')
    unit = props.logistic_C_unit(case, 0.5, None, None, True)
    alpha = 1.0 / (1e3 * unit * case.n)
    C = 1.0 / (alpha * case.n)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, coefs, b, _, n_iters = logistic_path(case.X, case.y, alphas=[alpha] * 4,
                                                l1_ratio=0.5, tol=1e-4, max_iter=1000,
                                                return_n_iter=True)
    assert np.all(n_iters < 100), n_iters          # the bug: 1000 each
    if not any(issubclass(w.category, ConvergenceWarning) for w in caught):
        for k in range(4):
            gap, primal = props.logistic_certificate(case, coefs[..., k], b[..., k], C=C,
                                                     l1_ratio=0.5, sw=None, pf=None,
                                                     fit_intercept=True)
            assert gap <= 1e-4 * primal, (k, gap / primal)
    _, ref, b_ref, _ = logistic_path(case.Xd, case.y, alphas=[alpha], l1_ratio=0.5,
                                     tol=1e-8, max_iter=1000)
    gap, primal = props.logistic_certificate(case, ref[..., 0], b_ref[..., 0], C=C,
                                             l1_ratio=0.5, sw=None, pf=None,
                                             fit_intercept=True)
    assert gap <= 1e-7 * primal
    for k in range(4):
        np.testing.assert_allclose(coefs[..., k], ref[..., 0], rtol=1e-3,
                                   atol=1e-3 * np.abs(ref).max())


def test_positive_lasso_path_with_more_nonzeros_than_rows_converges():
    """2 x 39 design, positive Lasso path to alpha_max / 1000 at tol 1e-8 (the long
    property run of 2026-12-07): the second alpha kept three non-zeros in two rows
    and ran out of 100000 epochs at gap 2.2e-7 (tol 3.1e-9), coordinate descent
    crawling along the null direction of the support's columns.  The support
    reduction drops a feature along it.  Reference: KKT in numpy (positive
    Lasso: X_j^T r / n = alpha on the support, <= alpha off it)."""
    X = np.random.RandomState(178539664).randn(2, 39)
    y = np.array([float.fromhex("-0x1.8f8d01d31e793p-1"),
                  float.fromhex("-0x1.9f68876f25ec0p-4")])
    alphas = np.array([0.72402518, 0.00072403])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, coefs, gaps = lasso_path(sp.csc_matrix(X), y, alphas=alphas, fit_intercept=False,
                                    positive=True, tol=1e-8, max_iter=100000)
    w = coefs[:, 1]
    assert gaps[1] <= 1e-8 * (y @ y) / 2
    g = X.T @ (y - X @ w) / 2
    assert np.all(w >= 0) and np.sum(w > 0) <= 2
    np.testing.assert_allclose(g[w > 0], alphas[1], rtol=1e-9)
    assert np.all(g[w == 0] <= alphas[1] * (1 + 1e-9))


def test_pure_l2_elastic_net_on_a_constant_target_stops_at_zero():
    """ElasticNet(l1_ratio=0) on a constant y (the long property run of 2026-12-07):
    its exact Ridge start centred y with a rounded mean, so it began at w ~ 1e-86
    while the tolerance (tol ||y_c||^2) was exactly 0, and ran 100000 epochs to a
    ConvergenceWarning.  The minimiser is w = 0, intercept = y's value."""
    X = np.asfortranarray(np.random.RandomState(0).randn(60, 2))
    y = np.full(60, float.fromhex("0x1.ccd6a7c5f3c29p-1"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = ElasticNet(alpha=11.50110209658077, l1_ratio=0.0, max_iter=100000).fit(X, y)
    np.testing.assert_array_equal(est.coef_, 0.0)
    assert est.intercept_ == y[0]
