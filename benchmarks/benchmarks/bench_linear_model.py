"""asv benchmarks of regfast's estimators and paths, one class per task."""

from .problems import (DTYPES, GRID_ALPHA_RATIOS, GRID_C_RATIOS, GRID_LOGISTIC_PROBLEMS,
                       GRID_PROBLEMS)
from .suite import _LogisticBenchmark, _TaskBenchmark
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
    # one direct solve per fit: no iterations to count (asv discovers no benchmark here,
    # rather than a graph of n/a)
    track_n_iter = None


# ---------------------------------------------------------------- logistic

class _SingleC(_LogisticBenchmark):
    params = (list(GRID_LOGISTIC_PROBLEMS), list(DTYPES), list(GRID_C_RATIOS))
    param_names = ["problem", "dtype", "c_min_times"]

    def task_kwargs(self, X, y, c_ratio):
        return task_kwargs(self.task, X, y, c_ratio)


class LogisticL1(_SingleC):
    """regfast.LogisticRegression, L1, at C = C_min * 10 and * 100."""
    task = "logreg_l1"


class LogisticElasticNet(_SingleC):
    """regfast.LogisticRegression, l1_ratio 0.5, at the L1 rows' C."""
    task = "logreg_enet"


class LogisticL2(_SingleC):
    """regfast.LogisticRegression, L2, at the L1 rows' C."""
    task = "logreg_l2"


class LogisticPath(_LogisticBenchmark):
    """regfast.logistic_path, L1, 100 Cs from C_min to C_min * 1000 (glmnet's grid, eps 1e-3)."""
    task = "logreg_path"
    params = (list(GRID_LOGISTIC_PROBLEMS), list(DTYPES))
    param_names = ["problem", "dtype"]


class LogisticCV(_LogisticBenchmark):
    """regfast.LogisticRegressionCV, L1, 5 stratified folds over the path's 100 Cs."""
    task = "logreg_cv"
    params = (list(GRID_LOGISTIC_PROBLEMS), ["float64"])
    param_names = ["problem", "dtype"]
