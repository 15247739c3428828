"""scikit-learn's estimator checks pass for every regfast estimator, none marked as expected to fail."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from regfast import (ElasticNet, ElasticNetCV, Lasso, LassoCV, MultiTaskElasticNet,
                     MultiTaskElasticNetCV, MultiTaskLasso, MultiTaskLassoCV)


# The CV estimators run at a tight tol: check_sample_weight_equivalence compares
# weighted and repeated-sample fits to rtol 1e-7, finer than the default tol.
TIGHT = dict(alphas=10, cv=3, tol=1e-10, max_iter=100_000)


@parametrize_with_checks([Lasso(), ElasticNet(), LassoCV(**TIGHT),
                          ElasticNetCV(l1_ratio=[0.5, 1.0], **TIGHT),
                          MultiTaskLasso(), MultiTaskElasticNet(),
                          MultiTaskLassoCV(**TIGHT),
                          MultiTaskElasticNetCV(l1_ratio=[0.5, 1.0], **TIGHT)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
