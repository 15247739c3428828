"""The ``regfast`` command line: L1 against L2 on real data.

Subcommands: ``compare`` (L1, elastic net and L2 side by side with a training
log), ``path`` (regularisation paths, text or a plot), ``fit`` (one model to
JSON), ``predict`` (a saved model on new data) and ``report`` (the whole
story as one interactive HTML page, `regfast.report`).  A target of class labels
(detected, or ``--task classification``) gets logistic models and accuracy,
log-loss and ROC AUC instead of R^2.  Bad input or options give one line on
stderr and exit code 2.
"""

import argparse
import json
import os
import sys
import warnings

from .. import __version__
from ._data import UsageError
from ._task import RULE

EPILOG_DATA = ("DATA: a CSV file with a header line (the target is the last column, or "
               "--target NAME), an .npz file with arrays X and y (dense, or sparse CSR "
               "as data/indices/indptr/shape), or svmlight/libsvm text (.svm, .libsvm, "
               ".txt; kept sparse). The target may be numbers or, for classification, "
               "text labels (a CSV column, or a string array y). TASK: " + RULE + ".")


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit code 2, no usage dump)."""

    def error(self, message):
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _add_data(p, optional):
    p.add_argument("data", nargs="?" if optional else None, metavar="DATA",
                   help="data file" + (" (default: scikit-learn's diabetes data, 442 x 10; "
                                       "with --task classification its breast cancer data, "
                                       "569 x 30)" if optional else ""))
    p.add_argument("--target", metavar="COLUMN", help="CSV target column (default: the last)")
    p.add_argument("--format", choices=["auto", "csv", "npz", "svmlight"], default="auto",
                   help="data format (default: from the file extension)")


def _add_task(p):
    p.add_argument("--task", choices=["auto", "regression", "classification"],
                   default="auto", help=(
                       "regression (Lasso, elastic net, Ridge) or classification (L1, "
                       "elastic-net and L2 logistic regression); default " + RULE +
                       ". --task classification refuses a continuous target (more than "
                       "20 distinct values, not all integers)"))


def _add_strength(p):
    p.add_argument("--alpha", type=float, help=(
        "one alpha for all three models instead of cross-validation, in the elastic-net "
        "scaling 1/(2n)|y - Xw - b|^2 + alpha*penalty; Ridge gets alpha_ridge = n*alpha "
        "(scikit-learn's Ridge has no 1/(2n)), the same L2 strength. Classification: "
        "glmnet's scaling (1/n)*sum(log-loss) + alpha*penalty, i.e. C = 1/(alpha*n)"))
    p.add_argument("--C", type=float, help=(
        "classification only: one C for all three logistic models instead of "
        "cross-validation, scikit-learn's C*sum(log-loss) + penalty (the same as "
        "--alpha 1/(C*n))"))
    p.add_argument("--l1-ratio", type=float, default=0.5,
                   help="elastic-net mix, 0 < r < 1 (default 0.5)")
    p.add_argument("--cv", type=int, default=5,
                   help="folds for LassoCV/ElasticNetCV (default 5; RidgeCV uses "
                        "efficient leave-one-out); classification: stratified folds of "
                        "LogisticRegressionCV, scored on log-loss")
    p.add_argument("--n-alphas", type=int, default=100,
                   help="alphas per grid (default 100; classification: Cs = 1/(alpha*n))")
    p.add_argument("--eps", type=float, default=1e-3,
                   help="grid end: eps * alpha_max (default 1e-3)")
    p.add_argument("--max-iter", type=int, default=None,
                   help="budget of each fit: coordinate-descent epochs of the L1/elastic-net "
                        "fits (default 1000); classification: proximal Newton steps of each "
                        "logistic fit (default 100)")
    std = p.add_mutually_exclusive_group()
    std.add_argument("--standardize", dest="standardize", action="store_true", default=True,
                     help="standardize features (default; sparse X is scaled, not centred)")
    std.add_argument("--no-standardize", dest="standardize", action="store_false",
                     help="use the features as given")


def _add_split(p):
    p.add_argument("--test-size", type=float, default=0.25,
                   help="fraction held out for R^2, or accuracy, log-loss and ROC AUC "
                        "(stratified by class) (default 0.25; 0 for none)")
    p.add_argument("--seed", type=int, default=0, help="seed of the train/test split")


def _add_output(p):
    p.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def build_parser():
    parser = Parser(prog="regfast", description=(
        "L1 (Lasso), L2 (Ridge) and elastic-net regression -- or L1, L2 and elastic-net "
        "logistic regression on a target of class labels -- on your data: weights side by "
        "side, regularization paths, saved models."), epilog=EPILOG_DATA)
    parser.add_argument("--version", action="version", version=f"regfast {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = sub.add_parser("compare", epilog=EPILOG_DATA, help=(
        "fit L1, elastic net and L2 at comparable strength: training log, weights, R^2 "
        "(classification: accuracy, log-loss, ROC AUC)"))
    _add_data(p, optional=True)
    _add_task(p)
    _add_strength(p)
    _add_split(p)
    p.add_argument("--top", type=int, default=20,
                   help="weights table: at most this many features (default 20)")
    _add_output(p)

    p = sub.add_parser("report", epilog=EPILOG_DATA, help=(
        "the L1-vs-L2 story on your data as one interactive HTML page: overfitting, paths "
        "with an alpha slider, CV curves, geometry, updates, stability, differences "
        "(needs plotly: pip install 'regfast[report]')"))
    _add_data(p, optional=True)
    _add_task(p)
    _add_strength(p)
    _add_split(p)
    p.add_argument("--output", "-o", metavar="FILE.html", default="report.html",
                   help="where to write the page (default report.html)")
    p.add_argument("--resamples", type=int, default=50,
                   help="stability: fits on this many random halves of the training rows "
                        "(default 50; seeded by --seed)")
    p.add_argument("--n-jobs", type=int, default=1,
                   help="threads for the cross-validation folds, the paths and the "
                        "stability resamples (default 1; -1: all cores)")
    p.add_argument("--features", metavar="A,B",
                   help="geometry: the two features to draw (names or 0-based indices; "
                        "default: the two largest L1 weights)")
    p.add_argument("--feature-names", metavar="A,B,...|FILE",
                   help="names of the features, comma-separated or one per line in a file "
                        "(default: the CSV header or .npz feature_names, else x0, x1, ...)")
    _add_output(p)

    p = sub.add_parser("path", epilog=EPILOG_DATA, help=(
        "regularization paths of L1, elastic net and L2 (a table, or --plot FILE.png)"))
    _add_data(p, optional=True)
    _add_task(p)
    _add_strength(p)
    p.add_argument("--plot", metavar="FILE.png", help="write the three paths side by side "
                   "(needs matplotlib: pip install 'regfast[plot]')")
    _add_output(p)

    p = sub.add_parser("fit", epilog=EPILOG_DATA,
                       help="fit one model at one alpha (or C) and save it as JSON")
    _add_data(p, optional=False)
    p.add_argument("--penalty", choices=["l1", "l2", "elasticnet"], required=True)
    p.add_argument("--loss", choices=["auto", "squared", "logistic"], default="auto", help=(
        "squared (regression) or logistic (classification: binary or multinomial); "
        "default: from the target, as --task auto"))
    _add_task(p)
    p.add_argument("--alpha", type=float, help=(
        "strength in the elastic-net scaling; for l2, Ridge's alpha = n*alpha; logistic: "
        "glmnet's (1/n)*sum(log-loss) + alpha*penalty, C = 1/(alpha*n)"))
    p.add_argument("--C", type=float,
                   help="logistic loss: scikit-learn's C instead of --alpha")
    p.add_argument("--l1-ratio", type=float, default=0.5, help="for elasticnet (default 0.5)")
    p.add_argument("--standardize", action="store_true",
                   help="fit on standardized features (the saved weights are converted "
                        "back to the original units)")
    p.add_argument("--max-iter", type=int, default=None,
                   help="epochs (default 1000); logistic: proximal Newton steps (default 100)")
    p.add_argument("--tol", type=float, default=1e-4)
    p.add_argument("--output", "-o", metavar="MODEL.json", help="where to save the model")
    _add_output(p)

    p = sub.add_parser("predict", epilog=EPILOG_DATA, help=(
        "predictions of a saved model on DATA, one per line (classification: labels, or "
        "--proba)"))
    p.add_argument("model", metavar="MODEL.json")
    p.add_argument("data", metavar="DATA")
    p.add_argument("--target", metavar="COLUMN",
                   help="CSV column with true values, to report R^2 or accuracy (default: "
                        "the model's)")
    p.add_argument("--format", choices=["auto", "csv", "npz", "svmlight"], default="auto")
    p.add_argument("--proba", action="store_true",
                   help="classification: the probability of each class instead of labels, "
                        "as CSV with a header line of class names")
    p.add_argument("--output", "-o", metavar="FILE", help="write predictions to FILE")
    _add_output(p)
    return parser


def run(args):
    from . import _commands, _report
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if args.command == "report":        # regfast.report (and plotly) only when asked
            from ..report import report as command
        else:
            command = getattr(_commands, args.command)
        out = command(args)
    # warnings (e.g. a fit that did not converge) become one line each, said once
    notes = list(dict.fromkeys(f"{w.category.__name__}: {str(w.message).splitlines()[0]}"
                               for w in caught))
    out["warnings"] = notes
    text = out.pop("text", None)          # predict's labels or probabilities, as printed
    if not (args.quiet or args.json):
        for note in notes:
            print(f"regfast: warning: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(out, indent=1))
    elif args.command == "compare":
        print(_report.compare_text(out, args.top))
    elif args.command == "path":
        print(_report.path_text(out))
    elif args.command == "report":
        print(text)
    elif args.command == "fit":
        print(_report.fit_text(out, args.output))
    elif args.command == "predict":
        if not args.output:
            sys.stdout.write(text)
        if not args.quiet:
            print(_report.predict_note(out, args.output), file=sys.stderr)


def main(argv=None):
    """Entry point of the ``regfast`` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        run(args)
        return 0
    except UsageError as exc:
        print(f"regfast: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:         # e.g. `regfast predict ... | head`
        sys.stderr.close()
        return 0
    except OSError as exc:          # unreadable file, full disk, ...
        print(f"regfast: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except ValueError as exc:       # rejected by an estimator's own input checks
        print(f"regfast: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("regfast: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:        # a bug: still one line, unless debugging
        if os.environ.get("REGFAST_DEBUG"):
            raise
        print(f"regfast: internal error: {type(exc).__name__}: {exc} "
              "(set REGFAST_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1
