"""Shared test setup: the compiled kernel must be importable; real data sets are optional.

The real data sets live next to the repository, in ``<repo>/../shared/data``
(one ``.npz`` per set, see the README there), or in the folder that the
environment variable REGFAST_DATA names.  Tests that use them skip with a
message saying where they looked when that folder is absent; they never need
the network.
"""

import importlib
import os
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

DATA_DIR = Path(os.environ.get("REGFAST_DATA")
                or Path(__file__).resolve().parents[1].parent / "shared" / "data")


def _check_extension():
    """Fail the whole run early, with a readable message, if the kernel is not built.

    Running ``python -m pytest`` from the repository root imports the source
    folder ``regfast/`` (which holds no compiled module) instead of the
    installed package; so does a checkout that was never built.
    """
    try:
        importlib.import_module("regfast._cd")
    except ImportError as exc:
        spec = importlib.util.find_spec("regfast")
        where = Path(spec.origin).parent if spec and spec.origin else "nowhere"
        pytest.exit(
            "regfast's compiled extension regfast._cd cannot be imported "
            f"({exc}).\nThe regfast package found is in {where}.\n"
            "Build and install it first:  pip install --no-build-isolation -e .\n"
            "and run the tests with the `pytest` command (pyproject.toml sets "
            "--import-mode=importlib), not `python -m pytest` from the repo root.",
            returncode=4)


def pytest_sessionstart(session):
    _check_extension()


def load_real(name, *, max_rows=None, max_cols=None, seed=0):
    """Load real data set `name` from <repo>/../shared/data, or skip the test.

    Dense sets come back as float64 F-ordered arrays, sparse sets as CSC.
    ``max_rows`` / ``max_cols`` keep a random subset (same for every call
    with the same seed) so that tests stay fast.
    """
    path = DATA_DIR / f"{name}.npz"
    if not path.exists():
        pytest.skip(f"real data set {name!r} not found: expected {path} "
                    "(the shared data folder next to the repository; "
                    "set REGFAST_DATA to use another folder)")
    with np.load(path, allow_pickle=False) as d:
        y = np.asarray(d["y"], dtype=np.float64)
        if "X" in d.files:
            X = np.asarray(d["X"], dtype=np.float64)
        else:
            X = sp.csr_matrix((d["data"], d["indices"], d["indptr"]),
                              shape=tuple(d["shape"]))
    rng = np.random.RandomState(seed)
    if max_rows is not None and X.shape[0] > max_rows:
        rows = np.sort(rng.choice(X.shape[0], max_rows, replace=False))
        X, y = X[rows], y[rows]
    if max_cols is not None and X.shape[1] > max_cols:
        cols = np.sort(rng.choice(X.shape[1], max_cols, replace=False))
        X = X[:, cols]
    X = sp.csc_matrix(X) if sp.issparse(X) else np.asfortranarray(X)
    return X, y


@pytest.fixture
def real_data():
    """The loader `load_real` as a fixture (tests cannot import conftest)."""
    return load_real


# Hypothesis profiles for tests/test_properties.py, chosen by REGFAST_HYPOTHESIS:
# "ci" (default) is sized to run that file in about 2-3 minutes on 2 cores and is
# derandomized, so a CI failure reproduces with the same command anywhere (new
# examples come from "long" runs, whose failures hypothesis saves in its
# database and replays); "long" is for deep runs (time-boxed by the caller);
# "dev" is a quick local pass.  REGFAST_HYPOTHESIS_EXAMPLES=N overrides the
# number of examples per test.  The deadline flags pathologically slow
# examples only (examples take milliseconds; CI machines are shared).  It is
# 60 s, not 20: one example the CI profile draws (multinomial float32 CSR,
# |X| ~ 1e15 over 10 decades, four alphas) took 26 s running to max_iter=1000
# Newton steps; the solver now stops such stalled fits after 20 steps
# (docs/KERNEL_BUGS.md, issue 12), but shared CI machines are slow.
try:
    from datetime import timedelta
    import os

    from hypothesis import HealthCheck, settings

    _slow = [HealthCheck.too_slow, HealthCheck.filter_too_much]
    settings.register_profile("ci", max_examples=1500, derandomize=True,
                              deadline=timedelta(seconds=60), print_blob=True,
                              suppress_health_check=_slow)
    settings.register_profile("dev", max_examples=20, deadline=timedelta(seconds=20),
                              suppress_health_check=_slow)
    settings.register_profile("long", max_examples=1_000_000,
                              deadline=timedelta(seconds=60), print_blob=True,
                              suppress_health_check=_slow)
    settings.load_profile(os.environ.get("REGFAST_HYPOTHESIS", "ci"))
    if os.environ.get("REGFAST_HYPOTHESIS_EXAMPLES"):      # per test, any profile
        settings.register_profile(
            "_sized", settings(max_examples=int(os.environ["REGFAST_HYPOTHESIS_EXAMPLES"])))
        settings.load_profile("_sized")
except ImportError:          # hypothesis is in the [test] extra; without it the
    pass                     # property tests are skipped (importorskip)
