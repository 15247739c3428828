"""Text output of the subcommands (the --json output is the dicts themselves)."""

import numpy as np

SHORT = {"l1": "L1", "elasticnet": "elastic net", "l2": "L2"}
LOG_HEADER = [
    "Training log. The solver runs a whole fit without Python callbacks, so each model is",
    "refitted from zero (warm_start=False) with a budget of 1, 2, 4, ... epochs until it",
    "converges; objective and duality gap are recomputed in numpy from coef_."]
OBJECTIVE = ["Objective: 1/(2n)|y - Xw - b|^2 + alpha*l1_ratio*|w|_1 "
             "+ alpha*(1 - l1_ratio)/2*|w|^2",
             "(Ridge is l1_ratio = 0; scikit-learn's Ridge writes it without 1/(2n), "
             "with alpha_ridge = n*alpha)."]
LOG_HEADER_CLF = [
    "Training log. The solver runs a whole fit without Python callbacks, so each model is",
    "refitted from zero (warm_start=False) with a budget of 1, 2, 4, ... proximal Newton steps",
    "until it converges; objective and log-loss are recomputed in numpy from coef_ and",
    "intercept_, the duality gap is the solver's certificate (dual_gap_ / (C n))."]
OBJECTIVE_CLF = ["Objective: (1/n)*sum(log-loss) + alpha*l1_ratio*|w|_1 "
                 "+ alpha*(1 - l1_ratio)/2*|w|^2,",
                 "scikit-learn's LogisticRegression objective divided by C*n: alpha = 1/(C n)."]


def g(v, digits=5):
    """A number in a fixed number of significant digits ('-' for None)."""
    return "-" if v is None else f"{v:.{digits}g}"


def gap(v, objective):
    """A duality gap; a negative one within round-off of the objective is said so."""
    return f"{v:.2e}" + (" (round-off)" if -1e-9 * abs(objective) <= v < 0 else "")


def is_clf(out):
    return out.get("task", {}).get("task") == "classification"


def why(task):
    """How the task was decided, and how to change it."""
    return task["how"] + ("; --task to override" if task["how"].startswith("auto") else "")


def header(out):
    d = out["data"]
    clf = is_clf(out)
    lines = [f"regfast {out['command']} -- {d['name']}: {d['n_samples']} samples x "
             f"{d['n_features']} features, {d['storage']}"]
    t = out.get("task")
    if clf:
        classes = ", ".join(f"{c} ({k})" for c, k in zip(t["classes"], t["class_counts"]))
        lines.append(f"  task: classification ({why(t)}), "
                     f"{len(t['classes'])} classes (count): {classes}")
    elif t:
        lines.append(f"  task: regression ({why(t)})")
    if "split" in out:
        s = out["split"]
        what = "accuracy, log-loss and ROC AUC, stratified" if clf else "R^2"
        held = (f"held out {s['n_test']} rows for {what} (--test-size {s['test_size']:g}, "
                f"--seed {s['seed']})" if s["n_test"] else "no held-out rows (--test-size 0)")
        lines.append(f"  fitted on {s['n_train']} rows, {held}")
    lines.append(f"  {d['standardize_note']}")
    m = out["models"][0]
    if clf and m["chosen_by"] in ("--alpha", "--C"):
        lines.append(f"  strength: {m['chosen_by']} for all three (C = 1/(alpha n))")
    elif clf:
        lines.append("  strength: C chosen per model by cross-validation (--C or --alpha sets "
                     "one; alpha = 1/(C n))")
    elif m["chosen_by"] == "--alpha":
        lines.append("  strength: --alpha for all three (Ridge at n*alpha: the same L2 scaling)")
    else:
        lines.append("  strength: alpha chosen per model by cross-validation (--alpha sets one)")
    if out.get("cv_note") and m["chosen_by"].startswith("cross"):
        lines.append(f"  {out['cv_note']}")
    return lines


