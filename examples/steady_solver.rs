//! The finite-volume Newton–multigrid steady solver on the paper's
//! nonlinear problem (Table 2's eight-site optimum, Eqs. 3 and 4 perfusion,
//! the 50 mm block) at 100², 200² and 400²: setup (once per geometry),
//! cold (a prepared solver from 37 °C) and warm solve times,
//! Newton and CG iterations, T_c and T_r; the LBM marched to steady state
//! at 100² for the ratio; and each size's first Newton system written in
//! Matrix Market format, with the time of our multigrid-CG solve of it, for
//! a side-by-side with scipy.sparse.linalg.spsolve (docs/PERFORMANCE.md).
//!
//! Run: `cargo run --release --example steady_solver [-- OUT_DIR]` (OUT_DIR
//! defaults to target/steady_system). Wall-clock times here are single
//! runs for orientation; the criterion figures come from
//! `cargo bench --bench steady`.

use mnp_suite::bioheat::probe::bilinear;
use mnp_suite::bioheat::{FvConfig, FvSolver, LbmConfig, LbmSolver, SteadySolver, TimeStep};
use mnp_suite::physics::InjectionReference;
use mnp_suite::treatment::scenario::{
    GridAlignment, Scenario, SourceSampling, circular_injection, table2_eight_site_optimum,
};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

/// Median of `runs` timings of `f` (s).
fn median_time(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[runs / 2]
}

fn main() -> std::process::ExitCode {
    mnp_suite::error::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/steady_system"), PathBuf::from);
    std::fs::create_dir_all(&out_dir)?;
    let reference = InjectionReference::paper();
    let k = table2_eight_site_optimum(&reference)?;
    let cloud = circular_injection(&reference, 8, &k, 0.0)?;

    println!("Steady Pennes solve of Table 2's eight-site optimum (50 mm block, Eqs. 3-4)");
    println!(
        "{:>5} {:>9} {:>9} {:>9} {:>7} {:>6} {:>9} {:>9} {:>12} {:>8}",
        "n",
        "setup_ms",
        "cold_ms",
        "warm_ms",
        "newton",
        "cg",
        "Tc_C",
        "Tr_C",
        "linsolve_ms",
        "lin_cg"
    );
    let mut sizes = Vec::new();
    let mut cold_100 = 0.0;
    let mut lbm_problem = None;
    for n in [100usize, 200, 400] {
        let scenario = Scenario::paper_circular(n, 0.05, GridAlignment::NodeAtCentre)?;
        // Each solver takes φ as its method defines a source: cell means
        // for the finite volumes, node values for the LBM.
        let problem = scenario.problem_sampled(&cloud, SourceSampling::CellAverage)?;
        let runs = if n == 400 { 5 } else { 21 };
        let setup = median_time(runs, || {
            std::hint::black_box(
                FvSolver::new(problem.clone(), FvConfig::default()).expect("valid"),
            );
        });
        let mut s = FvSolver::new(problem.clone(), FvConfig::default())?;
        let start_field = problem.initial_temperature().clone();
        let cold = median_time(runs, || {
            s.set_state(start_field.view()).expect("valid");
            s.solve_steady(None).expect("converges");
        });
        // One more cold solve for its iteration counts and T_c, T_r.
        s.set_state(start_field.view())?;
        let steady = s.solve_steady(None)?;
        let stats = s.last_stats();
        let (q0, q1) = (
            problem.heat_source().clone(),
            problem.heat_source().mapv(|q| 1.02 * q),
        );
        let mut flip = false;
        let warm = median_time(runs, || {
            flip = !flip;
            s.set_heat_source(if flip { q1.clone() } else { q0.clone() })
                .expect("valid");
            s.solve_steady(None).expect("converges");
        });
        let tc = bilinear(scenario.grid(), &steady.temperature, 0.0, 0.0)?;
        let tr = bilinear(scenario.grid(), &steady.temperature, 5e-3, 0.0)?;
        // The first Newton system (from 37 °C), exported and solved by us
        // to a relative residual of 1e-10.
        let mut first = FvSolver::new(problem.clone(), FvConfig::default())?;
        let system = first.steady_newton_system();
        let matrix = out_dir.join(format!("newton_{n}.mtx"));
        let rhs = out_dir.join(format!("newton_{n}_rhs.mtx"));
        system.write_matrix_market(&matrix, &rhs)?;
        let mut lin_cg = 0;
        let lin = median_time(runs, || {
            lin_cg = first.solve_steady_newton_system(1e-10).expect("solves").1;
        });
        println!(
            "{:>5} {:>9.3} {:>9.3} {:>9.3} {:>7} {:>6} {:>9.3} {:>9.3} {:>12.3} {:>8}",
            n,
            setup * 1e3,
            cold * 1e3,
            warm * 1e3,
            stats.nonlinear_iterations,
            stats.linear_iterations,
            tc,
            tr,
            lin * 1e3,
            lin_cg
        );
        if n == 100 {
            cold_100 = cold;
            lbm_problem = Some(scenario.problem(&cloud)?);
        }
        sizes.push(json!({
            "n": n,
            "setup_ms": setup * 1e3,
            "cold_ms": cold * 1e3,
            "warm_ms": warm * 1e3,
            "newton_iterations": stats.nonlinear_iterations,
            "cg_iterations": stats.linear_iterations,
            "tc_c": tc,
            "tr_c": tr,
            "linear_solve_ms": lin * 1e3,
            "linear_solve_cg_iterations": lin_cg,
            "matrix": matrix.display().to_string(),
            "rhs": rhs.display().to_string(),
        }));
    }
    // The LBM marched to steady state (τ = 2, max |ΔT| per step < 1e-8 °C)
    // at 100², from the same 37 °C start.
    let start = Instant::now();
    let lbm = LbmSolver::new(
        lbm_problem.expect("100² ran"),
        LbmConfig::default().with_time_step(TimeStep::Tau(2.0))?,
    )?
    .solve_steady(None)?;
    let lbm_s = start.elapsed().as_secs_f64();
    let ratio = lbm_s / cold_100;
    println!(
        "\nLBM at 100^2: {:.2} s ({} steps); finite volumes cold {:.2} ms: {:.0}x faster",
        lbm_s,
        lbm.iterations,
        cold_100 * 1e3,
        ratio
    );
    let out = json!({
        "sizes": sizes,
        "lbm_100_s": lbm_s,
        "lbm_100_steps": lbm.iterations,
        "lbm_over_fv_cold_100": ratio,
    });
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}
