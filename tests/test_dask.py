"""regfast.dask on a real LocalCluster (worker processes): the Gram route equals
the in-memory fit, reads X once, and never brings X to the client.

The references are regfast's in-memory estimators on the computed arrays
(for the CV estimators with the same folds, given as a cv iterable), which
compute their statistics another way (from X itself, one fold at a time).
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.model_selection import GridSearchCV, PredefinedSplit

import regfast

da = pytest.importorskip("dask.array", reason="regfast.dask needs dask: pip install "
                         "'regfast[dask]'")
distributed = pytest.importorskip("distributed", reason="the cluster tests need "
                                  "dask.distributed: pip install 'regfast[dask]'")
import regfast.dask as rd  # noqa: E402
from regfast.dask._diagnostics import report, watch  # noqa: E402

RTOL = 1e-10
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        memory_limit="600MB", env=ONE_THREAD)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def close(a, b, rtol=RTOL):
    """max |a - b| <= rtol * max |b| (relative to the largest coefficient)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape
    scale = max(np.abs(b).max(), np.finfo(float).tiny)
    assert np.abs(a - b).max() <= rtol * scale, np.abs(a - b).max() / scale


@pytest.fixture(scope="module")
def data():
    """Tall data with offsets, uneven scales, correlated columns; uneven partitions."""
    rng = np.random.default_rng(0)
    n, p = 3000, 12
    X = rng.standard_normal((n, p)) @ (np.eye(p) + 0.3 * rng.standard_normal((p, p)))
    X = X * rng.uniform(0.5, 5, p) + rng.uniform(-20, 20, p)
    w = np.zeros(p)
    w[:5] = [2.0, -1.5, 1.0, 0.5, -0.2]
    y = X @ w + 7 + rng.standard_normal(n)
    sw = rng.uniform(0, 3, n)
    sw[:50] = 0.0
    chunks = (700, 300, 1000, 500, 500)
    return dict(X=X, y=y, sw=sw, Xd=da.from_array(X, chunks=(chunks, p)),
                yd=da.from_array(y, chunks=(chunks,)), swd=da.from_array(sw, chunks=(chunks,)))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("make", [
    lambda: (rd.Lasso(alpha=0.05), regfast.Lasso(alpha=0.05)),
    lambda: (rd.ElasticNet(alpha=0.1, l1_ratio=0.3, tol=1e-8),
             regfast.ElasticNet(alpha=0.1, l1_ratio=0.3, tol=1e-8)),
    # without centring the offsets make X^T X ill-conditioned: the two routes'
    # Gram matrices differ at rounding level, which moves the iterates by 1e-8
    # at tol=1e-4; converged fits agree
    lambda: (rd.ElasticNet(alpha=0.02, fit_intercept=False, penalty_factor=[0] + [1] * 11,
                           lower_bounds=-1.0, tol=1e-12),
             regfast.ElasticNet(alpha=0.02, fit_intercept=False, penalty_factor=[0] + [1] * 11,
                                lower_bounds=-1.0, tol=1e-12)),
    lambda: (rd.Ridge(alpha=30.0), regfast.Ridge(alpha=30.0)),
    lambda: (rd.Ridge(alpha=3.0, fit_intercept=False), regfast.Ridge(alpha=3.0, fit_intercept=False)),
], ids=["lasso", "enet", "enet-bounds-pf-nointercept", "ridge", "ridge-nointercept"])
def test_single_fit_matches_memory(client, data, make, weighted):
    model, ref = make()
    model.fit(data["Xd"], data["yd"], sample_weight=data["swd"] if weighted else None)
    ref.fit(data["X"], data["y"], sample_weight=data["sw"] if weighted else None)
    close(model.coef_, ref.coef_)
    assert model.intercept_ == pytest.approx(ref.intercept_, rel=RTOL, abs=RTOL)
    assert model.n_partitions_ == 5
    pred = model.predict(data["Xd"])
    assert isinstance(pred, da.Array)
    close(pred.compute(), ref.predict(data["X"]))


