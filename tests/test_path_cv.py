"""Paths and cross-validation against scikit-learn, and certified duality gaps.

References are independent of regfast: scikit-learn's lasso_path/enet_path,
LassoCV/ElasticNetCV on the same objective, and a duality gap recomputed here
with numpy from the returned coefficients.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as skl
from sklearn.exceptions import ConvergenceWarning

import regfast
from regfast import Lasso
from regfast._gram import gram_dense
from regfast._problem import Problem


def make_problem(n=80, p=120, seed=0, sparse=False, density=0.1):
    rng = np.random.RandomState(seed)
    if sparse:
        X = sp.random(n, p, density=density, format="csc", random_state=rng)
        X.data = rng.randn(X.nnz)
    else:
        X = np.asfortranarray(rng.randn(n, p))
    w = np.zeros(p)
    w[rng.choice(p, 8, replace=False)] = rng.randn(8) * 3
    y = X @ w + 0.5 * rng.randn(n)
    return X, y


def numpy_gap(X, y, coef, alpha, l1_ratio, fit_intercept=False):
    """Duality gap of scikit-learn's elastic-net objective (1/(2n) scaling).

    Dual point: the residual rescaled into the dual feasible set.
    """
    Xd = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if fit_intercept:
        Xd = Xd - Xd.mean(axis=0)
        y = y - y.mean()
    n = len(y)
    lam, beta = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    r = y - Xd @ coef
    xta = Xd.T @ r - beta * coef
    dual_norm = np.max(np.abs(xta)) / lam
    scale = min(1.0, 1.0 / dual_norm) if dual_norm > 0 else 1.0
    primal = 0.5 * (r @ r + beta * coef @ coef) + lam * np.abs(coef).sum()
    dual = -0.5 * scale ** 2 * (r @ r + beta * coef @ coef) + scale * r @ y
    return (primal - dual) / n, (y @ y) / n


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_path_matches_sklearn(sparse, l1_ratio):
    X, y = make_problem(sparse=sparse)
    kw = dict(l1_ratio=l1_ratio, eps=1e-2, alphas=30, tol=1e-12, max_iter=100000)
    alphas, coefs, gaps = regfast.enet_path(X, y, **kw)
    alphas_ref, coefs_ref, _ = skl.enet_path(X, y, **kw)
    np.testing.assert_allclose(alphas, alphas_ref, rtol=1e-12)
    np.testing.assert_allclose(coefs, coefs_ref, atol=1e-6 * np.abs(coefs_ref).max())
    for k, a in enumerate(alphas):
        gap, yy = numpy_gap(X, y, coefs[:, k], a, l1_ratio)
        assert gap <= 1e-10 * yy + 1e-14
        assert abs(gaps[k] - gap) <= 1e-8 * yy


def test_path_outputs_and_options():
    X, y = make_problem()
    alphas, coefs, gaps, n_iters = regfast.lasso_path(X, y, alphas=[0.1, 1.0, 0.5],
                                                      return_n_iter=True)
    np.testing.assert_array_equal(alphas, [1.0, 0.5, 0.1])   # sorted descending
    assert coefs.shape == (X.shape[1], 3) and gaps.shape == (3,) and len(n_iters) == 3
    # float32 in, float32 out
    _, coefs32, _ = regfast.lasso_path(X.astype(np.float32), y, alphas=5)
    assert coefs32.dtype == np.float32
    # positive path has no negative coefficient
    _, coefs_pos, _ = regfast.lasso_path(X, y, alphas=10, positive=True)
    assert coefs_pos.min() >= 0
    with pytest.raises(ValueError, match="Unexpected parameters in params"):
        regfast.lasso_path(X, y, not_a_param=1)


def test_path_with_intercept_matches_estimator():
    """fit_intercept=True on the path equals Lasso fits at the same alphas."""
    X, y = make_problem(seed=3)
    y = y + 7.0
    alphas, coefs, _ = regfast.lasso_path(X, y, alphas=8, fit_intercept=True, tol=1e-12,
                                          max_iter=100000)
    for k in (0, 3, 7):
        ref = skl.Lasso(alpha=alphas[k], tol=1e-12, max_iter=100000).fit(X, y)
        np.testing.assert_allclose(coefs[:, k], ref.coef_, atol=1e-7)


def suppressor_problem(n=60, seed=0):
    """A feature uncorrelated with y that is non-zero at the optimum.

    x1 = z + e, x2 = e, y = z: x2 alone explains nothing, but together they
    recover y exactly (w = (1, -1)).  Ranking features by marginal correlation
    tempts a working set or a screening rule to drop x2; hundreds of noise
    columns correlated with y through z compete for the slots.
    """
    rng = np.random.RandomState(seed)
    z = rng.randn(n)
    e = rng.randn(n)
    e -= z * (e @ z) / (z @ z)               # exactly uncorrelated with z
    noise = 0.3 * z[:, None] + rng.randn(n, 300)
    X = np.asfortranarray(np.column_stack([z + e, e, noise]))
    return X, z.copy()


@pytest.mark.parametrize("use_ws", [True, False])
@pytest.mark.parametrize("use_screening", [True, False])
def test_working_set_and_screening_keep_the_support(use_ws, use_screening):
    X, y = suppressor_problem()
    pf = np.ones(X.shape[1])
    problem = Problem(X, y, None, fit_intercept=True)
    alpha = problem.alpha_max(1.0, pf) / 50
    coef = np.zeros(X.shape[1])
    gap, _, converged = problem.solve(alpha, 1.0, pf, coef, tol=1e-12, max_iter=100000,
                                      use_ws=use_ws, use_screening=use_screening)
    assert converged
    ref = skl.Lasso(alpha=alpha, tol=1e-12, max_iter=100000).fit(X, y)
    assert ref.coef_[1] != 0                 # the tempting feature is in the solution
    np.testing.assert_array_equal(coef != 0, ref.coef_ != 0)
    np.testing.assert_allclose(coef, ref.coef_, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_gram_subsets_grow_to_a_feature_uncorrelated_with_y(dtype, weighted):
    """Tall data, Gram mode at one alpha: the first subset (ranked by |X^T y|)
    misses the suppressor x2, so only the KKT check on the true residual can
    bring it in (the Gram matrix then grows by its new columns)."""
    X, y = suppressor_problem(n=3000)
    X = X[:, :120].astype(dtype, order="F")            # n > 2p: Gram mode
    y = (y + 0.1 * np.random.RandomState(1).randn(len(y))).astype(dtype)
    sw = np.random.RandomState(2).uniform(0.5, 2, len(y)) if weighted else None
    assert np.argsort(-np.abs(X.T @ (y - y.mean())))[:32].tolist().count(1) == 0
    alpha = 0.002
    est = Lasso(alpha=alpha, tol=1e-10, max_iter=100000).fit(X, y, sample_weight=sw)
    ref = skl.Lasso(alpha=alpha, tol=1e-12, max_iter=100000).fit(
        X.astype(np.float64), y.astype(np.float64), sample_weight=sw)
    assert ref.coef_[1] != 0
    assert est.coef_[1] != 0
    atol = 1e-7 if dtype == np.float64 else 1e-3
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=atol)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=atol)


@pytest.mark.parametrize("max_iter", [1, 3, 10, 30])
def test_gram_subsets_report_the_full_gap_when_stopped_early(max_iter):
    """Stopped by max_iter before the subset holds the support, dual_gap_ must
    still be the full problem's gap at coef_ (recomputed here in numpy), not
    the subproblem's."""
    X, y = suppressor_problem(n=3000)
    X = np.asfortranarray(X[:, :120])
    alpha, n = 0.002, len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = Lasso(alpha=alpha, tol=1e-12, max_iter=max_iter).fit(X, y)
    assert est.n_iter_ <= max_iter
    Xc, yc = X - X.mean(0), y - y.mean()
    r = yc - Xc @ est.coef_
    scale = min(1.0, n * alpha / np.abs(Xc.T @ r).max())
    primal = 0.5 * r @ r + n * alpha * np.abs(est.coef_).sum()
    dual = scale * r @ yc - 0.5 * scale ** 2 * r @ r
    np.testing.assert_allclose(est.dual_gap_, (primal - dual) / n, rtol=1e-6)


