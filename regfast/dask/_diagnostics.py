"""What a computation moved, as the scheduler saw it (tests and benchmarks).

`DataMovement` is a scheduler plugin: it counts how many times tasks of each
name were computed (passes over a partitioned array = computations of its
chunks / number of chunks) and the bytes of the results the client asked
for (what was sent to the client).  Needs dask.distributed; not imported by
regfast.dask itself.
"""

from collections import Counter

from dask.utils import key_split
from distributed.diagnostics.plugin import SchedulerPlugin

PLUGIN_NAME = "regfast-data-movement"


class DataMovement(SchedulerPlugin):
    """Counts task computations per name and the bytes of the results clients wanted.

    Names are dask's key_split of the keys: 'standard_normal' for the chunks
    of ``rng.standard_normal(...)``, 'block_stats' for regfast's tasks.

    Examples
    --------
    >>> from distributed import Client, LocalCluster      # doctest: +SKIP
    >>> client = Client(LocalCluster(n_workers=2))          # doctest: +SKIP
    >>> watch(client)                                       # doctest: +SKIP
    >>> ...                                                 # doctest: +SKIP
    >>> report(client)                                      # doctest: +SKIP
    {'computed': {...}, 'to_client_bytes': ..., 'to_client_keys': ...}
    """

    name = PLUGIN_NAME

    def __init__(self):
        self.computed = Counter()
        self.wanted = set()
        self.to_client_bytes = 0
        self.to_client_keys = 0
        self.scheduler = None

    async def start(self, scheduler):
        self.scheduler = scheduler

    def update_graph(self, scheduler, *, keys, **kwargs):
        self.wanted.update(keys)

    def transition(self, key, start, finish, *args, **kwargs):
        if start == "processing" and finish == "memory":
            self.computed[key_split(key)] += 1
            if key in self.wanted:
                ts = self.scheduler.tasks.get(key)
                self.to_client_bytes += max(0, ts.nbytes if ts is not None else 0)
                self.to_client_keys += 1

    def summary(self):
        return {"computed": dict(self.computed), "to_client_bytes": self.to_client_bytes,
                "to_client_keys": self.to_client_keys}

    def reset(self):
        self.computed.clear()
        self.wanted.clear()
        self.to_client_bytes = self.to_client_keys = 0


def watch(client):
    """Register (or reset) the DataMovement plugin on client's scheduler."""
    def _reset(dask_scheduler):
        plugin = dask_scheduler.plugins.get(PLUGIN_NAME)
        if plugin is None:
            return False
        plugin.reset()
        return True
    if not client.run_on_scheduler(_reset):
        client.register_plugin(DataMovement())


def report(client):
    """{'computed': {task name: count}, 'to_client_bytes': int, 'to_client_keys': int}."""
    return client.run_on_scheduler(
        lambda dask_scheduler: dask_scheduler.plugins[PLUGIN_NAME].summary())
