"""What exact Ridge coefficients cost on sparse data, against scikit-learn's
inexact sparse_cg, iteration by iteration.

Ridge(solver='auto') on sparse X returns coefficients within 1e-8 relative of
the exact solution, certified (see regfast._ridge.solve_cg); scikit-learn's
sparse_cg stops once the normal equations' residual is below tol relative.
For each problem this prints:

- regfast's conjugate-gradient iterations to the certified 1e-8, and the
  coefficient error it actually reached (against numpy's solve of the
  densified normal equations): how much of the cost is the bound's slack;
- scikit-learn's iterations at tol 1e-4 and 1e-5 (the tols at which
  compare.py finds it meets the relative duality-gap target 1e-6; counted
  through a callback on the cg it calls) and the coefficient error those
  reach;
- the time per iteration of each (median fit time / iterations) and of one
  product with the normal equations (`RidgeDesign.normal_apply`);
- the floor: regfast's iterations times one product, against its fit time;
  on dense X (Cholesky) the time of the Gram matrix and its factor.

Conjugate gradients minimise the error over the Krylov space, so no method
built from the same products reaches 1e-8 in fewer of them; the time ratio
to scikit-learn is then (iterations for 1e-8 / iterations for 1e-4) x (time
per iteration, regfast / scikit-learn).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/ridge_floor.py

Medians of 7 runs, single-threaded (threadpoolctl).
"""
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy import linalg
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmarks.measure import median_time  # noqa: E402
from benchmarks.problems import is_available, make_problem  # noqa: E402

import regfast  # noqa: E402
from regfast._ridge import AUTO_TOL  # noqa: E402
from regfast._ridge_design import RidgeDesign  # noqa: E402

PROBLEMS = ("sparse_wide", "imdb5k_tfidf", "we8there", "sparse_onehot", "dense_tall",
            "dense_wide", "leukemia")
# (the reference for sparse_wide is a 20000 x 20000 matrix: 3.2 GB, ~1 min)
ALPHA = 1.0


def sklearn_iterations(X, y, tol):
    """scikit-learn's sparse_cg iterations at tol (scipy's cg, counted by a callback)."""
    from sklearn.linear_model import Ridge, _ridge

    count = [0]
    cg = _ridge._sparse_linalg_cg

    def counted(*args, **kwargs):
        kwargs["callback"] = lambda xk: count.__setitem__(0, count[0] + 1)
        return cg(*args, **kwargs)

    _ridge._sparse_linalg_cg = counted
    try:
        model = Ridge(alpha=ALPHA, solver="sparse_cg", tol=tol).fit(X, y)
    finally:
        _ridge._sparse_linalg_cg = cg
    return count[0], model.coef_


def rel_err(coef, ref):
    return float(np.linalg.norm(np.ravel(coef) - ref) / np.linalg.norm(ref))


def reference(X, y):
    """The exact coefficients from numpy/scipy alone: the centred normal
    equations, primal or dual (whichever is smaller), formed as a dense matrix
    (from X's sparse products, X itself is not densified) and solved by LAPACK."""
    n, p = X.shape
    m = np.asarray(X.mean(axis=0)).ravel()
    z = y - y.mean()
    if n >= p:
        G = X.T @ X
        G = (G.toarray() if sp.issparse(G) else G) - n * np.outer(m, m)
        G.flat[::p + 1] += ALPHA
        return linalg.solve(G, X.T @ z - m * z.sum(), assume_a="pos", overwrite_a=True)
    K = X @ X.T
    a = np.asarray(X @ m).ravel()
    K = (K.toarray() if sp.issparse(K) else K) - a[:, None] - a[None, :] + m @ m
    K.flat[::n + 1] += ALPHA
    u = linalg.solve(K, z, assume_a="pos", overwrite_a=True)
    return X.T @ u - m * u.sum()


def direct_floor(design):
    """Time of what the direct route cannot skip: the Gram matrix (BLAS syrk,
    n p^2 or p n^2 flops) and its Cholesky factor."""
    dual = design.n_features > design.n_samples
    gram = design.gram_samples if dual else design.gram_features
    G = gram()
    G.flat[::G.shape[0] + 1] += ALPHA
    return (median_time(gram)
            + median_time(lambda: linalg.cho_factor(G, check_finite=False)))


def main():
    from sklearn.linear_model import Ridge as SkRidge

    warnings.simplefilter("ignore")
    print("| problem | solver | iterations | coef error | fit ms | ms / iteration "
          "| floor ms |")
    print("|---|---|---|---|---|---|---|")
    for name in PROBLEMS:
        if not is_available(name):
            print(f"| {name} | (data not found: skipped) | | | | | |")
            continue
        X, y = make_problem(name)[:2]
        sparse = sp.issparse(X)
        X = X.tocsc() if sparse else np.asfortranarray(X)
        design = RidgeDesign(X, None, True)
        alphas = np.array([ALPHA])
        ref = reference(X, y)
        model = regfast.Ridge(alpha=ALPHA).fit(X, y)
        t = median_time(lambda: regfast.Ridge(alpha=ALPHA).fit(X, y))
        it = int(model.n_iter_[0])
        if sparse:      # CG: iterations x one product with the normal equations
            dual = X.shape[1] > X.shape[0]
            V = np.ones((X.shape[0] if dual else X.shape[1], 1), dtype=X.dtype)
            product = median_time(lambda: design.normal_apply(V, dual, 1.0, alphas))
            floor = f"{it * product * 1e3:.1f} ({it} x {product * 1e3:.2f})"
        else:
            floor = f"{direct_floor(design) * 1e3:.1f} (Gram + Cholesky)"
        print(f"| {name} | regfast {model.solver_} (exact to {AUTO_TOL:g}) | {it} "
              f"| {rel_err(model.coef_, ref):.1e} | {t * 1e3:.1f} | {t / it * 1e3:.2f} "
              f"| {floor} |")
        for tol in (1e-4, 1e-5):
            n_it, coef = sklearn_iterations(X, y, tol)
            t = median_time(lambda: SkRidge(alpha=ALPHA, solver="sparse_cg", tol=tol).fit(X, y))
            print(f"| {name} | scikit-learn sparse_cg, tol {tol:g} | {n_it} "
                  f"| {rel_err(coef, ref):.1e} | {t * 1e3:.1f} "
                  f"| {t / max(n_it, 1) * 1e3:.2f} | |")


if __name__ == "__main__":
    with threadpool_limits(1):
        main()
