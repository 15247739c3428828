"""The multi-task elastic net (MultiTaskLasso, MultiTaskElasticNet, their CVs, the
paths with a 2-d y).

References are independent of the code under test: scikit-learn 1.9's
MultiTask* estimators at a tight tol, and the objective, the optimality (KKT)
conditions and the duality gap written out in numpy.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold

from regfast import (MultiTaskElasticNet, MultiTaskElasticNetCV, MultiTaskLasso,
                     MultiTaskLassoCV, enet_path, lasso_path)

pytestmark = pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")

N, P, T = 80, 30, 3
TIGHT = dict(tol=1e-12, max_iter=100_000)


def make_data(seed=0, n=N, p=P, t=T):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    W = np.zeros((p, t))
    W[:5] = rng.randn(5, t) * 2
    Y = X @ W + 0.5 * rng.randn(n, t) + np.arange(t)      # one intercept per target
    return X, Y


def dense64(X):
    return np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)


def objective(X, Y, coef, intercept, alpha, l1_ratio, sample_weight=None):
    """scikit-learn's multi-task objective (weights rescaled to sum n), in numpy."""
    X, Y, coef = dense64(X), np.asarray(Y, np.float64), np.asarray(coef, np.float64)
    n = len(Y)
    s = np.ones(n) if sample_weight is None else sample_weight * n / sample_weight.sum()
    R = Y - X @ coef.T - np.asarray(intercept, np.float64)
    return (s @ (R ** 2).sum(axis=1) / (2 * n)
            + alpha * l1_ratio * np.sqrt((coef ** 2).sum(axis=0)).sum()
            + 0.5 * alpha * (1 - l1_ratio) * (coef ** 2).sum())


def numpy_gap(X, Y, coef, alpha, l1_ratio, fit_intercept, sample_weight=None):
    """Duality gap of the multi-task problem (scikit-learn's units), in numpy.

    The intercept is profiled out by centring X and Y with the weighted means;
    the dual point is the residual scaled into the dual feasible set
    max_j ||X_j^T S theta - beta W_j||_2 <= lam.  Returns (gap, scale of tol:
    ||Y_c||_S^2 / n).
    """
    X, Y, W = dense64(X), np.asarray(Y, np.float64), np.asarray(coef, np.float64).T
    n = len(Y)
    s = np.ones(n) if sample_weight is None else sample_weight * n / sample_weight.sum()
    if fit_intercept:
        X = X - s @ X / n
        Y = Y - s @ Y / n
    lam, beta = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    R = Y - X @ W
    SR = s[:, None] * R
    G = X.T @ SR - beta * W
    dual_norm = np.sqrt((G ** 2).sum(axis=1)).max() / lam
    scale = min(1.0, 1.0 / dual_norm)
    R2, Ry = (R * SR).sum(), (SR * Y).sum()
    l1 = lam * np.sqrt((W ** 2).sum(axis=1)).sum()
    l2 = beta * (W ** 2).sum()
    gap = 0.5 * (R2 + l2) + l1 + 0.5 * scale ** 2 * (R2 + l2) - scale * Ry
    return gap / n, (Y * s[:, None] * Y).sum() / n


def assert_kkt(X, Y, est, alpha, l1_ratio, sample_weight=None, rtol=1e-5):
    """First-order conditions, in numpy: per feature, the gradient G_j of the
    smooth part equals alpha rho W_j / ||W_j|| on the support, and
    ||G_j|| <= alpha rho off it; each target's intercept makes its weighted
    residual sum zero."""
    X, Y = dense64(X), np.asarray(Y, np.float64)
    n = len(Y)
    s = np.ones(n) if sample_weight is None else sample_weight * n / sample_weight.sum()
    W = np.asarray(est.coef_, np.float64).T
    R = Y - X @ W - np.asarray(est.intercept_, np.float64)
    G = X.T @ (s[:, None] * R) / n - alpha * (1 - l1_ratio) * W
    lam = alpha * l1_ratio
    norms = np.sqrt((W ** 2).sum(axis=1))
    on = norms > 0
    assert on.any()
    np.testing.assert_allclose(G[on], lam * W[on] / norms[on][:, None], rtol=0,
                               atol=rtol * lam)
    assert np.all(np.sqrt((G[~on] ** 2).sum(axis=1)) <= lam * (1 + rtol))
    if est.fit_intercept:
        np.testing.assert_allclose(s @ R, 0.0, atol=1e-8 * np.abs(Y).max() * n)


