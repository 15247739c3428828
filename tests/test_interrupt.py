"""Ctrl-C during a long fit: KeyboardInterrupt within about half a second,
no thread left running, no memory kept.

Each case runs in a subprocess that is sent SIGINT while its fit is in the
kernel (without the GIL, in the main thread or in worker threads); a fit
that would otherwise run for much longer than the test waits.
"""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# the child: build the problem, say "ready", fit; report what an interrupt left
CHILD = textwrap.dedent("""
    import sys, threading, time
    import numpy as np
    import regfast
    rng = np.random.default_rng(0)
    n, p = {n}, {p}
    X = rng.standard_normal((n, p))
    y = X[:, :30] @ rng.standard_normal(30) + rng.standard_normal(n)
    yc = (y > 0).astype(int)
    fit = lambda: {call}
    print("ready", flush=True)
    try:
        fit()
        print("finished", flush=True)
    except KeyboardInterrupt:
        t = time.monotonic()
        while threading.active_count() > 1 and time.monotonic() - t < 5:
            time.sleep(0.01)
        print("interrupted", threading.active_count(), flush=True)
""")

CASES = {
    # tol=0 never converges: these run until max_iter, far beyond the test
    "lasso_path": (400, 3000, "regfast.lasso_path(X, y, eps=1e-4, alphas=50, "
                              "tol=0.0, max_iter=10**6)"),
    "LassoCV threads": (400, 3000, "regfast.LassoCV(n_jobs=2, cv=3, alphas=20, "
                                   "tol=0.0, max_iter=10**6).fit(X, y)"),
    "ElasticNet sparse": (400, 3000, "regfast.ElasticNet(alpha=1e-4, l1_ratio=0.5, "
                                     "tol=0.0, max_iter=10**7).fit("
                                     "__import__('scipy.sparse').sparse.csc_matrix(X), y)"),
    "LogisticRegression": (3000, 3000, "regfast.LogisticRegression(C=1e3, l1_ratio=1.0, "
                                       "tol=0.0, max_iter=10**6).fit(X, yc)"),
    "LogisticRegressionCV threads": (3000, 3000, "regfast.LogisticRegressionCV("
                                     "Cs=20, l1_ratios=[1.0], cv=2, n_jobs=2, tol=0.0, scoring=None, "
                                     "use_legacy_attributes=False, "
                                     "max_iter=10**6).fit(X, yc)"),
    # columns over six decades: the recursive residual needs far more than the
    # test's wait to underflow to zero (where tol=0 would count as converged)
    "Ridge cg sparse": (400, 3000, "regfast.Ridge(alpha=1e-12, solver='cg', tol=0.0, "
                                   "max_iter=10**7).fit(__import__('scipy.sparse')"
                                   ".sparse.csc_matrix(X * np.geomspace(1, 1e-6, p)), y)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_sigint_stops_the_fit(case, tmp_path):
    n, p, call = CASES[case]
    # cwd: not the repository root, whose source folder would shadow the package
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(n=n, p=p, call=call)], cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
    try:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(1.5)                      # well inside the kernel by now
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        line = child.stdout.readline().split()
        latency = time.monotonic() - sent
        child.wait(timeout=30)
    finally:
        child.kill()
    assert line and line[0] == "interrupted", (line, child.stderr.read())
    assert line[1] == "1", f"{line[1]} threads still running after the interrupt"
    # about half a second is the goal; the bound leaves room for a loaded machine
    assert latency < 3.0, f"KeyboardInterrupt took {latency:.2f} s"


LEAK_CHILD = textwrap.dedent("""
    import ctypes, os, signal, threading
    import numpy as np
    import regfast

    class MallInfo2(ctypes.Structure):
        _fields_ = [(f, ctypes.c_size_t) for f in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
            "fsmblks", "uordblks", "fordblks", "keepcost")]
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    def in_use():   # bytes malloc has handed out (numpy's and the kernel's)
        m = libc.mallinfo2()
        return m.uordblks + m.hblkhd

    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((200, 20000)))
    y = X[:, :30] @ rng.standard_normal(30)
    def interrupted_fit():
        timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        try:
            regfast.lasso_path(X, y, eps=1e-4, alphas=50, tol=0.0, max_iter=10**6)
            raise SystemExit("the fit finished before the interrupt")
        except KeyboardInterrupt:
            timer.join()
    for _ in range(3):
        interrupted_fit()
    before = in_use()
    for _ in range(15):
        interrupted_fit()
    print(in_use() - before)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallinfo2")
def test_interrupted_fits_free_their_memory(tmp_path):
    # one leaked workspace here is about 2 MB (11 arrays of p = 20000 doubles)
    out = subprocess.run([sys.executable, "-c", LEAK_CHILD], capture_output=True, cwd=tmp_path,
                         text=True, timeout=120,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert out.returncode == 0, out.stderr
    growth = int(out.stdout.split()[-1])
    assert growth < 1_000_000, f"15 interrupted fits kept {growth} bytes"


def test_sigint_stops_the_report_and_its_threads(tmp_path):
    """`regfast report`: its resamples run in threads; Ctrl-C ends the command
    promptly with exit code 130 and leaves no output file behind."""
    pytest.importorskip("plotly")
    import numpy as np
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 2000))
    np.savez(tmp_path / "wide.npz", X=X, y=X[:, :20].sum(axis=1) + rng.standard_normal(300))
    child = subprocess.Popen(
        [sys.executable, "-m", "regfast", "report", "wide.npz", "--n-jobs", "2",
         "--resamples", "5000", "-o", "out.html"], cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
    try:
        time.sleep(8)               # imports, CV, paths: then well into the resamples
        assert child.poll() is None, child.communicate()
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=30)
        latency = time.monotonic() - sent
    finally:
        child.kill()
    assert child.returncode == 130, err
    assert "interrupted" in err
    assert latency < 3.0, f"the report took {latency:.2f} s to stop"
    assert not (tmp_path / "out.html").exists()
    assert not [f for f in os.listdir(tmp_path) if f not in ("wide.npz",)], os.listdir(tmp_path)
