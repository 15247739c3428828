"""The subcommands' work: each takes parsed options and returns a plain dict
(printed as text by `_report` or as JSON with --json)."""

import json
import os
import time

import numpy as np

from .. import Ridge, __version__, enet_path, logistic_path
from ._data import (UsageError, csv_header, load_breast_cancer_data, load_data,
                    load_diabetes_data, standardize)
from ._files import atomic_write, check_output
from ._fitting import (Spec, class_index, class_metrics, cross_validate, duality_gap,
                       fit_timed, logistic_objective, objective, ridge_grid, shown_weights,
                       specs, to_C, training_log)
from ._progress import Progress
from ._task import detect_task, is_text, label_strings, label_values

# budgets of --max-iter by task: coordinate-descent epochs, proximal Newton steps
MAX_ITER = {"regression": 1000, "classification": 100}

STANDARDIZED = {
    "dense": "features standardized (centred, unit variance)",
    "sparse": "features scaled to unit variance but not centred, so X stays sparse "
              "(the intercept absorbs the means)",
}


def read_dataset(args):
    """DATA from the command line (or a bundled set), its task, and a note on the task.

    Without DATA: scikit-learn's diabetes data, or its breast cancer data
    with --task classification.  compare and path need something to learn: a
    target that varies (two classes at least) and at least one feature that
    does (otherwise the alpha grids are empty).  Returns (data, task, note).
    """
    if args.data is None:
        data = (load_breast_cancer_data() if args.task == "classification"
                else load_diabetes_data())
    else:
        data = load_data(args.data, target=args.target, fmt=args.format)
    source = args.data or data.name
    task, note = detect_task(data.y, args.task, source)
    X = data.X
    spread = (X.max(axis=0) - X.min(axis=0)).toarray() if data.sparse else np.ptp(X, axis=0)
    if not np.any(spread):
        raise UsageError(f"{source}: every feature is constant; nothing to fit")
    if task == "classification":
        classes, counts = np.unique(data.y, return_counts=True)
        if counts.min() < 2:
            raise UsageError(f"{source}: class {label_strings(classes[counts < 2])[0]!r} has "
                             "only 1 sample; each class needs at least 2 (to hold out and "
                             "cross-validate)")
    if getattr(args, "max_iter", 1) is None:
        args.max_iter = MAX_ITER[task]
    return data, task, note


def task_summary(task, note, y):
    """The task, why, and (classification) the classes with their counts."""
    out = {"task": task, "how": note}
    if task == "classification":
        classes, counts = np.unique(y, return_counts=True)
        out.update({"classes": label_values(classes), "class_counts": counts.tolist()})
    return out


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
    if getattr(args, "C", None) is not None:
        if not 0 < args.C < np.inf:
            raise UsageError(f"--C must be positive, got {args.C:g}")
        if args.alpha is not None:
            raise UsageError("give --alpha or --C, not both (alpha = 1/(C n))")
        if args.task == "regression":
            raise UsageError("--C is for classification (logistic loss); "
                             "regression takes --alpha")
    if not 0 < args.l1_ratio < 1:
        raise UsageError(f"--l1-ratio must be strictly between 0 and 1 for the elastic net, "
                         f"got {args.l1_ratio:g}")
    if getattr(args, "cv", 2) < 2:
        raise UsageError(f"--cv must be at least 2 folds, got {args.cv}")
    if getattr(args, "n_alphas", 2) < 2:
        raise UsageError(f"--n-alphas must be at least 2, got {args.n_alphas}")
    if getattr(args, "max_iter", None) is not None and args.max_iter < 1:
        raise UsageError(f"--max-iter must be at least 1, got {args.max_iter}")
    if not 0 < getattr(args, "eps", 0.5) < 1:
        raise UsageError(f"--eps must be in (0, 1), got {args.eps:g}")


