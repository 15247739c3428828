"""The single-alpha rows above half the fastest peer: how much of regfast's time is its floor.

For every single-alpha row of a compare.py result (its JSON) where regfast is
slower than half the fastest peer that met the target, this times, in this
process, single-threaded, best of 7:

- ``fit``: regfast's fit from zero at the tol that passed in that run;
- ``certify``: the same fit warm-started at its own solution.  It still
  validates X, computes the column means and y's, forms X^T y (alpha_max and
  the screening), and computes one full duality gap (X^T r) before it stops:
  the work of a certified fit that does no descent at all.

A row whose half-peer time is below ``certify`` cannot reach the 0.5x bar with
a faster descent alone: what is left is reading X a few times.  The rest
of the row's time, fit - certify, is the descent (epochs, working sets).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 \\
        OPENBLAS_NUM_THREADS=1 python benchmarks/certify_floor.py \\
        benchmarks/compare_results/current-single-alpha.json
"""

import argparse
import json
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

import regfast
from benchmarks.measure import best_time
from benchmarks.problems import alpha_max, make_problem
from benchmarks.tasks import ENET_L1_RATIO, MAX_ITER


def fastest_peer(row):
    """(name, time) of the fastest peer that met the target, or None."""
    peers = [(name, r["time_s"]) for name, r in row["solvers"].items()
             if name != "regfast" and r.get("met") and r.get("time_s") is not None]
    return min(peers, key=lambda t: t[1]) if peers else None


def measure(row, X, y):
    """fit and certify times (s) and the fit's epochs for one row."""
    dtype = np.dtype(row["dtype"]).type
    X = X.astype(dtype)
    if not hasattr(X, "tocsc"):
        X = np.asfortranarray(X)
    y = y.astype(dtype)
    l1_ratio = 1.0 if row["task"] == "lasso" else ENET_L1_RATIO
    alpha = alpha_max(X, y, l1_ratio) / row["alpha_max_over"]
    tol = row["solvers"]["regfast"]["tol"]

    def model(**kw):
        return regfast.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=MAX_ITER,
                                  **kw)

    fitted = model().fit(X, y)
    warm = model(warm_start=True)

    def certify():
        warm.coef_ = fitted.coef_.copy()
        warm.intercept_ = fitted.intercept_
        warm.fit(X, y)

    return {"fit": best_time(lambda: model().fit(X, y)), "certify": best_time(certify),
            "epochs": int(fitted.n_iter_)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("result", help="a compare.py JSON with single-alpha lasso/enet rows")
    ap.add_argument("--problems", nargs="*", help="only these problems (default: all)")
    args = ap.parse_args()
    rows = json.load(open(args.result))["rows"]
    data = {}
    print("| problem | dtype | task | fastest peer (s) | half of it (s) | regfast fit (s) "
          "| fit / peer | certify only (s) | certify / half peer | epochs |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        if row["task"] not in ("lasso", "enet") or "regfast" not in row["solvers"] or (
                args.problems and row["problem"] not in args.problems):
            continue
        peer = fastest_peer(row)
        rf = row["solvers"]["regfast"]
        if peer is None or not rf.get("met") or rf["time_s"] <= 0.5 * peer[1]:
            continue
        if row["problem"] not in data:
            data[row["problem"]] = make_problem(row["problem"], quick=False)
        m = measure(row, *data[row["problem"]])
        task = ("Lasso" if row["task"] == "lasso" else "ElasticNet 0.5") + \
            f", alpha_max/{row['alpha_max_over']}"
        half = 0.5 * peer[1]
        print(f"| {row['problem']} | {row['dtype']} | {task} | {peer[0]} {peer[1]:.3g} "
              f"| {half:.3g} | {m['fit']:.3g} | {m['fit'] / peer[1]:.2f} | {m['certify']:.3g} "
              f"| {m['certify'] / half:.2f} | {m['epochs']} |",
              flush=True)


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    with threadpool_limits(1):
        main()
