"""Epochs per alpha and the final support on the hard paths (compare.py's
hard_path and hard_path_noint rows): where a path's time goes.

The counts are deterministic, so two builds can be compared on a busy machine::

    python benchmarks/hard_path_epochs.py [wheat genotype ...]
"""

import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmarks.problems import hard_path_alphas, is_available, make_problem  # noqa: E402

import regfast  # noqa: E402


def main(names):
    warnings.simplefilter("ignore")
    for name in names:
        if not is_available(name):
            print(f"{name}: data set not found, skipped")
            continue
        X, y = make_problem(name)
        for fit_intercept in (True, False):
            alphas = hard_path_alphas(X, y, fit_intercept)
            _, coefs, _, n_iters = regfast.lasso_path(X, y, alphas=alphas, tol=1e-6,
                                                      max_iter=200_000, return_n_iter=True,
                                                      fit_intercept=fit_intercept)
            n_iters = [int(k) for k in n_iters]
            print(f"{name}, {'with' if fit_intercept else 'no'} intercept: {sum(n_iters)} "
                  f"epochs, at most {max(n_iters)} at one alpha, final support "
                  f"{int(np.count_nonzero(coefs[:, -1]))}; per alpha {n_iters}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["wheat", "lung_gordon", "breast_chowdary", "genotype"])
