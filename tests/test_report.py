"""`regfast report`: its numbers against direct fits, and the file it writes.

The report's fits go through the command line's fitting layer; here the
weights behind the slider are checked against regfast and scikit-learn fits
made directly at the slider's alpha, the cross-validated alphas against
`compare`'s, and the stability frequencies against their definition.  The
page itself is checked for being self-contained (plotly.js embedded once, no
script fetched from the network).  The browser test is test_report_browser.py.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import Lasso as SkLasso
from sklearn.linear_model import Ridge as SkRidge

pytest.importorskip("plotly", reason='regfast report needs plotly: pip install "regfast[report]"')

from regfast import Lasso, LogisticRegression  # noqa: E402
from regfast.cli import build_parser, main  # noqa: E402
from regfast.cli._commands import split_rows  # noqa: E402
from regfast.cli._data import load_breast_cancer_data, load_diabetes_data  # noqa: E402
from regfast.cli._fitting import objective  # noqa: E402
from regfast.cli._progress import Progress  # noqa: E402
from regfast.report._figures import SECTIONS, section_paths, shown_features  # noqa: E402
from regfast.report._numbers import compute  # noqa: E402

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
RESAMPLES = 12          # enough to test the statistics, few enough to be quick


def numbers(*argv):
    """compute() for `regfast report ARGV`, and the parsed args."""
    args = build_parser().parse_args(["report", *argv, "-q"])
    return compute(args, Progress(1, enabled=False)), args


def training_rows(args, data, clf=False):
    """The standardised training rows the report fitted on (compare's split)."""
    Xtr, _, ytr, _ = split_rows(args, data, clf)
    return Xtr, ytr


@pytest.fixture(scope="module")
def diabetes():
    return numbers("--resamples", str(RESAMPLES))


@pytest.fixture(scope="module")
def diabetes_page(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "diabetes.html"
    assert main(["report", "-o", str(path), "--resamples", "5", "-q"]) == 0
    return path


def test_slider_weights_are_direct_fits_at_that_alpha(diabetes):
    """Each slider step shows the weights of a Lasso / Ridge fitted at its alpha.

    The path is solved to compare's tolerance (duality gap below 1e-4 of
    |y_c|^2 / n), so it is held to that on the objective, and to a tight but
    not exact match on the weights (s1 and s2 of diabetes are collinear).
    """
    nums, args = diabetes
    Xtr, ytr = training_rows(args, load_diabetes_data())
    n = len(ytr)
    yc = ytr - ytr.mean()
    steps = section_paths(nums).fig.layout.sliders[0].steps
    coloured, _ = shown_features(nums)
    for g in (5, len(nums["grid"]) // 2, len(nums["grid"]) - 3):
        alpha = nums["grid"][g]
        assert steps[g].label == f"{alpha:.3g}"
        shown_l1, _, shown_l2 = steps[g].args[0]["y"][:3]
        path_l1 = nums["models"]["l1"]["path"]["W"][0][:, g]
        # the page shows the path's weights, to 4 significant digits
        np.testing.assert_allclose(shown_l1, path_l1[coloured], rtol=1e-3, atol=1e-12)
        ours = Lasso(alpha=alpha, tol=1e-10, max_iter=100000).fit(Xtr, ytr).coef_
        sk = SkLasso(alpha=alpha, tol=1e-10, max_iter=100000).fit(Xtr, ytr).coef_
        scale = np.abs(sk).max() + 1e-12
        np.testing.assert_allclose(ours, sk, atol=1e-6 * scale)
        assert objective(Xtr, ytr, path_l1, alpha, 1.0) - objective(Xtr, ytr, sk, alpha, 1.0) \
            <= 1e-4 * (yc @ yc) / n
        np.testing.assert_allclose(path_l1, sk, atol=3e-3 * scale)
        assert np.array_equal(path_l1 == 0, sk == 0)
        ridge = SkRidge(alpha=n * alpha).fit(Xtr, ytr).coef_
        np.testing.assert_allclose(shown_l2, ridge[coloured], rtol=1e-3,
                                   atol=1e-4 * np.abs(ridge).max())


def test_held_out_scores_match_compare(diabetes, capsys):
    """Same split, same CV, same fits as `regfast compare`: the same alphas and R^2."""
    nums, _ = diabetes
    assert main(["compare", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for m in out["models"]:
        ours = nums["models"][m["key"]]
        assert ours["alpha"] == pytest.approx(m["alpha"], rel=1e-12)
        assert ours["r2_test"] == pytest.approx(m["r2_test"], rel=1e-9)
        assert ours["n_zero"] == m["n_zero"]


def test_stability_frequencies_are_fractions_over_resamples(diabetes):
    nums, _ = diabetes
    st, p = nums["stability"], len(nums["names"])
    for key in ("l1", "elasticnet", "l2"):
        counts = st[key]["freq"] * RESAMPLES
        np.testing.assert_allclose(counts, np.round(counts), atol=1e-9)
        assert st[key]["freq"].shape == (p,)
        assert np.all((0 <= st[key]["topk_freq"]) & (st[key]["topk_freq"] <= 1))
        assert len(st[key]["spearman"]) <= RESAMPLES * (RESAMPLES - 1) // 2
        assert -1 <= st[key]["spearman_mean"] <= 1
    assert np.all(st["l2"]["freq"] == 1)                # L2 keeps every feature
    assert st["l2"]["jaccard_mean"] is None
    # L1 keeps on average as many features as its top-k question asks of the others
    assert st["top_k"] == max(1, round(st["l1"]["n_selected_mean"]))
    assert np.sum(st["l1"]["topk_freq"]) == pytest.approx(st["top_k"])


def test_geometry_solution_is_on_its_budget(diabetes):
    """L1's point lies on its diamond, L2's on its circle, and the loss grid is the
    squared loss of the training rows with the other weights fixed."""
    nums, args = diabetes
    geo = nums["geometry"]
    a, b = geo["features"]
    l1, l2 = geo["models"]["l1"], geo["models"]["l2"]
    assert np.abs(l1["w"]).sum() == pytest.approx(l1["budget"])
    assert np.hypot(*l2["w"]) == pytest.approx(l2["budget"])
    np.testing.assert_array_equal(l1["w"], nums["models"]["l1"]["coef"][[a, b]])
    # the two largest |L1 weights| by default
    assert set(np.argsort(-np.abs(nums["models"]["l1"]["coef"]))[:2]) == {a, b}
    # the loss at the solution is the loss of the fitted model (centred: free intercept)
    Xtr, ytr = training_rows(args, load_diabetes_data())
    w = nums["models"]["l1"]["coef"]
    r = (ytr - ytr.mean()) - (Xtr - Xtr.mean(axis=0)) @ w
    t = l1["ticks"]
    i, j = np.argmin(np.abs(t - w[b])), np.argmin(np.abs(t - w[a]))
    Xab = Xtr[:, [a, b]] - Xtr[:, [a, b]].mean(axis=0)
    shift = Xab @ (np.array([t[j], t[i]]) - w[[a, b]])
    assert l1["loss"][i, j] == pytest.approx(np.sum((r - shift) ** 2) / (2 * len(ytr)))


def test_every_section_has_a_figure_and_a_two_line_caption(diabetes):
    nums, _ = diabetes
    sections = [make(nums) for make in SECTIONS]
    assert len(sections) == 7
    for s in sections:
        assert len(s.fig.data) > 0, s.key
        assert len(s.caption) == 2 and all(len(line) > 20 for line in s.caption), s.key
    # captions carry this data's numbers, e.g. L1's count of non-zero weights
    p = len(nums["names"])
    kept = p - nums["models"]["l1"]["n_zero"]
    assert f"L1 keeps {kept} of {p}" in sections[-1].caption[0]


def test_page_is_self_contained(diabetes_page):
    html = diabetes_page.read_text()
    assert html.count('class="plotly-graph-div"') == 7
    # plotly.js once, inline: its licence banner, and no <script src=...> at all
    assert html.count("* plotly.js v") == 1
    assert "<script src=" not in html.replace(" ", "")
    assert 'src="http' not in html and "src='http" not in html
    assert diabetes_page.stat().st_size < 10e6


def test_classification_paths_are_logistic_fits(tmp_path):
    """Breast cancer with --task classification: the L1 path at a slider alpha is
    LogisticRegression at C = 1/(alpha n); the scores are log-loss and accuracy."""
    nums, args = numbers("--task", "classification", "--resamples", "4")
    assert nums["clf"]
    Xtr, ytr = training_rows(args, load_breast_cancer_data(), clf=True)
    n = len(ytr)
    g = len(nums["grid"]) // 2
    alpha = nums["grid"][g]
    direct = LogisticRegression(C=1 / (alpha * n), l1_ratio=1.0, tol=1e-10,
                                max_iter=1000).fit(Xtr, ytr).coef_[0]
    path = nums["models"]["l1"]["path"]
    np.testing.assert_allclose(path["W"][0][:, g], direct, atol=1e-3 * np.abs(direct).max())
    assert set(path["train"]) == {"log_loss", "accuracy"}
    assert 0.5 < path["test"]["accuracy"][g] <= 1
    for make in SECTIONS:
        make(nums)


def test_cli_writes_atomically_and_summarises(tmp_path, capsys):
    out = tmp_path / "r.html"
    out.write_text("old")
    assert main(["report", "-o", str(out), "--resamples", "3", "--json",
                 "--features", "bmi,s5"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["bytes"] == out.stat().st_size and out.read_text().startswith("<!DOCTYPE")
    assert summary["geometry_features"] == ["bmi", "s5"]
    assert [m["key"] for m in summary["models"]] == ["l1", "elasticnet", "l2"]
    assert not list(tmp_path.glob(".r.html.*"))        # no temporary file left behind


def test_feature_names_option(tmp_path, capsys):
    csv = tmp_path / "d.csv"
    rng = np.random.RandomState(0)
    X = rng.randn(80, 4)
    y = X @ [1.0, 0.0, -2.0, 0.5] + 0.1 * rng.randn(80)
    np.savetxt(csv, np.column_stack([X, y]), delimiter=",", header="a,b,c,d,y", comments="")
    names = tmp_path / "names.txt"
    names.write_text("w\nx\ny\nz\n")
    assert main(["report", str(csv), "-o", str(tmp_path / "r.html"), "--resamples", "3",
                 "--feature-names", str(names), "--features", "z,1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["geometry_features"] == ["z", "x"]


@pytest.mark.parametrize("argv, message", [
    (["--resamples", "1"], "--resamples must be at least 2"),
    (["--n-jobs", "0"], "--n-jobs must be at least 1"),
    (["--features", "bmi"], "--features needs two different features"),
    (["--features", "bmi,nope"], "--features: no feature 'nope'"),
    (["--feature-names", "a,b"], "--feature-names gives 2 names for 10 features"),
    (["--test-size", "1.5"], "--test-size must be in [0, 1)"),
])
def test_bad_options_exit_2(argv, message, tmp_path, capsys):
    assert main(["report", "-o", str(tmp_path / "r.html"), "-q", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_refuses_to_overwrite_its_input(tmp_path, capsys):
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,y\n1,2,3\n2,1,4\n3,5,1\n4,4,4\n5,1,2\n6,3,3\n7,2,5\n8,8,1\n")
    before = csv.read_text()
    assert main(["report", str(csv), "-o", str(csv)]) == 2
    assert "refusing to overwrite the input file" in capsys.readouterr().err
    assert csv.read_text() == before


def test_without_plotly_one_line_and_exit_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "plotly", None)      # import plotly -> ImportError
    assert main(["report", "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert 'pip install "regfast[report]"' in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r.html").exists()


def test_plotly_is_not_imported_by_regfast_or_its_cli():
    code = ("import sys, regfast, regfast.cli; regfast.cli.build_parser(); "
            "print(any(m.split('.')[0] == 'plotly' for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd="/", check=True).stdout
    assert out.strip() == "False"


def test_wide_real_data_is_thinned():
    """leukemia (72 x 7129): fewer slider steps and features drawn, the fit untouched."""
    path = DATA_DIR / "leukemia.npz"
    if not path.exists():
        pytest.skip(f"real data set 'leukemia' not found: expected {path} "
                    "(the shared data folder next to the repository)")
    from regfast.report._figures import N_COLOURED, N_GREY
    from regfast.report._numbers import WIDE_GRID_POINTS
    from regfast.report._page import render
    # a coarse CV keeps the test quick; the thinning does not depend on it
    nums, _ = numbers(str(path), "--resamples", "4", "--n-jobs", "2", "--cv", "3",
                      "--n-alphas", "20")
    assert len(nums["grid"]) == WIDE_GRID_POINTS
    assert nums["models"]["l1"]["path"]["W"].shape == (1, 7129, WIDE_GRID_POINTS)
    sections = [make(nums) for make in SECTIONS]
    paths = sections[1].fig
    assert len(paths.layout.sliders[0].steps) == WIDE_GRID_POINTS
    # 3 bars, 3 alpha markers, and per model the coloured and the grey path lines
    assert len(paths.data) == 6 + 3 * (N_COLOURED + N_GREY)
    assert len(paths.data[0].y) == N_COLOURED
    assert 0 < nums["models"]["l1"]["n_zero"] < 7129 and nums["models"]["l2"]["n_zero"] == 0
    assert len(render(nums, sections).encode()) < 10e6
