"""The benchmark problems, shared by the asv suite and compare.py.

Every problem is deterministic from a seed.  Synthetic ones are generated
here; real ones are read from ``<repo>/../shared/data`` (or the folder named by
``$REGFAST_DATA``) and are unavailable, not faked, when it is absent.

Setting ``REGFAST_BENCH_QUICK=1`` shrinks every problem (synthetic sizes divided,
real sets subsampled) so a smoke run of the suite takes seconds; names stay the
same so the same code paths run.
"""

import os
from pathlib import Path

import numpy as np
import scipy.sparse as sp

SYNTHETIC = ("dense_wide", "dense_tall", "sparse_wide", "sparse_onehot", "genotype")
# wheat, lung_gordon, breast_chowdary: the strongly correlated wide sets of the
# hard-path rows (0/1 markers, gene expression; y as published, 0/1 labels
# fitted as a regression target)
REAL = ("leukemia", "imdb5k_tfidf", "california_housing", "we8there", "wheat", "lung_gordon",
        "breast_chowdary")
PROBLEMS = SYNTHETIC + REAL
DTYPES = ("float64", "float32")
ALPHA_RATIOS = (10, 100)       # alpha = alpha_max / ratio
PATH_N_ALPHAS = 100
PATH_EPS = 1e-3
HARD_PATH_N_ALPHAS = 20        # the hard-path rows: 20 alphas down to alpha_max / 20
HARD_PATH_EPS = 1 / 20
RIDGE_ALPHA = 1.0              # scikit-learn's Ridge scaling (no 1/2n)
RIDGECV_ALPHAS = np.logspace(-3, 3, 20)

# Binary logistic problems: real sets, each as (file, positive class or None
# for a 0/1 target).  Dense sets are standardised (StandardScaler) as part of
# the problem; sparse ones are used as stored.  news20 is one class (0,
# alt.atheism) against the other 19, on raw term counts.
LOGISTIC = {"leukemia": ("leukemia", None), "gisette_test": ("gisette_test", None),
            "imdb5k_tfidf": ("imdb5k_tfidf", None), "news20": ("news20", 0),
            "reuters_moneyfx": ("reuters_moneyfx", None)}
LOGISTIC_PROBLEMS = tuple(LOGISTIC)
C_RATIOS = (10, 100)           # single-C fits at C = C_min * ratio
LOGISTIC_PATH_EPS = 1e-3       # path: alpha_max down to alpha_max * eps (glmnet's grid)

_HERE = Path(__file__).resolve().parent


def quick_mode():
    """True when REGFAST_BENCH_QUICK asks for the shrunken problems."""
    return os.environ.get("REGFAST_BENCH_QUICK", "") not in ("", "0")


# The asv parameter grids: everything, or in quick mode one dense and one
# sparse problem at the harder alpha (asv runs each combination in its own
# process, so the grid size is what a smoke run costs).
# we8there (sparse regression, 6166 x 2640) is in compare.py for LassoCV on a
# real sparse set; the asv grid leaves it out to keep full runs short.
GRID_PROBLEMS = (("dense_wide", "sparse_wide") if quick_mode()
                 else tuple(p for p in PROBLEMS if p != "we8there"))
GRID_ALPHA_RATIOS = (100,) if quick_mode() else ALPHA_RATIOS
# The logistic classes' grid: the binary sets (quick: one dense, one sparse).
GRID_LOGISTIC_PROBLEMS = (("leukemia", "reuters_moneyfx") if quick_mode()
                          else LOGISTIC_PROBLEMS)
GRID_C_RATIOS = (100,) if quick_mode() else C_RATIOS


def data_dir():
    """Folder of the real data sets: $REGFAST_DATA or <repo>/../shared/data."""
    env = os.environ.get("REGFAST_DATA")
    return Path(env) if env else _HERE.parents[2] / "shared" / "data"


