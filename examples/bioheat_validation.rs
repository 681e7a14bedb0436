//! Verification of the Pennes solvers at publication resolution
//! (closed forms): Zhang 2008's 1D transient, the cosh profile and its observed
//! order, the uniform disk source (Bessel form), the spreading Gaussian
//! hill, the exact uniform state, the steady energy balance, a two-layer
//! slab with jumps in k, (ρc), perfusion and source, and a slab behind a
//! convective wall, for the LBM and for the finite-volume solver
//! (Newton–multigrid steady, Crank–Nicolson and backward Euler transient);
//! then the two steady states side by side.
//!
//! Run: `cargo run --release --example bioheat_validation` (under a minute).
//! The last line of standard output is a JSON object with the key figures.

use mnp_suite::bioheat::validation::heated_tumor_problem;
use mnp_suite::bioheat::validation::{
    cosh_profile, disk_source, energy_balance, gaussian_hill, layered_slab, observed_orders,
    robin_slab, uniform_state, zhang_2008,
};
use mnp_suite::bioheat::{
    FvConfig, FvSolver, ImplicitStep, LbmConfig, LbmSolver, PennesProblem, SteadySolver,
    TimeScheme, TimeStep,
};
use serde_json::json;

fn lbm(
    time_step: TimeStep,
    tolerance: f64,
) -> impl Fn(PennesProblem) -> mnp_suite::bioheat::Result<LbmSolver> {
    move |p| {
        LbmSolver::new(
            p,
            LbmConfig::default()
                .with_time_step(time_step)?
                .with_steady_tolerance(tolerance)?,
        )
    }
}

fn fv(
    scheme: TimeScheme,
    dt: f64,
) -> impl Fn(PennesProblem) -> mnp_suite::bioheat::Result<FvSolver> {
    move |p| {
        FvSolver::new(
            p,
            FvConfig::default()
                .with_scheme(scheme)
                .with_time_step(ImplicitStep::Fixed(dt))?
                .with_tolerance(1e-10)?,
        )
    }
}