def choose_alpha(spec, args, X, y):
    """CV alpha (elastic-net / glmnet units) unless --alpha or --C is given; a dict.

    Logistic models also get C = 1/(alpha n), n the rows fitted on.
    """
    n = X.shape[0]
    if getattr(args, "C", None) is not None:
        if not spec.logistic:
            raise UsageError("--C is for classification (logistic loss); the target was "
                             "taken as regression, which takes --alpha (see --task)")
        out = {"alpha": to_C(args.C, n), "chosen_by": "--C", "cv_seconds": None,
               "alpha_at_grid_edge": False}
    elif args.alpha is not None:
        out = {"alpha": float(args.alpha), "chosen_by": "--alpha", "cv_seconds": None,
               "alpha_at_grid_edge": False}
    else:
        t0 = time.perf_counter()
        alpha, how, edge = cross_validate(spec, X, y, args.cv, args.n_alphas, args.eps,
                                          args.max_iter)
        out = {"alpha": alpha, "chosen_by": f"cross-validation ({how})",
               "cv_seconds": time.perf_counter() - t0, "alpha_at_grid_edge": edge}
    if spec.logistic:
        out["C"] = args.C if out["chosen_by"] == "--C" else to_C(out["alpha"], n)
    return out


def cv_note(args, command, n_cv, n_all):
    """Which rows cross-validation saw, and so why compare and path may choose differently.

    compare holds out --test-size of the rows and cross-validates on the rest;
    path has no held-out rows and cross-validates on all of them.  The same
    folds on the same rows give the same choice: compare --test-size 0 = path.
    None when --alpha or --C sets the strength (no cross-validation).
    """
    if args.alpha is not None or getattr(args, "C", None) is not None:
        return None
    if command == "path":
        return (f"cross-validated on all {n_all} rows; `regfast compare` cross-validates on "
                "its training rows only (it holds out --test-size 0.25 by default), so its "
                "choice differs unless run with --test-size 0")
    if n_cv < n_all:
        return (f"cross-validated on the {n_cv} training rows only; `regfast path` "
                f"cross-validates on all {n_all} rows, so its choice differs "
                "(compare --test-size 0 makes them the same)")
    return f"cross-validated on all {n_all} rows, as `regfast path` does (the same choice)"


def logistic_result(model, alpha, l1_ratio, Xtr, ytr, Xte, yte):
    """A fitted logistic model's weights, objective, gap and metrics (compare's dict)."""
    coef = np.asarray(model.coef_, dtype=np.float64)
    n = Xtr.shape[0]
    obj, loss = logistic_objective(Xtr, class_index(ytr, model.classes_), coef,
                                   model.intercept_, alpha, l1_ratio)
    out = {"coef": shown_weights(coef).tolist(),
           "coef_by_class": coef.tolist() if coef.shape[0] > 1 else None,
           "intercept": np.asarray(model.intercept_, dtype=np.float64).tolist(),
           "n_zero": int(np.sum(np.all(coef == 0, axis=0))),
           "n_iter": int(np.max(model.n_iter_)),
           "solver_dual_gap": float(model.dual_gap_),
           "objective": obj, "duality_gap": float(model.dual_gap_) / (model.C * n)}
    for part, X, y in [("train", Xtr, ytr), ("test", Xte, yte)]:
        metrics = class_metrics(model, X, y) if X is not None else {}
        for key in ("accuracy", "log_loss", "roc_auc"):
            out[f"{key}_{part}"] = metrics.get(key)
    return out


def split_rows(args, data, clf):
    """Hold out --test-size of the rows (--seed), standardise both parts on the training
    part (unless --no-standardize); returns (Xtr, Xte, ytr, yte), Xte and yte None
    for --test-size 0.  Classification: stratified, so both parts keep the class
    proportions.  Shared by compare and report."""
    from sklearn.model_selection import train_test_split
    n = data.X.shape[0]
    if args.test_size > 0:
        if round(n * args.test_size) < 2 or n - round(n * args.test_size) < 2 * args.cv:
            raise UsageError(f"{n} samples are too few to hold out {args.test_size:g} and "
                             f"cross-validate with {args.cv} folds")
        n_classes = len(np.unique(data.y)) if clf else 0
        if clf and min(round(n * args.test_size), n - round(n * args.test_size)) < n_classes:
            raise UsageError(f"{n} samples are too few to hold out {args.test_size:g} with "
                             f"each of the {n_classes} classes on both sides")
        Xtr, Xte, ytr, yte = train_test_split(data.X, data.y, test_size=args.test_size,
                                              random_state=args.seed,
                                              stratify=data.y if clf else None)
    else:
        Xtr, Xte, ytr, yte = data.X, None, data.y, None
    if args.standardize:
        Xtr, center, scale = standardize(Xtr)
        if Xte is not None:
            Xte, _, _ = standardize(Xte, center, scale)
    return Xtr, Xte, ytr, yte


