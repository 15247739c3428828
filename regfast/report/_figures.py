"""The report's seven sections: one plotly figure each, with a two-line caption.

Each ``section_*`` function takes the numbers of `_numbers.compute` and
returns a `Section`.  The captions are written from those numbers (which
model keeps how many features, where the held-out score peaks, ...), so they
say what this data shows rather than what the guide says in general.
"""

from dataclasses import dataclass
from html import escape

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..cli._report import SHORT, g
from ._stability import OFTEN, RARELY

KEYS = ("l1", "elasticnet", "l2")
COLOUR = {"l1": "#d62728", "elasticnet": "#9467bd", "l2": "#1f77b4"}
FEATURE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                   "#e377c2", "#bcbd22", "#17becf", "#393b79"]
GREY = "rgba(150,150,150,0.45)"
ALPHA_AXIS = dict(type="log", autorange="reversed", title="alpha (log scale; weaker penalty →)")
MARGIN = dict(t=50, r=20)     # room for subplot titles; plotly's default top is 100 px
N_COLOURED, N_GREY = 10, 60   # features drawn in colour (named), and in grey (thinned)
TABLE_ROWS = 15               # rows of each "often" / "rarely" picked table
STABILITY_BARS = 25           # features in the selection-frequency chart


@dataclass
class Section:
    """One section of the page: a figure, its caption lines and optional HTML after it."""

    key: str
    title: str
    fig: go.Figure
    caption: list
    extra_html: str = ""


def _metric(nums):
    """(key in the score dicts, label, +1 if higher is better else -1)."""
    return ("log_loss", "log-loss", -1) if nums["clf"] else ("r2", "R^2", 1)


def _short(x):
    """Numbers in a figure's data: 4 significant digits keep the page small."""
    return [float(f"{v:.4g}") for v in np.ravel(x)]


def shown_features(nums):
    """(coloured, grey): feature indices drawn in colour (the largest weights of the
    three fits, each scaled by its model's largest) and in grey (the next ones)."""
    score = np.max([np.abs(m["coef"]) / max(np.abs(m["coef"]).max(), 1e-300)
                    for m in nums["models"].values()], axis=0)
    order = np.argsort(-score, kind="stable")
    return order[:N_COLOURED], order[N_COLOURED:N_COLOURED + N_GREY]


# ------------------------------------------------------------------- 1. overfitting

def section_overfitting(nums):
    metric, label, sign = _metric(nums)
    grid, free = nums["grid"], nums["free"]
    fig = go.Figure()
    for key in KEYS:
        m = nums["models"][key]
        name = SHORT[key]
        fig.add_scatter(x=grid, y=_short(m["path"]["train"][metric]), name=f"{name} training",
                        line=dict(color=COLOUR[key], dash="dot"))
        if m["path"]["test"] is not None:
            fig.add_scatter(x=grid, y=_short(m["path"]["test"][metric]),
                            name=f"{name} held-out", line=dict(color=COLOUR[key]))
        part = "test" if m["path"]["test"] is not None else "train"
        fig.add_scatter(x=[m["alpha"]], y=[m[f"{metric}_{part}"]], mode="markers",
                        name=f"{name} chosen alpha {g(m['alpha'], 3)}",
                        marker=dict(color=COLOUR[key], size=12, symbol="diamond",
                                    line=dict(color="black", width=1)))
    for part, dash in (("train", "dot"), ("test", "solid")):
        if free.get(f"{metric}_{part}") is not None:
            fig.add_scatter(x=[grid[0], grid[-1]], y=[free[f"{metric}_{part}"]] * 2,
                            mode="lines", line=dict(color="black", dash=dash, width=1),
                            name=f"almost no penalty, {'held-out' if part == 'test' else part}")
    fig.update_layout(xaxis=ALPHA_AXIS, yaxis_title=label + (" (lower is better)" if sign < 0
                                                             else ""), height=460,
                      margin=MARGIN)
    return Section("overfitting", "1. Overfitting and lambda", fig,
                   _overfitting_caption(nums, metric, label, sign))


