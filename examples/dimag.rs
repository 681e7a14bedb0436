//! SAR, r1 and r2 from the DiMag descriptors (the DiMag study) by tree
//! ensembles, on log10 targets with min-max scaling.
//!
//! (a) The original protocol (5 equal-width target bins, scikit-learn's
//!     stratified 80/20 split replayed for random_state 0–9, the published
//!     model family per target): median, min and max test R², median RMSE
//!     and MAE (log10), and 10-fold CV R² on the training part, beside
//!     scikit-learn's (LightGBM's for SAR) median on the same splits.
//! (b) 5-fold CV without shuffling and GroupKFold(5) by article (DOI) for a
//!     random forest, extra trees and boosting.
//! (c) Predictions for the validation files (the model fitted on all
//!     training rows), each flagged where a descriptor lies outside the
//!     training range.
//! (d) A predicted-vs-measured PNG per target (the median seed's test rows)
//!     in `examples-out/`.
//! (e) 90 % CV+ prediction intervals (log10) per seed: calibrated by the
//!     10-fold CV's residuals on the training part and scored on the test
//!     rows; and across articles (whole articles held out, GroupKFold(5)
//!     by article calibrating). Medians over the 10 seeds, and the seed-0
//!     test rows' intervals in `examples-out/intervals_<target>.csv`
//!     (`row` is the 0-based data row of the CSV file).
//!
//! (f) A check of the replay: the published model refitted on the splits
//!     scikit-learn stored (`tests/fixtures/dimag_sklearn_splits.json`,
//!     written by `benches/compare/run dimag-splits`, which also holds
//!     scikit-learn's test R² on them).
//!
//! The JSON also gives `runtime_s` and `intervals_s`, the seconds spent on
//! (e) beyond the protocol's own fits.
//!
//! Reads `$MNP_DATA_DIR/dimag` (the data are never part of the repository).
//! Run: `MNP_DATA_DIR=../shared/data cargo run --release --example dimag`.
//! The last line of standard output is a JSON object with the key figures.

use mnp_suite::app::plot::{AxisScale, Series, predicted_vs_measured};
use mnp_suite::dataset::dimag::{DimagTarget, load_dimag};
use mnp_suite::dataset::split::Split;
use mnp_suite::ml::dimag::{
    INTERVAL_ALPHA, comparison_models, cross_validated_r2, grouped_intervals, log_target,
    original_protocol, paper_model, predict_validation, published_test_r2, test_r2_on_splits,
    validation_file,
};
use mnp_suite::regress::conformal::Interval;
use serde_json::{Map, Value, json};
use std::path::Path;

/// Split seeds with their splits.
type SeededSplits = Vec<(u64, Split)>;

/// scikit-learn's splits and median test R² for `target`, from the
/// fixture `benches/compare/dimag_splits.py` writes.
fn sklearn_splits(
    target: DimagTarget,
    rows: usize,
) -> Result<(SeededSplits, f64), Box<dyn std::error::Error>> {
    let fixture: Value =
        serde_json::from_str(include_str!("../tests/fixtures/dimag_sklearn_splits.json"))?;
    let entry = &fixture["targets"][target.label()];
    let bad = || {
        format!(
            "dimag_sklearn_splits.json: no valid entry for {}",
            target.label()
        )
    };
    let mut splits = Vec::new();
    for s in entry["seeds"].as_array().ok_or_else(bad)? {
        let seed = s["seed"].as_u64().ok_or_else(bad)?;
        let test = serde_json::from_value(s["test"].clone())?;
        splits.push((seed, Split::from_test_rows(rows, test)?));
    }
    Ok((splits, entry["median_test_r2"].as_f64().ok_or_else(bad)?))
}

/// The coverage of the rows `rows` of `y` by `interval`, and its mean
/// width.
fn score(
    interval: &Interval,
    y: &[f64],
    rows: &[usize],
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let measured: ndarray::Array1<f64> = rows.iter().map(|&i| y[i]).collect();
    let coverage = interval.coverage(measured.view())?;
    Ok((coverage, interval.width().mean().unwrap_or(f64::NAN)))
}

/// The median of ten values.
fn median10(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    0.5 * (v[4] + v[5])
}

/// `text` to `path` through a temporary file and a rename: never a
/// half-written file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("csv.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

