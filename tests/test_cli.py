"""The `regfast` command line, run as a subprocess (``python -m regfast``).

Printed numbers are checked against the estimators run here in-process and
against independent references (numpy closed forms, scikit-learn); every bad
input must give one line on stderr and exit code 2.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import dump_svmlight_file, load_diabetes
from sklearn.linear_model import Lasso as SkLasso
from sklearn.model_selection import train_test_split

import regfast

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


# `python -m` puts the working directory first on sys.path: run from a neutral
# one, or the source folder regfast/ (without the compiled kernel) would shadow
# the installed package when the tests run from the repository root.
NEUTRAL_CWD = tempfile.gettempdir()


def run(*args, env=None, check=True, timeout=300):
    """Run ``python -m regfast ARGS``; returns the CompletedProcess."""
    proc = subprocess.run([sys.executable, "-m", "regfast", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env=env or os.environ.copy(), cwd=NEUTRAL_CWD)
    if check:
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    return proc


def run_json(*args):
    return json.loads(run(*args, "--json").stdout)


def shared(name):
    path = DATA_DIR / f"{name}.npz"
    if not path.exists():
        pytest.skip(f"real data set {name!r} not found: expected {path} "
                    "(the shared data folder next to the repository)")
    return path


def standardized_split(X, y, test_size=0.25, seed=0):
    """The split and standardisation compare documents, redone here with numpy."""
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=test_size, random_state=seed)
    if sp.issparse(Xtr):
        mean = np.asarray(Xtr.mean(0)).ravel()
        std = np.sqrt(np.asarray(Xtr.multiply(Xtr).mean(0)).ravel() - mean ** 2)
        std[std == 0] = 1
        return Xtr @ sp.diags(1 / std), Xte @ sp.diags(1 / std), ytr, yte
    mean, std = Xtr.mean(0), Xtr.std(0)
    return (Xtr - mean) / std, (Xte - mean) / std, ytr, yte


def enet_objective(X, y, w, alpha, l1_ratio):
    """1/(2n)|y - Xw - b|^2 + penalty with the optimal b, written out again here."""
    X = X.toarray() if sp.issparse(X) else X
    Xc, yc = X - X.mean(0), y - y.mean()
    r = yc - Xc @ w
    return (r @ r / (2 * len(y)) + alpha * l1_ratio * np.abs(w).sum()
            + alpha * (1 - l1_ratio) / 2 * w @ w)


@pytest.fixture(scope="module")
def diabetes_compare():
    return run_json("compare")


@pytest.fixture(scope="module")
def diabetes_csv(tmp_path_factory):
    """The raw diabetes data as CSV with a header (target last)."""
    d = load_diabetes(scaled=False)
    path = tmp_path_factory.mktemp("data") / "diabetes.csv"
    np.savetxt(path, np.column_stack([d.data, d.target]), delimiter=",", fmt="%.10g",
               header=",".join(d.feature_names + ["progression"]), comments="")
    return path


# ---------------------------------------------------------------- compare

def test_compare_diabetes_matches_estimators(diabetes_compare):
    out = diabetes_compare
    d = load_diabetes()
    assert out["feature_names"] == list(d.feature_names)
    Xtr, Xte, ytr, yte = standardized_split(d.data, d.target)
    n = len(ytr)
    l1, en, l2 = out["models"]
    assert (l1["key"], en["key"], l2["key"]) == ("l1", "elasticnet", "l2")

    # the cross-validated alphas are the CV estimators' own
    assert l1["alpha"] == pytest.approx(regfast.LassoCV(cv=5).fit(Xtr, ytr).alpha_, rel=1e-12)
    assert en["alpha"] == pytest.approx(
        regfast.ElasticNetCV(l1_ratio=0.5, cv=5).fit(Xtr, ytr).alpha_, rel=1e-12)
    assert l2["ridge_alpha"] == pytest.approx(n * l2["alpha"], rel=1e-12)

    for m, est in [(l1, regfast.Lasso(alpha=l1["alpha"])),
                   (en, regfast.ElasticNet(alpha=en["alpha"], l1_ratio=0.5)),
                   (l2, regfast.Ridge(alpha=l2["ridge_alpha"]))]:
        est.fit(Xtr, ytr)
        np.testing.assert_allclose(m["coef"], est.coef_, rtol=1e-10, atol=1e-10)
        assert m["r2_train"] == pytest.approx(est.score(Xtr, ytr), abs=1e-12)
        assert m["r2_test"] == pytest.approx(est.score(Xte, yte), abs=1e-12)
        assert m["n_zero"] == int(np.sum(est.coef_ == 0))

    # independent references: scikit-learn's Lasso, and Ridge's closed form
    sk = SkLasso(alpha=l1["alpha"], tol=1e-10, max_iter=100000).fit(Xtr, ytr)
    np.testing.assert_allclose(l1["coef"], sk.coef_, atol=1e-2 * np.abs(sk.coef_).max())
    assert l1["n_zero"] == np.sum(sk.coef_ == 0) > 0
    Xc, yc = Xtr - Xtr.mean(0), ytr - ytr.mean()
    closed = np.linalg.solve(Xc.T @ Xc + l2["ridge_alpha"] * np.eye(10), Xc.T @ yc)
    np.testing.assert_allclose(l2["coef"], closed, rtol=1e-8)


def test_compare_training_log_is_consistent(diabetes_compare):
    d = load_diabetes()
    Xtr, _, ytr, _ = standardized_split(d.data, d.target)
    tol_abs = 1e-4 * np.sum((ytr - ytr.mean()) ** 2) / len(ytr)
    for m in diabetes_compare["models"][:2]:
        log = m["log"]
        budgets = [r["max_iter"] for r in log]
        assert budgets == [2 ** k for k in range(len(log))]
        assert all(r["epochs"] <= r["max_iter"] for r in log)
        # each row's objective, recomputed here from scratch, is the logged one
        last = log[-1]
        assert last["objective"] == pytest.approx(
            enet_objective(Xtr, ytr, np.array(m["coef"]), m["alpha"], m["l1_ratio"]), rel=1e-9)
        assert log[0]["objective"] > last["objective"]
        # the numpy gap agrees with the solver's own, and the last row is converged
        for r in log:
            assert r["gap"] == pytest.approx(r["solver_gap"], rel=1e-6, abs=1e-9)
        assert 0 <= last["gap"] <= tol_abs < log[0]["gap"]
    ridge = diabetes_compare["models"][2]["log"]
    assert len(ridge) == 1 and abs(ridge[0]["gap"]) < 1e-8


def test_compare_text_shows_the_json_numbers(diabetes_compare):
    text = run("compare").stdout
    out = diabetes_compare
    assert "features standardized" in text
    assert "refitted from zero" in text           # the log explains itself
    for j, name in enumerate(out["feature_names"]):
        line = re.search(rf"^  {name}\s+(\S+)\s+(\S+)\s+(\S+)$", text, re.M)
        assert line, name
        printed = [float(v) for v in line.groups()]
        expected = [m["coef"][j] for m in out["models"]]
        np.testing.assert_allclose(printed, expected, rtol=1e-4, atol=1e-12)
    zero = out["models"][0]["n_zero"]
    assert f"L1 set {zero} of 10 weights to exactly zero" in text
    r2 = re.search(r"^  R\^2 held-out\s+(\S+)\s+(\S+)\s+(\S+)$", text, re.M).groups()
    np.testing.assert_allclose([float(v) for v in r2],
                               [m["r2_test"] for m in out["models"]], atol=6e-4)


def test_compare_top_lists_the_largest_first(diabetes_compare):
    """--top N: the N features with the largest |weight| (over the three models),
    largest first, as the title says (they were listed in feature order)."""
    text = run("compare", "--top", "5").stdout
    assert "the 5 with the largest |weight| of 10 (--top), largest first" in text
    table = text.split("(--top), largest first:\n")[1].split("\n  exactly zero")[0]
    shown = [line.split()[0] for line in table.splitlines()[1:]]
    W = np.abs([m["coef"] for m in diabetes_compare["models"]]).max(axis=0)
    names = diabetes_compare["feature_names"]
    assert shown == [names[j] for j in np.argsort(-W, kind="stable")[:5]]


def test_weights_table_columns_stay_apart_on_wide_data():
    """Counts such as '120127 of 122088' and long names no longer run together
    (the cells were padded to 14 characters, whatever their length)."""
    from regfast.cli._report import compare_text
    out = json.loads(run("compare", "--alpha", "1", "--test-size", "0", "--json").stdout)
    p = 122088
    rng = np.random.RandomState(0)
    for m, zeros in zip(out["models"], [120127, 119000, 0]):
        m["coef"] = (rng.randn(p) * 1e-5 - 1e-4).tolist()
        m["n_zero"] = zeros
    out["feature_names"] = [f"a_rather_long_feature_name_{j}" for j in range(p)]
    text = compare_text(out, top=8)
    table = text.split("(--top), largest first:\n")[1].split("\n\nL1 set")[0]
    lines = [line for line in table.splitlines() if line.strip()]
    assert len(lines) == 8 + 2 + 1 + 6             # headers, 8 weights, zeros, 6 summaries
    for line in lines:
        cells = re.split(r"\s{2,}", line.strip())
        assert len(cells) in (3, 4), line         # the summary header has no first cell
    zero_line = next(line for line in lines if "exactly zero" in line)
    assert re.split(r"\s{2,}", zero_line.strip()) == [
        "exactly zero", f"120127 of {p}", f"119000 of {p}", f"0 of {p}"]
    # right-aligned under the model names: every row ends at the same columns
    ends = {tuple(m.end() for m in list(re.finditer(r"\S+(?= {2,}|$)", line))[-3:])
            for line in lines}
    assert len(ends) == 1, ends


def test_compare_and_path_choose_alphas_on_the_same_rows_and_say_so():
    """compare cross-validates on its training rows, path on all rows: both say
    so; compare --test-size 0 takes path's route and chooses path's alphas."""
    compare0 = run_json("compare", "--test-size", "0", "--n-alphas", "30")
    paths = run_json("path", "--n-alphas", "30")
    assert [m["alpha"] for m in compare0["models"]] == [m["alpha"] for m in paths["models"]]
    assert "as `regfast path` does" in compare0["cv_note"]
    text = run("compare", "--n-alphas", "30").stdout
    assert ("cross-validated on the 331 training rows only; `regfast path` cross-validates "
            "on all 442 rows, so its choice differs (compare --test-size 0") in text
    text = run("path", "--n-alphas", "30").stdout
    assert "cross-validated on all 442 rows; `regfast compare` cross-validates on its " \
        "training rows only" in text


def test_compare_fixed_alpha_maps_ridge_scaling():
    out = run_json("compare", "--alpha", "0.5", "--test-size", "0")
    n = out["split"]["n_train"]
    assert [m["alpha"] for m in out["models"]] == [0.5, 0.5, 0.5]
    assert out["models"][2]["ridge_alpha"] == pytest.approx(n * 0.5)
    # the same L2 strength: Ridge at n*alpha equals ElasticNet(l1_ratio=0) at alpha
    d = load_diabetes()
    X = (d.data - d.data.mean(0)) / d.data.std(0)
    en0 = regfast.ElasticNet(alpha=0.5, l1_ratio=0.0, tol=1e-12, max_iter=100000).fit(X, d.target)
    np.testing.assert_allclose(out["models"][2]["coef"], en0.coef_, rtol=1e-6)
    assert out["models"][0]["r2_test"] is None


def test_compare_sparse_real_data_stays_sparse(tmp_path):
    path = shared("congress109")          # 529 x 1000 sparse phrase counts
    out = run_json("compare", path, "--alpha", "0.01")
    assert out["data"]["storage"] == "sparse"
    assert "not centred" in out["data"]["standardize_note"]
    with np.load(path) as z:
        X = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
        y = z["y"]
    Xtr, Xte, ytr, yte = standardized_split(X, y)
    l1 = regfast.Lasso(alpha=0.01).fit(Xtr, ytr)
    m = out["models"][0]
    np.testing.assert_allclose(m["coef"], l1.coef_, rtol=1e-10, atol=1e-12)
    assert m["r2_test"] == pytest.approx(l1.score(Xte, yte), abs=1e-10)
    assert m["n_zero"] > 500                       # L1 selects
    assert out["models"][2]["n_zero"] < 10          # L2 keeps (nearly) every weight


def test_compare_svmlight_stays_sparse(tmp_path):
    d = load_diabetes(scaled=False)
    svm = tmp_path / "diabetes.svm"
    dump_svmlight_file(d.data, d.target, str(svm))
    out = run_json("compare", svm, "--alpha", "0.5", "--test-size", "0")
    assert out["data"]["storage"] == "sparse"
    assert "not centred" in out["data"]["standardize_note"]
    X = sp.csr_matrix(d.data)
    Xs = X @ sp.diags(1 / d.data.std(0))               # scaled, not centred
    l1 = regfast.Lasso(alpha=0.5).fit(Xs, d.target)
    np.testing.assert_allclose(out["models"][0]["coef"], l1.coef_, rtol=1e-8, atol=1e-10)


def test_compare_csv_target_column(diabetes_csv):
    out = run_json("compare", diabetes_csv, "--target", "bmi", "--alpha", "1")
    assert "bmi" not in out["feature_names"] and "progression" in out["feature_names"]
    assert out["data"]["n_features"] == 10


def test_no_progress_bar_without_a_terminal():
    proc = run("compare", "--alpha", "1")
    assert proc.stderr == ""


def test_progress_bar_on_a_terminal():
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "regfast", "compare", "--alpha", "1"],
                              stdout=subprocess.PIPE, stderr=slave, timeout=300,
                              cwd=NEUTRAL_CWD)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    assert proc.returncode == 0
    assert b"[" in seen and b"/9 choosing alpha" in seen
    quiet = subprocess.run([sys.executable, "-m", "regfast", "compare", "--alpha", "1", "-q"],
                           capture_output=True, timeout=300, cwd=NEUTRAL_CWD)
    assert quiet.stderr == b""


# ---------------------------------------------------------------- path

def test_path_json_matches_enet_path():
    out = run_json("path", "--n-alphas", "30")
    d = load_diabetes()
    X = (d.data - d.data.mean(0)) / d.data.std(0)
    y = d.target
    for m in out["models"][:2]:
        alphas, coefs, _ = regfast.enet_path(X, y, l1_ratio=m["l1_ratio"], alphas=m["alphas"],
                                             fit_intercept=True)
        np.testing.assert_allclose(m["coefs"], coefs, rtol=1e-10, atol=1e-10)
        # alpha_max is where every weight is zero: the first column, and only it
        assert np.all(np.array(m["coefs"])[:, 0] == 0)
        assert np.any(np.array(m["coefs"])[:, 1] != 0)
    ridge = out["models"][2]
    k = len(ridge["alphas"]) // 2
    est = regfast.Ridge(alpha=ridge["ridge_alphas"][k]).fit(X, y)
    np.testing.assert_allclose(np.array(ridge["coefs"])[:, k], est.coef_, rtol=1e-10)
    assert ridge["alpha"] == pytest.approx(out["models"][2]["alpha"])


def test_path_text_table():
    text = run("path", "--alpha", "0.1", "--n-alphas", "20").stdout
    assert text.count("<- --alpha") == 3
    assert "L1 (Lasso)" in text and "L2 (Ridge)" in text


def test_path_plot_is_a_png(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib not installed: pip install "
                        "'regfast[plot]' to run the plot tests")
    png = tmp_path / "paths.png"
    text = run("path", "--plot", png, "--n-alphas", "30").stdout
    assert f"Plot written to {png}" in text
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    # sharp: at least 1800 px wide (was 1040 x 336 at 80 dpi), at 150 dpi
    assert 1800 <= width <= 3000 and 600 <= height <= 1200
    phys = png.read_bytes().find(b"pHYs")
    assert phys > 0
    ppm = int.from_bytes(png.read_bytes()[phys + 4:phys + 8], "big")   # pixels per metre
    assert ppm * 0.0254 == pytest.approx(150, abs=1)
    assert 50_000 < png.stat().st_size < 1_000_000


def test_path_plot_legend_is_readable(tmp_path, monkeypatch, capsys):
    """The legend's text is at least 9 pt (was 7 pt at 80 dpi: about 8 pixels high)."""
    pytest.importorskip("matplotlib", reason="matplotlib not installed: pip install "
                        "'regfast[plot]' to run the plot tests")
    from matplotlib.figure import Figure
    from regfast.cli import main
    figures = []
    savefig = Figure.savefig

    def keep(fig, *args, **kwargs):
        figures.append((fig, kwargs.get("dpi")))
        return savefig(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    assert main(["path", "--alpha", "1", "--n-alphas", "10", "--plot",
                 str(tmp_path / "p.png")]) == 0
    (fig, dpi), = figures
    legend = fig.axes[-1].get_legend()
    sizes = [t.get_fontsize() for t in legend.get_texts()]
    assert len(sizes) == 10 and min(sizes) >= 9
    assert dpi >= 150


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_path_real_dense_data():
    path = shared("scheetz_trim32")       # 120 x 500, dense, p > n
    # as given (no standardization), so that the data here are bit for bit the CLI's
    out = run_json("path", path, "--n-alphas", "20", "--cv", "3", "--no-standardize")
    with np.load(path) as z:
        X, y = z["X"], z["y"]
    l1 = out["models"][0]
    _, coefs, gaps = regfast.lasso_path(X, y, alphas=l1["alphas"], fit_intercept=True)
    np.testing.assert_array_equal(l1["coefs"], coefs)
    np.testing.assert_array_equal(l1["dual_gaps"], gaps)
    assert l1["alpha"] == regfast.LassoCV(cv=3, alphas=20).fit(X, y).alpha_
    assert l1["n_nonzero"][0] == 0 and l1["n_nonzero"][-1] > 10
    assert min(out["models"][2]["n_nonzero"]) == 500         # L2 keeps every weight
    # a path that stops at max_iter says so, one line per warning
    assert all(w.count("\n") == 0 for w in out["warnings"])


def test_path_plot_without_matplotlib(tmp_path):
    fake = tmp_path / "nomatplotlib" / "matplotlib"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no matplotlib here')\n")
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [str(fake.parent), env.get("PYTHONPATH")] if p)
    proc = run("path", "--alpha", "1", "--plot", tmp_path / "p.png", env=env, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "pip install 'regfast[plot]'" in proc.stderr
    assert not (tmp_path / "p.png").exists()


# ---------------------------------------------------------------- fit / predict

def test_fit_predict_roundtrip_csv(diabetes_csv, tmp_path):
    model_path = tmp_path / "model.json"
    run("fit", diabetes_csv, "--penalty", "elasticnet", "--alpha", "0.2", "--l1-ratio", "0.7",
        "--standardize", "--output", model_path)
    model = json.loads(model_path.read_text())
    d = load_diabetes(scaled=False)
    X, y = d.data, d.target
    mean, std = X.mean(0), X.std(0)
    est = regfast.ElasticNet(alpha=0.2, l1_ratio=0.7).fit((X - mean) / std, y)
    np.testing.assert_allclose(model["standardized_coef"], est.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model["coef"], est.coef_ / std, rtol=1e-9, atol=1e-12)
    assert model["feature_names"] == list(d.feature_names)
    assert model["target"] == "progression"
    conv = model["convergence"]
    assert conv["converged"] and conv["n_iter"] == est.n_iter_
    # both fits end polished to the exact minimiser: gaps at rounding (~1e-12)
    assert conv["duality_gap"] == pytest.approx(est.dual_gap_, rel=1e-6, abs=1e-14 * np.var(y))

    pred = run("predict", model_path, diabetes_csv)
    printed = np.array(pred.stdout.split(), dtype=float)
    np.testing.assert_allclose(printed, est.predict((X - mean) / std), rtol=1e-10)
    r2 = float(re.search(r"R\^2 against the target: (\S+)", pred.stderr).group(1))
    assert r2 == pytest.approx(est.score((X - mean) / std, y), abs=1e-4)

    svm = tmp_path / "diabetes.svm"
    dump_svmlight_file(X, y, str(svm))
    out = run_json("predict", model_path, svm)
    np.testing.assert_allclose(out["predictions"], printed, rtol=1e-9)


def test_fit_ridge_and_lasso_on_sparse_npz(tmp_path):
    path = shared("congress109")
    out = run_json("fit", path, "--penalty", "l2", "--alpha", "0.5")
    with np.load(path) as z:
        X = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
        y = z["y"]
    n = X.shape[0]
    assert out["ridge_alpha"] == pytest.approx(n * 0.5)
    Xd = X.toarray()
    Xc, yc = Xd - Xd.mean(0), y - y.mean()
    # p > n: the dual closed form w = Xc^T (Xc Xc^T + a I)^-1 yc
    closed = Xc.T @ np.linalg.solve(Xc @ Xc.T + n * 0.5 * np.eye(n), yc)
    # solver='auto' on sparse X: exact to 1e-8 relative (certified CG or Cholesky)
    assert out["convergence"]["solver"] in ("cg", "cholesky")
    np.testing.assert_allclose(out["coef"], closed, atol=1e-7 * np.abs(closed).max())
    # at the exact solution primal and dual agree to rounding: the computed gap may be
    # a few ulps below zero
    scale = (yc @ yc) / n
    assert -1e-12 * scale <= out["convergence"]["duality_gap"] < 1e-4 * scale
    model = tmp_path / "l1.json"
    run("fit", path, "--penalty", "l1", "--alpha", "0.01", "-o", model)
    coef = json.loads(model.read_text())["coef"]
    np.testing.assert_allclose(coef, regfast.Lasso(alpha=0.01).fit(X, y).coef_, rtol=1e-10,
                               atol=1e-12)
    preds = run_json("predict", model, path)["predictions"]
    m = json.loads(model.read_text())
    np.testing.assert_allclose(preds, X @ np.array(coef) + m["intercept"], rtol=1e-12)


def test_predict_output_file_is_stdout(diabetes_csv, tmp_path):
    """predict -o FILE writes exactly what stdout gets (it added a header line)."""
    model = tmp_path / "m.json"
    run("fit", diabetes_csv, "--penalty", "l1", "--alpha", "1", "-o", model)
    stdout = run("predict", model, diabetes_csv).stdout
    out = tmp_path / "pred.txt"
    proc = run("predict", model, diabetes_csv, "-o", out)
    assert proc.stdout == ""
    assert out.read_text() == stdout
    assert len(stdout.splitlines()) == 442
    m = json.loads(model.read_text())
    d = load_diabetes(scaled=False)
    np.testing.assert_allclose(np.loadtxt(out), d.data @ m["coef"] + m["intercept"],
                               rtol=1e-12)


def test_csv_without_header_keeps_its_first_row(diabetes_csv, tmp_path):
    """A first line of numbers is data, not column names: said, and no row lost."""
    headerless = tmp_path / "noheader.csv"
    headerless.write_text(diabetes_csv.read_text().split("\n", 1)[1])
    out = run_json("fit", headerless, "--penalty", "l1", "--alpha", "1")
    ref = run_json("fit", diabetes_csv, "--penalty", "l1", "--alpha", "1")
    assert out["data"]["n_samples"] == 442
    assert out["feature_names"] == [f"x{j}" for j in range(10)] and out["target"] == "x10"
    np.testing.assert_array_equal(out["coef"], ref["coef"])
    assert any("the first line holds numbers, not column names" in w for w in out["warnings"])
    assert not any("column names" in w for w in ref["warnings"])
    proc = run("fit", headerless, "--penalty", "l1", "--alpha", "1")
    assert "regfast: warning: UserWarning: " in proc.stderr
    assert "read as data (no header line); columns named x0, ..., x10" in proc.stderr
    # predict on the header-less file: the same features by position, scored on x10
    model = tmp_path / "m.json"
    run("fit", headerless, "--penalty", "l1", "--alpha", "1", "-o", model)
    pred = run_json("predict", model, headerless)
    assert pred["n_samples"] == 442 and pred["r2"] == pytest.approx(ref["r2_train"])
    # --target naming a cell of the first line makes it a header
    numbered = tmp_path / "numbered.csv"
    numbered.write_text("1,2,3\n1,0,1\n2,1,3\n3,1,4\n4,0,4\n")
    out = run_json("fit", numbered, "--penalty", "l1", "--alpha", "0.01", "--target", "3")
    assert out["feature_names"] == ["1", "2"] and out["data"]["n_samples"] == 4


def test_csv_header_detection():
    from regfast.cli._data import _split_header
    rows = [["a", "b", "y"], ["1", "2", "3"]]
    assert _split_header(rows, "f.csv") == (["a", "b", "y"], rows[1:], 2)
    rows = [["", "a", "label"], ["0", "1", "yes"]]      # a pandas index column
    assert _split_header(rows, "f.csv")[0] == ["", "a", "label"]
    with pytest.warns(UserWarning, match="first line holds numbers"):
        rows = [["5.1", "3.5", "setosa"], ["4.9", "3.0", "setosa"]]   # labels: still data
        assert _split_header(rows, "f.csv") == (["x0", "x1", "x2"], rows, 1)
    with pytest.warns(UserWarning, match="first line holds numbers"):
        rows = [["1e-3", "-2", "NA"], ["1", "2", "3"]]
        assert _split_header(rows, "f.csv")[1] == rows


def test_npz_column_vector_y_is_one_target(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.randn(30, 3)
    y = X @ [1.0, 0.0, -2.0] + 0.1 * rng.randn(30)
    np.savez(tmp_path / "col.npz", X=X, y=y[:, None])
    out = run_json("fit", tmp_path / "col.npz", "--penalty", "l1", "--alpha", "0.01")
    np.testing.assert_allclose(out["coef"], SkLasso(alpha=0.01).fit(X, y).coef_,
                               rtol=1e-6, atol=1e-9)


def test_scipy_save_npz_file_is_read(tmp_path):
    """scipy.sparse.save_npz stores its format as bytes (b'csr'): read as CSR, kept
    sparse, with y added to the same archive."""
    rng = np.random.RandomState(0)
    X = sp.random(80, 30, density=0.2, format="csr", random_state=rng)
    y = X @ rng.randn(30) + 0.1 * rng.randn(80)
    base = tmp_path / "m.npz"
    sp.save_npz(base, X)
    with np.load(base) as z:
        assert isinstance(z["format"].item(), bytes)
        np.savez(tmp_path / "xy.npz", **{k: z[k] for k in z.files}, y=y)
    out = run_json("fit", tmp_path / "xy.npz", "--penalty", "l1", "--alpha", "0.01")
    np.testing.assert_allclose(out["coef"], regfast.Lasso(alpha=0.01).fit(X, y).coef_,
                               rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- errors

@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    t = tmp_path_factory.mktemp("bad")
    (t / "text.csv").write_text("a,b,y\n1,2,3\n4,x,6\n")
    (t / "nan.csv").write_text("a,b,y\n1,2,3\n4,5,nan\n")
    (t / "ragged.csv").write_text("a,b,y\n1,2,3\n4,5\n")
    (t / "notjson.json").write_text("{nope")
    (t / "data.xyz").write_text("1 2 3\n")
    np.savez(t / "nox.npz", Z=np.ones(3))
    np.savez(t / "consty.npz", X=np.arange(40.0).reshape(20, 2), y=np.ones(20))
    (t / "onerow.csv").write_text("a,b,y\n1,2,3\n")
    (t / "onerow_noheader.csv").write_text("1,2,3\n")
    np.savez(t / "y2d.npz", X=np.arange(40.0).reshape(20, 2),
             y=np.arange(40.0).reshape(20, 2))
    return t


@pytest.mark.parametrize("args, message", [
    (["compare", "{t}/missing.csv"], "missing.csv: no such file"),
    (["compare", "{t}/text.csv"], "line 3, column 'b': 'x' is not a number"),
    (["compare", "{t}/nan.csv"], "the target has NaN"),
    (["compare", "{t}/ragged.csv"], "line 3: 2 fields, but the header has 3"),
    (["compare", "{t}/nan.csv", "--target", "zz"], "no column named 'zz'"),
    (["compare", "{t}/data.xyz"], "cannot tell the format"),
    (["compare", "{t}/nox.npz"], "expected arrays 'X' and 'y'"),
    (["path", "{t}/consty.npz"], "the target is constant"),
    (["compare", "--alpha", "-1"], "--alpha must be positive"),
    (["compare", "--l1-ratio", "1.5"], "--l1-ratio must be"),
    (["compare", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["path", "--cv", "1"], "--cv must be at least 2"),
    (["fit", "{t}/nan.csv", "--penalty", "l3", "--alpha", "1"], "invalid choice: 'l3'"),
    (["fit", "{t}/text.csv", "--penalty", "l1"], "required: --alpha"),
    (["predict", "{t}/notjson.json", "{t}/text.csv"], "not a regfast model JSON"),
    (["nosuchcommand"], "invalid choice: 'nosuchcommand'"),
    # one row: the intercept alone fits it, R^2 is undefined (was: exit 0, R^2 nan)
    (["fit", "{t}/onerow.csv", "--penalty", "l1", "--alpha", "1"], "only 1 row of data"),
    (["fit", "{t}/onerow_noheader.csv", "--penalty", "l2", "--alpha", "1"], "only 1 row"),
    # two targets (was: "y has 40 values but X has 20 rows")
    (["fit", "{t}/y2d.npz", "--penalty", "l1", "--alpha", "1"],
     "y has shape (20, 2), more than one target"),
    (["compare", "{t}/y2d.npz"], "more than one target"),
])
def test_bad_input_one_line_exit_2(bad_files, args, message, capsys):
    # in-process (main returns the exit code) to keep the suite fast; the
    # subprocess tests below check the real process exit code and stderr
    from regfast.cli import main
    assert main([a.format(t=bad_files) for a in args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("regfast: error: ")
    assert err.count("\n") == 1, err                 # one line, no traceback
    assert message in err


@pytest.mark.parametrize("args, message", [
    (["compare", "{t}/nan.csv"], "the target has NaN"),
    (["fit", "{t}/text.csv", "--penalty", "l1", "--alpha", "nan"], "--alpha must be positive"),
])
def test_bad_input_process_exit_code(bad_files, args, message):
    proc = run(*[a.format(t=bad_files) for a in args], check=False)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("regfast: error: ") and proc.stderr.count("\n") == 1
    assert message in proc.stderr


def test_predict_missing_feature_column(diabetes_csv, tmp_path):
    model = tmp_path / "m.json"
    run("fit", diabetes_csv, "--penalty", "l1", "--alpha", "1", "-o", model)
    short = tmp_path / "short.csv"
    short.write_text("age,sex\n1,2\n")
    proc = run("predict", model, short, check=False)
    assert proc.returncode == 2 and "missing feature column 'bmi'" in proc.stderr
