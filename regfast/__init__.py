"""regfast: fast L1 (Lasso), L2 (Ridge) and elastic-net linear models.

Coordinate descent in Cython without the GIL, behind drop-in scikit-learn
estimators that never copy or modify X.
"""

from ._coordinate_descent import ElasticNet, Lasso

__all__ = ["ElasticNet", "Lasso"]
__version__ = "0.1.0"
