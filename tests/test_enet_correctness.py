"""Lasso and ElasticNet solve scikit-learn's objective: checked against independent references.

References used (never regfast itself):

* scikit-learn's ElasticNet at a very tight tolerance, always fitted on the
  *same numbers* as a float64 dense array (a float32 or sparse input is first
  converted exactly), so every storage/dtype variant is compared with one
  solver of the same objective;
* the optimality (KKT) conditions, evaluated with numpy from X, y, coef_ and
  intercept_;
* the objective and the duality gap, written out below in numpy;
* closed forms where they exist (ridge: l1_ratio=0; least squares: alpha=0).

Tolerances are stated per dtype: float64 results must agree to ~1e-8 relative;
float32 results are rounded to float32 and so are checked more loosely.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet as SkElasticNet

from regfast import ElasticNet, Lasso

# non-convergence anywhere in this file is a failure, not a warning
pytestmark = pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")

# regfast tol per dtype: float32 residuals cannot certify a gap much below ~1e-7 * ||y||^2
FIT_TOL = {np.float64: 1e-12, np.float32: 1e-6}
# agreement with the reference: coef (relative to max |coef_ref|), objective (relative),
# KKT violation (relative to alpha * l1_ratio)
COEF_RTOL = {np.float64: 1e-8, np.float32: 1e-3}
OBJ_RTOL = {np.float64: 1e-12, np.float32: 1e-8}
KKT_RTOL = {np.float64: 1e-8, np.float32: 5e-3}


# ---------------------------------------------------------------------------
# Independent references, in numpy (float64)
# ---------------------------------------------------------------------------

def dense64(X):
    """X as a float64 dense array (exact for float32 and sparse input)."""
    return X.toarray().astype(np.float64) if sp.issparse(X) else np.asarray(X, np.float64)


def rescaled_weights(sample_weight, n):
    """Weights as scikit-learn uses them: rescaled to sum to n (ones if None)."""
    if sample_weight is None:
        return np.ones(n)
    sw = np.asarray(sample_weight, np.float64)
    return sw * (n / sw.sum())


def centred(X, y, sample_weight, fit_intercept):
    """Weighted-centred X and y (unchanged without intercept), and the weights."""
    Xd, y = dense64(X), np.asarray(y, np.float64)
    s = rescaled_weights(sample_weight, len(y))
    if not fit_intercept:
        return Xd, y, s
    return Xd - s @ Xd / s.sum(), y - s @ y / s.sum(), s


def objective(X, y, coef, intercept, alpha, l1_ratio, sample_weight=None, pf=None):
    """scikit-learn's elastic-net objective (with penalty factors pf), in float64."""
    w = np.asarray(coef, np.float64)
    pf = np.ones_like(w) if pf is None else np.asarray(pf, np.float64)
    s = rescaled_weights(sample_weight, len(y))
    r = np.asarray(y, np.float64) - dense64(X) @ w - float(intercept)
    return (s @ r ** 2 / (2 * len(y)) + alpha * l1_ratio * pf @ np.abs(w)
            + 0.5 * alpha * (1 - l1_ratio) * pf @ w ** 2)


def kkt_violations(X, y, coef, intercept, alpha, l1_ratio, sample_weight=None,
                   pf=None, positive=False):
    """Per-feature violation of the optimality conditions of the objective above.

    With r = y - X w - b and g_j = x_j^T S r / n - alpha (1 - rho) pf_j w_j:
    g_j = alpha rho pf_j sign(w_j) where w_j != 0, |g_j| <= alpha rho pf_j
    where w_j = 0 (g_j <= alpha rho pf_j with positive=True, where w_j < 0 is
    infeasible).  Computed with the uncentred X and the fitted intercept.
    """
    w = np.asarray(coef, np.float64)
    pf = np.ones_like(w) if pf is None else np.asarray(pf, np.float64)
    n = len(y)
    s = rescaled_weights(sample_weight, n)
    Xd = dense64(X)
    r = np.asarray(y, np.float64) - Xd @ w - float(intercept)
    g = Xd.T @ (s * r) / n - alpha * (1 - l1_ratio) * pf * w
    t = alpha * l1_ratio * pf
    nz = w != 0
    viol = np.empty_like(w)
    viol[nz] = np.abs(g[nz] - t[nz] * np.sign(w[nz]))
    if positive:
        viol[~nz] = np.maximum(g[~nz] - t[~nz], 0)
        viol[w < 0] = np.inf
    else:
        viol[~nz] = np.maximum(np.abs(g[~nz]) - t[~nz], 0)
    return viol


def kkt_violation(*args, **kwargs):
    """Largest violation of the optimality conditions (see kkt_violations)."""
    return kkt_violations(*args, **kwargs).max(initial=0.0)


def certified_suboptimality(X, y, tol, sample_weight=None, fit_intercept=True):
    """What a converged fit certifies: objective - optimum <= tol * ||y_c||^2_S / n."""
    _, yc, s = centred(X, y, sample_weight, fit_intercept)
    return tol * (yc @ (s * yc)) / len(y)


