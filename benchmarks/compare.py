"""regfast against its peers, at equal accuracy, single-threaded.

For every problem, dtype, task and solver:

1. Equal accuracy.  The solver's result is scored by one duality-gap
   computation (``benchmarks/scoring.py``: scikit-learn's objective with an
   intercept, dual point = rescaled centred residual), never by the solver's
   own report.  Its ``tol`` is tightened step by step (``peers.TOL_SCHEDULE``)
   until the relative gap (worst over a path) meets the target: 1e-6 for
   float64, a looser one for float32.  A solver that never meets it is timed
   at its tightest tol and marked ``*``.
2. Time.  The tuning runs are the warm-up; then the median of ``--repeats``
   runs at the passing tol.  skglm (numba) is compiled once per dtype and
   storage before its timed processes start; that compile time is reported
   apart.  Threads: OMP/OpenBLAS/MKL/numba pinned to 1 (environment,
   set before numpy loads, and threadpoolctl); LassoCV with n_jobs=2 is the
   one row that uses 2 cores.  ``--threads N`` gives the solvers that can
   thread one fit (regfast's n_jobs, adelie's n_threads) N threads on the
   Lasso, ElasticNet and path rows.
3. The floor.  The time of one X^T v product on the same X (a full
   coordinate-descent epoch reads X once): every time is also given in floor
   units.
4. Memory.  Each solver runs in its own forked process; the peak of its
   resident set during a fit above the size before it (X included in the
   latter) is measured through /proc (``benchmarks/measure.py``) and shown in
   MiB and as a multiple of X's size.
5. Limits.  Each (solver, row) gets ``--timeout`` seconds for tuning and
   timing; a solver past it is killed and shown as "timeout".

Logistic rows (``logreg_*`` tasks, on the binary sets of
``problems.LOGISTIC``) follow the same method, scored by
``scoring.logistic_gap`` (gap / objective, scikit-learn 1.9's objective);
``--c-ratios`` sets their C = C_min * ratio, and each peer runs only the
rows whose problem it solves (see peers.py).  ``--solver-timeout`` gives a
solver a time limit of its own and ``--time-stat min`` times the best run
instead of the median.  The load average (start, end, and before each
logistic row) is recorded, since the machine is shared.

Output: a markdown table and a JSON file (``--out``, default
``benchmarks/compare_results/latest``), and the markdown on stdout.

Examples::

    python benchmarks/compare.py --quick
    python benchmarks/compare.py --render benchmarks/compare_results/latest.json
    python benchmarks/compare.py --summary benchmarks/compare_results/*.json
    python benchmarks/compare.py --problems dense_wide leukemia --tasks lasso enet \\
        --solvers regfast sklearn celer skglm --timeout 120
    python benchmarks/compare.py --problems leukemia reuters_moneyfx \\
        --tasks logreg_l1 logreg_l2 logreg_path_noint --dtypes float64 \\
        --solvers regfast sklearn-liblinear sklearn-lbfgs celer skglm --time-stat min
"""

import os
import sys

# Pin every thread pool before numpy (or a peer) loads its BLAS, and make glibc
# return every large block to the system when it is freed (a fixed mmap
# threshold), so a fit's peak memory shows in the resident set even when an
# earlier fit left freed heap behind.  malloc reads its variables at start-up:
# re-execute once with them set.
_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "NUMBA_NUM_THREADS": "1", "MALLOC_MMAP_THRESHOLD_": "65536"}
if __name__ == "__main__" and any(os.environ.get(k) != v for k, v in _ENV.items()):
    _env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    os.execve(sys.executable, [sys.executable] + sys.argv, {**_env, **_ENV})

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from importlib import metadata  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from benchmarks.measure import peak_increase  # noqa: E402
from benchmarks.problems import (ALPHA_RATIOS, C_RATIOS, DTYPES,  # noqa: E402
                                 LOGISTIC_PROBLEMS, MULTITASK, PROBLEMS, as_dtype,
                                 is_available, is_logistic_available,
                                 is_multitask_available, make_logistic_problem,
                                 make_multitask_problem, make_problem)