def _overfitting_caption(nums, metric, label, sign):
    ms, free, grid = nums["models"], nums["free"], nums["grid"]
    if ms["l1"]["path"]["test"] is None:
        train = ms["l1"]["path"]["train"][metric]
        return [f"No rows held out (--test-size 0): L1's training {label} goes from "
                f"{g(round(train[0], 12), 3)} to {g(train[-1], 3)} as alpha falls to {g(grid[-1], 3)}.",
                "Training scores always improve as the penalty weakens; hold rows out "
                "to see overfitting."]
    best, u_shaped = {}, []
    for key in KEYS:
        test = ms[key]["path"]["test"][metric]
        best[key] = int(np.argmax(sign * test))
        # a U: the held-out score is more than 1% worse at the weak end than at its best
        if sign * (test[best[key]] - test[-1]) > 0.01 * max(abs(test[best[key]]), 1e-12):
            u_shaped.append(key)
    first = (f"Best held-out {label}: " + ", ".join(
        f"{SHORT[k]} {g(ms[k]['path']['test'][metric][best[k]], 3)} at alpha "
        f"{g(grid[best[k]], 3)}" for k in KEYS) + f"; with almost no penalty "
        f"{g(free[f'{metric}_test'], 3)} (training {g(free[f'{metric}_train'], 3)}).")
    if not u_shaped:
        return [first, f"No U down to alpha {g(grid[-1], 3)}: no model's held-out {label} "
                       "gets more than 1% worse than its best as the penalty weakens."]
    k = u_shaped[0]
    path = ms[k]["path"]
    who = [SHORT[j] for j in u_shaped]
    who = ", ".join(who[:-1]) + " and " + who[-1] if len(who) > 1 else who[0]
    return [first, f"The U (overfitting) shows for {who}: weakening the penalty past its best alpha takes {SHORT[k]}'s training "
            f"{label} to {g(path['train'][metric][-1], 3)} but its held-out one to "
            f"{g(path['test'][metric][-1], 3)}."]


# ------------------------------------------------------------ 2. paths with a slider

def section_paths(nums):
    grid, names, p = nums["grid"], nums["names"], len(nums["names"])
    metric, label, _ = _metric(nums)
    coloured, grey = shown_features(nums)
    bar_names = [names[j] for j in coloured]
    shown = {k: nums["models"][k]["path"]["shown"] for k in KEYS}
    spans = [_range(shown[k][np.r_[coloured, grey]]) for k in KEYS]
    start = int(np.argmin(np.abs(np.log(grid / nums["models"]["l1"]["alpha"]))))
    fig = make_subplots(rows=2, cols=3, shared_xaxes=False, vertical_spacing=0.2,
                        horizontal_spacing=0.06, row_heights=[0.55, 0.45],
                        subplot_titles=[f"{SHORT[k]} path" for k in KEYS])

    def step(gi):
        """Traces 0-2 (bars) and 3-5 (the alpha marker on each path), and the
        titles above the bars, at grid point gi."""
        xs, ys, titles = [], [], {}
        for c, key in enumerate(KEYS):
            xs.append(bar_names)
            ys.append(_short(shown[key][coloured, gi]))
            m = nums["models"][key]
            n_zero = int(np.sum(np.all(m["path"]["W"][:, :, gi] == 0, axis=0)))
            score = f"{label} training {g(m['path']['train'][metric][gi], 3)}"
            if m["path"]["test"] is not None:
                score += f", held-out {g(m['path']['test'][metric][gi], 3)}"
            titles[f"annotations[{3 + c}].text"] = (
                f"{SHORT[key]}: {n_zero} of {p} weights exactly zero<br>{score}")
        for span in spans:
            xs.append([grid[gi]] * 2)
            ys.append(list(span))
        return {"x": xs, "y": ys}, titles

    data, titles = step(start)
    for c, key in enumerate(KEYS):
        fig.add_bar(x=data["x"][c], y=data["y"][c], row=2, col=c + 1, showlegend=False,
                    marker_color=[FEATURE_COLOURS[i % 10] for i in range(len(coloured))],
                    hovertemplate="%{x}: %{y}<extra>" + SHORT[key] + "</extra>")
    for c in range(3):
        fig.add_scatter(x=data["x"][3 + c], y=data["y"][3 + c], mode="lines", row=1,
                        col=c + 1, line=dict(color="black", width=1.5), showlegend=False,
                        hoverinfo="skip")
    for c, key in enumerate(KEYS):
        for j in grey:
            fig.add_scatter(x=grid, y=_short(shown[key][j]), mode="lines", row=1, col=c + 1,
                            line=dict(color=GREY, width=1), showlegend=False, name=names[j])
        for i, j in enumerate(coloured):
            fig.add_scatter(x=grid, y=_short(shown[key][j]), mode="lines", row=1, col=c + 1,
                            line=dict(color=FEATURE_COLOURS[i % 10], width=2),
                            name=names[j], legendgroup=names[j], showlegend=c == 0)
    for c in range(3):                    # annotations 3-5, after the three subplot titles
        fig.add_annotation(text=titles[f"annotations[{3 + c}].text"], showarrow=False,
                           xref=f"x{4 + c} domain", yref=f"y{4 + c} domain", x=0.5, y=1.18)
    steps = []
    for gi, a in enumerate(grid):
        d, t = step(gi)
        steps.append({"method": "update", "label": g(a, 3), "args": [d, t, list(range(6))]})
    fig.update_layout(
        height=780, margin=MARGIN, legend=dict(title="features"),
        sliders=[{"active": start, "steps": steps, "y": -0.06, "pad": {"t": 30},
                  "currentvalue": {"prefix": "alpha = "}}])
    for c in range(3):
        fig.update_xaxes(ALPHA_AXIS | {"title": "alpha"}, row=1, col=c + 1)
    multinomial = nums["models"]["l1"]["coef_full"].shape[0] > 1
    fig.update_yaxes(title_text="norm of its class weights" if multinomial else "weight",
                     row=1, col=1)
    return Section("paths", "2. Paths, with an alpha slider", fig,
                   _paths_caption(nums, coloured, grey, start))


