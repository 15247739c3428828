"""Bad input gets a clear error of the right type, naming the problem; good variants are accepted."""

import numpy as np
import pytest
import scipy.sparse as sp

from regfast import ElasticNet, ElasticNetCV, Lasso, LassoCV, enet_path, lasso_path

N, P = 20, 5


def data():
    rng = np.random.RandomState(0)
    X = rng.randn(N, P)
    return X, X @ rng.randn(P) + rng.randn(N)


def with_value(a, value, index=(3, 2)):
    a = a.copy()
    a[index] = value
    return a


def fit_with(X=None, y=None, sample_weight=None, estimator=None, **params):
    """A fit call with one thing changed from valid data and default parameters."""
    X0, y0 = data()
    est = estimator if estimator is not None else Lasso(**params)
    return lambda: est.fit(X0 if X is None else X, y0 if y is None else y,
                           sample_weight=sample_weight)


X0, y0 = data()
S0 = sp.csc_matrix(X0)

BAD_INPUT = {
    # name: (fit call, error type, pattern the message must contain)
    "nan_in_X": (fit_with(X=with_value(X0, np.nan)), ValueError, "X contains NaN"),
    "inf_in_X": (fit_with(X=with_value(X0, np.inf)), ValueError, "X contains infinity"),
    "nan_in_sparse_X": (fit_with(X=sp.csc_matrix(with_value(X0, np.nan))), ValueError,
                        "X contains NaN"),
    "inf_in_sparse_X": (fit_with(X=sp.csc_matrix(with_value(X0, -np.inf))), ValueError,
                        "X contains infinity"),
    # X's NaN/inf test rides on the first pass over X (see Problem): every way
    # through it must still refuse them
    "inf_in_X_zero_weight_row": (fit_with(X=with_value(X0, np.inf),
                                          sample_weight=with_value(np.ones(N), 0.0, 3)),
                                 ValueError, "X contains infinity"),
    "nan_in_X_no_intercept": (fit_with(X=with_value(X0, np.nan), fit_intercept=False),
                              ValueError, "X contains NaN"),
    "nan_in_X_y_zero_there": (fit_with(X=with_value(X0, np.nan, (0, 1)),
                                       y=with_value(y0, 0.0, 0), fit_intercept=False),
                              ValueError, "X contains NaN"),
    "nan_in_float32_X_gram": (fit_with(X=with_value(X0, np.nan).astype(np.float32),
                                       precompute=True), ValueError, "X contains NaN"),
    "nan_in_X_cv": (fit_with(X=with_value(X0, np.nan), estimator=LassoCV(cv=3)),
                    ValueError, "X contains NaN"),
    "inf_in_X_enet_cv": (fit_with(X=sp.csc_matrix(with_value(X0, np.inf)),
                                  estimator=ElasticNetCV(cv=3)),
                         ValueError, "X contains infinity"),
    "nan_in_X_lasso_path": (lambda: lasso_path(with_value(X0, np.nan), y0), ValueError,
                            "X contains NaN"),
    "inf_in_X_enet_path": (lambda: enet_path(sp.csc_matrix(with_value(X0, np.inf)), y0),
                           ValueError, "X contains infinity"),
    "X_overflows": (fit_with(X=X0 * 1e300, y=y0 * 1e10), ValueError,
                    "X\\^T y overflows float64; rescale X or y"),
    "y_overflows": (fit_with(X=np.abs(X0) + 1, y=np.r_[np.full(15, 1e308), np.full(5, -1e308)]),
                    ValueError, "y is too large"),
    "nan_in_y": (fit_with(y=with_value(y0, np.nan, 4)), ValueError, "y contains NaN"),
    "inf_in_y": (fit_with(y=with_value(y0, np.inf, 4)), ValueError, "y contains infinity"),
    "y_shorter_than_X": (fit_with(y=y0[:-1]), ValueError,
                         r"inconsistent numbers of samples: \[20, 19\]"),
    "empty_X": (fit_with(X=np.empty((0, P)), y=np.empty(0)), ValueError, "0 sample"),
    "empty_sparse_X": (fit_with(X=sp.csc_matrix((0, P)), y=np.empty(0)), ValueError,
                       "0 sample"),
    "zero_features": (fit_with(X=np.empty((N, 0))), ValueError, "0 feature"),
    "zero_features_sparse": (fit_with(X=sp.csc_matrix((N, 0))), ValueError, "0 feature"),
    "one_dim_X": (fit_with(X=X0[:, 0]), ValueError, "Expected 2D array"),
    "negative_alpha": (fit_with(alpha=-0.1), ValueError, r"alpha must be in \[0, inf\)"),
    "nan_alpha": (fit_with(alpha=np.nan), ValueError, "alpha must be finite"),
    "string_alpha": (fit_with(alpha="0.1"), TypeError, "alpha must be a number"),
    "l1_ratio_above_1": (fit_with(estimator=ElasticNet(l1_ratio=1.5)), ValueError,
                         r"l1_ratio must be in \[0, 1\], got 1.5"),
    "l1_ratio_below_0": (fit_with(estimator=ElasticNet(l1_ratio=-0.1)), ValueError,
                         r"l1_ratio must be in \[0, 1\], got -0.1"),
    "negative_sample_weight": (fit_with(sample_weight=with_value(np.ones(N), -1.0, 0)),
                               ValueError, "sample_weight has negative values"),
    "all_zero_sample_weight": (fit_with(sample_weight=np.zeros(N)), ValueError,
                               "sample_weight sums to zero"),
    "nan_sample_weight": (fit_with(sample_weight=with_value(np.ones(N), np.nan, 0)),
                          ValueError, "sample_weight contains NaN"),
    "sample_weight_wrong_length": (fit_with(sample_weight=np.ones(N - 1)), ValueError,
                                   r"sample_weight has shape \(19,\), expected \(20,\)"),
    "penalty_factor_wrong_length": (fit_with(penalty_factor=np.ones(P - 1)), ValueError,
                                    r"penalty_factor has shape \(4,\), expected \(5,\)"),
    "negative_penalty_factor": (fit_with(penalty_factor=with_value(np.ones(P), -1.0, 0)),
                                ValueError, "penalty_factor must be non-negative"),
    "nan_penalty_factor": (fit_with(penalty_factor=with_value(np.ones(P), np.nan, 0)),
                           ValueError, "penalty_factor must be finite"),
    "all_zero_penalty_factor": (fit_with(penalty_factor=np.zeros(P)), ValueError,
                                "penalty_factor is zero for every feature"),
    "string_X": (fit_with(X=X0.astype(str)), ValueError, "X must be numeric"),
    "string_y": (fit_with(y=np.array(["a"] * N)), ValueError, "y must be numeric"),
    "object_X_with_strings": (fit_with(X=with_value(X0.astype(object), "abc")), ValueError,
                              "could not convert string to float: 'abc'"),
    "complex_X": (fit_with(X=X0 + 1j), ValueError, "Complex data not supported"),
    # scikit-learn's single-target CV models refuse them too, with this message
    "multi_output_y_cv": (fit_with(y=np.c_[y0, y0], estimator=LassoCV(cv=3)), ValueError,
                          r"For multi-task outputs, use MultiTaskLassoCV: LassoCV fits one "
                          r"target, and y has shape \(20, 2\)"),
    "multi_output_y_path_bounds": (
        lambda: lasso_path(X0, np.c_[y0, y0], lower_bounds=0.0), ValueError,
        "lower_bounds is not supported with a 2-d y"),
    "positive_column_y_path": (lambda: enet_path(X0, y0[:, None], positive=True), ValueError,
                               "positive=True is not allowed for multi-output"),
    "max_iter_zero": (fit_with(max_iter=0), ValueError, r"max_iter must be in \[1, inf\)"),
    "negative_tol": (fit_with(tol=-1e-4), ValueError, r"tol must be in \[0, inf\)"),
    "unknown_selection": (fit_with(selection="greedy"), ValueError,
                          "selection must be 'cyclic' or 'random'"),
    "unknown_precompute": (fit_with(precompute="yes"), ValueError,
                           "precompute must be 'auto', a bool or an array"),
    "gram_wrong_shape": (fit_with(precompute=np.eye(P - 1)), ValueError,
                         r"Gram matrix has shape \(4, 4\), expected \(5, 5\)"),
    "gram_not_of_X": (fit_with(precompute=np.eye(P)), ValueError,
                      "Gram matrix did not pass validation: it does not match X"),
}
@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_refused_with_a_clear_message(case):
    fit, error, pattern = BAD_INPUT[case]
    with pytest.raises(error, match=pattern):
        fit()


