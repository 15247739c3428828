"""One coordinate-descent epoch against its floor, one X^T v product on the same X.

An epoch reads every stored value of X once (the dot of each column with the
residual) and, for each coefficient that changes, updates the residual with
that column.  Two cases per problem: alpha = 2 alpha_max (no coefficient
moves: the epoch is all dots) and alpha = alpha_max / 20 (most coefficients
move every epoch: dots and updates).  Epoch time = (time of 11 epochs - time
of 1) / 10, best of 5, single-threaded.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/epoch_floor.py
"""


import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from benchmarks.measure import best_time
from regfast import _cd
from regfast._problem import Problem


def epoch_time(problem, alpha, n_epochs):
    """Wall time of n_epochs plain epochs from w = 0."""
    def run():
        w = np.zeros(problem.n_features)
        _cd.run_epochs(problem.kind, problem.values, problem.indices, problem.indptr,
                       problem.n_samples, problem.n_features, problem.y, problem.sw,
                       problem.xm, problem.n_eff, problem.y_mean, w, alpha, 1.0, n_epochs)
    return best_time(run, repeats=5)


def main():
    rng = np.random.default_rng(0)
    problems = {
        "dense 2000 x 5000": lambda dt: np.asfortranarray(
            rng.standard_normal((2000, 5000)).astype(dt)),
        "CSC 20000 x 50000, density 0.002": lambda dt: sp.random(
            20000, 50000, density=0.002, format="csc", random_state=0, dtype=dt),
    }
    print(f"{'problem':34s} {'dtype':8s} {'alpha':>14s} {'floor ms':>9s} "
          f"{'epoch ms':>9s} {'epoch/floor':>11s}")
    for name, make in problems.items():
        for dtype in (np.float64, np.float32):
            X = make(dtype)
            y = rng.standard_normal(X.shape[0]).astype(dtype)
            problem = Problem(X, y, None, fit_intercept=True)
            v = rng.standard_normal(X.shape[0]).astype(dtype)
            floor = best_time(lambda: X.T @ v, repeats=5)
            alpha_max = problem.alpha_max(1.0, np.ones(X.shape[1]))
            for label, alpha in (("2 alpha_max", 2 * alpha_max),
                                 ("alpha_max/20", alpha_max / 20)):
                epoch = (epoch_time(problem, alpha, 11) - epoch_time(problem, alpha, 1)) / 10
                print(f"{name:34s} {np.dtype(dtype).name:8s} {label:>14s} "
                      f"{1e3 * floor:9.2f} {1e3 * epoch:9.2f} {epoch / floor:11.2f}")


if __name__ == "__main__":
    with threadpool_limits(1):
        main()
