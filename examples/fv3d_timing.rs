//! Times the 3D finite-volume steady solver on the nonlinear benchmark
//! problem (`validation3d::nonlinear_tumor_problem`: a 50 mm cube of
//! healthy tissue, Eq. 3, around a 10 mm-radius tumor, Eq. 4, heated by a
//! Gaussian source) at n³ cells: cold solves (a prepared solver from
//! 37 °C) and warm ones (after Q changes by 2 %), on a rayon pool of the
//! chosen size. It prints each solve's time, then the best and the median
//! and the Newton and CG counts. Quick to rerun while comparing builds
//! back to back (docs/PERFORMANCE.md); the criterion figures come from
//! `cargo bench --bench bioheat3d`.
//!
//! Run: `cargo run --release --example fv3d_timing [-- --cells N --cold K
//! --warm K --threads T]` (defaults: 64 cells per side, 5 cold and 5 warm
//! solves, 1 thread).

use mnp_suite::bioheat::validation3d::nonlinear_tumor_problem;
use mnp_suite::bioheat::{FvConfig, FvSolver, SteadySolver};
use serde_json::json;
use std::time::Instant;

/// The command line's settings.
struct Settings {
    cells: usize,
    cold: usize,
    warm: usize,
    threads: usize,
}

fn settings() -> Result<Settings, Box<dyn std::error::Error>> {
    let mut s = Settings {
        cells: 64,
        cold: 5,
        warm: 5,
        threads: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--cells" => &mut s.cells,
            "--cold" => &mut s.cold,
            "--warm" => &mut s.warm,
            "--threads" => &mut s.threads,
            _ => {
                return Err(format!(
                    "unknown argument {flag:?} (flags: --cells, --cold, --warm, --threads)"
                )
                .into());
            }
        };
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        *slot = value
            .parse()
            .map_err(|_| format!("{flag} takes a whole number, not {value:?}"))?;
    }
    if s.cells < 8 || s.threads == 0 || s.cold + s.warm == 0 {
        return Err(
            "--cells must be at least 8, --threads at least 1, and --cold or --warm at least 1"
                .into(),
        );
    }
    Ok(s)
}

/// Best and median of `t` (ms); `None` when empty.
fn best_median(mut t: Vec<f64>) -> Option<(f64, f64)> {
    t.sort_by(f64::total_cmp);
    Some((*t.first()?, t[t.len() / 2]))
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let s = settings()?;
    let problem = nonlinear_tumor_problem(s.cells)?;
    let mut solver = FvSolver::new(problem.clone(), FvConfig::default())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(s.threads)
        .build()?;
    let start = problem.initial_temperature().clone();
    let time = |solver: &mut FvSolver<_>| -> Result<f64, Box<dyn std::error::Error>> {
        let t0 = Instant::now();
        pool.install(|| solver.solve_steady(None))?;
        Ok(t0.elapsed().as_secs_f64() * 1e3)
    };
    println!("{}³ cells, {} thread(s)", s.cells, s.threads);
    let mut cold = Vec::new();
    for _ in 0..s.cold {
        solver.set_state(start.view())?;
        cold.push(time(&mut solver)?);
        println!("cold {:9.1} ms", cold.last().expect("a time"));
    }
    let cold_stats = solver.last_stats();
    let q0 = problem.heat_source().clone();
    let q1 = q0.mapv(|q| 1.02 * q);
    let mut warm = Vec::new();
    for i in 0..s.warm {
        solver.set_heat_source(if i % 2 == 0 { q1.clone() } else { q0.clone() })?;
        warm.push(time(&mut solver)?);
        println!("warm {:9.1} ms", warm.last().expect("a time"));
    }
    let warm_stats = solver.last_stats();
    let (cold_best, cold_median) = best_median(cold).unzip();
    let (warm_best, warm_median) = best_median(warm).unzip();
    for (label, best, median) in [
        ("cold", cold_best, cold_median),
        ("warm", warm_best, warm_median),
    ] {
        if let (Some(best), Some(median)) = (best, median) {
            println!("{label}: best {best:.1} ms, median {median:.1} ms");
        }
    }
    println!(
        "{}",
        json!({
            "cells": s.cells,
            "threads": s.threads,
            "cold_ms": cold_best,
            "cold_median_ms": cold_median,
            "warm_ms": warm_best,
            "warm_median_ms": warm_median,
            "newton_cg_cold": [cold_stats.nonlinear_iterations, cold_stats.linear_iterations],
            "newton_cg_warm": [warm_stats.nonlinear_iterations, warm_stats.linear_iterations],
        })
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    mnp_suite::error::exit(run())
}