from benchmarks.tasks import (LOGISTIC_SPEC, SINGLE_C_TASKS, TASKS, is_logistic,  # noqa: E402
                              is_multitask, score_fit, task_kwargs)
from benchmarks import tasks  # noqa: E402
from peers import DIRECT, JIT, PEERS, SOLVERS, schedule  # noqa: E402

HERE = Path(__file__).resolve().parent
TARGETS = {"float64": 1e-6, "float32": 1e-4}
TASK_LABELS = {
    "lasso": "Lasso", "enet": "ElasticNet l1_ratio=0.5", "lasso_path": "Lasso path, 100 alphas",
    "hard_path": "Lasso path, 20 alphas to alpha_max/20",
    "hard_path_noint": "Lasso path, 20 alphas to alpha_max/20, no intercept",
    "lasso_cv": "LassoCV 5 folds", "lasso_cv_2jobs": "LassoCV 5 folds, n_jobs=2",
    "ridge": "Ridge alpha=1", "ridge_cv": "RidgeCV 20 alphas",
    "logreg_l1": "LogisticRegression L1", "logreg_enet": "LogisticRegression l1_ratio=0.5",
    "logreg_l2": "LogisticRegression L2", "logreg_l1_noint": "LogisticRegression L1, no intercept",
    "logreg_path": "logistic L1 path, 100 Cs",
    "logreg_path_noint": "logistic L1 path, 100 Cs, no intercept",
    "logreg_cv": "LogisticRegressionCV L1, 5 folds x 100 Cs",
    "logreg_cv_noint": "LogisticRegressionCV L1, 5 folds x 100 Cs, no intercept",
    "mtlasso": "MultiTaskLasso, 4 targets",
}
ALL_PROBLEMS = PROBLEMS + tuple(p for p in LOGISTIC_PROBLEMS if p not in PROBLEMS) + MULTITASK
# Address-space limit of a solver's process: a peer that asks for a dense
# p x p matrix on a wide problem fails with MemoryError instead of drawing the
# out-of-memory killer onto a shared machine.
MAX_GIB = 12
QUICK = dict(problems=["dense_wide", "leukemia", "sparse_wide"], tasks=["lasso", "enet"],
             dtypes=["float64"], alpha_ratios=[10], repeats=3, timeout=60)


# ------------------------------------------------------------------ measuring

def xt_floor(X, min_time=0.3):
    """Median time of one X^T v (v in X's dtype) over repeated products."""
    v = np.ones(X.shape[0], dtype=X.dtype)
    XT = X.T.tocsr() if sp.issparse(X) else X.T       # CSC^T is CSR: a free view
    XT @ v
    times = []
    start = time.perf_counter()
    while len(times) < 5 or (time.perf_counter() - start < min_time and len(times) < 1000):
        t0 = time.perf_counter()
        XT @ v
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def measure(solver, task, X, y, kwargs, target, repeats, deadline, tol_hint, send):
    """Tune tol to the target, then time: runs in a forked worker, reports through send.

    With a hint (the tol that passed on the row's single-alpha or single-C
    counterpart at the largest ratio), tuning starts two steps looser than it
    (Lasso path and CV) or one step looser (logistic path and CV, whose runs
    are long: a step of the schedule costs a whole path or CV).
    """
    runner = SOLVERS[solver][task]
    first, factor, last = schedule(solver)
    steps_back = 1 if is_logistic(task) else 2
    tol = first if tol_hint is None else min(first, tol_hint / factor ** steps_back)
    if solver in DIRECT:
        last = tol
    warnings.simplefilter("ignore")
    with threadpool_limits(limits=1):
        t0 = time.perf_counter()
        fit = runner(X, y, tol, **kwargs)
        first_call = time.perf_counter() - t0
        score = score_fit(X, y, fit)
        n_tune, t_run = 1, first_call

        def progress():                       # what a time-out during tuning leaves
            send({"tol": tol, "met": bool(score["rel_gap"] <= target), "first_call_s": first_call,
                  "n_tune_runs": n_tune, "n_iter": int(fit.n_iter), **score,
                  "times": [t_run], "peak_bytes": float("nan"), "tuning": True})

        while score["rel_gap"] > target and tol * factor >= last * (1 - 1e-9):
            progress()
            tol *= factor
            t0 = time.perf_counter()
            fit = runner(X, y, tol, **kwargs)
            t_run = time.perf_counter() - t0
            score = score_fit(X, y, fit)
            n_tune += 1
        progress()
        result = {"tol": tol, "met": bool(score["rel_gap"] <= target), "first_call_s": first_call,
                  "n_tune_runs": n_tune, "n_iter": int(fit.n_iter), **score}
        if n_tune == 1:                       # the first call was cold: warm up once more
            t0 = time.perf_counter()
            runner(X, y, tol, **kwargs)
            t_run = time.perf_counter() - t0
        times, mems = [], []
        for _ in range(repeats):
            if times and time.perf_counter() + t_run > deadline:
                break
            (_, mem) = peak_increase(lambda: times.append(_timed(runner, X, y, tol, kwargs)))
            mems.append(mem)
            send({**result, "times": list(times), "peak_bytes": float(max(mems))})


