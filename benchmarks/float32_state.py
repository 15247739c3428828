"""float32 X at a tight tol: the solver's residual in float32 against float64.

regfast keeps the residual in float64 for float32 X below tol 1e-5
(regfast._problem.F32_STATE_TOL); this script forces each state in turn and
reports, per problem, the epochs, the time and the relative duality gap that
compare.py would measure on the returned (float32) coefficients.  One process,
single-threaded; run it on a quiet machine:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 \\
        python benchmarks/float32_state.py
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import regfast  # noqa: E402
import regfast._problem as problem  # noqa: E402
from benchmarks.measure import median_time  # noqa: E402
from benchmarks.problems import (alpha_max, as_dtype, is_available,  # noqa: E402
                                 make_problem)

TOL, MAX_ITER = 1e-8, 5000


def rel_gap(X, y, coef, intercept, alpha):
    """compare.py's measure: the Lasso duality gap over the objective's scale."""
    X = X.toarray() if hasattr(X, "toarray") else X
    Xd, yd = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n = Xd.shape[0]
    Xc, yc = Xd - Xd.mean(0), yd - yd.mean()
    w = np.asarray(coef, dtype=np.float64)
    r = yc - Xc @ w
    scale = min(1.0, n * alpha / np.abs(Xc.T @ r).max())
    gap = (0.5 * r @ r + n * alpha * np.abs(w).sum() - scale * r @ yc
           + 0.5 * scale ** 2 * r @ r) / n
    return gap / (0.5 * yc @ yc / n)


def main():
    print(f"Lasso on float32 X at tol {TOL:g} (max_iter {MAX_ITER})\n")
    print("| problem | alpha | state | epochs | time (s) | rel gap of coef_ | converged |")
    print("|---|---|---|---|---|---|---|")
    for name in ("leukemia", "dense_wide", "sparse_wide"):
        if not is_available(name):
            continue
        X, y = as_dtype(*make_problem(name)[:2], np.float32)
        for ratio in (10, 100):
            alpha = alpha_max(X, y) / ratio
            for state, limit in (("float32", 0.0), ("float64", problem.F32_STATE_TOL)):
                problem.F32_STATE_TOL = limit
                model = regfast.Lasso(alpha=alpha, tol=TOL, max_iter=MAX_ITER)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    seconds = median_time(lambda: model.fit(X, y), repeats=3)
                converged = not any("did not converge" in str(w.message) for w in caught)
                gap = rel_gap(X, y, model.coef_, model.intercept_, alpha)
                print(f"| {name} | alpha_max/{ratio} | {state} | {model.n_iter_} | "
                      f"{seconds:.4f} | {gap:.1e} | {converged} |")
    problem.F32_STATE_TOL = 1e-5


if __name__ == "__main__":
    main()
