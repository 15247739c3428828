"""LogisticRegression: L1, L2 and elastic-net logistic regression on regfast's kernel."""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, log_softmax, logsumexp, softmax
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._base import LinearClassifierMixin, SparseCoefMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._glm_problem import GLMProblem
from ._validation import (SPARSE_CONVERTIBLE, as_csc, check_bounds, check_numeric,
                          check_penalty_factor, check_sample_weight,
                          check_scalar_param)

# scikit-learn's solver names, accepted for compatibility: regfast always runs
# its proximal-Newton coordinate descent, which covers every penalty.
SOLVERS = ("auto", "lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga")
PENALTIES = ("l1", "l2", "elasticnet", None)


def resolve_penalty(est):
    """(C, l1_ratio) from C, l1_ratio and the deprecated penalty, as scikit-learn 1.8+.

    penalty='l1' is l1_ratio=1, 'l2' is l1_ratio=0, None is C=inf; a
    FutureWarning says so, as scikit-learn's does.
    """
    owner = type(est).__name__
    C = est.C
    if isinstance(C, bool) or not isinstance(C, numbers.Real) or np.isnan(C) or C <= 0:
        raise ValueError(f"{owner}: C must be a positive number (np.inf for no "
                         f"penalty), got {C!r}")
    l1_ratio = est.l1_ratio
    if l1_ratio is None and est.penalty == "elasticnet":
        raise ValueError(f"{owner}: penalty='elasticnet' needs l1_ratio, a number in "
                         "[0, 1]; got l1_ratio=None")
    if l1_ratio is None:
        warnings.warn("'l1_ratio=None' was deprecated in version 1.8 and will trigger "
                      "an error in 1.10. Use 0<=l1_ratio<=1 instead.", FutureWarning)
        l1_ratio = 0.0
    l1_ratio = check_scalar_param(l1_ratio, "l1_ratio", owner, low=0, high=1)
    penalty = est.penalty
    if penalty == "deprecated":
        return float(C), l1_ratio
    if penalty not in PENALTIES:
        raise ValueError(f"{owner}: penalty must be one of {PENALTIES} (deprecated: use "
                         f"l1_ratio and C), got {penalty!r}")
    warnings.warn(
        "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To avoid "
        "this warning, leave 'penalty' set to its default value and use 'l1_ratio' or "
        "'C' instead. Use l1_ratio=0 instead of penalty='l2', l1_ratio=1 instead of "
        "penalty='l1', l1_ratio set to a float between 0 and 1 instead of "
        "penalty='elasticnet', and C=np.inf instead of penalty=None.", FutureWarning)
    # scikit-learn's warnings where penalty and l1_ratio or C disagree (its wording)
    if penalty != "elasticnet" and est.l1_ratio is not None and 0 < est.l1_ratio < 1:
        warnings.warn("l1_ratio parameter is only used when penalty is 'elasticnet'. "
                      f"Got (penalty={penalty})", UserWarning, stacklevel=3)
    if (penalty == "l2" and est.l1_ratio != 0) or (penalty == "l1" and est.l1_ratio != 1):
        warnings.warn(f"Inconsistent values: penalty={penalty} with l1_ratio="
                      f"{est.l1_ratio}. penalty is deprecated. Please use l1_ratio only.",
                      UserWarning, stacklevel=3)
    if penalty is None and C != 1.0:
        warnings.warn("Setting penalty=None will ignore the C and l1_ratio parameters",
                      UserWarning, stacklevel=3)
    if penalty is None:
        return np.inf, l1_ratio
    if penalty == "l1":
        return float(C), 1.0
    if penalty == "l2":
        return float(C), 0.0
    return float(C), l1_ratio


def check_solver_params(est):
    """tol, max_iter and solver, shared by the logistic estimators."""
    owner = type(est).__name__
    check_scalar_param(est.tol, "tol", owner, low=0)
    check_scalar_param(est.max_iter, "max_iter", owner, low=0, kind="int")
    if est.solver not in SOLVERS:
        raise ValueError(f"{owner}: solver must be one of {SOLVERS}, got {est.solver!r}")


def integer_labels(y, classes):
    """True when y (1-d, after validate_data) is a numeric array of integer values:
    scikit-learn's type_of_target is then 'binary' or 'multiclass', and
    check_classification_targets (~0.2 ms, a tenth of a small fit) would pass."""
    if not (isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "biuf"):
        return False
    if y.dtype.kind != "f":
        return True
    return bool(np.all(np.isfinite(classes)) and np.all(classes == np.floor(classes)))


