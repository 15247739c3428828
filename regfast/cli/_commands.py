"""The subcommands' work: each takes parsed options and returns a plain dict
(printed as text by `_report` or as JSON with --json)."""

import json
import os
import time

import numpy as np

from .. import Ridge, __version__, enet_path
from ._data import UsageError, load_data, load_diabetes_data, standardize
from ._fitting import (Spec, cross_validate, duality_gap, fit_timed, objective,
                       ridge_grid, specs, training_log)
from ._progress import Progress

STANDARDIZED = {
    "dense": "features standardized (centred, unit variance)",
    "sparse": "features scaled to unit variance but not centred, so X stays sparse "
              "(the intercept absorbs the means)",
}


def read_dataset(args):
    """DATA from the command line, or the bundled diabetes data without it.

    compare and path need something to learn: a target that varies and at
    least one feature that does (otherwise the alpha grids are empty).
    """
    if args.data is None:
        return load_diabetes_data()
    data = load_data(args.data, target=args.target, fmt=args.format)
    if np.ptp(data.y) == 0:
        raise UsageError(f"{args.data}: the target is constant ({data.y[0]:g}); "
                         "nothing to fit")
    X = data.X
    spread = (X.max(axis=0) - X.min(axis=0)).toarray() if data.sparse else np.ptp(X, axis=0)
    if not np.any(spread):
        raise UsageError(f"{args.data}: every feature is constant; nothing to fit")
    return data


def data_summary(data, standardized, on_note="--no-standardize to turn off",
                 off_note="features used as given (--no-standardize)"):
    """What was fitted on, with a sentence saying how the features were scaled."""
    kind = "sparse" if data.sparse else "dense"
    return {"name": data.name, "n_samples": int(data.X.shape[0]),
            "n_features": int(data.X.shape[1]), "storage": kind,
            "standardized": bool(standardized),
            "standardize_note": f"{STANDARDIZED[kind]}; {on_note}" if standardized
            else off_note}


def check_options(args):
    if getattr(args, "alpha", None) is not None and not 0 < args.alpha < np.inf:
        raise UsageError(f"--alpha must be positive, got {args.alpha:g}")
    if not 0 < args.l1_ratio < 1:
        raise UsageError(f"--l1-ratio must be strictly between 0 and 1 for the elastic net, "
                         f"got {args.l1_ratio:g}")
    if getattr(args, "cv", 2) < 2:
        raise UsageError(f"--cv must be at least 2 folds, got {args.cv}")
    if getattr(args, "n_alphas", 2) < 2:
        raise UsageError(f"--n-alphas must be at least 2, got {args.n_alphas}")
    if getattr(args, "max_iter", 1) < 1:
        raise UsageError(f"--max-iter must be at least 1, got {args.max_iter}")
    if not 0 < getattr(args, "eps", 0.5) < 1:
        raise UsageError(f"--eps must be in (0, 1), got {args.eps:g}")


def choose_alpha(spec, args, X, y):
    """CV alpha (elastic-net units) unless --alpha is given; returns a dict."""
    if args.alpha is not None:
        return {"alpha": float(args.alpha), "chosen_by": "--alpha", "cv_seconds": None,
                "alpha_at_grid_edge": False}
    t0 = time.perf_counter()
    alpha, how, edge = cross_validate(spec, X, y, args.cv, args.n_alphas, args.eps,
                                      args.max_iter)
    return {"alpha": alpha, "chosen_by": f"cross-validation ({how})",
            "cv_seconds": time.perf_counter() - t0, "alpha_at_grid_edge": edge}