fn main() -> std::process::ExitCode {
    mnp_suite::error::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let dir = mnp_suite::ml::dimag::data_dir()?;
    std::fs::create_dir_all("examples-out")?;
    let mut out = Map::new();
    let start = std::time::Instant::now();
    let mut intervals_seconds = 0.0;
    println!(
        "{:<4} {:<4} {:>9} {:>7} {:>7} {:>6} {:>6} {:>8} {:>10} {:>14} | kfold5 rf/et/gbt | groupkfold5 rf/et/gbt",
        "",
        "model",
        "test_r2",
        "min",
        "max",
        "rmse",
        "mae",
        "cv10_r2",
        "published",
        "sklearn_median"
    );
    for target in DimagTarget::ALL {
        let data = load_dimag(&dir, target)?;
        eprintln!("{}", data.report());
        let model = paper_model(target);
        let mut runs = Vec::new();
        for seed in 0..10u64 {
            runs.push(original_protocol(&data, &model.with_seed(seed), seed)?);
        }
        let mut r2s: Vec<f64> = runs.iter().map(|r| r.test_r2).collect();
        r2s.sort_by(f64::total_cmp);
        let median = 0.5 * (r2s[4] + r2s[5]);
        let median_run = runs
            .iter()
            .min_by(|a, b| {
                (a.test_r2 - median)
                    .abs()
                    .total_cmp(&(b.test_r2 - median).abs())
            })
            .expect("ten runs");
        let median_of = |f: fn(&mnp_suite::ml::dimag::ProtocolResult) -> f64| {
            let mut v: Vec<f64> = runs.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            0.5 * (v[4] + v[5])
        };
        let cv10 = median_of(|r| r.cv10_r2);
        let (test_rmse, test_mae) = (median_of(|r| r.test_rmse), median_of(|r| r.test_mae));
        let mut kfold = Map::new();
        let mut group = Map::new();
        for m in comparison_models() {
            kfold.insert(
                m.name().into(),
                json!(cross_validated_r2(&data, &m, false)?),
            );
            group.insert(m.name().into(), json!(cross_validated_r2(&data, &m, true)?));
        }
        // scikit-learn's (LightGBM's for SAR) splits and median test R² on
        // the same seeds, from the fixture `benches/compare/run dimag-splits`
        // writes.
        let (splits, sklearn) = sklearn_splits(target, data.y.len())?;
        let published = published_test_r2(target);
        let f = |m: &Map<String, Value>| {
            ["rf", "et", "gbt"]
                .iter()
                .map(|k| format!("{:.3}", m[*k].as_f64().unwrap_or(f64::NAN)))
                .collect::<Vec<_>>()
                .join("/")
        };
        println!(
            "{:<4} {:<4} {:>9.3} {:>7.3} {:>7.3} {:>6.3} {:>6.3} {:>8.3} {:>10.2} {:>14.3} | {} | {}",
            target.label(),
            model.name(),
            median,
            r2s[0],
            r2s[9],
            test_rmse,
            test_mae,
            cv10,
            published,
            sklearn,
            f(&kfold),
            f(&group)
        );
        // Predicted vs measured (raw units, log axes) for the median seed.
        let y = log_target(&data)?;
        let measured: Vec<f64> = median_run
            .split
            .test
            .iter()
            .map(|&i| 10f64.powf(y[i]))
            .collect();
        let predicted: Vec<f64> = median_run
            .test_predictions
            .iter()
            .map(|v| 10f64.powf(*v))
            .collect();
        let figure = format!("examples-out/dimag_{}.png", target.label());
        predicted_vs_measured(
            Path::new(&figure),
            &format!(
                "DiMag {}: {}, test R² {:.3} (log10), the split nearest the median",
                target.label(),
                model.name(),
                median_run.test_r2
            ),
            target.column(),
            AxisScale::Log,
            &[Series {
                label: "test rows",
                measured: &measured,
                predicted: &predicted,
            }],
        )?;
        // (e) Intervals: CV+ on the protocol's splits, and across articles.
        let intervals_start = std::time::Instant::now();
        let y = log_target(&data)?;
        let mut plain = (Vec::new(), Vec::new());
        let mut grouped = (Vec::new(), Vec::new());
        for (seed, run) in runs.iter().enumerate() {
            let (c, w) = score(&run.intervals, &y, &run.split.test)?;
            plain.0.push(c);
            plain.1.push(w);
            let (split, interval) =
                grouped_intervals(&data, &model.with_seed(seed as u64), seed as u64)?;
            let (c, w) = score(&interval, &y, &split.test)?;
            grouped.0.push(c);
            grouped.1.push(w);
        }
        let intervals = json!({
            "alpha": INTERVAL_ALPHA,
            "coverage": median10(plain.0),
            "width_log10": median10(plain.1),
            "grouped_coverage": median10(grouped.0),
            "grouped_width_log10": median10(grouped.1),
        });
        println!(
            "     90 % CV+ intervals (log10, medians of 10 seeds): coverage {:.3}, width {:.3}; across articles: coverage {:.3}, width {:.3}",
            intervals["coverage"].as_f64().unwrap_or(f64::NAN),
            intervals["width_log10"].as_f64().unwrap_or(f64::NAN),
            intervals["grouped_coverage"].as_f64().unwrap_or(f64::NAN),
            intervals["grouped_width_log10"]
                .as_f64()
                .unwrap_or(f64::NAN),
        );
        let mut csv = String::from("row,y_log10,lo_log10,hi_log10\n");
        let seed0 = &runs[0];
        for (k, &row) in seed0.split.test.iter().enumerate() {
            csv.push_str(&format!(
                "{row},{},{},{}\n",
                y[row], seed0.intervals.lower[k], seed0.intervals.upper[k]
            ));
        }
        let intervals_csv = format!("examples-out/intervals_{}.csv", target.label());
        write_atomically(Path::new(&intervals_csv), &csv)?;
        intervals_seconds += intervals_start.elapsed().as_secs_f64();
        // (f) On scikit-learn's splits.
        // (The protocol draws these same splits: this refits on them from
        // the stored rows, a check of the replay.)
        let same = median10(test_r2_on_splits(&data, &model, &splits)?);
        println!(
            "     on scikit-learn's 10 splits: median test R² {same:.4}, scikit-learn {sklearn:.4} (difference {:+.4})",
            same - sklearn
        );
        // (c) The validation file.
        let validation = predict_validation(&data, &model, &dir.join(validation_file(target)))?;
        let flagged = validation
            .iter()
            .filter(|v| !v.outside_training_range.is_empty())
            .count();
        let scored: Vec<(f64, f64)> = validation
            .iter()
            .filter_map(|v| v.measured.map(|m| (m.log10(), v.predicted.log10())))
            .collect();
        let (m, p): (Vec<f64>, Vec<f64>) = scored.iter().copied().unzip();
        let validation_r2 = mnp_suite::regress::metrics::r2(&m, &p).ok();
        let validation_rmse = mnp_suite::regress::metrics::rmse(&m, &p).ok();
        println!(
            "     validation ({}): {} rows, {} with a measured {}, {} outside the training range; log10 RMSE {}, R² {}",
            validation_file(target),
            validation.len(),
            scored.len(),
            target.label(),
            flagged,
            validation_rmse.map_or("-".into(), |v| format!("{v:.3}")),
            validation_r2.map_or("-".into(), |v| format!("{v:.3}")),
        );
        for v in validation
            .iter()
            .filter(|v| !v.outside_training_range.is_empty())
        {
            println!(
                "       line {:>3}: predicted {:>9.3}, measured {:>9}, outside: {}",
                v.line,
                v.predicted,
                v.measured.map_or("-".into(), |m| format!("{m:.3}")),
                v.outside_training_range.join(", ")
            );
        }
        out.insert(
            target.label().into(),
            json!({
                "model": model.name(),
                "test_r2": median,
                "test_r2_min": r2s[0],
                "test_r2_max": r2s[9],
                "test_rmse_log10": test_rmse,
                "test_mae_log10": test_mae,
                "cv10_r2": cv10,
                "published_test_r2": published,
                "sklearn_median_test_r2": sklearn,
                "kfold5_r2": kfold,
                "groupkfold5_r2": group,
                "figure": figure,
                "intervals": intervals,
                "sklearn_splits": {
                    "test_r2": same,
                    "sklearn_test_r2": sklearn,
                },
                "intervals_csv": intervals_csv,
                "validation": {
                    "file": validation_file(target),
                    "rows": validation.len(),
                    "measured": scored.len(),
                    "outside_training_range": flagged,
                    "rmse_log10": validation_rmse,
                    "r2_log10": validation_r2,
                },
            }),
        );
    }
    // The protocol's CV+ intervals reuse its 10-fold fits; the seconds of
    // (e) are the grouped intervals' extra fits and the scoring.
    out.insert("intervals_s".into(), json!(intervals_seconds));
    out.insert("runtime_s".into(), json!(start.elapsed().as_secs_f64()));
    println!("{}", serde_json::to_string(&Value::Object(out))?);
    Ok(())
}