def _target(X, n_nonzero, snr, rng):
    """y = X w + noise, w with n_nonzero entries of +-1..2, noise at the given SNR."""
    p = X.shape[1]
    w = np.zeros(p)
    support = rng.choice(p, n_nonzero, replace=False)
    w[support] = rng.choice([-1.0, 1.0], n_nonzero) * rng.uniform(1, 2, n_nonzero)
    signal = np.asarray(X @ w).ravel()
    noise = rng.standard_normal(X.shape[0])
    noise *= np.std(signal) / (snr * np.std(noise))
    return signal + noise


def make_dense_wide(n=500, p=5000, rho=0.5, n_nonzero=50, snr=3.0, seed=0):
    """Gaussian rows, AR(1)-correlated columns (corr(x_j, x_k) = rho^|j-k|), F order."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    scale = np.sqrt(1 - rho ** 2)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + scale * rng.standard_normal(n)
    return X, _target(X, n_nonzero, snr, rng)


def make_dense_tall(n=100_000, p=200, n_nonzero=20, snr=3.0, seed=1):
    """Independent Gaussian columns, many more rows than columns, F order."""
    rng = np.random.default_rng(seed)
    X = np.asfortranarray(rng.standard_normal((p, n)).T)
    return X, _target(X, n_nonzero, snr, rng)


def make_sparse_wide(n=20_000, p=50_000, density=0.002, n_nonzero=200, snr=3.0, seed=2):
    """Uniform random CSC matrix with Gaussian values."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csc", random_state=rng,
                  data_rvs=rng.standard_normal)
    X.indices = X.indices.astype(np.int32)
    return X, _target(X, n_nonzero, snr, rng)