def test_paths_match_memory(client, data):
    for path, kwargs in [(rd.lasso_path, {}), (rd.enet_path, {"l1_ratio": 0.7})]:
        ref_path = getattr(regfast, path.__name__)
        alphas, coefs, gaps = path(data["Xd"], data["yd"], fit_intercept=True,
                                   sample_weight=data["swd"], alphas=30, **kwargs)
        ref = ref_path(data["X"], data["y"], fit_intercept=True, sample_weight=data["sw"],
                       alphas=30, **kwargs)
        close(alphas, ref[0])                         # the grid comes from X^T y
        close(coefs, ref[1])


def test_float32_is_the_exact_fit_of_the_float32_values(client, data):
    """float32 partitions are summed in float64: the answer is the float64 fit of
    the same (exactly representable) values, closer than the in-memory float32 fit."""
    X32 = data["X"].astype(np.float32)
    Xd = da.from_array(X32, chunks=data["Xd"].chunks)
    model = rd.Lasso(alpha=0.05, tol=1e-8).fit(Xd, data["yd"])
    assert model.coef_.dtype == np.float32
    exact = regfast.Lasso(alpha=0.05, tol=1e-8).fit(X32.astype(np.float64), data["y"])
    close(model.coef_, exact.coef_, rtol=1e-6)       # coef_ is rounded to float32
    memory32 = regfast.Lasso(alpha=0.05, tol=1e-8).fit(X32, data["y"])
    close(model.coef_, memory32.coef_, rtol=1e-3)


def test_constant_column_unpenalised(client, data):
    """A constant column centres to exactly 0 (no rounding for an unpenalised
    coefficient to blow up), as in memory."""
    X = data["X"].copy()
    X[:, 3] = 0.1
    pf = [1.0] * 12
    pf[3] = 0.0
    model = rd.ElasticNet(alpha=0.05, penalty_factor=pf).fit(
        da.from_array(X, chunks=data["Xd"].chunks), data["yd"])
    ref = regfast.ElasticNet(alpha=0.05, penalty_factor=pf).fit(X, data["y"])
    assert model.coef_[3] == 0.0
    close(model.coef_, ref.coef_)


def test_sparse_partitions(client, data):
    Xs = sp.random(2000, 15, density=0.2, random_state=1, format="csr") * 3
    y = np.asarray(Xs @ np.arange(15.0)).ravel() + 1 + np.random.default_rng(1).standard_normal(2000)
    Xd = da.from_array(Xs, chunks=(450, 15), asarray=False)
    model = rd.ElasticNet(alpha=0.01, l1_ratio=0.8).fit(Xd, y)
    ref = regfast.ElasticNet(alpha=0.01, l1_ratio=0.8, precompute=True).fit(Xs, y)
    close(model.coef_, ref.coef_)
    assert model.intercept_ == pytest.approx(ref.intercept_, rel=RTOL)


@pytest.mark.parametrize("weighted", [False, True])
def test_lasso_cv_default_folds(client, data, weighted):
    """cv=5 on dask is scikit-learn's KFold(5): same folds as the in-memory default."""
    sw, swd = (data["sw"], data["swd"]) if weighted else (None, None)
    model = rd.LassoCV(cv=5, n_jobs=2).fit(data["Xd"], data["yd"], sample_weight=swd)
    ref = regfast.LassoCV(cv=5).fit(data["X"], data["y"], sample_weight=sw)
    assert model.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    close(model.alphas_, ref.alphas_)
    close(model.mse_path_, ref.mse_path_, rtol=1e-9)
    close(model.coef_, ref.coef_)


