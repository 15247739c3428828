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


def map_threads(run, jobs, n_jobs):
    """[run(job) for job in jobs] in a pool of n_jobs threads.

    On an error the jobs not started are cancelled; on KeyboardInterrupt in
    the waiting thread the running fits are stopped too.  Either way no
    thread is left running when it raises.
    """
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=n_jobs)
    try:
        results = list(pool.map(run, jobs))
    except KeyboardInterrupt:
        with stopping_fits():
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results
