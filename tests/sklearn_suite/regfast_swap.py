"""pytest plugin: run scikit-learn's own linear-model tests against regfast's estimators.

Loaded with ``-p regfast_swap`` (``tests/test_sklearn_suite.py`` does so in a
subprocess).  At import, before any test module is collected, it replaces the
names regfast provides in the ``sklearn.linear_model`` namespace, so a test
module's ``from sklearn.linear_model import Lasso`` gets ``regfast.Lasso``.
Everything else (``ridge_regression``, RidgeClassifier, the private
helpers tests import from submodules) stays scikit-learn's.  The submodules
(``sklearn.linear_model._coordinate_descent`` ...) are deliberately left alone:
scikit-learn's own code looks names up there (``_log_reg_scoring_path`` builds
a ``LogisticRegression``, ``RidgeClassifierCV`` a ``Ridge``), and the tests
import only private helpers from them.

Deliberate differences are marked xfail from ``REASONS`` below: strictly (a
test that starts to pass fails the run) and checked (an entry that matches no
test of a collected file is an error), so the list cannot go stale.
"""

import fnmatch

import pytest
import sklearn.linear_model

import regfast

SWAPPED = ("Lasso", "ElasticNet", "LassoCV", "ElasticNetCV", "lasso_path", "enet_path",
           "MultiTaskLasso", "MultiTaskElasticNet", "MultiTaskLassoCV",
           "MultiTaskElasticNetCV", "Ridge", "RidgeCV", "LogisticRegression",
           "LogisticRegressionCV")

for _name in SWAPPED:
    setattr(sklearn.linear_model, _name, getattr(regfast, _name))


