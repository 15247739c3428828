"""Docstring pieces shared by the elastic-net estimators and paths (one home each).

A docstring names a piece with a line holding only ``%(name)s``; `fill_doc`
replaces it with the piece, indented as that line (so the docstrings work with
or without the indentation Python >= 3.13 strips at compile time).
"""

import re

ENET_PARAMS = """\
fit_intercept : bool, default=True
    Fit an intercept.  X is centred implicitly, never copied.
precompute : 'auto', bool or array of shape (n_features, n_features), default='auto'
    Gram (covariance) mode: work with the centred, weighted X^T X, in O(p)
    per coordinate update.  'auto' (regfast's default; scikit-learn's is
    False) uses it for dense X with n_samples > 2 * n_features and
    n_features <= 4096; the solution is the same.  An array is taken as that
    Gram matrix (one column is checked against X)."""

ENET_MAX_ITER = """\
max_iter : int, default=1000
    Maximum number of coordinate-descent epochs (passes over the working set),
    in total."""

COPY_X = """\
copy_X : bool, default=True
    Accepted for compatibility: regfast never writes to X."""

ENET_PARAMS_END = """\
tol : float, default=1e-4
    Duality-gap tolerance, with scikit-learn's meaning: converged when the gap
    is at most ``tol * ||y_c||^2_S / n_samples`` (y_c: y centred).
warm_start : bool, default=False
    Start from the previous ``coef_`` (when its shape matches).
positive : bool, default=False
    Constrain the coefficients to be non-negative (``lower_bounds=0``).
random_state : int, RandomState instance or None, default=None
    Seed of the order of updates when ``selection='random'``.
selection : {'cyclic', 'random'}, default='cyclic'
    Order of the coordinate updates within an epoch.
penalty_factor : array-like of shape (n_features,), default=None
    Per-feature multiplier of both penalties (glmnet's ``penalty.factor``,
    used as given; default 1).  0 leaves a feature unpenalised.  Extra to
    scikit-learn.
lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
    Box constraints on the coefficients (glmnet's ``lower.limits`` and
    ``upper.limits``), lower <= 0 <= upper; None for no bound.  Extra to
    scikit-learn.
n_jobs : int, default=None
    Threads in all: over the targets of a 2-d y, and within each fit for
    the full passes over X (the gradients of all features for the duality
    gap and screening, the column norms; the epochs stay sequential).  The
    result does not depend on it.  None means 1 (-1: all CPUs), as joblib's;
    under a joblib backend that runs elsewhere (``joblib.parallel_backend(
    'dask')``), the targets are joblib tasks.  Extra to scikit-learn."""

ENET_ATTRIBUTES = """\
coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    The coefficients, in X's dtype; one row per target for a 2-d y with more
    than one column.
sparse_coef_ : sparse matrix of shape (1, n_features) or (n_targets, n_features)
    ``coef_`` as a CSR matrix.
intercept_ : float or ndarray of shape (n_targets,)
    The intercept (0.0 without ``fit_intercept``); an array for a 2-d y.
n_iter_ : int or list of int
    Coordinate-descent epochs run, one per target for several targets.
dual_gap_ : float or ndarray of shape (n_targets,)
    Duality gap at the solution, in the units of the objective (per target).
n_features_in_ : int
    Number of features seen in ``fit``.
feature_names_in_ : ndarray of shape (n_features_in_,)
    Names of the features seen in ``fit``, when X has string column names."""

ENET_OBJECTIVE = """\
Minimises, as scikit-learn's, for each target y::

    1 / (2 n) * ||y - Xw - b||^2_S
    + alpha * l1_ratio * sum_j pf_j |w_j|
    + 0.5 * alpha * (1 - l1_ratio) * sum_j pf_j w_j^2

with the sample weights S rescaled to sum to n and the penalty factors pf
(default 1).  Coordinate descent with working sets, gap-safe screening and
Anderson acceleration, in Cython without the GIL; the duality gap certifies
convergence.  X is never copied when dense Fortran-ordered (float32 stays
float32) or CSC."""

CV_PARAMS = """\
eps : float, default=1e-3
    Ratio alpha_min / alpha_max of the automatic grid.
n_alphas : int, default=None
    Older spelling of ``alphas=int`` (scikit-learn's, removed there; a
    FutureWarning says so).
alphas : int or array-like, default=100
    Number of alphas of the automatic grid (log-spaced from alpha_max, where
    every coefficient is zero, down to ``eps * alpha_max``), or the alphas to
    try.
fit_intercept : bool, default=True
    Fit an intercept (X centred implicitly).
precompute : 'auto' or bool, default='auto'
    Gram mode for each fold and the final fit (see ElasticNet).
max_iter : int, default=1000
    Maximum number of epochs of each fit.
tol : float, default=1e-4
    Duality-gap tolerance of each fit (see ElasticNet)."""

