"""The `regfast` command line on class labels: L1, elastic-net and L2 logistic models.

Real data sets (the shared folder next to the repository; skipped when absent)
and scikit-learn's bundled wine data.  Most runs call ``regfast.cli.main``
in-process to keep the suite fast; a few run the real process for its exit
code and output streams.  Printed numbers are checked against the estimators
run here and against scikit-learn's metrics (and its lbfgs for the L2 model).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.model_selection import train_test_split

import regfast
from regfast.cli import main
from regfast.cli._task import detect_task

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NEUTRAL_CWD = tempfile.gettempdir()     # see test_cli.py: not the source tree
FAST = ["--cv", "3", "--n-alphas", "10"]


def shared(name):
    path = DATA_DIR / f"{name}.npz"
    if not path.exists():
        pytest.skip(f"real data set {name!r} not found: expected {path} "
                    "(the shared data folder next to the repository)")
    return path


def cli(capsys, *args):
    """main(args) in-process: (exit code, stdout, stderr)."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys, *args):
    code, out, err = cli(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def standardize_split(X, y, test_size=0.25, seed=0):
    """compare's stratified split and standardisation, redone here."""
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=test_size, random_state=seed,
                                          stratify=y)
    mean, std = Xtr.mean(0), Xtr.std(0)
    std[std == 0] = 1
    return (Xtr - mean) / std, (Xte - mean) / std, ytr, yte


def mean_logloss_objective(X, y01, w, b, alpha, l1_ratio):
    """(1/n) sum log-loss + alpha * penalty, for labels 0/1, written out again."""
    z = X @ w + b
    loss = np.mean(np.logaddexp(0, z) - y01 * z)
    return loss + alpha * (l1_ratio * np.abs(w).sum() + (1 - l1_ratio) / 2 * w @ w)


@pytest.fixture(scope="module")
def leukemia_csvs(tmp_path_factory):
    """100 genes of the leukemia set as CSV: a 0/1 label, and the same as ALL/AML text."""
    with np.load(shared("leukemia")) as z:
        X, y = z["X"][:, :100], z["y"]
    t = tmp_path_factory.mktemp("leukemia")
    names = [f"g{j}" for j in range(X.shape[1])]
    paths = {}
    for kind, labels in [("01", [f"{v:g}" for v in y]),
                         ("text", ["ALL" if v == 1 else "AML" for v in y])]:
        rows = [",".join(names + ["label"])]
        rows += [",".join([repr(float(v)) for v in x] + [lab]) for x, lab in zip(X, labels)]
        paths[kind] = t / f"leukemia_{kind}.csv"
        paths[kind].write_text("\n".join(rows) + "\n")
    return paths, np.asfortranarray(X), y, names      # F order: the CLI's, bit for bit


# ---------------------------------------------------------------- task detection

@pytest.mark.parametrize("y, task", [
    (np.r_[np.zeros(30), np.ones(30)], "classification"),          # 0/1
    (np.arange(100) % 5 + 1.0, "classification"),                  # ratings 1..5
    (np.array(["yes", "no"] * 10), "classification"),              # text
    (np.arange(100) % 30.0, "regression"),                         # 30 distinct integers
    (np.arange(8) % 4.0, "regression"),                            # 4 values in 8 rows
    (np.linspace(0, 1, 50), "regression"),                         # continuous
])
def test_auto_task_rule(y, task):
    assert detect_task(y, "auto", "data")[0] == task


def test_auto_task_on_real_sets():
    """Every binary/multiclass shared set is classification, every regression set but
    we8there (integer ratings 1-5, documented: --task regression) is regression."""
    if not DATA_DIR.exists():
        pytest.skip(f"shared data folder not found: {DATA_DIR}")
    for path in sorted(DATA_DIR.glob("*.npz")):
        with np.load(path) as z:
            y, meta = z["y"], json.loads(str(z["meta"]))
        expected = "regression" if meta["task"] == "regression" else "classification"
        if path.stem == "we8there":
            expected = "classification"
        assert detect_task(y, "auto", path.name)[0] == expected, path.name


# ---------------------------------------------------------------- compare