def check_split_options(args):
    """--test-size in [0, 1) (nan refused)."""
    if not 0 <= args.test_size < 1:
        raise UsageError(f"--test-size must be in [0, 1), got {args.test_size:g}")


def compare(args):
    """Fit L1, elastic net and L2 at comparable strength; log, weights, R^2, times."""
    check_options(args)
    check_split_options(args)
    if args.top < 1:
        raise UsageError(f"--top must be at least 1, got {args.top}")
    data, task, note = read_dataset(args)
    clf = task == "classification"
    Xtr, Xte, ytr, yte = split_rows(args, data, clf)
    out = {"command": "compare", "regfast_version": __version__,
           "data": data_summary(data, args.standardize),
           "task": task_summary(task, note, data.y),
           "split": {"n_train": int(Xtr.shape[0]),
                     "n_test": 0 if Xte is None else int(Xte.shape[0]),
                     "test_size": args.test_size, "seed": args.seed, "stratified": clf},
           "cv_note": cv_note(args, "compare", Xtr.shape[0], data.X.shape[0]),
           "feature_names": data.feature_names, "models": []}
    if clf:
        out["weights_shown"] = weights_note(data.y)
    models = specs(args.l1_ratio, task)
    strength = "C" if clf else "alpha"
    with Progress(3 * len(models), enabled=not (args.quiet or args.json)) as bar:
        for spec in models:
            bar.step(f"choosing {strength}: {spec.label}")
            m = {"key": spec.key, "label": spec.label, "l1_ratio": spec.l1_ratio}
            m.update(choose_alpha(spec, args, Xtr, ytr))
            if spec.l1_ratio == 0 and not clf:
                m["ridge_alpha"] = Xtr.shape[0] * m["alpha"]
            bar.step(f"training log: {spec.label}")
            m["log"] = training_log(spec, m["alpha"], Xtr, ytr, max_iter=args.max_iter)
            bar.step(f"final fit: {spec.label}")
            model, seconds = fit_timed(spec, m["alpha"], Xtr, ytr, args.max_iter)
            if clf:
                m.update(logistic_result(model, m["alpha"], spec.l1_ratio, Xtr, ytr, Xte, yte))
                m["fit_seconds"] = seconds
                out["models"].append(m)
                continue
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


def weights_note(y):
    """What the weights table shows for a classification target."""
    k = len(np.unique(y))
    if k == 2:
        return f"weights of class {label_strings(np.unique(y)[1:])[0]!r} (against the other)"
    return (f"per feature, the L2 norm of its {k} class weights (multinomial; --json has "
            "every class's weights as coef_by_class); exactly zero = zero for every class")


def path(args):
    """Regularisation paths of L1, elastic net and L2, with the CV alpha marked."""
    check_options(args)
    if args.plot:
        check_output(args.plot, [args.data])
    data, task, note = read_dataset(args)
    clf = task == "classification"
    X, y = data.X, data.y
    if X.shape[0] < 2 * args.cv:
        raise UsageError(f"{X.shape[0]} samples are too few for {args.cv}-fold cross-validation")
    if args.standardize:
        X, _, _ = standardize(X)
    n = X.shape[0]
    out = {"command": "path", "regfast_version": __version__,
           "data": data_summary(data, args.standardize),
           "task": task_summary(task, note, y),
           "cv_note": cv_note(args, "path", n, n),
           "feature_names": data.feature_names, "models": []}
    if clf:
        out["weights_shown"] = weights_note(y)
    else:
        yc = y - y.mean()
        xm = np.asarray(X.mean(axis=0)).ravel()
    models = specs(args.l1_ratio, task)
    strength = "C" if clf else "alpha"
    with Progress(2 * len(models), enabled=not (args.quiet or args.json)) as bar:
        for spec in models:
            bar.step(f"choosing {strength}: {spec.label}")
            m = {"key": spec.key, "label": spec.label, "l1_ratio": spec.l1_ratio}
            m.update(choose_alpha(spec, args, X, y))
            bar.step(f"path: {spec.label}")
            t0 = time.perf_counter()
            if clf:
                m.update(logistic_path_summary(spec, args, X, y))
                m["path_seconds"] = time.perf_counter() - t0
                out["models"].append(m)
                continue
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
        plot_paths(out, args.plot, [args.data])
        out["plot"] = args.plot
    return out