@pytest.mark.parametrize("precompute", ["auto", True])
@pytest.mark.parametrize("tol", [1e-6, 1e-7, 1e-9])
def test_float32_gram_mode_reports_the_true_gap(precompute, tol):
    """float32 Gram arithmetic cannot certify gaps near float32 precision: at a
    tight tol the gap must still be the true one (recomputed here in float64
    from the float32 data), and convergence claimed only when it holds."""
    rng = np.random.RandomState(0)
    n, p = 20000, 100
    X = np.asfortranarray(rng.randn(n, p).astype(np.float32))
    y = (X[:, :10] @ rng.randn(10) + rng.randn(n)).astype(np.float32)
    alpha = 0.01
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        est = Lasso(alpha=alpha, tol=tol, precompute=precompute, max_iter=300).fit(X, y)
    Xd, yd = X.astype(np.float64), y.astype(np.float64)
    Xc, yc = Xd - Xd.mean(0), yd - yd.mean()

    def true_gap(coef):
        r = yc - Xc @ coef
        scale = min(1.0, n * alpha / np.abs(Xc.T @ r).max())
        return (0.5 * r @ r + n * alpha * np.abs(coef).sum()
                - scale * r @ yc + 0.5 * scale ** 2 * r @ r) / n

    gap = true_gap(est.coef_)
    np.testing.assert_allclose(est.dual_gap_, gap, rtol=0.1)
    if not caught:                                   # converged: the true gap says so
        assert gap <= 1.1 * tol * (yc @ yc) / n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, coefs, gaps = regfast.lasso_path(X, y, alphas=[alpha * 4, alpha], tol=tol,
                                            max_iter=300, precompute=True, fit_intercept=True)
    np.testing.assert_allclose(gaps[-1], true_gap(coefs[:, -1]), rtol=0.1)


