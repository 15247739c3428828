"""Threads and determinism: the same input gives the same bits, however it is run.

The kernel runs without the GIL, so fits in concurrent Python threads really
overlap; they must not share mutable state.  Three guarantees are checked
bit for bit (``tobytes``, not a tolerance):

1. fits of different estimators run concurrently in many threads equal the
   same fits run one after another;
2. cross-validation with ``n_jobs=2`` equals ``n_jobs=1`` (every fitted
   array: paths, scores, chosen alpha/C, coefficients);
3. repeating a fit gives the same bits.

BLAS is left at its default thread count here (threads are the point): Gram
mode and the direct Ridge solvers call it, and a BLAS reduction split over a
different number of threads rounds differently.
"""

import concurrent.futures
import random

import numpy as np
import pytest
import scipy.sparse as sp
from threadpoolctl import threadpool_info

import regfast

N_THREADS = 8


def problems():
    """Regression and classification data in the layouts the kernel treats
    differently: dense F (float64/float32), CSC, and tall dense (Gram mode)."""
    rng = np.random.RandomState(0)
    wide = np.asfortranarray(rng.randn(120, 300))
    tall = np.asfortranarray(rng.randn(2000, 40))
    sparse = sp.random(200, 150, density=0.05, format="csc", random_state=1)
    w = np.zeros(300)
    w[:8] = rng.randn(8) * 3
    y_wide = wide @ w + rng.randn(120)
    y_tall = tall @ w[:40] + rng.randn(2000)
    y_sparse = sparse @ w[:150] + 0.1 * rng.randn(200)
    labels = (wide[:, :3].sum(axis=1) + rng.randn(120) > 0).astype(int)
    classes3 = np.digitize(wide[:, :2] @ [1.0, -1.0] + 0.5 * rng.randn(120), [-0.7, 0.7])
    return dict(wide=(wide, y_wide), wide32=(wide.astype(np.float32), y_wide),
                tall=(tall, y_tall), sparse=(sparse, y_sparse),
                binary=(wide, labels), multinomial=(wide[:, :50], classes3))


DATA = problems()
PF = np.r_[0.0, np.ones(299)]


def fit_tasks():
    """(name, callable returning the arrays to compare) for one fit each."""
    def fitted(est, key, **fit_params):
        X, y = DATA[key]
        est.fit(X, y, **fit_params)
        return [est.coef_, np.asarray(est.intercept_)]

    sw = np.random.RandomState(3).uniform(0.5, 2.0, 120)
    tasks = {
        "lasso_wide": lambda: fitted(regfast.Lasso(alpha=0.05, tol=1e-8), "wide"),
        "lasso_wide32": lambda: fitted(regfast.Lasso(alpha=0.05), "wide32"),
        "lasso_tall_gram": lambda: fitted(regfast.Lasso(alpha=0.01, tol=1e-8), "tall"),
        "enet_sparse": lambda: fitted(regfast.ElasticNet(alpha=0.005, l1_ratio=0.5,
                                                         tol=1e-8), "sparse"),
        "enet_weighted_pf": lambda: fitted(
            regfast.ElasticNet(alpha=0.1, l1_ratio=0.7, penalty_factor=PF,
                               positive=True), "wide", sample_weight=sw),
        "lasso_random": lambda: fitted(regfast.Lasso(alpha=0.05, selection="random",
                                                     random_state=0), "wide"),
        "ridge_chol": lambda: fitted(regfast.Ridge(alpha=1.0), "wide"),
        "ridge_tall": lambda: fitted(regfast.Ridge(alpha=1.0), "tall"),
        "ridge_cg_sparse": lambda: fitted(regfast.Ridge(alpha=1.0, solver="cg"), "sparse"),
        "ridge_cv": lambda: fitted(regfast.RidgeCV(alphas=np.logspace(-2, 3, 20)), "wide"),
        "logistic_l1": lambda: fitted(regfast.LogisticRegression(C=0.5, l1_ratio=1.0,
                                                                 tol=1e-8), "binary"),
        "logistic_l2": lambda: fitted(regfast.LogisticRegression(C=0.5), "binary"),
        "multinomial": lambda: fitted(regfast.LogisticRegression(C=0.2, l1_ratio=0.5),
                                      "multinomial"),
        "lasso_path": lambda: list(regfast.lasso_path(*DATA["wide"], alphas=30)),
        "logistic_path": lambda: list(regfast.logistic_path(*DATA["binary"], alphas=10)),
    }
    return tasks


def run_all(tasks, names):
    return {name: tasks[name]() for name in names}


def assert_same_bits(a, b, what):
    assert len(a) == len(b), what
    for x, y in zip(a, b):
        x, y = np.asarray(x), np.asarray(y)
        assert x.dtype == y.dtype and x.shape == y.shape, what
        assert x.tobytes() == y.tobytes(), (
            f"{what}: not bit-identical (max |diff| "
            f"{np.max(np.abs(x.astype(float) - y.astype(float))):.3g})")


