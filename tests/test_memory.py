"""X is not copied when it is usable as is, and the caller's arrays are never written to.

Allocations are measured with tracemalloc, which sees every numpy array
allocation (and so any copy of X); the kernel's own O(n + p) work buffers are
C mallocs it does not see, which is fine: the question here is copies of X.
Problems are sized so that X (tens of MB) dwarfs the O(n + p) state and a
large alpha keeps the fits quick.
"""

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

from regfast import ElasticNet, Lasso


def fit_peak(est, X, y, **fit_params):
    """Peak traced memory (bytes) allocated during est.fit(X, y)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        est.fit(X, y, **fit_params)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def nbytes(X):
    """Memory held by X's arrays (dense or compressed sparse)."""
    if sp.issparse(X):
        X = X.tocsc() if X.format == "coo" else X
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return X.nbytes


def large_alpha(X, y):
    """Half of alpha_max: few non-zeros, a fast fit, still a real one."""
    yc = y - y.mean()
    Xty = X.T @ yc
    return 0.5 * np.abs(Xty).max() / len(y)


@pytest.fixture(scope="module")
def wide_dense():
    """n=2000 x p=2500, F-ordered float64 (40 MB): off Gram mode (n < 2p)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2500, 2000)).T          # F-ordered without a copy
    y = X[:, :5] @ np.arange(1.0, 6.0) + rng.standard_normal(2000)
    return X, y, rng.uniform(0.5, 2.0, 2000)


@pytest.fixture(scope="module")
def wide_sparse():
    """n=2000 x p=2500 CSC, density 0.05 (about 3 MB)."""
    rng = np.random.default_rng(1)
    X = sp.random(2000, 2500, density=0.05, format="csc", random_state=1)
    y = X[:, :5] @ np.arange(1.0, 6.0) + rng.standard_normal(2000)
    return X, y, rng.uniform(0.5, 2.0, 2000)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_fortran_dense_is_not_copied(wide_dense, dtype, fit_intercept, weighted):
    X, y, sw = wide_dense
    X = X if dtype == np.float64 else X.astype(np.float32, order="F")
    est = Lasso(alpha=large_alpha(X, y), fit_intercept=fit_intercept)
    peak = fit_peak(est, X, y, sample_weight=sw if weighted else None)
    assert peak < 0.25 * X.nbytes, f"fit allocated {peak / X.nbytes:.2f} x X.nbytes"
    assert est.coef_.dtype == dtype and np.count_nonzero(est.coef_) > 0


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_csc_is_not_copied(wide_sparse, dtype, fit_intercept, weighted):
    X, y, sw = wide_sparse
    X = X.astype(dtype)
    est = Lasso(alpha=large_alpha(X, y), fit_intercept=fit_intercept)
    peak = fit_peak(est, X, y, sample_weight=sw if weighted else None)
    assert peak < 0.25 * nbytes(X), f"fit allocated {peak / nbytes(X):.2f} x X's size"
    assert est.coef_.dtype == dtype and np.count_nonzero(est.coef_) > 0


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_dense_gram_mode_allocates_gram_not_x(dtype):
    """Gram mode (n > 2p): the p x p matrix and a bounded row block, no copy of X."""
    rng = np.random.default_rng(2)
    n, p = 10_000, 200
    X = rng.standard_normal((p, n)).T.astype(dtype, order="F")
    y = X[:, :5] @ np.arange(1.0, 6.0) + rng.standard_normal(n)
    est = ElasticNet(alpha=0.1 * large_alpha(X, y), precompute="auto")
    peak = fit_peak(est, X, y, sample_weight=rng.uniform(0.5, 2.0, n))
    assert peak < 0.35 * X.nbytes, f"fit allocated {peak / X.nbytes:.2f} x X.nbytes"


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_sparse_gram_mode_does_not_copy_x(weighted):
    """precompute=True with CSC X: the p x p Gram matrix only, no copy of X."""
    rng = np.random.default_rng(3)
    n, p = 100_000, 50
    X = sp.random(n, p, density=0.1, format="csc", random_state=3)
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    est = Lasso(alpha=0.1 * large_alpha(X, y), precompute=True)
    peak = fit_peak(est, X, y, sample_weight=rng.uniform(0.5, 2.0, n) if weighted else None)
    # the solver may hold O(n + p) vectors (DESIGN.md's lean bar) and the Gram
    # matrix; here X is only ~8 float64 n-vectors, so count them explicitly
    assert peak < 0.25 * nbytes(X) + 4 * p * p * 8 + 4 * n * 8, (
        f"fit allocated {peak / nbytes(X):.2f} x X's size")


@pytest.mark.parametrize("layout", ["C_dense", "csr", "coo"])
def test_other_layouts_are_copied_at_most_once(wide_dense, wide_sparse, layout):
    if layout == "C_dense":
        X, y, _ = wide_dense
        X = np.ascontiguousarray(X)
    else:
        X, y, _ = wide_sparse
        X = X.asformat(layout)
    est = Lasso(alpha=large_alpha(X, y))
    peak = fit_peak(est, X, y)
    assert peak < 1.25 * nbytes(X), f"fit allocated {peak / nbytes(X):.2f} x X's size"


def read_only(a):
    """A read-only copy of a, in the same memory layout."""
    a = a.copy(order="K")
    a.setflags(write=False)
    return a


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_read_only_arrays(wide_dense, wide_sparse, sparse):
    X, y, sw = wide_sparse if sparse else wide_dense
    alpha = large_alpha(X, y)
    expected = Lasso(alpha=alpha).fit(X, y, sample_weight=sw)
    if sparse:
        X_ro = sp.csc_matrix((read_only(X.data), read_only(X.indices), read_only(X.indptr)),
                             shape=X.shape)
    else:
        X_ro = read_only(X)
    est = Lasso(alpha=alpha)
    peak = fit_peak(est, X_ro, read_only(y), sample_weight=read_only(sw))
    assert peak < 0.25 * nbytes(X_ro)
    np.testing.assert_array_equal(est.coef_, expected.coef_)
    assert est.intercept_ == expected.intercept_


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_memory_mapped_array(tmp_path, wide_dense, dtype):
    X, y, sw = wide_dense
    X = X.astype(dtype, order="F")
    mm = np.memmap(tmp_path / "X.dat", dtype=dtype, mode="w+", shape=X.shape, order="F")
    mm[:] = X
    mm.flush()
    del mm
    X_mm = np.memmap(tmp_path / "X.dat", dtype=dtype, mode="r", shape=X.shape, order="F")
    alpha = large_alpha(X, y)
    expected = Lasso(alpha=alpha).fit(X, y, sample_weight=sw)
    est = Lasso(alpha=alpha)
    peak = fit_peak(est, X_mm, y, sample_weight=sw)
    assert peak < 0.25 * X.nbytes, f"fit allocated {peak / X.nbytes:.2f} x X.nbytes"
    np.testing.assert_array_equal(est.coef_, expected.coef_)


# ---------------------------------------------------------------------------
# The caller's arrays are never modified
# ---------------------------------------------------------------------------

def snapshot(a):
    """Bitwise copies of the arrays a fit could write to."""
    if not sp.issparse(a):
        return [np.array(a, copy=True)]
    parts = (a.data, a.row, a.col) if a.format == "coo" else (a.data, a.indices, a.indptr)
    return [np.array(x, copy=True) for x in parts]


def assert_bitwise_equal(before, after):
    for b, a in zip(before, after):
        assert b.dtype == a.dtype and b.shape == a.shape
        assert b.tobytes() == a.tobytes(), "a caller's array was modified by fit"


def non_canonical_csc(X):
    """The same matrix with unsorted row indices and split (duplicate) entries."""
    coo = X.tocoo()
    half = coo.data / 2
    rows = np.concatenate([coo.row, coo.row])[::-1]
    cols = np.concatenate([coo.col, coo.col])[::-1]
    vals = np.concatenate([half, coo.data - half])[::-1]
    order = np.argsort(cols, kind="stable")
    counts = np.bincount(cols, minlength=X.shape[1])
    indptr = np.concatenate([[0], np.cumsum(counts)])
    M = sp.csc_matrix((vals[order], rows[order].astype(np.int32), indptr), shape=X.shape)
    assert not M.has_canonical_format
    return M


LAYOUTS = ["F_dense", "C_dense", "F_dense_f32", "csc", "csr", "coo", "csc_non_canonical"]


def make_layout(layout, seed=0):
    rng = np.random.RandomState(seed)
    X = sp.random(80, 40, density=0.3, format="csc", random_state=rng)
    y = X @ rng.randn(40) + 2 + rng.randn(80)
    if layout == "F_dense":
        X = np.asfortranarray(X.toarray())
    elif layout == "C_dense":
        X = X.toarray()
    elif layout == "F_dense_f32":
        X, y = np.asfortranarray(X.toarray(), dtype=np.float32), y.astype(np.float32)
    elif layout == "csc_non_canonical":
        X = non_canonical_csc(X)
    else:
        X = X.asformat(layout)
    return X, y, rng.uniform(0.1, 3.0, 80)


@pytest.mark.parametrize("precompute", [False, True, "gram_array"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_inputs_are_not_modified(layout, precompute):
    """X, y, sample_weight, penalty_factor and a user Gram matrix are left bitwise intact."""
    X, y, sw = make_layout(layout)
    pf = np.linspace(0.5, 2.0, X.shape[1])
    if precompute == "gram_array":
        Xd = X.toarray() if sp.issparse(X) else np.asarray(X, np.float64)
        s = sw * (len(sw) / sw.sum())
        Xc = Xd - s @ Xd / s.sum()
        precompute = np.asfortranarray(Xc.T @ (s[:, None] * Xc))
    arrays = [X, y, sw, pf] + ([precompute] if isinstance(precompute, np.ndarray) else [])
    before = [snapshot(a) for a in arrays]
    canonical = X.has_canonical_format if sp.issparse(X) else None
    ElasticNet(alpha=0.01, l1_ratio=0.7, precompute=precompute, positive=True,
               penalty_factor=pf).fit(X, y, sample_weight=sw)
    for b, a in zip(before, arrays):
        assert_bitwise_equal(b, snapshot(a))
    if sp.issparse(X):
        assert X.has_canonical_format == canonical


def test_non_canonical_csc_gives_the_canonical_answer():
    X, y, sw = make_layout("csc")
    est = Lasso(alpha=0.01, tol=1e-12).fit(X, y, sample_weight=sw)
    est_nc = Lasso(alpha=0.01, tol=1e-12).fit(non_canonical_csc(X), y, sample_weight=sw)
    np.testing.assert_allclose(est_nc.coef_, est.coef_, rtol=0, atol=1e-10)


# ---------------------------------------------------------------------------
# O(n + p) beyond X: a memory-mapped float32 X (benchmarks/memory_mmap.py
# measures the same at n=200000, p=2000, with RSS as well)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("what", ["lasso", "lasso_path", "lasso_weighted"])
def test_memory_mapped_fit_allocates_O_n_plus_p(tmp_path, what):
    """A fit on a float32 memmap with a small support allocates a few n- and
    p-vectors (traced numpy memory), not anything of X's size (40 MB here)."""
    from regfast import lasso_path
    n, p = 50_000, 200
    rng = np.random.default_rng(5)
    mm = np.memmap(tmp_path / "X.f32", dtype=np.float32, mode="w+", shape=(n, p),
                   order="F")
    for start in range(0, p, 50):
        mm[:, start:start + 50] = rng.standard_normal((50, n), dtype=np.float32).T
    y = np.asarray(mm[:, :3], dtype=np.float64) @ [2.0, -1.0, 0.5] + rng.standard_normal(n)
    mm.flush()
    del mm
    X = np.memmap(tmp_path / "X.f32", dtype=np.float32, mode="r", shape=(n, p), order="F")
    sw = rng.uniform(0.5, 2.0, n) if what == "lasso_weighted" else None
    alpha = large_alpha(X, y)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        if what == "lasso_path":
            _, coefs, _ = lasso_path(X, y, alphas=np.geomspace(2 * alpha, alpha, 5),
                                     precompute=False, fit_intercept=True)
            nnz = np.count_nonzero(coefs[:, -1])
        else:
            nnz = np.count_nonzero(Lasso(alpha=alpha, precompute=False).fit(
                X, y, sample_weight=sw).coef_)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert 0 < nnz < 10
    # a handful of float64 n- and p-vectors: y, weights, the centred target,
    # residual; 4 of them is the measured figure, with room
    budget = 8 * (n + p) * 8
    assert peak < budget, (f"fit allocated {peak / 2**20:.1f} MiB, more than "
                           f"8 (n + p) float64 vectors ({budget / 2**20:.1f} MiB)")