def _range(Y):
    """(low, high) of the values in Y and 0: the extent of an alpha marker."""
    lo, hi = float(np.min(Y, initial=0.0)), float(np.max(Y, initial=0.0))
    return (lo, hi) if hi > lo else (-1.0, 1.0)


def _paths_caption(nums, coloured, grey, start):
    p, grid = len(nums["names"]), nums["grid"]
    n_zero = {k: int(np.sum(np.all(nums["models"][k]["path"]["W"][:, :, start] == 0, axis=0)))
              for k in KEYS}
    drawn = (f"all {p} features drawn" if len(coloured) + len(grey) == p else
             f"the {len(coloured)} largest weights in colour and the next {len(grey)} in grey, "
             f"of {p} features")
    return [f"At alpha {g(grid[start], 3)} (the step nearest L1's chosen "
            f"{g(nums['models']['l1']['alpha'], 3)}) L1 has {n_zero['l1']} of {p} "
            f"weights exactly zero, elastic net {n_zero['elasticnet']} and L2 "
            f"{n_zero['l2']}: L1's weights leave zero one by one as alpha falls.",
            f"Move the slider: one alpha for all three models, {len(grid)} steps from "
            f"{g(grid[0], 3)} to {g(grid[-1], 3)}; {drawn}."]


# ----------------------------------------------------------- 3. cross-validation

def one_se(cv):
    """(mean, standard error, index of the best alpha, index of the one-SE alpha)."""
    err = cv["errors"]
    mean, se = err.mean(axis=1), err.std(axis=1, ddof=1) / np.sqrt(err.shape[1])
    best = int(np.argmin(mean))
    # grids are decreasing: the first alpha within one SE of the best is the strongest
    within = np.flatnonzero(mean <= mean[best] + se[best])
    return mean, se, best, int(within[0])


def section_cv(nums):
    label = "CV log-loss" if nums["clf"] else "CV mean squared error"
    fig = make_subplots(rows=1, cols=3, subplot_titles=[SHORT[k] for k in KEYS],
                        horizontal_spacing=0.06)
    for c, key in enumerate(KEYS):
        m = nums["models"][key]
        cv = m["cv"]
        mean, se, best, ose = one_se(cv)
        x = cv["grid"]
        kw = dict(row=1, col=c + 1)
        fig.add_scatter(x=x, y=_short(mean + se), mode="lines", line=dict(width=0),
                        showlegend=False, hoverinfo="skip", **kw)
        fig.add_scatter(x=x, y=_short(mean - se), mode="lines", line=dict(width=0),
                        fill="tonexty", fillcolor="rgba(120,120,120,0.25)",
                        name="± one standard error", showlegend=c == 0, **kw)
        parts = (" (leave-one-out)" if key == "l2" and not nums["clf"] else
                 f" over {cv['errors'].shape[1]} folds")
        fig.add_scatter(x=x, y=_short(mean), mode="lines", line=dict(color=COLOUR[key]),
                        name=f"{SHORT[key]} mean{parts}", **kw)
        lo, hi = float(np.min(mean - se)), float(np.max(mean + se))
        for a, dash, what in ((x[best], "solid", "lowest CV error"),
                              (x[ose], "dash", "one-standard-error rule")):
            fig.add_scatter(x=[a, a], y=[lo, hi], mode="lines", showlegend=c == 0,
                            line=dict(color="black", dash=dash, width=1), name=what,
                            legendgroup=what, hovertemplate=f"{what}: alpha {g(a, 3)}"
                                                            "<extra></extra>", **kw)
        fig.update_xaxes(ALPHA_AXIS | {"title": "alpha"}, **kw)
    fig.update_yaxes(title_text=label, row=1, col=1)
    fig.update_layout(height=430, margin=MARGIN, legend=dict(orientation="h", y=-0.25))
    return Section("cv", "3. Cross-validation curves", fig, _cv_caption(nums))


