//! The LBM in 2D: exact states, closed forms, conservation, determinism.

use lbm_bioheat::validation::{
    disk_source, energy_balance, gaussian_hill, heated_tumor_problem, uniform_state,
};
use lbm_bioheat::{LbmConfig, LbmSolver, PennesProblem, TimeStep, TransientSolver};
use ndarray::Array2;

fn lbm(tau: f64, tolerance: f64) -> impl Fn(PennesProblem) -> lbm_bioheat::Result<LbmSolver> {
    move |p| {
        let cfg = LbmConfig::default()
            .with_time_step(TimeStep::Tau(tau))?
            .with_steady_tolerance(tolerance)?;
        LbmSolver::new(p, cfg)
    }
}

/// T = T_b + Q/W(T) is a fixed point of the scheme, to rounding.
#[test]
fn uniform_state_is_exact() {
    let drift = uniform_state(500, lbm(1.0, 1e-8)).unwrap();
    assert!(drift < 1e-9, "{drift}");
}

/// A Gaussian hill without source spreads as σ0² + 2αt and decays as
/// exp(−βt).
#[test]
fn gaussian_hill_spreads_and_decays() {
    let err = gaussian_hill(64, lbm(1.0, 1e-8)).unwrap();
    assert!(err < 0.025, "max error {err} °C of a 5 °C hill");
}

/// A uniform disk source with perfusion: the Bessel solution of an infinite
/// medium (max error 0.011 °C of 9.7 °C at R/dx = 10).
#[test]
fn disk_source_matches_bessel_solution() {
    let (err, centre) = disk_source(120, lbm(2.0, 1e-9)).unwrap();
    assert!(centre > 5.0, "a visible rise: {centre}");
    assert!(err < 0.02, "max error {err} °C of {centre} °C");
}

/// With adiabatic walls, the steady state balances ∫Q dA against the
/// perfusion sink ∫W(T)(T − T_b) dA.
#[test]
fn steady_energy_balance() {
    let (imbalance, peak) = energy_balance(40, lbm(3.0, 1e-13)).unwrap();
    assert!(peak > 43.0, "peak {peak}");
    assert!(imbalance.abs() < 1e-6, "relative imbalance {imbalance}");
}

/// The same run gives the same bits on one thread and on two.
#[test]
fn identical_on_one_and_two_threads() {
    let p = heated_tumor_problem(130).unwrap(); // above the parallel threshold
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
