"""Ctrl-C during fits that run in worker threads.

Only the main thread sees signals.  A fit running there polls them itself
(src/_interrupt.h); fits in worker threads are stopped by the thread that
catches the KeyboardInterrupt, through `stopping_fits`, so that no thread
keeps computing after the exception has reached the user.
"""
from contextlib import contextmanager

from . import _cd


@contextmanager
def stopping_fits():
    """While the block runs, every running or starting regfast fit stops at
    its next check (within one epoch) and raises KeyboardInterrupt.

    Use it around the wait for worker threads after an interrupt.
    """
    _cd.add_stop_request(1)
    try:
        yield
    finally:
        _cd.add_stop_request(-1)


@contextmanager
def thread_pool(n_jobs):
    """A ThreadPoolExecutor for fits that leaves no thread running when the
    block raises: the jobs not started are cancelled, and on KeyboardInterrupt
    the running fits are stopped (within an epoch) before it waits for them."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=n_jobs)
    try:
        yield pool
    except KeyboardInterrupt:
        with stopping_fits():
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def map_threads(run, jobs, n_jobs):
    """[run(job) for job in jobs] in a pool of n_jobs threads (`thread_pool`)."""
    with thread_pool(n_jobs) as pool:
        return list(pool.map(run, jobs))
