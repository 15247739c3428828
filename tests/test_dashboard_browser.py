"""The published asv dashboard, opened in headless Chromium.

Builds a small dashboard the way a user does: ``asv run`` of a few benchmarks
of the real suite on the shrunken problems (``REGFAST_BENCH_QUICK=1``, against
the regfast installed here, ``-E existing:same``) for HEAD, the same results
copied to the two commits before it (with a tenfold jump of a relative gap,
which the Regressions tab must flag, and 40 KiB more extra memory, which it
must not), ``asv publish`` with the repository's asv.conf.json, then
``benchmarks/asv_offline.py``.  The site is served on 127.0.0.1 (its pages load
JSON, which file:// forbids) and checked in the browser: no JavaScript errors,
the graph renders, the legend box is not opaque black, the log-scale tick
labels are plain text (no ``<sup>``), each axis label is drawn once, and
RidgeCV (a direct solve) has no iteration-count graph (it showed -1).

Skips with a message without asv, git history, Debian's JavaScript packages or
Chromium.  About 30 to 60 s, most of it ``asv run``.  Set
REGFAST_DASHBOARD_SCREENSHOT=FILE.png to keep a screenshot of the graph page.
"""

import functools
import http.server
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import types
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _browser import open_page  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
# a log-scale graph with a legend (two dtypes) and a memory track
SELECTED = r"\.Lasso\.(track_rel_gap|track_extra_memory)\('dense_wide'"
GAP = "bench_linear_model.Lasso.track_rel_gap"
MEMORY = "bench_linear_model.Lasso.track_extra_memory"


def _asv_offline():
    spec = importlib.util.spec_from_file_location("asv_offline", BENCH / "asv_offline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(cmd, env, cwd):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}{proc.stderr}"
    return proc.stdout


def _git(*args):
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=60).stdout.split()


