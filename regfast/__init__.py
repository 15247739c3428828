"""regfast: fast L1 (Lasso), L2 (Ridge) and elastic-net linear models.

Coordinate descent in Cython without the GIL, behind drop-in scikit-learn
estimators that never copy or modify X.
"""

from ._coordinate_descent import ElasticNet, Lasso
from ._cv import ElasticNetCV, LassoCV
from ._logistic import LogisticRegression
from ._logistic_cv import LogisticRegressionCV
from ._logistic_path import logistic_path
from ._path import enet_path, lasso_path
from ._ridge import Ridge
from ._ridge_cv import RidgeCV

__all__ = ["Ridge", "RidgeCV", "ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "enet_path", "lasso_path",
           "LogisticRegression", "LogisticRegressionCV",
           "logistic_path"]
__version__ = "0.1.0"