def compare(args):
    """Fit L1, elastic net and L2 at comparable strength; log, weights, R^2, times."""
    from sklearn.model_selection import train_test_split
    check_options(args)
    if not 0 <= args.test_size < 1:  # also refuses nan
        raise UsageError(f"--test-size must be in [0, 1), got {args.test_size:g}")
    if args.top < 1:
        raise UsageError(f"--top must be at least 1, got {args.top}")
    data = read_dataset(args)
    n = data.X.shape[0]
    if args.test_size > 0:
        if round(n * args.test_size) < 2 or n - round(n * args.test_size) < 2 * args.cv:
            raise UsageError(f"{n} samples are too few to hold out {args.test_size:g} and "
                             f"cross-validate with {args.cv} folds")
        Xtr, Xte, ytr, yte = train_test_split(data.X, data.y, test_size=args.test_size,
                                              random_state=args.seed)
    else:
        Xtr, Xte, ytr, yte = data.X, None, data.y, None
    if args.standardize:
        Xtr, center, scale = standardize(Xtr)
        if Xte is not None:
            Xte, _, _ = standardize(Xte, center, scale)
    out = {"command": "compare", "regfast_version": __version__,
           "data": data_summary(data, args.standardize),
           "split": {"n_train": int(Xtr.shape[0]),
                     "n_test": 0 if Xte is None else int(Xte.shape[0]),
                     "test_size": args.test_size, "seed": args.seed},
           "feature_names": data.feature_names, "models": []}
    models = specs(args.l1_ratio)
    with Progress(3 * len(models), enabled=not (args.quiet or args.json)) as bar:
        for spec in models:
            bar.step(f"choosing alpha: {spec.label}")
            m = {"key": spec.key, "label": spec.label, "l1_ratio": spec.l1_ratio}
            m.update(choose_alpha(spec, args, Xtr, ytr))
            if spec.l1_ratio == 0:
                m["ridge_alpha"] = Xtr.shape[0] * m["alpha"]
            bar.step(f"training log: {spec.label}")
            m["log"] = training_log(spec, m["alpha"], Xtr, ytr, max_iter=args.max_iter)
            bar.step(f"final fit: {spec.label}")
            model, seconds = fit_timed(spec, m["alpha"], Xtr, ytr, args.max_iter)
            coef = np.asarray(model.coef_, dtype=np.float64)
            m.update({
                "coef": coef.tolist(), "intercept": float(model.intercept_),
                "n_zero": int(np.sum(coef == 0)), "fit_seconds": seconds,
                "n_iter": getattr(model, "n_iter_", None) if spec.l1_ratio else None,
                "solver_dual_gap": float(model.dual_gap_) if spec.l1_ratio else None,
                "objective": objective(Xtr, ytr, coef, m["alpha"], spec.l1_ratio),
                "duality_gap": duality_gap(Xtr, ytr, coef, m["alpha"], spec.l1_ratio),
                "r2_train": float(model.score(Xtr, ytr)),
                "r2_test": None if Xte is None else float(model.score(Xte, yte))})
            if isinstance(m["n_iter"], (np.integer, np.ndarray)):
                m["n_iter"] = int(np.max(m["n_iter"]))
            out["models"].append(m)
    return out


def path(args):
    """Regularisation paths of L1, elastic net and L2, with the CV alpha marked."""
    check_options(args)
    data = read_dataset(args)
    X, y = data.X, data.y
    if X.shape[0] < 2 * args.cv:
        raise UsageError(f"{X.shape[0]} samples are too few for {args.cv}-fold cross-validation")
    if args.standardize:
        X, _, _ = standardize(X)
    n = X.shape[0]
    yc = y - y.mean()
    xm = np.asarray(X.mean(axis=0)).ravel()
    out = {"command": "path", "regfast_version": __version__,
           "data": data_summary(data, args.standardize),
           "feature_names": data.feature_names, "models": []}
    models = specs(args.l1_ratio)
    with Progress(2 * len(models), enabled=not (args.quiet or args.json)) as bar:
        for spec in models:
            bar.step(f"choosing alpha: {spec.label}")
            m = {"key": spec.key, "label": spec.label, "l1_ratio": spec.l1_ratio}
            m.update(choose_alpha(spec, args, X, y))
            bar.step(f"path: {spec.label}")
            t0 = time.perf_counter()
            if spec.l1_ratio == 0:
                alphas = ridge_grid(X, args.n_alphas)
                coefs = np.column_stack([np.asarray(Ridge(alpha=n * a).fit(X, y).coef_)
                                         for a in alphas])
            else:
                # the library's grid: n_alphas from alpha_max down to eps * alpha_max
                alphas, coefs, gaps = enet_path(X, y, l1_ratio=spec.l1_ratio,
                                                alphas=args.n_alphas, eps=args.eps,
                                                fit_intercept=True, max_iter=args.max_iter)
                m["dual_gaps"] = np.asarray(gaps, dtype=np.float64).tolist()
            m["path_seconds"] = time.perf_counter() - t0
            coefs = np.asarray(coefs, dtype=np.float64)
            resid = yc[:, None] - (np.asarray(X @ coefs) - xm @ coefs)   # y_c - X_c w
            m.update({"alphas": np.asarray(alphas, dtype=np.float64).tolist(),
                      "coefs": coefs.tolist(),
                      "n_nonzero": np.count_nonzero(coefs, axis=0).tolist(),
                      "r2_train": (1 - (resid ** 2).sum(0) / (yc @ yc)).tolist()})
            if spec.l1_ratio == 0:
                m["ridge_alphas"] = (n * np.asarray(alphas)).tolist()
            out["models"].append(m)
    if args.plot:
        from ._plot import plot_paths
        plot_paths(out, args.plot)
        out["plot"] = args.plot
    return out