def _timed(runner, X, y, tol, kwargs):
    t0 = time.perf_counter()
    runner(X, y, tol, **kwargs)
    return time.perf_counter() - t0


def _worker(conn, max_bytes, *args):
    try:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    except (ValueError, OSError):
        pass
    try:
        measure(*args, send=conn.send)
    except NotImplementedError as exc:
        conn.send({"status": "n/a", "note": str(exc)})
    except Exception as exc:                  # a peer's failure is a result, not a crash
        conn.send({"status": "error", "note": f"{type(exc).__name__}: {exc}"[:200],
                   "traceback": traceback.format_exc()})
    conn.close()


def run_solver(solver, task, X, y, kwargs, target, repeats, timeout, tol_hint,
               max_gib=MAX_GIB, stat="median"):
    """Measure one solver on one row in a forked process, with a time limit."""
    if task not in SOLVERS[solver]:
        return {"status": "n/a", "note": f"{solver} has no {task}"}
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    deadline = time.perf_counter() + timeout
    proc = ctx.Process(target=_worker, args=(child, int(max_gib * 2**30), solver, task, X, y, kwargs, target,
                                             repeats, deadline, tol_hint))
    proc.start()
    child.close()
    last, timed_out = None, False
    while True:
        left = deadline - time.perf_counter()
        if left <= 0 or not parent.poll(left):
            timed_out = True
            break
        try:
            last = parent.recv()
        except EOFError:                      # the worker is done (or died)
            break
        if "status" in last:
            break
    proc.join(timeout=0 if timed_out else 10)
    if proc.is_alive():
        proc.kill()
        proc.join()
    if last is None:
        return {"status": "timeout" if timed_out else "crash",
                "note": "" if timed_out else f"exit code {proc.exitcode}"}
    if "status" in last:
        return last
    last["status"] = "ok"
    last["time_s"] = float(np.min(last["times"]) if stat == "min" else np.median(last["times"]))
    if timed_out and last.pop("tuning", False):
        last["note"] = tuning_note(last["met"], last["tol"])
    elif timed_out:
        last["note"] = f"timeout after {len(last['times'])} timed run(s)"
    return last


def tuning_note(met, tol):
    """Why a time is a single run: the time limit came during or right after tuning."""
    if met:
        return ("one run: the tuning run at the passing tol (the time limit came "
                "before the repeats)")
    return f"timeout while tightening tol (one run at tol {tol:.0e})"


# ------------------------------------------------------------------ the run

