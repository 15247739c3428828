"""Reading DATA for the command line: CSV, .npz (dense or CSR) and svmlight/libsvm.

Every problem a user can cause (missing file, unknown column, a non-numeric
cell, NaN in the target) raises `UsageError` with one line naming it.  The
target may be text (class labels such as ``yes``/``no``): a CSV column with a
cell that is not a number, or an .npz string array ``y``; the features are
always numbers.
"""

import csv
import json
import os
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


class UsageError(Exception):
    """Bad input or options: reported as one line, exit code 2."""


@dataclass
class Dataset:
    """A design matrix with its target and feature names."""

    X: object                 # ndarray or CSR matrix, float64
    y: object                 # ndarray (n,): float64 or str (text labels); None: no target
    feature_names: list
    name: str
    target_name: str = None

    @property
    def sparse(self):
        return sp.issparse(self.X)


FORMATS = {".csv": "csv", ".npz": "npz", ".svm": "svmlight", ".svmlight": "svmlight",
           ".libsvm": "svmlight", ".txt": "svmlight"}


def load_diabetes_data():
    """The bundled real data set: scikit-learn's diabetes (442 x 10, named features)."""
    from sklearn.datasets import load_diabetes
    d = load_diabetes()
    return Dataset(np.asarray(d.data, dtype=np.float64), np.asarray(d.target, dtype=np.float64),
                   list(d.feature_names), "diabetes (scikit-learn)")


def load_breast_cancer_data():
    """The bundled binary data set: scikit-learn's breast cancer (569 x 30, 0/1 labels)."""
    from sklearn.datasets import load_breast_cancer
    d = load_breast_cancer()
    return Dataset(np.asarray(d.data, dtype=np.float64), np.asarray(d.target, dtype=np.float64),
                   [str(f) for f in d.feature_names], "breast cancer (scikit-learn)")


def load_data(path, target=None, fmt="auto", need_target=True, n_features=None):
    """Read DATA from path; fmt is 'auto' (by extension), 'csv', 'npz' or 'svmlight'."""
    if not os.path.exists(path):
        raise UsageError(f"{path}: no such file")
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory, expected a data file")
    if fmt == "auto":
        ext = os.path.splitext(path)[1].lower()
        if ext not in FORMATS:
            raise UsageError(f"{path}: cannot tell the format from the extension {ext!r}; "
                             "use .csv, .npz, .svm/.libsvm/.txt, or pass --format")
        fmt = FORMATS[ext]
    if target is not None and fmt != "csv":
        raise UsageError(f"--target only applies to CSV files, not {fmt} ({path})")
    reader = {"csv": _read_csv, "npz": _read_npz, "svmlight": _read_svmlight}[fmt]
    if fmt == "csv":
        data = reader(path, target, need_target)
    elif fmt == "svmlight":
        data = reader(path, n_features)
    else:
        data = reader(path)
    _check_finite(data, path)
    if need_target and data.y is None:
        raise UsageError(f"{path}: no target (y) found")
    return data


def _csv_rows(path):
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:   # -sig: drop a BOM
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"{path}: cannot read as CSV ({exc})") from None
    return [r for r in rows if r and any(c.strip() for c in r)]


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return cell.strip().lower() in MISSING
    return True


def _split_header(rows, path, target=None):
    """(column names, data rows, line number of the first data row) of CSV rows.

    The first line is a header unless it reads as data: a header has a name
    over a column of numbers somewhere, while a data line has a number in
    every numeric column (text only over a text column, e.g. class labels).
    Without a header the columns are named x0, x1, ... (as in an .npz without
    feature_names) and a warning says so.  ``--target NAME`` found in the first
    line makes it a header.
    """
    if not rows:
        raise UsageError(f"{path}: expected a header line and at least one data row")
    first = [c.strip() for c in rows[0]]
    named_over_numbers = any(
        not _is_number(c) and all(j < len(r) and _is_number(r[j]) for r in rows[1:])
        for j, c in enumerate(first))
    if target in first or named_over_numbers or not any(_is_number(c) for c in first):
        return first, rows[1:], 2
    names = [f"x{j}" for j in range(len(first))]
    warnings.warn(f"{path}: the first line holds numbers, not column names, so it is read as "
                  f"data (no header line); columns named {names[0]}, ..., {names[-1]} by "
                  "position", UserWarning, stacklevel=2)
    return names, rows, 1