def make_sparse_onehot(n=69_449, n_groups=300, n_players=2476, k=10, snr=3.0, seed=3):
    """A one-hot design like a sports or ads model: per row one group
    (team-season) indicator and k player indicators, players' popularity
    heavy-tailed (a few appear in many rows); CSC, ill-conditioned."""
    rng = np.random.default_rng(seed)
    pop = rng.pareto(1.2, n_players) + 1
    players = rng.choice(n_players, (n, k), p=pop / pop.sum())
    cols = np.column_stack([rng.integers(0, n_groups, n), n_groups + players])
    X = sp.csr_matrix((np.ones(cols.size), (np.repeat(np.arange(n), k + 1), cols.ravel())),
                      shape=(n, n_groups + n_players)).tocsc()
    X.sum_duplicates()
    X.indices = X.indices.astype(np.int32)
    return X, _target(X, n_groups // 10, snr, rng)


def make_genotype(n=2000, p=10000, switch=0.05, n_causal=500, h2=0.5, seed=4):
    """Genotype-like markers coded 0/1/2 with linkage between neighbours, F order.

    Each sample carries two haplotypes.  Along the markers a haplotype keeps
    its allele's state (the same side of its marker's frequency quantile)
    with probability 1 - switch and redraws it otherwise, so neighbouring
    markers are correlated about 1 - switch and the correlation decays with
    distance, as linkage disequilibrium does; allele frequencies are uniform
    on 0.05..0.5.  y is polygenic: n_causal markers with Gaussian effects,
    heritability h2 (signal variance over total).
    """
    rng = np.random.default_rng(seed)
    freq = rng.uniform(0.05, 0.5, p)
    X = np.empty((n, p), order="F")
    u = rng.random((2, n))              # each haplotype's latent uniform
    for j in range(p):
        redraw = rng.random((2, n)) < switch
        u[redraw] = rng.random(int(redraw.sum()))
        X[:, j] = (u < freq[j]).sum(axis=0)
    w = np.zeros(p)
    causal = rng.choice(p, n_causal, replace=False)
    w[causal] = rng.standard_normal(n_causal)
    signal = X @ w
    noise = rng.standard_normal(n) * np.std(signal) * np.sqrt((1 - h2) / h2)
    return X, signal + noise


_MAKERS = {
    "dense_wide": (make_dense_wide, dict(n=500, p=5000), dict(n=100, p=1000)),
    "dense_tall": (make_dense_tall, dict(n=100_000, p=200), dict(n=5000, p=50)),
    "sparse_wide": (make_sparse_wide, dict(n=20_000, p=50_000), dict(n=500, p=1000, density=0.02)),
    "sparse_onehot": (make_sparse_onehot, {}, dict(n=3000, n_groups=30, n_players=200, k=5)),
    "genotype": (make_genotype, {}, dict(n=300, p=1000, n_causal=50)),
}


def load_real(name, quick=False):
    """A real data set as (X, y): dense F-ordered or CSC, float64.

    Raises FileNotFoundError when the data folder is missing.  Quick mode keeps
    a deterministic subsample (rows, and the first columns of wide sets).
    """
    path = data_dir() / f"{name}.npz"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found (set REGFAST_DATA to the shared/data folder)")
    with np.load(path, allow_pickle=False) as d:
        y = np.asarray(d["y"], dtype=np.float64)
        if "X" in d.files:
            X = np.asfortranarray(d["X"], dtype=np.float64)
        else:
            X = sp.load_npz(path).tocsc()
    if quick:
        n, p = X.shape
        X, y = X[: min(n, 2000)], y[: min(n, 2000)]
        X = X[:, : min(p, 5000)]
        X = X.tocsc() if sp.issparse(X) else np.asfortranarray(X)
    if sp.issparse(X):
        X.indices = X.indices.astype(np.int32)
        X.sort_indices()
    return X, y


def make_logistic_problem(name, quick=None):
    """(X, y) of a binary logistic problem: y in {0, 1}, dense X standardised, float64.

    Quick mode keeps a deterministic subsample (as ``load_real``); a subsample
    that lost a class is refused rather than silently changed.
    """
    quick = quick_mode() if quick is None else quick
    if name not in LOGISTIC:
        raise ValueError(f"unknown logistic problem {name!r}; choose from {LOGISTIC_PROBLEMS}")
    file, positive = LOGISTIC[name]
    X, y = load_real(file, quick=False)
    y = (y > 0.5) if positive is None else (y == positive)
    if quick:
        rows = np.random.default_rng(0).permutation(X.shape[0])[: min(X.shape[0], 2000)]
        rows.sort()
        X, y = X[rows][:, : min(X.shape[1], 5000)], y[rows]
        X = X.tocsc() if sp.issparse(X) else X
        if sp.issparse(X):
            X.indices = X.indices.astype(np.int32)
            X.sort_indices()
    if not sp.issparse(X):
        from sklearn.preprocessing import StandardScaler
        X = np.asfortranarray(StandardScaler().fit_transform(X))
    y = y.astype(np.float64)
    if not 0 < y.sum() < y.size:
        raise ValueError(f"{name}: the (sub)sample has one class only")
    return X, y


def is_logistic_available(name):
    """False for a logistic problem whose file is missing."""
    return name in LOGISTIC and (data_dir() / f"{LOGISTIC[name][0]}.npz").exists()


def logistic_path_cs(X, y, fit_intercept=True, n_values=PATH_N_ALPHAS, eps=LOGISTIC_PATH_EPS):
    """The path's Cs: glmnet's grid alpha_max * logspace(0, log10(eps)), as C = 1 / (alpha n).

    That is C_min (the smallest C with a non-zero L1 coefficient) times
    logspace(0, -log10(eps)), increasing.
    """
    from .scoring import logistic_c_min
    return logistic_c_min(X, y, 1.0, fit_intercept) * np.logspace(0, -np.log10(eps), n_values)


# Multi-task problems (the MultiTaskLasso rows): T = 4 targets that share a
# support.  dense_wide_mt: the dense_wide design with targets X W + noise, W
# with 50 non-zero rows; wheat_mt: the wheat markers, targets the published
# yield and three held-back marker columns (removed from X); news20_mt: news20
# on raw term counts, targets the indicators of classes 0-3.
MULTITASK = ("dense_wide_mt", "wheat_mt", "news20_mt")
N_TASKS = 4


def make_multitask_problem(name, quick=None):
    """(X, Y) in float64, Y of shape (n, N_TASKS), for a multi-task problem name."""
    quick = quick_mode() if quick is None else quick
    if name == "dense_wide_mt":
        maker, full, small = _MAKERS["dense_wide"]
        X, _ = maker(**(small if quick else full))
        rng = np.random.default_rng(10)
        support = rng.choice(X.shape[1], 50, replace=False)
        W = np.zeros((X.shape[1], N_TASKS))
        W[support] = rng.choice([-1.0, 1.0], (50, N_TASKS)) * rng.uniform(1, 2, (50, N_TASKS))
        signal = X @ W
        noise = rng.standard_normal(signal.shape)
        return X, signal + noise * signal.std(axis=0) / (3.0 * noise.std(axis=0))
    if name == "wheat_mt":
        X, y = load_real("wheat", quick=quick)
        held = [10, 200, 700]
        keep = np.setdiff1d(np.arange(X.shape[1]), held)
        return np.asfortranarray(X[:, keep]), np.column_stack([y, X[:, held]])
    if name == "news20_mt":
        X, y = load_real("news20", quick=quick)
        return X, np.column_stack([(y == k).astype(np.float64) for k in range(N_TASKS)])
    raise ValueError(f"unknown multi-task problem {name!r}; choose from {MULTITASK}")


def is_multitask_available(name):
    """False when the real set behind a multi-task problem is missing."""
    file = {"wheat_mt": "wheat", "news20_mt": "news20"}.get(name)
    return file is None or (data_dir() / f"{file}.npz").exists()


def alpha_max_multitask(X, Y):
    """Smallest alpha with all-zero rows of W, with intercepts (sklearn's scaling)."""
    Yc = np.asarray(Y, dtype=np.float64)
    Yc = Yc - Yc.mean(axis=0)
    return float(np.sqrt((np.asarray(X.T @ Yc) ** 2).sum(axis=1)).max() / X.shape[0])


def make_problem(name, quick=None):
    """(X, y) in float64 for a problem name; quick=None reads REGFAST_BENCH_QUICK."""
    quick = quick_mode() if quick is None else quick
    if name in _MAKERS:
        maker, full, small = _MAKERS[name]
        return maker(**(small if quick else full))
    if name in REAL:
        return load_real(name, quick=quick)
    raise ValueError(f"unknown problem {name!r}; choose from {PROBLEMS}")


def as_dtype(X, y, dtype):
    """X and y in dtype, keeping F order / CSC (no copy when already right)."""
    dtype = np.dtype(dtype)
    if sp.issparse(X):
        X = X.astype(dtype, copy=False)
    else:
        X = np.asfortranarray(X, dtype=dtype)
    return X, y.astype(dtype, copy=False)


def is_available(name):
    """False for a real set whose file is missing."""
    return name not in REAL or (data_dir() / f"{name}.npz").exists()


def alpha_max(X, y, l1_ratio=1.0, fit_intercept=True):
    """Smallest alpha with all-zero coefficients, with an intercept or without
    one (sklearn's scaling)."""
    yc = np.asarray(y, dtype=np.float64)
    if fit_intercept:
        yc = yc - yc.mean()
    return float(np.max(np.abs(X.T @ yc)) / (X.shape[0] * l1_ratio))


def path_alphas(X, y, l1_ratio=1.0):
    """The 100 alphas log-spaced from alpha_max down to alpha_max * 1e-3."""
    return alpha_max(X, y, l1_ratio) * np.logspace(0, np.log10(PATH_EPS), PATH_N_ALPHAS)


def hard_path_alphas(X, y, fit_intercept=True):
    """The hard-path rows' 20 alphas, log-spaced from alpha_max down to alpha_max / 20
    (alpha_max of the problem with or without an intercept)."""
    return alpha_max(X, y, fit_intercept=fit_intercept) * np.logspace(
        0, np.log10(HARD_PATH_EPS), HARD_PATH_N_ALPHAS)