def test_concurrent_fits_equal_sequential_fits():
    """Many threads, each fitting a different estimator (each task three
    times, shuffled): every result equals the sequential one, bit for bit."""
    tasks = fit_tasks()
    expected = run_all(tasks, tasks)
    order = [name for name in tasks for _ in range(3)]
    random.Random(0).shuffle(order)
    with concurrent.futures.ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        futures = [(name, pool.submit(tasks[name])) for name in order]
        for name, future in futures:
            assert_same_bits(future.result(), expected[name], f"{name} in a thread")


def test_repeated_fits_are_identical():
    """The same fit twice in a row gives the same bits (no hidden state)."""
    tasks = fit_tasks()
    first = run_all(tasks, tasks)
    second = run_all(tasks, tasks)
    for name in tasks:
        assert_same_bits(second[name], first[name], f"{name} repeated")


def cv_arrays(est):
    """Every fitted array of a CV estimator that n_jobs must not change."""
    names = ["coef_", "intercept_", "alpha_", "alphas_", "mse_path_", "l1_ratio_",
             "C_", "Cs_", "scores_", "coefs_paths_", "n_iter_", "dual_gap_"]
    return [np.asarray(getattr(est, n)) for n in names if hasattr(est, n)]


CV_CASES = {
    "lasso_cv": (lambda n_jobs: regfast.LassoCV(cv=4, n_jobs=n_jobs), "wide"),
    "lasso_cv_gram": (lambda n_jobs: regfast.LassoCV(cv=3, n_jobs=n_jobs), "tall"),
    "lasso_cv_sparse": (lambda n_jobs: regfast.LassoCV(cv=3, n_jobs=n_jobs), "sparse"),
    "lasso_cv_f32": (lambda n_jobs: regfast.LassoCV(cv=3, n_jobs=n_jobs), "wide32"),
    "enet_cv": (lambda n_jobs: regfast.ElasticNetCV(l1_ratio=[0.2, 0.7, 1.0], cv=3,
                                                    n_jobs=n_jobs), "wide"),
    "enet_cv_gram": (lambda n_jobs: regfast.ElasticNetCV(l1_ratio=[0.5, 0.9], cv=3,
                                                         n_jobs=n_jobs), "tall"),
    "logistic_cv": (lambda n_jobs: regfast.LogisticRegressionCV(
        Cs=6, l1_ratios=[0.5, 1.0], cv=3, n_jobs=n_jobs, scoring=None,
        use_legacy_attributes=False), "binary"),
    "logistic_cv_multinomial": (lambda n_jobs: regfast.LogisticRegressionCV(
        Cs=4, l1_ratios=[0.0, 1.0], cv=3, n_jobs=n_jobs, scoring=None,
        use_legacy_attributes=False), "multinomial"),
}


@pytest.mark.parametrize("case", list(CV_CASES))
def test_cv_n_jobs_is_bit_identical(case):
    """n_jobs=2 (folds in threads, BLAS pinned to one thread) gives exactly
    the arrays of n_jobs=1, and so does a repeat of either."""
    make, key = CV_CASES[case]
    X, y = DATA[key]
    one = cv_arrays(make(1).fit(X, y))
    two = cv_arrays(make(2).fit(X, y))
    assert_same_bits(two, one, f"{case}: n_jobs=2 vs n_jobs=1")
    assert_same_bits(cv_arrays(make(2).fit(X, y)), two, f"{case}: n_jobs=2 repeated")


def blas_threads():
    return [(i["internal_api"], i["num_threads"]) for i in threadpool_info()
            if i["user_api"] == "blas"]


def test_cv_in_concurrent_threads():
    """CV estimators with n_jobs=2 inside concurrent user threads (nested
    pools) give the bits of the same fits run one after another, and leave
    BLAS's thread count as they found it.

    The reference runs in a worker thread too: OpenBLAS rounds some products
    differently in the main thread and in other threads, whatever the thread
    count (its buffers differ), which is outside regfast's control.  Before
    the BLAS pin was reference-counted, concurrent CV fits restored the
    thread count while others still ran their folds, and could leave it at 1.
    """
    names = ["lasso_cv", "enet_cv_gram", "logistic_cv", "lasso_cv_sparse"]
    before = blas_threads()

    def job(name, n_jobs):
        make, key = CV_CASES[name]
        return cv_arrays(make(n_jobs).fit(*DATA[key]))

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        expected = {name: pool.submit(job, name, 1).result() for name in names}
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = [(name, pool.submit(job, name, 2)) for name in names * 2]
        for name, future in futures:
            assert_same_bits(future.result(), expected[name], f"{name} nested")
    assert blas_threads() == before


@pytest.mark.parametrize("case", ["lasso_cv", "lasso_cv_sparse", "enet_cv", "logistic_cv"])
def test_cv_in_a_worker_thread_equals_the_main_thread(case):
    """The fold intercepts came from BLAS's gemv (xm @ coefs), and the held-out
    predictions from its gemm (X[test] @ coefs), which rounded differently in
    the main thread and in worker threads (numpy 2.4's OpenBLAS: 7e-15):
    mse_path_ changed with the calling thread.  Both are einsums now."""
    make, key = CV_CASES[case]
    main = cv_arrays(make(1).fit(*DATA[key]))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        worker = pool.submit(lambda: cv_arrays(make(1).fit(*DATA[key]))).result()
    assert_same_bits(worker, main, f"{case}: worker thread vs main thread")
