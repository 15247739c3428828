"""Multi-output y: Lasso and ElasticNet fit one problem per target, as scikit-learn's.

References: scikit-learn 1.9's estimators at a tight tol, on the same numbers in
float64, and the objective written out in numpy.  Shapes, warnings and refusals
are scikit-learn's: the estimators take a 2-d y; its CV models refuse more than
one column; its paths solve the multi-task problem for a 2-d y, as regfast's do.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import regfast
import regfast._coordinate_descent as cdm
from regfast import ElasticNet, ElasticNetCV, Lasso, LassoCV, enet_path, lasso_path

pytestmark = pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")

N, P, K = 60, 12, 3
OBJ_RTOL = {np.float64: 1e-6, np.float32: 1e-6}
FIT_TOL = {np.float64: 1e-10, np.float32: 1e-7}
COEF_ATOL = {np.float64: 1e-6, np.float32: 1e-3}


def make_data(seed=0, n=N, p=P, k=K):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    W = np.zeros((p, k))
    W[:4] = rng.randn(4, k) * 3
    Y = X @ W + 0.5 * rng.randn(n, k) + np.arange(k)   # one intercept per target
    return X, Y


def objective(X, y, coef, intercept, alpha, l1_ratio, sample_weight=None):
    """scikit-learn's elastic-net objective of one target, in float64 numpy."""
    X = X.toarray() if sp.issparse(X) else X
    s = np.ones(len(y)) if sample_weight is None else sample_weight * len(y) / sample_weight.sum()
    w = np.asarray(coef, np.float64)
    r = np.asarray(y, np.float64) - np.asarray(X, np.float64) @ w - float(intercept)
    return (s @ r ** 2 / (2 * len(y)) + alpha * l1_ratio * np.abs(w).sum()
            + 0.5 * alpha * (1 - l1_ratio) * w @ w)


def sklearn_reference(X, Y, alpha, l1_ratio, sample_weight=None, fit_intercept=True):
    """scikit-learn's ElasticNet on the float64 dense numbers, at a tight tol."""
    X64 = X.toarray() if sp.issparse(X) else X
    return sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=100_000,
                         fit_intercept=fit_intercept).fit(
        np.asarray(X64, np.float64), np.asarray(Y, np.float64), sample_weight=sample_weight)