def logistic_path_summary(spec, args, X, y):
    """logistic_path of one spec (L2: over ridge_grid) with training accuracy and log-loss.

    The weights are shown_weights per alpha: the weights themselves for two
    classes, each feature's norm over the classes for more (coefs_by_class).
    """
    grid = ridge_grid(X, args.n_alphas) if spec.l1_ratio == 0 else args.n_alphas
    alphas, coefs, intercepts, gaps = logistic_path(
        X, y, l1_ratio=spec.l1_ratio, alphas=grid, eps=args.eps, max_iter=args.max_iter)
    coefs = np.asarray(coefs, dtype=np.float64)
    if coefs.ndim == 2:                                  # two classes: (p, n_alphas)
        coefs, intercepts = coefs[None], np.asarray(intercepts)[None]
    classes, y_idx = np.unique(y, return_inverse=True)
    n, K = X.shape[0], coefs.shape[0]
    acc, loss = [], []
    for a in range(len(alphas)):
        W, b = coefs[:, :, a], np.asarray(intercepts)[:, a]
        Z = np.asarray(X @ W.T) + b
        pred = (Z[:, 0] > 0).astype(int) if K == 1 else Z.argmax(axis=1)
        acc.append(float(np.mean(pred == y_idx)))
        loss.append(logistic_objective(X, y_idx, W, b, alphas[a], spec.l1_ratio)[1])
    shown = np.stack([shown_weights(coefs[:, :, a]) for a in range(len(alphas))], axis=1)
    return {"alphas": np.asarray(alphas, dtype=np.float64).tolist(),
            "Cs": to_C(np.asarray(alphas, dtype=np.float64), n).tolist(),
            "coefs": shown.tolist(),
            "coefs_by_class": coefs.tolist() if K > 1 else None,
            "intercepts": np.asarray(intercepts, dtype=np.float64).tolist(),
            "dual_gaps": np.asarray(gaps, dtype=np.float64).tolist(),
            "n_nonzero": np.count_nonzero(shown, axis=0).tolist(),
            "accuracy_train": acc, "log_loss_train": loss}


def resolve_loss(args, data):
    """The loss of `fit`: --loss, else the task (--task, or detected from the target)."""
    source = args.data
    task = {"logistic": "classification", "squared": "regression"}.get(args.loss, args.task)
    if args.loss != "auto" and args.task not in ("auto", task):
        raise UsageError(f"--loss {args.loss} contradicts --task {args.task}")
    task, _ = detect_task(data.y, task, source,
                          f"--loss {args.loss}" if args.loss != "auto" else None)
    if task == "regression" and args.C is not None:
        raise UsageError("--C is for --loss logistic; the squared loss takes --alpha"
                         + (" (the target was taken as regression: see --task)"
                            if args.loss == "auto" else ""))
    return "logistic" if task == "classification" else "squared"


