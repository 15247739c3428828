"""The report's numbers, computed through the command line's fitting layer.

Every fit here is one that `regfast compare` also makes (`cv_fit` under its
cross-validation, `training_log`, `fit_timed`, the same split and
standardisation), plus the paths over one grid of alphas shared by the three
models, so that one slider position is one strength for all of them (the
elastic-net scaling, as ``compare --alpha``).  Nothing here draws.
"""

import os
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from .. import enet_path, logistic_path
from ..cli._commands import (check_options, check_split_options, choose_alpha, data_summary,
                             logistic_result, read_dataset, split_rows, task_summary)
from .._interrupt import thread_pool
from ..cli._data import UsageError
from ..cli._fitting import (class_index, cv_fit, fit_timed, logistic_objective, residual,
                            shown_weights, specs, training_log)
from ._stability import resample_weights, stability

# Points of the shared alpha grid (slider steps); fewer for wide data, where each step
# carries the shown weights of three models into the page.
GRID_POINTS, WIDE_GRID_POINTS, WIDE = 40, 24, 2000
# The "unpenalised" reference fit: L2 at this fraction of the smallest grid alpha
# (an exactly unpenalised fit need not exist: p > n, or separable classes).
FREE_FACTOR = 1e-3


def n_workers(n_jobs):
    """Threads for --n-jobs (-1: every core)."""
    return (os.cpu_count() or 1) if n_jobs == -1 else n_jobs


def check_report_options(args):
    """The report's own options, before anything is read or fitted."""
    check_options(args)
    check_split_options(args)
    if args.resamples < 2:
        raise UsageError(f"--resamples must be at least 2, got {args.resamples}")
    if args.n_jobs < 1 and args.n_jobs != -1:
        raise UsageError(f"--n-jobs must be at least 1 (or -1 for all cores), got {args.n_jobs}")


def feature_names(args, data):
    """--feature-names (comma-separated, or a file with one name a line) or the data's."""
    if not args.feature_names:
        return list(data.feature_names)
    if os.path.isfile(args.feature_names):
        with open(args.feature_names) as fh:
            names = [line.strip() for line in fh if line.strip()]
    else:
        names = [s.strip() for s in args.feature_names.split(",")]
    if len(names) != data.X.shape[1]:
        raise UsageError(f"--feature-names gives {len(names)} names for "
                         f"{data.X.shape[1]} features")
    return names


def pick_features(args, names, weights):
    """Indices of the two geometry features: --features (names or 0-based indices),
    else the two largest |L1 weights| (ties and zeros broken by |L2 weight|)."""
    if args.features:
        parts = [s.strip() for s in args.features.split(",")]
        index = {n: j for j, n in enumerate(names)}
        picked = []
        for s in parts:
            j = index.get(s, int(s) if s.isdigit() else None)
            if j is None or not 0 <= j < len(names):
                raise UsageError(f"--features: no feature {s!r} (give two names or "
                                 f"0-based indices below {len(names)})")
            picked.append(j)
        if len(picked) != 2 or picked[0] == picked[1]:
            raise UsageError(f"--features needs two different features, got {args.features!r}")
        return picked
    order = np.lexsort((-np.abs(weights["l2"]), -np.abs(weights["l1"])))
    return [int(j) for j in order[:2]]


def common_grid(cvs, n_points):
    """One decreasing alpha grid for the three models (elastic-net / glmnet units).

    From the elastic net's alpha_max (every L1 and elastic-net weight is zero
    there; L2's CV grid starts far above, where nothing happens) down to the
    end of L1's grid or just past the smallest CV alpha, so that each model's
    chosen alpha and L1's overfitting end are on it.  (Far below L1's grid
    end the L1 fits approach interpolation, slowly, and show nothing new.)
    """
    top = max(cvs[k]["grid"].max() for k in ("l1", "elasticnet"))
    bottom = min(cvs["l1"]["grid"].min(), min(cv["alpha"] for cv in cvs.values()) / 2)
    return np.geomspace(top, bottom, n_points)


def path_weights(spec, X, y, grid, max_iter):
    """Weights (K, p, G) and intercepts (K, G) along grid; K = 1 but for multinomial."""
    if spec.logistic:
        _, coefs, icepts, _ = logistic_path(X, y, l1_ratio=spec.l1_ratio, alphas=grid,
                                            max_iter=max_iter)
        coefs = np.asarray(coefs, dtype=np.float64)
        return (coefs[None] if coefs.ndim == 2 else coefs), np.atleast_2d(icepts)
    if spec.l1_ratio == 0:
        # a direct solve per alpha: Ridge has no warm start to gain from
        coefs = np.column_stack([np.asarray(spec.estimator(a, X.shape[0]).fit(X, y).coef_)
                                 for a in grid])
    else:
        _, coefs, _ = enet_path(X, y, l1_ratio=spec.l1_ratio, alphas=grid,
                                fit_intercept=True, max_iter=max_iter)
    coefs = np.asarray(coefs, dtype=np.float64)
    xm = np.asarray(X.mean(axis=0)).ravel()
    return coefs[None], (y.mean() - xm @ coefs)[None]