def jit_warm_up(solver, X, y, done, logistic=False, multitask=False):
    """Compile a JIT solver once per dtype, storage and loss, in this process, before forking.

    Its workers inherit the compiled code, so their times and time limits
    exclude compilation; the compile time (the first call's, on a small slice
    of X) is returned and reported apart.
    """
    key = (solver, X.dtype.str, sp.issparse(X), logistic, multitask)
    if key not in done:
        Xs, ys = X[:50][:, :100], y[:50]
        if logistic:                          # both classes, and columns that are not empty
            rows = np.r_[np.flatnonzero(y > 0)[:25], np.flatnonzero(y <= 0)[:25]]
            Xs, ys = X[rows], y[rows]
            nnz = np.asarray((Xs != 0).sum(axis=0)).ravel()
            Xs = Xs[:, np.sort(np.argsort(-nnz, kind="stable")[:100])]
        Xs = Xs.tocsc() if sp.issparse(Xs) else np.asfortranarray(Xs)
        t0 = time.perf_counter()
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.simplefilter("ignore")
            if logistic:
                for task in SOLVERS[solver]:
                    if task in SINGLE_C_TASKS:
                        SOLVERS[solver][task](Xs, ys, 1e-4, **task_kwargs(task, Xs, ys, 10))
            elif multitask:
                try:        # a peer that fails here fails again in its worker: reported there
                    SOLVERS[solver]["mtlasso"](Xs, ys, 1e-4,
                                               **task_kwargs("mtlasso", Xs, ys, 10))
                except Exception:
                    pass
            else:
                for task in ("lasso", "enet"):
                    SOLVERS[solver][task](Xs, ys, 1e-4,
                                          alpha=float(np.abs(Xs.T @ ys).max()) / 500)
        done[key] = time.perf_counter() - t0
    return done[key]


def has_problem(task, problem):
    """Regression tasks run on the regression problems, logistic ones on the binary
    sets, multi-task ones on the multi-task problems."""
    if is_multitask(task):
        return problem in MULTITASK
    return problem in (LOGISTIC_PROBLEMS if is_logistic(task) else PROBLEMS)


def rows(args):
    for problem in args.problems:
        for dtype in args.dtypes:
            for task in args.tasks:
                if not has_problem(task, problem):
                    continue
                if task in ("lasso", "enet", "mtlasso"):
                    ratios = args.alpha_ratios
                elif task in SINGLE_C_TASKS:
                    ratios = args.c_ratios
                else:
                    ratios = [None]
                for ratio in ratios:
                    yield problem, dtype, task, ratio


def hint_source(task):
    """(task, is its ratio the largest) whose passing tol starts a path's or CV's tuning."""
    if task.startswith("lasso_"):
        return "lasso"
    if is_logistic(task) and task not in SINGLE_C_TASKS:
        return "logreg_l1" if LOGISTIC_SPEC[task][1] else "logreg_l1_noint"
    return None


def solver_timeout(args, solver):
    return args.solver_timeout.get(solver, args.timeout)


def run(args):
    results = []
    tol_hints = {}
    data = {}
    jit_done = {}
    for problem, dtype, task, ratio in rows(args):
        logistic, multitask = is_logistic(task), is_multitask(task)
        available = (is_logistic_available if logistic else
                     is_multitask_available if multitask else is_available)
        if not available(problem):
            print(f"# {problem}: data not found, skipped", file=sys.stderr)
            continue
        key = (problem, logistic)
        if key not in data:
            data.clear()
            make = (make_logistic_problem if logistic else
                    make_multitask_problem if multitask else make_problem)
            data[key] = make(problem, quick=False)
        X, y = as_dtype(*data[key], dtype)
        kwargs = task_kwargs(task, X, y, ratio or 10)
        floor = xt_floor(X)
        x_bytes = (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) if sp.issparse(X) else X.nbytes
        target = args.target if dtype == "float64" else args.target32
        row = {"problem": problem, "dtype": dtype, "task": task,
               "alpha_max_over": None if logistic else ratio,
               "shape": list(X.shape), "sparse": sp.issparse(X), "x_bytes": int(x_bytes),
               "floor_s": floor, "target": target, "solvers": {}}
        if logistic:
            row["c_min_times"] = ratio
            row["C"] = kwargs.get("C")
            row["load_before"] = os.getloadavg()[0]
        for solver in args.solvers:
            if task not in SOLVERS[solver] and "-" in solver:
                continue                      # a solver variant (sklearn-saga, ...) of other rows
            if solver in JIT and task in SOLVERS[solver]:
                compile_s = jit_warm_up(solver, X, y, jit_done, logistic, multitask)
            source = hint_source(task)
            hint = tol_hints.get((problem, dtype, solver, source)) if source else None
            res = run_solver(solver, task, X, y, kwargs, target, args.repeats,
                             solver_timeout(args, solver), hint, args.max_gib, args.time_stat)
            if res.get("status") == "ok":
                res["x_floor"] = res["time_s"] / floor
                largest = max(args.c_ratios if task in SINGLE_C_TASKS else args.alpha_ratios)
                if res["met"] and task in ("lasso", "logreg_l1", "logreg_l1_noint") \
                        and ratio == largest:
                    tol_hints[(problem, dtype, solver, task)] = res["tol"]
            if solver in JIT and res.get("status") == "ok":
                res["compile_s"] = compile_s
            row["solvers"][solver] = res
            print(f"# {problem} {dtype} {task} {ratio or ''} {solver}: {_short(res)}",
                  file=sys.stderr, flush=True)
        results.append(row)
    return results