def _cv_caption(nums):
    parts, ratios = [], []
    for key in KEYS:
        cv = nums["models"][key]["cv"]
        mean, se, best, ose = one_se(cv)
        parts.append(f"{SHORT[key]} {g(mean[best], 4)} ± {g(se[best], 3)} at alpha "
                     f"{g(cv['grid'][best], 3)}")
        ratios.append(f"{SHORT[key]} {g(cv['grid'][ose] / cv['grid'][best], 3)}x")
    how = ("log-loss over stratified folds" if nums["clf"] else
           f"mean squared error; L1 and elastic net over {nums['cv_folds']} folds, "
           "L2 leave-one-out")
    return [f"Lowest CV error ({how}): " + "; ".join(parts) + ".",
            "The one-standard-error rule takes the strongest alpha whose error is within "
            "one standard error of the lowest: " + ", ".join(ratios) +
            " the alpha of the lowest error."]


# ------------------------------------------------------------------- 4. geometry

def section_geometry(nums):
    geo, names = nums["geometry"], nums["names"]
    a, b = (names[j] for j in geo["features"])
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=[
        "L1: loss contours and the diamond |w_a| + |w_b| <= budget",
        "L2: loss contours and the circle sqrt(w_a^2 + w_b^2) <= budget"])
    theta = np.linspace(0, 2 * np.pi, 121)
    for c, key in enumerate(("l1", "l2")):
        m = geo["models"][key]
        t = m["ticks"]
        z = np.sqrt(np.maximum(m["loss"] - m["loss"].min(), 0))
        r = m["budget"]
        kw = dict(row=1, col=c + 1)
        fig.add_contour(x=_short(t), y=_short(t), z=np.round(z, 6), showscale=False,
                        contours_coloring="lines", ncontours=24, line_width=1,
                        colorscale="Viridis", name="sqrt(loss - its minimum)", **kw)
        sx, sy = (([r, 0, -r, 0, r], [0, r, 0, -r, 0]) if key == "l1" else
                  (r * np.cos(theta), r * np.sin(theta)))
        fig.add_scatter(x=_short(sx), y=_short(sy), fill="toself", mode="lines",
                        line=dict(color=COLOUR[key]), fillcolor="rgba(200,200,200,0.35)",
                        name=f"{SHORT[key]} budget {g(r, 3)}", **kw)
        fig.add_scatter(x=[m["w"][0]], y=[m["w"][1]], mode="markers",
                        marker=dict(symbol="star", size=16, color=COLOUR[key],
                                    line=dict(color="black", width=1)),
                        name=f"{SHORT[key]} solution ({g(m['w'][0], 3)}, {g(m['w'][1], 3)})",
                        **kw)
        fig.update_xaxes(title_text=f"weight of {a}", range=[t[0], t[-1]], zeroline=True,
                         constrain="domain", **kw)
        fig.update_yaxes(title_text=f"weight of {b}", range=[t[0], t[-1]], zeroline=True,
                         scaleanchor=f"x{c + 1}", **kw)
    fig.update_layout(height=520, margin=MARGIN, legend=dict(orientation="h", y=-0.2))
    return Section("geometry", "4. Geometry: the diamond and the circle", fig,
                   _geometry_caption(nums, a, b))