def alpha_line(m):
    if m.get("C") is not None:
        s = f"C = {g(m['C'])} (alpha = 1/(C n) = {g(m['alpha'])}), by {m['chosen_by']}"
        return s + (" -- at the edge of the grid" if m.get("alpha_at_grid_edge") else "")
    s = f"alpha = {g(m['alpha'])}"
    if m.get("ridge_alpha") is not None:
        s += f" (Ridge's alpha = n*alpha = {g(m['ridge_alpha'])})"
    s += f", by {m['chosen_by']}"
    if m.get("alpha_at_grid_edge"):
        s += " -- at the edge of the grid"
    return s


def compare_text(out, top):
    clf = is_clf(out)
    lines = header(out)
    lines += [""] + (LOG_HEADER_CLF + OBJECTIVE_CLF if clf else LOG_HEADER + OBJECTIVE)
    for m in out["models"]:
        lines += ["", f"{m['label']}: {alpha_line(m)}"]
        if clf:
            lines.append(f"  {'max_iter':>8s} {'steps':>6s} {'objective':>18s} "
                         f"{'log-loss':>12s} {'duality gap':>12s}")
            for r in m["log"]:
                lines.append(f"  {r['max_iter']:8d} {r['steps']:6d} {r['objective']:18.10g} "
                             f"{r['log_loss']:12.6g} {gap(r['gap'], r['objective']):>12s}")
            continue
        if m["log"][0]["max_iter"] is None:
            r = m["log"][0]
            lines.append(f"  one solve (solver {r['solver']}, no epochs)   objective "
                         f"{r['objective']:.10g}   duality gap {gap(r['gap'], r['objective'])}")
            continue
        lines.append(f"  {'max_iter':>8s} {'epochs':>7s} {'objective':>18s} {'duality gap':>12s}")
        for r in m["log"]:
            lines.append(f"  {r['max_iter']:8d} {r['epochs']:7d} {r['objective']:18.10g} "
                         f"{gap(r['gap'], r['objective']):>12s}")
    models = out["models"]
    names = out["feature_names"]
    W = np.array([m["coef"] for m in models]) + 0.0        # (3, p); no "-0"
    p = W.shape[1]
    order = range(p)
    note = ""
    if p > top:
        # largest first (by the largest |weight| over the three models), as the title says
        order = np.argsort(-np.abs(W).max(axis=0), kind="stable")[:top]
        note = f" -- the {top} with the largest |weight| of {p} (--top), largest first"
    std = "standardized features" if out["data"]["standardized"] else "features as given"
    if clf:
        lines += ["", f"Weights on {std}: {out['weights_shown']}{note}:"]
    else:
        lines += ["", f"Weights on {std}{note}:"]
    weights = [(names[j], [f"{W[i, j]:.5g}" for i in range(len(models))]) for j in order]
    weights.append(("exactly zero", [f"{m['n_zero']} of {p}" for m in models]))

    def metric(v):
        return "n/a" if v is None else g(v, 4)

    if clf:
        rows = [("C", "C", g), ("alpha", "alpha", g),
                ("accuracy train", "accuracy_train", metric),
                ("accuracy held-out", "accuracy_test", metric),
                ("log-loss train", "log_loss_train", metric),
                ("log-loss held-out", "log_loss_test", metric),
                ("ROC AUC train", "roc_auc_train", metric),
                ("ROC AUC held-out", "roc_auc_test", metric),
                ("CV seconds", "cv_seconds", lambda v: g(v, 3)),
                ("fit seconds", "fit_seconds", lambda v: g(v, 3)),
                ("Newton steps", "n_iter", g)]
    else:
        rows = [("alpha", "alpha", g), ("R^2 train", "r2_train", lambda v: g(v, 4)),
                ("R^2 held-out", "r2_test", lambda v: g(v, 4)),
                ("CV seconds", "cv_seconds", lambda v: g(v, 3)),
                ("fit seconds", "fit_seconds", lambda v: g(v, 3)),
                ("epochs", "n_iter", g)]
    summary = [(label, [fmt(m[key]) for m in models]) for label, key, fmt in rows]
    heads = [SHORT[m["key"]] for m in models]
    # one set of widths for both tables, from the longest cell: columns never run together
    width = max(len(name) for name, _ in weights + summary) + 2
    col = max(14, max(len(c) for _, cells in weights + summary for c in cells) + 3)
    for first, table in (("feature", weights), ("", summary)):
        if not first:
            lines.append("")
        lines += [f"  {first:<{width}s}" + "".join(f"{h:>{col}s}" for h in heads)]
        lines += [f"  {name:<{width}s}" + "".join(f"{c:>{col}s}" for c in cells)
                  for name, cells in table]
    if clf and out["split"]["n_test"] and any(m["roc_auc_test"] is None for m in models):
        lines.append("  (n/a: a class is missing from the held-out rows)")
    l1 = models[0]
    l2 = models[-1]
    what = "features to exactly zero in every class" if len(
        out.get("task", {}).get("classes", ())) > 2 else "weights to exactly zero"
    lines += ["", f"L1 set {l1['n_zero']} of {p} {what} (it keeps "
              f"{p - l1['n_zero']}); L2 shrinks weights smoothly and keeps "
              f"{p - l2['n_zero']} of {p}."]
    return "\n".join(lines)