def _short(res):
    if res.get("status") != "ok":
        return f"{res.get('status')} {res.get('note', '')}"
    return (f"{res['time_s']:.4g} s, rel gap {res['rel_gap']:.2e}{'' if res['met'] else ' *'}, "
            f"tol {res['tol']:.0e}")


# ------------------------------------------------------------------ the report

def _fmt_time(t):
    return f"{t:.3g}" if t >= 1e-3 else f"{t:.2e}"


def row_title(row):
    title = TASK_LABELS[row["task"]]
    if row.get("c_min_times"):
        return title + f", C = C_min x {row['c_min_times']}"
    return title + (f", alpha_max/{row['alpha_max_over']}" if row["alpha_max_over"] else "")


def sklearn_best(row):
    """scikit-learn's entry: 'sklearn' if it met the target, else the fastest
    'sklearn-<solver>' that did (the logistic rows have no plain 'sklearn');
    (name, time) or (None, None)."""
    ok = {s: r["time_s"] for s, r in row["solvers"].items()
          if r.get("status") == "ok" and r["met"] and s.split("-")[0] == "sklearn"}
    if "sklearn" in ok:
        return "sklearn", ok["sklearn"]
    if not ok or "sklearn" in row["solvers"]:
        return None, None
    name = min(ok, key=ok.get)
    return name, ok[name]


def ratios(row):
    """(fastest peer name, its time) among peers that met the target, and sklearn's time."""
    ok = {s: r for s, r in row["solvers"].items() if r.get("status") == "ok" and r["met"]}
    peers = {s: r["time_s"] for s, r in ok.items() if not s.startswith("regfast")}
    best = min(peers, key=peers.get) if peers else None
    sk = sklearn_best(row)[1]
    return best, (peers[best] if best else None), sk


def summary_table(results):
    """One line per row: regfast, the fastest peer that met the target, the ratios."""
    summary = ["| problem | dtype | task | regfast (s) | x floor | fastest peer (s) | "
               "regfast / fastest peer | regfast / sklearn |", "|---|---|---|---|---|---|---|---|"]
    for row in results:
        best, t_best, t_sk = ratios(row)
        ours = [s for s in row["solvers"] if s.startswith("regfast")] or ["regfast"]
        for name in ours:
            rf = row["solvers"].get(name, {})
            if rf.get("status") == "ok":
                t = rf["time_s"]
                star = "" if rf["met"] else "*"
                cells = [f"{_fmt_time(t)}{star}", f"{rf['x_floor']:.0f}",
                         f"{best} {_fmt_time(t_best)}" if best else "-",
                         f"{t / t_best:.2f}" if best else "-", f"{t / t_sk:.2f}" if t_sk else "-"]
            else:
                cells = [rf.get("status", "-"), "-",
                         f"{best} {_fmt_time(t_best)}" if best else "-", "-", "-"]
            label = row_title(row) + (f" ({name})" if name != "regfast" else "")
            summary.append(f"| {row['problem']} | {row['dtype']} | {label} | "
                           + " | ".join(cells) + " |")
    return summary


def _cell(r):
    """'time (rel gap)' of one solver's result, '*' when it missed the target."""
    if r.get("status") != "ok":
        return r.get("status", "-")
    return f"{_fmt_time(r['time_s'])}{'' if r['met'] else '*'} ({r['rel_gap']:.0e})"


def _closest(row, names):
    """Of the solvers named, the one that came closest to the target (smallest gap);
    one that only timed out counts last."""
    res = {s: row["solvers"][s] for s in names if s in row["solvers"]}
    if not res:
        return None
    return min(res, key=lambda s: (res[s].get("status") != "ok", res[s].get("rel_gap", np.inf)))


