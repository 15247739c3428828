"""The three models at a comparable strength, and the training log.

All objectives use the elastic-net scaling shared by Lasso and ElasticNet::

    P(w) = 1/(2n) ||y - Xw - b||^2 + alpha * l1_ratio * ||w||_1
           + alpha * (1 - l1_ratio) / 2 * ||w||^2

Ridge is the case l1_ratio = 0: scikit-learn's Ridge minimises
``||y - Xw - b||^2 + alpha_ridge ||w||^2``, the same problem when
``alpha_ridge = n * alpha``.  Objective and duality gap are computed here in
numpy from ``coef_`` alone, independently of the solver's own bookkeeping.

Classification (``Spec.loss == "logistic"``) uses glmnet's scaling with the
same alpha::

    P(W, b) = (1/n) sum_i logloss_i + alpha * l1_ratio * ||W||_1
              + alpha * (1 - l1_ratio) / 2 * ||W||^2

which is scikit-learn's LogisticRegression objective divided by C*n, at
``C = 1 / (alpha * n)``.  The objective is recomputed here from ``coef_`` and
``intercept_``; the duality gap is the solver's certificate ``dual_gap_``
(scikit-learn's units) divided by C*n.
"""

import time
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import log_softmax
from sklearn.exceptions import ConvergenceWarning

from .. import (ElasticNet, ElasticNetCV, Lasso, LassoCV, LogisticRegression,
                LogisticRegressionCV, Ridge, RidgeCV)

# Ridge's CV grid, in elastic-net units relative to the mean feature variance.
RIDGE_GRID = (-4.0, 3.0)


def residual(X, y, coef):
    """y - Xw - b with the optimal intercept b for coef; returns (r, b)."""
    xm = np.asarray(X.mean(axis=0)).ravel()
    b = float(y.mean() - xm @ coef)
    return y - np.asarray(X @ coef).ravel() - b, b


def objective(X, y, coef, alpha, l1_ratio):
    """Elastic-net objective P(w) (see the module docstring)."""
    r, _ = residual(X, y, coef)
    n = len(y)
    return float(r @ r / (2 * n) + alpha * l1_ratio * np.abs(coef).sum()
                 + alpha * (1 - l1_ratio) / 2 * coef @ coef)


def duality_gap(X, y, coef, alpha, l1_ratio):
    """Duality gap of P at coef, in P's units.

    For l1_ratio > 0 the dual point is scikit-learn's (the residual rescaled
    to be feasible; the same formula as its ``dual_gap_``).  For l1_ratio = 0
    (ridge) the dual has no constraint and the residual itself is used:
    gap = P(w) - D(r) with D(t) = (t.y_c - |t|^2/2 - |X_c^T t|^2 / (2 l2)) / n.
    """
    n = len(y)
    r, _ = residual(X, y, coef)
    xm = np.asarray(X.mean(axis=0)).ravel()
    xtr = np.asarray(X.T @ r).ravel() - xm * r.sum()        # X_c^T r
    yc = y - y.mean()
    l1, l2 = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    rr, ww = float(r @ r), float(coef @ coef)
    if l1_ratio == 0:
        primal = rr / 2 + l2 / 2 * ww
        dual = float(r @ yc) - rr / 2 - float(xtr @ xtr) / (2 * l2)
        return (primal - dual) / n
    dual_norm = np.max(np.abs(xtr - l2 * coef))
    if dual_norm > l1:
        const = l1 / dual_norm
        gap = 0.5 * (rr + rr * const ** 2)
    else:
        const = 1.0
        gap = rr
    gap += l1 * np.abs(coef).sum() - const * float(r @ yc) + 0.5 * l2 * (1 + const ** 2) * ww
    return float(gap) / n


def feature_scale(X):
    """Mean variance of the columns (1 for standardised data)."""
    n = X.shape[0]
    mean = np.asarray(X.mean(axis=0)).ravel()
    sq = X.multiply(X) if sp.issparse(X) else X * X
    var = np.asarray(sq.sum(axis=0)).ravel() / n - mean ** 2
    return float(max(var.mean(), 1e-300))


