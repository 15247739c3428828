"""float32 X at a tight tol: the solver's state in float32 against float64.

regfast keeps its state (the residual; for logistic regression the linear
predictor and the Newton weights) in float64 for float32 X below tol 1e-5
(regfast._problem.F32_STATE_TOL); this script forces each state in turn and
reports, per problem, the epochs (Newton steps), the time and, for the Lasso,
the relative duality gap that compare.py would measure on the returned
(float32) coefficients.  One process, single-threaded; run it on a quiet
machine:

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
                                 is_logistic_available, make_logistic_problem,
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


def fit_both(model, X, y):
    """(state, fitted model, seconds, converged) with each state forced in turn."""
    default = problem.F32_STATE_TOL
    for state, limit in (("float32", 0.0), ("float64", default)):
        problem.F32_STATE_TOL = limit
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            seconds = median_time(lambda: model.fit(X, y), repeats=3)
        converged = not any("did not" in str(w.message) for w in caught)
        yield state, model, seconds, converged
    problem.F32_STATE_TOL = default


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
            model = regfast.Lasso(alpha=alpha, tol=TOL, max_iter=MAX_ITER)
            for state, model, seconds, converged in fit_both(model, X, y):
                gap = rel_gap(X, y, model.coef_, model.intercept_, alpha)
                print(f"| {name} | alpha_max/{ratio} | {state} | {model.n_iter_} | "
                      f"{seconds:.4f} | {gap:.1e} | {converged} |")
    print(f"\nLogisticRegression (C = 1) on float32 X at tol {TOL:g} (max_iter 100)\n")
    print("| problem | l1_ratio | state | Newton steps | time (s) | converged |")
    print("|---|---|---|---|---|---|")
    for name in ("leukemia", "reuters_moneyfx", "gisette_test"):
        if not is_logistic_available(name):
            continue
        X, y = make_logistic_problem(name)
        X = X.astype(np.float32)
        for l1_ratio in (1.0, 0.0):
            model = regfast.LogisticRegression(C=1.0, l1_ratio=l1_ratio, tol=TOL, max_iter=100)
            for state, model, seconds, converged in fit_both(model, X, y):
                print(f"| {name} | {l1_ratio} | {state} | {model.n_iter_[0]} | "
                      f"{seconds:.4f} | {converged} |")


if __name__ == "__main__":
    main()