def _missed(r, limit):
    """Seconds a solver ran without meeting the target: its time (marked *) or its
    time limit (timeout); None when it met it or failed otherwise."""
    if r.get("status") == "ok" and not r["met"]:
        return r["time_s"]
    if r.get("status") == "timeout" and limit:
        return limit
    return None


def logistic_summary_table(results, limits=None):
    """One line per logistic row: regfast, the fastest peer and scikit-learn, with the
    relative gaps each reached, and the ratios.

    When no peer (or no scikit-learn solver) met the target, the one that came
    closest is shown; if regfast met it, the ratio is then an upper bound,
    '< x': that solver ran 1/x times regfast's time (or its time limit, from
    ``limits``) without meeting the target.  When regfast missed the target
    and the other met it, '> x': regfast stopped short after x times its time.
    """
    limits = limits or {}
    out = ["| problem | task | regfast s (gap) | fastest peer s (gap) | regfast / fastest peer "
           "| scikit-learn s (gap) | regfast / scikit-learn |",
           "|---|---|---|---|---|---|---|"]
    for row in results:
        rf = row["solvers"].get("regfast", {})
        t = rf.get("time_s") if rf.get("status") == "ok" else None
        met = bool(t) and rf["met"]

        def entry(name, t_ref, prefix=""):
            r = row["solvers"][name]
            cell = f"{name.removeprefix(prefix)} {_cell(r)}"
            if r.get("status") == "timeout" and limits.get(name):
                cell = f"{name.removeprefix(prefix)} timeout (> {limits[name]:.0f} s)"
            if r.get("status") == "ok" and r["met"]:    # regfast missed: '>' (it stopped short)
                return cell, (f"{'' if met else '> '}{t / r['time_s']:.3g}" if t else "-")
            missed = _missed(r, limits.get(name))
            return cell, f"< {t / missed:.3g}" if met and missed else "-"

        best, _, _ = ratios(row)
        peers = [s for s in row["solvers"] if not s.startswith("regfast")]
        best = best or _closest(row, peers)
        peer, r_peer = entry(best, t) if best else ("-", "-")
        sk_name = sklearn_best(row)[0] or _closest(row, [s for s in peers
                                                        if s.split("-")[0] == "sklearn"])
        sk, r_sk = entry(sk_name, t, "sklearn-") if sk_name else ("-", "-")
        out.append(f"| {row['problem']} | {row_title(row)} | {_cell(rf) if rf else '-'} | "
                   f"{peer} | {r_peer} | {sk} | {r_sk} |")
    return out


def time_limits(meta):
    """{solver: seconds} of a run, from its meta (or its recorded command line)."""
    if "limits" in meta:
        return meta["limits"]
    try:
        args = parse_args(meta["command"].split()[2:])
    except SystemExit:
        return {}
    return {s: solver_timeout(args, s) for s in args.solvers}