def ridge_grid(X, n_alphas):
    """Ridge alphas in elastic-net units, log-spaced around the feature scale."""
    return feature_scale(X) * np.logspace(RIDGE_GRID[1], RIDGE_GRID[0], n_alphas)


class Spec:
    """One penalty (and loss): its name, l1_ratio, and how to build its estimators."""

    def __init__(self, key, label, l1_ratio, loss="squared"):
        self.key, self.label, self.l1_ratio, self.loss = key, label, l1_ratio, loss

    @property
    def logistic(self):
        return self.loss == "logistic"

    def estimator(self, alpha, n_samples, **kw):
        """The single-alpha estimator; alpha is in elastic-net (glmnet) units.

        kw (max_iter, tol, warm_start) go to Lasso/ElasticNet and
        LogisticRegression (at C = 1/(alpha n)); Ridge, a direct solve, keeps
        its own defaults.
        """
        if self.logistic:
            return LogisticRegression(C=to_C(alpha, n_samples), l1_ratio=self.l1_ratio, **kw)
        if self.l1_ratio == 0:
            return Ridge(alpha=n_samples * alpha)
        if self.l1_ratio == 1:
            return Lasso(alpha=alpha, **kw)
        return ElasticNet(alpha=alpha, l1_ratio=self.l1_ratio, **kw)


def specs(l1_ratio, task="regression"):
    if task == "classification":
        return [Spec("l1", "L1 logistic", 1.0, "logistic"),
                Spec("elasticnet", f"Elastic-net logistic (l1_ratio={l1_ratio:g})", l1_ratio,
                     "logistic"),
                Spec("l2", "L2 logistic", 0.0, "logistic")]
    return [Spec("l1", "L1 (Lasso)", 1.0),
            Spec("elasticnet", f"Elastic net (l1_ratio={l1_ratio:g})", l1_ratio),
            Spec("l2", "L2 (Ridge)", 0.0)]


# ---------------------------------------------------------------- logistic loss

def to_C(alpha, n_samples):
    """scikit-learn's C for glmnet's alpha (and back: alpha = to_C(C, n))."""
    return 1.0 / (alpha * n_samples)


def class_index(y, classes):
    """Index of each label in classes (sorted, as np.unique gives them)."""
    return np.searchsorted(classes, y)


def logistic_objective(X, y_idx, coef, intercept, alpha, l1_ratio):
    """(P(W, b), mean log-loss) in glmnet's scaling (see the module docstring).

    coef is (1, p) for two classes (class 1 positive), (K, p) for more.
    """
    coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    Z = np.asarray(X @ coef.T) + np.asarray(intercept, dtype=np.float64)
    if coef.shape[0] == 1:
        z = Z[:, 0]
        loss = float(np.mean(np.logaddexp(0.0, z) - (y_idx == 1) * z))
    else:
        loss = float(-np.mean(log_softmax(Z, axis=1)[np.arange(len(y_idx)), y_idx]))
    pen = l1_ratio * np.abs(coef).sum() + (1 - l1_ratio) / 2 * float((coef * coef).sum())
    return loss + alpha * pen, loss


def shown_weights(coef):
    """One weight per feature: the weights for two classes (coef (1, p)), each
    feature's L2 norm over the classes for more (coef (K, p))."""
    coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    return coef[0] + 0.0 if coef.shape[0] == 1 else np.sqrt((coef * coef).sum(axis=0))


