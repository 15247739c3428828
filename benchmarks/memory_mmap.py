"""Peak memory of a Lasso fit / path on a memory-mapped float32 X (issue 12, item 5).

DESIGN.md's lean bar: beyond X itself a fit holds O(n + p) memory (plus the
p x p Gram matrix in Gram mode).  This script writes a float32, Fortran-ordered
X to a file (default n = 200000, p = 2000: 1.6 GB), memory-maps it read-only
and, in a fresh subprocess per measurement, fits at an alpha with a small
support while a sampler thread reads /proc/self/status every few ms (the fit
runs without the GIL, so the sampler keeps running).  It reports, above the
subprocess's baseline (interpreter, numpy, regfast imported, X mapped):

- peak anonymous memory (RssAnon): the process's own allocations, numpy's and
  the kernel's C mallocs alike -- the O(n + p) claim is about this one;
- peak resident set (VmHWM - baseline): RssAnon plus the pages of the mapped
  file that were touched (RssFile).  Those are the page cache, shared and
  reclaimable, not allocations: any pass over X maps all of it;
- peak traced Python/numpy allocations (tracemalloc).

and compares them with the size of X and with (n + p) * 8 bytes.

Usage (the figures in the README come from the default run)::

    python benchmarks/memory_mmap.py                        # n=200000, p=2000
    python benchmarks/memory_mmap.py --n 20000 --p 500      # a quick run
    python benchmarks/memory_mmap.py --json results.json

The data file is written once to --dir (default /tmp) and reused.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

MEASURE = r"""
import json, os, sys, threading, time, tracemalloc
import numpy as np
import regfast

def status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) * 1024
    return out

cfg = json.loads(sys.argv[1])
n, p = cfg["n"], cfg["p"]
X = np.memmap(cfg["path"], dtype=np.float32, mode="r", shape=(n, p), order="F")
y = np.load(cfg["path"] + ".y.npy")
base = status()
peak = dict(base)
done = threading.Event()

def sample():
    while not done.is_set():
        s = status()
        for k in ("RssAnon", "VmRSS", "RssFile"):
            peak[k] = max(peak[k], s[k])
        time.sleep(0.002)

sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
tracemalloc.start()
t0 = time.perf_counter()
if cfg["what"] == "lasso":
    est = regfast.Lasso(alpha=cfg["alpha"], precompute=cfg["precompute"]).fit(X, y)
    nnz = int(np.count_nonzero(est.coef_))
else:
    alphas = np.geomspace(cfg["alpha_max"], cfg["alpha"], cfg["n_alphas"])
    _, coefs, _ = regfast.lasso_path(X, y, alphas=alphas, precompute=cfg["precompute"],
                                     fit_intercept=True)
    nnz = int(np.count_nonzero(coefs[:, -1]))
seconds = time.perf_counter() - t0
traced = tracemalloc.get_traced_memory()[1]
done.set()
sampler.join()
end = status()
for k in ("RssAnon", "VmRSS", "RssFile"):
    peak[k] = max(peak[k], end[k])
print(json.dumps(dict(
    seconds=seconds, nnz=nnz, traced_peak=traced,
    anon_peak_above_base=peak["RssAnon"] - base["RssAnon"],
    rss_peak_above_base=max(end["VmHWM"], peak["VmRSS"]) - base["VmRSS"],
    file_peak=peak["RssFile"], base_rss=base["VmRSS"])))
"""


def write_data(path, n, p, seed=0, block=64):
    """X (float32, F-ordered, written a block of columns at a time) and y."""
    path = Path(path)
    if path.exists() and Path(str(path) + ".y.npy").exists() \
            and path.stat().st_size == 4 * n * p:
        return
    rng = np.random.default_rng(seed)
    X = np.memmap(path, dtype=np.float32, mode="w+", shape=(n, p), order="F")
    y = np.zeros(n)
    w = np.zeros(p)
    w[:10] = np.linspace(2.0, 0.5, 10)           # a support of 10 features
    for start in range(0, p, block):
        cols = rng.standard_normal((block, n), dtype=np.float32)[:min(block, p - start)]
        X[:, start:start + len(cols)] = cols.T
        y += cols.T.astype(np.float64) @ w[start:start + len(cols)]
    X.flush()
    del X
    y += rng.standard_normal(n)
    np.save(str(path) + ".y.npy", y)


def alpha_max(path, n, p):
    """max_j |x_jc^T y_c| / n, read a block of columns at a time."""
    X = np.memmap(path, dtype=np.float32, mode="r", shape=(n, p), order="F")
    y = np.load(str(path) + ".y.npy")
    yc = y - y.mean()
    best = 0.0
    for start in range(0, p, 256):
        blk = np.asarray(X[:, start:start + 256], dtype=np.float64)
        best = max(best, float(np.abs((blk - blk.mean(axis=0)).T @ yc).max()))
    return best / n


def measure(cfg):
    out = subprocess.run([sys.executable, "-c", MEASURE, json.dumps(cfg)],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "OMP_NUM_THREADS": "1",
                              "OPENBLAS_NUM_THREADS": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--p", type=int, default=2000)
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--ratio", type=float, default=0.5,
                    help="alpha / alpha_max of the fit (default 0.5: a small support)")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args(argv)
    n, p = args.n, args.p
    path = str(Path(args.dir) / f"regfast_mmap_{n}x{p}.f32")
    t0 = time.perf_counter()
    write_data(path, n, p)
    amax = alpha_max(path, n, p)
    x_bytes = 4 * n * p
    np_bytes = 8 * (n + p)
    print(f"X: {n} x {p} float32, memory-mapped ({x_bytes / 2**20:.0f} MiB, "
          f"{path}); (n + p) * 8 bytes = {np_bytes / 2**20:.2f} MiB; "
          f"data ready in {time.perf_counter() - t0:.0f} s")
    runs = [
        ("Lasso, one alpha, on X", "lasso", False),
        ("Lasso, one alpha, Gram subsets", "lasso", "auto"),
        ("lasso_path, 10 alphas, on X", "path", False),
        ("lasso_path, 10 alphas, Gram", "path", "auto"),
    ]
    results = []
    header = (f"{'fit':34s} {'nnz':>4s} {'time':>6s} {'anon':>9s} {'anon/(n+p)8':>11s} "
              f"{'anon/X':>7s} {'RSS':>9s} {'RSS/X':>6s} {'traced':>9s}")
    print(header)
    for name, what, precompute in runs:
        cfg = dict(path=path, n=n, p=p, what=what, precompute=precompute,
                   alpha=args.ratio * amax, alpha_max=amax, n_alphas=10)
        r = measure(cfg)
        r.update(name=name, n=n, p=p, x_bytes=x_bytes, np_bytes=np_bytes,
                 gram_bytes=4 * p * p)
        results.append(r)
        print(f"{name:34s} {r['nnz']:4d} {r['seconds']:5.1f}s "
              f"{r['anon_peak_above_base'] / 2**20:7.1f}Mi "
              f"{r['anon_peak_above_base'] / np_bytes:11.2f} "
              f"{r['anon_peak_above_base'] / x_bytes:7.3f} "
              f"{r['rss_peak_above_base'] / 2**20:7.0f}Mi "
              f"{r['rss_peak_above_base'] / x_bytes:6.2f} "
              f"{r['traced_peak'] / 2**20:7.1f}Mi")
    print(f"(Gram matrix p x p float32: {4 * p * p / 2**20:.1f} MiB)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