def markdown(results, meta):
    stat = "best" if meta.get("time_stat") == "min" else "median"
    out = [f"Measured {meta['date']} on {meta['machine']}; command: `{meta['command']}`.",
           ""]
    if meta.get("load"):
        out += [f"Load (uptime's 1/5/15-minute averages): {meta['load']}.", ""]
    threads = meta.get("threads", 1)
    threading = ("single-threaded" if threads == 1 else
                 f"{threads} threads per fit for regfast (n_jobs) and adelie (n_threads), one "
                 "for the other peers (BLAS pinned to one)")
    out += [f"Every time is the {stat} of several runs after a warm-up, {threading}, at the "
           "tol that first meets the relative duality-gap target (our own gap computation; "
           "`*` = the solver never met it, timed at its tightest tol). 'x floor' = time / "
           "one X^T v. Ratios are to the fastest peer that met the target and to scikit-learn. "
           "Memory = peak increase of the resident set during a fit (x X = multiple of X's size).",
           ""]
    regression = [row for row in results if not is_logistic(row["task"])]
    logistic = [row for row in results if is_logistic(row["task"])]
    if regression:
        out += ["### Summary", ""] + summary_table(regression) + [""]
    if logistic:
        out += ["### Summary, logistic", "",
                "Gaps in brackets: the relative duality gap each reached (gap / objective, "
                "`benchmarks/scoring.py`'s `logistic_gap`); `*` = missed the target. Fastest "
                "peer and scikit-learn (its fastest solver): those that met the target, else "
                "the one that came closest, and then '< x' bounds the ratio: that solver ran "
                "1/x times regfast's time (or its time limit) without meeting the target.", ""]
        out += logistic_summary_table(logistic, time_limits(meta)) + [""]
    out += ["### Every solver", ""]
    for row in results:
        best, t_best, t_sk = ratios(row)
        n, p = row["shape"]
        out += [f"**{row['problem']}** ({n} x {p}, {'CSC' if row['sparse'] else 'dense'}, "
                f"{row['dtype']}) -- {row_title(row)}; floor {row['floor_s'] * 1e3:.3g} ms, "
                f"gap target {row['target']:.0e}"
                + (f"; C = {row['C']:.4g}" if row.get("C") else "")
                + (f"; load {row['load_before']:.1f} before the row" if "load_before" in row
                   else ""), "",
                "| solver | time (s) | x floor | / fastest peer | / sklearn | objective | "
                "rel gap | peak MiB (x X) | tol | note |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        order = sorted(row["solvers"].items(),
                       key=lambda kv: kv[1].get("time_s", np.inf) if kv[1].get("status") == "ok"
                       else np.inf)
        for solver, r in order:
            if r.get("status") != "ok":
                out.append(f"| {solver} | {r.get('status')} | | | | | | | | "
                           f"{r.get('note', '')[:80]} |")
                continue
            t, mem = r["time_s"], r["peak_bytes"]
            note = r.get("note", "")
            if note.startswith("timeout while tightening tol"):      # results of older runs
                note = tuning_note(r["met"], r["tol"])
            if "compile_s" in r:
                note = "; ".join(filter(None, [note, f"numba compile {r['compile_s']:.1f} s, "
                                                     "not in the time"]))
            cells = [f"{_fmt_time(t)}{'' if r['met'] else '*'}", f"{r['x_floor']:.0f}",
                     f"{t / t_best:.2f}" if t_best else "-", f"{t / t_sk:.2f}" if t_sk else "-",
                     f"{r['objective']:.10g}", f"{r['rel_gap']:.1e}",
                     "-" if np.isnan(mem) else f"{mem / 2**20:.1f} ({mem / row['x_bytes']:.2f})",
                     f"{r['tol']:.0e}", note]
            out.append(f"| {solver} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def _git_commit():
    """The repository's commit (with '+' when the work tree differs), or '?'."""
    import subprocess
    try:
        run = lambda *a: subprocess.run(["git", "-C", str(HERE), *a], capture_output=True,
                                        text=True, check=True).stdout.strip()
        return run("rev-parse", "--short", "HEAD") + ("+" if run("status", "--porcelain",
                                                                  "--", "../src", "../regfast") else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def versions(solvers):
    names = {"regfast": "regfast", "sklearn": "scikit-learn", "celer": "celer",
             "skglm": "skglm", "glum": "glum", "adelie": "adelie"}
    out = {"python": platform.python_version(), "numpy": np.__version__,
           "regfast commit": _git_commit()}
    for s in {s.split("-")[0] for s in solvers}:
        try:
            out[names[s]] = metadata.version(names[s])
        except metadata.PackageNotFoundError:
            out[names[s]] = "not installed"
    return out


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--problems", nargs="+", choices=ALL_PROBLEMS,
                    help="regression tasks run on the regression problems, logistic tasks "
                         f"on the binary ones ({', '.join(LOGISTIC_PROBLEMS)})")
    ap.add_argument("--tasks", nargs="+", choices=TASKS)
    ap.add_argument("--solvers", nargs="+", choices=list(SOLVERS),
                    help="default: regfast and every peer")
    ap.add_argument("--dtypes", nargs="+", choices=DTYPES)
    ap.add_argument("--alpha-ratios", nargs="+", type=int,
                    help="single-alpha rows at alpha_max / each (default 10 100)")
    ap.add_argument("--c-ratios", nargs="+", type=int,
                    help="single-C logistic rows at C = C_min * each (default 10 100)")
    ap.add_argument("--repeats", type=int, help="timed runs per solver (default 5)")
    ap.add_argument("--timeout", type=float, help="seconds per solver and row (default 120)")
    ap.add_argument("--solver-timeout", nargs="+", default=[], metavar="SOLVER=SECONDS",
                    help="a limit of its own for a solver, e.g. glum=20")
    ap.add_argument("--time-stat", choices=("median", "min"), default="median",
                    help="time of a solver: median or best (min) of the timed runs")
    ap.add_argument("--max-gib", type=float, default=MAX_GIB,
                    help="address-space limit of each solver's process, GiB (default 12)")
    ap.add_argument("--target", type=float, default=TARGETS["float64"],
                    help="relative duality-gap target, float64 (default 1e-6)")
    ap.add_argument("--target32", type=float, default=TARGETS["float32"],
                    help="relative duality-gap target, float32 (default 1e-4)")
    ap.add_argument("--quick", action="store_true",
                    help="a few problems, Lasso and ElasticNet at alpha_max/10, float64, "
                         "3 runs, 60 s limit (explicit options still win)")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads per fit for the solvers that can thread one fit "
                         "(regfast's n_jobs, adelie's n_threads; the others run on one) "
                         "on the Lasso, ElasticNet and path rows (default 1)")
    ap.add_argument("--out", type=Path, default=HERE / "compare_results" / "latest",
                    help="write OUT.md and OUT.json")
    args = ap.parse_args(argv)
    args.solver_timeout = {k: float(v) for k, v in (s.split("=", 1) for s in args.solver_timeout)}
    unknown = set(args.solver_timeout) - set(SOLVERS)
    if unknown:
        ap.error(f"--solver-timeout: unknown solver(s) {sorted(unknown)}")
    defaults = dict(problems=list(ALL_PROBLEMS), tasks=list(TASKS), dtypes=list(DTYPES),
                    alpha_ratios=list(ALPHA_RATIOS), c_ratios=list(C_RATIOS), repeats=5,
                    timeout=120,
                    solvers=["regfast"] + PEERS)
    if args.quick:
        defaults.update(QUICK)
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def render(json_path):
    """Rewrite the markdown of a saved run from its JSON (after a change of format)."""
    saved = json.loads(Path(json_path).read_text())
    md = markdown(saved["rows"], saved["meta"])
    md += "\nVersions: " + ", ".join(f"{k} {v}" for k, v in saved["meta"]["versions"].items()) + "\n"
    Path(json_path).with_suffix(".md").write_text(md)
    print(md)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--render"]:
        return render(argv[1])
    if argv[:1] == ["--summary"]:                 # one summary table from several runs
        rows = [row for path in argv[1:] for row in json.loads(Path(path).read_text())["rows"]]
        return print("\n".join(summary_table(rows)))
    args = parse_args(argv)
    tasks.THREADS = args.threads          # the forked solver processes inherit it
    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = os.getloadavg()
    results = run(args)
    ended = datetime.datetime.now(datetime.timezone.utc)
    load_end = os.getloadavg()
    fmt = lambda load: "/".join(f"{x:.2f}" for x in load)
    meta = {"date": started.strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"a {os.cpu_count()}-core machine ({platform.machine()}, "
                       f"{platform.system()})",
            "command": "python benchmarks/compare.py " + " ".join(argv),
            "versions": versions(args.solvers), "targets": {"float64": args.target,
                                                            "float32": args.target32},
            "time_stat": args.time_stat, "threads": args.threads,
            "limits": {s: solver_timeout(args, s) for s in args.solvers},
            "duration_s": (ended - started).total_seconds(),
            "load": f"{fmt(load_start)} at the start, {fmt(load_end)} at the end "
                    f"({ended.strftime('%H:%M UTC')}, {(ended - started).total_seconds() / 60:.0f} "
                    "minutes later)"}
    md = markdown(results, meta)
    md += "\nVersions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(md)
    args.out.with_suffix(".json").write_text(json.dumps({"meta": meta, "rows": results},
                                                        indent=1, default=float))
    print(md)


if __name__ == "__main__":
    main()
