"""The path plot: L1, elastic net and L2 side by side (matplotlib, Agg backend)."""

import os

import numpy as np

from ._data import UsageError
from ._files import atomic_write

INSTALL = "the plot needs matplotlib: pip install 'regfast[plot]' (or pip install matplotlib)"
N_LABELLED = 10
# 14 x 5 inches at 150 dpi: 2100 x 750 pixels, sharp when shown at half size in a README;
# fonts sized for that (the 80-dpi plot's 7-point legend was unreadable)
FIGSIZE, DPI = (14, 5), 150
FONT = {"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "legend.fontsize": 10}


def plot_paths(out, filename, inputs=()):
    """Write the three regularisation paths to filename (PNG or any matplotlib format).

    Classification paths have one curve per feature too: its weight (two
    classes) or the L2 norm of its class weights (more), against alpha = 1/(C n).
    The file is written atomically and never over one of `inputs`.
    """
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        raise UsageError(INSTALL) from None
    models = out["models"]
    # the same colour for a feature in every panel; legend for the largest ones
    W = np.array([np.abs(np.array(m["coefs"])).max(axis=1) for m in models]).max(axis=0)
    labelled = set(np.argsort(-W, kind="stable")[:N_LABELLED])
    cmap = plt.get_cmap("tab10")
    fmt = os.path.splitext(filename)[1].lstrip(".").lower() or "png"
    if fmt not in FigureCanvasBase.get_supported_filetypes():
        raise UsageError(f"{filename}: cannot write the plot (unknown image format {fmt!r}; "
                         "use .png, .svg or .pdf)")
    with plt.rc_context(FONT):
        fig, axes = plt.subplots(1, len(models), figsize=FIGSIZE, sharey=True)
        _draw(fig, axes, out, W, labelled, cmap)
    try:
        atomic_write(filename, lambda fh: fig.savefig(fh, format=fmt, dpi=DPI),
                     mode="wb", inputs=inputs)
    except ValueError as exc:
        raise UsageError(f"{filename}: cannot write the plot ({exc})") from None
    finally:
        plt.close(fig)


def _draw(fig, axes, out, W, labelled, cmap):
    """The three panels, the shared legend and the title."""
    names = out["feature_names"]
    models = out["models"]
    for ax, m in zip(axes, models):
        alphas = np.array(m["alphas"])
        coefs = np.array(m["coefs"])
        rank = 0
        for j in np.argsort(-W, kind="stable"):
            lab = j in labelled
            ax.plot(alphas, coefs[j], lw=1.4 if lab else 0.6,
                    color=cmap(rank % 10) if lab else "0.7",
                    label=names[j] if lab else None, zorder=2 if lab else 1)
            rank += lab
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.axvline(m["alpha"], color="k", ls="--", lw=1)
        ax.axhline(0, color="k", lw=0.5)
        how = "CV" if m["chosen_by"].startswith("cross") else m["chosen_by"]
        near = int(np.argmin(np.abs(np.log(alphas) - np.log(m["alpha"]))))  # grid point
        ax.set_title(f"{m['label']}\n{how} alpha = {m['alpha']:.3g}, "
                     f"{np.count_nonzero(coefs[:, near])} non-zero")
        if m.get("C") is not None:                      # logistic: glmnet's alpha
            unit = "alpha = 1/(C n)"
        else:
            unit = "alpha (Ridge's alpha = n * alpha)" if m["l1_ratio"] == 0 else "alpha"
        ax.set_xlabel(f"{unit}, log scale, strong -> weak")
        ax.grid(alpha=0.3)
    what = ("weight" if len(out.get("task", {}).get("classes", ())) <= 2
            else "L2 norm of the class weights")
    axes[0].set_ylabel(what + (" (standardized features)" if out["data"]["standardized"]
                               else ""))
    axes[-1].legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.suptitle(f"Regularization paths: {out['data']['name']}", fontsize=12)
    fig.tight_layout()