def csv_header(path, target=None):
    """The column names of a CSV file (its first non-empty line, or x0, x1, ... if data)."""
    if not os.path.exists(path):
        raise UsageError(f"{path}: no such file")
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory, expected a data file")
    return _split_header(_csv_rows(path), path, target)[0]


def _read_csv(path, target, need_target):
    header, body, first_line = _split_header(_csv_rows(path), path, target)
    if not body:
        raise UsageError(f"{path}: expected a header line and at least one data row")
    for i, r in enumerate(body, start=first_line):
        if len(r) != len(header):
            raise UsageError(f"{path} line {i}: {len(r)} fields, but the "
                             f"{'header' if first_line == 2 else 'first line'} has "
                             f"{len(header)}")
    if target is None:
        t = len(header) - 1 if need_target else None
    elif target in header:
        t = header.index(target)
    else:
        raise UsageError(f"{path}: no column named {target!r} for --target "
                         f"(columns: {', '.join(header[:8])}{', ...' if len(header) > 8 else ''})")
    if t is None:
        return Dataset(_to_float(body, header, path, first_line), None, header,
                       os.path.basename(path))
    if len(header) < 2:
        raise UsageError(f"{path}: needs at least one feature column besides the target")
    keep = [j for j in range(len(header)) if j != t]
    values = _to_float([[r[j] for j in keep] for r in body], [header[j] for j in keep],
                       path, first_line)
    return Dataset(np.asfortranarray(values), _target_column([r[t] for r in body]),
                   [header[j] for j in keep], os.path.basename(path), header[t])


MISSING = {"", "nan", "na", "n/a"}


def _target_column(cells):
    """Numbers (float64) when every cell is one, else text labels (str).

    A missing cell (empty, NA, NaN) is NaN among numbers and kept as text
    among labels; `_check_finite` refuses both.
    """
    cells = [c.strip() for c in cells]
    try:
        return np.array([float("nan") if c.lower() in MISSING else float(c) for c in cells],
                        dtype=np.float64)
    except ValueError:
        return np.array(cells, dtype=str)


def _to_float(rows, header, path, first_line=2):
    """Parse all cells; on failure, name the first bad cell (line and column)."""
    try:
        return np.array(rows, dtype=np.float64)
    except ValueError:
        pass
    for i, r in enumerate(rows, start=first_line):
        for j, cell in enumerate(r):
            try:
                float(cell)
            except ValueError:
                what = "an empty cell" if not cell.strip() else f"{cell.strip()!r} is not a number"
                raise UsageError(f"{path} line {i}, column {header[j]!r}: {what}") from None
    raise UsageError(f"{path}: could not parse the values as numbers")  # pragma: no cover


def _read_npz(path):
    with open(path, "rb") as fh:
        if fh.read(2) != b"PK":
            raise UsageError(f"{path}: not an .npz file (an .npz is a zip archive of arrays)")
    try:
        with np.load(path, allow_pickle=False) as d:
            return _from_npz(d, path)
    except UsageError:
        raise
    except Exception as exc:  # zip, pickle and format errors have many types
        raise UsageError(f"{path}: cannot read as .npz ({str(exc).splitlines()[0]})") from None