CV_CV = """\
cv : int, cross-validation generator or iterable, default=None
    None is 5-fold (KFold, no shuffling), as in scikit-learn."""

CV_PARAMS_END = """\
verbose : bool or int, default=0
    Accepted for compatibility.
n_jobs : int, default=None
    Threads in all: over the (l1_ratio, fold) pairs, and those left over
    within each fit (see ElasticNet's n_jobs) and the final refit; the
    result does not depend on it.  None means 1, -1 all CPUs.  Under a
    joblib backend that runs elsewhere (``joblib.parallel_backend('dask')``)
    the pairs are joblib tasks.
positive : bool, default=False
    Constrain the coefficients to be non-negative.
random_state : int, RandomState instance or None, default=None
    Seed of the update order with ``selection='random'``.
selection : {'cyclic', 'random'}, default='cyclic'
    Order of the coordinate updates.
penalty_factor : array-like of shape (n_features,), default=None
    Per-feature penalty multipliers (0: unpenalised).  Extra to scikit-learn.
lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
    Box constraints on the coefficients, lower <= 0 <= upper (see
    ElasticNet).  Extra to scikit-learn."""

CV_ATTRIBUTES = """\
alpha_ : float
    The alpha with the lowest mean cross-validated squared error.
coef_ : ndarray of shape (n_features,)
    Coefficients of the final fit on all the data at ``alpha_``.
intercept_ : float
    Intercept of the final fit.
dual_gap_ : float
    Duality gap of the final fit.
n_iter_ : int
    Epochs of the final fit.
n_features_in_ : int
    Number of features seen in ``fit``.
feature_names_in_ : ndarray of shape (n_features_in_,)
    Names of the features seen in ``fit``, when X has string column names."""

CV_Y = """\
y : array-like of shape (n_samples,)
    Target.  A column (n_samples, 1) is raveled with a DataConversionWarning;
    more columns are refused, as by scikit-learn's (its MultiTask models
    handle them)."""

PATH_XY = """\
X : {array-like, sparse matrix} of shape (n_samples, n_features)
    Training data; never copied when F-ordered dense or CSC.
y : array-like of shape (n_samples,) or (n_samples, n_targets)
    Target.  A 2-d y is the multi-task problem, as in scikit-learn: the L2,1
    penalty on the rows of the coefficients, shared by the targets (see
    MultiTaskElasticNet; sparse X and sample weights accepted, penalty
    factors and bounds not)."""

PATH_PARAMS = """\
eps : float, default=1e-3
    Ratio alpha_min / alpha_max of the automatic grid.
n_alphas : int, default="deprecated"
    Number of alphas: scikit-learn's older spelling of ``alphas=int``,
    deprecated there in 1.9 (a FutureWarning says so).
alphas : int or array-like, default="warn"
    Number of alphas of the automatic grid ("warn": 100; None too, with
    scikit-learn 1.9's FutureWarning), from alpha_max (where
    every coefficient is zero) down to ``eps * alpha_max``, or the alphas
    (solved in decreasing order).
precompute : 'auto', bool or array-like, default='auto'
    Gram mode, as in ElasticNet.
Xy : array-like, default=None
    Accepted for compatibility (X^T y is computed from X and y).
copy_X : bool, default=True
    Accepted for compatibility: X is never copied or modified.
coef_init : array-like of shape (n_features,), default=None
    Starting coefficients for the first alpha.
verbose : bool or int, default=False
    Accepted for compatibility.
return_n_iter : bool, default=False
    Also return the epochs per alpha.
positive : bool, default=False
    Coefficients >= 0 (a lower bound of 0)."""

PATH_KWARGS = """\
**params : dict
    ``tol`` (1e-4), ``max_iter`` (1000), ``selection`` ('cyclic'),
    ``random_state``, ``sample_weight``, ``fit_intercept`` (False, as
    scikit-learn's paths), and regfast's ``penalty_factor``,
    ``lower_bounds`` and ``upper_bounds`` (per-feature box bounds, lower <= 0
    <= upper, as glmnet's lower.limits / upper.limits) and ``n_jobs``
    (threads for the full passes over X within the fit; None: 1, -1: all
    CPUs; the result does not depend on it)."""

PATH_RETURNS = """\
alphas : ndarray of shape (n_alphas,)
    The alphas, in decreasing order.
coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
    Coefficients along the path (the second shape for a 2-d y).
dual_gaps : ndarray of shape (n_alphas,)
    Duality gap at the end of each alpha's fit.
n_iters : ndarray of shape (n_alphas,)
    Epochs per alpha; only with ``return_n_iter=True``."""