fn main() -> std::process::ExitCode {
    mnp_suite::error::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Zhang 2008 on 200 cells (dx = 0.2 mm), dt = 0.05 s.
    let z = zhang_2008(200, lbm(TimeStep::Seconds(0.05), 1e-10))?;
    println!("Zhang 2008, 1D transient, T(x = 0) in °C (200 cells, dt = 0.05 s)");
    println!(
        "{:>10} {:>12} {:>12} {:>12} {:>10}",
        "t_s", "LBM", "exact", "Zhang 2008", "err_C"
    );
    let labels = ["300", "1000", "3000", "10000", "steady"];
    for (k, label) in labels.iter().enumerate() {
        println!(
            "{:>10} {:>12.5} {:>12.5} {:>12.5} {:>10.2e}",
            label,
            z.ours[k],
            z.exact[k],
            z.published[k],
            (z.ours[k] - z.exact[k]).abs()
        );
    }

    let ns = [25, 50, 100, 200, 400];
    let cosh: Vec<f64> = ns
        .iter()
        .map(|&n| cosh_profile(n, lbm(TimeStep::Tau(1.0), 1e-12)))
        .collect::<Result<_, _>>()?;
    let orders = observed_orders(&cosh);
    println!("\nSteady cosh profile (10 mm slab, W = 4e4 W/(m^3 K)): max error and observed order");
    println!("{:>6} {:>12} {:>8}", "cells", "max_err_C", "order");
    for (k, n) in ns.iter().enumerate() {
        let o = if k == 0 {
            "-".to_string()
        } else {
            format!("{:.3}", orders[k - 1])
        };
        println!("{:>6} {:>12.3e} {:>8}", n, cosh[k], o);
    }
    let order = *orders.last().expect("several grids");

    let (disk_err, disk_centre) = disk_source(240, lbm(TimeStep::Tau(2.0), 1e-10))?;
    let hill_err = gaussian_hill(128, lbm(TimeStep::Tau(1.0), 1e-8))?;
    let uniform_err = uniform_state(10_000, lbm(TimeStep::Tau(1.0), 1e-8))?;
    let (imbalance, peak) = energy_balance(100, lbm(TimeStep::Tau(3.0), 1e-13))?;
    println!("\nOther checks");
    println!(
        "  disk source, 240^2 over 60 mm: max error {disk_err:.2e} °C of a {disk_centre:.3} °C rise"
    );
    println!("  Gaussian hill, 128^2 over 16 mm, 10 s: max error {hill_err:.2e} °C of 5 °C");
    println!("  uniform state T_b + Q/W(T) at 44 °C, 10 000 steps: max drift {uniform_err:.2e} °C");
    println!(
        "  steady energy balance, 100^2 heated tumor (peak {peak:.2} °C): relative imbalance {imbalance:.2e}"
    );

    // Heterogeneous tissue and convective walls: errors and observed orders
    // on 20, 40, 80 and 160 cells, both solvers.
    let slab_cells = [20, 40, 80, 160];
    let errors = |case: &dyn Fn(usize) -> mnp_suite::bioheat::Result<f64>| {
        slab_cells
            .iter()
            .map(|&n| case(n))
            .collect::<Result<Vec<f64>, _>>()
    };
    let layered = errors(&|n| layered_slab(n, lbm(TimeStep::Tau(1.0), 1e-13)))?;
    let layered_fv = errors(&|n| layered_slab(n, fv(TimeScheme::CrankNicolson, 1.0)))?;
    let robin = errors(&|n| robin_slab(n, lbm(TimeStep::Tau(1.0), 1e-13)))?;
    let robin_fv = errors(&|n| robin_slab(n, fv(TimeScheme::CrankNicolson, 1.0)))?;
    let last_order = |e: &[f64]| *observed_orders(e).last().expect("several grids");
    println!(
        "\nTwo-layer slab (k 0.5 | 0.2, (ρc) 4e6 | 2e6, W 2000 | 500, Q 2e4 | 0) and a slab behind a"
    );
    println!("convective wall (h = 200 W/(m^2 K) into 20 °C): max error (°C) and observed order");
    println!(
        "{:>6} {:>12} {:>6} {:>12} {:>6} {:>12} {:>6} {:>12} {:>6}",
        "cells",
        "layered LBM",
        "order",
        "layered FV",
        "order",
        "Robin LBM",
        "order",
        "Robin FV",
        "order"
    );
    let (ol, olf, or, orf) = (
        observed_orders(&layered),
        observed_orders(&layered_fv),
        observed_orders(&robin),
        observed_orders(&robin_fv),
    );
    for (k, n) in slab_cells.iter().enumerate() {
        let o = |v: &[f64]| {
            if k == 0 {
                "-".to_string()
            } else {
                format!("{:.2}", v[k - 1])
            }
        };
        println!(
            "{:>6} {:>12.3e} {:>6} {:>12.3e} {:>6} {:>12.3e} {:>6} {:>12.3e} {:>6}",
            n,
            layered[k],
            o(&ol),
            layered_fv[k],
            o(&olf),
            robin[k],
            o(&or),
            robin_fv[k],
            o(&orf)
        );
    }

    // The finite-volume solver on the same cases.
    let zf = zhang_2008(200, fv(TimeScheme::CrankNicolson, 5.0))?;
    let zb = zhang_2008(200, fv(TimeScheme::BackwardEuler, 0.5))?;
    let cosh_fv: Vec<f64> = ns
        .iter()
        .map(|&n| cosh_profile(n, fv(TimeScheme::CrankNicolson, 1.0)))
        .collect::<Result<_, _>>()?;
    let orders_fv = observed_orders(&cosh_fv);
    let (disk_fv, _) = disk_source(240, fv(TimeScheme::CrankNicolson, 1.0))?;
    let hill_fv = gaussian_hill(128, fv(TimeScheme::CrankNicolson, 0.1))?;
    let uniform_fv = uniform_state(100, fv(TimeScheme::CrankNicolson, 10.0))?;
    let (imbalance_fv, _) = energy_balance(100, fv(TimeScheme::CrankNicolson, 1.0))?;
    println!("\nFinite volumes (Newton-multigrid steady; implicit transient)");
    println!(
        "{:>10} {:>12} {:>12} {:>12}",
        "t_s", "CN dt=5s", "BE dt=0.5s", "exact"
    );
    for (k, label) in labels.iter().enumerate() {
        println!(
            "{:>10} {:>12.5} {:>12.5} {:>12.5}",
            label, zf.ours[k], zb.ours[k], zf.exact[k]
        );
    }
    println!(
        "  Zhang max error: CN {:.2e} °C, BE {:.2e} °C",
        zf.max_error, zb.max_error
    );
    println!("  cosh profile max error / order:");
    for (k, n) in ns.iter().enumerate() {
        let o = if k == 0 {
            "-".to_string()
        } else {
            format!("{:.3}", orders_fv[k - 1])
        };
        println!("{:>6} {:>12.3e} {:>8}", n, cosh_fv[k], o);
    }
    println!("  disk source 240^2: max error {disk_fv:.2e} °C");
    println!("  Gaussian hill 128^2, CN dt = 0.1 s: max error {hill_fv:.2e} °C");
    println!("  uniform state, 100 CN steps of 10 s: max drift {uniform_fv:.2e} °C");
    println!("  steady energy balance 100^2: relative imbalance {imbalance_fv:.2e}");

    // LBM and finite-volume steady states of the heated tumor (Eqs. 3, 4)
    // at the paper's 100².
    let lbm_steady = LbmSolver::new(
        heated_tumor_problem(100)?,
        LbmConfig::default()
            .with_time_step(TimeStep::Tau(2.0))?
            .with_steady_tolerance(1e-10)?,
    )?
    .solve_steady(None)?;
    let fv_steady =
        FvSolver::new(heated_tumor_problem(100)?, FvConfig::default())?.solve_steady(None)?;
    let lbm_vs_steady = lbm_steady
        .temperature
        .iter()
        .zip(&fv_steady.temperature)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    println!(
        "\nHeated tumor 100^2: LBM ({} steps) vs finite volumes ({} Newton iterations): max |dT| = {lbm_vs_steady:.4} °C",
        lbm_steady.iterations, fv_steady.iterations
    );

    let out = json!({
        "zhang_t0_c": z.ours,
        "zhang_exact_t0_c": z.exact,
        "zhang_published_t0_c": z.published,
        "zhang_max_err_c": z.max_error,
        "disk_max_err_c": disk_err,
        "cosh_max_err_c": cosh.last(),
        "convergence_order": order,
        "hill_max_err_c": hill_err,
        "uniform_drift_c": uniform_err,
        "energy_imbalance_rel": imbalance,
        "lbm_vs_steady_max_diff_c": lbm_vs_steady,
        "layered_max_err_c": layered.last(),
        "layered_order": last_order(&layered),
        "robin_wall_max_err_c": robin.last(),
        "robin_wall_order": last_order(&robin),
        "fv": {
            "zhang_cn_t0_c": zf.ours,
            "zhang_cn_max_err_c": zf.max_error,
            "zhang_be_max_err_c": zb.max_error,
            "cosh_max_err_c": cosh_fv.last(),
            "convergence_order": orders_fv.last(),
            "disk_max_err_c": disk_fv,
            "hill_max_err_c": hill_fv,
            "uniform_drift_c": uniform_fv,
            "energy_imbalance_rel": imbalance_fv,
            "layered_max_err_c": layered_fv.last(),
            "layered_order": last_order(&layered_fv),
            "robin_wall_max_err_c": robin_fv.last(),
            "robin_wall_order": last_order(&robin_fv),
        },
    });
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}
