//! SAR, r1 and r2 from the DiMag descriptors (the DiMag study) by tree
//! ensembles, on log10 targets with min-max scaling.
//!
//! (a) The original protocol (5 equal-width target bins, stratified 80/20
//!     split, the published model family per target) over 10 split seeds:
//!     median, min and max test R², median RMSE and MAE (log10), and
//!     10-fold CV R² on the training part.
//! (b) 5-fold CV without shuffling and GroupKFold(5) by article (DOI) for a
//!     random forest, extra trees and boosting.
//! (c) Predictions for the validation files (the model fitted on all
//!     training rows), each flagged where a descriptor lies outside the
//!     training range.
//! (d) A predicted-vs-measured PNG per target (the median seed's test rows)
//!     in `examples-out/`.
//!
//! Reads `$MNP_DATA_DIR/dimag` (the data are never part of the repository).
//! Run: `MNP_DATA_DIR=../shared/data cargo run --release --example dimag`.
//! The last line of standard output is a JSON object with the key figures.

use mnp_suite::app::plot::{AxisScale, Series, predicted_vs_measured};
use mnp_suite::dataset::dimag::{DimagTarget, load_dimag};
use mnp_suite::ml::dimag::{
    comparison_models, cross_validated_r2, log_target, original_protocol, paper_model,
    predict_validation, validation_file,
};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

/// Published test R² (the DiMag study) and scikit-learn's median test R²
/// over 10 split seeds on the same protocol, to two decimals
/// (`benches/compare/run sklearn-validation`, docs/VALIDATION.md).
fn reference(target: DimagTarget) -> (f64, f64) {
    match target {
        DimagTarget::Sar => (0.86, 0.86),
        DimagTarget::R1 => (0.78, 0.74),
        DimagTarget::R2 => (0.75, 0.72),
    }
}

fn main() -> std::process::ExitCode {
    mnp_suite::error::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::var_os("MNP_DATA_DIR").map(PathBuf::from).ok_or(
        "MNP_DATA_DIR is not set: point it at the folder holding dimag/ \
         (for example MNP_DATA_DIR=../shared/data)",
    )?;
    let dir = dir.join("dimag");
    std::fs::create_dir_all("examples-out")?;
    let mut out = Map::new();
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
        let (published, sklearn) = reference(target);
        let f = |m: &Map<String, Value>| {
            ["rf", "et", "gbt"]
                .iter()
                .map(|k| format!("{:.3}", m[*k].as_f64().unwrap_or(f64::NAN)))
                .collect::<Vec<_>>()
                .join("/")
        };
        println!(
            "{:<4} {:<4} {:>9.3} {:>7.3} {:>7.3} {:>6.3} {:>6.3} {:>8.3} {:>10.2} {:>14.2} | {} | {}",
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
        let y = log_target(&data);
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
    println!("{}", serde_json::to_string(&Value::Object(out))?);
    Ok(())
}