MT_OBJECTIVE = """\
Minimises, as scikit-learn's::

    1 / (2 n) * ||Y - XW - b||^2_{F,S}
    + alpha * l1_ratio * sum_j ||W_j||_2
    + 0.5 * alpha * (1 - l1_ratio) * ||W||_F^2

where W_j holds feature j's coefficients for all targets (a column of
``coef_``), so a feature is used by every target or by none; the sample
weights S are rescaled to sum to n.  Block coordinate descent with working
sets, gap-safe screening and Anderson acceleration, in Cython without the
GIL; the duality gap certifies convergence.  Sparse X and sample weights
are accepted (scikit-learn's MultiTask models take them only from 1.9), and
X is never copied when dense Fortran-ordered (float32 stays float32) or CSC."""

MT_PARAMS = """\
fit_intercept : bool, default=True
    Fit one intercept per target.  X is centred implicitly, never copied.
copy_X : bool, default=True
    Accepted for compatibility: regfast never writes to X.
max_iter : int, default=1000
    Maximum number of block coordinate-descent epochs, in total.
tol : float, default=1e-4
    Duality-gap tolerance, with scikit-learn's meaning: converged when the gap
    is at most ``tol * ||Y_c||^2_{F,S} / n_samples`` (Y_c: Y centred).
warm_start : bool, default=False
    Start from the previous ``coef_`` (when its shape matches).
random_state : int, RandomState instance or None, default=None
    Seed of the order of updates when ``selection='random'``.
selection : {'cyclic', 'random'}, default='cyclic'
    Order of the block updates within an epoch."""

MT_ATTRIBUTES = """\
coef_ : ndarray of shape (n_targets, n_features)
    The coefficients, in X's dtype.
intercept_ : ndarray of shape (n_targets,) or float
    The intercepts (0.0 without ``fit_intercept``).
n_iter_ : int
    Block coordinate-descent epochs run.
dual_gap_ : float
    Duality gap at the solution, in the units of the objective.
n_features_in_ : int
    Number of features seen in ``fit``.
feature_names_in_ : ndarray of shape (n_features_in_,)
    Names of the features seen in ``fit``, when X has string column names."""

MT_CV_PARAMS = """\
eps : float, default=1e-3
    Ratio alpha_min / alpha_max of the automatic grid.
alphas : int or array-like, default=100
    Number of alphas of the automatic grid (log-spaced from alpha_max, where
    every coefficient is zero, down to ``eps * alpha_max``), or the alphas to
    try.
fit_intercept : bool, default=True
    Fit one intercept per target (X centred implicitly).
max_iter : int, default=1000
    Maximum number of epochs of each fit.
tol : float, default=1e-4
    Duality-gap tolerance of each fit (see MultiTaskElasticNet).
cv : int, cross-validation generator or iterable, default=None
    None is 5-fold (KFold, no shuffling), as in scikit-learn.
copy_X : bool, default=True
    Accepted for compatibility: regfast never writes to X.
verbose : bool or int, default=0
    Accepted for compatibility.
n_jobs : int, default=None
    Threads over the (l1_ratio, fold) pairs; None means 1, -1 all CPUs.
random_state : int, RandomState instance or None, default=None
    Seed of the update order with ``selection='random'``.
selection : {'cyclic', 'random'}, default='cyclic'
    Order of the block updates."""

MT_CV_ATTRIBUTES = """\
alpha_ : float
    The alpha with the lowest mean cross-validated squared error.
coef_ : ndarray of shape (n_targets, n_features)
    Coefficients of the final fit on all the data at ``alpha_``.
intercept_ : ndarray of shape (n_targets,) or float
    Intercepts of the final fit.
dual_gap_ : float
    Duality gap of the final fit.
n_iter_ : int
    Epochs of the final fit.
n_features_in_ : int
    Number of features seen in ``fit``.
feature_names_in_ : ndarray of shape (n_features_in_,)
    Names of the features seen in ``fit``, when X has string column names."""

PIECES = {name.lower(): value for name, value in list(globals().items())
          if name.isupper() and isinstance(value, str)}


def fill_doc(obj):
    """Put the shared pieces into obj's docstring (a decorator)."""
    def piece(match):
        indent, name = match.group(1), match.group(2)
        return "\n".join(indent + line if line else line
                         for line in PIECES[name].splitlines())
    obj.__doc__ = re.sub(r"^([ \t]*)%\((\w+)\)s$", piece, obj.__doc__, flags=re.M)
    return obj