def scores(spec, X, y, W, b, classes=None):
    """Scores of the fits (W (K, p, G), b (K, G)) on (X, y), one per grid point.

    Regression: {"r2"}; classification: {"log_loss", "accuracy"}, the labels
    numbered by `classes` (the training rows' classes, sorted).
    """
    if not spec.logistic:
        pred = np.asarray(X @ W[0]) + b[0]
        yc = y - y.mean()
        return {"r2": 1 - ((y[:, None] - pred) ** 2).sum(axis=0) / (yc @ yc)}
    y_idx = class_index(y, classes)
    loss, acc = [], []
    for g in range(W.shape[2]):
        loss.append(logistic_objective(X, y_idx, W[:, :, g], b[:, g], 0.0, 1.0)[1])
        Z = np.asarray(X @ W[:, :, g].T) + b[:, g]
        guess = (Z[:, 0] > 0).astype(int) if W.shape[0] == 1 else Z.argmax(axis=1)
        acc.append(np.mean(guess == y_idx))
    return {"log_loss": np.array(loss), "accuracy": np.array(acc)}


def final_fit(spec, alpha, Xtr, ytr, Xte, yte, max_iter):
    """compare's final fit at alpha: weights shown, zeros, scores, seconds."""
    model, seconds = fit_timed(spec, alpha, Xtr, ytr, max_iter)
    if spec.logistic:
        out = logistic_result(model, alpha, spec.l1_ratio, Xtr, ytr, Xte, yte)
        out["coef_full"] = np.atleast_2d(np.asarray(model.coef_, dtype=np.float64))
        out["coef"] = np.asarray(out["coef"])
    else:
        coef = np.asarray(model.coef_, dtype=np.float64)
        out = {"coef": coef, "coef_full": coef[None], "intercept": [float(model.intercept_)],
               "n_zero": int(np.sum(coef == 0)), "r2_train": float(model.score(Xtr, ytr)),
               "r2_test": None if Xte is None else float(model.score(Xte, yte))}
    out["fit_seconds"], out["model"] = seconds, model
    return out


def free_fit(spec_l2, alpha, Xtr, ytr, Xte, yte, max_iter):
    """The nearly unpenalised reference: L2 at a tiny alpha, scored like the path."""
    with warnings.catch_warnings():      # separable classes: the weights grow to the budget
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = final_fit(spec_l2, alpha, Xtr, ytr, Xte, yte, max_iter)
    return {"alpha": alpha, **{k: v for k, v in fit.items() if k.endswith(("_train", "_test"))}}


def compute(args, bar):
    """Everything the report shows, as a dict of numbers (see `regfast.report`).

    `bar` is a `Progress` with `n_stages(args)` steps.
    """
    check_report_options(args)
    data, task, note = read_dataset(args)
    if data.X.shape[1] < 2:
        raise UsageError("regfast report needs at least two features (its geometry section "
                         "draws two); this data has one")
    names = feature_names(args, data)
    clf = task == "classification"
    Xtr, Xte, ytr, yte = split_rows(args, data, clf)
    # the layouts the kernel reads without a copy, converted once for all fits
    Xtr = Xtr.tocsc() if sp.issparse(Xtr) else np.asfortranarray(Xtr)
    n, p = Xtr.shape
    jobs = n_workers(args.n_jobs)
    models = {s.key: s for s in specs(args.l1_ratio, task)}
    given = args.alpha is not None or getattr(args, "C", None) is not None
    cvs, chosen = {}, {}
    for key, spec in models.items():
        bar.step(f"cross-validating {spec.label}")
        cvs[key] = cv_fit(spec, Xtr, ytr, args.cv, args.n_alphas, args.eps, args.max_iter,
                          n_jobs=jobs)
        chosen[key] = (choose_alpha(spec, args, Xtr, ytr) if given else
                       {"alpha": cvs[key]["alpha"], "chosen_by": f"cross-validation "
                        f"({cvs[key]['how']})", "alpha_at_grid_edge": cvs[key]["at_edge"]})
    grid = common_grid(cvs, WIDE_GRID_POINTS if p > WIDE else GRID_POINTS)

    classes = np.unique(ytr) if clf else None

    def path(key):
        W, b = path_weights(models[key], Xtr, ytr, grid, args.max_iter)
        shown = np.column_stack([shown_weights(W[:, :, g]) for g in range(len(grid))])
        return {"W": W, "b": b, "shown": shown,
                "train": scores(models[key], Xtr, ytr, W, b, classes),
                "test": None if Xte is None else scores(models[key], Xte, yte, W, b, classes)}

    out = {"data": data_summary(data, args.standardize), "task": task_summary(task, note,
                                                                             data.y),
           "split": {"n_train": n, "n_test": 0 if Xte is None else int(Xte.shape[0]),
                     "test_size": args.test_size, "seed": args.seed},
           "names": names, "clf": clf, "grid": grid, "l1_ratio": args.l1_ratio,
           "cv_folds": args.cv, "resamples": args.resamples, "models": {}}
    # the training logs silence the warnings of their short budgets, which is not
    # thread-safe (warnings' filters are global): they run here, one after the other
    for key, spec in models.items():
        bar.step(f"training log and fit: {spec.label}")
        m = out["models"][key] = {"key": key, "label": spec.label, "l1_ratio": spec.l1_ratio,
                                  **chosen[key], "cv": cvs[key]}
        m["log"] = training_log(spec, m["alpha"], Xtr, ytr, max_iter=args.max_iter)
        m.update(final_fit(spec, m["alpha"], Xtr, ytr, Xte, yte, args.max_iter))
    out["free"] = free_fit(models["l2"], grid[-1] * FREE_FACTOR, Xtr, ytr, Xte, yte,
                           args.max_iter)
    # paths and resamples are independent fits: threads, as the kernel releases the GIL
    with threadpool_limits(limits=1, user_api="blas"), thread_pool(jobs) as pool:
        futures = {key: pool.submit(path, key) for key in models}
        for key, future in futures.items():
            bar.step(f"path: {models[key].label}")
            out["models"][key]["path"] = future.result()
        weights = resample_weights(models.values(), {k: chosen[k]["alpha"] for k in models},
                                   {k: out["models"][k]["model"] for k in models},
                                   Xtr, ytr, args.resamples, args.seed, args.max_iter, pool,
                                   on_wait=lambda i: bar.step(
                                       f"stability: half {i} of {args.resamples}"))
    out["stability"] = stability(weights, out["models"])
    out["features"] = pick_features(args, names, {k: m["coef"]
                                                  for k, m in out["models"].items()})
    out["geometry"] = geometry(out, Xtr, ytr, out["features"])
    return out


