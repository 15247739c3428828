"""asv benchmarks of regfast's estimators and paths, one class per task."""

from .problems import DTYPES, GRID_ALPHA_RATIOS, GRID_PROBLEMS
from .suite import _TaskBenchmark
from .tasks import task_kwargs


class _SingleAlpha(_TaskBenchmark):
    params = (list(GRID_PROBLEMS), list(DTYPES), list(GRID_ALPHA_RATIOS))
    param_names = ["problem", "dtype", "alpha_max_over"]

    def task_kwargs(self, X, y, alpha_ratio):
        return task_kwargs(self.task, X, y, alpha_ratio)


class Lasso(_SingleAlpha):
    """regfast.Lasso at alpha_max / 10 and / 100."""
    task = "lasso"


class ElasticNet(_SingleAlpha):
    """regfast.ElasticNet, l1_ratio 0.5, at alpha_max / 10 and / 100."""
    task = "enet"


class LassoPath(_TaskBenchmark):
    """regfast.lasso_path, 100 alphas from alpha_max to alpha_max * 1e-3."""
    task = "lasso_path"
    params = (list(GRID_PROBLEMS), list(DTYPES))
    param_names = ["problem", "dtype"]


class LassoCV(_TaskBenchmark):
    """regfast.LassoCV, 5 folds over the path's 100 alphas, n_jobs 1 and 2."""
    task = "lasso_cv"
    params = (list(GRID_PROBLEMS), ["float64"], [1, 2])
    param_names = ["problem", "dtype", "n_jobs"]

    def setup(self, files, problem, dtype, n_jobs):
        self.task = "lasso_cv" if n_jobs == 1 else "lasso_cv_2jobs"
        super().setup(files, problem, dtype, n_jobs)


class Ridge(_TaskBenchmark):
    """regfast.Ridge at alpha=1 (scikit-learn's Ridge scaling)."""
    task = "ridge"
    params = (list(GRID_PROBLEMS), list(DTYPES))
    param_names = ["problem", "dtype"]


class RidgeCV(_TaskBenchmark):
    """regfast.RidgeCV over 20 alphas (efficient leave-one-out)."""
    task = "ridge_cv"
    params = (list(GRID_PROBLEMS), list(DTYPES))
    param_names = ["problem", "dtype"]
