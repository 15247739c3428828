"""regfast on Dask: tall data and cross-validation on a cluster, by the Gram route.

The estimators here are regfast's, with a ``fit`` that also takes dask arrays
partitioned by rows.  When n >> p the elastic net, Ridge and their
cross-validation need only the data's sufficient statistics: one pass on the
workers computes, per partition, the weighted sums, X^T S X, X^T S y and
y^T S y (float64), combined in a tree; the client then runs the in-memory
Gram-mode solver on them.  The coefficients equal the in-memory fit on the
same data to rounding, and X is never gathered.  Cross-validation keeps one
block of statistics per fold and still reads the data once.

Wide data (p in the tens of thousands) does not fit this route: the p x p
statistics are refused above ``MAX_GRAM_BYTES`` (see docs/SCALING.md).

Requires the ``[dask]`` extra (``dask[array,distributed]``); ``import regfast``
alone never imports dask.

Examples
--------
>>> import dask.array as da
>>> from regfast.dask import LassoCV
>>> X = da.random.default_rng(0).standard_normal((40_000, 10), chunks=(10_000, 10))
>>> y = 3 * X[:, 0] - 2 * X[:, 1] + da.random.default_rng(1).standard_normal(40_000, chunks=10_000)
>>> model = LassoCV(cv=5).fit(X, y)        # one pass over X, 5 folds x 100 alphas
>>> model.coef_[:3].round(1)
array([ 3., -2.,  0.])
"""

try:
    import dask.array  # noqa: F401
except ImportError as exc:          # pragma: no cover - exercised without dask
    raise ImportError("regfast.dask needs dask: pip install 'regfast[dask]' "
                      "(dask[array,distributed])") from exc

from ._cv import ElasticNetCV, LassoCV, RidgeCV
from ._estimators import ElasticNet, Lasso, Ridge, enet_path, lasso_path
from ._reduce import random_fold_labels

# Statistics gathered on the client (one p x p float64 matrix per fold plus
# the total) above this many bytes are refused, with an error naming the size.
MAX_GRAM_BYTES = 2 << 30

__all__ = ["ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "Ridge", "RidgeCV",
           "enet_path", "lasso_path", "random_fold_labels", "MAX_GRAM_BYTES"]
