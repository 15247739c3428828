"""The page: the sections' figures and captions in one self-contained HTML file.

plotly.js is embedded once, in the first figure's block (`include_plotlyjs`
True there, False after), so the file opens offline and holds no CDN link.
"""

from html import escape

from .. import __version__

CONFIG = {"displaylogo": False, "responsive": True}
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 0 auto; padding: 0 16px;
       color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin: 1.6em 0 0.3em; border-bottom: 1px solid #ddd; }
.meta { color: #555; margin: 0.2em 0; }
nav a { margin-right: 1em; }
.caption { margin: 0.3em 0 0; line-height: 1.45; }
.tables { display: flex; flex-wrap: wrap; gap: 24px; margin-top: 12px; }
table { border-collapse: collapse; font-size: 0.9em; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 8px; text-align: left; }
"""


def header(nums):
    """Title, what was fitted, and links to the sections."""
    d, s, t = nums["data"], nums["split"], nums["task"]
    kind = ("classification, logistic models" if nums["clf"] else
            "regression: Lasso, elastic net and Ridge")
    held = (f"{s['n_test']} rows held out (--test-size {s['test_size']:g}, --seed {s['seed']})"
            if s["n_test"] else "no rows held out (--test-size 0)")
    strength = "; ".join(f"{m['label']}: alpha {m['alpha']:.4g} by {m['chosen_by']}"
                         for m in nums["models"].values())
    return (f"<h1>L1 against L2 on {escape(d['name'])}</h1>"
            f"<p class=meta>{d['n_samples']} samples x {d['n_features']} features "
            f"({d['storage']}); {escape(kind)} ({escape(t['how'])}); fitted on "
            f"{s['n_train']} rows, {held}; {escape(d['standardize_note'])}.</p>"
            f"<p class=meta>{escape(strength)}.</p>")


def render(nums, sections):
    """The whole HTML page as a string."""
    nav = "".join(f'<a href="#{s.key}">{escape(s.title)}</a>' for s in sections)
    body = []
    for i, s in enumerate(sections):
        chart = s.fig.to_html(full_html=False, include_plotlyjs=i == 0, div_id=f"fig-{s.key}",
                              config=CONFIG)
        caption = "<br>".join(escape(line) for line in s.caption)
        body.append(f'<section id="{s.key}"><h2>{escape(s.title)}</h2>{chart}'
                    f'<p class="caption">{caption}</p>{s.extra_html}</section>')
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            f"<title>regfast report: {escape(nums['data']['name'])}</title>"
            f"<style>{STYLE}</style></head><body>{header(nums)}<nav>{nav}</nav>"
            + "".join(body) +
            f"<p class=meta>Made by <code>regfast report</code> {__version__}.</p>"
            "</body></html>\n")