# The deliberate differences and known limits: reason -> tests, as
# "file::name pattern" (fnmatch on the test name with its parameters).  The
# parameter ids include scikit-learn's global_random_seed, fixed at 42 by
# tests/test_sklearn_suite.py.
CD, RIDGE, LOGIT = "test_coordinate_descent.py", "test_ridge.py", "test_logistic.py"
REASONS = {
    "regfast validates X and y whatever check_input, and never writes to X: the test "
    "expects the failure or the overwritten X that skipping scikit-learn's validation "
    "causes": [
        f"{CD}::test_check_input_false",
        f"{CD}::test_enet_copy_X_False_check_input_False",
    ],
    "monkeypatches scikit-learn's private sklearn.linear_model._coordinate_descent.Lasso, "
    "which regfast's LassoCV does not use": [
        f"{CD}::test_lassoCV_does_not_set_precompute[[]*",
    ],
    "a feature: a converged fit ends on the exact minimiser of its support (a Newton "
    "step with the signs held), so dual_gap_ and the test's own gap are both rounding "
    "(1e-16 and -6e-16), which the test compares to rtol 1e-7": [
        f"{CD}::test_lasso_dual_gap",
    ],
    "a feature: every regfast Ridge solver fits the intercept on sparse X (scikit-learn "
    "refuses 'cholesky' and 'saga' there)": [
        f"{RIDGE}::test_ridge_fit_intercept_sparse_error[[]*-saga]",
        f"{RIDGE}::test_ridge_fit_intercept_sparse_error[[]*-cholesky]",
    ],
    "Ridge's 'sag' and 'saga' are served by regfast's exact solver: no warning that 'sag' "
    "needs many iterations on sparse X, n_iter_ is 1 for them; n_iter_ is also given for "
    "'sparse_cg' (scikit-learn: None)": [
        f"{RIDGE}::test_ridge_fit_intercept_sparse_sag[[]*",
        f"{RIDGE}::test_n_iter",
    ],
    "LogisticRegression's tol bounds the relative duality gap, as coordinate descent's "
    "does: at tol 1e-8 the objective is certified to 1e-8 relative and the coefficients "
    "to about its square root, while the test compares coefficients to 1e-5 or closer, "
    "as the gradient tolerance of lbfgs or Newton gives": [
        f"{LOGIT}::test_logistic_glmnet[[]*",
        f"{LOGIT}::test_consistency_path[[]*",
        f"{LOGIT}::test_logistic_regressioncv_class_weights[[]42-balanced-weight1]",
        f"{LOGIT}::test_LogisticRegressionCV_on_folds",
    ],
    "a feature: every solver name runs regfast's one solver, which takes every penalty, "
    "dual, multiclass targets, 64-bit sparse indices and values beyond 1e30, and has no "
    "random state; scikit-learn's solver-specific errors are not raised": [
        f"{LOGIT}::test_check_solver_option[[]*",
        f"{LOGIT}::test_liblinear_multiclass_raises[[]*",
        f"{LOGIT}::test_large_sparse_matrix[[]*-liblinear]",
        f"{LOGIT}::test_large_sparse_matrix[[]*-sag]",
        f"{LOGIT}::test_large_sparse_matrix[[]*-saga]",
        f"{LOGIT}::test_liblinear_with_large_values",
        f"{LOGIT}::test_liblinear_dual_random_state[[]*",
    ],
    "the ConvergenceWarning is regfast's own (it gives the steps, max_iter and the duality "
    "gap), not the message of the scikit-learn solver named": [
        f"{LOGIT}::test_max_iter[[]*",
        f"{LOGIT}::test_newton_cholesky_fallback_to_lbfgs",
    ],
    "a feature: float32 X gives float32 coef_ for every solver name (scikit-learn's "
    "liblinear returns float64)": [
        f"{LOGIT}::test_dtype_match[[]*-liblinear]",
    ],
    "regfast's LogisticRegression has parameters of its own (penalty_factor, lower_bounds, "
    "upper_bounds), which the test passes from get_params() to scikit-learn's private "
    "_log_reg_scoring_path": [
        f"{LOGIT}::test_logistic_cv_multinomial_score[[]*",
    ],
    "scikit-learn 1.9's experimental callbacks (set_callbacks, lbfgs only there) are not "
    "implemented: the kernel runs the whole fit without the GIL": [
        f"{LOGIT}::test_logistic_regression_callback_support[[]*",
        f"{LOGIT}::test_logistic_regression_callback_fitted_estimator[[]*",
        f"{LOGIT}::test_logistic_regression_callback_support_warning",
    ],
    "metadata routing is not implemented: LogisticRegressionCV always weights the held-out "
    "scores by sample_weight, whatever the scorer requests": [
        f"{LOGIT}::test_lr_cv_scores_differ_when_sample_weight_is_requested[[]*",
    ],
}
XFAIL = {tuple(test.split("::")): reason
         for reason, tests in REASONS.items() for test in tests}


def pytest_report_header(config):
    return "regfast_swap: sklearn.linear_model.{%s} are regfast's" % ", ".join(SWAPPED)


@pytest.hookimpl(tryfirst=True)       # before -k / -m deselect anything
def pytest_collection_modifyitems(config, items):
    # a test module that got scikit-learn's class (imported before the swap)
    # would test scikit-learn, and pass: refuse to run it
    for module in {item.module for item in items if item.module is not None}:
        kept = [name for name in SWAPPED
                if getattr(module, name, None) not in (None, getattr(regfast, name))]
        if kept:
            raise pytest.UsageError(f"regfast_swap: {module.__name__} holds scikit-learn's "
                                    f"{kept}, not regfast's")
    used = set()
    for item in items:
        file = item.path.name
        for (where, pattern), reason in XFAIL.items():
            if where == file and fnmatch.fnmatchcase(item.name, pattern):
                item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
                used.add((where, pattern))
                break
    # an entry that matches no test of a collected file is stale (renamed test)
    files = {item.path.name for item in items}
    stale = [f"{w}::{p}" for (w, p) in XFAIL if w in files and (w, p) not in used]
    if stale:
        raise pytest.UsageError(f"regfast_swap: xfail entries match no test: {stale}")