def test_elastic_net_cv_random_folds(client, data):
    labels = rd.random_fold_labels(data["Xd"], n_folds=4, random_state=3)
    test_fold = labels.compute()
    assert set(np.unique(test_fold)) == {0, 1, 2, 3}
    # the split depends on the rows, not on the partitions
    again = rd.random_fold_labels(data["Xd"].rechunk(1000), n_folds=4, random_state=3)
    np.testing.assert_array_equal(again.compute(), test_fold)
    model = rd.ElasticNetCV(l1_ratio=[0.2, 0.9], cv=labels, alphas=20).fit(
        data["Xd"], data["yd"], sample_weight=data["swd"])
    ref = regfast.ElasticNetCV(l1_ratio=[0.2, 0.9], cv=PredefinedSplit(test_fold),
                               alphas=20).fit(data["X"], data["y"], sample_weight=data["sw"])
    assert (model.alpha_, model.l1_ratio_) == (pytest.approx(ref.alpha_, rel=1e-12),
                                               ref.l1_ratio_)
    close(model.mse_path_, ref.mse_path_, rtol=1e-9)
    close(model.coef_, ref.coef_)


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
def test_ridge_cv(client, data, scoring):
    alphas = np.logspace(-3, 5, 17)
    test_fold = np.arange(3000) % 3 - (np.arange(3000) % 7 == 0)     # -1: always trained on
    model = rd.RidgeCV(alphas=alphas, cv=da.from_array(test_fold, chunks=1000),
                       scoring=scoring).fit(data["Xd"], data["yd"], sample_weight=data["swd"])
    ref = regfast.RidgeCV(alphas=alphas, cv=PredefinedSplit(test_fold), scoring=scoring).fit(
        data["X"], data["y"], sample_weight=data["sw"])
    assert model.alpha_ == ref.alpha_
    assert model.best_score_ == pytest.approx(ref.best_score_, rel=1e-9)
    close(model.coef_, ref.coef_)
    assert model.intercept_ == pytest.approx(ref.intercept_, rel=RTOL)


def test_clear_errors(client, data):
    with pytest.raises(ValueError, match="cv=k"):
        rd.RidgeCV().fit(data["Xd"], data["yd"])
    with pytest.raises(ValueError, match="KFold"):
        from sklearn.model_selection import KFold
        rd.LassoCV(cv=KFold(3, shuffle=True, random_state=0)).fit(data["Xd"], data["yd"])
    with pytest.raises(ValueError, match="solver"):
        rd.Ridge(solver="svd").fit(data["Xd"], data["yd"])
    with pytest.raises(ValueError, match="unknown partition sizes"):
        rd.Lasso().fit(data["Xd"][data["Xd"][:, 0] > 0], data["yd"])
    with pytest.raises(ValueError, match="NaN or infinite"):
        rd.Lasso().fit(da.where(data["Xd"] > 25, np.nan, data["Xd"]), data["yd"])
    with pytest.raises(ValueError, match="negative"):
        rd.Lasso().fit(data["Xd"], data["yd"], sample_weight=data["swd"] - 1)
    with pytest.raises(ValueError, match="sums to zero"):
        rd.Ridge().fit(data["Xd"], data["yd"], sample_weight=0.0)


def test_scalar_weight_and_params(client, data):
    """A scalar weight scales Ridge's loss (as in memory); the estimators clone."""
    from sklearn.base import clone
    model = rd.Ridge(alpha=300.0).fit(data["Xd"], data["yd"], sample_weight=0.5)
    close(model.coef_, regfast.Ridge(alpha=300.0).fit(data["X"], data["y"],
                                                      sample_weight=0.5).coef_)
    for est in [rd.Lasso(alpha=2.0), rd.ElasticNetCV(l1_ratio=[0.1, 0.5]), rd.LassoCV(cv=3),
                rd.RidgeCV(cv=4), rd.Ridge(alpha=2.0), rd.ElasticNet(l1_ratio=0.2)]:
        assert clone(est).get_params() == est.get_params()


def test_wide_data_is_refused_before_any_work(client):
    X = da.zeros((100, 20_000), chunks=(50, 20_000))
    watch(client)
    with pytest.raises(ValueError, match=r"20000 x 20000 Gram matrix of 3052 MiB.*SCALING\.md"):
        rd.Lasso().fit(X, da.zeros(100, chunks=50))
    assert report(client)["computed"] == {}


def test_larger_than_worker_memory_never_reaches_the_client(client):
    """X larger than any worker's memory limit, generated chunk-wise on the
    workers: one pass over it, and only the statistics reach the client."""
    n, p, rows = 2_600_000, 30, 100_000
    limits = [w["memory_limit"] for w in client.scheduler_info()["workers"].values()]
    rng = da.random.default_rng(42)
    X = rng.standard_normal((n, p), chunks=(rows, p))
    assert X.nbytes > max(limits)
    y = X @ da.from_array(np.linspace(-1, 1, p)) + 5 + rng.standard_normal(n, chunks=rows)
    watch(client)
    model = rd.LassoCV(cv=3, alphas=10).fit(X, y)
    moved = report(client)
    assert moved["computed"]["standard_normal"] == 2 * X.npartitions    # X and noise, once
    assert moved["to_client_keys"] == 1                                  # the statistics
    assert moved["to_client_bytes"] == model.stats_nbytes_ < 50_000
    assert model.n_partitions_ == X.npartitions
    close(model.coef_, np.linspace(-1, 1, p), rtol=1e-2)