def sklearn_fit(X, Y, alpha, l1_ratio, fit_intercept=True, sample_weight=None):
    return sk.MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14,
                                  max_iter=200_000, fit_intercept=fit_intercept).fit(
        dense64(X), np.asarray(Y, np.float64), sample_weight=sample_weight)


# --- one alpha against scikit-learn and numpy ---

@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_matches_sklearn(l1_ratio, fit_intercept):
    X, Y = make_data()
    alpha = 0.3
    est = MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                              **TIGHT).fit(X, Y)
    ref = sklearn_fit(X, Y, alpha, l1_ratio, fit_intercept)
    ours = objective(X, Y, est.coef_, est.intercept_, alpha, l1_ratio)
    theirs = objective(X, Y, ref.coef_, ref.intercept_, alpha, l1_ratio)
    assert ours <= theirs * (1 + 1e-6)
    assert abs(ours - theirs) <= 1e-6 * theirs
    assert est.coef_.shape == (T, P) and est.coef_.dtype == np.float64
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-6 * np.abs(ref.coef_).max())
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=0, atol=1e-6 * np.abs(Y).max())
    if fit_intercept:
        assert est.intercept_.shape == (T,)
    else:
        assert est.intercept_ == 0.0
    if l1_ratio > 0:
        assert_kkt(X, Y, est, alpha, l1_ratio)
    np.testing.assert_allclose(est.predict(X), ref.predict(X), rtol=0, atol=1e-6 * np.abs(Y).max())


@pytest.mark.parametrize("n_targets", [1, 4, 5, 9])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_target_counts_around_the_four_wide_kernel(n_targets, dtype, fit_intercept):
    """Dense unweighted X reads a column once per four targets (rf_dot4/rf_axpy4),
    the remaining targets one at a time: counts below, at and past multiples of 4."""
    X, Y = make_data(22, t=n_targets)
    Xd, Yd = X.astype(dtype), Y.astype(dtype)
    tol = 1e-12 if dtype == np.float64 else 1e-6
    est = MultiTaskElasticNet(alpha=0.2, l1_ratio=0.8, tol=tol, max_iter=100_000,
                              fit_intercept=fit_intercept).fit(Xd, Yd)
    ref = sklearn_fit(Xd, Yd, 0.2, 0.8, fit_intercept)
    ours = objective(Xd, Yd, est.coef_, est.intercept_, 0.2, 0.8)
    theirs = objective(Xd, Yd, ref.coef_, ref.intercept_, 0.2, 0.8)
    assert abs(ours - theirs) <= (1e-6 if dtype == np.float64 else 1e-5) * theirs
    atol = (1e-6 if dtype == np.float64 else 1e-3) * np.abs(ref.coef_).max()
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=atol)
    # the sparse route (one target at a time) agrees with the four-wide dense one
    sparse = MultiTaskElasticNet(alpha=0.2, l1_ratio=0.8, tol=tol, max_iter=100_000,
                                 fit_intercept=fit_intercept).fit(sp.csc_matrix(Xd), Yd)
    np.testing.assert_allclose(sparse.coef_, est.coef_, rtol=0, atol=atol)


def test_lasso_is_enet_with_l1_ratio_one_and_sklearns():
    X, Y = make_data(1)
    est = MultiTaskLasso(alpha=0.2, **TIGHT).fit(X, Y)
    ref = sk.MultiTaskLasso(alpha=0.2, tol=1e-14, max_iter=200_000).fit(X, Y)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-7 * np.abs(ref.coef_).max())
    # one support shared by the targets: whole columns of coef_ are zero
    zero = est.coef_ == 0
    assert np.array_equal(zero.all(axis=0), zero.any(axis=0))
    assert zero.all(axis=0).any() and not zero.all()