@pytest.mark.parametrize("fmt", ["lil", "dok", "dia", "bsr"])
def test_other_sparse_formats_are_converted(fmt):
    """As scikit-learn's: LIL, DOK, DIA and BSR X are converted (to CSC) in fit and predict."""
    ref = Lasso(alpha=0.01).fit(S0, y0)
    est = Lasso(alpha=0.01).fit(S0.asformat(fmt), y0)
    np.testing.assert_array_equal(est.coef_, ref.coef_)
    np.testing.assert_array_equal(est.predict(S0.asformat(fmt)), ref.predict(S0))


def test_predict_checks_the_number_of_features():
    est = Lasso(alpha=0.01).fit(X0, y0)
    with pytest.raises(ValueError, match="X has 4 features, but Lasso is expecting 5"):
        est.predict(X0[:, :4])


X_INT = (X0 * 100).astype(np.int64)
CONVERTIBLE = {
    # name: (input, the same numbers as an F-ordered float64 array)
    "csr": (sp.csr_matrix(X0), X0),
    "coo": (sp.coo_matrix(X0), X0),
    "csc_array": (sp.csc_array(X0), X0),
    "csr_array": (sp.csr_array(X0), X0),
    "csc_int64_indices": (sp.csc_matrix((S0.data, S0.indices.astype(np.int64),
                                         S0.indptr.astype(np.int64)), shape=S0.shape), X0),
    "C_dense": (np.ascontiguousarray(X0), X0),
    "list": (X0.tolist(), X0),
    "int64": (X_INT, X_INT.astype(np.float64)),
    "bool": (X0 > 0, (X0 > 0).astype(np.float64)),
}


@pytest.mark.parametrize("case", list(CONVERTIBLE))
def test_convertible_input_is_accepted(case):
    """Other layouts and numeric dtypes give the answer of the same numbers in float64."""
    X, X_ref = CONVERTIBLE[case]
    est = Lasso(alpha=0.01, tol=1e-12).fit(X, y0)
    ref = Lasso(alpha=0.01, tol=1e-12).fit(np.asfortranarray(X_ref), y0)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(est.predict(X), ref.predict(X_ref), rtol=0, atol=1e-9)


def test_column_vector_y_is_raveled_with_a_warning():
    """By the CV models, as scikit-learn's (Lasso takes it as one target of many:
    tests/test_multi_output.py)."""
    from sklearn.exceptions import DataConversionWarning
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        est = LassoCV(cv=3).fit(X0, y0[:, None])
    np.testing.assert_array_equal(est.coef_, LassoCV(cv=3).fit(X0, y0).coef_)