def fit(args):
    """Fit one penalty at one alpha (or C) with the squared or logistic loss; save JSON."""
    if args.alpha is None and args.C is None:
        raise UsageError("the following arguments are required: --alpha (or --C for the "
                         "logistic loss)")
    if args.alpha is not None and args.C is not None:
        raise UsageError("give --alpha or --C, not both (alpha = 1/(C n))")
    for name, v in (("--alpha", args.alpha), ("--C", args.C)):
        if v is not None and not 0 < v < np.inf:
            raise UsageError(f"{name} must be positive, got {v:g}")
    l1_ratio = {"l1": 1.0, "l2": 0.0, "elasticnet": args.l1_ratio}[args.penalty]
    if args.penalty == "elasticnet" and not 0 <= args.l1_ratio <= 1:
        raise UsageError(f"--l1-ratio must be in [0, 1], got {args.l1_ratio:g}")
    if args.max_iter is not None and args.max_iter < 1:
        raise UsageError(f"--max-iter must be at least 1, got {args.max_iter}")
    if args.output:
        check_output(args.output, [args.data])         # refuse before the fit, not after
    data = load_data(args.data, target=args.target, fmt=args.format)
    if data.X.shape[0] < 2:     # one row: the intercept alone fits it, R^2 is undefined
        raise UsageError(f"{args.data}: only 1 row of data; fitting needs at least 2")
    loss = resolve_loss(args, data)
    if args.max_iter is None:
        args.max_iter = MAX_ITER["classification" if loss == "logistic" else "regression"]
    X, y = data.X, data.y
    n, p = X.shape
    alpha = float(args.alpha) if args.alpha is not None else to_C(args.C, n)
    center, scale = np.zeros(p), np.ones(p)
    if args.standardize:
        X, center, scale = standardize(X)
    spec = Spec(args.penalty, args.penalty, l1_ratio, loss)
    model = spec.estimator(alpha, n, **(
        {} if l1_ratio == 0 and loss == "squared"
        else {"max_iter": args.max_iter, "tol": args.tol}))
    if loss == "logistic":
        return _fit_logistic(args, data, model, alpha, l1_ratio, X, y, center, scale)
    t0 = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - t0
    w = np.asarray(model.coef_, dtype=np.float64)
    yc = y - y.mean()
    gap = duality_gap(X, y, w, alpha, l1_ratio)
    info = {"fit_seconds": seconds, "objective": objective(X, y, w, alpha, l1_ratio),
            "duality_gap": gap}
    if l1_ratio > 0:
        info.update({"n_iter": int(model.n_iter_), "solver_dual_gap": float(model.dual_gap_),
                     "tol": args.tol, "max_iter": args.max_iter,
                     "converged": bool(model.dual_gap_ <= args.tol * (yc @ yc) / len(y))})
    else:
        info["solver"] = getattr(model, "solver_", model.solver)
    coef = w / scale                                     # back to the original units
    intercept = float(model.intercept_) - float(center @ coef)
    out = {"regfast_model": 1, "regfast_version": __version__, "loss": "squared",
           "penalty": args.penalty, "alpha": alpha, "l1_ratio": l1_ratio,
           "ridge_alpha": n * alpha if l1_ratio == 0 else None,
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
    save_model(out, args.output, [args.data])
    return out


def _fit_logistic(args, data, model, alpha, l1_ratio, X, y, center, scale):
    """fit's logistic branch: the model JSON has classes, coef (K x p) and intercepts (K)."""
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    n = X.shape[0]
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    seconds = time.perf_counter() - t0
    for w in caught:                                      # to `run`, which reports them
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    W = np.asarray(model.coef_, dtype=np.float64)          # (1, p) or (K, p)
    b = np.asarray(model.intercept_, dtype=np.float64)
    obj, loss = logistic_objective(X, class_index(y, model.classes_), W, b, alpha, l1_ratio)
    info = {"fit_seconds": seconds, "objective": obj,
            "duality_gap": float(model.dual_gap_) / (model.C * n),
            "n_iter": int(np.max(model.n_iter_)), "solver_dual_gap": float(model.dual_gap_),
            "tol": args.tol, "max_iter": args.max_iter,
            "converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught)}
    coef = W / scale                                       # back to the original units
    intercept = b - coef @ center
    metrics = class_metrics(model, X, y)
    out = {"regfast_model": 1, "regfast_version": __version__, "loss": "logistic",
           "penalty": args.penalty, "alpha": alpha, "C": float(model.C), "l1_ratio": l1_ratio,
           "standardized": bool(args.standardize),
           "data": data_summary(data, args.standardize,
                                "the saved weights are in the original units",
                                "features used as given"),
           "target": data.target_name,
           "classes": label_values(model.classes_),
           "feature_names": data.feature_names,
           "coef": coef.tolist(), "intercept": intercept.tolist(),
           "standardized_coef": W.tolist() if args.standardize else None,
           "center": center.tolist(), "scale": scale.tolist(),
           "convergence": info, "n_zero": int(np.sum(np.all(W == 0, axis=0))),
           "accuracy_train": metrics["accuracy"], "log_loss_train": metrics["log_loss"],
           "roc_auc_train": metrics["roc_auc"]}
    save_model(out, args.output, [args.data])
    return out


def save_model(out, path, inputs=()):
    """Write the model JSON to path (if given) atomically, never over one of inputs."""
    if path:
        atomic_write(path, lambda fh: json.dump(out, fh, indent=1), inputs=inputs)


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
    model.setdefault("loss", "squared")
    if model["loss"] not in ("squared", "logistic") or (
            model["loss"] == "logistic" and not isinstance(model.get("classes"), list)):
        raise UsageError(f"{path}: not a regfast model JSON (unknown loss or no classes)")
    return model


def read_predict_data(args, model, p):
    """(X with the model's features in order, true target or None) for predict."""
    names = model["feature_names"]
    fmt = args.format
    if fmt == "auto":
        fmt = {".csv": "csv", ".npz": "npz"}.get(os.path.splitext(args.data)[1].lower(), "auto")
    target = args.target
    if fmt == "csv":
        header = csv_header(args.data, target)
        if target is not None and target not in header:
            raise UsageError(f"{args.data}: no column named {target!r} for --target")
        if target is None and model.get("target") in header:
            target = model["target"]              # scored against it; optional
        data = load_data(args.data, target=target, fmt="csv", need_target=False)
        missing = [f for f in names if f not in data.feature_names]
        if missing:
            raise UsageError(f"{args.data}: missing feature column {missing[0]!r} "
                             f"(the model uses {p} named features)")
        return data.X[:, [data.feature_names.index(f) for f in names]], data.y
    if target is not None:
        raise UsageError("--target only applies to CSV files")
    data = load_data(args.data, fmt=args.format, need_target=False, n_features=p)
    if data.X.shape[1] != p:
        raise UsageError(f"{args.data}: {data.X.shape[1]} features, but the model has {p}")
    return data.X, data.y


def predict(args):
    """Predictions of a saved model on DATA (R^2, or accuracy, when DATA has a target).

    A logistic model predicts labels, or with --proba the probability of
    each class; a squared-loss model, values.
    """
    if args.output:
        check_output(args.output, [args.model, args.data])
    model = read_model(args.model)
    logistic = model["loss"] == "logistic"
    if args.proba and not logistic:
        raise UsageError(f"--proba needs a classification model ({args.model} was fitted "
                         "with the squared loss; fit one with --loss logistic)")
    coef = np.atleast_2d(np.asarray(model["coef"], dtype=np.float64))
    p = coef.shape[1]
    X, y = read_predict_data(args, model, p)
    out = {"command": "predict", "n_samples": int(X.shape[0])}
    if not logistic:
        if y is not None and is_text(y):
            raise UsageError(f"{args.data}: the target holds text labels, but {args.model} "
                             "is a regression model")
        pred = np.asarray(X @ coef[0]).ravel() + model["intercept"]
        out["predictions"] = pred.tolist()
        if y is not None:
            ss = float(((y - y.mean()) ** 2).sum())
            out["r2"] = 1 - float(((y - pred) ** 2).sum()) / ss if ss > 0 else None
        out["text"] = "".join(f"{v:.17g}\n" for v in pred)
        return _write_predictions(args, out)
    from scipy.special import expit, softmax
    classes = [str(c) for c in model["classes"]]
    Z = np.asarray(X @ coef.T) + np.asarray(model["intercept"], dtype=np.float64)
    if coef.shape[0] == 1:                           # two classes, class 1 positive
        p1 = expit(Z[:, 0])
        proba = np.column_stack([1 - p1, p1])
        idx = (Z[:, 0] > 0).astype(int)
    else:
        proba = softmax(Z, axis=1)
        idx = Z.argmax(axis=1)
    labels = [classes[i] for i in idx]
    out.update({"classes": model["classes"],
                "predictions": [model["classes"][i] for i in idx]})
    if args.proba:
        out["probabilities"] = proba.tolist()
    if y is not None:
        truth = label_strings(y)
        known = np.isin(truth, classes)
        out["unknown_labels"] = int((~known).sum())
        out["accuracy"] = (float(np.mean(np.array(labels) == np.array(truth)))
                           if known.any() else None)
        if known.all():
            from sklearn.metrics import log_loss
            out["log_loss"] = float(log_loss(truth, proba, labels=classes))
    out["text"] = proba_csv(classes, proba) if args.proba else "".join(
        f"{v}\n" for v in labels)
    return _write_predictions(args, out)


def _write_predictions(args, out):
    """predict -o: the very text stdout would get (no extra header), written atomically."""
    if args.output:
        atomic_write(args.output, lambda fh: fh.write(out["text"]),
                     inputs=[args.model, args.data])
    return out


def proba_csv(classes, proba):
    """CSV text: a header of class names, one row of probabilities per sample."""
    import csv
    import io
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(classes)
    writer.writerows([[f"{v:.17g}" for v in row] for row in proba])
    return buf.getvalue()