def assert_matches_sklearn(est, X, Y, alpha, l1_ratio, dtype, sample_weight=None):
    ref = sklearn_reference(X, Y, alpha, l1_ratio, sample_weight, est.fit_intercept)
    assert est.coef_.shape == ref.coef_.shape == (Y.shape[1], X.shape[1])
    if est.fit_intercept:
        assert est.intercept_.shape == ref.intercept_.shape == (Y.shape[1],)
        assert est.intercept_.dtype == dtype
    else:                               # scikit-learn's 0.0 for every target
        assert est.intercept_ == ref.intercept_ == 0.0
    assert est.coef_.dtype == est.dual_gap_.dtype == dtype
    assert est.dual_gap_.shape == (Y.shape[1],)
    assert isinstance(est.n_iter_, list) and len(est.n_iter_) == Y.shape[1]
    assert all(isinstance(n, int) and n >= 1 for n in est.n_iter_)
    for k in range(Y.shape[1]):
        ours = objective(X, Y[:, k], est.coef_[k], np.broadcast_to(est.intercept_, Y.shape[1])[k],
                         alpha, l1_ratio, sample_weight)
        theirs = objective(X, Y[:, k], ref.coef_[k], np.broadcast_to(ref.intercept_, Y.shape[1])[k],
                           alpha, l1_ratio, sample_weight)
        assert ours <= theirs * (1 + OBJ_RTOL[dtype]), (k, ours, theirs)
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=COEF_ATOL[dtype] * scale)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=0,
                               atol=COEF_ATOL[dtype] * np.abs(Y).max())
    np.testing.assert_allclose(est.predict(X), ref.predict(np.asarray(
        X.toarray() if sp.issparse(X) else X, np.float64)), rtol=0,
        atol=COEF_ATOL[dtype] * np.abs(Y).max() * 10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("storage", ["dense", "sparse"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_matches_sklearn_per_target(dtype, storage, weighted, l1_ratio):
    X, Y = make_data()
    sw = np.random.RandomState(1).uniform(0.2, 3, N) if weighted else None
    Xs = (sp.csc_matrix(X) if storage == "sparse" else X).astype(dtype)
    Ys = Y.astype(dtype)
    # compare on the numbers regfast sees (float32 rounding is part of the data)
    Xr, Yr = (Xs.astype(np.float64), Ys.astype(np.float64))
    est = ElasticNet(alpha=0.1, l1_ratio=l1_ratio, tol=FIT_TOL[dtype]).fit(
        Xs, Ys, sample_weight=sw)
    assert_matches_sklearn(est, Xr, Yr, 0.1, l1_ratio, dtype, sw)


@pytest.mark.parametrize("shared_gram", [False, True], ids=["gram_subsets", "shared_gram"])
@pytest.mark.parametrize("precompute", ["auto", True, False])
def test_gram_routes_match_sklearn(monkeypatch, shared_gram, precompute):
    """Tall X (Gram mode under 'auto'): the whole Gram matrix shared by the
    targets, or each target's own subset of its columns, give the same answer."""
    monkeypatch.setattr(cdm, "SHARED_GRAM_RATIO", 10**9 if shared_gram else 0)
    X, Y = make_data(n=200, p=8, k=4)
    est = Lasso(alpha=0.05, tol=1e-10, precompute=precompute).fit(X, Y)
    assert_matches_sklearn(est, X, Y, 0.05, 1.0, np.float64)


def test_user_gram_matrix_is_shared():
    X, Y = make_data(n=100, p=6)
    Xc = X - X.mean(axis=0)
    est = ElasticNet(alpha=0.05, tol=1e-10, precompute=Xc.T @ Xc).fit(X, Y)
    assert_matches_sklearn(est, X, Y, 0.05, 0.5, np.float64)


def test_without_intercept():
    X, Y = make_data()
    est = Lasso(alpha=0.1, fit_intercept=False, tol=1e-10).fit(X, Y)
    assert_matches_sklearn(est, X, Y, 0.1, 1.0, np.float64)


def test_each_target_is_its_own_fit():
    """A 2-d fit is the 1-d fits of its columns (scikit-learn's test_enet_multitarget),
    including a constant column (coefficients exactly zero, intercept its value)."""
    X, Y = make_data()
    Y[:, 1] = 4.0
    est = ElasticNet(alpha=0.05, tol=1e-12).fit(X, Y)
    for k in range(K):
        one = ElasticNet(alpha=0.05, tol=1e-12).fit(X, Y[:, k])
        np.testing.assert_allclose(est.coef_[k], one.coef_, rtol=0, atol=1e-12)
        np.testing.assert_allclose(est.intercept_[k], one.intercept_, rtol=1e-12)
        assert est.n_iter_[k] == one.n_iter_
    np.testing.assert_array_equal(est.coef_[1], 0.0)
    assert est.intercept_[1] == 4.0


@pytest.mark.parametrize("n_jobs", [2, -1])
def test_threads_give_the_same_bits(n_jobs):
    X, Y = make_data(k=5)
    one = Lasso(alpha=0.05, tol=1e-10).fit(X, Y)
    many = Lasso(alpha=0.05, tol=1e-10, n_jobs=n_jobs).fit(X, Y)
    np.testing.assert_array_equal(one.coef_, many.coef_)
    np.testing.assert_array_equal(one.intercept_, many.intercept_)
    assert one.n_iter_ == many.n_iter_


def test_targets_as_joblib_tasks_elsewhere(monkeypatch):
    """Under a joblib backend that runs elsewhere (dask, ray) each target is a task
    in another process: its coefficients must come back, not stay there."""
    import joblib
    import regfast._cv
    X, Y = make_data()
    here = Lasso(alpha=0.05, tol=1e-10).fit(X, Y)
    monkeypatch.setattr(regfast._cv, "remote_backend_active", lambda: True)
    with joblib.parallel_backend("loky", n_jobs=2):
        there = Lasso(alpha=0.05, tol=1e-10, n_jobs=2).fit(X, Y)
    np.testing.assert_array_equal(here.coef_, there.coef_)
    np.testing.assert_array_equal(here.intercept_, there.intercept_)


def test_sparse_gram_mode_is_shared():
    X, Y = make_data(n=100, p=6)
    est = ElasticNet(alpha=0.05, tol=1e-10, precompute=True).fit(sp.csc_matrix(X), Y)
    assert_matches_sklearn(est, X, Y, 0.05, 0.5, np.float64)


def test_column_y_shapes_are_sklearns():
    """(n, 1): coef_ 1-d, intercept_ of shape (1,), scalar gap and epochs, no warning."""
    X, Y = make_data()
    y = Y[:, :1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = Lasso(alpha=0.1, tol=1e-10).fit(X, y)
    ref = sk.Lasso(alpha=0.1, tol=1e-14).fit(X, y)
    assert est.coef_.shape == ref.coef_.shape == (P,)
    assert est.intercept_.shape == ref.intercept_.shape == (1,)
    assert np.ndim(est.dual_gap_) == np.ndim(ref.dual_gap_) == 0
    assert isinstance(est.n_iter_, int)
    assert est.predict(X).shape == ref.predict(X).shape == (N,)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-7)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=0, atol=1e-7)


def test_one_d_y_keeps_scalars():
    X, Y = make_data()
    est = Lasso(alpha=0.1).fit(X, Y[:, 0])
    assert est.coef_.shape == (P,)
    assert isinstance(est.intercept_, float) and isinstance(est.dual_gap_, float)
    assert isinstance(est.n_iter_, int)


def test_predict_and_sparse_coef_shapes():
    X, Y = make_data()
    est = Lasso(alpha=0.1).fit(X, Y)
    np.testing.assert_allclose(est.predict(X), X @ est.coef_.T + est.intercept_)
    assert est.sparse_coef_.shape == (K, P)


def test_warm_start_per_target():
    X, Y = make_data()
    est = Lasso(alpha=0.1, tol=1e-10, warm_start=True).fit(X, Y)
    again = est.fit(X, Y)
    assert all(n <= 2 for n in again.n_iter_)     # already at the solution
    cold = Lasso(alpha=0.1, tol=1e-10).fit(X, Y)
    np.testing.assert_allclose(again.coef_, cold.coef_, rtol=0, atol=1e-8)


def test_convergence_warning_names_the_target():
    X, Y = make_data()
    with pytest.warns(ConvergenceWarning) as record:
        Lasso(alpha=1e-4, tol=0, max_iter=1).fit(X, Y)
    assert [str(w.message).split(". You")[0] for w in record] == [
        f"Lasso: Objective did not converge on target {k}" for k in range(K)]


def test_tags_are_sklearns():
    for ours, theirs in [(Lasso(), sk.Lasso()), (ElasticNet(), sk.ElasticNet()),
                         (LassoCV(), sk.LassoCV()), (ElasticNetCV(), sk.ElasticNetCV())]:
        assert (ours.__sklearn_tags__().target_tags.multi_output
                == theirs.__sklearn_tags__().target_tags.multi_output)


# --- the CV models: scikit-learn's refuse several targets and ravel a column ---

@pytest.mark.parametrize("cls", ["LassoCV", "ElasticNetCV"])
def test_cv_refuses_several_targets_as_sklearn(cls):
    X, Y = make_data()
    with pytest.raises(ValueError, match=f"For multi-task outputs, use MultiTask{cls}"):
        getattr(sk, cls)(cv=3).fit(X, Y)
    with pytest.raises(ValueError, match=f"For multi-task outputs, use MultiTask{cls}"):
        getattr(regfast, cls)(cv=3).fit(X, Y)


def test_cv_ravels_a_column_as_sklearn():
    from sklearn.exceptions import DataConversionWarning
    X, Y = make_data()
    with pytest.warns(DataConversionWarning):
        est = LassoCV(cv=3, tol=1e-10).fit(X, Y[:, :1])
    ref = sk.LassoCV(cv=3, tol=1e-12).fit(X, Y[:, 0])
    assert est.coef_.shape == (P,) and np.ndim(est.intercept_) == 0
    np.testing.assert_allclose(est.alpha_, ref.alpha_, rtol=1e-10)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-6)


# --- the paths: a column y gives scikit-learn's (1, p, n_alphas) ---

@pytest.mark.parametrize("path", [lasso_path, enet_path])
@pytest.mark.parametrize("storage", ["dense", "sparse"])
def test_path_of_a_column_is_sklearns(path, storage):
    X, Y = make_data()
    Xs = sp.csc_matrix(X) if storage == "sparse" else X
    alphas, coefs, gaps, n_iters = path(Xs, Y[:, :1], alphas=5, tol=1e-12,
                                        return_n_iter=True)
    ref_alphas, ref_coefs, _ = getattr(sk, path.__name__)(X, Y[:, :1], alphas=5, tol=1e-14)
    assert coefs.shape == ref_coefs.shape == (1, P, 5)
    assert gaps.shape == (5,) and len(n_iters) == 5
    np.testing.assert_allclose(alphas, ref_alphas, rtol=1e-12)
    np.testing.assert_allclose(coefs, ref_coefs, rtol=0, atol=1e-6 * np.abs(ref_coefs).max())


@pytest.mark.parametrize("path", [lasso_path, enet_path])
def test_path_of_several_targets_is_the_multitask_problem(path):
    """scikit-learn's path solves the multi-task (L2,1) problem for a 2-d y, and so
    does regfast's (tests/test_multitask.py checks it in depth); positive=True
    is refused for a 2-d y, as scikit-learn does."""
    X, Y = make_data()
    alphas, coefs, _ = path(X, Y, alphas=4, tol=1e-12)
    ref_alphas, ref_coefs, _ = getattr(sk, path.__name__)(X, Y, alphas=4, tol=1e-14,
                                                          max_iter=100_000)
    assert coefs.shape == ref_coefs.shape == (K, P, 4)
    np.testing.assert_allclose(alphas, ref_alphas, rtol=1e-12)
    np.testing.assert_allclose(coefs, ref_coefs, rtol=0, atol=1e-6 * np.abs(ref_coefs).max())
    with pytest.raises(ValueError, match="positive=True is not allowed for multi-output"):
        path(X, Y[:, :1], positive=True)
