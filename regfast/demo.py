"""A first look: L1, elastic net and L2 on the diabetes data, weights side by side.

Run with ``python -m regfast.demo``.
"""

import time

import numpy as np
from sklearn.datasets import load_diabetes

from . import ElasticNet, Lasso


def main(alpha=0.5):
    """Fit the three penalties on standardised diabetes data and print the weights."""
    data = load_diabetes()
    X = (data.data - data.data.mean(0)) / data.data.std(0)
    y = data.target
    models = {
        "L1 (Lasso)": Lasso(alpha=alpha),
        "Elastic net (0.5)": ElasticNet(alpha=alpha, l1_ratio=0.5),
        "L2 (ElasticNet l1_ratio=0)": ElasticNet(alpha=alpha, l1_ratio=0.0),
    }
    print(f"diabetes: {X.shape[0]} samples, {X.shape[1]} standardised features, alpha={alpha}\n")
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(X, y)
        ms = 1e3 * (time.perf_counter() - t0)
        print(f"{name:28s} R^2={model.score(X, y):.3f}  epochs={model.n_iter_:3d}  "
              f"gap={model.dual_gap_:.1e}  {ms:.1f} ms")
    names = list(models)
    print(f"\n{'feature':>8s} " + " ".join(f"{n.split(' (')[0]:>12s}" for n in names))
    for j, feat in enumerate(data.feature_names):
        print(f"{feat:>8s} " + " ".join(f"{models[n].coef_[j]:12.3f}" for n in names))
    zeros = int(np.sum(models[names[0]].coef_ == 0))
    print(f"\nL1 set {zeros} of {X.shape[1]} weights to exactly zero; "
          "L2 shrinks them all but keeps every one.")


if __name__ == "__main__":
    main()
