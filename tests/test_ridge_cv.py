"""regfast.RidgeCV against brute-force leave-one-out and scikit-learn's RidgeCV."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import RidgeCV as SkRidgeCV
from sklearn.metrics import make_scorer, mean_absolute_error
from sklearn.utils.estimator_checks import parametrize_with_checks

from regfast import RidgeCV
from regfast import _ridge_cv as ridge_cv
from regfast._ridge_cv import low_rank

ALPHAS = np.logspace(-3, 3, 13)


def make_data(n, p, n_targets, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + rng.uniform(-3, 3, p)
    X[rng.rand(n, p) < 0.4] = 0.0
    Y = X[:, :3] @ rng.randn(3, n_targets) + rng.randn(n, n_targets) + 1.0
    return X, Y, rng.uniform(0.2, 3.0, n)


def brute_force_loo(X, y, alpha, sw, fit_intercept):
    """Weighted squared LOO errors s_i (y_i - yhat_-i)^2 from n separate fits."""
    n, p = X.shape
    s = np.ones(n) if sw is None else sw
    out = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        Xk, yk, sk = X[keep], y[keep], s[keep]
        xm = sk @ Xk / sk.sum() if fit_intercept else np.zeros(p)
        ym = sk @ yk / sk.sum() if fit_intercept else 0.0
        Xc = Xk - xm
        w = np.linalg.solve(Xc.T @ (sk[:, None] * Xc) + alpha * np.eye(p),
                            Xc.T @ (sk * (yk - ym)))
        out[i] = s[i] * (y[i] - (X[i] - xm) @ w - ym) ** 2
    return out


@pytest.mark.parametrize("shape", [(25, 6), (10, 18)], ids=["tall", "wide"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("gcv_mode", [None, "svd"])
def test_loo_errors_equal_brute_force(gcv_mode, fit_intercept, weighted, shape):
    X, Y, sw = make_data(*shape, n_targets=1)
    sw = sw if weighted else None
    alphas = np.array([0.05, 2.0, 40.0])
    model = RidgeCV(alphas=alphas, fit_intercept=fit_intercept, gcv_mode=gcv_mode,
                    store_cv_results=True).fit(X, Y[:, 0], sample_weight=sw)
    for k, a in enumerate(alphas):
        ref = brute_force_loo(X, Y[:, 0], a, sw, fit_intercept)
        np.testing.assert_allclose(model.cv_results_[:, k], ref, rtol=1e-7,
                                   atol=1e-10 * ref.max())
    best = np.argmax([-brute_force_loo(X, Y[:, 0], a, sw, fit_intercept).mean()
                      for a in alphas])
    assert model.alpha_ == alphas[best]


@pytest.mark.parametrize("shape", [(40, 6), (12, 30)], ids=["tall", "wide"])
@pytest.mark.parametrize("per_target", [False, True])
@pytest.mark.parametrize("y_kind", ["1d", "column", "2targets"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sparse, gcv_mode", [(False, None), (False, "svd"), (True, None),
                                             (True, "eigen")])
def test_matches_sklearn(sparse, gcv_mode, dtype, fit_intercept, weighted, y_kind,
                         per_target, shape):
    X, Y, sw = make_data(*shape, n_targets=2)
    y = {"1d": Y[:, 0], "column": Y[:, :1], "2targets": Y}[y_kind]
    sw = sw if weighted else None
    Xi = X.astype(dtype)
    Xi = sp.csc_matrix(Xi) if sparse else Xi
    kw = dict(alphas=ALPHAS, fit_intercept=fit_intercept, gcv_mode=gcv_mode,
              store_cv_results=True, alpha_per_target=per_target)
    ours = RidgeCV(**kw).fit(Xi, y.astype(dtype), sample_weight=sw)
    ref = SkRidgeCV(**kw).fit(Xi, y.astype(dtype), sample_weight=sw)
    rtol = 1e-3 if dtype == np.float32 else 1e-7
    np.testing.assert_array_equal(ours.alpha_, ref.alpha_)
    assert np.shape(ours.alpha_) == np.shape(ref.alpha_)
    assert np.shape(ours.best_score_) == np.shape(ref.best_score_)
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=rtol)
    assert ours.cv_results_.shape == ref.cv_results_.shape
    np.testing.assert_allclose(ours.cv_results_, ref.cv_results_, rtol=rtol,
                               atol=rtol * np.abs(ref.cv_results_).max())
    assert ours.coef_.dtype == dtype and ours.coef_.shape == ref.coef_.shape
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=rtol * scale)
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("scoring", ["r2", "neg_mean_absolute_error",
                                     make_scorer(mean_absolute_error, greater_is_better=False)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("multi", [False, True])
def test_scoring_matches_sklearn(scoring, weighted, multi):
    X, Y, sw = make_data(30, 8, 2)
    y = Y if multi else Y[:, 0]
    sw = sw if weighted else None
    kw = dict(alphas=ALPHAS, scoring=scoring, store_cv_results=True)
    ours = RidgeCV(**kw).fit(X, y, sample_weight=sw)
    ref = SkRidgeCV(**kw).fit(X, y, sample_weight=sw)
    assert ours.alpha_ == ref.alpha_
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-8)
    np.testing.assert_allclose(ours.cv_results_, ref.cv_results_, rtol=1e-8)


@pytest.mark.parametrize("shape", [(40, 8), (20, 30)], ids=["tall", "wide"])
@pytest.mark.parametrize("scoring", [None, make_scorer(mean_absolute_error,
                                                       greater_is_better=False)])
@pytest.mark.parametrize("multi", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("cv", [4])
def test_kfold_matches_sklearn(sparse, cv, fit_intercept, weighted, multi, scoring, shape):
    X, Y, sw = make_data(*shape, n_targets=2)
    y = Y if multi else Y[:, 0]
    sw = sw if weighted else None
    Xi = sp.csc_matrix(X) if sparse else X
    kw = dict(alphas=np.concatenate([[0.0], ALPHAS]), cv=cv, scoring=scoring,
              fit_intercept=fit_intercept)
    ours = RidgeCV(**kw).fit(Xi, y, sample_weight=sw)
    ref = SkRidgeCV(**kw).fit(Xi, y, sample_weight=sw)
    # scikit-learn fits the folds of sparse X with sparse_cg (tol=1e-4)
    rtol = 1e-3 if sparse else 1e-7
    assert ours.alpha_ == ref.alpha_
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=rtol)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0,
                               atol=rtol * np.abs(ref.coef_).max())


@pytest.mark.parametrize("shape", [(60, 12), (15, 40)], ids=["tall", "wide"])
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_folds_by_one_solve_an_alpha_match_the_eigendecomposition(shape, weighted):
    """cv=k on sparse X with few alphas solves each alpha exactly (Ridge's
    route) instead of decomposing the fold's Gram matrix: the same
    coefficients, to 1e-8, as the dense eigendecomposition."""
    from regfast._ridge_cv import FOLD_SOLVES_MAX, fold_path

    rng = np.random.default_rng(5)
    X = rng.standard_normal(shape) * (rng.random(shape) < 0.5) + 0.5
    y = X @ rng.standard_normal(shape[1]) + rng.standard_normal(shape[0])
    sw = rng.uniform(0.2, 3.0, shape[0]) if weighted else None
    alphas = np.array([0.0, 1e-3, 0.1, 1.0, 30.0])
    assert len(alphas) <= FOLD_SOLVES_MAX
    coef_s, b_s = fold_path(sp.csc_matrix(X), y, sw, True, alphas)
    coef_d, b_d = fold_path(np.asfortranarray(X), y, sw, True, alphas)
    scale = np.abs(coef_d).max()
    np.testing.assert_allclose(coef_s, coef_d, rtol=1e-8, atol=1e-8 * scale)
    np.testing.assert_allclose(b_s, b_d, rtol=1e-8, atol=1e-8 * np.abs(b_d).max())


def test_sparse_svd_falls_back_to_eigen():
    X, Y, _ = make_data(20, 5, 1)
    with pytest.warns(FutureWarning, match="'svd' mode is not supported for sparse X"):
        ours = RidgeCV(gcv_mode="svd").fit(sp.csc_matrix(X), Y[:, 0])
    assert ours.alpha_ == RidgeCV().fit(X, Y[:, 0]).alpha_


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"alphas": [1.0, 0.0]}, ValueError, r"alphas\[1\] == 0.0, must be > 0.0"),
    ({"alphas": [-1.0, 1.0], "cv": 3}, ValueError, r"alphas\[0\] == -1.0, must be >= 0.0"),
    ({"alphas": []}, ValueError, "non-empty"),
    ({"alphas": [1.0, np.inf]}, ValueError, "alphas must be finite"),
    ({"alphas": ["a"]}, TypeError, r"alphas\[0\] must be an instance of float"),
    ({"gcv_mode": "qr"}, ValueError, "gcv_mode must be"),
    ({"cv": 3, "store_cv_results": True}, ValueError, "incompatible"),
    ({"cv": 3, "alpha_per_target": True}, ValueError, "incompatible"),
])
def test_bad_input(kwargs, exc, match):
    X, Y, _ = make_data(20, 4, 1)
    with pytest.raises(exc, match=match):
        RidgeCV(**kwargs).fit(X, Y[:, 0])


def test_bad_sample_weight():
    X, Y, _ = make_data(20, 4, 1)
    with pytest.raises(ValueError, match="sample_weight has negative"):
        RidgeCV().fit(X, Y[:, 0], sample_weight=-np.ones(20))


@pytest.mark.parametrize("lam, max_rank", [
    (np.linspace(1e4, 2e4, 60), 8),
    (np.r_[np.zeros(5), np.linspace(100, 900, 55)], 20)], ids=["narrow", "zeros"])
def test_low_rank_factor_is_entrywise_accurate(lam, max_rank):
    alphas = np.logspace(-3, 3, 40)
    F = 1.0 / (lam[:, None] + alphas)
    w = lam + alphas.min()
    P, Q = low_rank(F, w)
    assert P.shape[1] <= max_rank
    eps = np.finfo(np.float64).eps
    # the truncation bound (4 sqrt(min(r, A)) eps) plus rounding in P Q
    assert np.max(np.abs(P @ Q - F) * w[:, None]) <= (4 * np.sqrt(40) + 64) * eps


def test_low_rank_factor_declined_when_it_saves_little():
    lam = np.logspace(-8, 6, 60)            # eigenvalues over 14 decades
    alphas = np.logspace(-3, 3, 40)
    assert low_rank(1.0 / (lam[:, None] + alphas), lam + alphas.min()) is None


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept, offset", [(True, 0.5), (True, 10.0),
                                                   (False, 0.5)])
def test_loo_with_low_rank_factor_equals_brute_force(monkeypatch, fit_intercept,
                                                     weighted, offset):
    # n >> p standard-normal X: a narrow spectrum, where F is factored.  With
    # an intercept, Z V is formed from X V - 1 m^T V when the means are small
    # (S ||m||^2 <= ||Z||_F^2, offset 0.5), else from centred rows (offset 10).
    rng = np.random.RandomState(0)
    n, p = 300, 40
    X = rng.randn(n, p) + offset
    y = X[:, :5].sum(axis=1) + rng.randn(n)
    sw = rng.uniform(0.5, 2.0, n) if weighted else None
    alphas = np.logspace(-3, 1, 60)
    used = []
    monkeypatch.setattr(ridge_cv, "low_rank",
                        lambda F, w: used.append(low_rank(F, w)) or used[-1])
    model = RidgeCV(alphas=alphas, fit_intercept=fit_intercept,
                    store_cv_results=True).fit(X, y, sample_weight=sw)
    assert used and used[0] is not None
    for k in (0, 30, 59):
        ref = brute_force_loo(X, y, alphas[k], sw, fit_intercept)
        np.testing.assert_allclose(model.cv_results_[:, k], ref, rtol=1e-7,
                                   atol=1e-10 * ref.max())
    ref = SkRidgeCV(alphas=alphas, fit_intercept=fit_intercept,
                    store_cv_results=True).fit(X, y, sample_weight=sw)
    assert model.alpha_ == ref.alpha_
    np.testing.assert_allclose(model.cv_results_, ref.cv_results_, rtol=1e-7)


@pytest.mark.parametrize("name, rows, cols, gcv_mode", [
    ("cadata", 2000, None, None), ("cadata", 2000, None, "svd"),
    ("leukemia", None, 1500, None), ("leukemia", None, 1500, "svd"),
    ("news20", 500, 2000, None), ("adult_a9a", 2000, None, None)])
def test_real_data_matches_sklearn(real_data, name, rows, cols, gcv_mode):
    X, y = real_data(name, max_rows=rows, max_cols=cols)
    alphas = np.logspace(-2, 4, 30) * X.shape[0] / 100
    kw = dict(alphas=alphas, gcv_mode=gcv_mode, store_cv_results=True)
    ours = RidgeCV(**kw).fit(X, y)
    ref = SkRidgeCV(**kw).fit(X, y)
    assert ours.alpha_ == ref.alpha_
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-6)
    np.testing.assert_allclose(ours.cv_results_, ref.cv_results_, rtol=1e-5,
                               atol=1e-9 * np.abs(ref.cv_results_).max())
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0,
                               atol=1e-6 * np.abs(ref.coef_).max())


# (alpha_per_target=True is left out: the sample-weight equivalence checks set
# cv, which that option refuses, as in scikit-learn)
@parametrize_with_checks([RidgeCV(), RidgeCV(gcv_mode="svd"), RidgeCV(cv=3),
                          RidgeCV(alphas=np.logspace(-2, 2, 5), store_cv_results=False)])
def test_sklearn_compatible(estimator, check):
    check(estimator)