def _geometry_caption(nums, a, b):
    geo = nums["geometry"]
    l1, l2 = geo["models"]["l1"], geo["models"]["l2"]
    w1, w2 = l1["w"], l2["w"]
    zeros = [n for n, w in zip((a, b), w1) if w == 0]
    if len(zeros) == 2:
        where = "at the origin: the diamond has shrunk to a point, both weights are zero"
    elif zeros:
        where = f"on a corner of the diamond: {zeros[0]}'s weight is exactly zero"
    else:
        where = "on an edge of the diamond: both weights non-zero"
    others = "the other weights fixed at each model's solution"
    block = (" (class block of the largest weights)" if nums["clf"] else "")
    return [f"{a} and {b}, {others}{block}: L1's solution ({g(w1[0], 3)}, {g(w1[1], 3)}) "
            f"sits {where} (budget {g(l1['budget'], 3)}).",
            f"L2's solution ({g(w2[0], 3)}, {g(w2[1], 3)}) touches its circle (radius "
            f"{g(l2['budget'], 3)}) where a loss contour is tangent to it; a circle has no "
            "corners, so neither weight is exactly zero."
            if np.all(w2 != 0) else
            f"L2's solution ({g(w2[0], 3)}, {g(w2[1], 3)}) on its circle (radius "
            f"{g(l2['budget'], 3)}): a zero here comes from the data, not from a corner."]


# ---------------------------------------------------------------- 5. the update

def section_update(nums):
    ms = nums["models"]
    r = nums["l1_ratio"]
    a1, ae, a2 = (ms[k]["alpha"] for k in KEYS)
    span = 4 * max(a1, ae * r, 1e-12)
    z = np.linspace(-span, span, 241)
    maps = {"l1": np.sign(z) * np.maximum(np.abs(z) - a1, 0),
            "elasticnet": np.sign(z) * np.maximum(np.abs(z) - ae * r, 0) / (1 + ae * (1 - r)),
            "l2": z / (1 + a2)}
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=[
        "One coordinate update: new weight against the unpenalised one",
        "Training log: duality gap against the budget"])
    fig.add_scatter(x=_short(z), y=_short(z), mode="lines", name="no penalty",
                    line=dict(color="grey", dash="dot"), row=1, col=1)
    for key in KEYS:
        fig.add_scatter(x=_short(z), y=_short(maps[key]), mode="lines",
                        name=f"{SHORT[key]} at alpha {g(ms[key]['alpha'], 3)}",
                        line=dict(color=COLOUR[key], width=2), row=1, col=1)
    unit = "proximal Newton steps" if nums["clf"] else "epochs"
    for key in KEYS:
        rows = ms[key]["log"]
        x = [row["max_iter"] or 1 for row in rows]
        floor = 1e-16 * max(abs(rows[-1]["objective"]), 1e-300)   # a log axis: no zeros
        y = [max(row["gap"], floor) for row in rows]
        text = [f"objective {row['objective']:.8g}" for row in rows]
        fig.add_scatter(x=x, y=y, text=text, mode="lines+markers", showlegend=False,
                        name=SHORT[key], line=dict(color=COLOUR[key]), row=1, col=2,
                        hovertemplate="budget %{x}: gap %{y:.3g}, %{text}<extra>"
                                      + SHORT[key] + "</extra>")
    fig.update_xaxes(title_text="z: the weight with no penalty (feature of unit curvature)",
                     row=1, col=1)
    fig.update_yaxes(title_text="new weight", row=1, col=1)
    fig.update_xaxes(type="log", title_text=f"budget ({unit}, refitted from zero)", row=1,
                     col=2)
    fig.update_yaxes(type="log", title_text="duality gap", exponentformat="power", row=1,
                     col=2)
    fig.update_layout(height=460, margin=MARGIN, legend=dict(orientation="h", y=-0.22))
    return Section("update", "5. The update, seen", fig, _update_caption(nums, unit))


def _shrink(l2):
    """The L2 step w -> w / (1 + l2) as a percentage taken off (visible when tiny)."""
    return f"{100 * l2 / (1 + l2):.3g}%"


