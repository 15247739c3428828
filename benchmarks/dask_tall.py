"""Tall problems on a 2-worker dask LocalCluster (regfast.dask) against the in-memory fit.

Two shapes, generated chunk-wise on the workers (X never exists on the client):

- tall: n x 100 dense Gaussian columns (default n = 20 million, 16 GB of float64),
  10 true non-zeros, noise of variance 1;
- flights-like: n x 668 sparse partitions (default n = 4 million) shaped like the
  airline on-time data: 5 numeric columns (distance, scheduled time, ...) and
  the one-hot codes of carrier (20), origin (300), destination (300), month (12),
  day of week (7) and departure hour (24); target a linear delay plus noise.

For each: Lasso at alpha_max / 20 and LassoCV (5 folds x 100 alphas) by the Gram
route, with the wall time, the passes over X (computations of X's chunks /
number of chunks, counted on the scheduler) and the bytes sent to the client
(the results the client asked for, as the scheduler saw them).  In-memory
regfast on the same data runs where it fits (``--memory-rows``: the first
rows of the same data, gathered once), and the coefficients are compared.

Usage (from the repository root, the [dask] extra installed)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/dask_tall.py
    python benchmarks/dask_tall.py --rows 2000000 --flights-rows 500000   # quick
"""

import argparse
import os
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")          # one BLAS thread per worker process

import dask.array as da  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

import regfast  # noqa: E402
import regfast.dask as rd  # noqa: E402
from regfast.dask._diagnostics import report, watch  # noqa: E402

CATEGORIES = {"carrier": 20, "origin": 300, "dest": 300, "month": 12, "weekday": 7,
              "hour": 24}
N_NUMERIC = 5
FLIGHTS_P = N_NUMERIC + sum(CATEGORIES.values())


