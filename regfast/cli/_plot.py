"""The path plot: L1, elastic net and L2 side by side (matplotlib, Agg backend)."""

import numpy as np

from ._data import UsageError

INSTALL = "the plot needs matplotlib: pip install 'regfast[plot]' (or pip install matplotlib)"
N_LABELLED = 10


def plot_paths(out, filename):
    """Write the three regularisation paths to filename (PNG or any matplotlib format).

    Classification paths have one curve per feature too: its weight (two
    classes) or the L2 norm of its class weights (more), against alpha = 1/(C n).
    """
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError(INSTALL) from None
    names = out["feature_names"]
    models = out["models"]
    # the same colour for a feature in every panel; legend for the largest ones
    W = np.array([np.abs(np.array(m["coefs"])).max(axis=1) for m in models]).max(axis=0)
    labelled = set(np.argsort(-W, kind="stable")[:N_LABELLED])
    cmap = plt.get_cmap("tab10")
    fig, axes = plt.subplots(1, len(models), figsize=(13, 4.2), sharey=True)
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
                     f"{np.count_nonzero(coefs[:, near])} non-zero", fontsize=10)
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
    axes[-1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.suptitle(f"Regularization paths: {out['data']['name']}", fontsize=11)
    fig.tight_layout()
    try:
        fig.savefig(filename, dpi=80)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{filename}: cannot write the plot ({exc})") from None
    finally:
        plt.close(fig)