def path_text(out, rows=10):
    if is_clf(out):
        return path_text_clf(out, rows)
    lines = header(out)
    lines += ["", "Regularization paths (weights against alpha, strongest first); the row nearest "
              "the", f"cross-validated alpha is marked <-. Without --plot FILE.png only this "
              f"summary ({rows} of each path's alphas; --json for every weight)."]
    for m in out["models"]:
        alphas = np.array(m["alphas"])
        coefs = np.array(m["coefs"])
        idx = np.unique(np.linspace(0, len(alphas) - 1, rows).round().astype(int))
        near = int(np.argmin(np.abs(np.log(alphas) - np.log(m["alpha"]))))
        idx = np.unique(np.append(idx, near))
        lines += ["", f"{m['label']}: {alpha_line(m)}; path in {g(m['path_seconds'], 3)} s",
                  f"  {'alpha':>12s} {'non-zero':>9s} {'|w|_1':>12s} {'|w|_2':>12s} "
                  f"{'R^2 train':>10s}"]
        for k in idx:
            w = coefs[:, k]
            lines.append(f"  {alphas[k]:12.5g} {m['n_nonzero'][k]:9d} {np.abs(w).sum():12.5g} "
                         f"{np.sqrt(w @ w):12.5g} {m['r2_train'][k]:10.4f}"
                         + ("  <- CV alpha" if k == near and m["chosen_by"] != "--alpha"
                            else "  <- --alpha" if k == near else ""))
    if out.get("plot"):
        lines += ["", f"Plot written to {out['plot']}"]
    return "\n".join(lines)


def path_text_clf(out, rows=10):
    lines = header(out)
    lines += ["", "Regularization paths of the logistic models (weights against alpha = 1/(C n), "
              "strongest", "first); the row nearest the cross-validated alpha is marked <-. "
              f"Without --plot FILE.png only", f"this summary ({rows} of each path's alphas; "
              "--json for every weight). Weights: " + out["weights_shown"] + "."]
    for m in out["models"]:
        alphas = np.array(m["alphas"])
        coefs = np.array(m["coefs"])
        idx = np.unique(np.linspace(0, len(alphas) - 1, rows).round().astype(int))
        near = int(np.argmin(np.abs(np.log(alphas) - np.log(m["alpha"]))))
        idx = np.unique(np.append(idx, near))
        lines += ["", f"{m['label']}: {alpha_line(m)}; path in {g(m['path_seconds'], 3)} s",
                  f"  {'alpha':>12s} {'C':>12s} {'non-zero':>9s} {'|w|_1':>12s} "
                  f"{'|w|_2':>12s} {'accuracy':>9s} {'log-loss':>10s}"]
        for k in idx:
            w = coefs[:, k]
            lines.append(f"  {alphas[k]:12.5g} {m['Cs'][k]:12.5g} {m['n_nonzero'][k]:9d} "
                         f"{np.abs(w).sum():12.5g} {np.sqrt(w @ w):12.5g} "
                         f"{m['accuracy_train'][k]:9.4f} {m['log_loss_train'][k]:10.4g}"
                         + ("  <- CV alpha" if k == near and m["chosen_by"].startswith("cross")
                            else f"  <- {m['chosen_by']}" if k == near else ""))
    lines += ["", "accuracy and log-loss: on the rows fitted (the path has no held-out rows)."]
    if out.get("plot"):
        lines += ["", f"Plot written to {out['plot']}"]
    return "\n".join(lines)


