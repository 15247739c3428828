"""scikit-learn's estimator checks pass for every regfast estimator, none marked as expected to fail."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from regfast import ElasticNet, Lasso


@parametrize_with_checks([Lasso(), ElasticNet()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