def test_joblib_dask_backend_fans_out_memory_fits(client, data):
    """In-memory CV folds and a GridSearchCV over regfast estimators run as tasks
    on the cluster under joblib's dask backend, with the answers of threads."""
    import joblib
    X, y = data["X"], data["y"]
    grid = {"alpha": [0.01, 0.1, 1.0], "l1_ratio": [0.5, 1.0]}
    local = GridSearchCV(regfast.ElasticNet(), grid, cv=3).fit(X, y)
    cv_local = regfast.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3, n_jobs=2).fit(X, y)
    watch(client)
    with joblib.parallel_backend("dask"):
        remote = GridSearchCV(regfast.ElasticNet(), grid, cv=3).fit(X, y)
        cv_remote = regfast.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3).fit(X, y)
    computed = report(client)["computed"]
    assert sum(computed.values()) >= 6                 # the tasks ran on the cluster
    assert remote.best_params_ == local.best_params_
    np.testing.assert_allclose(remote.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"], rtol=1e-12)
    assert cv_remote.alpha_ == cv_local.alpha_
    np.testing.assert_allclose(cv_remote.mse_path_, cv_local.mse_path_, rtol=1e-12)


def test_statistics_keep_their_digits_under_large_offsets():
    """Partition-wise centring and Chan's merges (and the fold subtraction) keep
    X_c^T S X_c accurate where raw sums minus n m m^T would lose every digit."""
    from regfast.dask._stats import block_stats, merge_all, subtract
    rng = np.random.default_rng(5)
    X = rng.standard_normal((4000, 3)) + [1e6, -3e5, 0.0]
    y = X[:, 2] + rng.standard_normal(4000)
    sw = rng.uniform(0.5, 2.0, 4000)
    cuts = [0, 500, 1700, 1800, 4000]
    parts = [block_stats(X[a:b], y[a:b], sw[a:b]) for a, b in zip(cuts, cuts[1:])]
    total = merge_all(parts)
    Xc = X - np.average(X, axis=0, weights=sw)          # the two-pass reference
    close(total.xx, (Xc * sw[:, None]).T @ Xc, rtol=1e-10)
    rest = subtract(total, parts[1])
    keep = np.r_[0:500, 1700:4000]
    Xr = X[keep] - np.average(X[keep], axis=0, weights=sw[keep])
    close(rest.xx, (Xr * sw[keep, None]).T @ Xr, rtol=1e-10)
    raw = (X * sw[:, None]).T @ X - sw.sum() * np.outer(*[np.average(X, axis=0, weights=sw)] * 2)
    assert np.abs(raw - (Xc * sw[:, None]).T @ Xc).max() > 1e-5 * np.abs(total.xx).max()


def test_in_memory_input_is_fitted_in_memory(data):
    model = rd.Lasso(alpha=0.05).fit(data["X"], data["y"])
    close(model.coef_, regfast.Lasso(alpha=0.05).fit(data["X"], data["y"]).coef_, rtol=0)
    assert not hasattr(model, "n_partitions_")


def test_regfast_does_not_import_dask(tmp_path):
    """Without the [dask] extra nothing but regfast.dask needs dask."""
    code = textwrap.dedent("""
        import importlib, pkgutil, sys
        import regfast

        def walk(package):           # (pkgutil.walk_packages would import regfast.dask)
            for m in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
                if m.name not in ("regfast.dask", "regfast.__main__"):
                    module = importlib.import_module(m.name)
                    if m.ispkg:
                        walk(module)

        walk(regfast)
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed"))
        assert not bad, bad
        sys.modules["dask"] = None                   # as if dask were not installed
        try:
            import regfast.dask
        except ImportError as exc:
            assert "regfast[dask]" in str(exc), exc
        else:
            raise AssertionError("regfast.dask imported without dask")
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # cwd: not the repository root, whose source folder would shadow the package
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120,
                   cwd=tmp_path)
