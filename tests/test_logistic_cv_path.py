"""logistic_path and LogisticRegressionCV against scikit-learn and closed forms."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.linear_model import LogisticRegressionCV as SkLogisticCV
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from regfast import LogisticRegression, LogisticRegressionCV, logistic_path


def binary(n=150, p=20, seed=0):
    X, y = make_classification(n, p, n_informative=6, random_state=seed)
    return np.asfortranarray(StandardScaler().fit_transform(X)), y


def objective(X, y, w, b, C, l1_ratio):
    t = 2.0 * y - 1.0
    return (C * np.logaddexp(0, -t * (X @ w + b)).sum() + l1_ratio * np.abs(w).sum()
            + 0.5 * (1 - l1_ratio) * w @ w)


def test_path_alpha_max_closed_form():
    """alpha_max = max_j |x_j^T (y - ybar)| / (n l1_ratio): all zero there, not below."""
    X, y = binary()
    n = len(y)
    for l1_ratio in (1.0, 0.5):
        amax = np.abs(X.T @ (y - y.mean())).max() / (n * l1_ratio)
        alphas, coefs, intercepts, _ = logistic_path(X, y, l1_ratio=l1_ratio, alphas=5,
                                                     eps=1e-2, tol=1e-10)
        assert alphas[0] == pytest.approx(amax, rel=1e-12)
        assert np.all(coefs[:, 0] == 0)
        # the intercept of the null model is the log-odds of the class frequency
        assert intercepts[0] == pytest.approx(np.log(y.mean() / (1 - y.mean())), rel=1e-8)
        assert np.any(coefs[:, 1] != 0)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("sparse", [False, True])
def test_path_matches_sklearn_at_each_alpha(l1_ratio, sparse):
    """Each alpha of the path solves scikit-learn's problem at C = 1 / (alpha n)."""
    X, y = binary()
    n = len(y)
    Xf = sp.csc_matrix(X) if sparse else X
    alphas, coefs, intercepts, gaps = logistic_path(Xf, y, l1_ratio=l1_ratio, alphas=8,
                                                    eps=0.05, tol=1e-10, max_iter=200)
    for a in (2, 5, 7):
        C = 1.0 / (alphas[a] * n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk = SkLogistic(C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-12,
                            max_iter=100_000).fit(X, y)
        ours = objective(X, y, coefs[:, a], intercepts[a], C, l1_ratio)
        ref = objective(X, y, sk.coef_[0], sk.intercept_[0], C, l1_ratio)
        assert ours <= ref * (1 + 1e-7)
        assert ours >= ref * (1 - 1e-6)
        # the path's gaps are in glmnet's units: sklearn's gap / (C n)
        assert (ours - ref) / (C * n) <= gaps[a] + 1e-12


def test_path_multinomial_shapes():
    X, y = make_classification(120, 10, n_informative=5, n_classes=3, random_state=1)
    alphas, coefs, intercepts, gaps = logistic_path(X, y, alphas=6, eps=0.05)
    assert coefs.shape == (3, 10, 6) and intercepts.shape == (3, 6) and gaps.shape == (6,)
    assert np.all(coefs[:, :, 0] == 0)


def test_path_unpenalised_alpha_zero_matches_lbfgs():
    X, y = make_classification(200, 5, n_informative=3, n_redundant=0, flip_y=0.2,
                               random_state=3)             # full rank: a unique optimum
    _, coefs, intercepts, _ = logistic_path(X, y, alphas=[0.0], tol=1e-12)
    sk = SkLogistic(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(coefs[:, 0], sk.coef_[0], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("bad, match", [
    (dict(l1_ratio=2.0), "l1_ratio"),
    (dict(alphas=[-1.0]), "non-negative"),
    (dict(l1_ratio=0.0), "C_min is zero"),          # automatic grid needs an L1 part
])
def test_path_bad_input(bad, match):
    X, y = binary()
    with pytest.raises(ValueError, match=match):
        logistic_path(X, y, **bad)


def test_cv_matches_sklearn_l2():
    """Same folds, same Cs: the same scores and the same C as scikit-learn's (lbfgs)."""
    X, y = binary(200, 15, seed=2)
    folds = list(StratifiedKFold(4).split(X, y))
    Cs = np.logspace(-3, 2, 8)
    ours = LogisticRegressionCV(use_legacy_attributes=False, Cs=Cs, l1_ratios=[0.0], cv=folds, tol=1e-12,
                                scoring="neg_log_loss").fit(X, y)
    sk = SkLogisticCV(Cs=Cs, l1_ratios=(0.0,), cv=folds, tol=1e-12, max_iter=10_000,
                      scoring="neg_log_loss", use_legacy_attributes=False).fit(X, y)
    np.testing.assert_allclose(ours.scores_[:, 0, :], sk.scores_[:, 0, :], rtol=1e-6)
    assert ours.C_ == pytest.approx(sk.C_)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-4, atol=1e-6)


def test_cv_l1_scores_are_those_of_each_fold_fit():
    """scores_ of an L1 CV: the log-loss of each fold's model, refitted independently
    by liblinear (without intercept: liblinear penalises it; saga, the other L1
    solver, leaves the intercept 0.05 off at tol 1e-12 here)."""
    X, y = binary(160, 12, seed=4)
    folds = list(StratifiedKFold(3).split(X, y))
    Cs = [0.02, 0.2, 2.0]
    cv = LogisticRegressionCV(use_legacy_attributes=False, Cs=Cs, l1_ratios=[1.0], cv=folds, tol=1e-12,
                              fit_intercept=False, scoring="neg_log_loss").fit(X, y)
    for f, (train, test) in enumerate(folds):
        for c, C in enumerate(Cs):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sk = SkLogistic(C=C, l1_ratio=1.0, solver="liblinear", tol=1e-12,
                                fit_intercept=False, max_iter=100_000).fit(X[train], y[train])
            p = sk.predict_proba(X[test])[:, 1]
            ref = np.mean(y[test] * np.log(p) + (1 - y[test]) * np.log(1 - p))
            assert cv.scores_[f, 0, c] == pytest.approx(ref, rel=1e-5)


def test_cv_threads_are_bit_identical():
    X, y = binary(200, 30, seed=5)
    kw = dict(Cs=6, l1_ratios=[0.5, 1.0], cv=3)
    a = LogisticRegressionCV(use_legacy_attributes=False, n_jobs=1, **kw).fit(X, y)
    b = LogisticRegressionCV(use_legacy_attributes=False, n_jobs=2, **kw).fit(X, y)
    np.testing.assert_array_equal(a.scores_, b.scores_)
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_cv_refit_false_averages_fold_coefficients():
    X, y = binary(150, 10, seed=6)
    cv = LogisticRegressionCV(use_legacy_attributes=False, Cs=5, l1_ratios=[1.0], cv=3, refit=False).fit(X, y)
    best = [np.unravel_index(np.argmax(s), s.shape) for s in cv.scores_]
    coef = np.mean([cv.coefs_paths_[f, r, c, :, :-1] for f, (r, c) in enumerate(best)],
                   axis=0)
    np.testing.assert_allclose(cv.coef_, coef)
    assert cv.coefs_paths_.shape == (3, 1, 5, 1, 11)


def test_cv_multinomial_and_strings():
    X, y = make_classification(150, 8, n_informative=5, n_classes=3, random_state=7)
    labels = np.array(["a", "b", "c"])[y]
    cv = LogisticRegressionCV(use_legacy_attributes=False, Cs=4, l1_ratios=[0.5], cv=3, max_iter=1000).fit(X, labels)
    assert cv.coef_.shape == (3, 8) and list(cv.classes_) == ["a", "b", "c"]
    np.testing.assert_allclose(cv.predict_proba(X).sum(axis=1), 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SkLogistic(C=cv.C_, l1_ratio=0.5, solver="saga", tol=1e-10,
                        max_iter=100_000).fit(X, labels)
    np.testing.assert_array_equal(cv.predict(X), sk.predict(X))


def test_cv_legacy_attributes_are_sklearns():
    """use_legacy_attributes: True (and the default 'warn', with scikit-learn's
    FutureWarning) gives scikit-learn 1.9's legacy attribute types, shapes and keys,
    holding the values of the new attributes (False) rearranged."""
    for n_classes, l1_ratios in [(2, [0.5, 1.0]), (3, None)]:
        X, y = make_classification(120, 6, n_informative=4, n_classes=n_classes,
                                   random_state=3)
        kw = dict(Cs=3, cv=3, l1_ratios=l1_ratios, scoring="neg_log_loss")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", ConvergenceWarning)
            sk = SkLogisticCV(use_legacy_attributes=True, solver="saga", max_iter=20,
                              **kw).fit(X, y)
            new = LogisticRegressionCV(use_legacy_attributes=False, **kw).fit(X, y)
        with pytest.warns(FutureWarning, match="use_legacy_attributes will change"):
            old = LogisticRegressionCV(**kw).fit(X, y)
        for name in ["C_", "l1_ratio_", "l1_ratios_", "n_iter_"]:
            assert type(getattr(old, name)) is type(getattr(sk, name)), name
            assert np.shape(getattr(old, name)) == np.shape(getattr(sk, name)), name
        for name in ["scores_", "coefs_paths_"]:
            ours, ref = getattr(old, name), getattr(sk, name)
            assert list(ours) == list(ref), name
            assert all(ours[k].shape == ref[k].shape for k in ref), name
        assert np.all(old.C_ == new.C_)
        assert_legacy_holds_new(old, new, l1_ratios is None)
        np.testing.assert_array_equal(old.coef_, new.coef_)


def assert_legacy_holds_new(old, new, no_ratio_axis):
    """The legacy (fold, C[, l1_ratio]) arrays are the new (fold, l1_ratio, C) ones."""
    scores = np.swapaxes(new.scores_, 1, 2)
    paths = np.swapaxes(new.coefs_paths_, 1, 2)
    n_iter = np.swapaxes(new.n_iter_, 1, 2)[None]
    if no_ratio_axis:
        scores, paths, n_iter = scores[:, :, 0], paths[:, :, 0], n_iter[..., 0]
    for k, key in enumerate(old.scores_):
        np.testing.assert_array_equal(old.scores_[key], scores)
        np.testing.assert_array_equal(old.coefs_paths_[key], paths[..., k, :])
    np.testing.assert_array_equal(old.n_iter_, n_iter)


def test_cv_score_uses_the_scoring_option():
    """score() is the scorer of ``scoring`` (scikit-learn's), not accuracy."""
    from sklearn.metrics import get_scorer
    X, y = binary()
    cv = LogisticRegressionCV(use_legacy_attributes=False, Cs=3, cv=3, l1_ratios=[0.0],
                              scoring="neg_log_loss").fit(X, y)
    assert cv.score(X, y) == pytest.approx(get_scorer("neg_log_loss")(cv, X, y), rel=1e-12)
    assert cv.score(X, y) < 0


def test_cv_folds_missing_a_class_are_scored_with_every_label():
    """A test fold that holds one class only: label-taking scorers get all classes (as
    scikit-learn's LogisticRegressionCV passes them), rather than failing."""
    from sklearn.model_selection import KFold
    X = np.arange(6.0)[:, None]
    y = np.array(["a", "a", "b", "b", "c", "c"])
    cv = LogisticRegressionCV(use_legacy_attributes=False, cv=KFold(3), Cs=[1e-6, 1.0],
                              l1_ratios=[0.0], scoring="neg_brier_score").fit(X, y)
    assert cv.scores_.shape == (3, 1, 2) and np.all(np.isfinite(cv.scores_))


def test_cv_deprecated_penalty():
    X, y = binary()
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        cv = LogisticRegressionCV(use_legacy_attributes=False, penalty="l1", Cs=3, cv=3).fit(X, y)
    # as scikit-learn: l1_ratios_ is [None] (l1_ratios not given), the fits are L1
    assert list(cv.l1_ratios_) == [None] and cv.l1_ratio_ == 1.0
    l1 = LogisticRegressionCV(use_legacy_attributes=False, l1_ratios=[1.0], Cs=3,
                              cv=3).fit(X, y)
    np.testing.assert_array_equal(cv.scores_, l1.scores_)


# moderate Cs: at C = 1e4 (the default grid's end) the multinomial fit of the
# check data is nearly separable and its decision values agree to 1e-7, not better
@parametrize_with_checks([LogisticRegressionCV(Cs=[0.1, 1.0, 10.0], cv=3, tol=1e-15,
                                               max_iter=1000)])
def test_cv_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_separable_unpenalised_fit_warns_and_stops():
    """C = inf on separable data: the fit ends (the loss goes to 0) and says why its
    coefficients mean nothing; on overlapping classes it does not warn."""
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    y = (X[:, 0] > 0).astype(int)
    with pytest.warns(ConvergenceWarning, match="linearly separable"):
        m = LogisticRegression(C=np.inf).fit(X, y)
    assert np.all(expit(X @ m.coef_[0] + m.intercept_[0])[y == 1] > 0.5)
    y_noisy = (X[:, 0] + rng.randn(60) > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression(C=np.inf).fit(X, y_noisy)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("name, metric, method", [
    ("neg_log_loss", "log_loss", "predict_proba"), ("accuracy", "accuracy_score", "predict")])
def test_cv_builtin_scores_equal_sklearn_scorers(n_classes, name, metric, method):
    """The vectorised accuracy / log-loss equal scikit-learn's scorers, with weights."""
    from sklearn import metrics
    X, y = make_classification(200, 10, n_informative=5, n_classes=n_classes,
                               random_state=0)
    sw = np.random.RandomState(0).uniform(0, 2, len(y))
    scorer = metrics.make_scorer(getattr(metrics, metric), response_method=method,
                                 greater_is_better=name == "accuracy")
    kw = dict(Cs=6, l1_ratios=[0.5], cv=3)
    ours = LogisticRegressionCV(use_legacy_attributes=False, scoring=name, **kw).fit(X, y, sample_weight=sw)
    ref = LogisticRegressionCV(use_legacy_attributes=False, scoring=scorer, **kw).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.scores_, ref.scores_, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("params, match", [
    (dict(use_legacy_attributes="yes"), "use_legacy_attributes must be True or False"),
    (dict(use_legacy_attributes=None), "use_legacy_attributes must be True or False"),
    (dict(l1_ratios="x"), "l1_ratios must be a float or a non-empty list"),
    (dict(l1_ratios=[0.5, "a"]), "l1_ratios must be a float or a non-empty list"),
    (dict(l1_ratios=None, penalty="elasticnet"), "needs l1_ratios"),
])
def test_cv_bad_params_name_the_parameter(params, match):
    X, y = binary()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(ValueError, match=match):
            LogisticRegressionCV(**{"use_legacy_attributes": False, **params}).fit(X, y)
