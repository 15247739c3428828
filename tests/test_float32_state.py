"""float32 X with a float64 state: X read as float32, the residual kept in float64.

The reference is the float64 kernel on the same values (float32 values widened
to float64): products of float32 numbers are exact in double, so both routes do
the same arithmetic; the float32 route then rounds its solution to float32, the
dtype its caller keeps.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

import regfast
from regfast import _cd
from regfast._problem import F32_STATE_TOL, state_dtype

N, P, T = 120, 200, 4


def _design(kind, rng):
    if kind == "dense":
        X = np.asfortranarray(rng.standard_normal((N, P)).astype(np.float32))
        return X, np.asfortranarray(X, dtype=np.float64)
    X = sp.random(N, P, density=0.1, random_state=rng, format="csc", dtype=np.float32)
    X.data += np.sign(X.data)         # no stored value near 0
    return X, X.astype(np.float64)


def _arrays(X):
    if sp.issparse(X):
        return 1, X.data, X.indices.astype(np.int32), X.indptr.astype(np.int64)
    return 0, X.ravel(order="F"), None, None


@pytest.mark.parametrize("kind", ["dense", "csc"])
@pytest.mark.parametrize("weighted", [False, True])
def test_float32_values_under_a_float64_state_match_the_float64_kernel(kind, weighted):
    rng = np.random.default_rng(3)
    X32, X64 = _design(kind, rng)
    y = rng.standard_normal(N)
    sw = rng.uniform(0.5, 1.5, N) if weighted else None
    if sw is not None:
        sw *= N / sw.sum()
    s = np.ones(N) if sw is None else sw
    xm = (s @ X64) / N
    y_mean = float(s @ y / N)
    yy = float(s @ (y - y_mean) ** 2)
    alphas = np.array([0.1, 0.02])
    fits = []
    for X in (X32, X64):
        k, values, indices, indptr = _arrays(X)
        w = np.zeros(P)
        fits.append(_cd.enet_path_fit(k, values, indices, indptr, N, P, y, sw, xm, float(N),
                                      y_mean, yy, w, alphas, 0.8, np.ones(P),
                                      np.full(P, -np.inf), np.full(P, np.inf), 1e-12,
                                      100000, False, 1))
    # the float32-X route hands back its solution rounded to float32 (X's dtype)
    assert fits[1][3].all()
    np.testing.assert_allclose(fits[0][0], fits[1][0].astype(np.float32), rtol=3e-7,
                               atol=1e-12)
    # and the multi-task kernel (four targets: the dense block primitives)
    Y = np.asfortranarray(rng.standard_normal((N, T)))
    y_means = (s @ Y) / N
    W_fits = []
    for X in (X32, X64):
        k, values, indices, indptr = _arrays(X)
        W = np.zeros((P, T))
        W_fits.append(_cd.mt_path_fit(k, values, indices, indptr, N, P, Y, sw, xm, float(N),
                                      y_means, float(s @ ((Y - y_means) ** 2).sum(1)), W,
                                      np.array([0.1]), 0.9, 1e-12, 100000, False, 1))
    assert W_fits[1][3].all()
    np.testing.assert_allclose(W_fits[0][0], W_fits[1][0].astype(np.float32), rtol=3e-7,
                               atol=1e-12)


def test_a_float32_state_needs_float32_values():
    X = np.asfortranarray(np.ones((4, 3)))
    with pytest.raises(TypeError, match="float32 state needs float32 X"):
        _cd.enet_path_fit(0, X.ravel(order="F"), None, None, 4, 3, np.ones(4, np.float32),
                          None, None, 4.0, 0.0, 1.0, np.zeros(3), np.array([0.1]), 1.0,
                          np.ones(3), np.full(3, -np.inf), np.full(3, np.inf), 1e-4, 10,
                          False, 1)


def test_state_dtype_follows_the_tol():
    assert state_dtype(np.float32, F32_STATE_TOL) == np.float32
    assert state_dtype(np.float32, F32_STATE_TOL / 10) == np.float64
    assert state_dtype(np.float64, 1e-2) == np.float64


@pytest.mark.parametrize("kind", ["dense", "csc"])
def test_float32_fits_reach_the_float32_rounding_floor_and_report_it(kind):
    """At a tol far below float32 precision a float32 residual stalls near 1e-7
    and runs to max_iter.  With the float64 state the fit stops within a few
    hundred epochs at the float64 solution rounded to float32 (X's dtype), and
    dual_gap_ is the gap of those float32 coefficients, recomputed here in
    float64; the warning says that rounding, not the epochs, is what is left."""
    rng = np.random.default_rng(5)
    X32, X64 = _design(kind, rng)
    w_true = np.zeros(P)
    w_true[:10] = rng.standard_normal(10)
    y = (X64 @ w_true + 0.1 * rng.standard_normal(N)).astype(np.float32)
    Y = np.column_stack([y, y[::-1], y ** 2, -y])
    alpha, max_iter = 0.01, 20000
    fits = {}
    for dtype, X in (("32", X32), ("64", X64)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            lasso = regfast.Lasso(alpha=alpha, tol=1e-14, max_iter=max_iter).fit(
                X, y.astype(X.dtype))
            mt = regfast.MultiTaskLasso(alpha=alpha, tol=1e-14, max_iter=max_iter).fit(
                X, Y.astype(X.dtype))
        fits[dtype] = (lasso, mt, caught)
    lasso32, mt32, caught = fits["32"]
    lasso64, mt64, _ = fits["64"]
    assert lasso32.coef_.dtype == np.float32
    assert lasso32.n_iter_ < max_iter and mt32.n_iter_ < max_iter
    np.testing.assert_allclose(lasso32.coef_, lasso64.coef_.astype(np.float32), rtol=1e-6,
                               atol=1e-9)
    np.testing.assert_allclose(mt32.coef_, mt64.coef_.astype(np.float32), rtol=1e-6,
                               atol=1e-9)
    for message in (str(w.message) for w in caught):
        assert "rounding them leaves this gap" in message
    # dual_gap_ is the gap of the float32 coef_ (scikit-learn's Lasso objective)
    Xd = X64.toarray() if sp.issparse(X64) else X64
    yd = y.astype(np.float64)
    Xc, yc = Xd - Xd.mean(0), yd - yd.mean()
    w = lasso32.coef_.astype(np.float64)
    r = yc - Xc @ w
    scale = min(1.0, N * alpha / np.abs(Xc.T @ r).max())
    gap = (0.5 * r @ r + N * alpha * np.abs(w).sum() - scale * r @ yc
           + 0.5 * scale ** 2 * r @ r) / N
    np.testing.assert_allclose(lasso32.dual_gap_, gap, rtol=1e-3, atol=1e-13)


@pytest.mark.parametrize("kind", ["dense", "csc"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.0])
def test_float32_logistic_at_a_tight_tol_is_the_float64_fit_rounded(kind, l1_ratio):
    """The GLM kernel under a float64 state: a float32 fit at tol 1e-12 stops
    within a few Newton steps (a float32 linear predictor took 200x longer on
    reuters_moneyfx at tol 1e-10) at the float64 fit on the same values,
    rounded to float32."""
    rng = np.random.default_rng(7)
    X32, X64 = _design(kind, rng)
    labels = (X64[:, :5] @ rng.standard_normal(5) + rng.standard_normal(N) > 0).astype(int)
    fits = {}
    for name, X in (("32", X32), ("64", X64)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            fits[name] = (regfast.LogisticRegression(C=1.0, l1_ratio=l1_ratio, tol=1e-12,
                                                     max_iter=200).fit(X, labels), caught)
    (m32, caught32), (m64, caught64) = fits["32"], fits["64"]
    assert not caught64
    assert m32.coef_.dtype == np.float32 and m32.n_iter_[0] < 200
    np.testing.assert_allclose(m32.coef_, m64.coef_.astype(np.float32), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(m32.intercept_, m64.intercept_.astype(np.float32), rtol=1e-6,
                               atol=1e-9)
    for w in caught32:
        assert "rounding the coefficients to float32" in str(w.message)