def tall_block(block_id, rows, p, seed):
    """Rows [i*rows, ...) of the tall problem: X block and y block in one array
    (column p is y), so that y comes from the same random draw as X."""
    rng = np.random.default_rng([seed, block_id[0]])
    X = rng.standard_normal((rows, p + 1))
    w = np.zeros(p)
    w[:: p // 10] = np.linspace(-2, 2, len(w[:: p // 10]))
    X[:, p] = X[:, :p] @ w + 3 + X[:, p]
    return X


def flights_block(block_id, rows, seed):
    """One partition of the flights-like problem: CSR X (rows x 668) and y."""
    rng = np.random.default_rng([seed, block_id[0]])
    numeric = rng.standard_normal((rows, N_NUMERIC)) * [600, 60, 15, 30, 5] + [800, 140, 10, 20, 0]
    cols, offset = [], N_NUMERIC
    for k in CATEGORIES.values():
        # skewed category frequencies, as airports and carriers are
        codes = np.minimum(rng.zipf(1.3, rows) - 1, k - 1)
        cols.append(offset + codes)
        offset += k
    indices = np.column_stack([np.tile(np.arange(N_NUMERIC), (rows, 1))] + cols)
    data = np.column_stack([numeric, np.ones((rows, len(CATEGORIES)))])
    X = sp.csr_matrix((data.ravel(), indices.ravel(),
                       np.arange(0, indices.size + 1, indices.shape[1])),
                      shape=(rows, FLIGHTS_P))
    effect = np.random.default_rng(seed).standard_normal(FLIGHTS_P) * 3
    effect[:N_NUMERIC] = [0.01, 0.05, 0.5, 0, 0]
    y = X @ effect + 5 + 10 * rng.standard_normal(rows)
    return X, y


def tall_data(n, p, rows, seed=0):
    Xy = da.map_blocks(tall_block, rows=rows, p=p, seed=seed, dtype=np.float64,
                       chunks=((rows,) * (n // rows), (p + 1,)), token="tall_xy")
    return Xy[:, :p], Xy[:, p], "tall_xy"


def flights_data(n, rows, seed=0):
    n_blocks = n // rows
    parts = da.map_blocks(lambda block_id=None: np.array([flights_block(block_id, rows, seed)],
                                                         dtype=object),
                          dtype=object, chunks=((1,) * n_blocks,), token="flights_xy")
    X = parts.map_blocks(lambda b: b[0][0], dtype=np.float64,
                         chunks=((rows,) * n_blocks, (FLIGHTS_P,)), new_axis=1,
                         meta=sp.csr_matrix((0, FLIGHTS_P)))
    y = parts.map_blocks(lambda b: b[0][1], dtype=np.float64, chunks=((rows,) * n_blocks,))
    return X, y, "flights_xy"


def _block_sum(x, y):
    return np.array([x.sum() + y.sum()])


def floor(X, y):
    """The sum of every value of X and y: one pass, one number per partition."""
    return da.map_blocks(_block_sum, X, y[:, None], drop_axis=1, chunks=((1,) * X.numblocks[0],),
                         dtype=np.float64, meta=np.empty(0)).sum()


def timed(client, x_name, n_chunks, fit):
    watch(client)
    t = time.perf_counter()
    model = fit()
    elapsed = time.perf_counter() - t
    moved = report(client)
    passes = moved["computed"].get(x_name, 0) / n_chunks
    return model, elapsed, passes, moved["to_client_bytes"]


def run(name, client, X, y, x_name, memory_rows, x_bytes):
    n, p = X.shape
    rows = []
    # the floor: one pass that only produces X and y and sums them
    _, t, passes, to_client = timed(client, x_name, X.numblocks[0],
                                    lambda: client.compute(floor(X, y), sync=True))
    rows.append((name, f"{n:,} x {p}", f"{x_bytes / 1e9:.2f} GB", "dask 2 workers",
                 "X.sum(), y.sum()", f"{t:.1f}", f"{passes:g}",
                 f"{to_client / 1e3:.0f} kB", None, "the cost of producing X: a floor"))
    alpha_max = None
    # LassoCV first: its grid starts at alpha_max, where Lasso is then fitted / 20
    for label, make in [("LassoCV", lambda: rd.LassoCV(cv=5, n_jobs=2)),
                        ("Lasso", lambda: rd.Lasso(alpha=alpha_max / 20))]:
        model, t, passes, to_client = timed(client, x_name, X.numblocks[0],
                                            lambda: make().fit(X, y))
        alpha_max = alpha_max or float(model.alphas_[0])
        rows.append((name, f"{n:,} x {p}", f"{x_bytes / 1e9:.2f} GB", "dask 2 workers",
                     label, f"{t:.1f}", f"{passes:g}", f"{to_client / 1e3:.0f} kB",
                     None, None))
    if memory_rows:
        m = min(memory_rows, n)
        k = int(np.ceil(m / X.chunks[0][0]))
        Xm_d, ym_d = X[: sum(X.chunks[0][:k])], y[: sum(X.chunks[0][:k])]
        t0 = time.perf_counter()
        Xm, ym = client.compute([Xm_d, ym_d], sync=True)
        gather = time.perf_counter() - t0
        Xm = Xm.tocsc() if sp.issparse(Xm) else np.asfortranarray(Xm)
        mem_bytes = Xm.data.nbytes + Xm.indices.nbytes if sp.issparse(Xm) else Xm.nbytes
        print(f"  [{name}] gathered {Xm.shape[0]:,} rows ({mem_bytes / 1e9:.2f} GB) "
              f"for the in-memory fits in {gather:.1f} s")
        for label, make, make_d in [
                ("LassoCV", lambda: regfast.LassoCV(cv=5, n_jobs=2),
                 lambda: rd.LassoCV(cv=5, n_jobs=2)),
                ("Lasso", lambda: regfast.Lasso(alpha=alpha_max / 20),
                 lambda: rd.Lasso(alpha=alpha_max / 20))]:
            t0 = time.perf_counter()
            ref = make().fit(Xm, ym)
            t_mem = time.perf_counter() - t0
            model, t, passes, to_client = timed(client, x_name, Xm_d.numblocks[0],
                                                lambda: make_d().fit(Xm_d, ym_d))
            diff = np.abs(model.coef_ - ref.coef_).max() / np.abs(ref.coef_).max()
            same = "" if not hasattr(ref, "alpha_") else (
                ", same alpha_" if np.isclose(ref.alpha_, model.alpha_, rtol=1e-12)
                else f", alpha_ {ref.alpha_:.4g} vs {model.alpha_:.4g}")
            shape = f"{Xm.shape[0]:,} x {p}"
            gb = f"{mem_bytes / 1e9:.2f} GB"
            rows.append((name, shape, gb, "in memory (2 threads)", label, f"{t_mem:.1f}",
                         "-", "-", None, None))
            rows.append((name, shape, gb, "dask 2 workers", label, f"{t:.1f}", f"{passes:g}",
                         f"{to_client / 1e3:.0f} kB", None,
                         f"max |coef diff| / max |coef| = {diff:.1e}{same}"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--flights-rows", type=int, default=4_000_000)
    parser.add_argument("--memory-rows", type=int, default=2_000_000,
                        help="rows of each problem also fitted in memory (0: none)")
    args = parser.parse_args()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    with Client(cluster) as client:
        n, p, r = args.rows, args.features, args.chunk_rows
        X, y, x_name = tall_data(n - n % r, p, r)
        table = run("tall", client, X, y, x_name, args.memory_rows, X.nbytes)
        fr = min(r, args.flights_rows)
        Xf, yf, f_name = flights_data(args.flights_rows - args.flights_rows % fr, fr)
        nnz_bytes = Xf.shape[0] * (N_NUMERIC + len(CATEGORIES)) * 12
        table += run("flights-like", client, Xf, yf, f_name, args.memory_rows, nnz_bytes)
    cluster.close()
    print("\n| problem | n x p | X | route | fit | time (s) | passes over X | to client | note |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in table:
        note = row[9] if isinstance(row[9], str) else ""
        print("| " + " | ".join(row[:8]) + f" | {note} |")


if __name__ == "__main__":
    main()
