"""``regfast report``: the L1-against-L2 story on the user's data, as one HTML page.

Seven sections, each a plotly chart with a two-line caption computed from the
data: overfitting against alpha, the three paths under one alpha slider,
cross-validation curves, the geometry of the diamond and the circle, the
update maps with the training logs, stability selection over random halves
of the rows, and the table of differences.

Modules: `_numbers` fits (through `regfast.cli._fitting`, the layer `compare`
uses), `_stability` refits on the halves, `_figures` draws, `_page` assembles.
plotly is the optional extra ``regfast[report]``; it is imported only when
the command runs, never at ``import regfast`` or ``import regfast.cli``.
"""

import os
import time

from ..cli._data import UsageError
from ..cli._files import atomic_write, check_output
from ..cli._progress import Progress
from ..cli._report import SHORT

INSTALL = 'regfast report needs plotly: pip install "regfast[report]"'


def report(args):
    """Compute, draw and write the report for parsed command-line `args`; a summary dict.

    The summary (printed as one line, or as JSON with --json) has the output
    path, its size in bytes, the seconds taken, and per model the chosen
    alpha, the non-zero count and the stability figures.
    """
    try:
        import plotly  # noqa: F401  (only to say how to get it)
    except ImportError:
        raise UsageError(INSTALL) from None
    from ._figures import SECTIONS
    from ._numbers import compute, n_stages
    from ._page import render
    check_output(args.output, [args.data])        # refuse before the work, not after
    t0 = time.perf_counter()
    with Progress(n_stages(args) + 2, enabled=not (args.quiet or args.json)) as bar:
        nums = compute(args, bar)
        bar.step("drawing")
        sections = [make(nums) for make in SECTIONS]
        bar.step("writing " + os.path.basename(args.output))
        html = render(nums, sections)
        atomic_write(args.output, lambda fh: fh.write(html), inputs=[args.data])
    seconds = time.perf_counter() - t0
    size = os.path.getsize(args.output)
    st, p = nums["stability"], len(nums["names"])
    models = [{"key": k, "label": m["label"], "alpha": m["alpha"], "chosen_by": m["chosen_by"],
               "n_nonzero": p - m["n_zero"], "fit_seconds": m["fit_seconds"],
               "selection_frequency_max": float(st[k]["freq"].max()),
               "spearman_mean": st[k]["spearman_mean"], "jaccard_mean": st[k]["jaccard_mean"]}
              for k, m in nums["models"].items()]
    kept = ", ".join(f"{SHORT[m['key']]} {m['n_nonzero']}" for m in models)
    text = (f"wrote {args.output} ({size / 1e6:.1f} MB, {len(sections)} sections) in "
            f"{seconds:.1f} s: {nums['data']['name']}, {nums['data']['n_samples']} x {p}; "
            f"non-zero weights {kept}")
    return {"command": "report", "output": os.path.abspath(args.output), "bytes": size,
            "seconds": seconds, "data": nums["data"], "task": nums["task"],
            "split": nums["split"], "resamples": nums["resamples"],
            "geometry_features": [nums["names"][j] for j in nums["features"]],
            "models": models, "text": text}
