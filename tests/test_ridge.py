"""regfast.Ridge against the closed form (numpy) and scikit-learn's Ridge."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import nnls
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge as SkRidge
from sklearn.utils.estimator_checks import parametrize_with_checks

from regfast import Ridge

SOLVERS = ["auto", "cholesky", "svd", "cg", "lsqr", "cd"]
# every solver on dense X, every solver but 'svd' on sparse X (TypeError, tested below)
SOLVER_STORAGE = [(s, False) for s in SOLVERS] + [(s, True) for s in SOLVERS if s != "svd"]


def closed_form(X, Y, alphas, sw, fit_intercept):
    """Ridge by explicit centring and np.linalg.solve of the normal equations.

    (X^T S X + a I)^-1 X^T S y when n >= p, else its dual form
    X^T S^1/2 (S^1/2 X X^T S^1/2 + a I)^-1 S^1/2 y (X, y centred).
    """
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    X, Y = X.astype(np.float64), Y.astype(np.float64).reshape(len(X), -1)
    s = np.ones(len(X)) if sw is None else sw
    xm = s @ X / s.sum() if fit_intercept else np.zeros(X.shape[1])
    ym = s @ Y / s.sum() if fit_intercept else np.zeros(Y.shape[1])
    Z, z = np.sqrt(s)[:, None] * (X - xm), np.sqrt(s)[:, None] * (Y - ym)
    if X.shape[0] >= X.shape[1]:
        A, B, I = Z.T @ Z, Z.T @ z, np.eye(X.shape[1])
        coef = np.array([np.linalg.solve(A + a * I, B[:, t]) for t, a in enumerate(alphas)])
    else:
        K, I = Z @ Z.T, np.eye(X.shape[0])
        coef = np.array([Z.T @ np.linalg.solve(K + a * I, z[:, t]) for t, a in enumerate(alphas)])
    return coef, ym - coef @ xm


def make_data(n, p, n_targets, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + rng.uniform(-3, 3, p)       # non-centred columns
    X[rng.rand(n, p) < 0.5] = 0.0                      # sparse-ish
    W = rng.randn(p, n_targets)
    Y = X @ W + 0.5 * rng.randn(n, n_targets) + 2.0
    return X, Y, rng.uniform(0.2, 3.0, n)


def as_input(X, sparse, dtype):
    X = X.astype(dtype)
    return sp.csc_matrix(X) if sparse else np.asfortranarray(X)


@pytest.mark.parametrize("shape", [(40, 8), (12, 30)], ids=["tall", "wide"])
@pytest.mark.parametrize("multi", [False, True], ids=["1target", "2targets"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "nointercept"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver, sparse", SOLVER_STORAGE,
                         ids=[f"{s}-{'sparse' if sp_ else 'dense'}" for s, sp_ in SOLVER_STORAGE])
def test_matches_closed_form_and_sklearn(solver, sparse, dtype, fit_intercept,
                                         weighted, multi, shape):
    X, Y, sw = make_data(*shape, n_targets=2)
    y = Y if multi else Y[:, 0]
    alpha = np.array([0.7, 5.0]) if multi else 0.7
    sw = sw if weighted else None
    Xi = as_input(X, sparse, dtype)
    X_before = Xi.copy()
    # cd stops on the duality gap, which bounds the squared coefficient error
    tol = (1e-16 if dtype == np.float64 else 1e-8) if solver == "cd" else 1e-12
    model = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver=solver,
                  tol=tol, max_iter=20000).fit(Xi, y.astype(dtype), sample_weight=sw)

    coef, intercept = closed_form(X.astype(dtype), y, np.broadcast_to(alpha, (Y.shape[1] if multi else 1,)),
                                  sw, fit_intercept)
    rtol = 2e-3 if dtype == np.float32 else (1e-6 if solver == "cd" else 1e-7)
    assert model.coef_.dtype == dtype
    assert model.coef_.shape == ((2, shape[1]) if multi else (shape[1],))
    scale = np.abs(coef).max()
    np.testing.assert_allclose(model.coef_.reshape(coef.shape), coef, rtol=0, atol=rtol * scale)
    np.testing.assert_allclose(np.reshape(model.intercept_, -1),
                               intercept if fit_intercept else 0.0,
                               rtol=0, atol=rtol * max(1.0, np.abs(intercept).max()))

    # scikit-learn on the same (float64) problem: same objective and scaling
    ref = SkRidge(alpha=alpha, fit_intercept=fit_intercept,
                  solver="sparse_cg" if sparse else "svd", tol=1e-12).fit(
        as_input(X, sparse, np.float64), y, sample_weight=sw)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=0, atol=rtol * scale)
    assert np.shape(model.intercept_) == np.shape(ref.intercept_)
    np.testing.assert_allclose(model.predict(Xi), ref.predict(as_input(X, sparse, np.float64)),
                               rtol=0, atol=rtol * np.abs(y).max() * 10)
    # caller's data untouched
    if sparse:
        assert (Xi != X_before).nnz == 0
    else:
        np.testing.assert_array_equal(Xi, X_before)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_positive_matches_nnls(sparse, fit_intercept):
    """positive=True: nonnegative least squares on the augmented system."""
    X, Y, sw = make_data(30, 10, 1, seed=3)
    y = Y[:, 0] - 3 * X[:, 0]             # some coefficients want to be negative
    alpha = 2.0
    model = Ridge(alpha=alpha, positive=True, fit_intercept=fit_intercept,
                  tol=1e-12, max_iter=100000).fit(as_input(X, sparse, np.float64), y,
                                                   sample_weight=sw)
    s = sw
    xm = s @ X / s.sum() if fit_intercept else np.zeros(X.shape[1])
    ym = s @ y / s.sum() if fit_intercept else 0.0
    A = np.vstack([np.sqrt(s)[:, None] * (X - xm), np.sqrt(alpha) * np.eye(X.shape[1])])
    b = np.concatenate([np.sqrt(s) * (y - ym), np.zeros(X.shape[1])])
    w_ref = nnls(A, b)[0]
    assert model.solver_ == "cd"
    assert np.min(model.coef_) >= 0 and np.sum(w_ref == 0) > 0
    np.testing.assert_allclose(model.coef_, w_ref, rtol=0, atol=1e-7 * np.abs(w_ref).max())
    np.testing.assert_allclose(model.intercept_, ym - xm @ w_ref, atol=1e-6)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("shape", [(30, 40), (40, 10)])
def test_alpha_zero_rank_deficient_is_min_norm(sparse, shape):
    """alpha=0 with a singular Gram matrix: the minimum-norm least-squares solution."""
    rng = np.random.RandomState(1)
    n, p = shape
    X = rng.randn(n, 5) @ rng.randn(5, p)              # rank 5
    y = rng.randn(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Ridge(alpha=0.0, fit_intercept=False, solver="cholesky").fit(
            as_input(X, sparse, np.float64), y)
    w_ref = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(X @ model.coef_, X @ w_ref, atol=1e-6)
    np.testing.assert_allclose(model.coef_, w_ref, atol=1e-6)


def test_auto_solver_choice():
    X, Y, _ = make_data(40, 8, 1)
    assert Ridge().fit(X, Y[:, 0]).solver_ == "cholesky"
    assert Ridge(positive=True).fit(X, Y[:, 0]).solver_ == "cd"
    assert Ridge(solver="sparse_cg").fit(X, Y[:, 0]).solver_ == "sparse_cg"   # as asked
    # sparse, alpha = 0: no certificate for CG, so the direct route
    Xs = sp.csc_matrix(X)
    assert Ridge(alpha=0.0).fit(Xs, Y[:, 0]).solver_ in ("cholesky", "gram_lstsq")


def one_hot_design(n, n_groups, n_players, k, seed):
    """Rows of one group indicator and k player indicators (skewed popularity):
    the ill-conditioned sparse design of sports and ads models."""
    rng = np.random.default_rng(seed)
    pop = rng.pareto(1.2, n_players) + 1
    players = rng.choice(n_players, (n, k), p=pop / pop.sum())
    cols = np.column_stack([rng.integers(0, n_groups, n), n_groups + players])
    X = sp.csr_matrix((np.ones(cols.size), (np.repeat(np.arange(n), k + 1), cols.ravel())),
                      shape=(n, n_groups + n_players)).tocsc()
    X.sum_duplicates()
    return X, X @ rng.standard_normal(X.shape[1]) + rng.standard_normal(n)


def exact_ridge(X, y, alpha, fit_intercept=True):
    """numpy's least squares on the dense, centred design stacked on
    sqrt(alpha) I: backward stable, so accurate to cond(X) eps (the normal
    equations would square that)."""
    Xd = X.toarray() if sp.issparse(X) else X
    if fit_intercept:
        Xd, y = Xd - Xd.mean(0), y - y.mean()
    p = Xd.shape[1]
    A = np.vstack([Xd, np.sqrt(alpha) * np.eye(p)])
    return np.linalg.lstsq(A, np.r_[y, np.zeros(p)], rcond=None)[0]


@pytest.mark.parametrize("case", ["one-hot tall", "one-hot wide", "random wide",
                                  "tiny alpha"])
def test_auto_is_exact_on_sparse(case):
    """solver='auto' gives the coefficients to 1e-8 relative, whatever tol
    (where the normal equations allow it: cond(X^T X + alpha I) eps < 1e-8)."""
    alpha = 1.0
    if case == "one-hot tall":
        X, y = one_hot_design(3000, 30, 200, 8, 0)
    elif case == "one-hot wide":
        X, y = one_hot_design(150, 10, 400, 6, 1)
    elif case == "random wide":
        X = sp.random(300, 3000, density=0.05, format="csc", random_state=0)
        y = np.random.RandomState(0).randn(300)
    else:
        X, y = one_hot_design(2000, 20, 150, 8, 2)
        alpha = 1e-3        # cond ~ 1e7 (the centred group indicators are collinear)
    ref = exact_ridge(X, y, alpha)
    model = Ridge(alpha=alpha, tol=1e-2).fit(X, y)
    err = np.linalg.norm(model.coef_ - ref) / np.linalg.norm(ref)
    assert err < 1e-8, (model.solver_, model.n_iter_, err)


@pytest.mark.parametrize("tol", [1e-3, 1e-6])
@pytest.mark.parametrize("wide", [False, True])
def test_cg_tol_bounds_the_coefficient_error(tol, wide):
    """'cg' stops when ||w - w*|| <= tol ||w|| is certified."""
    X, y = one_hot_design(120, 10, 300, 6, 3) if wide else one_hot_design(2000, 20, 150, 8, 4)
    for alpha in (1e-2, 1.0, 100.0):
        ref = exact_ridge(X, y, alpha)
        model = Ridge(alpha=alpha, solver="cg", tol=tol).fit(X, y)
        err = np.linalg.norm(model.coef_ - ref) / np.linalg.norm(model.coef_)
        assert err <= tol, (alpha, model.n_iter_, err)


@pytest.mark.parametrize("p", [3, 8, 30])
def test_badly_scaled_columns_stay_on_cholesky_and_exact(p):
    """Features in units four decades apart make Z^T Z's condition ~1e9,
    beyond what certifies 1e-8 by itself, but Cholesky is invariant under
    diagonal scaling: the equilibrated condition times the spread of the
    scales certifies it (before: an SVD of X, a copy of it, 3x the time)."""
    rng = np.random.default_rng(3)
    X = np.asfortranarray(rng.standard_normal((400, p)) * np.logspace(0, 4, p) + 5.0)
    y = X @ rng.standard_normal(p) + rng.standard_normal(400)
    model = Ridge(alpha=1.0).fit(X, y)
    assert model.solver_ == "cholesky"
    ref = exact_ridge(X, y, 1.0)
    assert np.linalg.norm(model.coef_ - ref) <= 1e-8 * np.linalg.norm(ref)


@pytest.mark.parametrize("offset", [0.0, 3.0, 1e6])
def test_dual_cholesky_centres_exactly_whatever_the_means(offset):
    """Dense p > n: the kernel matrix comes from syrk on X itself with a
    rank-two centring correction while the means are small next to the
    spread, else from centred blocks (columns ~ 1e6 + noise would lose
    12 digits to cancellation in the correction)."""
    rng = np.random.default_rng(0)
    X = np.asfortranarray(offset + rng.standard_normal((20, 60)))
    y = X[:, :5] @ rng.standard_normal(5) + rng.standard_normal(20)
    ref = exact_ridge(X, y, 0.5)
    model = Ridge(alpha=0.5).fit(X, y)
    assert model.solver_ == "cholesky"
    np.testing.assert_allclose(model.coef_, ref, rtol=1e-8, atol=1e-10 * np.abs(ref).max())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", [(30, 12), (9, 25)], ids=["tall", "wide"])
@pytest.mark.parametrize("sparse", [True, False], ids=["csc", "dense"])
def test_normal_equation_products(sparse, shape, fit_intercept, weighted, dtype):
    """The product of one conjugate-gradient iteration against explicit dense
    algebra: Z^T Z V and Z Z^T V (Z centred and weighted), with an empty
    column, a constant column (centred exactly zero) and five vectors (the
    dense kernel takes four at a time)."""
    from regfast._ridge_design import RidgeDesign

    rng = np.random.RandomState(0)
    n, p = shape
    X = rng.randn(n, p) * (rng.rand(n, p) < 0.4)
    X[:, 1] = 0.0
    X[:, 2] = 3.0
    sw = rng.uniform(0.2, 3.0, n) if weighted else None
    Xd = X.astype(dtype)
    design = RidgeDesign(sp.csc_matrix(Xd) if sparse else np.asfortranarray(Xd), sw,
                         fit_intercept)
    s = np.ones(n) if sw is None else sw
    xm = s @ X / s.sum() if fit_intercept else np.zeros(p)
    Z = np.sqrt(s)[:, None] * (X - xm)
    if fit_intercept:
        Z[:, 2] = 0.0
    inv, alphas = 0.5, np.array([0.0, 0.3, 2.0, 1.0, 0.1])
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    for dual, A in ((True, Z @ Z.T), (False, Z.T @ Z)):
        V = rng.randn(len(A), 5).astype(dtype)
        got = design.normal_apply(V, dual, inv, alphas)
        want = inv * inv * A @ V.astype(np.float64) + V * alphas
        assert got.dtype == dtype and got.shape == V.shape
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.abs(want).max())


@pytest.mark.parametrize("y_shape", ["1d", "column", "2targets"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_attribute_shapes_as_sklearn(y_shape, fit_intercept):
    X, Y, _ = make_data(20, 4, 2)
    y = {"1d": Y[:, 0], "column": Y[:, :1], "2targets": Y}[y_shape]
    ours = Ridge(fit_intercept=fit_intercept).fit(X, y)
    ref = SkRidge(fit_intercept=fit_intercept).fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    assert ours.predict(X).shape == ref.predict(X).shape


@pytest.mark.parametrize("solver, sparse", SOLVER_STORAGE)
def test_constant_target_column(solver, sparse):
    """A constant target (zero after centring) next to a real one: coef 0 there."""
    X, Y, _ = make_data(30, 6, 1)
    Y = np.column_stack([np.full(30, 4.0), Y[:, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = Ridge(solver=solver, tol=1e-12).fit(as_input(X, sparse, np.float64), Y)
    coef, intercept = closed_form(X, Y, [1.0, 1.0], None, True)
    np.testing.assert_allclose(model.coef_[0], 0.0, atol=1e-12)
    np.testing.assert_allclose(model.intercept_[0], 4.0)
    np.testing.assert_allclose(model.coef_, coef, atol=1e-6 * np.abs(coef).max())


def test_float32_stays_float32():
    X, Y, sw = make_data(30, 6, 2)
    X32 = np.asfortranarray(X, dtype=np.float32)
    for solver in SOLVERS:
        m = Ridge(solver=solver).fit(X32, Y.astype(np.float32), sample_weight=sw)
        assert m.coef_.dtype == np.float32 and m.intercept_.dtype == np.float32
        assert m.predict(X32).dtype == np.float32


@pytest.mark.parametrize("case", ["dense-primal", "dense-dual", "sparse-cg", "sparse-lsqr"])
def test_X_is_not_copied(case):
    """Peak memory of a fit stays well below the size of X (no copy of X)."""
    rng = np.random.RandomState(0)
    if case == "dense-primal":
        X, solver = np.asfortranarray(rng.randn(100000, 50)), "auto"
    elif case == "dense-dual":
        X, solver = np.asfortranarray(rng.randn(300, 12000)), "auto"
    else:
        X = sp.random(2000, 5000, density=0.1, format="csc", random_state=0,
                      data_rvs=rng.randn)
        solver = case.split("-")[1]
    y = rng.randn(X.shape[0])
    sw = rng.rand(X.shape[0]) + 0.5
    size = X.data.nbytes if sp.issparse(X) else X.nbytes
    Ridge(solver=solver).fit(X, y, sample_weight=sw)   # warm imports and caches
    tracemalloc.start()
    Ridge(solver=solver).fit(X, y, sample_weight=sw)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 0.5 * size, f"peak {peak} bytes for X of {size} bytes"


def test_cg_convergence_warning():
    X, Y, _ = make_data(40, 30, 1)
    with pytest.warns(ConvergenceWarning, match="conjugate gradients"):
        Ridge(solver="cg", max_iter=1, alpha=1e-6).fit(sp.csc_matrix(X), Y[:, 0])


def test_readonly_and_c_ordered_input():
    X, Y, _ = make_data(30, 5, 1)
    Xr = np.array(X)
    Xr.flags.writeable = False
    ref = closed_form(X, Y[:, 0], [1.0], None, True)[0][0]
    np.testing.assert_allclose(Ridge().fit(Xr, Y[:, 0]).coef_, ref, rtol=1e-8)
    np.testing.assert_allclose(Ridge().fit(sp.csr_matrix(X), Y[:, 0]).coef_, ref, rtol=1e-6)


@pytest.mark.parametrize("kwargs, fit_kwargs, exc, match", [
    ({"alpha": -1.0}, {}, ValueError, "alpha must be non-negative"),
    ({"alpha": np.nan}, {}, ValueError, "alpha must be finite"),
    ({"alpha": "big"}, {}, TypeError, "alpha must be a number"),
    ({"alpha": [1.0, 2.0, 3.0]}, {}, ValueError, "do not correspond: 3 != 2"),
    ({"alpha": [1.0, -2.0]}, {}, ValueError, "alpha must be non-negative"),
    ({"solver": "magic"}, {}, ValueError, "solver must be one of"),
    ({"solver": "cholesky", "positive": True}, {}, ValueError, "does not support positive"),
    ({"tol": -1.0}, {}, ValueError, "tol must be in"),
    ({"max_iter": 0}, {}, ValueError, "max_iter must be in"),
    ({}, {"sample_weight": -np.ones(20)}, ValueError, "sample_weight has negative"),
    ({}, {"sample_weight": np.ones(3)}, ValueError, "sample_weight has shape"),
])
def test_bad_input(kwargs, fit_kwargs, exc, match):
    X, Y, _ = make_data(20, 4, 2)
    with pytest.raises(exc, match=match):
        Ridge(**kwargs).fit(X, Y, **fit_kwargs)


def test_bad_data():
    X, Y, _ = make_data(20, 4, 1)
    # scikit-learn's error types: ValueError with an intercept, else TypeError
    for fit_intercept, error in [(True, ValueError), (False, TypeError)]:
        with pytest.raises(error, match="solver='svd' does not support sparse X"):
            Ridge(solver="svd", fit_intercept=fit_intercept).fit(sp.csc_matrix(X), Y[:, 0])
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Ridge().fit(Xn, Y[:, 0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Ridge().fit(X, Y[:5, 0])
    # other sparse formats are converted, as scikit-learn's
    np.testing.assert_allclose(Ridge().fit(sp.dok_matrix(X), Y[:, 0]).coef_,
                               Ridge().fit(X, Y[:, 0]).coef_, rtol=1e-6)


REAL_SETS = [
    ("cadata", 3000, None),            # dense tall, features on very different scales
    ("leukemia", None, 2000),          # dense wide
    ("news20", 800, 3000),             # sparse wide (tf-idf)
    ("adult_a9a", 1500, None),         # sparse tall (one-hot)
]
SPARSE_SETS = ("news20", "adult_a9a")


@pytest.mark.parametrize("name, rows, cols, solver", [
    (*case, solver) for case in REAL_SETS for solver in SOLVERS
    if not (solver == "svd" and case[0] in SPARSE_SETS)])
def test_real_data(real_data, name, rows, cols, solver):
    X, y = real_data(name, max_rows=rows, max_cols=cols)
    y = (y - y.mean()) / y.std()
    sw = np.random.RandomState(0).uniform(0.5, 2.0, X.shape[0])
    # coordinate descent converges slowly on ill-conditioned problems: it gets
    # a stronger penalty (a better conditioned problem) than the other solvers
    alpha = (10.0 if solver == "cd" else 0.1) * X.shape[0]
    tol = 1e-16 if solver == "cd" else 1e-13
    model = Ridge(alpha=alpha, solver=solver, tol=tol, max_iter=100000).fit(
        X, y, sample_weight=sw)
    coef, intercept = closed_form(X, y, [alpha], sw, True)
    scale = np.abs(coef).max()
    atol = (1e-5 if solver == "cd" else 1e-7) * scale
    np.testing.assert_allclose(model.coef_, coef[0], rtol=0, atol=atol)
    np.testing.assert_allclose(model.intercept_, intercept[0], rtol=0,
                               atol=max(atol, 1e-9) * 10)


@parametrize_with_checks([Ridge(), Ridge(solver="svd"), Ridge(solver="cg"),
                          Ridge(solver="lsqr"), Ridge(solver="cd"), Ridge(positive=True)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_lbfgs_is_lbfgsb_with_its_stopping_rule(sparse):
    """solver='lbfgs' is L-BFGS-B (as scikit-learn's): at a tight tol it reaches
    the bounded least-squares solution (scipy's lsq_linear on the stacked,
    centred system); at max_iter=1 it warns in scikit-learn's words."""
    from scipy.optimize import lsq_linear
    from sklearn.exceptions import ConvergenceWarning

    rng = np.random.RandomState(0)
    X, y = rng.randn(60, 8), rng.randn(60)
    sw = rng.uniform(0.5, 2, 60)
    alpha = 3.0
    Xs = sp.csr_matrix(X) if sparse else X
    est = Ridge(alpha=alpha, solver="lbfgs", positive=True, tol=1e-12,
                max_iter=10_000).fit(Xs, y, sample_weight=sw)
    xm, ym = sw @ X / sw.sum(), sw @ y / sw.sum()
    r = np.sqrt(sw)
    A = np.vstack([r[:, None] * (X - xm), np.sqrt(alpha) * np.eye(8)])
    b = np.r_[r * (y - ym), np.zeros(8)]
    w = lsq_linear(A, b, bounds=(0, np.inf), tol=1e-14, method="bvls").x
    # L-BFGS-B stops on its projected gradient and relative decrease: near, not exact
    np.testing.assert_allclose(est.coef_, w, rtol=0, atol=1e-5 * np.abs(w).max())
    assert est.solver_ == "lbfgs" and est.n_iter_[0] > 1
    with pytest.warns(ConvergenceWarning, match="lbfgs solver did not converge"):
        Ridge(alpha=alpha, solver="lbfgs", positive=True, tol=1e-12, max_iter=1).fit(Xs, y)
