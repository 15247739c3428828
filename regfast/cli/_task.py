"""Regression or classification: telling the task from the target, and class labels.

The rule for ``--task auto`` (also the default loss of ``regfast fit``):

* classification when the target is not numeric (text labels such as ``yes``/``no``),
  or when it is numeric with at most ``MAX_CLASSES`` (20) distinct values, all of
  them integers, and fewer distinct values than half the samples (0/1, 1..K);
* regression otherwise.

``--task classification`` accepts any text or integer labels, or numbers with at
most 20 distinct values; a numeric target with more distinct values that are not
all integers looks continuous and is refused.  ``--task regression`` refuses
text labels.  One class only is refused either way (NaN labels are refused when
the data are read).
"""

import numpy as np

from ._data import UsageError

MAX_CLASSES = 20
RULE = ("auto: classification when the target is text, or has at most 20 distinct "
        "values, all integers, and fewer than half the samples; regression otherwise")


def is_text(y):
    return np.asarray(y).dtype.kind in "USO"


def _integral(values):
    return bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))


def detect_task(y, requested, source, option=None):
    """("regression" | "classification", a note saying why) for target y.

    requested is the --task option ("auto", "regression", "classification");
    source names the data in error messages, option the option that asked for
    the task (default ``--task REQUESTED``).  Raises UsageError for text labels
    with --task regression, a continuous target with --task classification,
    and a target with one value (one class) only.
    """
    y = np.asarray(y)
    option = option or f"--task {requested}"
    values = np.unique(y)
    k, n = len(values), len(y)
    if k < 2:
        shown = (repr(str(values[0])) if is_text(values) else label_strings(values[:1])[0]
                 ) if k else "no rows"
        raise UsageError(f"{source}: the target is constant ({shown}): one class only, "
                         "nothing to fit")
    if is_text(y):
        if requested == "regression":
            raise UsageError(f"{source}: {option} needs a numeric target, but the "
                             f"target holds text labels (e.g. {str(values[0])!r})")
        return "classification", (f"auto: {k} text labels" if requested == "auto"
                                   else option)
    integral = _integral(values)
    few = k <= MAX_CLASSES and k < n / 2
    if requested == "regression":
        return "regression", option
    if requested == "classification":
        if not integral and k > MAX_CLASSES:
            example = values[np.flatnonzero(values != np.round(values))[0]]
            raise UsageError(
                f"{source}: {option} needs class labels, but the target looks "
                f"continuous ({k} distinct values, not all integers, e.g. {example:g}); "
                + ("use --loss squared" if option.startswith("--loss") else
                   "use --task regression"))
        return "classification", option
    if integral and few:
        return "classification", f"auto: {k} distinct integer values in {n} rows"
    if not integral:
        why = f"{k} distinct values, not all integers"
    elif k > MAX_CLASSES:
        why = f"{k} distinct values"
    else:
        why = f"{k} distinct values in only {n} rows"
    return "regression", f"auto: {why}"


def label_strings(values):
    """Class labels as printed: integral numbers without '.0', text as is."""
    values = np.asarray(values)
    if is_text(values):
        return [str(v) for v in values]
    if _integral(values):
        return [str(int(v)) for v in values]
    return [f"{v:.17g}" for v in values]


def label_values(values):
    """Class labels for JSON: ints for integral numbers, else floats or text."""
    values = np.asarray(values)
    if is_text(values):
        return [str(v) for v in values]
    if _integral(values):
        return [int(v) for v in values]
    return [float(v) for v in values]
