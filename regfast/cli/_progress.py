"""A progress bar on stderr, shown only when stderr is a terminal."""

import sys
import time


class Progress:
    """Stage counter: ``with Progress(total, enabled) as p: p.step("label")``.

    Draws ``[#####.....] 3/6 label (4.1 s)`` on one stderr line, and nothing
    at all when disabled, when stderr is not a TTY, or for --quiet/--json.
    """

    def __init__(self, total, enabled=True, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.total, self.done, self.t0 = max(int(total), 1), 0, time.perf_counter()

    def step(self, label):
        """Announce the stage about to run (after `done` finished stages)."""
        if self.enabled:
            width = 24
            k = width * self.done // self.total
            self.stream.write(f"\r[{'#' * k}{'.' * (width - k)}] {self.done}/{self.total} "
                              f"{label[:40]:40s} ({time.perf_counter() - self.t0:.1f} s)")
            self.stream.flush()
        self.done += 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self.stream.write("\r" + " " * 90 + "\r")
            self.stream.flush()
        return False