def n_stages(args):
    """Progress steps of `compute` (three CVs, paths, logs and fits, the resamples)."""
    return 9 + args.resamples


def geometry(out, X, y, features):
    """Loss over two features' weights, the others fixed at each model's solution.

    For L1 and L2: the loss on a square grid of (w_a, w_b) around the origin,
    the model's own (w_a, w_b), and the penalty budget it meets there (L1:
    |w_a| + |w_b|; L2: sqrt(w_a^2 + w_b^2)).  With the others fixed, the
    penalised fit minimises the loss over that diamond or disc.  Regression:
    the centred squared loss 1/(2n)|r|^2; classification: the mean log-loss
    of the class block with the largest weights on the two features.
    """
    a, b = features
    res = {"features": features, "models": {}}
    Xab = X[:, [a, b]]
    Xab = np.asarray(Xab.todense()) if sp.issparse(Xab) else np.asarray(Xab)
    for key in ("l1", "l2"):
        m = out["models"][key]
        W = m["coef_full"]
        k = int(np.abs(W[:, [a, b]]).sum(axis=1).argmax())
        w = W[k, [a, b]]
        # each model its own square (L2's weights can be far smaller than L1's), holding
        # its solution and its budget: the diamond's corners, the circle
        # (a solution at the origin borrows the other model's size)
        size = np.abs(w).sum() or max(np.abs(out["models"][j]["coef_full"][:, [a, b]]).sum()
                                      for j in ("l1", "l2")) or 1.0
        radius = 1.3 * size
        ticks = np.linspace(-radius, radius, 61)
        A, B = np.meshgrid(ticks, ticks)
        rest = W.copy()
        rest[k, [a, b]] = 0.0
        if out["clf"]:
            # the linear predictors are Z0 + u x_a + v x_b in block k: logistic_objective
            # on the columns [x_a, x_b, Z0] with weights [u, v, identity]
            _, y_idx = np.unique(y, return_inverse=True)
            Z0 = np.asarray(X @ rest.T) + np.asarray(m["intercept"])
            K = Z0.shape[1]
            cols = np.column_stack([Xab, Z0])
            coef = np.hstack([np.zeros((K, 2)), np.eye(K)])

            def loss_at(u, v):
                coef[k, :2] = u, v
                return logistic_objective(cols, y_idx, coef, np.zeros(K), 0.0, 1.0)[1]
            loss = np.vectorize(loss_at)(A, B)
        else:
            r0, _ = residual(X, y, rest[0])                  # centred: the intercept is free
            Xc = Xab - Xab.mean(axis=0)
            G, g, c = Xc.T @ Xc / len(y), Xc.T @ r0 / len(y), r0 @ r0 / (2 * len(y))
            loss = c - A * g[0] - B * g[1] + 0.5 * (G[0, 0] * A ** 2 + 2 * G[0, 1] * A * B
                                                     + G[1, 1] * B ** 2)
        res["models"][key] = {"loss": loss, "w": w, "block": k, "ticks": ticks,
                              "budget": float(np.abs(w).sum() if key == "l1"
                                              else np.sqrt(w @ w))}
    return res

