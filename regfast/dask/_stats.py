"""Sufficient statistics of weighted least squares, one pass over row partitions.

Each partition of rows gives a `Stats`: the count, the sum of weights W and
the weighted means, and the *centred* sums of squares and products
(sum_i s_i (x_i - m)(x_i - m)^T, ...), all in float64.  Partitions are
combined pairwise in a tree with the parallel-axis update of Chan, Golub and
LeVeque (1979), so no partition ever subtracts a large n m m^T from a raw
X^T S X: the centring costs no digits beyond those of the data itself.  A
fold's training statistics are the total minus the fold's (`subtract`, the
inverse update).
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg import blas

class Stats:
    """Weighted moments of a set of rows (float64), mergeable in any order.

    Attributes
    ----------
    count : int
        Rows (zero-weight rows included: scikit-learn rescales weights to sum
        to this).
    weight : float
        Sum of the weights.
    x_mean, y_mean : ndarray of shape (p,), float
        Weighted means (0 when weight is 0).
    xx : ndarray of shape (p, p)
        sum_i s_i (x_i - x_mean)(x_i - x_mean)^T.
    xy : ndarray of shape (p,)
        sum_i s_i (x_i - x_mean)(y_i - y_mean).
    yy : float
        sum_i s_i (y_i - y_mean)^2.
    """

    __slots__ = ("count", "weight", "x_mean", "y_mean", "xx", "xy", "yy")

    def __init__(self, count, weight, x_mean, y_mean, xx, xy, yy):
        self.count, self.weight = int(count), float(weight)
        self.x_mean, self.y_mean = x_mean, float(y_mean)
        self.xx, self.xy, self.yy = xx, xy, float(yy)

    @classmethod
    def empty(cls, p, count=0):
        return cls(count, 0.0, np.zeros(p), 0.0, np.zeros((p, p)), np.zeros(p), 0.0)

    @property
    def nbytes(self):
        return self.xx.nbytes + self.xy.nbytes + self.x_mean.nbytes + 40

    def __reduce__(self):
        return Stats, (self.count, self.weight, self.x_mean, self.y_mean, self.xx,
                       self.xy, self.yy)


def block_stats(X, y, sw):
    """Stats of one partition: X dense or scipy.sparse (n_b, p), y (n_b,), sw or None.

    Dense rows are centred by their own weighted mean in a float64 copy and
    multiplied with BLAS syrk; sparse rows are never densified (their centring
    is the rank-one correction of the raw X^T S X, within the partition).
    """
    n, p = X.shape
    s = np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64)
    if np.any(s < 0):
        raise ValueError("sample_weight has negative values")
    y = np.asarray(y, dtype=np.float64)
    W = float(s.sum())
    if n == 0 or W <= 0:
        return Stats.empty(p, count=n)
    # a constant column (or y) gets its value as mean, not a sum's rounding: it
    # centres to exactly 0, as in memory (see regfast._problem.constant_columns)
    y_mean = float(y[0]) if np.all(y == y[0]) else float(s @ y) / W
    yc = y - y_mean
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=np.float64)
        XtS = (X.T @ sp.diags(s)).tocsr()
        x_mean = np.asarray(XtS @ np.ones(n)).ravel() / W
        xx = (XtS @ X).toarray()
        xx -= W * np.outer(x_mean, x_mean)
        xy = np.asarray(XtS @ yc).ravel()        # sum s (x - m) y_c = X^T S y_c
    else:
        Z = np.array(X, dtype=np.float64, order="C")    # the one copy, centred in place
        x_mean = (s @ Z) / W
        near = np.abs(x_mean - Z[0]) <= 4 * max(n, 16) * np.finfo(float).eps * np.abs(Z[0])
        cand = np.flatnonzero(near)
        const = cand[np.all(Z[:, cand] == Z[0, cand], axis=0)]
        x_mean[const] = Z[0, const]
        Z -= x_mean
        if sw is not None:
            Z *= np.sqrt(s)[:, None]
            yc = yc * np.sqrt(s)
        # Z^T Z as (Z^T)(Z^T)^T: Z^T is an F-ordered view, so BLAS copies nothing
        xx = blas.dsyrk(1.0, Z.T, trans=0, lower=0)
        xx = np.triu(xx) + np.triu(xx, 1).T
        xy = Z.T @ yc
    return Stats(n, W, x_mean, y_mean, xx, xy, float(s @ ((y - y_mean) ** 2)))


def merge(a, b):
    """Stats of the union of two disjoint sets of rows (Chan et al.'s update)."""
    if b.weight == 0 or a.weight == 0:
        base = a if b.weight == 0 else b
        return Stats(a.count + b.count, base.weight, base.x_mean, base.y_mean,
                     base.xx, base.xy, base.yy)
    W = a.weight + b.weight
    dx, dy = b.x_mean - a.x_mean, b.y_mean - a.y_mean
    f = a.weight * b.weight / W
    xx = a.xx + b.xx
    xx += f * np.outer(dx, dx)
    return Stats(a.count + b.count, W, a.x_mean + dx * (b.weight / W),
                 a.y_mean + dy * (b.weight / W), xx, a.xy + b.xy + f * dx * dy,
                 a.yy + b.yy + f * dy * dy)


def merge_all(parts):
    """Stats of the union of a sequence of disjoint Stats."""
    out = parts[0]
    for part in parts[1:]:
        out = merge(out, part)
    return out


def subtract(total, part):
    """Stats of the rows of total that are not in part (part a subset of total)."""
    if part.weight == 0:
        return Stats(total.count - part.count, total.weight, total.x_mean,
                     total.y_mean, total.xx, total.xy, total.yy)
    W = total.weight - part.weight
    if not W > 1e-12 * total.weight:
        raise ValueError("a cross-validation fold holds all the sample weight: its "
                         "training part has only zero weights")
    # total = merge(rest, part): invert the update; delta = part mean - rest mean
    dx = (part.x_mean - total.x_mean) * (total.weight / W)
    dy = (part.y_mean - total.y_mean) * (total.weight / W)
    f = W * part.weight / total.weight
    xx = total.xx - part.xx
    xx -= f * np.outer(dx, dx)
    return Stats(total.count - part.count, W, part.x_mean - dx, part.y_mean - dy,
                 xx, total.xy - part.xy - f * dx * dy, total.yy - part.yy - f * dy * dy)


def fold_stats(X, y, sw, labels):
    """{label: Stats of this partition's rows with that label} for the labels present."""
    labels = np.asarray(labels)
    y = np.asarray(y)
    sw = None if sw is None else np.asarray(sw)
    out = {}
    for k in np.unique(labels):
        rows = np.flatnonzero(labels == k)
        if rows[-1] - rows[0] + 1 == len(rows):      # a range (KFold): views, no copy
            rows = slice(rows[0], rows[-1] + 1)
        out[int(k)] = block_stats(X[rows], y[rows], None if sw is None else sw[rows])
    return out


def squared_error(stats, coefs, intercepts):
    """sum_i s_i (y_i - x_i w - b)^2 over the rows of stats, for each column of coefs.

    Parameters
    ----------
    stats : Stats
    coefs : ndarray of shape (p, k)
    intercepts : ndarray of shape (k,)

    Returns
    -------
    ndarray of shape (k,)
        With the residual r_i = (y_i - y_mean) - (x_i - x_mean) w - c, where
        c = b + x_mean w - y_mean is its mean: yy - 2 w^T xy + w^T xx w + W c^2
        (the centred sums make the cross terms with c vanish).
    """
    c = intercepts + stats.x_mean @ coefs - stats.y_mean
    return (stats.yy - 2 * (stats.xy @ coefs)
            + np.einsum("pk,pk->k", coefs, stats.xx @ coefs) + stats.weight * c * c)


def check_gram_size(p, n_blocks, owner):
    """Refuse statistics too large to gather: the Gram route is for n >> p."""
    from . import MAX_GRAM_BYTES      # read at call time: users may raise it
    size = 8 * p * p
    if size * n_blocks > MAX_GRAM_BYTES:
        raise ValueError(
            f"{owner}: {p} features make a {p} x {p} Gram matrix of {size / 2**20:.0f} MiB"
            f" ({n_blocks} of them: {size * n_blocks / 2**30:.1f} GiB), above "
            f"regfast.dask's limit of {MAX_GRAM_BYTES / 2**30:.1f} GiB for the "
            "statistics gathered on the client.  The Gram route is for tall data "
            "(n >> p); for wide data see docs/SCALING.md.  To allow it anyway, raise "
            "regfast.dask.MAX_GRAM_BYTES (client and workers need that memory).")
