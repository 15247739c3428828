"""The asv benchmark template: one task timed on every problem.

Each subclass names a task of ``tasks.py`` and its parameter grid.  Data is
built once per asv run (``setup_cache``, one ``.npy``/``.npz`` file per
problem, so a benchmark process loads only its own X and ``peakmem_`` sees
one problem), and every problem is solved at the same tolerance, so the
``track_`` benchmarks show when a speed-up comes from a looser answer.
"""

import math

import numpy as np
import scipy.sparse as sp

from .measure import peak_increase
from .problems import (GRID_LOGISTIC_PROBLEMS, GRID_PROBLEMS, as_dtype, is_available,
                       is_logistic_available, make_logistic_problem, make_problem)
from .tasks import RUNNERS, check_available, score_fit, task_kwargs

# scikit-learn's tol: duality gap below tol * ||y_c||^2 / n.
TOL = {"float64": 1e-6, "float32": 1e-5}
# track_extra_memory's floor, MiB: below it the figure is malloc's granularity and
# first-call noise (+-100 KiB from run to run on the same code), not the fit's working
# set; clamping keeps the Regressions tab from flagging that noise (with the 25 %
# threshold of asv.conf.json's regressions_thresholds) while a copy of X still shows.
MEMORY_FLOOR_MIB = 1.0


def save_problems(names, logistic=False):
    """Build each available problem once (the binary ones with logistic=True);
    returns {name: file}."""
    files = {}
    prefix = "logistic_" if logistic else ""
    for name in names:
        if not (is_logistic_available(name) if logistic else is_available(name)):
            continue
        X, y = make_logistic_problem(name) if logistic else make_problem(name)
        name_ = prefix + name
        if sp.issparse(X):
            files[name] = (f"{name_}_X.npz", f"{name_}_y.npy")
            sp.save_npz(files[name][0], X, compressed=False)
        else:
            files[name] = (f"{name_}_X.npy", f"{name_}_y.npy")
            np.save(files[name][0], X)          # keeps Fortran order
        np.save(files[name][1], y)
    return files


def load_problem(files, name):
    """(X, y) of one problem saved by save_problems."""
    if name not in files:
        raise NotImplementedError(f"problem {name} is not available (data folder missing)")
    x_file, y_file = files[name]
    X = sp.load_npz(x_file).tocsc() if x_file.endswith(".npz") else np.load(x_file)
    return X, np.load(y_file)


class _TaskBenchmark:
    """time_, peakmem_ and track_ benchmarks of one regfast task.

    Subclasses set ``task``, ``params``/``param_names`` (problem first, then
    dtype, then the task's own parameter) and may override ``task_setup``.
    """

    task = None
    timeout = 600
    processes = 1

    def setup_cache(self):
        return save_problems(GRID_PROBLEMS)

    def setup(self, files, problem, dtype="float64", option=None):
        check_available(self.task)
        X, y = as_dtype(*load_problem(files, problem), dtype)
        self.X, self.y, self.tol = X, y, TOL[dtype]
        self.kwargs = self.task_kwargs(X, y, option)

    def task_kwargs(self, X, y, option):
        return task_kwargs(self.task, X, y)

    def fit(self):
        return RUNNERS[self.task](self.X, self.y, self.tol, **self.kwargs)

    def time_fit(self, *args):
        self.fit()

    def peakmem_fit(self, *args):
        self.fit()

    def track_rel_gap(self, *args):
        """Relative duality gap reached (worst over a path), from scoring.py."""
        return score_fit(self.X, self.y, self.fit())["rel_gap"]

    def track_n_iter(self, *args):
        """Epochs run (summed over a path); NaN (asv: n/a) for a direct solve.

        A fit without iterations (Ridge's Cholesky or SVD on dense X) reports
        n_iter -1; asv stores NaN as a skipped value, shown as n/a, not a point.
        """
        n_iter = self.fit().n_iter
        return math.nan if n_iter < 0 else n_iter

    def track_extra_memory(self, *args):
        """Peak memory of the fit above the resident size before it, in MiB
        (at least MEMORY_FLOOR_MIB: smaller figures are allocator noise)."""
        return max(peak_increase(self.fit)[1] / 2**20, MEMORY_FLOOR_MIB)

    track_rel_gap.unit = "relative gap"
    track_n_iter.unit = "epochs"
    track_extra_memory.unit = "MiB"


class _LogisticBenchmark(_TaskBenchmark):
    """The same benchmarks for a logistic task, on the binary problems.

    ``tol`` is regfast's relative duality gap (gap / objective), 1e-6 for
    float64 and 1e-5 for float32; ``track_rel_gap`` is scoring.py's
    ``logistic_gap`` (worst C of a path); ``track_n_iter`` counts proximal
    Newton steps.
    """

    def setup_cache(self):
        return save_problems(GRID_LOGISTIC_PROBLEMS, logistic=True)