def class_metrics(model, X, y):
    """Accuracy, log-loss and ROC AUC of a fitted classifier on (X, y).

    AUC: of class 1's probability for two classes, one-vs-rest macro average
    for more; None where undefined (a class absent from y).
    """
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
    classes = model.classes_
    proba = model.predict_proba(X)
    out = {"accuracy": float(accuracy_score(y, classes[proba.argmax(axis=1)])),
           "log_loss": float(log_loss(y, proba, labels=classes)), "roc_auc": None}
    present = np.isin(classes, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if len(classes) == 2 and present.all():
                out["roc_auc"] = float(roc_auc_score(y == classes[1], proba[:, 1]))
            elif present.all():
                out["roc_auc"] = float(roc_auc_score(y, proba, multi_class="ovr",
                                                     average="macro", labels=classes))
        except ValueError:
            pass
    return out


def logistic_alpha_max(X, y_idx, n_classes, l1_ratio):
    """Smallest alpha at which every weight is zero (with an intercept): glmnet's.

    max_jk |X_j^T (Y_k - mean Y_k)| / (n l1_ratio), with Y the class
    indicators (only class 1's for two classes).
    """
    n = X.shape[0]
    if n_classes == 2:
        Y = (y_idx == 1).astype(np.float64)[:, None]
    else:
        Y = (y_idx[:, None] == np.arange(n_classes)).astype(np.float64)
    G = np.asarray(X.T @ (Y - Y.mean(axis=0)))
    return float(np.abs(G).max()) / (n * l1_ratio)


def logistic_grid(spec, X, y_idx, n_classes, n_alphas, eps):
    """The alpha grid of the L1/elastic-net logistic (alpha_max down to eps * alpha_max,
    logistic_path's) or, for L2, ridge_grid's."""
    if spec.l1_ratio == 0:
        return ridge_grid(X, n_alphas)
    top = logistic_alpha_max(X, y_idx, n_classes, spec.l1_ratio)
    if not top > 0:
        raise ValueError("every feature is uncorrelated with the classes: nothing to fit")
    return np.geomspace(top, top * eps, n_alphas)


def cross_validate(spec, X, y, cv, n_alphas, eps, max_iter=1000):
    """Cross-validated alpha (elastic-net units) and the CV description.

    L1 and elastic net: LassoCV / ElasticNetCV (cv folds, n_alphas
    log-spaced down to eps * alpha_max).  L2: RidgeCV's efficient
    leave-one-out over `ridge_grid`, mapped by alpha_ridge = n * alpha.
    Logistic: LogisticRegressionCV (stratified folds, neg_log_loss) over
    `logistic_grid` as Cs = 1/(alpha n).  Returns (alpha, how, at_edge);
    `cv_fit` has the score of every alpha as well.
    """
    res = cv_fit(spec, X, y, cv, n_alphas, eps, max_iter, ridge_errors=False)
    return res["alpha"], res["how"], res["at_edge"]


def cv_fit(spec, X, y, cv, n_alphas, eps, max_iter=1000, n_jobs=None, ridge_errors=True):
    """`cross_validate` with the held-out error of every alpha on every part.

    n_jobs: threads over the folds (LassoCV, ElasticNetCV, LogisticRegressionCV).
    ridge_errors=False spares RidgeCV the n x n_alphas leave-one-out errors
    (errors is then None for L2 regression).

    Returns
    -------
    dict
        alpha, how, at_edge as `cross_validate`; grid : ndarray (n_alphas,),
        the alphas tried (elastic-net / glmnet units, decreasing); errors :
        ndarray (n_alphas, n_parts), the held-out error of each alpha on each
        part: mean squared error per fold (L1, elastic net), squared error of
        each left-out row (L2, leave-one-out), mean log-loss per fold
        (logistic).
    """
    n = X.shape[0]
    if spec.logistic:
        # the grid in glmnet's alpha, as C = 1/(alpha n) (each fold's loss sums over
        # its own rows, as in scikit-learn); folds stratified; scored on log-loss
        classes, y_idx = np.unique(y, return_inverse=True)
        grid = logistic_grid(spec, X, y_idx, len(classes), n_alphas, eps)
        model = LogisticRegressionCV(Cs=to_C(grid, n), l1_ratios=[spec.l1_ratio], cv=cv,
                                     scoring="neg_log_loss", max_iter=max_iter,
                                     n_jobs=n_jobs, use_legacy_attributes=False).fit(X, y)
        alpha = to_C(model.C_, n)
        grid = to_C(np.asarray(model.Cs_), n)
        errors = -np.asarray(model.scores_)[:, 0, :].T
        how = f"{cv}-fold stratified over {n_alphas} Cs, on log-loss"
    elif spec.l1_ratio == 0:
        grid = ridge_grid(X, n_alphas)
        model = RidgeCV(alphas=n * grid, store_cv_results=ridge_errors).fit(X, y)
        alpha = float(model.alpha_) / n
        errors = np.asarray(model.cv_results_).T if ridge_errors else None
        how = f"leave-one-out over {n_alphas} alphas"
    else:
        if spec.l1_ratio == 1:
            model = LassoCV(alphas=n_alphas, eps=eps, cv=cv, max_iter=max_iter,
                            n_jobs=n_jobs).fit(X, y)
        else:
            model = ElasticNetCV(l1_ratio=spec.l1_ratio, alphas=n_alphas, eps=eps,
                                 cv=cv, max_iter=max_iter, n_jobs=n_jobs).fit(X, y)
        grid = np.asarray(model.alphas_)
        alpha = float(model.alpha_)
        errors = np.asarray(model.mse_path_)
        how = f"{cv}-fold over {n_alphas} alphas"
    at_edge = bool(np.isclose(alpha, grid.max()) or np.isclose(alpha, grid.min()))
    return {"alpha": alpha, "how": how, "at_edge": at_edge, "grid": grid, "errors": errors}


def fit_timed(spec, alpha, X, y, max_iter=1000):
    """Fit at alpha; returns (model, seconds)."""
    model = spec.estimator(alpha, X.shape[0], max_iter=max_iter)
    t0 = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - t0


def training_log(spec, alpha, X, y, max_iter=1000, tol=1e-4):
    """Refit from zero with budgets of 1, 2, 4, ... epochs until converged.

    The kernel runs a whole fit without Python callbacks, so convergence is
    shown by refitting (warm_start=False) under a doubling ``max_iter``; each
    row's objective and gap are recomputed here from ``coef_``.  Ridge is one
    solve (direct, or conjugate gradients for sparse X): one row.  Logistic
    models double their budget of proximal Newton steps the same way.
    """
    rows = []
    if spec.logistic:
        return _logistic_log(spec, alpha, X, y, max_iter, tol)
    if spec.l1_ratio == 0:
        model, _ = fit_timed(spec, alpha, X, y)
        rows.append({"max_iter": None, "epochs": None,
                     "solver": getattr(model, "solver_", model.solver),
                     "objective": objective(X, y, model.coef_, alpha, 0.0),
                     "gap": duality_gap(X, y, model.coef_, alpha, 0.0),
                     "solver_gap": None})
        return rows
    yc = y - y.mean()
    tol_abs = tol * float(yc @ yc) / len(y)
    budget = 1
    while True:
        budget = min(budget, max_iter)
        model = spec.estimator(alpha, X.shape[0], max_iter=budget, tol=tol, warm_start=False)
        with warnings.catch_warnings():      # a small budget is meant to stop early
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        coef = np.asarray(model.coef_, dtype=np.float64)
        rows.append({"max_iter": budget, "epochs": int(model.n_iter_),
                     "objective": objective(X, y, coef, alpha, spec.l1_ratio),
                     "gap": duality_gap(X, y, coef, alpha, spec.l1_ratio),
                     "solver_gap": float(model.dual_gap_)})
        if model.n_iter_ < budget or model.dual_gap_ <= tol_abs or budget >= max_iter:
            return rows
        budget *= 2


def _logistic_log(spec, alpha, X, y, max_iter, tol):
    """training_log for a logistic spec: budgets of 1, 2, 4, ... proximal Newton steps.

    Each row: the budget, the steps run, P(W, b) and the mean log-loss
    recomputed from coef_ and intercept_, and the solver's duality gap in P's
    units (dual_gap_ / (C n)).  Stops when a fit ends before its budget
    (converged), when the gap is within tol of the objective, or at max_iter.
    """
    classes, y_idx = np.unique(y, return_inverse=True)
    n = X.shape[0]
    rows = []
    budget = 1
    while True:
        budget = min(budget, max_iter)
        model = spec.estimator(alpha, n, max_iter=budget, tol=tol, warm_start=False)
        with warnings.catch_warnings():      # a small budget is meant to stop early
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        obj, loss = logistic_objective(X, y_idx, model.coef_, model.intercept_, alpha,
                                       spec.l1_ratio)
        gap = float(model.dual_gap_) / (model.C * n)
        steps = int(np.max(model.n_iter_))
        rows.append({"max_iter": budget, "steps": steps, "objective": obj, "log_loss": loss,
                     "gap": gap, "solver_gap": float(model.dual_gap_)})
        if steps < budget or gap <= tol * obj or budget >= max_iter:
            return rows
        budget *= 2
