"""scikit-learn and LightGBM tree ensembles beside `cargo bench --bench trees`
on DiMag's SAR.csv.

The same X and y as benches/trees.rs: SAR.csv's eleven numeric descriptors
(460 rows), min-max scaled on all rows, target log10 SAR. Fits (each timed as
the median of 7; 3 with --quick):

- RandomForestRegressor(500, n_jobs=2)            ours: 500 trees, bootstrap, all features, 2 threads
- ExtraTreesRegressor(500, n_jobs=2)              ours: 500 extra trees, 2 threads
- GradientBoostingRegressor()                     ours: BoostingParams::default() (100 rounds, depth 3, lr 0.1)
- LGBMRegressor(100 rounds, lr 0.1, max_depth 3, num_leaves 8, min_child_samples 1, n_jobs 2)
- LGBMRegressor(100 rounds, lr 0.265, max_depth 2, num_leaves 4, min_child_samples 14,
                reg_alpha 0.15, reg_lambda 0.14, n_jobs 2)   the paper's SAR model (BoostingParams::dimag_sar())
- LGBMRegressor(boosting_type="rf", 500 trees, bagging_fraction 0.632, bagging_freq 1,
                num_leaves 460, min_child_samples 1, n_jobs 2)
- both boosting LGBMRegressors again with n_jobs 1 (our boosting runs on one
  thread); the ratio is taken against the faster of the two.

Differences stated, not hidden: scikit-learn's GradientBoostingRegressor
runs on one thread (it has no n_jobs) and splits on Friedman's MSE; LightGBM
bins each feature into at most 255 quantile bins (ours searches every
distinct value exactly), and its rf mode subsamples 63.2 % of the rows
without replacement instead of a bootstrap. Each fit includes the binning
or ranking of the features on both sides.

Usage: python trees_bench.py DATA_DIR CRITERION_DIR [--quick] [--json FILE]
Prints the Markdown table of docs/PERFORMANCE.md ("Tree ensembles on
DiMag's SAR.csv").
"""

import argparse
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingRegressor, RandomForestRegressor
from sklearn.preprocessing import MinMaxScaler

from common import criterion_median, faster, fmt_time, read_csv

TEXT = ("DOI", "Core composition", "Shell composition", "SAR")


