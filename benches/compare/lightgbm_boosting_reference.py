"""LightGBM's predictions that crates/ml-regress/tests/boosting.rs embeds.

The test `binned_boosting_matches_lightgbm` fits ml-regress's boosting with
LightGBM's bins (`SplitSearch::LIGHTGBM`) and penalties on the same data and
compares its predictions at the same 12 probe points with these.

Usage: lightgbm_boosting_reference.py (run by `benches/compare/run dimag-splits`)
"""

import lightgbm
import numpy as np
from lightgbm import LGBMRegressor

# The test's data: 200 rows, 3 features quantized to 1/40 (repeated values,
# a zero, negatives), and 12 probe points off the grid.
n = 200
x = np.array([[np.floor(np.sin((i * (j + 2)) * 0.211 + j) * 40.0) / 40.0 for j in range(3)] for i in range(n)])
y = np.array([2.0 * x[i, 0] + np.sin(3.0 * x[i, 1]) + 0.4 * ((i * 7919) % 23) / 23.0 for i in range(n)])
probe = np.array([[np.sin(1.3 * k + j) * 0.97 for j in range(3)] for k in range(12)])

print(f"LightGBM {lightgbm.__version__}")
ds = lightgbm.Dataset(x, y, params={"verbose": -1}).construct()
print("bins per feature:", [ds.feature_num_bin(i) for i in range(3)])
for alpha, lam in [(0.0, 0.0), (0.15, 0.14)]:
    m = LGBMRegressor(n_estimators=50, learning_rate=0.3, max_depth=2, num_leaves=4, min_child_samples=5,
                      reg_alpha=alpha, reg_lambda=lam, verbose=-1, n_jobs=1).fit(x, y)
    values = ", ".join(f"{v:.12}" for v in m.predict(probe))
    print(f"reg_alpha={alpha}, reg_lambda={lam}: [{values}]")