def kkt_bounds(X, suboptimality, alpha, l1_ratio, sample_weight=None, fit_intercept=True,
               pf=None):
    """Largest KKT violation per feature compatible with a given suboptimality.

    A violation v_j lets a move of w_j alone lower the objective by
    v_j^2 / (2 c_j), c_j = ||x_j,c||^2_S / n + alpha (1 - rho) pf_j its curvature.
    """
    Xc, _, s = centred(X, np.zeros(X.shape[0]), sample_weight, fit_intercept)
    pf = np.ones(X.shape[1]) if pf is None else np.asarray(pf, np.float64)
    c = s @ Xc ** 2 / X.shape[0] + alpha * (1 - l1_ratio) * pf
    return np.sqrt(2 * c * suboptimality)


def intercept_violation(X, y, coef, intercept, sample_weight=None):
    """|sum_i s_i r_i| / n: zero when the intercept is optimal."""
    s = rescaled_weights(sample_weight, len(y))
    r = np.asarray(y, np.float64) - dense64(X) @ np.asarray(coef, np.float64) - float(intercept)
    return abs(s @ r) / len(y)


def alpha_max(X, y, l1_ratio=1.0, sample_weight=None, fit_intercept=True):
    """Smallest alpha at which every coefficient is zero."""
    Xc, yc, s = centred(X, y, sample_weight, fit_intercept)
    return np.abs(Xc.T @ (s * yc)).max() / (len(y) * l1_ratio)


def duality_gap(X, y, coef, alpha, l1_ratio, sample_weight=None, fit_intercept=True,
                positive=False):
    """scikit-learn's duality gap (divided by n) and the scale ||y_c||^2_S / n of its tol.

    The dual point is the centred residual rescaled into the dual feasible set.
    """
    Xc, yc, s = centred(X, y, sample_weight, fit_intercept)
    n = len(y)
    w = np.asarray(coef, np.float64)
    l1, l2 = alpha * l1_ratio * n, alpha * (1 - l1_ratio) * n
    R = yc - Xc @ w
    XtA = Xc.T @ (s * R) - l2 * w
    dual_norm = XtA.max() if positive else np.abs(XtA).max()
    const = l1 / dual_norm if dual_norm > l1 else 1.0
    R2 = R @ (s * R)
    gap = (0.5 * (1 + const ** 2) * (R2 + l2 * (w @ w)) + l1 * np.abs(w).sum()
           - const * (R @ (s * yc)))
    return gap / n, (yc @ (s * yc)) / n


def sklearn_reference(X, y, alpha, l1_ratio, sample_weight=None, fit_intercept=True,
                      positive=False):
    """scikit-learn's ElasticNet at tol=1e-12 on the same numbers, as dense float64."""
    ref = SkElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                       positive=positive, tol=1e-12, max_iter=200_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)   # a reference must converge
        return ref.fit(dense64(X), np.asarray(y, np.float64), sample_weight=sample_weight)


def make_estimator(l1_ratio, **params):
    """regfast.Lasso for l1_ratio=1 (so the Lasso class is exercised), else ElasticNet."""
    if l1_ratio == 1.0:
        return Lasso(**params)
    return ElasticNet(l1_ratio=l1_ratio, **params)


def assert_solves(est, X, y, alpha, l1_ratio, *, sample_weight=None, fit_intercept=True,
                  positive=False, dtype=np.float64, ref=None):
    """Fitted `est` matches scikit-learn (coef, intercept, objective) and satisfies KKT."""
    if ref is None:
        ref = sklearn_reference(X, y, alpha, l1_ratio, sample_weight, fit_intercept, positive)
    scale = max(np.abs(ref.coef_).max(), 1e-3)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=COEF_RTOL[dtype] * scale,
                               err_msg="coef_ differs from scikit-learn's")
    y_scale = max(np.abs(y).max(), 1.0)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=0,
                               atol=COEF_RTOL[dtype] * y_scale * 10,
                               err_msg="intercept_ differs from scikit-learn's")
    obj = objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sample_weight)
    obj_ref = objective(X, y, ref.coef_, ref.intercept_, alpha, l1_ratio, sample_weight)
    assert abs(obj - obj_ref) <= OBJ_RTOL[dtype] * obj_ref, (obj, obj_ref)
    kkt = kkt_violation(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sample_weight,
                        positive=positive)
    assert kkt <= KKT_RTOL[dtype] * alpha * l1_ratio, f"KKT violated by {kkt:.3e}"
    if fit_intercept:
        iv = intercept_violation(X, y, est.coef_, est.intercept_, sample_weight)
        assert iv <= KKT_RTOL[dtype] * y_scale, f"intercept not optimal: {iv:.3e}"
    else:
        assert est.intercept_ == 0.0


# ---------------------------------------------------------------------------
# Synthetic problems
# ---------------------------------------------------------------------------

# (n, p): tall (n > 2p: precompute='auto' picks Gram mode for dense X) and wide (data path)
TALL, WIDE = (200, 30), (60, 300)


