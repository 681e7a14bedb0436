//! The LBM on 1D slabs against Zhang 2008 and the cosh profile (SPEC §10).

use lbm_bioheat::analytic::Slab1d;
use lbm_bioheat::{
    Boundary, ConstantPerfusion, Grid, LbmConfig, LbmSolver, PennesProblem, Side, SteadySolver,
    TimeStep, TransientSolver,
};

fn slab_solver(slab: &Slab1d, nx: usize, time_step: TimeStep, tolerance: f64) -> LbmSolver {
    let grid = Grid::new(nx, 1, slab.length / nx as f64, 0.0, 0.0).unwrap();
    let problem =
        PennesProblem::builder(grid, "tissue", ConstantPerfusion(slab.perfusion / 3800.0))
            .tissue(slab.heat_capacity, slab.conductivity)
            .blood(slab.blood_temperature, 3800.0)
            .uniform_metabolic_heat(slab.metabolic_heat)
            .boundary(Side::East, Boundary::Temperature(slab.wall_temperature))
            .initial_temperature(slab.equilibrium())
            .build()
            .unwrap();
    let config = LbmConfig::default()
        .with_time_step(time_step)
        .unwrap()
        .with_steady_tolerance(tolerance)
        .unwrap();
    LbmSolver::new(problem, config).unwrap()
}

/// T at the adiabatic wall x = 0 from the first two cell centres (quadratic
/// with zero slope): (9T_0 − T_1)/8.
fn wall_value(t: &ndarray::Array2<f64>) -> f64 {
    (9.0 * t[[0, 0]] - t[[1, 0]]) / 8.0
}

#[test]
fn zhang_2008_transient() {
    let slab = Slab1d::zhang_2008();
    let mut lbm = slab_solver(&slab, 80, TimeStep::Seconds(0.25), 1e-9);
    let mut worst: f64 = 0.0;
    for t_end in [300.0, 1000.0, 3000.0, 10000.0] {
        while lbm.time() < t_end - 1e-9 {
            lbm.step().unwrap();
        }
        let ours = wall_value(&lbm.temperature());
        let exact = slab.transient(0.0, t_end);
        worst = worst.max((ours - exact).abs());
        assert!(
            (ours - exact).abs() < 0.02,
            "t = {t_end}: LBM {ours}, exact {exact}"
        );
    }
    let steady = lbm.solve_steady(None).unwrap();
    let ours = wall_value(&steady.temperature);
    assert!(
        (ours - slab.steady(0.0)).abs() < 0.02,
        "steady: {ours} vs {}",
        slab.steady(0.0)
    );
    // In fact far better than the 0.02 °C asked for.
    assert!(worst < 2e-3, "worst {worst}");
}

fn cosh_error(nx: usize) -> f64 {
    // A strongly perfused slab so the profile has curvature to resolve.
    let slab = Slab1d {
        length: 0.01,
        perfusion: 4e4,
        ..Slab1d::zhang_2008()
    };
    let mut lbm = slab_solver(&slab, nx, TimeStep::Tau(1.0), 1e-11);
    let s = lbm.solve_steady(None).unwrap();
    let dx = slab.length / nx as f64;
    (0..nx)
        .map(|i| (s.temperature[[i, 0]] - slab.steady((i as f64 + 0.5) * dx)).abs())
        .fold(0.0, f64::max)
}

#[test]
fn cosh_profile_converges_at_second_order() {
    let errors: Vec<f64> = [10, 20, 40, 80].iter().map(|&n| cosh_error(n)).collect();
    assert!(errors[3] < 1e-3, "errors {errors:?}");
    let orders: Vec<f64> = errors.windows(2).map(|w| (w[0] / w[1]).log2()).collect();
    // Second order, approached from below: 1.82, 1.91, 1.95 on 10..80 cells.
    assert!(orders.windows(2).all(|o| o[1] > o[0]), "orders {orders:?}");
    assert!((orders[2] - 2.0).abs() < 0.1, "orders {orders:?}");
}
