"""Stability selection: the three models refitted on random halves of the rows.

Meinshausen and Buehlmann's stability selection fits L1 on many subsamples of
half the rows and counts how often each feature is picked.  The same
subsamples are fitted by the elastic net and L2 at their own chosen alphas,
so the three can be compared on one footing: how often a weight is non-zero,
and how much the ranking of the features by |weight| agrees between two
subsamples (Spearman's rank correlation, over every pair of subsamples).
"""

import numpy as np
from scipy.stats import rankdata
from sklearn.model_selection import train_test_split

from ..cli._fitting import shown_weights

OFTEN, RARELY = 0.8, 0.2       # selection frequencies of the "often" / "rarely" tables


def resample_weights(specs, alphas, starts, X, y, resamples, seed, max_iter, pool, on_wait):
    """Weights of each model on `resamples` random halves of the rows.

    Parameters
    ----------
    specs : iterable of Spec
        The models, fitted at ``alphas[spec.key]``.
    starts : dict of fitted estimators
        By spec key, the fit on all of X: each half starts from its solution
        (``warm_start``; Ridge's direct solve needs no start).  The answer is
        the same to the solver's certified tolerance; it only takes fewer steps.
    X, y : training rows (y: class labels for logistic specs; halves are then
        stratified, so each keeps both classes).
    resamples, seed : int
        How many halves, and the seed that draws them.
    pool : concurrent.futures.Executor (regfast._interrupt.thread_pool)
        Runs the halves in parallel (the kernel releases the GIL).
    on_wait : callable
        Called with i = 1, 2, ... in the calling thread before it waits for
        half i (a progress bar's step).

    Returns
    -------
    dict of ndarray (resamples, n_features)
        By spec key: the weights shown (one per feature, see `shown_weights`).
    """
    specs = list(specs)
    stratify = y if specs[0].logistic else None
    seeds = np.random.RandomState(seed).randint(2 ** 31 - 1, size=resamples)

    def one(s):
        rows, _ = train_test_split(np.arange(X.shape[0]), train_size=0.5, random_state=s,
                                   stratify=stratify)
        Xs, ys = X[np.sort(rows)], y[np.sort(rows)]
        return [shown_weights(_warm(spec, alphas[spec.key], starts[spec.key], len(ys),
                                    max_iter).fit(Xs, ys).coef_) for spec in specs]

    out = {spec.key: np.empty((resamples, X.shape[1])) for spec in specs}
    futures = [pool.submit(one, s) for s in seeds]
    for i, future in enumerate(futures):
        on_wait(i + 1)
        for spec, w in zip(specs, future.result()):
            out[spec.key][i] = w
    return out


def _warm(spec, alpha, start, n_samples, max_iter):
    """spec's estimator at alpha for n_samples rows, started from fitted model `start`."""
    model = spec.estimator(alpha, n_samples, max_iter=max_iter, warm_start=True)
    if getattr(model, "warm_start", False):
        model.coef_ = np.array(start.coef_, dtype=np.float64)
        model.intercept_ = np.array(start.intercept_, dtype=np.float64)
    return model


def stability(weights, models):
    """Selection frequencies and ranking agreement of each model's resampled weights.

    Returns
    -------
    dict
        By model key: freq (n_features,), the fraction of halves with a
        non-zero weight; spearman, Spearman's correlation of |weight| for
        every pair of halves (a half where every weight is zero has no
        ranking and is left out); spearman_mean; jaccard_mean, the mean
        overlap |S_i & S_j| / |S_i | S_j| of the non-zero sets of two halves
        (None for L2, which keeps every feature); n_selected_mean.  And
        top_k, the mean number of features L1 selects (at least 1), with
        topk_freq by model: how often each feature is among the top_k by
        |weight|, L1's question asked of every model.
    """
    out = {}
    for key, W in weights.items():
        S = W != 0
        keep = S.any(axis=1)
        ranks = rankdata(np.abs(W[keep]), axis=1)
        corr = np.corrcoef(ranks) if keep.sum() > 1 else np.full((1, 1), np.nan)
        pairs = corr[np.triu_indices(len(corr), 1)]
        inter = S.astype(np.float64) @ S.T.astype(np.float64)
        size = S.sum(axis=1)
        union = size[:, None] + size[None, :] - inter
        iu = np.triu_indices(len(S), 1)
        jac = np.divide(inter[iu], union[iu], out=np.ones(len(iu[0])), where=union[iu] > 0)
        out[key] = {"freq": S.mean(axis=0), "spearman": pairs,
                    "spearman_mean": float(np.nanmean(pairs)) if pairs.size else None,
                    "jaccard_mean": None if models[key]["l1_ratio"] == 0 else float(jac.mean()),
                    "n_selected_mean": float(size.mean())}
    k = max(1, int(round(out["l1"]["n_selected_mean"])))
    for key, W in weights.items():
        top = np.argpartition(-np.abs(W), k - 1, axis=1)[:, :k]
        hits = np.zeros(W.shape)
        np.put_along_axis(hits, top, 1.0, axis=1)
        out[key]["topk_freq"] = hits.mean(axis=0)
    out["top_k"] = k
    return out