@pytest.mark.parametrize("storage", ["dense", "sparse"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_duality_gap_and_kkt_in_numpy(storage, weighted, fit_intercept):
    X, Y = make_data(2)
    sw = np.random.RandomState(3).uniform(0.2, 3, N) if weighted else None
    Xs = sp.csc_matrix(X) if storage == "sparse" else X
    alpha, l1_ratio, tol = 0.2, 0.8, 1e-8
    est = MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol,
                              fit_intercept=fit_intercept).fit(Xs, Y, sample_weight=sw)
    gap, yy = numpy_gap(X, Y, est.coef_, alpha, l1_ratio, fit_intercept, sw)
    assert gap <= tol * yy * (1 + 1e-6) + 1e-14
    assert est.dual_gap_ == pytest.approx(gap, rel=1e-5, abs=1e-12 * yy)
    assert_kkt(X, Y, est, alpha, l1_ratio, sw, rtol=1e-3)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_sparse_equals_dense(weighted):
    X, Y = make_data(4)
    X[np.abs(X) < 1.0] = 0.0                           # a truly sparse design
    sw = np.random.RandomState(5).uniform(0.2, 3, N) if weighted else None
    dense = MultiTaskElasticNet(alpha=0.1, l1_ratio=0.7, **TIGHT).fit(X, Y, sample_weight=sw)
    for fmt in (sp.csc_matrix, sp.csr_matrix):
        sparse = MultiTaskElasticNet(alpha=0.1, l1_ratio=0.7, **TIGHT).fit(
            fmt(X), Y, sample_weight=sw)
        np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=0, atol=1e-9)
        np.testing.assert_allclose(sparse.intercept_, dense.intercept_, rtol=0, atol=1e-9)


@pytest.mark.parametrize("storage", ["dense", "sparse"])
def test_float32(storage):
    X, Y = make_data(6)
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    Xs = sp.csc_matrix(X32) if storage == "sparse" else np.asfortranarray(X32)
    est = MultiTaskLasso(alpha=0.2, tol=1e-6).fit(Xs, Y32)
    assert est.coef_.dtype == est.intercept_.dtype == np.float32
    # the reference on the numbers regfast sees (float32 rounding is part of the data)
    ref = sklearn_fit(X32, Y32, 0.2, 1.0)
    ours = objective(X32, Y32, est.coef_, est.intercept_, 0.2, 1.0)
    theirs = objective(X32, Y32, ref.coef_, ref.intercept_, 0.2, 1.0)
    assert abs(ours - theirs) <= 1e-5 * theirs
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-3 * np.abs(ref.coef_).max())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("storage", ["dense", "sparse"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_default_tol_still_gives_the_exact_coefficients(l1_ratio, fit_intercept, weighted,
                                                        storage, dtype):
    """At the default tol=1e-4 the gap leaves coefficients ~1e-2 off; the final Newton
    steps on the non-zero rows land on scikit-learn's tight-tol solution of the same
    numbers (float32 X and Y included, to float32 rounding), and dual_gap_ is the numpy
    gap of what is returned."""
    X, Y = make_data(11)
    X, Y = X.astype(dtype), Y.astype(dtype)
    sw = np.random.RandomState(12).uniform(0.2, 3, N) if weighted else None
    Xs = sp.csc_matrix(X) if storage == "sparse" else np.asfortranarray(X)
    alpha = 0.3
    est = MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio,
                              fit_intercept=fit_intercept).fit(Xs, Y, sample_weight=sw)
    ref = sklearn_fit(X, Y, alpha, l1_ratio, fit_intercept, sw)
    np.testing.assert_array_equal(est.coef_ != 0, ref.coef_ != 0)
    atol = (1e-9 if dtype == np.float64 else 1e-5) * np.abs(ref.coef_).max()
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=atol)
    gap, yy = numpy_gap(X, Y, est.coef_, alpha, l1_ratio, fit_intercept, sw)
    assert est.dual_gap_ == pytest.approx(gap, rel=1e-2, abs=(1e-12 if dtype == np.float64
                                                             else 1e-6) * yy)


