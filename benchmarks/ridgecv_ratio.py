"""RidgeCV over 100 alphas (leave-one-out) against one Ridge fit, regfast defaults.

Also the two products any exact leave-one-out needs when n > p: the Gram
matrix X_c^T X_c (what one Ridge fit costs, via syrk) and Z = X_c V (the
eigenvectors' coordinates of every sample, for the leverages h_ii(alpha)),
and when p > n the eigendecomposition of the n x n Gram matrix.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/ridgecv_ratio.py

Medians of 7 runs after a warm-up, single-threaded.
"""
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy import linalg
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmarks.measure import median_time  # noqa: E402
from benchmarks.problems import as_dtype, make_problem  # noqa: E402

import regfast  # noqa: E402
from regfast._gram import gram_dense  # noqa: E402

ALPHAS = np.logspace(-3, 3, 100)


def main():
    warnings.simplefilter("ignore")
    for name in ("dense_tall", "dense_wide", "leukemia"):
        X, y = as_dtype(*make_problem(name), "float64")
        fit = median_time(lambda: regfast.Ridge(alpha=1.0).fit(X, y))
        cv = median_time(lambda: regfast.RidgeCV(alphas=ALPHAS).fit(X, y))
        n, p = X.shape
        xm = X.mean(axis=0)
        if n > p:
            G = gram_dense(X, None, xm)
            V = linalg.eigh(G)[1]
            floor = (median_time(lambda: gram_dense(X, None, xm))
                     + median_time(lambda: X @ V - xm @ V))   # centred, no copy of X
            what = "X_c^T X_c + X_c V"
        else:
            K = (X - xm) @ (X - xm).T
            floor = fit + median_time(lambda: linalg.eigh(K, driver="evd"))
            what = "one fit + eigh(X_c X_c^T)"
        print(f"{name:11s} {n}x{p}: Ridge {fit:.4f} s, RidgeCV(100 alphas) {cv:.4f} s = "
              f"{cv / fit:.2f} fits; exact-LOO floor ({what}) {floor:.4f} s = "
              f"{floor / fit:.2f} fits", flush=True)


if __name__ == "__main__":
    with threadpool_limits(1):
        main()