def fit_text(out, output):
    if out.get("loss") == "logistic":
        return fit_text_clf(out, output)
    c = out["convergence"]
    lines = [f"regfast fit -- {out['data']['name']}: {out['data']['n_samples']} samples x "
             f"{out['data']['n_features']} features; penalty {out['penalty']}, "
             f"alpha {g(out['alpha'])}" + (f", l1_ratio {g(out['l1_ratio'])}"
                                           if out["penalty"] == "elasticnet" else "")
             + (f" (Ridge's alpha = n*alpha = {g(out['ridge_alpha'])})"
                if out["ridge_alpha"] is not None else ""),
             f"  {out['data']['standardize_note']}",
             f"  objective {c['objective']:.10g}, "
             f"duality gap {gap(c['duality_gap'], c['objective'])}"
             + (f", {c['n_iter']} epochs, converged: {c['converged']}" if "n_iter" in c
                else f", Ridge solver {c['solver']}"),
             f"  {out['n_zero']} of {len(out['coef'])} weights exactly zero; "
             f"R^2 train {out['r2_train']:.4f}; {g(c['fit_seconds'], 3)} s",
             f"  model written to {output}" if output else
             "  (no --output: model not saved; --json prints it)"]
    return "\n".join(lines)


def fit_text_clf(out, output):
    c = out["convergence"]
    d = out["data"]
    classes = ", ".join(str(k) for k in out["classes"])
    lines = [f"regfast fit -- {d['name']}: {d['n_samples']} samples x {d['n_features']} "
             f"features; logistic loss, {len(out['classes'])} classes ({classes}); "
             f"penalty {out['penalty']}, C {g(out['C'])} (alpha = 1/(C n) = {g(out['alpha'])})"
             + (f", l1_ratio {g(out['l1_ratio'])}" if out["penalty"] == "elasticnet" else ""),
             f"  {d['standardize_note']}",
             f"  objective {c['objective']:.10g} ((1/n)*sum(log-loss) + alpha*penalty), "
             f"duality gap {gap(c['duality_gap'], c['objective'])}, {c['n_iter']} proximal "
             f"Newton steps, converged: {c['converged']}",
             f"  {out['n_zero']} of {len(out['feature_names'])} "
             + ("weights" if len(out["classes"]) == 2 else "features (every class)")
             + f" exactly zero; accuracy train {out['accuracy_train']:.4f}, log-loss train "
             f"{out['log_loss_train']:.4g}"
             + (f", ROC AUC train {out['roc_auc_train']:.4f}" if out["roc_auc_train"] is not None
                else "") + f"; {g(c['fit_seconds'], 3)} s",
             f"  model written to {output}" if output else
             "  (no --output: model not saved; --json prints it)"]
    return "\n".join(lines)


def predict_note(out, output):
    """predict's summary line on stderr."""
    s = f"{out['n_samples']} predictions" + (f" written to {output}" if output else "")
    if out.get("r2") is not None:
        s += f"; R^2 against the target: {out['r2']:.4f}"
    if out.get("accuracy") is not None:
        s += f"; accuracy against the target: {out['accuracy']:.4f}"
        if out.get("log_loss") is not None:
            s += f", log-loss {out['log_loss']:.4g}"
        if out.get("unknown_labels"):
            s += f" ({out['unknown_labels']} labels not among the model's classes)"
    elif out.get("unknown_labels"):
        s += (f"; no accuracy: none of the target's labels are among the model's classes "
              f"({', '.join(str(c) for c in out['classes'])})")
    return s