def test_compare_real_binary_matches_estimators(capsys):
    path = shared("colon_cancer")          # 62 x 2000, 0/1
    out = cli_json(capsys, "compare", path, *FAST)
    assert out["task"]["task"] == "classification"
    assert out["task"]["classes"] == [0, 1] and sum(out["task"]["class_counts"]) == 62
    with np.load(path) as z:
        X, y = z["X"], z["y"]
    Xtr, Xte, ytr, yte = standardize_split(X, y)
    assert out["split"]["stratified"] and out["split"]["n_test"] == len(yte)
    n = len(ytr)
    l1, en, l2 = out["models"]
    assert [m["l1_ratio"] for m in out["models"]] == [1.0, 0.5, 0.0]
    # the grids documented: alpha_max (every weight zero) down to eps * alpha_max for
    # L1 and elastic net, ridge's grid for L2; Cs = 1/(alpha n); stratified 3-fold on log-loss
    top = np.abs(Xtr.T @ (ytr - ytr.mean())).max() / n
    for m in out["models"]:
        r = m["l1_ratio"]
        grid = np.geomspace(top / r, top / r * 1e-3, 10) if r else np.logspace(3, -4, 10)
        cv = regfast.LogisticRegressionCV(Cs=1 / (n * grid), l1_ratios=[r], cv=3,
                                          scoring="neg_log_loss",
                                          use_legacy_attributes=False).fit(Xtr, ytr)
        assert m["C"] == pytest.approx(cv.C_, rel=1e-10)
        assert m["alpha"] == pytest.approx(1 / (m["C"] * n), rel=1e-12)
        est = regfast.LogisticRegression(C=m["C"], l1_ratio=r).fit(Xtr, ytr)
        np.testing.assert_allclose(m["coef"], est.coef_[0], rtol=1e-10, atol=1e-12)
        assert m["n_zero"] == int(np.sum(est.coef_ == 0))
        # metrics: scikit-learn's, on the held-out rows
        proba = est.predict_proba(Xte)
        assert m["accuracy_test"] == pytest.approx(accuracy_score(yte, est.predict(Xte)))
        assert m["log_loss_test"] == pytest.approx(log_loss(yte, proba), rel=1e-9)
        assert m["roc_auc_test"] == pytest.approx(roc_auc_score(yte, proba[:, 1]), rel=1e-9)
        assert m["accuracy_train"] == pytest.approx(est.score(Xtr, ytr))
        # training log: doubling budgets of Newton steps, objective recomputed here
        log = m["log"]
        assert [row["max_iter"] for row in log] == [2 ** k for k in range(len(log))]
        assert all(row["steps"] <= row["max_iter"] for row in log)
        w, b = np.array(m["coef"]), m["intercept"][0]
        assert log[-1]["objective"] == pytest.approx(
            mean_logloss_objective(Xtr, ytr, w, b, m["alpha"], r), rel=1e-9)
        assert m["log_loss_train"] == pytest.approx(log[-1]["log_loss"], rel=1e-9)
        assert log[0]["objective"] >= log[-1]["objective"]
        assert 0 <= log[-1]["gap"] <= 1e-4 * log[-1]["objective"]
    assert l1["n_zero"] > 1900 and en["n_zero"] > l1["n_zero"] - 100 and l2["n_zero"] == 0
    # an independent solver for the L2 model: scikit-learn's lbfgs at the same C
    # (regfast certifies its objective to tol = 1e-4 relative)
    sk = SkLogisticRegression(C=l2["C"], l1_ratio=0.0, tol=1e-10, max_iter=10000).fit(Xtr, ytr)
    ours = mean_logloss_objective(Xtr, ytr, np.array(l2["coef"]), l2["intercept"][0],
                                  l2["alpha"], 0.0)
    best = mean_logloss_objective(Xtr, ytr, sk.coef_[0], sk.intercept_[0], l2["alpha"], 0.0)
    assert best * (1 - 1e-9) <= ours <= best * (1 + 1e-4)