def validate_classification(est, X, y, sample_weight, *, reset=True, owner=None):
    """Validated X (F-ordered dense or CSC, never copied when already so), class
    indices (int32), classes and per-sample weights (sample times class weight).

    est holds class_weight and records n_features_in_; owner names it in errors.
    """
    owner = owner or type(est).__name__
    check_numeric(X, "X", owner)
    X, y = validate_data(est, X, y, reset=reset, accept_sparse=list(SPARSE_CONVERTIBLE),
                         dtype=[np.float64, np.float32], order="F",
                         accept_large_sparse=True)
    if sp.issparse(X):
        X = as_csc(X, owner)
    classes, y_idx = np.unique(y, return_inverse=True)
    if not integer_labels(y, classes):
        check_classification_targets(y)      # raises for continuous targets, ...
    if len(classes) < 2:
        raise ValueError(f"{owner}: needs samples of at least 2 classes in the data, "
                         f"but the data contains only one class: {classes[0]!r}")
    sw = check_sample_weight(sample_weight, X.shape[0], np.float64, owner, rescale=False)
    if est.class_weight is not None:
        cw = compute_class_weight(est.class_weight, classes=classes, y=y)
        sw = cw[y_idx] if sw is None else sw * cw[y_idx]
    return X, y_idx.astype(np.int32), classes, sw


