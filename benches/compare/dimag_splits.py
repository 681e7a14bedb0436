"""scikit-learn's DiMag splits and test R², written as the fixture the Rust side reads.

For each DiMag target (SAR, r1, r2) and split seed 0-9: the original
protocol's split exactly as scikit-learn draws it (5 equal-width bins of the
raw target by `pandas.cut`, `train_test_split(test_size=0.2, stratify=bins,
random_state=seed)`), and the test R² (log10 target) of the published model
family fitted on it (`MinMaxScaler` on the training rows; SAR: LightGBM with
the paper's settings; r1, r2: `ExtraTreesRegressor(100, min_samples_leaf=2)`;
models seeded with the split seed). Also LightGBM's number of bins per
feature on the seed-0 training rows (min-max scaled), which
`ml_regress::tree::bin_upper_bounds` must reproduce.

Usage: dimag_splits.py DATA_DIR OUT_JSON
(`benches/compare/run dimag-splits` writes tests/fixtures/dimag_sklearn_splits.json)

The test row indices are 0-based data rows of the CSV file, sorted;
`train_head` and `test_head` are the first ten training and test rows in
the order scikit-learn returns them. The `dimag` example and
`tests/dimag_trees.rs` fit our models on the same splits, so the two libraries' medians can be compared without the sampling
noise of two different split generators.
"""

import argparse
import json
import os
import warnings

import lightgbm
import numpy as np
import pandas as pd
import sklearn
from lightgbm import LGBMRegressor
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler

from common import read_csv

TEXT = ("DOI", "Core composition", "Shell composition")
FILES = [("SAR", "SAR.csv", "SAR"), ("r1", "r1.csv", "r1 relaxivity"), ("r2", "r2.csv", "r2 relaxivity")]


def model(key, seed):
    if key == "SAR":
        return LGBMRegressor(n_estimators=100, learning_rate=0.265, max_depth=2, num_leaves=4,
                             min_child_samples=14, reg_alpha=0.15, reg_lambda=0.14, random_state=seed,
                             n_jobs=2, verbose=-1)
    return ExtraTreesRegressor(100, min_samples_leaf=2, random_state=seed, n_jobs=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir")
    ap.add_argument("out_json")
    args = ap.parse_args()
    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    targets = {}
    print("| target | seed | test rows | scikit-learn / LightGBM test R² |")
    print("|---|---|---|---|")
    for key, name, target in FILES:
        df = read_csv(os.path.join(args.data_dir, "dimag", name))
        desc = [c for c in df.columns if c not in TEXT and c != target]
        x = df[desc].to_numpy(float)
        raw = df[target].to_numpy(float)
        y = np.log10(raw)
        bins = pd.cut(raw, 5, labels=False)
        # LightGBM's bins per feature (default max_bin 255, min_data_in_bin
        # 3) on the seed-0 training rows, min-max scaled.
        tr0, _ = train_test_split(np.arange(len(y)), test_size=0.2, stratify=bins, random_state=0)
        ds = lightgbm.Dataset(MinMaxScaler().fit_transform(x[tr0]), y[tr0], params={"verbose": -1}).construct()
        lgb_bins = [int(ds.feature_num_bin(i)) for i in range(x.shape[1])]
        seeds = []
        for seed in range(10):
            tr, te = train_test_split(np.arange(len(y)), test_size=0.2, stratify=bins, random_state=seed)
            sc = MinMaxScaler().fit(x[tr])
            m = model(key, seed).fit(sc.transform(x[tr]), y[tr])
            r2 = float(r2_score(y[te], m.predict(sc.transform(x[te]))))
            seeds.append({"seed": seed, "test": sorted(int(i) for i in te), "test_r2": r2,
                          "train_head": [int(i) for i in tr[:10]], "test_head": [int(i) for i in te[:10]]})
            print(f"| {key} | {seed} | {len(te)} | {r2:.4f} |")
        r2s = [s["test_r2"] for s in seeds]
        targets[key] = {"rows": int(len(y)), "median_test_r2": float(np.median(r2s)),
                        "lightgbm_bins_seed0": lgb_bins, "seeds": seeds}
        print(f"| {key} | median | | **{np.median(r2s):.4f}** |")
    fixture = {
        "about": "scikit-learn's splits of the DiMag protocol and its test R² on them "
                 "(benches/compare/dimag_splits.py; regenerate with benches/compare/run dimag-splits)",
        "scikit_learn": sklearn.__version__,
        "lightgbm": lightgbm.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "targets": targets,
    }
    tmp = args.out_json + ".tmp"
    with open(tmp, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    os.replace(tmp, args.out_json)
    print(f"\nwrote {os.path.relpath(args.out_json)}")


if __name__ == "__main__":
    main()