def test_compare_csv_01_and_text_labels_tell_the_same_story(leukemia_csvs, capsys):
    paths, X, y, names = leukemia_csvs
    args = ["--C", "0.5", "--test-size", "0"]
    num = cli_json(capsys, "compare", paths["01"], *args)
    text = cli_json(capsys, "compare", paths["text"], *args)
    assert num["task"]["how"] == "auto: 2 distinct integer values in 72 rows"
    assert text["task"]["how"] == "auto: 2 text labels"
    assert text["task"]["classes"] == ["ALL", "AML"] and text["task"]["class_counts"] == [47, 25]
    assert num["feature_names"] == text["feature_names"] == names
    Xs = (X - X.mean(0)) / X.std(0)
    for a, b in zip(num["models"], text["models"]):
        assert a["C"] == b["C"] == 0.5
        est = regfast.LogisticRegression(C=0.5, l1_ratio=a["l1_ratio"]).fit(Xs, y)
        np.testing.assert_allclose(a["coef"], est.coef_[0], rtol=1e-10, atol=1e-12)
        # ALL is class 1 in the 0/1 file but class 0 of the sorted text labels: the
        # weights change sign, the fitted probabilities do not
        np.testing.assert_allclose(b["coef"], -np.array(a["coef"]),
                                   atol=1e-3 * np.abs(a["coef"]).max())
        assert a["accuracy_train"] == b["accuracy_train"]
        assert a["log_loss_train"] == pytest.approx(b["log_loss_train"], rel=1e-4)
        assert a["roc_auc_train"] == pytest.approx(b["roc_auc_train"], abs=1e-3)
        assert a["n_zero"] == b["n_zero"]
    assert num["models"][0]["n_zero"] > 50 and num["models"][2]["n_zero"] == 0


def test_compare_text_report(leukemia_csvs, capsys):
    paths, _, _, _ = leukemia_csvs
    code, text, err = cli(capsys, "compare", paths["text"], *FAST, "--top", "5")
    assert code == 0 and err == ""
    out = cli_json(capsys, "compare", paths["text"], *FAST, "--top", "5")
    assert "task: classification (auto: 2 text labels; --task to override)" in text
    assert "ALL (47), AML (25)" in text
    assert "proximal Newton steps" in text and "log-loss" in text
    assert "weights of class 'AML'" in text
    for label, key in [("accuracy held-out", "accuracy_test"), ("log-loss held-out",
                       "log_loss_test"), ("ROC AUC held-out", "roc_auc_test")]:
        line = next(s for s in text.splitlines() if s.strip().startswith(label))
        printed = [float(v) for v in line.split()[-3:]]
        np.testing.assert_allclose(printed, [m[key] for m in out["models"]], rtol=1e-3)
    l1 = out["models"][0]
    assert f"L1 set {l1['n_zero']} of 100 weights to exactly zero" in text


def test_task_regression_overrides_a_01_target(leukemia_csvs, capsys):
    paths, _, _, _ = leukemia_csvs
    out = cli_json(capsys, "compare", paths["01"], "--task", "regression", "--alpha", "0.05")
    assert out["task"] == {"task": "regression", "how": "--task regression"}
    assert [m["label"] for m in out["models"]] == ["L1 (Lasso)", "Elastic net (l1_ratio=0.5)",
                                                   "L2 (Ridge)"]
    assert "r2_test" in out["models"][0]


