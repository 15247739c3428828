"""One pass over a row-partitioned dask array: per-partition statistics, a tree reduction.

The graph has one task per partition (its `Stats`, or one `Stats` per fold
label found in it) and merge tasks of `SPLIT_EVERY` inputs each; only the root
(a few p x p float64 matrices) reaches the client.
"""

import numbers

import dask
import dask.array as da
import numpy as np
from dask.sizeof import sizeof

from ._stats import Stats, block_stats, fold_stats, merge, merge_all

SPLIT_EVERY = 8


@sizeof.register(Stats)
def _sizeof_stats(stats):
    # what the scheduler reports as moved and weighs for memory
    return stats.nbytes


def is_dask_collection(X):
    return dask.is_dask_collection(X)


def _as_aligned(v, chunks, name, owner):
    """v (dask or in-memory, 1-d) as a dask array with the given row chunks."""
    if v is None:
        return None
    if not is_dask_collection(v):
        v = np.asarray(v)
        if v.ndim != 1:
            raise ValueError(f"{owner}: {name} must be 1-d, got shape {v.shape}")
        if v.shape[0] != sum(chunks):
            raise ValueError(f"{owner}: {name} has {v.shape[0]} rows, X has {sum(chunks)}")
        return da.from_array(v, chunks=(chunks,))
    if not isinstance(v, da.Array):
        raise TypeError(f"{owner}: {name} must be a dask array (a dask DataFrame "
                        "column: use .to_dask_array(lengths=True))")
    if v.ndim == 2 and v.shape[1] == 1:
        v = v[:, 0]
    if v.ndim != 1:
        raise ValueError(f"{owner}: {name} must be 1-d, got shape {v.shape} "
                         "(multi-output y is not supported by regfast.dask)")
    if v.shape[0] != sum(chunks):
        raise ValueError(f"{owner}: {name} has {v.shape[0]} rows, X has {sum(chunks)}")
    return v.rechunk((chunks,)) if v.chunks[0] != chunks else v


class RowData:
    """X, y and sample weights as dask arrays with the same row partitions.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Dense (float32/float64) or scipy.sparse partitions, split by rows only
        (column chunks are joined, each partition must hold whole rows).
    y : dask array or array-like of shape (n_samples,)
    sample_weight : dask array, array-like, float or None
        Non-negativity and a positive total are checked on the statistics.
    owner : str
        Name for error messages.
    """

    def __init__(self, X, y, sample_weight, owner):
        if not isinstance(X, da.Array):
            raise TypeError(f"{owner}: X must be a dask array, got {type(X).__name__} "
                            "(a dask DataFrame: use .to_dask_array(lengths=True))")
        if X.ndim != 2:
            raise ValueError(f"{owner}: X must be 2-d, got shape {X.shape}")
        if any(np.isnan(c) for c in X.chunks[0]):
            raise ValueError(f"{owner}: X has unknown partition sizes; call "
                             "X.compute_chunk_sizes() first")
        if X.dtype not in (np.float32, np.float64):
            if X.dtype.kind not in "biuf":
                raise ValueError(f"{owner}: X must be numeric, got dtype {X.dtype}")
            X = X.astype(np.float64)
        if X.numblocks[1] > 1:
            X = X.rechunk({1: -1})
        self.X, self.owner = X, owner
        self.n_samples, self.n_features = X.shape
        self.dtype = X.dtype
        self.chunks = X.chunks[0]
        if y is None:
            raise ValueError(f"{owner} requires y to be passed, but the target y is None")
        self.y = _as_aligned(y, self.chunks, "y", owner)
        if isinstance(sample_weight, numbers.Number):      # made on the workers
            sample_weight = da.full(self.n_samples, float(sample_weight),
                                    chunks=(self.chunks,))
        self.sw = _as_aligned(sample_weight, self.chunks, "sample_weight", owner)
        self.offsets = np.concatenate([[0], np.cumsum(self.chunks)[:-1]]).astype(np.int64)

    def _blocks(self, *arrays):
        """Per partition, the delayed blocks of the arrays (None stays None).

        optimize_graph=False keeps the keys shared between X and y (y computed
        from X, say), so each partition of X is computed once.
        """
        cols = [[None] * len(self.chunks) if a is None
                else list(a.to_delayed(optimize_graph=False).ravel()) for a in arrays]
        return list(zip(*cols))

    def statistics(self, folds=None):
        """One pass: the `Stats` of all rows, or a dict {fold label: Stats}.

        folds : None, ('kfold', k) (scikit-learn's KFold without shuffling:
        contiguous row ranges, computed from the row offsets), or a dask array
        of integer labels aligned with the rows (PredefinedSplit's meaning:
        label -1 is never held out).
        """
        labels = None
        if folds is not None and not isinstance(folds, tuple):
            labels = _as_aligned(folds, self.chunks, "fold labels", self.owner)
        tasks = []
        for i, (xb, yb, sb, lb) in enumerate(self._blocks(self.X, self.y, self.sw,
                                                          labels)):
            if folds is None:
                task = dask.delayed(block_stats, pure=True)(xb, yb, sb)
            elif labels is None:
                task = dask.delayed(_kfold_block_stats, pure=True)(
                    xb, yb, sb, int(self.offsets[i]), self.n_samples, folds[1])
            else:
                task = dask.delayed(_labelled_block_stats, pure=True)(xb, yb, sb, lb)
            tasks.append(task)
        combine = merge_all if folds is None else _merge_dicts
        while len(tasks) > 1:
            tasks = [dask.delayed(combine, pure=True)(tasks[i:i + SPLIT_EVERY])
                     for i in range(0, len(tasks), SPLIT_EVERY)]
        (result,) = dask.compute(tasks[0])
        self.gathered_nbytes = int(sizeof(result))     # what reached the client
        parts = [result] if folds is None else list(result.values())
        for part in parts:
            _check_finite(part, self.owner)
        if not sum(part.weight for part in parts) > 0:
            raise ValueError(f"{self.owner}: sample_weight sums to zero; at least one "
                             "sample needs a positive weight")
        return result