def fit(args):
    """Fit one penalty at one alpha; save a JSON model."""
    if not 0 < args.alpha < np.inf:
        raise UsageError(f"--alpha must be positive, got {args.alpha:g}")
    l1_ratio = {"l1": 1.0, "l2": 0.0, "elasticnet": args.l1_ratio}[args.penalty]
    if args.penalty == "elasticnet" and not 0 <= args.l1_ratio <= 1:
        raise UsageError(f"--l1-ratio must be in [0, 1], got {args.l1_ratio:g}")
    data = load_data(args.data, target=args.target, fmt=args.format)
    X, y = data.X, data.y
    p = X.shape[1]
    center, scale = np.zeros(p), np.ones(p)
    if args.standardize:
        X, center, scale = standardize(X)
    model = Spec(args.penalty, args.penalty, l1_ratio).estimator(args.alpha, X.shape[0], **(
        {} if l1_ratio == 0 else {"max_iter": args.max_iter, "tol": args.tol}))
    t0 = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - t0
    w = np.asarray(model.coef_, dtype=np.float64)
    yc = y - y.mean()
    gap = duality_gap(X, y, w, args.alpha, l1_ratio)
    info = {"fit_seconds": seconds, "objective": objective(X, y, w, args.alpha, l1_ratio),
            "duality_gap": gap}
    if l1_ratio > 0:
        info.update({"n_iter": int(model.n_iter_), "solver_dual_gap": float(model.dual_gap_),
                     "tol": args.tol, "max_iter": args.max_iter,
                     "converged": bool(model.dual_gap_ <= args.tol * (yc @ yc) / len(y))})
    else:
        info["solver"] = getattr(model, "solver_", model.solver)
    coef = w / scale                                     # back to the original units
    intercept = float(model.intercept_) - float(center @ coef)
    out = {"regfast_model": 1, "regfast_version": __version__,
           "penalty": args.penalty, "alpha": args.alpha, "l1_ratio": l1_ratio,
           "ridge_alpha": X.shape[0] * args.alpha if l1_ratio == 0 else None,
           "standardized": bool(args.standardize),
           "data": data_summary(data, args.standardize,
                                "the saved weights are in the original units",
                                "features used as given"),
           "target": data.target_name,
           "feature_names": data.feature_names,
           "coef": coef.tolist(), "intercept": intercept,
           "standardized_coef": w.tolist() if args.standardize else None,
           "center": center.tolist(), "scale": scale.tolist(),
           "convergence": info, "n_zero": int(np.sum(w == 0)),
           "r2_train": float(model.score(X, y))}
    if args.output:
        try:
            with open(args.output, "w") as fh:
                json.dump(out, fh, indent=1)
        except OSError as exc:
            raise UsageError(f"{args.output}: cannot write ({exc.strerror})") from None
    return out


def read_model(path):
    try:
        with open(path) as fh:
            model = json.load(fh)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not a regfast model JSON ({exc})") from None
    if not isinstance(model, dict) or model.get("regfast_model") != 1 or \
            not {"coef", "intercept", "feature_names"} <= set(model):
        raise UsageError(f"{path}: not a regfast model JSON (write one with `regfast fit`)")
    return model


def predict(args):
    """Predictions of a saved model on DATA (R^2 too when DATA has a target)."""
    model = read_model(args.model)
    coef = np.asarray(model["coef"], dtype=np.float64)
    names = model["feature_names"]
    p = len(coef)
    fmt = args.format
    if fmt == "auto":
        fmt = {".csv": "csv", ".npz": "npz"}.get(os.path.splitext(args.data)[1].lower(), "auto")
    target = args.target
    if fmt == "csv":
        data = load_data(args.data, target=None, fmt="csv", need_target=False)
        header = data.feature_names
        if target is not None and target not in header:
            raise UsageError(f"{args.data}: no column named {target!r} for --target")
        if target is None and model.get("target") in header:
            target = model["target"]              # R^2 against it; optional
        missing = [f for f in names if f not in header]
        if missing:
            raise UsageError(f"{args.data}: missing feature column {missing[0]!r} "
                             f"(the model uses {p} named features)")
        X = data.X[:, [header.index(f) for f in names]]
        y = data.X[:, header.index(target)] if target is not None else None
    else:
        if target is not None:
            raise UsageError("--target only applies to CSV files")
        data = load_data(args.data, fmt=args.format, need_target=False, n_features=p)
        X, y = data.X, data.y
        if X.shape[1] != p:
            raise UsageError(f"{args.data}: {X.shape[1]} features, but the model has {p}")
    pred = np.asarray(X @ coef).ravel() + model["intercept"]
    out = {"command": "predict", "n_samples": int(X.shape[0]), "predictions": pred.tolist()}
    if y is not None:
        ss = float(((y - y.mean()) ** 2).sum())
        out["r2"] = 1 - float(((y - pred) ** 2).sum()) / ss if ss > 0 else None
    if args.output:
        try:
            np.savetxt(args.output, pred, fmt="%.17g", header="prediction", comments="")
        except OSError as exc:
            raise UsageError(f"{args.output}: cannot write ({exc.strerror})") from None
    return out
