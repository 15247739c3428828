"""regfast: fast L1 (Lasso), L2 (Ridge) and elastic-net linear models.

Coordinate descent in Cython without the GIL, behind drop-in scikit-learn
estimators that never copy or modify X.
"""

import os as _os

try:
    from . import _cd  # noqa: F401  (the compiled kernels)
except ImportError:
    _here = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
    raise ImportError(
        f"regfast: the compiled kernels (regfast._cd) are not in {_os.path.dirname(__file__)}. "
        + (f"Python imported the source folder of the repository ({_here} is the "
           "current directory or on sys.path) instead of the installed package: run "
           "from another directory, or install for development with "
           "'pip install --no-build-isolation -e .'"
           if _os.path.exists(_os.path.join(_here, "pyproject.toml")) else
           "Reinstall regfast ('pip install --force-reinstall regfast').")
        ) from None

from ._coordinate_descent import ElasticNet, Lasso
from ._cv import ElasticNetCV, LassoCV
from ._logistic import LogisticRegression
from ._logistic_cv import LogisticRegressionCV
from ._logistic_path import logistic_path
from ._multitask import (MultiTaskElasticNet, MultiTaskElasticNetCV, MultiTaskLasso,
                         MultiTaskLassoCV)
from ._path import enet_path, lasso_path
from ._ridge import Ridge
from ._ridge_cv import RidgeCV

__all__ = ["Ridge", "RidgeCV", "ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "enet_path", "lasso_path",
           "LogisticRegression", "LogisticRegressionCV",
           "logistic_path", "MultiTaskLasso", "MultiTaskElasticNet", "MultiTaskLassoCV",
           "MultiTaskElasticNetCV"]
__version__ = "0.1.0"