def _update_caption(nums, unit):
    ms, r = nums["models"], nums["l1_ratio"]
    a1, ae, a2 = (ms[k]["alpha"] for k in KEYS)
    logs = []
    for key in KEYS:
        last = ms[key]["log"][-1]
        spent = (f"{last.get('steps', last.get('epochs'))} {unit}"
                 if last["max_iter"] is not None else f"one {last.get('solver', 'direct')} solve")
        logs.append(f"{SHORT[key]} gap {last['gap']:.2g} after {spent}")
    return [f"L1 (alpha {g(a1, 3)}) sets every unpenalised weight within ±{g(a1, 3)} to "
            f"exactly zero and moves the others {g(a1, 3)} toward zero, a constant push; "
            f"L2 (alpha {g(a2, 3)}) shrinks every weight by {_shrink(a2)}, a "
            f"proportional pull that never reaches zero; elastic net thresholds at "
            f"{g(ae * r, 3)}, then shrinks by {_shrink(ae * (1 - r))}.",
            "Training logs (each fit refitted from zero with 1, 2, 4, ... "
            f"{unit}, as compare prints them): " + "; ".join(logs) + "."]


# ------------------------------------------------------------------ 6. stability

def section_stability(nums):
    st, names = nums["stability"], nums["names"]
    p, R = len(names), nums["resamples"]
    order = np.lexsort((-st["l2"]["topk_freq"], -st["elasticnet"]["freq"], -st["l1"]["freq"]))
    top = order[:min(p, STABILITY_BARS)]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.68, 0.32], horizontal_spacing=0.08,
                        subplot_titles=[
                            f"How often each feature is picked, over {R} halves of the rows",
                            "Ranking agreement between two halves"])
    x = [names[j] for j in top]
    for key, what in (("l1", "freq"), ("elasticnet", "freq"), ("l2", "topk_freq")):
        name = (f"{SHORT[key]}: non-zero" if what == "freq" else
                f"{SHORT[key]}: among the {st['top_k']} largest |weights|")
        fig.add_bar(x=x, y=_short(st[key][what][top]), name=name, marker_color=COLOUR[key],
                    row=1, col=1)
    for key in KEYS:
        rho = st[key]["spearman"]
        fig.add_box(y=_short(rho[np.isfinite(rho)]), name=SHORT[key], marker_color=COLOUR[key],
                    boxpoints=False, showlegend=False, row=1, col=2)
    fig.update_yaxes(title_text="fraction of halves", range=[0, 1.02], row=1, col=1)
    fig.update_yaxes(title_text="Spearman rank correlation of |weights|", row=1, col=2)
    fig.update_layout(height=480, margin=MARGIN, barmode="group",
                      legend=dict(orientation="h", y=-0.25))
    return Section("stability", "6. Stability, measured", fig, _stability_caption(nums),
                   _stability_tables(nums))


def _stability_caption(nums):
    st, p, R = nums["stability"], len(nums["names"]), nums["resamples"]
    f = st["l1"]["freq"]
    often, rarely = int(np.sum(f >= OFTEN)), int(np.sum((f > 0) & (f <= RARELY)))
    rho = {k: st[k]["spearman_mean"] for k in KEYS}
    kept = f"{st['l1']['n_selected_mean']:.{1 if st['l1']['n_selected_mean'] < 100 else 0}f}"
    verdict = ("L2's ranking is the more stable, as the guide says" if rho["l2"] > rho["l1"]
               else "here L1's ranking is at least as stable as L2's, against the guide")
    return [f"Over {R} random halves of the training rows at the chosen alphas, L1 picks "
            f"{often} features in at least {OFTEN:.0%} of them and {rarely} in at most "
            f"{RARELY:.0%}; it keeps {kept} on average, and two "
            f"halves share {g(st['l1']['jaccard_mean'], 2)} of their picks (Jaccard).",
            f"Ranking all {p} features by |weight|, two halves agree with Spearman "
            f"{g(rho['l1'], 2)} for L1, {g(rho['elasticnet'], 2)} for elastic net and "
            f"{g(rho['l2'], 2)} for L2: {verdict}."]


def _stability_tables(nums):
    st, names, coef = nums["stability"], nums["names"], nums["models"]["l1"]["coef"]
    f = st["l1"]["freq"]
    head = ("<tr><th>feature</th><th>L1 picks it</th><th>elastic net picks it</th>"
            f"<th>L2 ranks it in the top {st['top_k']}</th><th>L1 weight (all training rows)"
            "</th></tr>")

    def table(title, idx):
        rows = "".join(
            f"<tr><td>{escape(names[j])}</td><td>{f[j]:.0%}</td>"
            f"<td>{st['elasticnet']['freq'][j]:.0%}</td><td>{st['l2']['topk_freq'][j]:.0%}</td>"
            f"<td>{g(coef[j], 3)}</td></tr>" for j in idx[:TABLE_ROWS])
        more = f" (first {TABLE_ROWS} of {len(idx)})" if len(idx) > TABLE_ROWS else ""
        body = rows or '<tr><td colspan="5">none</td></tr>'
        return f"<table><caption>{title}{more}</caption>{head}{body}</table>"
    often = np.flatnonzero(f > RARELY)
    rarely = np.flatnonzero((f > 0) & (f <= RARELY))
    topk = st["l2"]["topk_freq"]
    return ('<div class="tables">'
            + table(f"Picked most often by L1 (in more than {RARELY:.0%} of the halves)",
                    often[np.argsort(-f[often], kind="stable")])
            # first the features L2 ranks high although L1 seldom picks them
            + table(f"Picked rarely by L1 (in at most {RARELY:.0%} of the halves, but at "
                    "least once), those L2 ranks highest first",
                    rarely[np.lexsort((f[rarely], -topk[rarely]))])
            + "</div>")