def make_problem(shape, sparse=False, dtype=np.float64, seed=0):
    """X with non-zero column means (so centring matters), y = X w + noise + 3, weights."""
    n, p = shape
    rng = np.random.RandomState(seed)
    if sparse:
        X = sp.random(n, p, density=0.2, random_state=rng, format="csc",
                      data_rvs=lambda k: rng.randn(k) + 1.0)
    else:
        X = np.asfortranarray(rng.randn(n, p) + rng.uniform(-2, 2, p))
    w = np.zeros(p)
    support = rng.choice(p, 10, replace=False)
    w[support] = 2 * rng.randn(10)         # mixed signs: positive=True is binding
    y = dense64(X) @ w + 0.5 * rng.randn(n) + 3.0
    sw = rng.uniform(0.2, 3.0, n)
    return X.astype(dtype), y.astype(dtype), sw


# ---------------------------------------------------------------------------
# The matrix: storage x dtype x intercept x weights x positive x shape x penalty
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("l1_ratio", [1.0, 0.5], ids=["lasso", "enet"])
@pytest.mark.parametrize("shape", [TALL, WIDE], ids=["tall", "wide"])
@pytest.mark.parametrize("positive", [False, True], ids=["signed", "positive"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_matches_sklearn_and_kkt(sparse, dtype, fit_intercept, weighted, positive,
                                 shape, l1_ratio):
    X, y, sw = make_problem(shape, sparse, dtype)
    sw = sw if weighted else None
    alpha = 0.1 * alpha_max(X, y, l1_ratio, sw, fit_intercept)
    est = make_estimator(l1_ratio, alpha=alpha, fit_intercept=fit_intercept,
                         positive=positive, tol=FIT_TOL[dtype], max_iter=100_000)
    est.fit(X, y, sample_weight=sw)
    assert est.coef_.dtype == dtype and est.coef_.shape == (shape[1],)
    assert np.count_nonzero(est.coef_) > 0     # a non-trivial solution
    assert_solves(est, X, y, alpha, l1_ratio, sample_weight=sw,
                  fit_intercept=fit_intercept, positive=positive, dtype=dtype)


# ---------------------------------------------------------------------------
# Gram (precompute) mode and the data path give the same solution
# ---------------------------------------------------------------------------

def gram_matrix(X, sample_weight, fit_intercept):
    """X_c^T S X_c of the centred, weighted design (weights summing to n), in numpy."""
    Xc, _, s = centred(X, np.zeros(X.shape[0]), sample_weight, fit_intercept)
    return Xc.T @ (s[:, None] * Xc)


def test_auto_precompute_covers_both_paths():
    """The shapes of the matrix above do exercise both the Gram and the data path."""
    from regfast._problem import use_gram
    assert use_gram(make_problem(TALL)[0], "auto")
    assert not use_gram(make_problem(WIDE)[0], "auto")
    # sparse tall X: Gram mode when forming it is cheap (few values per row);
    # the CSC data path on tall X is covered by test_precompute_modes
    assert use_gram(make_problem(TALL, sparse=True)[0], "auto")
    heavy_rows = sp.random(1000, 300, density=0.5, format="csc", random_state=0)
    assert not use_gram(heavy_rows, "auto")       # 150 values a row: costly to form


@pytest.mark.parametrize("precompute", [True, False, "gram_array"])
@pytest.mark.parametrize("shape", [TALL, WIDE], ids=["tall", "wide"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_precompute_modes(sparse, dtype, fit_intercept, weighted, shape, precompute):
    X, y, sw = make_problem(shape, sparse, dtype, seed=1)
    sw = sw if weighted else None
    if precompute == "gram_array":
        precompute = gram_matrix(X, sw, fit_intercept)
    alpha = 0.05 * alpha_max(X, y, 1.0, sw, fit_intercept)
    est = Lasso(alpha=alpha, fit_intercept=fit_intercept, precompute=precompute,
                tol=FIT_TOL[dtype], max_iter=100_000).fit(X, y, sample_weight=sw)
    assert_solves(est, X, y, alpha, 1.0, sample_weight=sw, fit_intercept=fit_intercept,
                  dtype=dtype)


# ---------------------------------------------------------------------------
# Real data sets from <repo>/../shared/data (subsampled to stay fast)
# ---------------------------------------------------------------------------

# name, subsampling, alpha as a fraction of alpha_max
REAL_SETS = [
    ("leukemia", dict(max_cols=2000), 0.1),          # dense, p >> n
    ("congress109", {}, 0.1),                        # sparse
    ("we8there", dict(max_rows=1000), 0.2),          # sparse, counts
    ("california_housing", dict(max_rows=4000), 0.01),  # tall, unscaled (Gram mode)
    ("cpusmall", {}, 0.01),                          # tall
]


def drop_parallel_columns(X):
    """Keep one column of each set of parallel columns (and no zero column).

    Count data subsampled by rows has many columns proportional to each other
    (e.g. one non-zero in the same row); the Lasso solution is then not unique
    and coefficients cannot be compared, only objectives.
    """
    X = sp.csc_matrix(X)
    seen, keep = set(), []
    for j in range(X.shape[1]):
        rows = X.indices[X.indptr[j]:X.indptr[j + 1]]
        vals = X.data[X.indptr[j]:X.indptr[j + 1]]
        if not np.any(vals):
            continue
        direction = np.round(vals / vals[np.flatnonzero(vals)[0]], 10)
        key = (rows.tobytes(), direction.tobytes())
        if key not in seen:
            seen.add(key)
            keep.append(j)
    return X[:, keep]


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5], ids=["lasso", "enet"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("name,subsample,frac", REAL_SETS, ids=[s[0] for s in REAL_SETS])
def test_real_data_matches_sklearn(real_data, name, subsample, frac, dtype, weighted,
                                   l1_ratio):
    X, y = real_data(name, **subsample)
    X_unique = drop_parallel_columns(X)
    X = X_unique if sp.issparse(X) else np.asfortranarray(X_unique.toarray())
    X, y = X.astype(dtype), y.astype(dtype)
    sw = np.random.RandomState(0).uniform(0.5, 2.0, len(y)) if weighted else None
    alpha = frac * alpha_max(X, y, l1_ratio, sw)
    est = make_estimator(l1_ratio, alpha=alpha, tol=FIT_TOL[dtype], max_iter=100_000)
    est.fit(X, y, sample_weight=sw)
    assert np.count_nonzero(est.coef_) > 0
    assert_solves(est, X, y, alpha, l1_ratio, sample_weight=sw, dtype=dtype)


# ---------------------------------------------------------------------------
# Penalty factors
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("shape", [TALL, WIDE], ids=["tall", "wide"])
def test_penalty_factor_is_column_rescaling(shape, sparse, fit_intercept, weighted):
    """Lasso with factors pf > 0 is the Lasso on the columns X_j / pf_j, coef_j scaled back."""
    X, y, sw = make_problem(shape, sparse, seed=2)
    sw = sw if weighted else None
    pf = np.random.RandomState(3).uniform(0.3, 3.0, X.shape[1])
    X_scaled = dense64(X) / pf
    alpha = 0.1 * alpha_max(X_scaled, y, 1.0, sw, fit_intercept)
    ref = sklearn_reference(X_scaled, y, alpha, 1.0, sw, fit_intercept)
    est = Lasso(alpha=alpha, fit_intercept=fit_intercept, penalty_factor=pf, tol=1e-12,
                max_iter=100_000).fit(X, y, sample_weight=sw)
    assert np.count_nonzero(ref.coef_) > 0
    scale = np.abs(ref.coef_ / pf).max()
    np.testing.assert_allclose(est.coef_, ref.coef_ / pf, rtol=0, atol=1e-8 * scale)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=0, atol=1e-7)
    kkt = kkt_violation(X, y, est.coef_, est.intercept_, alpha, 1.0, sw, pf=pf)
    assert kkt <= 1e-8 * alpha


@pytest.mark.parametrize("positive", [False, True], ids=["signed", "positive"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5], ids=["lasso", "enet"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("shape", [TALL, WIDE], ids=["tall", "wide"])
def test_zero_penalty_factor_leaves_features_unpenalised(shape, sparse, l1_ratio, positive):
    """pf_j = 0: feature j is unpenalised, so its gradient is zero at the optimum (KKT).

    The allowed violation is what the certified gap permits (kkt_bounds).
    """
    X, y, sw = make_problem(shape, sparse, seed=4)
    p = X.shape[1]
    pf = np.random.RandomState(5).uniform(0.5, 2.0, p)
    pf[[0, 1, 2]] = 0.0
    tol = 1e-10
    # large alpha: most penalised features are zero, the free ones need not be
    alpha = 0.5 * alpha_max(X, y, l1_ratio, sw)
    est = make_estimator(l1_ratio, alpha=alpha, penalty_factor=pf, positive=positive,
                         tol=tol, max_iter=100_000).fit(X, y, sample_weight=sw)
    viol = kkt_violations(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw, pf=pf,
                          positive=positive)
    subopt = certified_suboptimality(X, y, tol, sw)
    bound = kkt_bounds(X, subopt, alpha, l1_ratio, sw, pf=pf)
    worst = np.argmax(viol / bound)
    assert np.all(viol <= bound), (
        f"KKT violated at feature {worst} (pf={pf[worst]:.2f}): {viol[worst]:.3e} > "
        f"{bound[worst]:.3e}, coef_={est.coef_[worst]}")
    assert intercept_violation(X, y, est.coef_, est.intercept_, sw) <= 1e-9


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_unpenalised_features_alone_above_alpha_max(sparse, weighted):
    """Above the penalised features' alpha_max, the fit is least squares on the free ones."""
    X, y, sw = make_problem(WIDE, sparse, seed=16)
    sw = sw if weighted else None
    free = [0, 1, 2]
    pf = np.ones(X.shape[1])
    pf[free] = 0.0
    Xc, yc, s = centred(X, y, sw, True)
    w_free = np.linalg.lstsq(np.sqrt(s)[:, None] * Xc[:, free], np.sqrt(s) * yc,
                             rcond=None)[0]
    r = yc - Xc[:, free] @ w_free
    alpha = 1.01 * np.max(np.delete(np.abs(Xc.T @ (s * r)), free)) / len(y)
    est = Lasso(alpha=alpha, penalty_factor=pf, tol=1e-12, max_iter=100_000).fit(
        X, y, sample_weight=sw)
    np.testing.assert_array_equal(np.delete(est.coef_, free), 0.0)
    np.testing.assert_allclose(est.coef_[free], w_free, rtol=0,
                               atol=1e-8 * np.abs(w_free).max())


# ---------------------------------------------------------------------------
# warm_start, selection, convergence reporting
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_warm_start(sparse):
    X, y, _ = make_problem(WIDE, sparse, seed=6)
    amax = alpha_max(X, y)
    cold = Lasso(alpha=0.05 * amax, tol=1e-12).fit(X, y)
    warm = Lasso(alpha=0.2 * amax, tol=1e-12, warm_start=True).fit(X, y)
    warm.set_params(alpha=0.05 * amax).fit(X, y)
    np.testing.assert_allclose(warm.coef_, cold.coef_, rtol=0,
                               atol=1e-8 * np.abs(cold.coef_).max())
    assert_solves(warm, X, y, 0.05 * amax, 1.0)
    # a refit at the same alpha starts at the solution: fewer epochs than from zero
    warm.fit(X, y)
    assert warm.n_iter_ < cold.n_iter_
    np.testing.assert_allclose(warm.coef_, cold.coef_, rtol=0,
                               atol=1e-8 * np.abs(cold.coef_).max())


def test_no_warm_start_ignores_previous_fit():
    X, y, _ = make_problem(WIDE, seed=6)
    amax = alpha_max(X, y)
    fresh = Lasso(alpha=0.05 * amax, tol=1e-8).fit(X, y)
    reused = Lasso(alpha=0.3 * amax, tol=1e-8).fit(X, y)
    reused.set_params(alpha=0.05 * amax).fit(X, y)
    np.testing.assert_array_equal(reused.coef_, fresh.coef_)
    assert reused.n_iter_ == fresh.n_iter_


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("shape", [TALL, WIDE], ids=["tall", "wide"])
def test_random_selection(shape, sparse):
    X, y, sw = make_problem(shape, sparse, seed=7)
    alpha = 0.05 * alpha_max(X, y, 0.5, sw)
    params = dict(alpha=alpha, l1_ratio=0.5, tol=1e-12, max_iter=100_000,
                  selection="random")
    a = ElasticNet(random_state=0, **params).fit(X, y, sample_weight=sw)
    b = ElasticNet(random_state=0, **params).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(a.coef_, b.coef_)       # reproducible
    assert a.n_iter_ == b.n_iter_
    c = ElasticNet(random_state=np.random.RandomState(1), **params).fit(
        X, y, sample_weight=sw)
    # the order is really random: at a loose tol the iterates differ from cyclic ones
    loose = dict(params, tol=1e-3)
    cyclic = ElasticNet(**dict(loose, selection="cyclic")).fit(X, y, sample_weight=sw)
    assert any(not np.array_equal(cyclic.coef_, ElasticNet(random_state=seed, **loose).fit(
        X, y, sample_weight=sw).coef_) for seed in range(5))
    ref = sklearn_reference(X, y, alpha, 0.5, sw)
    for est in (a, c):
        assert_solves(est, X, y, alpha, 0.5, sample_weight=sw, ref=ref)


def test_convergence_warning_when_max_iter_reached():
    X, y, _ = make_problem(WIDE, seed=8)
    alpha = 0.01 * alpha_max(X, y)
    est = Lasso(alpha=alpha, tol=1e-12, max_iter=2)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        est.fit(X, y)
    assert est.n_iter_ == 2
    gap, scale = duality_gap(X, y, est.coef_, alpha, 1.0)
    assert est.dual_gap_ > 1e-12 * scale          # reported as not converged, truthfully
    np.testing.assert_allclose(est.dual_gap_, gap, rtol=1e-6)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5], ids=["lasso", "enet"])
@pytest.mark.parametrize("positive", [False, True], ids=["signed", "positive"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("shape", [TALL, WIDE], ids=["tall", "wide"])
def test_dual_gap_and_n_iter(shape, sparse, fit_intercept, weighted, positive, l1_ratio):
    """dual_gap_ is the duality gap of coef_ (recomputed in numpy) and is below tol."""
    X, y, sw = make_problem(shape, sparse, seed=9)
    sw = sw if weighted else None
    tol = 1e-6
    alpha = 0.05 * alpha_max(X, y, l1_ratio, sw, fit_intercept)
    est = make_estimator(l1_ratio, alpha=alpha, fit_intercept=fit_intercept,
                         positive=positive, tol=tol).fit(X, y, sample_weight=sw)
    assert isinstance(est.n_iter_, int) and 1 <= est.n_iter_ <= est.max_iter
    assert isinstance(est.dual_gap_, float)
    gap, scale = duality_gap(X, y, est.coef_, alpha, l1_ratio, sw, fit_intercept, positive)
    assert gap <= tol * scale
    assert abs(est.dual_gap_ - gap) <= 1e-9 * scale


# ---------------------------------------------------------------------------
# Storage formats agree; edge cases
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
def test_sparse_and_dense_give_the_same_answer(fit_intercept, weighted):
    X, y, sw = make_problem(WIDE, sparse=True, seed=10)
    sw = sw if weighted else None
    alpha = 0.05 * alpha_max(X, y, 0.7, sw, fit_intercept)
    formats = {"csc": X, "csr": X.tocsr(), "coo": X.tocoo(),
               "dense_F": np.asfortranarray(X.toarray()), "dense_C": X.toarray()}
    coefs = {}
    for fmt, Xf in formats.items():
        est = ElasticNet(alpha=alpha, l1_ratio=0.7, fit_intercept=fit_intercept,
                         tol=1e-12, max_iter=100_000).fit(Xf, y, sample_weight=sw)
        coefs[fmt] = (est.coef_, est.intercept_)
    w0, b0 = coefs["csc"]
    for fmt, (w, b) in coefs.items():
        np.testing.assert_allclose(w, w0, rtol=0, atol=1e-9 * np.abs(w0).max(), err_msg=fmt)
        np.testing.assert_allclose(b, b0, rtol=0, atol=1e-9, err_msg=fmt)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_constant_y(sparse, weighted):
    X, _, sw = make_problem(WIDE, sparse, seed=11)
    y = np.full(X.shape[0], 4.25)
    est = ElasticNet(alpha=0.1).fit(X, y, sample_weight=sw if weighted else None)
    np.testing.assert_array_equal(est.coef_, 0.0)
    assert est.intercept_ == pytest.approx(4.25, abs=1e-12)


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("shape", [TALL, WIDE], ids=["tall", "wide"])
def test_zero_and_constant_columns(shape, sparse, fit_intercept):
    """A zero column gets a zero weight; so does a constant one when X is centred."""
    X, y, sw = make_problem(shape, sparse, seed=12)
    X = dense64(X)
    X[:, 3] = 0.0
    if fit_intercept:
        X[:, 5] = 7.0
    X = sp.csc_matrix(X) if sparse else np.asfortranarray(X)
    alpha = 0.05 * alpha_max(X, y, 1.0, sw, fit_intercept)
    est = Lasso(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12,
                max_iter=100_000).fit(X, y, sample_weight=sw)
    assert est.coef_[3] == 0.0
    if fit_intercept:
        assert est.coef_[5] == 0.0
    assert_solves(est, X, y, alpha, 1.0, sample_weight=sw, fit_intercept=fit_intercept)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.3], ids=["lasso", "enet"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_alpha_max_gives_all_zeros(sparse, weighted, l1_ratio):
    X, y, sw = make_problem(WIDE, sparse, seed=13)
    sw = sw if weighted else None
    amax = alpha_max(X, y, l1_ratio, sw)
    for alpha in (amax, 1.5 * amax):
        est = make_estimator(l1_ratio, alpha=alpha, tol=1e-10).fit(X, y, sample_weight=sw)
        np.testing.assert_array_equal(est.coef_, 0.0)
        s = rescaled_weights(sw, len(y))
        assert est.intercept_ == pytest.approx(s @ y / s.sum(), rel=1e-12)
    # just below alpha_max the solution is not zero: the threshold is the right one
    est = make_estimator(l1_ratio, alpha=0.99 * amax, tol=1e-10).fit(X, y, sample_weight=sw)
    assert np.count_nonzero(est.coef_) >= 1


# ---------------------------------------------------------------------------
# Closed forms: ridge (l1_ratio=0) and least squares (alpha=0)
# ---------------------------------------------------------------------------

def assert_near_strongly_convex_optimum(est, w_star, b_star, mu, X, y, alpha, l1_ratio,
                                        tol, sample_weight=None, fit_intercept=True):
    """est.coef_ is within what the certified gap allows of the unique optimum w_star.

    Objective - optimum <= tol ||y_c||^2_S / n (the gap certificate), and for a
    mu-strongly convex objective ||w - w*||^2 <= 2 (objective - optimum) / mu.
    """
    subopt = certified_suboptimality(X, y, tol, sample_weight, fit_intercept)
    obj = objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sample_weight)
    obj_star = objective(X, y, w_star, b_star, alpha, l1_ratio, sample_weight)
    assert -1e-13 * obj_star <= obj - obj_star <= subopt + 1e-13 * obj_star
    assert np.linalg.norm(est.coef_ - w_star) <= np.sqrt(2 * subopt / mu) + 1e-12


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("shape", [TALL, WIDE], ids=["tall", "wide"])
def test_pure_l2_matches_closed_form(shape, sparse, fit_intercept, weighted):
    """l1_ratio=0: w = (X_c^T S X_c / n + alpha I)^-1 X_c^T S y_c / n."""
    X, y, sw = make_problem(shape, sparse, seed=14)
    sw = sw if weighted else None
    Xc, yc, s = centred(X, y, sw, fit_intercept)
    n, p = Xc.shape
    alpha, tol = 0.5, 1e-10
    w = np.linalg.solve(Xc.T @ (s[:, None] * Xc) / n + alpha * np.eye(p), Xc.T @ (s * yc) / n)
    b = s @ (y - dense64(X) @ w) / s.sum() if fit_intercept else 0.0
    est = ElasticNet(alpha=alpha, l1_ratio=0.0, fit_intercept=fit_intercept, tol=tol,
                     max_iter=100_000).fit(X, y, sample_weight=sw)
    assert_near_strongly_convex_optimum(est, w, b, alpha, X, y, alpha, 0.0, tol, sw,
                                        fit_intercept)
    if not fit_intercept:
        assert est.intercept_ == 0.0


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("precompute", [False, True])
def test_pure_l2_coefficients_exact_on_a_rank_deficient_design(sparse, precompute):
    """l1_ratio=0 at the default tol: the coefficients themselves to 1e-8 relative.

    The duality gap bounds the objective, which is flat along the small singular
    directions of a rank-10 design: stopped on the gap alone, coordinate descent
    left the coefficients 1e-4 relative from Ridge's closed form.
    """
    rng = np.random.RandomState(3)
    U, _ = np.linalg.qr(rng.randn(300, 100))
    V, _ = np.linalg.qr(rng.randn(100, 100))
    s_vals = np.exp(-np.arange(100) / 10.0)              # effective rank about 10
    X = (U * s_vals) @ V.T
    y = X @ rng.randn(100) + 0.01 * rng.randn(300)
    sw = rng.uniform(0.01, 10, 300)
    alpha = 1e-3 / sw.sum()
    Xs = sp.csc_matrix(X) if sparse else X
    est = ElasticNet(alpha=alpha, l1_ratio=0.0, precompute=precompute).fit(
        Xs, y, sample_weight=sw)
    xm, ym = sw @ X / sw.sum(), sw @ y / sw.sum()
    Xc, yc = X - xm, y - ym
    w = np.linalg.solve(Xc.T @ (sw[:, None] * Xc) + alpha * sw.sum() * np.eye(100),
                        Xc.T @ (sw * yc))
    np.testing.assert_allclose(est.coef_, w, rtol=1e-8, atol=1e-10 * np.abs(w).max())
    np.testing.assert_allclose(est.intercept_, ym - xm @ w, atol=1e-10)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_alpha_zero_is_least_squares(sparse):
    X, y, sw = make_problem(TALL, sparse, seed=15)
    Xc, yc, s = centred(X, y, sw, True)
    Xs = np.sqrt(s)[:, None] * Xc
    w = np.linalg.lstsq(Xs, np.sqrt(s) * yc, rcond=None)[0]
    b = s @ (y - dense64(X) @ w) / s.sum()
    mu = np.linalg.eigvalsh(Xs.T @ Xs / len(y))[0]
    tol = 1e-10
    with pytest.warns(UserWarning, match="alpha=0"):
        est = Lasso(alpha=0.0, tol=tol, max_iter=100_000).fit(X, y, sample_weight=sw)
    assert_near_strongly_convex_optimum(est, w, b, mu, X, y, 0.0, 1.0, tol, sw)


# ---------------------------------------------------------------------------
# Weights of zero, tiny problems, fits in threads
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("precompute", ["auto", True, False])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("shape", [TALL, WIDE], ids=["tall", "wide"])
def test_zero_weight_samples_are_ignored(shape, sparse, precompute):
    """Samples of weight 0 change nothing: the fit equals the fit without them."""
    X, y, sw = make_problem(shape, sparse, seed=20)
    sw[::3] = 0.0
    keep = np.flatnonzero(sw)
    alpha = 0.05 * alpha_max(X, y, 0.5, sw)
    params = dict(alpha=alpha, l1_ratio=0.5, tol=1e-12, max_iter=100_000,
                  precompute=precompute)
    est = ElasticNet(**params).fit(X, y, sample_weight=sw)
    est_kept = ElasticNet(**params).fit(X[keep], y[keep], sample_weight=sw[keep])
    np.testing.assert_allclose(est.coef_, est_kept.coef_, rtol=0,
                               atol=1e-8 * np.abs(est_kept.coef_).max())
    assert_solves(est, X, y, alpha, 0.5, sample_weight=sw)


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("shape", [(1, 1), (2, 1), (1, 3), (2, 2), (3, 1), (5, 40)])
def test_tiny_problems(shape, sparse, fit_intercept):
    rng = np.random.RandomState(21)
    X, y = rng.randn(*shape), rng.randn(shape[0])
    if shape[0] == 1 and fit_intercept:
        alpha = 0.1             # one centred sample: everything is zero
    else:
        alpha = 0.3 * alpha_max(X, y, 1.0, None, fit_intercept)
    est = Lasso(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=100_000)
    est.fit(sp.csc_matrix(X) if sparse else X, y)
    ref = sklearn_reference(X, y, alpha, 1.0, None, fit_intercept)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=0, atol=1e-9)


def test_fits_in_threads_match_serial_fits():
    """The kernel keeps no shared state: concurrent fits give the serial answers bitwise."""
    from concurrent.futures import ThreadPoolExecutor
    problems = [make_problem(shape, sparse, seed=22 + k)
                for k, (shape, sparse) in enumerate([(TALL, False), (WIDE, False),
                                                     (TALL, True), (WIDE, True)] * 2)]

    def fit(problem):
        X, y, sw = problem
        return ElasticNet(alpha=0.05 * alpha_max(X, y, 0.5, sw), l1_ratio=0.5,
                          tol=1e-10).fit(X, y, sample_weight=sw).coef_

    serial = [fit(problem) for problem in problems]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(fit, problems))
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("given", [False, True], ids=["csc_gram", "given_float32_gram"])
def test_float32_gram_mode_keeps_a_float64_state(given):
    """Gram mode on float32 X reaches a float64 fit's precision when its Gram
    matrix is exact (CSC X: summed in float64) or given: the kernel's state is
    float64.  A float32 state drifted by 1e-7 relative per update: a CSC Gram
    fit could not certify a gap below 1e-6 and ran to max_iter on X (and on
    scikit-learn's test_enet_float_precision data, a given float32 Gram ended
    8e-6 from the solution at the default tol)."""
    rng = np.random.RandomState(0)
    X = rng.randn(400, 30).astype(np.float32)
    X[rng.rand(*X.shape) < 0.5] = 0
    y = (X[:, :5] @ rng.randn(5) + 0.1 * rng.randn(400)).astype(np.float32)
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    ref = SkElasticNet(alpha=0.01, l1_ratio=0.7, fit_intercept=False, tol=1e-14,
                       max_iter=100_000).fit(X64, y64).coef_
    if given:
        # the given matrix's entries round at 1e-7 (float32 BLAS): default tol
        est = ElasticNet(alpha=0.01, l1_ratio=0.7, fit_intercept=False,
                         precompute=X.T @ X).fit(X, y)
        atol = 1e-6
    else:
        est = ElasticNet(alpha=0.01, l1_ratio=0.7, fit_intercept=False, tol=1e-10,
                         max_iter=100_000, precompute=True).fit(sp.csc_matrix(X), y)
        assert est.dual_gap_ <= 1e-10 * (y64 @ y64) / 400
        atol = 1e-7             # the float32 data, read exactly
    np.testing.assert_allclose(est.coef_, ref, rtol=0, atol=atol * np.abs(ref).max())


# ---------------------------------------------------------------------------
# Exact coefficients at a loose tol (the Newton step on the support)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("l1_ratio", [1.0, 0.5], ids=["lasso", "enet"])
@pytest.mark.parametrize("positive", [False, True], ids=["signed", "positive"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("shape", [TALL, WIDE], ids=["tall", "wide"])
def test_once_the_support_is_found_the_coefficients_are_exact(shape, sparse, fit_intercept,
                                                              weighted, positive, l1_ratio):
    """A gap of tol=1e-8 leaves coefficients ~1e-5 off, yet a converged float64 fit ends
    on scikit-learn's tight-tol solution to 1e-9 once its support is the solution's (Gram
    mode: the final Newton step on the support is always affordable there), and its
    dual_gap_ is the numpy gap of the coefficients it returns."""
    X, y, sw = make_problem(shape, sparse, seed=12)
    sw = sw if weighted else None
    alpha = 0.05 * alpha_max(X, y, l1_ratio, sw, fit_intercept)
    est = make_estimator(l1_ratio, alpha=alpha, fit_intercept=fit_intercept,
                         positive=positive, precompute=True,
                         tol=1e-8).fit(X, y, sample_weight=sw)
    ref = sklearn_reference(X, y, alpha, l1_ratio, sw, fit_intercept, positive)
    np.testing.assert_array_equal(est.coef_ != 0, ref.coef_ != 0)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0,
                               atol=1e-9 * np.abs(ref.coef_).max())
    gap, gap_scale = duality_gap(X, y, est.coef_, alpha, l1_ratio, sw, fit_intercept, positive)
    assert abs(est.dual_gap_ - gap) <= 1e-12 * gap_scale
    assert est.dual_gap_ <= 1e-12 * gap_scale


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5], ids=["lasso", "enet"])
def test_sparse_and_dense_cv_paths_agree_to_rounding(l1_ratio):
    """Every alpha of every fold ends exact, so the two routes (CSC on X, dense in Gram
    mode) give the same held-out errors to rounding, not merely to the tolerance."""
    from regfast import ElasticNetCV
    X, y, _ = make_problem(TALL, sparse=True, seed=13)
    fits = [ElasticNetCV(l1_ratio=l1_ratio, cv=4, tol=1e-6).fit(Xf, y)
            for Xf in (X, X.toarray())]
    np.testing.assert_allclose(fits[0].mse_path_, fits[1].mse_path_, rtol=1e-9)
    assert fits[0].alpha_ == fits[1].alpha_
