"""Peak memory of one call, beyond what the process held before it (Linux),
and the median or best wall time of a call (for the stand-alone benchmark scripts).

Resets the kernel's high-water mark of the resident set (``/proc/self/clear_refs``,
value 5), runs the call, and reads ``VmHWM``: what the call allocated at its
peak, whatever allocator it used (numpy, C++, numba), in bytes.  Elsewhere the
figure is NaN.
"""

import math
import time

_STATUS = "/proc/self/status"


def _status_kib(field):
    with open(_STATUS) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise OSError(f"{field} not in {_STATUS}")


def reset_peak():
    """Reset the high-water mark; returns the current resident size in bytes (NaN if unsupported)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return _status_kib("VmRSS") * 1024
    except OSError:
        return math.nan


def peak_increase(fn):
    """(fn(), bytes by which the resident set peaked above its size before the call)."""
    before = reset_peak()
    out = fn()
    if math.isnan(before):
        return out, math.nan
    return out, _status_kib("VmHWM") * 1024 - before


def _times(fn, repeats, warm_up):
    """Wall times of repeats calls of fn(), after one untimed call if warm_up."""
    if warm_up:
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def median_time(fn, repeats=7, warm_up=True):
    """Median wall time of fn() over repeats calls, after one untimed call."""
    times = _times(fn, repeats, warm_up)
    return float(sorted(times)[len(times) // 2])


def best_time(fn, repeats=7, warm_up=True):
    """Best wall time of fn() over repeats calls, after one untimed call."""
    return min(_times(fn, repeats, warm_up))