def median_fit(runs, make, x, y):
    ts = []
    for _ in range(runs):
        m = make()
        t = time.perf_counter()
        m.fit(x, y)
        ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir")
    ap.add_argument("criterion_dir")
    ap.add_argument("--quick", action="store_true", help="3 fits per model instead of 7")
    ap.add_argument("--json")
    args = ap.parse_args()
    import lightgbm
    from lightgbm import LGBMRegressor

    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    df = read_csv(f"{args.data_dir}/dimag/SAR.csv")
    num = [c for c in df.columns if c not in TEXT]
    x = MinMaxScaler().fit_transform(df[num].to_numpy(float))
    y = np.log10(df["SAR"].to_numpy(float))
    runs = 3 if args.quick else 7
    lgb = dict(n_jobs=2, verbose=-1)
    theirs = {
        "rf": median_fit(runs, lambda: RandomForestRegressor(500, n_jobs=2), x, y),
        "et": median_fit(runs, lambda: ExtraTreesRegressor(500, n_jobs=2), x, y),
        "gbt": median_fit(runs, lambda: GradientBoostingRegressor(), x, y),
        "lgbm": median_fit(runs, lambda: LGBMRegressor(
            n_estimators=100, learning_rate=0.1, max_depth=3, num_leaves=8, min_child_samples=1, **lgb), x, y),
        "lgbm_paper": median_fit(runs, lambda: LGBMRegressor(
            n_estimators=100, learning_rate=0.265, max_depth=2, num_leaves=4, min_child_samples=14,
            reg_alpha=0.15, reg_lambda=0.14, **lgb), x, y),
        # Our boosting runs on one thread: LightGBM's boosting on one too.
        "lgbm_1t": median_fit(runs, lambda: LGBMRegressor(
            n_estimators=100, learning_rate=0.1, max_depth=3, num_leaves=8, min_child_samples=1,
            n_jobs=1, verbose=-1), x, y),
        "lgbm_paper_1t": median_fit(runs, lambda: LGBMRegressor(
            n_estimators=100, learning_rate=0.265, max_depth=2, num_leaves=4, min_child_samples=14,
            reg_alpha=0.15, reg_lambda=0.14, n_jobs=1, verbose=-1), x, y),
        "lgbm_rf": median_fit(runs, lambda: LGBMRegressor(
            boosting_type="rf", n_estimators=500, bagging_fraction=0.632, bagging_freq=1, num_leaves=460,
            min_child_samples=1, **lgb), x, y),
    }
    c = args.criterion_dir
    g = "trees_sar"
    ours = {
        "rf_hist": criterion_median(c, g, "random_forest_500/histogram"),
        "rf_sort": criterion_median(c, g, "random_forest_500/sort"),
        "et": criterion_median(c, g, "extra_trees_500"),
        "gbt_hist": criterion_median(c, g, "boosting_100_depth3/histogram"),
        "gbt_sort": criterion_median(c, g, "boosting_100_depth3/sort"),
        "paper_hist": criterion_median(c, g, "boosting_100_paper_sar/histogram"),
        "paper_sort": criterion_median(c, g, "boosting_100_paper_sar/sort"),
    }
    print(f"scikit-learn {sklearn.__version__}, LightGBM {lightgbm.__version__}: median of {runs} fits; "
          f"X {x.shape[0]} x {x.shape[1]}", file=sys.stderr)
    print("| fit | mnp-suite, histogram search (default) | mnp-suite, sort search | scikit-learn | LightGBM "
          "| ours vs scikit-learn / LightGBM |")
    print("|---|---|---|---|---|---|")
    T = fmt_time
    print(f"| random forest, 500 trees | **{T(ours['rf_hist'])}** | {T(ours['rf_sort'])} | {T(theirs['rf'])} "
          f"| {T(theirs['lgbm_rf'])} (rf mode) | {faster(theirs['rf'], ours['rf_hist'])} / "
          f"{faster(theirs['lgbm_rf'], ours['rf_hist'])} |")
    print(f"| extra trees, 500 trees (random thresholds: no search) | **{T(ours['et'])}** | – | {T(theirs['et'])} "
          f"| – | {faster(theirs['et'], ours['et'])} |")
    # Ours against the faster of LightGBM's 2- and 1-thread fits.
    lg = min(theirs["lgbm"], theirs["lgbm_1t"])
    lgp = min(theirs["lgbm_paper"], theirs["lgbm_paper_1t"])
    print(f"| boosting, 100 rounds, depth 3, learning rate 0.1 (ours on 1 thread) | **{T(ours['gbt_hist'])}** "
          f"| {T(ours['gbt_sort'])} | {T(theirs['gbt'])} (1 thread) | {T(theirs['lgbm'])} (1 thread: "
          f"{T(theirs['lgbm_1t'])}) | {faster(theirs['gbt'], ours['gbt_hist'])} / **{faster(lg, ours['gbt_hist'])}** |")
    print(f"| the paper's SAR boosting (depth 2, ≥ 14 per leaf, L1/L2; ours on 1 thread) | **{T(ours['paper_hist'])}** "
          f"| {T(ours['paper_sort'])} | – | {T(theirs['lgbm_paper'])} (1 thread: {T(theirs['lgbm_paper_1t'])}) "
          f"| – / **{faster(lgp, ours['paper_hist'])}** |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sklearn": sklearn.__version__, "lightgbm": lightgbm.__version__,
                       "theirs": theirs, "ours": ours}, f, indent=1)


if __name__ == "__main__":
    main()
