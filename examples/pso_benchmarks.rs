//! Table C.1 of Jiang et al. 2022: the PSO on sphere (5-D), Shubert (2-D)
//! and Rastrigin (2-D and 5-D) with the paper's settings (20 particles,
//! 300 generations, inertia 0.8 → 0, c1 = c2 = 1.5), ten seeds each.
//!
//! The test functions cost nanoseconds, so the swarm is evaluated on one
//! thread (`with_parallel(false)`); results are identical either way.
//!
//! Run: `cargo run --release --example pso_benchmarks`
//! The last line of standard output is a JSON object with the key figures.

use mnp_suite::pso::functions::{Rastrigin, Shubert, Sphere, TestFunction};
use mnp_suite::pso::{Goal, Pso};
use serde_json::{Map, Value, json};
use std::convert::Infallible;
use std::time::Instant;

fn main() -> std::process::ExitCode {
    mnp_suite::error::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let cases: [(&str, &dyn TestFunction<Error = Infallible>, usize, &str); 4] = [
        ("sphere5", &Sphere, 5, "7.8451e-8"),
        ("shubert2", &Shubert, 2, "-186.73"),
        ("rastrigin2", &Rastrigin, 2, "0"),
        ("rastrigin5", &Rastrigin, 5, "3.3657e-5"),
    ];
    println!("Table C.1: 20 particles x 300 generations, w 0.8 -> 0, c1 = c2 = 1.5, seeds 0..9");
    println!(
        "{:<12} {:>4} {:>14} {:>14} {:>14} {:>14} {:>12} {:>10}",
        "function", "dim", "paper", "best", "median", "worst", "minimum", "ms_per_run"
    );
    let mut out = Map::new();
    for (key, f, dim, paper) in cases {
        let bounds = f.bounds(dim)?;
        let start = Instant::now();
        let mut values: Vec<f64> = (0..10)
            .map(|seed| {
                Pso::paper()
                    .with_seed(seed)
                    .with_parallel(false)
                    .run(f, Goal::Minimize, &bounds)
                    .map(|r| r.best_value)
            })
            .collect::<Result<_, _>>()?;
        let ms_per_run = start.elapsed().as_secs_f64() * 1e3 / 10.0;
        values.sort_by(f64::total_cmp);
        let median = 0.5 * (values[4] + values[5]);
        println!(
            "{:<12} {:>4} {:>14} {:>14.6e} {:>14.6e} {:>14.6e} {:>12.4} {:>10.3}",
            f.name(),
            dim,
            paper,
            values[0],
            median,
            values[9],
            f.minimum(),
            ms_per_run
        );
        out.insert(
            key.into(),
            json!({ "best": values[0], "median": median, "worst": values[9], "all": values, "ms_per_run": ms_per_run }),
        );
    }
    println!("{}", serde_json::to_string(&Value::Object(out))?);
    Ok(())
}
