"""scikit-learn beside `cargo bench --bench regress`, the same data and work.

- RBF SVR fit on benches/regress.rs's 1000 x 20 data (x_ij = sin(0.37 i (j+1))
  + cos(0.11 i j), y = sum_j x_ij/(j+1) + 0.3 sin i): SVR(C=1, epsilon=0.1,
  gamma="scale"), default tol 1e-3 and a 200 MB kernel cache on both sides.
  LIBSVM shrinks its working set (scikit-learn's default); ours does not
  (its default, see the "Shrinking" paragraph of docs/PERFORMANCE.md).
- Elastic Net "path": 50 separate fits, alpha in logspace(-4, 0, 50),
  l1_ratio 0.5, default tol and max_iter, each from zero (ours does the
  same; scikit-learn's enet_path would warm-start each alpha from the last).
- One RBF SVR fit on the synthetic size fixture (26 runs; gamma 3.16,
  C 152.59, epsilon 0.1), preprocessed exactly as the bench does
  (`Pipeline::default()`: mean imputation, NO scaling, one-hot encoding of
  the four text columns: 26 x 31).
- The paper-sized grid search (unless --quick): 220 RBF candidates
  (C in linspace(100, 200, 5), gamma in linspace(0, 5, 11), epsilon in
  linspace(0.1, 1, 4)) x 26 leave-one-out folds, the preprocessing
  (mean imputation + StandardScaler for numbers, most-frequent imputation +
  OneHotEncoder(handle_unknown="ignore") for text) refitted on every
  training fold: GridSearchCV(refit=False) with n_jobs 1 and 2.

Timings: the median of 7 fits (2000 for the fixture fit; 1 run of each grid
search). Ours: criterion medians read from CRITERION_DIR/regress/*/new.

Usage: python regress_bench.py CRITERION_DIR FIXTURE_CSV [--quick] [--json FILE]
Prints the Markdown table of docs/PERFORMANCE.md ("Regression beside
scikit-learn").
"""

import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import ElasticNet
from sklearn.model_selection import GridSearchCV, LeaveOneOut
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVR

from common import criterion_median, faster, fixture, fmt_time


def data(n, p):
    i = np.arange(n, dtype=float)[:, None]
    j = np.arange(p, dtype=float)[None, :]
    x = np.sin(0.37 * i * (j + 1)) + np.cos(0.11 * (i * j))
    y = (x / (j + 1)).sum(axis=1) + 0.3 * np.sin(np.arange(n, dtype=float))
    return x, y


def median_time(runs, f):
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2]


ratio = faster


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("criterion_dir")
    ap.add_argument("fixture_csv")
    ap.add_argument("--quick", action="store_true", help="skip the grid search")
    ap.add_argument("--json")
    args = ap.parse_args()

    x, y = data(1000, 20)
    svr = SVR(kernel="rbf", C=1.0, epsilon=0.1, gamma="scale")
    t_svr = median_time(7, lambda: svr.fit(x, y))
    n_sv = len(svr.support_)

    alphas = np.logspace(-4, 0, 50)

    def path():
        for a in alphas:
            ElasticNet(alpha=a, l1_ratio=0.5).fit(x, y)

    t_enet = median_time(7, path)

    feats, fy, num, txt = fixture(args.fixture_csv)
    pre_bench = ColumnTransformer([
        ("num", SimpleImputer(strategy="mean"), num),
        ("txt", Pipeline([("imp", SimpleImputer(strategy="most_frequent")),
                          ("hot", OneHotEncoder())]), txt),
    ], sparse_threshold=0.0)
    xf = pre_bench.fit_transform(feats)
    paper_svr = SVR(kernel="rbf", gamma=3.16, C=152.59, epsilon=0.1)
    t_fix = median_time(2000, lambda: paper_svr.fit(xf, fy))

    t_grid = {}
    if not args.quick:
        pre = ColumnTransformer([
            ("num", Pipeline([("imp", SimpleImputer(strategy="mean")),
                              ("scale", StandardScaler())]), num),
            ("txt", Pipeline([("imp", SimpleImputer(strategy="most_frequent")),
                              ("hot", OneHotEncoder(handle_unknown="ignore"))]), txt),
        ], sparse_threshold=0.0)
        pipe = Pipeline([("pre", pre), ("svr", SVR(kernel="rbf"))])
        grid = {
            "svr__C": np.linspace(100, 200, 5),
            "svr__gamma": np.linspace(0, 5, 11),
            "svr__epsilon": np.linspace(0.1, 1, 4),
        }
        for jobs in (1, 2):
            gs = GridSearchCV(pipe, grid, cv=LeaveOneOut(), scoring="neg_mean_squared_error",
                              n_jobs=jobs, refit=False)
            t = time.perf_counter()
            gs.fit(feats, fy)
            t_grid[jobs] = time.perf_counter() - t
            print(f"GridSearchCV n_jobs={jobs}: {t_grid[jobs]:.1f} s, best {gs.best_params_}",
                  file=sys.stderr)

    c = args.criterion_dir
    ours = {
        "svr": criterion_median(c, "regress", "svr_rbf_fit_1000x20"),
        "enet": criterion_median(c, "regress", "enet_path_50_alphas_1000x20"),
        "fixture": criterion_median(c, "regress", "svr_rbf_fit_fixture_26"),
        "grid": None if args.quick else criterion_median(c, "regress", "size_grid_search_rbf_220x26_loo"),
    }
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, pandas {pd.__version__}; "
          f"SVR 1000 x 20: {n_sv} support vectors; fixture after preprocessing: {xf.shape[0]} x {xf.shape[1]}",
          file=sys.stderr)
    print("| work | scikit-learn | mnp-suite | ratio |")
    print("|---|---|---|---|")
    print(f"| RBF SVR fit, 1000 × 20 (C 1, ε 0.1, γ scale) | {fmt_time(t_svr)} | {fmt_time(ours['svr'])} "
          f"| {ratio(t_svr, ours['svr'])} |")
    print(f"| Elastic Net path, 50 α (logspace −4…0, each fit from zero), 1000 × 20 | {fmt_time(t_enet)} "
          f"| {fmt_time(ours['enet'])} | {ratio(t_enet, ours['enet'])} |")
    print(f"| one RBF SVR fit on the fixture ({xf.shape[0]} × {xf.shape[1]} after one-hot, unscaled as in the bench; "
          f"γ 3.16, C 152.59, ε 0.1) | {fmt_time(t_fix)} (median of 2000) | {fmt_time(ours['fixture'])} "
          f"| {ratio(t_fix, ours['fixture'])} |")
    if args.quick:
        print("| grid search, 220 RBF candidates × 26 LOO folds | (skipped: --quick) | – | – |")
    else:
        best = min(t_grid.values())
        print(f"| grid search of the paper's size: 220 RBF candidates × 26 LOO folds with per-fold preprocessing "
              f"| {fmt_time(t_grid[1])} (`GridSearchCV`, n_jobs 1; {fmt_time(t_grid[2])} with n_jobs 2) "
              f"| {fmt_time(ours['grid'])} (2 threads) | {ratio(best, ours['grid'])} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sklearn": sklearn.__version__, "theirs": {"svr": t_svr, "enet": t_enet,
                       "fixture": t_fix, "grid": t_grid}, "ours": ours}, f, indent=1)


if __name__ == "__main__":
    main()