@pytest.mark.parametrize("n_targets", [4, 5])
@pytest.mark.parametrize("n", [203, 37])
def test_float32_state_four_targets_at_once(n, n_targets):
    """Dense unweighted float32 X with a float32 state (tol >= 1e-5) reads four targets a
    column at once, summing float32 products in blocks before double (_simd.h's
    rf_dot4_avx2_f): n = 203 takes the 32-sample blocks, the 8-sample tail and the scalar
    tail, n = 37 mostly the tails; five targets add the one-target remainder.  The fit's
    objective is scikit-learn's (float64, tight tol, on the same float32 numbers) to
    within tol, and dual_gap_ is the numpy gap of what is returned."""
    X, Y = make_data(21, n=n, p=60, t=n_targets)
    X, Y = np.asfortranarray(X.astype(np.float32)), Y.astype(np.float32)
    alpha, l1_ratio, tol = 0.05, 0.8, 1e-5
    est = MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol).fit(X, Y)
    ref = sklearn_fit(X, Y, alpha, l1_ratio)
    ours = objective(X, Y, est.coef_, est.intercept_, alpha, l1_ratio)
    theirs = objective(X, Y, ref.coef_, ref.intercept_, alpha, l1_ratio)
    gap, yy = numpy_gap(X, Y, est.coef_, alpha, l1_ratio, True)
    assert gap <= 2 * tol * yy
    assert ours - theirs <= 2 * tol * yy
    assert est.dual_gap_ == pytest.approx(gap, rel=1e-2, abs=1e-6 * yy)


@pytest.mark.parametrize("storage", ["dense", "sparse"])
def test_integer_weights_equal_repeated_rows(storage):
    X, Y = make_data(7)
    sw = np.random.RandomState(8).randint(0, 4, N)
    sw[0] = 1
    rows = np.repeat(np.arange(N), sw)
    fmt = sp.csc_matrix if storage == "sparse" else np.asarray
    weighted = MultiTaskElasticNet(alpha=0.15, l1_ratio=0.6, **TIGHT).fit(
        fmt(X), Y, sample_weight=sw.astype(float))
    repeated = MultiTaskElasticNet(alpha=0.15, l1_ratio=0.6, **TIGHT).fit(fmt(X[rows]), Y[rows])
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=0, atol=1e-9)


def test_weighted_matches_sklearn():
    """scikit-learn 1.9's MultiTaskElasticNet takes sample weights too (rescaled to n)."""
    X, Y = make_data(9)
    sw = np.random.RandomState(10).uniform(0.1, 5, N)
    est = MultiTaskElasticNet(alpha=0.1, l1_ratio=0.9, **TIGHT).fit(X, Y, sample_weight=sw)
    ref = sklearn_fit(X, Y, 0.1, 0.9, sample_weight=sw)
    ours = objective(X, Y, est.coef_, est.intercept_, 0.1, 0.9, sw)
    theirs = objective(X, Y, ref.coef_, ref.intercept_, 0.1, 0.9, sw)
    assert abs(ours - theirs) <= 1e-6 * theirs


def test_alpha_max_gives_zero_and_just_below_does_not():
    X, Y = make_data(11)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    alpha_max = np.sqrt(((Xc.T @ Yc) ** 2).sum(axis=1)).max() / N
    at = MultiTaskLasso(alpha=alpha_max * (1 + 1e-9), **TIGHT).fit(X, Y)
    assert np.all(at.coef_ == 0)
    np.testing.assert_allclose(at.intercept_, Y.mean(0), rtol=1e-12)
    below = MultiTaskLasso(alpha=alpha_max * 0.99, **TIGHT).fit(X, Y)
    assert np.any(below.coef_ != 0)


def test_constant_target_and_random_selection():
    X, Y = make_data(12)
    Y[:, 1] = 2.5
    est = MultiTaskLasso(alpha=0.1, selection="random", random_state=0, **TIGHT).fit(X, Y)
    ref = sklearn_fit(X, Y, 0.1, 1.0)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-7 * np.abs(ref.coef_).max())
    assert np.all(est.coef_[1] == 0) and est.intercept_[1] == 2.5


def test_warm_start_and_convergence_warning():
    X, Y = make_data(13)
    est = MultiTaskLasso(alpha=0.05, tol=1e-12, max_iter=1, warm_start=True)
    with pytest.warns(ConvergenceWarning, match="Objective did not converge"):
        est.fit(X, Y)
    first = est.n_iter_
    est.set_params(max_iter=100_000).fit(X, Y)
    cold = MultiTaskLasso(alpha=0.05, **TIGHT).fit(X, Y)
    assert first == 1
    np.testing.assert_allclose(est.coef_, cold.coef_, rtol=0, atol=1e-8)


