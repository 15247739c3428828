"""Input checks: clear errors for bad input, views (never copies) of good input."""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import DataConversionWarning
from sklearn.utils import check_scalar
from sklearn.utils.metadata_routing import _raise_for_params
from sklearn.utils.validation import check_array, validate_data

# Sparse formats kept by validation: CSC is used as is, CSR and COO cost one
# conversion; any other (LIL, DOK, DIA, BSR) is converted to CSC by
# scikit-learn's check_array, as scikit-learn's estimators accept them.
SPARSE_CONVERTIBLE = ("csc", "csr", "coo")


def check_scalar_param(value, name, owner, *, low=None, high=None,
                       low_inclusive=True, high_inclusive=True, kind="real"):
    """Validate one numeric hyper-parameter and return it as float or int."""
    types = numbers.Integral if kind == "int" else numbers.Real
    if isinstance(value, bool) or not isinstance(value, types):
        what = "an integer" if kind == "int" else "a number"
        raise TypeError(f"{owner}: {name} must be {what}, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{owner}: {name} must be finite, got {value!r}")
    bad_low = low is not None and (value < low or (value == low and not low_inclusive))
    bad_high = high is not None and (value > high or (value == high and not high_inclusive))
    if bad_low or bad_high:
        lo = "(-inf" if low is None else ("[" if low_inclusive else "(") + f"{low}"
        hi = "inf)" if high is None else f"{high}" + ("]" if high_inclusive else ")")
        raise ValueError(f"{owner}: {name} must be in {lo}, {hi}, got {value!r}")
    return int(value) if kind == "int" else float(value)


def check_numeric(a, name, owner):
    """Refuse arrays of strings or bytes up front, with a message naming the input.

    Object arrays (which may hold numbers) are left to the conversion, which
    reports the first value it cannot convert.
    """
    kind = getattr(getattr(a, "dtype", None), "kind", None)
    if kind in ("U", "S", "V"):
        raise ValueError(
            f"{owner}: {name} must be numeric, got an array of dtype {a.dtype}; "
            "encode text or categorical data as numbers first")


def as_csc(X, owner):
    """CSC with canonical structure and int32 row indices.

    CSC input with int32 indices and no duplicates is used as is (the index
    arrays may be re-typed: int64 indices cost a copy of the indices only).
    """
    if X.format != "csc":
        X = sp.csc_matrix(X)
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    if X.nnz >= 2**31 - 1:
        raise ValueError(f"{owner}: sparse X has {X.nnz} stored values; "
                         "at most 2**31 - 2 are supported")
    return X


def validate_X_y(estimator, X, y, *, reset=True, multi_output=False,
                 check_finite=True):
    """Validate X and y for fitting; returns (X, y) with y 1-d in X's dtype.

    With multi_output=True a 2-d y of shape (n, n_targets) is kept 2-d.
    check_finite=False leaves the NaN/inf test of X to the caller: a Problem
    does it on the sums of its first pass over X, which saves a pass.

    Dense X keeps float32/float64 and is copied only when it is not already
    Fortran-ordered (or not floating point).  Read-only and memory-mapped
    arrays are accepted without a copy.
    """
    owner = type(estimator).__name__
    check_numeric(X, "X", owner)
    check_numeric(y, "y", owner)
    X, y = validate_data(
        estimator, X, y, reset=reset,
        accept_sparse=list(SPARSE_CONVERTIBLE),
        dtype=[np.float64, np.float32],
        order="F", multi_output=True, y_numeric=True,
        accept_large_sparse=True, ensure_min_features=1, ensure_min_samples=1,
        ensure_all_finite=check_finite,
    )
    if sp.issparse(X):
        X = as_csc(X, owner)
    y = check_y(y, X.dtype, owner, multi_output=multi_output)
    return X, y


def raise_non_finite_X(X, owner):
    """Raise the error for X whose sums over samples came out NaN or infinite.

    NaN and inf propagate through every product and sum, so non-finite sums
    mean X holds one (scikit-learn's message, naming the input), or that
    finite values overflowed.
    """
    check_array(X, accept_sparse=True, dtype=None, ensure_2d=False,
                ensure_all_finite=True, input_name="X", estimator=owner)
    # scikit-learn's words first: code may match them (its solver finds out later)
    raise ValueError(f"{owner}: Coordinate descent iterations resulted in non-finite "
                     "parameter values: X^T y overflows float64; rescale X or y "
                     "(e.g. StandardScaler)")


def check_y(y, dtype, owner, multi_output=False):
    """A 1-d finite target; (n, 1) is accepted with a warning, more columns refused
    (with scikit-learn's message: its single-target CV models refuse them too)."""
    y = np.asarray(y)
    if y.ndim == 2 and not multi_output:
        if y.shape[1] != 1:
            raise ValueError(
                f"For multi-task outputs, use MultiTask{owner}: {owner} fits one "
                f"target, and y has shape {y.shape}; or fit one {owner} per column")
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected; "
            "it is raveled.", DataConversionWarning, stacklevel=3)
        y = y[:, 0]
    y = check_array(y, ensure_2d=False, dtype=dtype, input_name="y")
    return np.ascontiguousarray(y)