def test_compare_multiclass_wine(tmp_path, capsys):
    """scikit-learn's bundled wine data (178 x 13, 3 classes): multinomial models."""
    d = load_wine()
    path = tmp_path / "wine.npz"
    np.savez(path, X=d.data, y=d.target)
    out = cli_json(capsys, "compare", path, "--C", "0.1", "--test-size", "0.3")
    assert out["task"]["classes"] == [0, 1, 2]
    assert "L2 norm of its 3 class weights" in out["weights_shown"]
    Xtr, Xte, ytr, yte = standardize_split(d.data, d.target, test_size=0.3)
    for m in out["models"]:
        est = regfast.LogisticRegression(C=0.1, l1_ratio=m["l1_ratio"]).fit(Xtr, ytr)
        np.testing.assert_allclose(m["coef_by_class"], est.coef_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(m["coef"], np.linalg.norm(est.coef_, axis=0), rtol=1e-9)
        assert m["n_zero"] == int(np.sum(np.all(est.coef_ == 0, axis=0)))
        proba = est.predict_proba(Xte)
        assert m["roc_auc_test"] == pytest.approx(
            roc_auc_score(yte, proba, multi_class="ovr", average="macro"), rel=1e-9)
        assert m["log_loss_test"] == pytest.approx(log_loss(yte, proba), rel=1e-9)
    assert out["models"][0]["n_zero"] > 0 == out["models"][2]["n_zero"]


# ---------------------------------------------------------------- path

def test_path_real_binary_matches_logistic_path(tmp_path, capsys):
    path = shared("colon_cancer")
    png = tmp_path / "paths.png"
    plot = ["--plot", png] if _has_matplotlib() else []
    out = cli_json(capsys, "path", path, "--alpha", "0.05", "--n-alphas", "15", *plot)
    with np.load(path) as z:
        X, y = z["X"], z["y"]
    X = np.asfortranarray(X)          # as the CLI reads it (the means then agree bit for bit)
    X = (X - X.mean(0)) / X.std(0)
    l1 = out["models"][0]
    alphas, coefs, intercepts, _ = regfast.logistic_path(X, y, l1_ratio=1.0, alphas=15)
    np.testing.assert_allclose(l1["alphas"], alphas, rtol=1e-12)
    np.testing.assert_allclose(l1["coefs"], coefs, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(l1["Cs"], 1 / (alphas * len(y)), rtol=1e-12)
    assert l1["n_nonzero"][0] == 0 < l1["n_nonzero"][-1]
    z = X @ coefs[:, -1] + intercepts[-1]
    assert l1["accuracy_train"][-1] == pytest.approx(np.mean((z > 0) == y))
    assert min(out["models"][2]["n_nonzero"]) == 2000          # L2 keeps every weight
    assert [m["chosen_by"] for m in out["models"]] == ["--alpha"] * 3
    if plot:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _has_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


def test_path_text_classification(capsys):
    code, text, _ = cli(capsys, "path", "--task", "classification", "--C", "1",
                        "--n-alphas", "12")
    assert code == 0
    assert "breast cancer" in text and text.count("<- --C") == 3
    assert "accuracy" in text and "log-loss" in text


# ---------------------------------------------------------------- fit / predict

def test_fit_predict_text_labels_roundtrip(leukemia_csvs, tmp_path, capsys):
    paths, X, y, names = leukemia_csvs
    model_path = tmp_path / "model.json"
    code, _, err = cli(capsys, "fit", paths["text"], "--penalty", "l1", "--C", "0.5",
                       "--standardize", "-o", model_path)
    assert code == 0, err
    model = json.loads(model_path.read_text())
    assert model["loss"] == "logistic" and model["classes"] == ["ALL", "AML"]
    labels = np.where(y == 1, "ALL", "AML")
    mean, std = X.mean(0), X.std(0)
    est = regfast.LogisticRegression(C=0.5, l1_ratio=1.0).fit((X - mean) / std, labels)
    np.testing.assert_allclose(model["standardized_coef"], est.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model["coef"], est.coef_ / std, rtol=1e-9, atol=1e-12)
    assert model["convergence"]["converged"]
    assert model["n_zero"] == int(np.sum(est.coef_ == 0))

    proc = subprocess.run([sys.executable, "-m", "regfast", "predict", model_path,
                           paths["text"]], capture_output=True, text=True, timeout=120,
                          cwd=NEUTRAL_CWD)
    assert proc.returncode == 0, proc.stderr
    expected = est.predict((X - mean) / std)
    assert proc.stdout.split() == list(expected)
    accuracy = float(proc.stderr.split("accuracy against the target: ")[1].split(",")[0])
    assert accuracy == pytest.approx(np.mean(expected == labels), abs=1e-4)

    code, csv_text, _ = cli(capsys, "predict", model_path, paths["text"], "--proba")
    assert code == 0
    lines = csv_text.splitlines()
    assert lines[0] == "ALL,AML"
    proba = np.array([line.split(",") for line in lines[1:]], dtype=float)
    np.testing.assert_allclose(proba, est.predict_proba((X - mean) / std), rtol=1e-8,
                               atol=1e-12)
    # the 0/1 file's labels are not the model's classes: predictions, but no accuracy
    code, out, err = cli(capsys, "predict", model_path, paths["01"])
    assert code == 0 and out.split() == list(expected)
    assert "none of the target's labels are among the model's classes (ALL, AML)" in err


def test_fit_loss_auto_and_multiclass_proba(tmp_path, capsys):
    d = load_wine()
    path = tmp_path / "wine.npz"
    np.savez(path, X=d.data, y=d.target)
    model_path = tmp_path / "wine.json"
    # both fits at a tight tol: at the default one, two runs on standardizations that
    # differ in the last bit may stop at points 1e-7 apart, as the tol allows
    out = cli_json(capsys, "fit", path, "--penalty", "elasticnet", "--alpha", "0.01",
                   "--standardize", "--tol", "1e-12", "-o", model_path)
    assert out["loss"] == "logistic" and out["classes"] == [0, 1, 2]
    assert out["C"] == pytest.approx(1 / (0.01 * 178))
    pred = cli_json(capsys, "predict", model_path, path, "--proba")
    proba = np.array(pred["probabilities"])
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-12)
    X = (d.data - d.data.mean(0)) / d.data.std(0)
    est = regfast.LogisticRegression(C=out["C"], l1_ratio=0.5, tol=1e-12).fit(X, d.target)
    np.testing.assert_allclose(proba, est.predict_proba(X), rtol=1e-7, atol=1e-12)
    assert pred["predictions"] == est.predict(X).tolist()
    assert pred["accuracy"] == pytest.approx(est.score(X, d.target))
    # --loss squared on the same labels: a regression model, and --proba refuses it
    sq = tmp_path / "sq.json"
    assert cli(capsys, "fit", path, "--penalty", "l1", "--alpha", "0.1", "--loss", "squared",
               "-o", sq)[0] == 0
    code, out_, err = cli(capsys, "predict", sq, path, "--proba")
    assert code == 2 and out_ == "" and "--proba needs a classification model" in err


@pytest.fixture(scope="module")
def wine_text_csv(tmp_path_factory):
    """The wine data as CSV with text labels, with and without its header line."""
    d = load_wine()
    labels = np.array(["barolo", "grignolino", "barbera"])[d.target]
    rows = [",".join([repr(float(v)) for v in x] + [lab]) for x, lab in zip(d.data, labels)]
    t = tmp_path_factory.mktemp("wine")
    header = ",".join([str(f) for f in d.feature_names] + ["cultivar"])
    (t / "wine.csv").write_text("\n".join([header] + rows) + "\n")
    (t / "noheader.csv").write_text("\n".join(rows) + "\n")
    return t, d.data, labels


def test_predict_output_file_is_stdout_labels_and_proba(wine_text_csv, capsys):
    """predict -o FILE holds what stdout shows: labels (it added a 'prediction'
    header line) and --proba's CSV."""
    t, X, labels = wine_text_csv
    model = t / "model.json"
    assert cli(capsys, "fit", t / "wine.csv", "--penalty", "l2", "--C", "1", "--standardize",
               "-o", model)[0] == 0
    for extra in [[], ["--proba"]]:
        code, stdout, _ = cli(capsys, "predict", model, t / "wine.csv", *extra)
        assert code == 0
        out = t / "pred.txt"
        code, nothing, err = cli(capsys, "predict", model, t / "wine.csv", *extra, "-o", out)
        assert code == 0 and nothing == "" and f"178 predictions written to {out}" in err
        assert out.read_text() == stdout
    assert len(stdout.splitlines()) == 1 + 178 and stdout.startswith("barbera,barolo,")
    lines = out.read_text().splitlines()
    assert lines[0] == "barbera,barolo,grignolino"
    m = json.loads(model.read_text())
    Z = X @ np.array(m["coef"]).T + m["intercept"]
    proba = np.exp(Z - Z.max(1, keepdims=True))
    np.testing.assert_allclose(np.loadtxt(out, delimiter=",", skiprows=1),
                               proba / proba.sum(1, keepdims=True), rtol=1e-9, atol=1e-15)


def test_headerless_csv_with_text_labels_keeps_its_first_row(wine_text_csv, capsys):
    """A first line of numbers and a label is data (its label column is text all
    the way down): 178 rows, not 177, and a warning says there was no header."""
    t, X, labels = wine_text_csv
    args = ["--penalty", "l1", "--C", "0.5", "--standardize"]
    ref = cli_json(capsys, "fit", t / "wine.csv", *args)
    out = cli_json(capsys, "fit", t / "noheader.csv", *args)
    assert out["data"]["n_samples"] == 178 and out["target"] == "x13"
    assert out["classes"] == ref["classes"] == ["barbera", "barolo", "grignolino"]
    np.testing.assert_array_equal(out["coef"], ref["coef"])
    assert any("not column names, so it is read as data" in w for w in out["warnings"])


def test_compare_and_path_choose_the_same_C_on_the_same_rows(capsys):
    """path cross-validates on all rows, compare on its training rows: with
    --test-size 0 compare takes path's route and chooses path's C; both say which."""
    compare0 = cli_json(capsys, "compare", "--task", "classification", "--test-size", "0",
                        *FAST)
    paths = cli_json(capsys, "path", "--task", "classification", *FAST)
    assert [m["C"] for m in compare0["models"]] == [m["C"] for m in paths["models"]]
    assert "cross-validated on all 569 rows" in paths["cv_note"]
    code, text, _ = cli(capsys, "compare", "--task", "classification", "--C", "1")
    assert code == 0 and "cross-validated on" not in text      # no CV, nothing to say
    code, text, _ = cli(capsys, "compare", "--task", "classification", *FAST)
    assert "cross-validated on the 426 training rows only; `regfast path` " in text


# ---------------------------------------------------------------- bad labels

@pytest.fixture(scope="module")
def bad_labels(tmp_path_factory):
    t = tmp_path_factory.mktemp("labels")
    (t / "one.csv").write_text("a,b,label\n1,2,yes\n3,4,yes\n5,6,yes\n7,8,yes\n")
    (t / "nan01.csv").write_text("a,b,label\n1,2,0\n3,4,1\n5,6,nan\n7,8,1\n")
    (t / "empty.csv").write_text("a,b,label\n1,2,yes\n3,4,\n5,6,no\n7,8,no\n")
    rng = np.random.RandomState(0)
    X = rng.randn(60, 2)
    np.savetxt(t / "cont.csv", np.column_stack([X, X @ [1.0, 2.0] + 0.1 * rng.randn(60)]),
               delimiter=",", header="a,b,y", comments="")
    return t


@pytest.mark.parametrize("args, message", [
    (["compare", "{t}/one.csv"], "the target is constant ('yes'): one class only"),
    (["compare", "{t}/one.csv", "--task", "classification"], "one class only"),
    (["fit", "{t}/one.csv", "--penalty", "l1", "--C", "1"], "one class only"),
    (["compare", "{t}/nan01.csv"], "the target has NaN"),
    (["path", "{t}/empty.csv"], "missing label ('') at row 2"),
    (["compare", "{t}/cont.csv", "--task", "classification"],
     "--task classification needs class labels, but the target looks continuous"),
    (["fit", "{t}/cont.csv", "--penalty", "l1", "--alpha", "1", "--loss", "logistic"],
     "use --loss squared"),
    (["compare", "{t}/cont.csv", "--C", "1"], "--C is for classification"),
    (["compare", "{t}/empty.csv", "--C", "1", "--alpha", "1"], "not both"),
    (["fit", "{t}/cont.csv", "--penalty", "l1"], "required: --alpha (or --C"),
])
def test_bad_labels_one_line_exit_2(bad_labels, args, message, capsys):
    code, out, err = cli(capsys, *[a.format(t=bad_labels) for a in args])
    assert code == 2 and out == ""
    assert err.startswith("regfast: error: ") and err.count("\n") == 1, err
    assert message in err


def test_bad_label_process_exit_code(bad_labels):
    proc = subprocess.run([sys.executable, "-m", "regfast", "compare",
                           str(bad_labels / "cont.csv"), "--task", "classification"],
                          capture_output=True, text=True, timeout=120, cwd=NEUTRAL_CWD,
                          env=os.environ.copy())
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("regfast: error: ") and proc.stderr.count("\n") == 1
    assert "looks continuous" in proc.stderr
