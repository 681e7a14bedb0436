//! Can a model chosen honestly beat the published DiMag figures (SAR 0.86,
//! r1 0.78, r2 0.75 test R²)? Per target and split seed 0–9, nested
//! cross-validation (`mnp_suite::ml::selection`) picks a model and its
//! hyper-parameters among extra trees, random forests and boosting by an
//! inner 5-fold CV on the training rows only, refits it there, and scores
//! the test rows, beside the published model on the same split. Two outer
//! splits: the published protocol's stratified 80/20 split, and one that
//! holds out whole articles (inner folds grouped by article too).
//!
//! Reads `$MNP_DATA_DIR/dimag` (the data are never part of the repository).
//! Run: `MNP_DATA_DIR=../shared/data cargo run --release --example dimag_nested`
//! (about 80 s on 2 cores). The last line of standard output is a
//! JSON object: per target, `published_test_r2`, and for `protocol` and
//! `articles` the medians over the 10 seeds of the published model's
//! (`paper_test_r2`) and the nested choice's (`nested_test_r2`) test R²,
//! with how often each candidate was chosen (`chosen`).

use mnp_suite::dataset::dimag::{DimagTarget, load_dimag};
use mnp_suite::ml::dimag::published_test_r2;
use mnp_suite::ml::selection::{OuterSplit, candidate_models, describe, nested_run};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    0.5 * (v[(n - 1) / 2] + v[n / 2])
}

fn main() -> std::process::ExitCode {
    mnp_suite::error::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let dir = mnp_suite::ml::dimag::data_dir()?;
    let start = std::time::Instant::now();
    let mut out = Map::new();
    println!(
        "{:<4} {:<9} {:>9} {:>14} {:>15}  most chosen",
        "", "split", "published", "paper model", "nested choice"
    );
    for target in DimagTarget::ALL {
        let data = load_dimag(&dir, target)?;
        let candidates = candidate_models(target);
        let mut entry = Map::new();
        entry.insert("published_test_r2".into(), json!(published_test_r2(target)));
        entry.insert("candidates".into(), json!(candidates.len()));
        for (key, outer) in [
            ("protocol", OuterSplit::Protocol),
            ("articles", OuterSplit::Articles),
        ] {
            let mut paper = Vec::new();
            let mut nested = Vec::new();
            let mut chosen: BTreeMap<String, usize> = BTreeMap::new();
            for seed in 0..10u64 {
                let run = nested_run(&data, &candidates, outer, seed)?;
                paper.push(run.paper_test_r2);
                nested.push(run.test_r2);
                *chosen.entry(describe(&candidates[run.chosen])).or_default() += 1;
            }
            let (p, n) = (median(paper.clone()), median(nested.clone()));
            let top = chosen
                .iter()
                .max_by_key(|(_, c)| **c)
                .map(|(d, c)| format!("{d} ({c}/10)"))
                .unwrap_or_default();
            println!(
                "{:<4} {:<9} {:>9.2} {:>14.3} {:>15.3}  {top}",
                target.label(),
                key,
                published_test_r2(target),
                p,
                n
            );
            entry.insert(
                key.into(),
                json!({
                    "paper_test_r2": p,
                    "nested_test_r2": n,
                    "paper_test_r2_per_seed": paper,
                    "nested_test_r2_per_seed": nested,
                    "chosen": chosen,
                }),
            );
        }
        out.insert(target.label().into(), Value::Object(entry));
    }
    out.insert("runtime_s".into(), json!(start.elapsed().as_secs_f64()));
    println!("{}", serde_json::to_string(&Value::Object(out))?);
    Ok(())
}