class LogisticPredictorMixin(LinearClassifierMixin, SparseCoefMixin):
    """decision_function, predict_proba and predict_log_proba of a fitted
    logistic model (coef_ of shape (1, p) for two classes, (K, p) for more),
    and the sparse-input tag."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def decision_function(self, X):
        """Signed distance to the hyperplane: X coef_^T + intercept_.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
            The linear predictors ``X @ coef_.T + intercept_``.
        """
        return super().decision_function(X)

    def predict_proba(self, X):
        """Class probabilities (logistic for two classes, softmax for more).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Class probabilities, columns in the order of ``classes_``.
        """
        d = self.decision_function(X)
        if d.ndim == 1:
            p1 = expit(d)
            return np.column_stack([1 - p1, p1])
        return softmax(d, axis=1)

    def predict_log_proba(self, X):
        """Logarithm of predict_proba, computed without underflow.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Logarithms of the class probabilities.
        """
        d = self.decision_function(X)
        if d.ndim == 1:
            return np.column_stack([-np.logaddexp(0, d), -np.logaddexp(0, -d)])
        return log_softmax(d, axis=1)



class LogisticRegression(LogisticPredictorMixin, BaseEstimator):
    """Logistic regression with L1, L2 or elastic-net penalty, by proximal Newton.

    Minimises, as scikit-learn 1.9's LogisticRegression::

        C * sum_i s_i logloss_i + l1_ratio * sum_j pf_j |w_j|
                                + (1 - l1_ratio) / 2 * sum_j pf_j w_j^2

    with sample weights s (times class weights, used as given) and penalty
    factors pf (default 1); the intercept is not penalised.  Two classes fit
    one coefficient vector; more fit the multinomial loss (coef_ K x p).

    Each proximal Newton step minimises a weighted least-squares model of the
    loss with regfast's elastic-net coordinate descent (working sets,
    screening, extrapolation), then a line search on the true objective takes
    the step.  Converged means a duality gap of the true problem below
    ``tol`` times the objective: the objective is certified to within tol
    relative (``dual_gap_`` is the gap reached).

    Parameters
    ----------
    penalty : {'l1', 'l2', 'elasticnet', None}, default='deprecated'
        Deprecated in scikit-learn 1.8, accepted with its FutureWarning:
        'l1' is l1_ratio=1, 'l2' is l1_ratio=0, None is C=np.inf.
    C : float, default=1.0
        Inverse of the regularisation strength (> 0); np.inf: no penalty.
    l1_ratio : float, default=0.0
        Mix of L1 (1) and L2 (0) penalties, in [0, 1].
    dual : bool, default=False
        Accepted for compatibility (the primal problem is solved).
    tol : float, default=1e-4
        Relative duality-gap tolerance: gap <= tol * objective.
    fit_intercept : bool, default=True
        Fit an intercept (unpenalised).
    intercept_scaling : float, default=1
        Accepted for compatibility: the intercept is never penalised (as in
        every scikit-learn solver but liblinear).
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into the sample weights.
    random_state : int, RandomState instance or None, default=None
        Unused (the coordinate order is cyclic); accepted for compatibility.
    solver : str, default='auto'
        Any of scikit-learn's solver names is accepted and ignored: regfast
        solves every penalty to the same certified gap with one solver.
    max_iter : int, default=100
        Maximum number of proximal Newton steps; 0 returns the starting point
        (zeros, or the previous fit with ``warm_start``) with a
        ConvergenceWarning, as scikit-learn does.
    verbose : int, default=0
        Accepted for compatibility.
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_``.
    n_jobs : None
        Accepted for compatibility (no effect, as in scikit-learn 1.8+).
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multiplier of both penalties; 0 leaves a feature
        unpenalised (glmnet's ``penalty.factor``).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients of every class (glmnet's
        ``lower.limits`` / ``upper.limits``): lower <= 0 <= upper, None for
        no bound.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of shape (1,)
        Proximal Newton steps run.
    dual_gap_ : float
        Duality gap at the solution, in the units of the objective above
        (NaN after ``max_iter=0``).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from regfast import LogisticRegression
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = LogisticRegression(C=0.1, l1_ratio=1.0).fit(X, y)
    >>> int((clf.coef_ != 0).sum()) < X.shape[1]
    True
    >>> round(clf.score(X, y), 2)
    0.97
    """

    def __init__(self, penalty="deprecated", *, C=1.0, l1_ratio=0.0, dual=False,
                 tol=1e-4, fit_intercept=True, intercept_scaling=1, class_weight=None,
                 random_state=None, solver="auto", max_iter=100, verbose=0,
                 warm_start=False, n_jobs=None, penalty_factor=None, lower_bounds=None,
                 upper_bounds=None):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _check_params(self):
        check_solver_params(self)
        if self.n_jobs is not None:
            warnings.warn(f"'n_jobs' has no effect since 1.8 and will be removed in 1.10. "
                          f"You provided 'n_jobs={self.n_jobs}', please leave it "
                          "unspecified.", FutureWarning)
        return resolve_penalty(self)

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            F-ordered float32/float64 arrays and CSC matrices are used without
            a copy; other layouts are converted once.  Must be finite.
        y : array-like of shape (n_samples,)
            Class labels (any type scikit-learn accepts), at least two classes.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero; used as given.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        owner = type(self).__name__
        C, l1_ratio = self._check_params()
        X, y_idx, classes, sw = validate_classification(self, X, y, sample_weight)
        pf = check_penalty_factor(self.penalty_factor, X.shape[1], owner)
        bounds = check_bounds(self.lower_bounds, self.upper_bounds, False, X.shape[1], owner)
        problem = GLMProblem(X, y_idx, len(classes), sw, self.fit_intercept)
        K, p = problem.n_blocks, X.shape[1]
        coef, intercept = np.zeros((K, p)), np.zeros(K)
        if (self.warm_start and getattr(self, "coef_", None) is not None
                and np.shape(self.coef_) == (K, p)):
            coef[:] = self.coef_
            if self.fit_intercept:
                intercept[:] = self.intercept_
        coefs, intercepts, gaps, n_iters, status = problem.fit(
            [C], l1_ratio, pf, coef, intercept, bounds=bounds, tol=float(self.tol),
            max_iter=int(self.max_iter))
        if status[0] != 0:
            warn_not_converged(owner, status[0], n_iters[0], gaps[0], self.max_iter)
        self.classes_ = classes
        self.coef_ = coefs[0].astype(X.dtype)
        self.intercept_ = intercepts[0].astype(X.dtype)
        self.n_iter_ = np.array([n_iters[0]], dtype=np.int32)
        self.dual_gap_ = float(gaps[0])
        if np.isinf(C) and np.all(self.predict(X) == classes[y_idx]):
            warnings.warn(
                f"{owner}: the classes are linearly separable and there is no penalty "
                "(C=inf): the maximum-likelihood coefficients are infinite, and the fit "
                f"stopped where the loss vanished (|coef|_max = {np.abs(coefs[0]).max():.3g}). "
                "Use a finite C for a meaningful model.", ConvergenceWarning, stacklevel=2)
        elif np.any(pf == 0) and self._mean_loss(X, y_idx, sw) <= 1e-9:
            # no optimum: the loss can only vanish this way along free directions
            warnings.warn(
                f"{owner}: the unpenalised features (penalty_factor 0) separate the "
                "classes: their coefficients are infinite at the optimum, and the fit "
                f"stopped where the loss vanished (|coef|_max = {np.abs(coefs[0]).max():.3g}). "
                "Penalise them for a meaningful model.", ConvergenceWarning, stacklevel=2)
        return self

    def _mean_loss(self, X, y_idx, sw):
        """The (weighted) mean log-loss of coef_ and intercept_ on the training data."""
        d = np.asarray(self.decision_function(X), dtype=np.float64)
        if d.ndim == 1:
            loss = np.logaddexp(0, np.where(y_idx == 1, -d, d))
        else:
            loss = logsumexp(d, axis=1) - d[np.arange(len(y_idx)), y_idx]
        return float(np.average(loss, weights=sw))


def warn_not_converged(owner, status, n_iter, gap, max_iter):
    """ConvergenceWarning saying why the certified gap was not reached."""
    if max_iter == 0:
        warnings.warn(f"{owner}: max_iter=0: the starting point is returned, no step "
                      "taken and no gap computed.", ConvergenceWarning, stacklevel=3)
        return
    if status == 1:
        why = (f"after {n_iter} proximal Newton steps (max_iter={max_iter}); "
               "increase max_iter or scale the features")
    else:
        why = ("at the precision of the data: the steps stopped decreasing the "
               "objective, or (float32 X) rounding the coefficients to float32 "
               "leaves this gap; pass float64 X or a larger tol")
    warnings.warn(f"{owner}: did not reach the duality-gap tolerance {why}; "
                  f"duality gap {gap:.3e}.", ConvergenceWarning, stacklevel=3)