def test_gram_dense_grows_from_a_known_block():
    """G for cols S + N from G of S (gemm + syrk on the new columns) equals numpy's."""
    rng = np.random.RandomState(0)
    for dtype, rtol in [(np.float64, 1e-12), (np.float32, 1e-5)]:
        X = np.asfortranarray(rng.randn(5000, 30).astype(dtype) + 3)
        sw = rng.uniform(0, 2, 5000).astype(dtype)
        xm = (X * sw[:, None]).sum(0, dtype=np.float64) / sw.sum()
        S = np.array([7, 2, 25], dtype=np.int32)
        S2 = np.concatenate([S, [0, 29, 11, 12]]).astype(np.int32)
        for weights, means in [(None, None), (sw, xm)]:
            G = gram_dense(X, weights, means, cols=S2,
                           prev=gram_dense(X, weights, means, cols=S))
            Xc = X[:, S2].astype(np.float64) - (0 if means is None else means[S2])
            ref = Xc.T @ (Xc * (1 if weights is None else weights[:, None]))
            np.testing.assert_allclose(G, ref, rtol=rtol, atol=rtol * np.abs(ref).max())
            np.testing.assert_array_equal(G, G.T)


def test_screening_along_a_path_never_drops_active_features():
    """On correlated wide data the support found with all speed-ups equals the plain one."""
    rng = np.random.RandomState(1)
    n, p = 50, 400
    base = rng.randn(n, 1)
    X = np.asfortranarray(0.9 * base + 0.45 * rng.randn(n, p))   # strongly correlated
    y = X[:, :5] @ np.array([3, -2, 2, -1, 1.0]) + 0.1 * rng.randn(n)
    problem = Problem(X, y, None, fit_intercept=True)
    pf = np.ones(p)
    alphas = np.geomspace(problem.alpha_max(1.0, pf), problem.alpha_max(1.0, pf) / 200, 25)
    fast, _, _, _ = problem.path(alphas, 1.0, pf, np.zeros(p), tol=1e-12, max_iter=200000)
    plain, _, _, _ = problem.path(alphas, 1.0, pf, np.zeros(p), tol=1e-12, max_iter=200000,
                                  use_ws=False, use_screening=False)
    np.testing.assert_allclose(fast, plain, atol=1e-6)
    for k, a in enumerate(alphas):
        gap, yy = numpy_gap(X, y, fast[:, k], a, 1.0, fit_intercept=True)
        assert gap <= 1e-10 * yy