def _copy_results(results_dir, commits):
    """Copy HEAD's result file to older commits; older: 10x smaller gap, 40 KiB less memory.

    Returns the result values of HEAD by benchmark name.
    """
    (head_file,) = [f for f in results_dir.glob("*/*.json") if f.name != "machine.json"]
    head = json.loads(head_file.read_text())
    column = head["result_columns"].index("result")
    for commit in commits[1:]:
        old = json.loads(head_file.read_text())
        old["commit_hash"] = commit
        old["date"] = int(_git("show", "-s", "--format=%ct", commit)[0]) * 1000
        for name, values in old["results"].items():
            factor, shift = {GAP: (0.1, 0.0), MEMORY: (1.0, -40 / 1024)}.get(name, (1, 0))
            values[column] = [v if v is None else v * factor + shift
                              for v in values[column]]
        old_file = head_file.parent / head_file.name.replace(commits[0][:8], commit[:8])
        old_file.write_text(json.dumps(old))
    return {name: values[column] for name, values in head["results"].items()}


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """(base URL of the served site, html dir, HEAD's results) of a 3-commit dashboard."""
    asv_bin = shutil.which("asv")
    if asv_bin is None or importlib.util.find_spec("asv") is None:
        pytest.skip("dashboard test needs asv: pip install 'asv>=0.6'")
    import asv.util
    offline = _asv_offline()
    if offline.missing():
        pytest.skip(f"dashboard test needs Debian's JavaScript packages for "
                    f"asv_offline.py: apt-get install -y {offline.PACKAGES}")
    # first-parent: asv places only the branch's own commits (not a merged branch's)
    commits = _git("rev-list", "--first-parent", "--max-count=3", "HEAD")
    if len(commits) < 3:
        pytest.skip("dashboard test needs a git checkout with 3 commits of history")
    tmp = tmp_path_factory.mktemp("asv")
    conf = asv.util.load_json(BENCH / "asv.conf.json", js_comments=True)
    conf.update(repo=str(REPO), branches=["HEAD"], dvcs="git",
                benchmark_dir=str(BENCH / "benchmarks"), env_dir=str(tmp / "env"),
                results_dir=str(tmp / "results"), html_dir=str(tmp / "html"))
    (tmp / "asv.conf.json").write_text(json.dumps(conf))
    env = {**os.environ, "HOME": str(tmp), "REGFAST_BENCH_QUICK": "1",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    _run([asv_bin, "machine", "--yes", "--machine", "dashboard-test"], env, tmp)
    _run([asv_bin, "run", "-E", "existing:same", "--quick", "--set-commit-hash", commits[0],
          "-b", SELECTED], env, tmp)
    head = _copy_results(tmp / "results", commits)
    _run([asv_bin, "publish"], env, tmp)
    offline.localize(tmp / "html")
    handler = functools.partial(_QuietHandler, directory=str(tmp / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp / "html", head
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _graph_page(page, timeout=30):
    """Wait until the graph of the current page has been drawn; returns what it shows."""
    drawn = page.wait_for("document.querySelector('#main-graph canvas.flot-base') !== null "
                          "&& document.querySelectorAll('#main-graph .flot-tick-label, "
                          "#main-graph .tickLabel, #main-graph text').length > 0", timeout)
    assert drawn, "the graph was not drawn"
    return page.evaluate("""(() => {
        const graph = document.querySelector('#main-graph');
        const texts = Array.from(graph.querySelectorAll('text, .tickLabel, .axisLabels'))
            .map(e => e.textContent.trim()).filter(t => t);
        const rect = graph.querySelector('.legendLayer .background');
        const style = rect && getComputedStyle(rect);
        const canvas = graph.querySelector('canvas.flot-base');
        const ctx = canvas.getContext('2d');
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;     // coloured pixels: the series (frame and grid are grey)
        for (let i = 0; i < px.length; i += 4) {
            const r = px[i], g = px[i + 1], b = px[i + 2];
            if (px[i + 3] > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) inked++;
        }
        return {texts: texts, inked: inked,
                axisLabelPlugins: $.plot.plugins.filter(p => p.name === 'axisLabels').length,
                legend: style && {fill: style.fill, fillOpacity: style.fillOpacity,
                                  opacity: style.opacity},
                legendLabels: Array.from(graph.querySelectorAll('.legendLayer text'))
                    .map(e => e.textContent)};
    })()""")


def test_graph_page_is_readable(dashboard):
    base, html, _ = dashboard
    shot = os.environ.get("REGFAST_DASHBOARD_SCREENSHOT")
    with open_page(f"{base}/#{GAP}?y-axis-scale=log", width=1400, height=900) as page:
        shown = _graph_page(page)
        if shot:
            page.wait_for("false", timeout=1)              # let the last frame paint
            page.screenshot(shot)
        assert not page.errors, page.errors
    assert shown["inked"] > 300, "no series drawn on the graph's canvas"
    # the legend: both dtypes named, on a box that is not opaque black
    labels = shown["legendLabels"]
    assert any("float64" in t for t in labels) and any("float32" in t for t in labels), labels
    legend = shown["legend"]
    assert legend is not None
    opaque_black = legend["fill"] in ("rgb(0, 0, 0)", "#000000") and \
        float(legend["fillOpacity"]) * float(legend["opacity"]) > 0.5
    assert not opaque_black, legend
    # log-scale tick labels: plain text such as 10⁻⁶, never the markup
    assert not any("<sup>" in t or "</sup>" in t for t in shown["texts"]), shown["texts"]
    assert any(t.startswith("10\u207b") for t in shown["texts"]), shown["texts"]
    # each axis label once: asv's axis-label plugin (for flot 0.8, drawing on the
    # canvas) and flot 4's own drew each label twice
    assert shown["axisLabelPlugins"] == 1
    assert shown["texts"].count("relative gap") == 1, shown["texts"]
    assert shown["texts"].count("commit date") + shown["texts"].count("commits") == 1, \
        shown["texts"]


def test_index_renders_without_errors(dashboard):
    base, _, _ = dashboard
    with open_page(f"{base}/", width=1400, height=900) as page:
        n = page.wait_for("document.querySelectorAll('.benchmark-container, "
                          ".benchmark-text').length")
        assert n and n >= 3, "the summary grid lists no benchmarks"
        assert not page.errors, page.errors


def test_direct_solve_has_no_iteration_count(dashboard):
    """RidgeCV is one direct solve: no track_n_iter graph (it recorded -1)."""
    _, html, _ = dashboard
    benchmarks = json.loads((html / "index.json").read_text())["benchmarks"]
    assert "bench_linear_model.RidgeCV.track_n_iter" not in benchmarks
    assert "bench_linear_model.RidgeCV.track_rel_gap" in benchmarks
    assert "bench_linear_model.Ridge.track_n_iter" in benchmarks


def test_track_n_iter_of_a_fit_without_iterations_is_nan():
    """A fit that reports no iterations (n_iter -1) records NaN: asv's n/a, no point."""
    sys.path.insert(0, str(BENCH))
    try:
        from benchmarks.suite import _TaskBenchmark
    finally:
        sys.path.remove(str(BENCH))
    bench = _TaskBenchmark()
    for n_iter, expected in [(-1, None), (0, 0), (37, 37)]:
        bench.fit = lambda: types.SimpleNamespace(n_iter=n_iter)
        value = bench.track_n_iter()
        assert math.isnan(value) if expected is None else value == expected


def test_regressions_flag_the_gap_but_not_memory_noise(dashboard):
    """The Regressions tab lists the tenfold gap, not the 40 KiB of extra memory."""
    base, html, head = dashboard
    # measured, and at least suite.MEMORY_FLOOR_MIB (below it the figure is noise)
    memory = [v for v in head[MEMORY] if v is not None and not math.isnan(v)]
    assert memory and min(memory) >= 1.0, head[MEMORY]
    regressions = json.loads((html / "regressions.json").read_text())["regressions"]
    names = {r[0] for r in regressions}
    assert any(n.startswith(GAP) for n in names), names
    assert not any(n.startswith(MEMORY) for n in names), names
    with open_page(f"{base}/#regressions", width=1400, height=900) as page:
        text = page.wait_for("(() => { const t = document.querySelector("
                             "'#regressions-body table, .regressions-table, table');"
                             " return t && t.innerText.includes('track_rel_gap') && "
                             "t.innerText; })()")
        assert text and "track_extra_memory" not in text
        assert not page.errors, page.errors
