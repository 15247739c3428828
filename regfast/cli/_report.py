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


def g(v, digits=5):
    """A number in a fixed number of significant digits ('-' for None)."""
    return "-" if v is None else f"{v:.{digits}g}"


def gap(v, objective):
    """A duality gap; a negative one within round-off of the objective is said so."""
    return f"{v:.2e}" + (" (round-off)" if -1e-9 * abs(objective) <= v < 0 else "")


def header(out):
    d = out["data"]
    lines = [f"regfast {out['command']} -- {d['name']}: {d['n_samples']} samples x "
             f"{d['n_features']} features, {d['storage']}"]
    if "split" in out:
        s = out["split"]
        held = (f"held out {s['n_test']} rows for R^2 (--test-size {s['test_size']:g}, "
                f"--seed {s['seed']})" if s["n_test"] else "no held-out rows (--test-size 0)")
        lines.append(f"  fitted on {s['n_train']} rows, {held}")
    lines.append(f"  {d['standardize_note']}")
    m = out["models"][0]
    if m["chosen_by"] == "--alpha":
        lines.append("  strength: --alpha for all three (Ridge at n*alpha: the same L2 scaling)")
    else:
        lines.append("  strength: alpha chosen per model by cross-validation (--alpha sets one)")
    return lines


def alpha_line(m):
    s = f"alpha = {g(m['alpha'])}"
    if m.get("ridge_alpha") is not None:
        s += f" (Ridge's alpha = n*alpha = {g(m['ridge_alpha'])})"
    s += f", by {m['chosen_by']}"
    if m.get("alpha_at_grid_edge"):
        s += " -- at the edge of the grid"
    return s


def compare_text(out, top):
    lines = header(out)
    lines += [""] + LOG_HEADER + OBJECTIVE
    for m in out["models"]:
        lines += ["", f"{m['label']}: {alpha_line(m)}"]
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
        order = sorted(np.argsort(-np.abs(W).max(axis=0), kind="stable")[:top])
        note = f" -- the {top} with the largest |weight| of {p} (--top)"
    width = max(12, max(len(names[j]) for j in order) + 2)
    std = "standardized features" if out["data"]["standardized"] else "features as given"
    lines += ["", f"Weights on {std}{note}:",
              f"  {'feature':<{width}s}" + "".join(f"{SHORT[m['key']]:>14s}" for m in models)]
    for j in order:
        lines.append(f"  {names[j]:<{width}s}" + "".join(f"{W[i, j]:14.5g}"
                                                          for i in range(len(models))))
    lines.append(f"  {'exactly zero':<{width}s}" +
                 "".join(f"{str(m['n_zero']) + ' of ' + str(p):>14s}" for m in models))
    rows = [("alpha", "alpha", g), ("R^2 train", "r2_train", lambda v: g(v, 4)),
            ("R^2 held-out", "r2_test", lambda v: g(v, 4)),
            ("CV seconds", "cv_seconds", lambda v: g(v, 3)),
            ("fit seconds", "fit_seconds", lambda v: g(v, 3)),
            ("epochs", "n_iter", g)]
    lines += ["", f"  {'':<{width}s}" + "".join(f"{SHORT[m['key']]:>14s}" for m in models)]
    for label, key, fmt in rows:
        lines.append(f"  {label:<{width}s}" + "".join(f"{fmt(m[key]):>14s}" for m in models))
    l1 = models[0]
    l2 = models[-1]
    lines += ["", f"L1 set {l1['n_zero']} of {p} weights to exactly zero (it keeps "
              f"{p - l1['n_zero']}); L2 shrinks weights smoothly and keeps "
              f"{p - l2['n_zero']} of {p}."]
    return "\n".join(lines)


def path_text(out, rows=10):
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


def fit_text(out, output):
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
