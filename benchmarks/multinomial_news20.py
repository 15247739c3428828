"""Multinomial logistic regression on news20 (15935 x 62061, 20 classes, raw counts).

For each penalty and C = C_min x ratio (C_min: the smallest C with a non-zero
L1 coefficient, as for the binary rows of compare.py), fits regfast's
LogisticRegression at tol 1e-8 and reports the time, the Newton steps, the
duality gap and the objective recomputed in numpy; for L2 also scikit-learn's
lbfgs (tol 1e-8) in the same run.  One process; run it on a quiet machine:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 \\
        OPENBLAS_NUM_THREADS=1 python benchmarks/multinomial_news20.py
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.special import logsumexp

sys.path.insert(0, str(Path(__file__).parent))

from regfast import LogisticRegression  # noqa: E402
from benchmarks.problems import is_logistic_available, load_real  # noqa: E402

CASES = [(1.0, 10), (1.0, 100), (0.5, 10), (0.0, 10)]    # (l1_ratio, C / C_min)


def objective(X, y, classes, coef, intercept, C, l1_ratio):
    Z = X @ coef.T + intercept
    loss = logsumexp(Z, axis=1) - Z[np.arange(len(y)), np.searchsorted(classes, y)]
    return (C * loss.sum() + l1_ratio * np.abs(coef).sum()
            + 0.5 * (1 - l1_ratio) * (coef ** 2).sum())


def timed(est, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = time.perf_counter()
        est.fit(X, y)
        return time.perf_counter() - t, len(caught)


def main():
    if not is_logistic_available("news20"):
        sys.exit("news20 is not in the shared data folder (set REGFAST_DATA)")
    X, y = load_real("news20")
    classes = np.unique(y)
    Y = y[:, None] == classes
    c_min = 1.0 / np.abs(X.T @ (Y - Y.mean(axis=0))).max()
    print("| penalty | C | solver | time (s) | steps | gap / objective | objective | warnings |")
    print("|---|---|---|---|---|---|---|---|")
    for l1_ratio, ratio in CASES:
        C = ratio * c_min * max(l1_ratio, 1.0 if l1_ratio == 0 else l1_ratio)
        name = {1.0: "L1", 0.0: "L2"}.get(l1_ratio, f"elastic net {l1_ratio}")
        est = LogisticRegression(C=C, l1_ratio=l1_ratio, tol=1e-8, max_iter=300)
        seconds, n_warn = timed(est, X, y)
        obj = objective(X, y, classes, est.coef_, est.intercept_, C, l1_ratio)
        print(f"| {name} | C_min x {ratio} | regfast | {seconds:.1f} | {est.n_iter_[0]} | "
              f"{est.dual_gap_ / obj:.1e} | {obj:.10g} | {n_warn} |", flush=True)
        if l1_ratio == 0.0:
            from sklearn.linear_model import LogisticRegression as SkLogistic
            sk = SkLogistic(C=C, l1_ratio=0.0, tol=1e-8, max_iter=5000, solver="lbfgs")
            seconds, n_warn = timed(sk, X, y)
            obj = objective(X, y, classes, sk.coef_, sk.intercept_, C, 0.0)
            print(f"| {name} | C_min x {ratio} | sklearn lbfgs | {seconds:.1f} | "
                  f"{sk.n_iter_[0]} | - | {obj:.10g} | {n_warn} |", flush=True)


if __name__ == "__main__":
    main()