def test_callers_arrays_are_not_modified():
    X, Y = make_data(14)
    sw = np.random.RandomState(15).uniform(0.5, 2, N)
    Xf = np.asfortranarray(X)
    Xsp = sp.csc_matrix(np.where(np.abs(X) > 1, X, 0))
    copies = [a.copy() for a in (X, Y, sw)] + [Xsp.copy()]
    for A in (X, Xf, Xsp):
        MultiTaskElasticNet(alpha=0.1).fit(A, Y, sample_weight=sw)
        MultiTaskLassoCV(cv=3, alphas=5).fit(A, Y, sample_weight=sw)
        enet_path(A, Y, alphas=3, sample_weight=sw, fit_intercept=True)
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(Xf, copies[0])
    np.testing.assert_array_equal(Y, copies[1])
    np.testing.assert_array_equal(sw, copies[2])
    assert (Xsp != copies[3]).nnz == 0
    # read-only input is accepted (never written to)
    Xr, Yr = Xf.copy(order="F"), Y.copy()
    Xr.flags.writeable = Yr.flags.writeable = False
    MultiTaskLasso(alpha=0.1).fit(Xr, Yr)


# --- bad input ---

@pytest.mark.parametrize("cls, single", [(MultiTaskLasso, "Lasso"),
                                         (MultiTaskElasticNet, "ElasticNet"),
                                         (MultiTaskLassoCV, "LassoCV"),
                                         (MultiTaskElasticNetCV, "ElasticNetCV")])
def test_one_d_y_is_refused_as_sklearn(cls, single):
    X, Y = make_data()
    with pytest.raises(ValueError, match=f"For mono-task outputs, use {single}"):
        cls().fit(X, Y[:, 0])


@pytest.mark.parametrize("make, match", [
    (lambda X, Y: (np.where(np.arange(P) == 3, np.nan, X), Y, None), "NaN"),
    (lambda X, Y: (X, np.where(np.arange(T) == 1, np.inf, Y), None), "infinity"),
    (lambda X, Y: (X[:-1], Y, None), "inconsistent numbers of samples"),
    (lambda X, Y: (X, Y, np.ones(N - 1)), "sample_weight"),
    (lambda X, Y: (X, Y, -np.ones(N)), "negative"),
], ids=["nan_X", "inf_Y", "lengths", "weight_length", "negative_weights"])
@pytest.mark.parametrize("cls", [MultiTaskElasticNet, MultiTaskLassoCV])
def test_bad_input_is_refused(cls, make, match):
    X, Y = make_data()
    Xb, Yb, sw = make(X, Y)
    with pytest.raises(ValueError, match=match):
        cls().fit(Xb, Yb, sample_weight=sw)


@pytest.mark.parametrize("params, match", [
    (dict(alpha=-1.0), r"alpha must be in \[0, inf\)"),
    (dict(l1_ratio=1.5), r"l1_ratio must be in \[0, 1\]"),
    (dict(tol=-1.0), r"tol must be in"),
    (dict(max_iter=0), r"max_iter must be in"),
    (dict(selection="greedy"), "selection must be 'cyclic' or 'random'"),
])
def test_bad_parameters(params, match):
    X, Y = make_data()
    with pytest.raises(ValueError, match=match):
        MultiTaskElasticNet(**params).fit(X, Y)


def test_path_refuses_bounds_and_positive():
    X, Y = make_data()
    with pytest.raises(ValueError, match="penalty_factor is not supported with a 2-d y"):
        lasso_path(X, Y, penalty_factor=np.ones(P))
    with pytest.raises(ValueError, match="positive=True is not allowed for multi-output"):
        lasso_path(X, Y, positive=True)


# --- paths and cross-validation ---

