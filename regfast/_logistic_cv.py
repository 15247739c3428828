"""LogisticRegressionCV: C (and l1_ratio) chosen by cross-validation, folds in threads."""

import inspect
import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, softmax
from sklearn.base import BaseEstimator
from sklearn.metrics import check_scoring, get_scorer, make_scorer
from sklearn.model_selection import check_cv

from ._cv import predict_fixed_order, run_folds
from ._glm_problem import GLMProblem
from ._logistic import (PENALTIES, LogisticPredictorMixin, LogisticRegression,
                        check_solver_params, validate_classification,
                        warn_not_converged)
from ._validation import (check_bounds, check_penalty_factor, check_ratios,
                          check_sample_weight, check_scalar_param, refuse_fit_params)


class LogisticRegressionCV(LogisticPredictorMixin, BaseEstimator):
    """Logistic regression with C (and l1_ratio) chosen by cross-validation.

    The objective is LogisticRegression's.  For each fold and l1_ratio the
    whole grid of Cs is one warm-started path in the kernel (from the
    strongest penalty to the weakest), without the GIL, so folds run in
    parallel threads with ``n_jobs``.  The best (C, l1_ratio) maximises the
    mean score over folds; with ``refit`` the model is refitted on all data.

    The fitted attributes follow ``use_legacy_attributes`` as in
    scikit-learn 1.9: by default (with its FutureWarning) the legacy ones, C_
    an array and scores_ a dict by class; with False the ones scikit-learn
    1.10 makes the default, C_ a float and scores_ an array.

    Parameters
    ----------
    Cs : int or array-like, default=10
        The Cs to try, or their number: ``np.logspace(-4, 4, Cs)`` as in
        scikit-learn.
    l1_ratios : array-like of float, default='warn'
        The l1_ratios to try.  None and the default 'warn' mean L2 only, with
        scikit-learn 1.9's FutureWarnings; the legacy attributes then have no
        l1_ratio axis and ``l1_ratios_`` is ``[None]``.
    fit_intercept : bool, default=True
        Fit an intercept (unpenalised).
    cv : int, cross-validation generator or iterable, default=None
        None is 5-fold stratified, as in scikit-learn.
    dual : bool, default=False
        Accepted for compatibility.
    penalty : {'l1', 'l2', 'elasticnet', None}, default='deprecated'
        Deprecated as in scikit-learn: 'l1' is l1_ratios=(1,), 'l2' is
        l1_ratios=(0,), None is Cs=(np.inf,).
    scoring : str, callable or None, default='warn'
        The score of the held-out folds, as scikit-learn's: None, and the
        default 'warn' (with scikit-learn 1.9's FutureWarning), are accuracy.
        Scorers that take ``labels`` get every class, so folds that miss a
        class are scored as scikit-learn scores them.
    solver : str, default='auto'
        Any of scikit-learn's solver names; ignored (see LogisticRegression).
    tol : float, default=1e-4
        LogisticRegression's relative duality-gap tolerance.
    max_iter : int, default=100
        Proximal Newton steps per fit (0: every fit is its starting point).
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into the sample weights.
    n_jobs : int, default=None
        Threads over (fold, l1_ratio) pairs; None means 1, -1 all CPUs.
    verbose : int, default=0
        Accepted for compatibility.
    refit : bool, default=True
        Refit on all data at the best (C, l1_ratio); otherwise average the
        folds' best coefficients (and Cs), as scikit-learn.
    intercept_scaling : float, default=1.0
        Accepted for compatibility (the intercept is never penalised).
    random_state : None
        Accepted for compatibility.
    use_legacy_attributes : bool, default='warn'
        True: scikit-learn 1.9's legacy attributes; False: its new ones; the
        default 'warn' is True with scikit-learn's FutureWarning.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multiplier of both penalties (0: unpenalised).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients, lower <= 0 <= upper.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    Cs_ : ndarray of shape (n_Cs,)
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
        ``[None]`` when l1_ratios is None or 'warn'.
    C_ : float, or (legacy) ndarray of shape (1,) or (n_classes,)
        The best C (the mean of the folds' best with ``refit=False``).
    l1_ratio_ : float, or (legacy) ndarray of shape (1,) or (n_classes,)
    scores_ : ndarray of shape (n_folds, n_l1_ratios, n_Cs), or (legacy) dict
        Held-out scores.  Legacy: one entry per class (the positive class
        alone for two), each of shape (n_folds, n_Cs, n_l1_ratios), without
        the last axis when l1_ratios is None.
    coefs_paths_ : ndarray of shape (n_folds, n_l1_ratios, n_Cs, n_blocks, n_dof), or (legacy) dict
        n_blocks is 1 for two classes; n_dof = n_features (+1 for the
        intercept).  Legacy: by class as scores_, each (n_folds, n_Cs,
        n_l1_ratios, n_dof).
    n_iter_ : ndarray of shape (n_folds, n_l1_ratios, n_Cs), or (legacy) (1, n_folds, n_Cs, n_l1_ratios)
        Proximal Newton steps.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from regfast import LogisticRegressionCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = LogisticRegressionCV(Cs=10, l1_ratios=[0.5, 1.0], n_jobs=2,
    ...                            use_legacy_attributes=False).fit(X, y)
    >>> clf.scores_.shape
    (5, 2, 10)
    >>> clf.score(X, y) > 0.95
    True
    """

    def __init__(self, *, Cs=10, l1_ratios="warn", fit_intercept=True, cv=None, dual=False,
                 penalty="deprecated", scoring="warn", solver="auto", tol=1e-4,
                 max_iter=100, class_weight=None, n_jobs=None, verbose=0, refit=True,
                 intercept_scaling=1.0, random_state=None, use_legacy_attributes="warn",
                 penalty_factor=None, lower_bounds=None, upper_bounds=None):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.dual = dual
        self.penalty = penalty
        self.scoring = scoring
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.use_legacy_attributes = use_legacy_attributes
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _grid(self):
        """Cs, l1_ratios, the l1_ratios_ to report and the penalty's name, from Cs,
        l1_ratios and the deprecated penalty, with scikit-learn 1.9's warnings."""
        owner = type(self).__name__
        given = self.l1_ratios
        if isinstance(given, str) and given == "warn":
            warnings.warn(
                "The default value for l1_ratios will change from None to (0.0,) in "
                "version 1.10 (scikit-learn), after which None is refused; set it, "
                "e.g. l1_ratios=(0,), to silence this warning.", FutureWarning)
            given = None
        elif given is None and self.penalty == "deprecated":
            warnings.warn("'l1_ratios=None' was deprecated in version 1.8 and will "
                          "trigger an error in 1.10: use an array-like of values in "
                          "[0, 1].", FutureWarning)
        if given is None and self.penalty == "elasticnet":
            raise ValueError(f"{owner}: penalty='elasticnet' needs l1_ratios, an "
                             "array-like of numbers between 0 and 1; got (l1_ratios=None)")
        ratios = (np.array([0.0]) if given is None
                  else check_ratios(given, "l1_ratios", owner))
        if isinstance(self.Cs, numbers.Integral) and not isinstance(self.Cs, bool):
            check_scalar_param(self.Cs, "Cs", owner, low=1, kind="int")
            Cs = np.logspace(-4, 4, int(self.Cs))
        else:
            Cs = np.asarray(self.Cs, dtype=np.float64).ravel()
            if Cs.size == 0 or np.any(np.isnan(Cs)) or np.any(Cs <= 0):
                raise ValueError(f"{owner}: Cs must be a positive int or a non-empty "
                                 "array of positive values (np.inf: no penalty)")
        if self.penalty == "deprecated":
            penalty = ("l2" if given is None or np.all(ratios == 0)
                       else "l1" if np.all(ratios == 1) else "elasticnet")
        else:
            penalty = self.penalty
            if penalty not in PENALTIES:
                raise ValueError(f"{owner}: penalty must be one of {PENALTIES} "
                                 f"(deprecated: use l1_ratios and Cs), got {penalty!r}")
            warnings.warn(
                "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To "
                "avoid this warning, leave 'penalty' set to its default value and use "
                "'l1_ratios' and 'Cs' instead. Use l1_ratios=(0,) instead of "
                "penalty='l2', l1_ratios=(1,) instead of penalty='l1', l1_ratios set to "
                "floats between 0 and 1 instead of penalty='elasticnet', and "
                "Cs=(np.inf,) instead of penalty=None.", FutureWarning)
            if penalty != "elasticnet" and given is not None:
                warnings.warn("l1_ratios parameter is only used when penalty is "
                              f"'elasticnet'. Got (penalty={penalty})", UserWarning)
            if penalty is None:
                Cs = np.array([np.inf])
            elif penalty != "elasticnet":
                ratios = np.array([1.0 if penalty == "l1" else 0.0])
        reported = np.array([None]) if given is None else ratios
        return Cs, ratios, reported, penalty

    def _get_scorer(self):
        """The scorer of ``scoring``: accuracy for None and 'warn', as scikit-learn."""
        if self.scoring is None or (isinstance(self.scoring, str)
                                    and self.scoring == "warn"):
            return get_scorer("accuracy")
        return get_scorer(self.scoring)

    def score(self, X, y, sample_weight=None, **score_params):
        """Score of the fitted model on (X, y) with the ``scoring`` option.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        **score_params : dict
            Metadata for the scorer: refused, as by scikit-learn when its
            metadata routing is disabled.

        Returns
        -------
        score : float
        """
        refuse_fit_params(score_params, self, "score")
        if sample_weight is not None:
            score_params["sample_weight"] = sample_weight
        return self._get_scorer()(self, X, y, **score_params)

    def fit(self, X, y, sample_weight=None, **params):
        """Choose C (and l1_ratio) by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels, at least two classes.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero; used as given.
        **params : dict
            scikit-learn's metadata for the CV splitter and scorer: not routed
            by regfast, so refused (with scikit-learn's message when routing is
            disabled).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        owner = type(self).__name__
        refuse_fit_params(params, self)
        Cs, ratios, reported_ratios, penalty = self._grid()
        scoring = self.scoring
        if isinstance(scoring, str) and scoring == "warn":
            warnings.warn(
                "The default value of the parameter 'scoring' will change from None, "
                "i.e. accuracy, to 'neg_log_loss' in version 1.11 (scikit-learn); set "
                "scoring='neg_log_loss' for the new default, or 'accuracy' or None for "
                "the old one, to silence this warning.", FutureWarning)
            scoring = None
        legacy = self.use_legacy_attributes
        if not (isinstance(legacy, (bool, np.bool_)) or (isinstance(legacy, str)
                                                         and legacy == "warn")):
            raise ValueError(f"{owner}: use_legacy_attributes must be True or False, got "
                             f"{legacy!r}")
        if isinstance(legacy, str):
            warnings.warn(
                f"The fitted attributes of {owner} will be simplified in scikit-learn "
                "1.10. The default value of use_legacy_attributes will change from True "
                "to False in 1.10: set use_legacy_attributes=False for the new "
                "attributes now, or True to keep the legacy ones without this warning.",
                FutureWarning)
            legacy = True
        check_solver_params(self)
        X, y_idx, classes, sw = validate_classification(self, X, y, sample_weight)
        n, p = X.shape
        # held-out scores are weighted by the sample weights (not the class weights)
        sw_score = check_sample_weight(sample_weight, n, np.float64, owner, rescale=False)
        pf = check_penalty_factor(self.penalty_factor, p, owner)
        bounds = check_bounds(self.lower_bounds, self.upper_bounds, False, p, owner)
        K = 1 if len(classes) == 2 else len(classes)
        folds = list(check_cv(self.cv, y_idx, classifier=True).split(X, y_idx))
        order = np.argsort(Cs, kind="stable")        # strongest penalty first
        scorer = fold_scorer(scoring, classes)
        jobs = [(f, r) for f in range(len(folds)) for r in range(len(ratios))]

        def run(job):
            f, r = job
            train, test = folds[f]
            X_train = X[train] if sp.issparse(X) else np.asfortranarray(X[train])
            problem = GLMProblem(X_train, y_idx[train], len(classes),
                                 None if sw is None else sw[train], self.fit_intercept)
            coefs, intercepts, _, n_iters, _ = problem.fit(
                Cs[order], ratios[r], pf, np.zeros((K, p)), np.zeros(K), bounds=bounds,
                tol=float(self.tol), max_iter=int(self.max_iter))
            back = np.argsort(order, kind="stable")
            coefs, intercepts, n_iters = coefs[back], intercepts[back], n_iters[back]
            w_test = None if sw_score is None else sw_score[test]
            if w_test is not None and not w_test.sum() > 0:
                # the weighted score would divide by zero: name the cause
                raise ValueError("a cross-validation fold has only zero sample weights "
                                 "in its test part; use fewer folds or shuffle the "
                                 "samples (cv=StratifiedKFold(shuffle=True))")
            if scoring in BUILTIN_SCORES:
                scores = builtin_scores(scoring, coefs, intercepts, X[test],
                                        y_idx[test], w_test)
            else:
                shell = fitted_shell(classes)
                weights = {} if w_test is None else {"sample_weight": w_test}
                scores = []
                for c in range(len(Cs)):
                    shell.coef_, shell.intercept_ = coefs[c], intercepts[c]
                    scores.append(scorer(shell, X[test], classes[y_idx[test]], **weights))
            return coefs, intercepts, n_iters, scores

        results = run_folds(run, jobs, self.n_jobs)
        shape = (len(folds), len(ratios), len(Cs))
        scores = np.array([res[3] for res in results]).reshape(shape)
        n_iter = np.array([res[2] for res in results]).reshape(shape)
        paths = np.array([res[0] for res in results]).reshape(shape + (K, p))
        ints = np.array([res[1] for res in results]).reshape(shape + (K, 1))
        coefs_paths = (np.concatenate([paths, ints], axis=-1)
                       if self.fit_intercept else paths)
        self.Cs_, self.l1_ratios_, self.classes_ = Cs, reported_ratios, classes

        # the best (C, l1_ratio) in scikit-learn's order: C first, then l1_ratio,
        # so that ties break as there
        def best_of(s):
            c, r = np.unravel_index(np.argmax(s.T), s.T.shape)
            return r, c

        if self.refit:
            r_best, c_best = best_of(scores.sum(axis=0))
            C_, l1_ratio_ = float(Cs[c_best]), float(ratios[r_best])
            legacy_ratio = reported_ratios[r_best]
            problem = GLMProblem(X, y_idx, len(classes), sw, self.fit_intercept)
            coef, intercept = np.zeros((K, p)), np.zeros(K)
            _, _, gaps, n_iters, status = problem.fit(
                [C_], l1_ratio_, pf, coef, intercept, bounds=bounds,
                tol=float(self.tol),
                max_iter=int(self.max_iter))
            if status[0] != 0:
                warn_not_converged(owner, status[0], n_iters[0], gaps[0], self.max_iter)
        else:
            # each fold's best (C, l1_ratio); their coefficients and values averaged
            best = [best_of(s) for s in scores]
            coef = np.mean([paths[f, r, c] for f, (r, c) in enumerate(best)], axis=0)
            intercept = np.mean([ints[f, r, c, :, 0] for f, (r, c) in enumerate(best)],
                                axis=0)
            C_ = float(np.mean([Cs[c] for _, c in best]))
            l1_ratio_ = float(np.mean([ratios[r] for r, _ in best]))
            # scikit-learn's legacy l1_ratio_ without refit: 0 unless elastic net
            legacy_ratio = l1_ratio_ if penalty == "elasticnet" else 0.0
        self.coef_ = coef.astype(X.dtype)
        self.intercept_ = (intercept if self.fit_intercept else np.zeros(K)).astype(X.dtype)
        if legacy:
            self._set_legacy_attributes(scores, n_iter, coefs_paths, C_, legacy_ratio,
                                        reported_ratios[0] is None)
        else:
            self.scores_, self.n_iter_, self.coefs_paths_ = scores, n_iter, coefs_paths
            self.C_, self.l1_ratio_ = C_, l1_ratio_
        return self

    def _set_legacy_attributes(self, scores, n_iter, coefs_paths, C_, l1_ratio_,
                               no_ratio_axis):
        """scikit-learn 1.9's legacy attributes from the (fold, l1_ratio, C) arrays.

        scores_ and coefs_paths_ become dicts by class (the positive class
        alone for two classes) with the axes (fold, C, l1_ratio), without the
        l1_ratio axis when l1_ratios was None; C_ and l1_ratio_ are repeated
        once per entry.
        """
        keys = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        scores = np.swapaxes(scores, 1, 2)
        n_iter = np.swapaxes(n_iter, 1, 2)[None]
        paths = np.swapaxes(coefs_paths, 1, 2)        # (fold, C, ratio, block, dof)
        if no_ratio_axis:
            scores, n_iter, paths = scores[:, :, 0], n_iter[..., 0], paths[:, :, 0]
        self.scores_ = {key: scores.copy() for key in keys}
        self.coefs_paths_ = {key: paths[..., k, :] for k, key in enumerate(keys)}
        self.n_iter_ = n_iter
        self.C_ = np.full(len(keys), C_)
        self.l1_ratio_ = np.array([l1_ratio_] * len(keys))


def fold_scorer(scoring, classes):
    """The scorer of the held-out folds (None: accuracy, computed in bulk).

    A scorer whose function takes ``labels`` (neg_brier_score, log-loss from
    a string ...) gets every class, and the last one as ``pos_label`` for
    two, since a test fold may miss a class, as scikit-learn does.
    """
    if scoring in BUILTIN_SCORES:
        return None
    scorer = check_scoring(LogisticRegression(), scoring=scoring)
    func = getattr(scorer, "_score_func", None)
    if func is None or "labels" not in inspect.signature(func).parameters:
        return scorer
    extra = {}
    if len(classes) == 2 and "pos_label" in inspect.signature(func).parameters:
        extra["pos_label"] = classes[-1]
    return make_scorer(func, greater_is_better=scorer._sign == 1,
                       response_method=scorer._response_method, labels=classes,
                       **extra, **getattr(scorer, "_kwargs", {}))


# scoring=None is the estimator's score, accuracy, as in scikit-learn; these two
# are computed for every C at once (scikit-learn's scorer costs ~10 ms a call)
BUILTIN_SCORES = (None, "warn", "accuracy", "neg_log_loss")


def builtin_scores(scoring, coefs, intercepts, X, y_idx, sample_weight):
    """Accuracy or negative log-loss of the models coefs[c], intercepts[c] on (X, y).

    Same definitions as scikit-learn's accuracy_score and log_loss (probabilities
    clipped to [eps, 1 - eps]); predictions as LinearClassifierMixin.predict.
    """
    n_C, K, p = coefs.shape
    # (not BLAS: the scores must not depend on the thread, see predict_fixed_order)
    D = (predict_fixed_order(X, coefs.reshape(n_C * K, p).T).reshape(-1, n_C, K)
         + intercepts)
    rows = np.arange(len(y_idx))
    if K == 1:
        d = D[:, :, 0]
        if scoring == "neg_log_loss":
            p1 = expit(d)
            proba = np.where(y_idx[:, None] == 1, p1, 1 - p1)
        else:
            correct = (d > 0) == (y_idx[:, None] == 1)
    elif scoring == "neg_log_loss":
        proba = softmax(D, axis=2)[rows, :, y_idx]
    else:
        correct = np.argmax(D, axis=2) == y_idx[:, None]
    if scoring == "neg_log_loss":
        eps = np.finfo(proba.dtype).eps
        values = np.log(np.clip(proba, eps, 1 - eps))
    else:
        values = correct.astype(np.float64)
    return np.average(values, axis=0, weights=sample_weight)


def fitted_shell(classes):
    """A LogisticRegression that scorers can use once coef_ and intercept_ are set."""
    shell = LogisticRegression()
    shell.classes_ = classes
    return shell
