//! The LBM in 2D: exact states, closed forms, conservation, determinism.

use lbm_bioheat::analytic::{disk_source, gaussian_hill};
use lbm_bioheat::{
    ConstantPerfusion, Grid, HealthyTissuePerfusion, LbmConfig, LbmSolver, PennesProblem,
    PerfusionModel, Shape, SteadySolver, TimeStep, TransientSolver, TumorPerfusion,
};
use ndarray::Array2;

const RHO_C: f64 = 1052.0 * 3800.0;
const CB: f64 = 3800.0;

fn config(tol: f64) -> LbmConfig {
    LbmConfig::default().with_steady_tolerance(tol).unwrap()
}

/// T = T_b + Q/W is a fixed point of the scheme, to rounding.
#[test]
fn uniform_state_is_exact() {
    let grid = Grid::centered_square(16, 0.01).unwrap();
    // Linear perfusion.
    let (w, q) = (0.8 * CB, 2.5e4);
    let p = PennesProblem::builder(grid, "tissue", ConstantPerfusion(0.8))
        .heat_source(grid.constant(q))
        .initial_temperature(37.0 + q / w)
        .build()
        .unwrap();
    let mut lbm = LbmSolver::new(p, LbmConfig::default()).unwrap();
    for _ in 0..500 {
        lbm.step().unwrap();
    }
    let err = lbm
        .temperature()
        .iter()
        .map(|t| (t - (37.0 + q / w)).abs())
        .fold(0.0, f64::max);
    assert!(err < 1e-9, "{err}");
    // Nonlinear perfusion: choose Q so that 44 °C is the equilibrium.
    let t0 = 44.0;
    let q = HealthyTissuePerfusion.rate(t0) * CB * (t0 - 37.0);
    let p = PennesProblem::builder(grid, "tissue", HealthyTissuePerfusion)
        .heat_source(grid.constant(q))
        .initial_temperature(t0)
        .build()
        .unwrap();
    let mut lbm = LbmSolver::new(p, LbmConfig::default()).unwrap();
    for _ in 0..500 {
        lbm.step().unwrap();
    }
    let err = lbm
        .temperature()
        .iter()
        .map(|t| (t - t0).abs())
        .fold(0.0, f64::max);
    assert!(err < 1e-9, "{err}");
}

/// A Gaussian hill without source spreads as σ0² + 2αt and decays as
/// exp(−βt).
#[test]
fn gaussian_hill_spreads_and_decays() {
    let grid = Grid::centered_square(64, 0.016).unwrap();
    let (amp, sigma0, w) = (5.0, 1e-3, 4e4);
    let init = grid.field(|x, y| 37.0 + amp * (-(x * x + y * y) / (2.0 * sigma0 * sigma0)).exp());
    let p = PennesProblem::builder(grid, "tissue", ConstantPerfusion(w / CB))
        .initial_field(init)
        .build()
        .unwrap();
    let mut lbm = LbmSolver::new(p, LbmConfig::default()).unwrap();
    let steps = (10.0 / lbm.time_step()).round() as usize;
    for _ in 0..steps {
        lbm.step().unwrap();
    }
    let (t, temp) = (lbm.time(), lbm.temperature());
    let (alpha, beta) = (0.5 / RHO_C, w / RHO_C);
    let mut err: f64 = 0.0;
    for ((i, j), v) in temp.indexed_iter() {
        let r = grid.x(i).hypot(grid.y(j));
        err = err.max((v - 37.0 - gaussian_hill(r, t, amp, sigma0, alpha, beta)).abs());
    }
    let peak = gaussian_hill(0.0, t, amp, sigma0, alpha, beta);
    assert!(peak < 0.3 * amp, "the hill has spread: peak {peak}");
    assert!(err < 5e-3 * amp, "max error {err} °C");
}

