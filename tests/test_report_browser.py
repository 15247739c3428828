"""`regfast report` opened in a real browser (headless Chromium over DevTools).

The page must load without a JavaScript error, every section must have drawn
its chart, and moving the alpha slider (a real mouse click on its rail) must
change the weights shown.  Skips with a message where Chromium or
websocket-client is missing (see tests/_browser.py).
"""

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("plotly", reason='regfast report needs plotly: pip install "regfast[report]"')

sys.path.insert(0, str(Path(__file__).parent))     # --import-mode=importlib: not on sys.path
from _browser import open_page, require_browser  # noqa: E402

from regfast.cli import main  # noqa: E402

# Per plotted div: its id, how many traces it holds, and how many it drew
# (plotly draws a scatter, bar or box as a `.trace` group, a table as `.table`).
CHARTS = """[...document.querySelectorAll('section')].map(s => {
    const gd = s.querySelector('.js-plotly-plot');
    return gd ? [s.id, (gd.data || []).length,
                 gd.querySelectorAll('.trace, .table').length] : [s.id, 0, 0];
})"""
BARS = """(() => { const gd = document.getElementById('fig-paths');
    return {l1: gd.data[0].y, l2: gd.data[2].y, active: gd._fullLayout.sliders[0].active,
            title: gd._fullLayout.annotations[3].text}; })()"""


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    require_browser()
    path = tmp_path_factory.mktemp("browser") / "report.html"
    assert main(["report", "-o", str(path), "--resamples", "5", "-q"]) == 0
    return path


def test_report_renders_without_errors_and_slider_moves_weights(page_file):
    with open_page(page_file, width=1200, height=900) as page:
        page.wait_for("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 7")
        charts = page.evaluate(CHARTS)
        assert [c[0] for c in charts] == ["overfitting", "paths", "cv", "geometry", "update",
                                          "stability", "differences"]
        for key, n_traces, drawn in charts:
            assert n_traces > 0 and drawn > 0, f"section {key} drew no chart"

        before = page.evaluate(BARS)
        # click the slider rail near its left end: the strongest penalties
        rail = page.evaluate("""(() => {
            const r = document.querySelector('#fig-paths .slider-rail-rect');
            r.scrollIntoView({block: 'center'});
            const b = r.getBoundingClientRect();
            return [b.left, b.top, b.width, b.height]; })()""")
        page.click(rail[0] + 0.1 * rail[2], rail[1] + rail[3] / 2)
        # the slider moves first, then plotly redraws the traces (asynchronously)
        page.wait_for(f"(() => {{ const b = {BARS}; return b.active != {before['active']}"
                      f" && JSON.stringify(b.l1) != JSON.stringify({json.dumps(before['l1'])});"
                      " })()", timeout=10)
        after = page.evaluate(BARS)
        assert after["active"] < before["active"]
        assert after["l1"] != before["l1"] and after["l2"] != before["l2"]
        # a stronger penalty: L1 has at least as many exact zeros as before
        assert sum(w == 0 for w in after["l1"]) >= sum(w == 0 for w in before["l1"])
        assert after["title"] != before["title"] and "exactly zero" in after["title"]
        assert page.errors == [], page.errors