def _check_finite(stats, owner):
    if not (np.isfinite(stats.xx).all() and np.isfinite(stats.xy).all()
            and np.isfinite(stats.yy) and np.isfinite(stats.weight)):
        raise ValueError(f"{owner}: the sums over X, y or sample_weight came out NaN or "
                         "infinite: the input holds NaN or infinity, or values too "
                         "large to square in float64")

def _merge_dicts(parts):
    """Merge {label: Stats} dicts label by label."""
    out = dict(parts[0])
    for part in parts[1:]:
        for key, st in part.items():
            out[key] = merge(out[key], st) if key in out else st
    return out


def kfold_labels(index, n_samples, n_folds):
    """Fold of each global row index under KFold(n_folds) without shuffling."""
    sizes = np.full(n_folds, n_samples // n_folds)
    sizes[: n_samples % n_folds] += 1
    return np.searchsorted(np.cumsum(sizes), index, side="right")


def _labelled_block_stats(X, y, sw, labels):
    return fold_stats(X, y, sw, np.asarray(labels).astype(np.int64))


def _kfold_block_stats(X, y, sw, offset, n_samples, n_folds):
    labels = kfold_labels(np.arange(offset, offset + X.shape[0]), n_samples, n_folds)
    return fold_stats(X, y, sw, labels)


def _splitmix64(x):
    """A bijective 64-bit mixer (Steele et al.'s SplitMix64 finaliser)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _hash_labels(index, seed, n_folds):
    with np.errstate(over="ignore"):
        h = _splitmix64(index.astype(np.uint64) ^ np.uint64(seed))
    return (h % np.uint64(n_folds)).astype(np.int64)


def random_fold_labels(X, n_folds=5, random_state=0):
    """A seeded per-row fold assignment, computed on the workers.

    Row i goes to fold ``hash(seed, i) % n_folds``: independent of how the rows
    are partitioned, reproducible, no permutation of n rows is ever formed
    (folds are balanced in expectation, not exactly).

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, ...)
        Only its row partitions are used.
    n_folds : int, default=5
    random_state : int, default=0

    Returns
    -------
    labels : dask.array.Array of int64, shape (n_samples,)
        Pass it as ``cv`` to LassoCV, ElasticNetCV or RidgeCV of regfast.dask;
        ``sklearn.model_selection.PredefinedSplit(labels.compute())`` gives the
        same folds in memory.

    Examples
    --------
    >>> import dask.array as da
    >>> from regfast.dask import random_fold_labels
    >>> X = da.ones((10, 2), chunks=(4, 2))
    >>> labels = random_fold_labels(X, n_folds=3, random_state=0)
    >>> labels.shape, int(labels.max().compute()) < 3
    ((10,), True)
    """
    if not (isinstance(n_folds, numbers.Integral) and n_folds >= 2):
        raise ValueError(f"n_folds must be an integer >= 2, got {n_folds!r}")
    seed = np.random.SeedSequence(int(random_state)).generate_state(1, np.uint64)[0]
    index = da.arange(X.shape[0], chunks=(X.chunks[0],), dtype=np.int64)
    return index.map_blocks(_hash_labels, int(seed), int(n_folds), dtype=np.int64)
