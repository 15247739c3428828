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


def kkt_violation(X, y, coef, intercept, alpha, l1_ratio, sample_weight=None,
                  pf=None, positive=False):
    """Largest violation of the optimality conditions of the objective above.

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
    return viol.max(initial=0.0)


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