/// A uniform disk source with perfusion on a large adiabatic block: the
/// Bessel solution of an infinite medium.
#[test]
fn disk_source_matches_bessel_solution() {
    let grid = Grid::centered_square(120, 0.06).unwrap();
    // ṁ_b = 8 kg/(m³ s): decay length 1/m = 4 mm, so the 30 mm half-width is
    // about 7/m and the adiabatic walls do not disturb the infinite-medium form.
    let (radius, q0, rate) = (5e-3, 6e5, 8.0);
    // Each cell holds q0 times the fraction of it inside the disk (20 × 20
    // sub-samples), so the edge is not a staircase.
    let h = grid.dx() / 20.0;
    let q = grid.field(|x, y| {
        let mut inside = 0;
        for a in 0..20 {
            for b in 0..20 {
                let (u, v) = (
                    x - grid.dx() / 2.0 + (a as f64 + 0.5) * h,
                    y - grid.dx() / 2.0 + (b as f64 + 0.5) * h,
                );
                inside += usize::from(u * u + v * v <= radius * radius);
            }
        }
        q0 * inside as f64 / 400.0
    });
    let p = PennesProblem::builder(grid, "tissue", ConstantPerfusion(rate))
        .heat_source(q)
        .build()
        .unwrap();
    let mut lbm =
        LbmSolver::new(p, config(1e-9).with_time_step(TimeStep::Tau(2.0)).unwrap()).unwrap();
    let s = lbm.solve_steady(None).unwrap();
    let mut err: f64 = 0.0;
    for ((i, j), v) in s.temperature.indexed_iter() {
        let r = grid.x(i).hypot(grid.y(j));
        err = err.max((v - 37.0 - disk_source(r, radius, q0, rate * CB, 0.5)).abs());
    }
    let centre = disk_source(0.0, radius, q0, rate * CB, 0.5);
    assert!(centre > 5.0, "a visible rise: {centre}");
    assert!(err < 0.02, "max error {err} °C of {centre} °C");
}

fn tumor_problem(n: usize) -> PennesProblem {
    let grid = Grid::centered_square(n, 0.05).unwrap();
    let tumor = Shape::circle(0.0, 0.0, 5e-3).unwrap();
    let q = grid.field(|x, y| 6e5 * (-(x * x + y * y) / (2.0 * 2e-3f64.powi(2))).exp());
    PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
        .region("tumor", &tumor, TumorPerfusion)
        .heat_source(q)
        .build()
        .unwrap()
}

/// With adiabatic walls, the steady state balances ∫Q dA against the
/// perfusion sink ∫W(T)(T − T_b) dA.
#[test]
fn steady_energy_balance() {
    let p = tumor_problem(40);
    let mut lbm = LbmSolver::new(
        p.clone(),
        config(1e-13).with_time_step(TimeStep::Tau(3.0)).unwrap(),
    )
    .unwrap();
    let s = lbm.solve_steady(None).unwrap();
    let source: f64 = p.heat_source().sum();
    let mut sink = 0.0;
    for ((i, j), &t) in s.temperature.indexed_iter() {
        sink += p.perfusion_coefficient(i, j, t) * (t - 37.0);
    }
    let peak = s.temperature.iter().cloned().fold(0.0, f64::max);
    assert!(peak > 43.0, "peak {peak}");
    assert!(
        ((sink - source) / source).abs() < 1e-6,
        "source {source}, sink {sink}"
    );
}

/// The same run gives the same bits on one thread and on two.
#[test]
fn identical_on_one_and_two_threads() {
    let p = tumor_problem(130); // above the parallel threshold
    let run = |threads: usize| -> Array2<f64> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut lbm = LbmSolver::new(p.clone(), LbmConfig::default()).unwrap();
            for _ in 0..200 {
                lbm.step().unwrap();
            }
            lbm.temperature()
        })
    };
    let (a, b) = (run(1), run(2));
    assert!(
        a.iter()
            .zip(b.iter())
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
    assert!(a.iter().any(|&t| t > 37.01), "something happened");
}