# -------------------------------------------------------------- 7. differences

GUIDE = {
    "sparsity (the guide)": ("exact zeros", "some exact zeros", "no zeros, only small"),
    "feature selection": ("yes: keeps a few", "yes, keeping correlated groups",
                          "no: keeps every feature"),
    "best use": ("few features matter; a short list", "groups of correlated features",
                 "many small effects, collinear features"),
}


def section_differences(nums):
    ms, st, p = nums["models"], nums["stability"], len(nums["names"])
    rows = {"weights non-zero": [f"{p - ms[k]['n_zero']} of {p}" for k in KEYS],
            "chosen alpha": [g(ms[k]["alpha"], 3) for k in KEYS]}
    for name, key in _score_rows(nums):
        rows[name] = ["-" if ms[k].get(key) is None else g(ms[k][key], 4) for k in KEYS]
    rows["fit time (s)"] = [g(ms[k]["fit_seconds"], 2) for k in KEYS]
    rows["ranking stability (Spearman)"] = [g(st[k]["spearman_mean"], 3) for k in KEYS]
    rows["selection overlap (Jaccard)"] = ["-" if st[k]["jaccard_mean"] is None else
                                           g(st[k]["jaccard_mean"], 3) for k in KEYS]
    rows.update(GUIDE)
    fig = go.Figure(go.Table(
        columnwidth=[1.4, 1, 1, 1],
        header=dict(values=["on this data"] + [SHORT[k] for k in KEYS], align="left",
                    fill_color="#e8e8e8", font=dict(size=14)),
        cells=dict(values=[list(rows)] + [[v[c] for v in rows.values()] for c in range(3)],
                   align="left", height=28, font=dict(size=13))))
    fig.update_layout(height=80 + 30 * len(rows), margin=dict(t=10, b=10))
    return Section("differences", "7. The differences, with this data's numbers", fig,
                   _differences_caption(nums))


def _score_rows(nums):
    if nums["clf"]:
        rows = [("accuracy training", "accuracy_train"), ("log-loss training", "log_loss_train")]
        if nums["split"]["n_test"]:
            rows += [("accuracy held-out", "accuracy_test"),
                     ("log-loss held-out", "log_loss_test")]
        return rows
    return [("R^2 training", "r2_train")] + (
        [("R^2 held-out", "r2_test")] if nums["split"]["n_test"] else [])


def _differences_caption(nums):
    ms, st, p = nums["models"], nums["stability"], len(nums["names"])
    metric = "accuracy" if nums["clf"] else "R^2"
    part = "held-out" if nums["split"]["n_test"] else "training"
    name = f"{metric} {part}"
    key = ("accuracy" if nums["clf"] else "r2") + ("_test" if nums["split"]["n_test"]
                                                   else "_train")
    return [f"On this data L1 keeps {p - ms['l1']['n_zero']} of {p} features, elastic net "
            f"{p - ms['elasticnet']['n_zero']} and L2 {p - ms['l2']['n_zero']}; {name}: "
            + ", ".join(f"{SHORT[k]} {g(ms[k][key], 3)}" for k in KEYS) + ".",
            "Fit times " + ", ".join(f"{SHORT[k]} {g(ms[k]['fit_seconds'], 2)} s" for k in KEYS)
            + "; ranking stability (Spearman) "
            + ", ".join(f"{SHORT[k]} {g(st[k]['spearman_mean'], 2)}" for k in KEYS) + "."]


SECTIONS = (section_overfitting, section_paths, section_cv, section_geometry,
            section_update, section_stability, section_differences)
