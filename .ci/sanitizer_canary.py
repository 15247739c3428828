"""A deliberate out-of-bounds read in the kernel: .ci/sanitize expects ASan to
report it, which proves the instrumented build is the one being tested."""
import numpy as np

from regfast import _cd

# a CSC matrix whose indptr promises more entries than its data holds (the
# public API validates this; the private kernel entry trusts its caller)
n, p = 5, 2
values = np.ones(3)
indices = np.array([0, 1, 2], dtype=np.int32)
indptr = np.array([0, 2, 40], dtype=np.int64)
_cd.enet_path_fit(1, values, indices, indptr, n, p, np.ones(n), None, None, float(n),
                  0.0, 5.0, np.zeros(p), np.array([0.1]), 1.0, np.ones(p),
                  np.full(p, -np.inf), np.full(p, np.inf), 1e-4, 100, False, 1)
print("sanitize: the canary's out-of-bounds read was NOT reported")
