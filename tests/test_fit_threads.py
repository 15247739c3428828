"""Threads inside one fit (n_jobs): the full passes over X (the gradients of
all features for the gap and screening, the column norms) are split over
threads, each feature's value computed whole by one thread, so every result
is bit-identical to the single-threaded one."""

import numpy as np
import pytest
import scipy.sparse as sp

import regfast


def problem(sparse, dtype, seed=0):
    # wide enough that the full passes are split (over 2**20 stored values)
    rng = np.random.RandomState(seed)
    if sparse:
        X = sp.random(600, 6000, density=0.3, format="csc", random_state=rng, dtype=dtype)
    else:
        X = np.asfortranarray(rng.randn(500, 2500).astype(dtype))
    y = np.asarray(X[:, :20] @ rng.randn(20)).ravel() + 0.1 * rng.randn(X.shape[0])
    return X, y.astype(dtype)


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_single_fit_and_path_are_bit_identical_for_any_n_jobs(sparse, dtype):
    X, y = problem(sparse, dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-8     # float32: the state's precision
    fits = {}
    for n_jobs in (1, 2, 3):
        est = regfast.ElasticNet(alpha=0.005, l1_ratio=0.8, tol=tol, n_jobs=n_jobs,
                                 precompute=False).fit(X, y)
        path = regfast.lasso_path(X, y, alphas=8, eps=1e-2, tol=tol, n_jobs=n_jobs,
                                  fit_intercept=True)
        fits[n_jobs] = (est.coef_, est.intercept_, est.dual_gap_, est.n_iter_, *path)
    for n_jobs in (2, 3):
        for a, b in zip(fits[1], fits[n_jobs]):
            assert same_bits(a, b), n_jobs
    # and right: the duality gap of a fit that used threads, recomputed in numpy
    # (the Lasso dual point: the residual rescaled into the dual feasible set)
    alpha = 0.01
    est = regfast.Lasso(alpha=alpha, tol=tol, n_jobs=2, precompute=False).fit(X, y)
    Xd = (X.toarray() if sparse else X).astype(np.float64)
    yd = y.astype(np.float64)
    n, Xc, yc = len(yd), Xd - Xd.mean(0), yd - yd.mean()
    r = yc - Xc @ est.coef_
    scale = min(1.0, n * alpha / np.abs(Xc.T @ r).max())
    primal = 0.5 * r @ r / n + alpha * np.abs(est.coef_).sum()
    dual = (0.5 * yc @ yc - 0.5 * (yc - scale * r) @ (yc - scale * r)) / n
    assert primal - dual <= 2 * tol * (yc @ yc) / n


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_cv_n_jobs_splits_threads_between_folds_and_fits(sparse):
    X, y = problem(sparse, np.float64, seed=1)
    runs = [regfast.LassoCV(cv=2, alphas=5, tol=1e-6, n_jobs=n_jobs).fit(X, y)
            for n_jobs in (1, 2, 4)]
    for other in runs[1:]:
        for name in ("mse_path_", "alphas_", "coef_", "intercept_", "alpha_", "dual_gap_"):
            assert same_bits(getattr(runs[0], name), getattr(other, name)), name


def test_split_threads():
    from regfast._cv import split_threads
    assert split_threads(None, 5) == (1, 1)
    assert split_threads(4, 2) == (2, 2)
    assert split_threads(2, 5) == (2, 1)
    assert split_threads(8, 1) == (1, 8)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_multitask_path_and_cv_are_bit_identical_for_any_n_jobs(sparse):
    X, y = problem(sparse, np.float64, seed=2)
    Y = np.column_stack([y, np.roll(y, 7), -0.5 * y + 0.1])
    paths = [regfast.enet_path(X, Y, l1_ratio=0.9, alphas=6, eps=1e-2, tol=1e-8,
                               n_jobs=n_jobs, fit_intercept=True) for n_jobs in (1, 2, 3)]
    for other in paths[1:]:
        for a, b in zip(paths[0], other):
            assert same_bits(a, b)
    cvs = [regfast.MultiTaskLassoCV(cv=2, alphas=4, tol=1e-6, n_jobs=n_jobs).fit(X, Y)
           for n_jobs in (1, 4)]
    for name in ("mse_path_", "alphas_", "coef_", "intercept_", "alpha_"):
        assert same_bits(getattr(cvs[0], name), getattr(cvs[1], name)), name