@pytest.mark.parametrize("sparse", [False, True])
def test_lassocv_matches_sklearn(sparse):
    X, y = make_problem(n=100, p=60, sparse=sparse, seed=2)
    kw = dict(alphas=40, eps=1e-2, cv=4, tol=1e-10, max_iter=100000)
    ours = regfast.LassoCV(**kw).fit(X, y)
    ref = skl.LassoCV(**kw).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-7)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-7)


def test_lassocv_sample_weight_matches_sklearn():
    X, y = make_problem(n=90, p=40, seed=4)
    sw = np.random.RandomState(0).uniform(0.2, 3.0, size=len(y))
    kw = dict(alphas=20, eps=1e-2, cv=3, tol=1e-10, max_iter=100000)
    ours = regfast.LassoCV(**kw).fit(X, y, sample_weight=sw)
    ref = skl.LassoCV(**kw).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-10)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-10)


def test_elasticnetcv_grid_of_l1_ratios_matches_sklearn():
    X, y = make_problem(n=90, p=50, seed=5)
    kw = dict(l1_ratio=[0.2, 0.7, 1.0], alphas=15, eps=1e-2, cv=3, tol=1e-10,
              max_iter=100000)
    ours = regfast.ElasticNetCV(**kw).fit(X, y)
    ref = skl.ElasticNetCV(**kw).fit(X, y)
    assert ours.mse_path_.shape == ref.mse_path_.shape == (3, 15, 3)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-10)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    assert ours.l1_ratio_ == ref.l1_ratio_
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-10)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-7)


def test_cv_threads_give_the_same_answer():
    X, y = make_problem(n=120, p=200, seed=6)
    one = regfast.ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=20, cv=5, n_jobs=1).fit(X, y)
    two = regfast.ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=20, cv=5, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(one.mse_path_, two.mse_path_)
    np.testing.assert_array_equal(one.coef_, two.coef_)


def test_cv_on_real_data_matches_sklearn(real_data):
    X, y = real_data("leukemia", max_cols=1500)
    kw = dict(alphas=30, cv=3, tol=1e-8, max_iter=100000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = regfast.LassoCV(**kw).fit(X, y)
        ref = skl.LassoCV(**kw).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-10)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-3)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-10)


def test_cv_bad_input():
    X, y = make_problem(n=30, p=10)
    with pytest.raises(ValueError, match="l1_ratio"):
        regfast.ElasticNetCV(l1_ratio=[0.5, 1.5]).fit(X, y)
    with pytest.raises(ValueError, match="not supported for l1_ratio=0"):
        regfast.ElasticNetCV(l1_ratio=0.0).fit(X, y)
    with pytest.raises(ValueError, match="eps"):
        regfast.LassoCV(eps=0).fit(X, y)
    with pytest.raises(ValueError, match="alphas"):
        regfast.LassoCV(alphas=[-1.0, 0.1]).fit(X, y)