def check_sample_weight(sample_weight, n_samples, dtype, owner, rescale=True):
    """Non-negative finite weights, not all zero, rescaled to sum to n_samples.

    rescale=False returns them as given (Ridge's objective depends on their scale).

    Always returns a new array (the caller's is never modified), or None.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n_samples, sample_weight, dtype=np.float64)
    sw = check_array(sample_weight, ensure_2d=False, dtype=np.float64,
                     input_name="sample_weight")
    if sw.ndim != 1:    # scikit-learn's message
        raise ValueError(f"{owner}: Sample weights must be 1D array or scalar, got "
                         f"shape {sw.shape}")
    if sw.shape[0] != n_samples:
        raise ValueError(f"{owner}: sample_weight has shape {sw.shape}, expected "
                         f"({n_samples},) to match X")
    if np.any(sw < 0):
        raise ValueError(f"{owner}: sample_weight has negative values")
    total = sw.sum()
    if total <= 0:
        raise ValueError(f"{owner}: sample_weight sums to zero; at least one "
                         "sample needs a positive weight")
    if not rescale:
        return np.array(sw, dtype=dtype)
    return np.ascontiguousarray(sw * (n_samples / total), dtype=dtype)


def check_penalty_factor(penalty_factor, n_features, owner):
    """Per-feature penalty factors (default 1; 0 leaves a feature unpenalised)."""
    if penalty_factor is None:
        return np.ones(n_features)
    pf = np.asarray(penalty_factor)
    if pf.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: penalty_factor must be numeric, got dtype {pf.dtype}")
    pf = pf.astype(np.float64).ravel() if pf.ndim <= 1 else pf
    if pf.ndim != 1 or pf.shape[0] != n_features:
        raise ValueError(f"{owner}: penalty_factor has shape {np.shape(penalty_factor)}, "
                         f"expected ({n_features},), one factor per feature")
    if not np.all(np.isfinite(pf)):
        raise ValueError(f"{owner}: penalty_factor must be finite")
    if np.any(pf < 0):
        raise ValueError(f"{owner}: penalty_factor must be non-negative")
    if not np.any(pf > 0):
        raise ValueError(f"{owner}: penalty_factor is zero for every feature; "
                         "at least one feature must be penalised")
    return pf


def check_bounds(lower_bounds, upper_bounds, positive, n_features, owner):
    """Per-feature box bounds as float64 arrays, lower <= 0 <= upper.

    As glmnet's ``lower.limits`` / ``upper.limits``: a scalar or one value per
    feature, None for no bound; the bounds must keep 0 feasible (every path
    starts there).  ``positive=True`` is a lower bound of 0.
    """
    def as_bound(value, name, default):
        if value is None:
            return np.full(n_features, default)
        b = np.asarray(value)
        if b.dtype.kind not in "biuf":
            raise TypeError(f"{owner}: {name} must be numeric, got dtype {b.dtype}")
        b = np.array(np.broadcast_to(b.astype(np.float64), (n_features,))
                     if b.ndim == 0 else b, dtype=np.float64)
        if b.shape != (n_features,):
            raise ValueError(f"{owner}: {name} has shape {np.shape(value)}, expected a "
                             f"scalar or ({n_features},), one bound per feature")
        if np.isnan(b).any():
            raise ValueError(f"{owner}: {name} contains NaN")
        return b

    lower = as_bound(lower_bounds, "lower_bounds", -np.inf)
    upper = as_bound(upper_bounds, "upper_bounds", np.inf)
    if np.any(lower > 0):
        raise ValueError(f"{owner}: lower_bounds must be <= 0 (0 must be feasible, as in "
                         "glmnet's lower.limits); got a positive value")
    if np.any(upper < 0):
        raise ValueError(f"{owner}: upper_bounds must be >= 0 (0 must be feasible, as in "
                         "glmnet's upper.limits); got a negative value")
    if positive:
        lower = np.maximum(lower, 0.0)
    return lower, upper


def check_ratios(values, name, owner):
    """A float or non-empty 1-d list of l1_ratios, each in [0, 1], as float64."""
    try:
        ratios = np.atleast_1d(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: {name} must be a float or a non-empty list of floats "
                         f"in [0, 1], got {values!r}") from None
    if ratios.ndim != 1 or ratios.size == 0:
        raise ValueError(f"{owner}: {name} must be a float or a non-empty list of floats")
    for r in ratios:
        check_scalar_param(float(r), name, owner, low=0, high=1)
    return ratios


def check_alphas(alphas, strict, owner):
    """alphas as a 1-d float64 array of positive (strict) or non-negative values.

    Each value is checked by scikit-learn's ``check_scalar`` (its messages,
    ``alphas[i] == v, must be > 0.0.``, and TypeError for a non-number).
    """
    a = np.asarray(alphas, dtype=object)
    if a.ndim > 1 or a.size == 0:
        raise ValueError(f"{owner}: alphas must be a number or a non-empty 1-d "
                         f"array of numbers, got {alphas!r}")
    a = a.ravel()
    for i, value in enumerate(a):
        check_scalar(value, f"alphas[{i}]", numbers.Real, min_val=0.0,
                     include_boundaries="neither" if strict else "left")
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{owner}: alphas must be finite, got {alphas!r}")
    return a


def refuse_fit_params(params, estimator, method="fit"):
    """Refuse the metadata passed to ``method`` as ``**params``: regfast does not
    route it.

    With scikit-learn's metadata routing disabled (its default), scikit-learn's
    own error and message.
    """
    if params:
        _raise_for_params(params, estimator, method)
        raise ValueError(f"{type(estimator).__name__}: metadata routing is not "
                         f"supported; got {sorted(params)}")