@pytest.mark.parametrize("storage", ["dense", "sparse"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_path_matches_sklearn(storage, l1_ratio):
    X, Y = make_data(16)
    Xs = sp.csc_matrix(X) if storage == "sparse" else X
    alphas, coefs, gaps, n_iters = enet_path(Xs, Y, l1_ratio=l1_ratio, alphas=8,
                                             return_n_iter=True, **TIGHT)
    ref_alphas, ref_coefs, _ = sk.enet_path(X, Y, l1_ratio=l1_ratio, alphas=8,
                                            tol=1e-14, max_iter=200_000)
    assert coefs.shape == ref_coefs.shape == (T, P, 8)
    assert gaps.shape == (8,) and n_iters.shape == (8,)
    np.testing.assert_allclose(alphas, ref_alphas, rtol=1e-12)
    np.testing.assert_allclose(coefs, ref_coefs, rtol=0, atol=1e-7 * np.abs(ref_coefs).max())
    # each alpha's gap checked in numpy (paths fit no intercept by default)
    for a in range(8):
        gap, yy = numpy_gap(X, Y, coefs[:, :, a], alphas[a], l1_ratio, False)
        assert gap <= 1e-12 * yy * (1 + 1e-6) + 1e-14


def test_path_coef_init_and_float32():
    X, Y = make_data(17)
    alphas, coefs, _ = lasso_path(X, Y, alphas=[0.3, 0.1], **TIGHT)
    _, again, _ = lasso_path(X, Y, alphas=[0.1], coef_init=coefs[:, :, 0], **TIGHT)
    np.testing.assert_allclose(again[:, :, 0], coefs[:, :, 1], rtol=0, atol=1e-9)
    _, c32, _ = lasso_path(X.astype(np.float32), Y.astype(np.float32), alphas=[0.1], tol=1e-6)
    assert c32.dtype == np.float32
    np.testing.assert_allclose(c32[:, :, 0], coefs[:, :, 1], rtol=0, atol=1e-3)


def test_lasso_cv_picks_sklearns_alpha():
    X, Y = make_data(18, n=120, p=60)
    cv = KFold(4, shuffle=True, random_state=0)
    est = MultiTaskLassoCV(cv=cv, tol=1e-10, max_iter=100_000).fit(X, Y)
    ref = sk.MultiTaskLassoCV(cv=cv, tol=1e-10, max_iter=100_000).fit(X, Y)
    assert est.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)   # the same grid point
    np.testing.assert_allclose(est.alphas_, ref.alphas_, rtol=1e-12)
    np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-6 * np.abs(ref.coef_).max())
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=1e-6)
    assert est.coef_.shape == (T, 60) and isinstance(est.dual_gap_, float)


def test_enet_cv_picks_sklearns_alpha_and_l1_ratio():
    X, Y = make_data(19, n=100, p=40)
    cv = KFold(3)
    kw = dict(l1_ratio=[0.2, 0.6, 1.0], alphas=20, cv=cv, tol=1e-10, max_iter=100_000)
    est = MultiTaskElasticNetCV(**kw).fit(X, Y)
    ref = sk.MultiTaskElasticNetCV(**kw).fit(X, Y)
    assert est.l1_ratio_ == ref.l1_ratio_
    assert est.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)   # the same grid point
    assert est.mse_path_.shape == ref.mse_path_.shape == (3, 20, 3)
    assert est.alphas_.shape == ref.alphas_.shape == (3, 20)
    np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=1e-6)


def test_cv_threads_give_the_same_bits_and_weights_are_used():
    X, Y = make_data(20)
    one = MultiTaskElasticNetCV(l1_ratio=[0.5, 1.0], alphas=10, cv=3).fit(X, Y)
    two = MultiTaskElasticNetCV(l1_ratio=[0.5, 1.0], alphas=10, cv=3, n_jobs=2).fit(X, Y)
    np.testing.assert_array_equal(one.mse_path_, two.mse_path_)
    np.testing.assert_array_equal(one.coef_, two.coef_)
    # integer weights: the same CV as repeated rows when the folds keep copies together
    sw = np.random.RandomState(21).randint(1, 3, N)
    rows = np.repeat(np.arange(N), sw)
    fold_of = np.arange(N) % 3
    cv_w = [(np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)) for k in range(3)]
    cv_r = [(np.flatnonzero(fold_of[rows] != k), np.flatnonzero(fold_of[rows] == k))
            for k in range(3)]
    w = MultiTaskLassoCV(alphas=10, cv=cv_w, **TIGHT).fit(X, Y, sample_weight=sw.astype(float))
    r = MultiTaskLassoCV(alphas=10, cv=cv_r, **TIGHT).fit(X[rows], Y[rows])
    np.testing.assert_allclose(w.mse_path_, r.mse_path_, rtol=1e-8)
    assert w.alpha_ == pytest.approx(r.alpha_, rel=1e-12)


# --- real data (skipped when the shared data folder is absent) ---