def _from_npz(d, path):
    files = set(d.files)
    if "X" in files:
        X = _numeric(d["X"], path, "X")
        if X.ndim != 2:
            raise UsageError(f"{path}: X must be 2-d, got shape {X.shape}")
        X = np.asfortranarray(X)
    elif {"data", "indices", "indptr", "shape"} <= files:
        fmt = d["format"].item() if "format" in files else "csr"
        fmt = fmt.decode() if isinstance(fmt, bytes) else str(fmt)   # save_npz: bytes
        if fmt not in ("csr", "csc"):
            raise UsageError(f"{path}: sparse format {fmt!r} not supported (csr or csc)")
        cls = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
        try:
            X = cls((_numeric(d["data"], path, "data"), d["indices"], d["indptr"]),
                    shape=tuple(int(s) for s in d["shape"]))
        except ValueError as exc:
            raise UsageError(f"{path}: invalid sparse matrix ({exc})") from None
    else:
        raise UsageError(f"{path}: expected arrays 'X' and 'y' (or sparse "
                         f"data/indices/indptr/shape), found {sorted(files)}")
    y = None
    if "y" in files:
        y = d["y"]
        if y.ndim > 1 and sum(s > 1 for s in y.shape) > 1:   # a column or row vector is fine
            raise UsageError(f"{path}: y has shape {tuple(int(s) for s in y.shape)}, more than "
                             "one target; regfast fits one target at a time (save one column "
                             "as y)")
        y = y.ravel()
        y = y.astype(str) if y.dtype.kind in "US" else _numeric(y, path, "y")
    names = [str(s) for s in d["feature_names"]] if "feature_names" in files else None
    name = os.path.basename(path)
    if "meta" in files:
        try:
            name = json.loads(str(d["meta"])).get("name", name)
        except (ValueError, AttributeError):
            pass
    if y is not None and y.shape[0] != X.shape[0]:
        raise UsageError(f"{path}: y has {y.shape[0]} values but X has {X.shape[0]} rows")
    if names is None or len(names) != X.shape[1]:
        names = [f"x{j}" for j in range(X.shape[1])]
    return Dataset(X, y, names, name)


def _numeric(a, path, key):
    if a.dtype.kind not in "biuf":
        raise UsageError(f"{path}: array {key!r} is not numeric (dtype {a.dtype})")
    return a.astype(np.float64, copy=False)


def _read_svmlight(path, n_features):
    from sklearn.datasets import load_svmlight_file
    try:
        X, y = load_svmlight_file(path, n_features=n_features, dtype=np.float64)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read as svmlight/libsvm ({exc})") from None
    return Dataset(X, y, [f"f{j + 1}" for j in range(X.shape[1])], os.path.basename(path))


def _check_finite(data, path):
    if data.y is not None and data.y.dtype.kind in "US":
        missing = np.array([v.strip().lower() in MISSING for v in data.y], dtype=bool)
        if missing.any():
            bad = int(np.flatnonzero(missing)[0])
            raise UsageError(f"{path}: the target has a missing label ({str(data.y[bad])!r}) at row "
                             f"{bad + 1}")
    elif data.y is not None and not np.all(np.isfinite(data.y)):
        bad = int(np.flatnonzero(~np.isfinite(data.y))[0])
        raise UsageError(f"{path}: the target has NaN, missing or infinite values (first at "
                         f"row {bad + 1})")
    values = data.X.data if sp.issparse(data.X) else data.X
    if not np.all(np.isfinite(values)):
        if sp.issparse(data.X):
            raise UsageError(f"{path}: X has NaN or infinite values")
        i, j = np.argwhere(~np.isfinite(data.X))[0]
        raise UsageError(f"{path}: NaN or infinite value at row {i + 1}, "
                         f"feature {str(data.feature_names[j])!r}")
    if data.X.shape[0] == 0 or data.X.shape[1] == 0:
        raise UsageError(f"{path}: no data (X has shape {data.X.shape})")


def standardize(X, center=None, scale=None):
    """Standardise columns; sparse X is only scaled (centring would densify it).

    Returns (X_std, center, scale); center is zeros for sparse X.  Constant
    columns keep scale 1.  Pass center/scale to apply a fitted transform.
    """
    if center is None:
        mean = np.asarray(X.mean(axis=0)).ravel()
        if sp.issparse(X):
            scale = np.sqrt(np.maximum(np.asarray(X.multiply(X).mean(axis=0)).ravel()
                                       - mean ** 2, 0.0))
            center = np.zeros_like(mean)
        else:
            scale, center = X.std(axis=0), mean
        scale[scale <= 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
    if sp.issparse(X):
        return sp.csr_matrix(X @ sp.diags(1.0 / scale)), center, scale
    return np.asfortranarray((X - center) / scale), center, scale