def real_objective_check(X, Y, alpha, l1_ratio, tol=1e-10):
    est = MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=100_000).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = sk.MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12,
                                     max_iter=100_000).fit(X, Y)
    ours = objective(X, Y, est.coef_, est.intercept_, alpha, l1_ratio)
    theirs = objective(X, Y, ref.coef_, ref.intercept_, alpha, l1_ratio)
    assert ours <= theirs * (1 + 1e-6), (ours, theirs)
    assert abs(ours - theirs) <= 1e-6 * theirs
    gap, yy = numpy_gap(X, Y, est.coef_, alpha, l1_ratio, True)
    assert gap <= tol * yy * (1 + 1e-6) + 1e-12
    assert np.any(est.coef_ != 0)
    return est


def held_back_targets(X, cols):
    """Targets from columns of X, which are removed from the design."""
    X = np.asarray(X)
    keep = np.setdiff1d(np.arange(X.shape[1]), cols)
    return np.asfortranarray(X[:, keep]), np.asarray(X[:, cols], dtype=np.float64)


def test_real_wheat(real_data):
    X, y = real_data("wheat")
    X, Y = held_back_targets(X, [10, 200, 700])
    Y = np.column_stack([Y, y])                   # and the published yield
    alpha_max = np.sqrt(((X - X.mean(0)).T @ (Y - Y.mean(0))) ** 2).sum(1).max() / len(Y)
    real_objective_check(X, Y, alpha_max / 20, 1.0)
    real_objective_check(X, Y, alpha_max / 10, 0.5)


def test_real_lung_gordon(real_data):
    X, _ = real_data("lung_gordon", max_cols=3000)
    X, Y = held_back_targets(X, [5, 50, 500, 1500])
    alpha_max = np.sqrt(((X - X.mean(0)).T @ (Y - Y.mean(0))) ** 2).sum(1).max() / len(Y)
    est = real_objective_check(X, Y, alpha_max / 5, 1.0)
    sparse = MultiTaskLasso(alpha=alpha_max / 5, tol=1e-10, max_iter=100_000).fit(
        sp.csc_matrix(X), Y)
    np.testing.assert_allclose(sparse.coef_, est.coef_, rtol=0,
                               atol=1e-6 * np.abs(est.coef_).max())


def test_real_news20_class_indicators(real_data):
    X, y = real_data("news20", max_rows=3000, max_cols=5000)
    Y = np.column_stack([(y == k).astype(float) for k in (0, 1, 2, 3)])
    X = sp.csc_matrix(X)
    Xc_ty = X.T @ (Y - Y.mean(0))                 # X_c^T Y_c = X^T Y_c
    alpha_max = np.sqrt((Xc_ty ** 2).sum(1)).max() / len(Y)
    alpha, tol = alpha_max / 10, 1e-8
    est = MultiTaskLasso(alpha=alpha, tol=tol, max_iter=100_000).fit(X, Y)
    gap, yy = numpy_gap(X, Y, est.coef_, alpha, 1.0, True)
    assert gap <= tol * yy * (1 + 1e-6) + 1e-12
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = sk.MultiTaskLasso(alpha=alpha, tol=1e-10, max_iter=100_000).fit(X, Y)
    ours = objective(X, Y, est.coef_, est.intercept_, alpha, 1.0)
    theirs = objective(X, Y, ref.coef_, ref.intercept_, alpha, 1.0)
    assert abs(ours - theirs) <= 1e-6 * theirs, (ours, theirs)
    assert ours <= theirs * (1 + 1e-6)


def test_pure_l2_coefficients_exact_on_a_rank_deficient_design():
    """MultiTaskElasticNet(l1_ratio=0) is Ridge per target: its coefficients to
    1e-8 relative at the default tol (the gap alone left them 1e-4 away along
    the flat directions of a rank-10 design)."""
    rng = np.random.RandomState(3)
    U, _ = np.linalg.qr(rng.randn(300, 100))
    V, _ = np.linalg.qr(rng.randn(100, 100))
    X = (U * np.exp(-np.arange(100) / 10.0)) @ V.T
    Y = X @ rng.randn(100, 3) + 0.01 * rng.randn(300, 3)
    alpha = 1e-6 / 300
    est = MultiTaskElasticNet(alpha=alpha, l1_ratio=0.0).fit(X, Y)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    W = np.linalg.solve(Xc.T @ Xc + alpha * 300 * np.eye(100), Xc.T @ Yc)
    np.testing.assert_allclose(est.coef_, W.T, rtol=1e-8, atol=1e-10 * np.abs(W).max())
