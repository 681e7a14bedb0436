//! Heterogeneous tissue and convective walls: the LBM's steady states do not
//! depend on (ρc), both solvers meet the closed forms of a two-layer slab
//! and of a slab behind a Robin wall at second order, and perfusion laws
//! are checked when a problem is built.

use lbm_bioheat::validation::{layered_slab, observed_orders, robin_slab};
use lbm_bioheat::{
    BioheatError, Boundary, ConstantPerfusion, FvConfig, FvSolver, Grid, HealthyTissuePerfusion,
    LbmConfig, LbmSolver, PennesProblem, Shape, Side, SteadySolver, TimeStep, TumorPerfusion,
};
use ndarray::Array2;

fn lbm(p: PennesProblem) -> lbm_bioheat::Result<LbmSolver> {
    LbmSolver::new(
        p,
        LbmConfig::default()
            .with_time_step(TimeStep::Tau(1.0))?
            .with_steady_tolerance(1e-13)?,
    )
}

fn fv(p: PennesProblem) -> lbm_bioheat::Result<FvSolver> {
    FvSolver::new(p, FvConfig::default().with_tolerance(1e-11)?)
}

/// A 40 mm block, a 10 mm square tumor heated by a Gaussian, a convective
/// top wall; `rc_tumor` is the tumor's (ρc).
fn square_tumor(n: usize, rc_tumor: f64) -> PennesProblem {
    let grid = Grid::centered_square(n, 0.04).unwrap();
    let tumor = Shape::rectangle(-5e-3, -5e-3, 5e-3, 5e-3).unwrap();
    let mask = tumor.mask(&grid);
    let rc = Array2::from_shape_fn(grid.shape(), |ij| {
        if mask[ij] { rc_tumor } else { 1052.0 * 3800.0 }
    });
    let q = grid.field(|x, y| 2e5 * (-(x * x + y * y) / (2.0 * 3e-3f64.powi(2))).exp());
    PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
        .region("tumor", &tumor, TumorPerfusion)
        .properties(rc, grid.constant(0.5))
        .heat_source(q)
        .boundary(
            Side::North,
            Boundary::Convective {
                h: 10.0,
                ambient_c: 25.0,
            },
        )
        .build()
        .unwrap()
}

/// max |T_uniform − T_doubled| (°C) of the LBM's steady states on `n` × `n`
/// cells, and the centre temperatures of the doubled case by LBM and FV.
fn heat_capacity_effect(n: usize) -> (f64, f64, f64) {
    let centre = |t: &Array2<f64>| {
        let h = n / 2;
        0.25 * (t[[h - 1, h - 1]] + t[[h, h - 1]] + t[[h - 1, h]] + t[[h, h]])
    };
    let steady = |p| lbm(p).unwrap().solve_steady(None).unwrap().temperature;
    let uniform = steady(square_tumor(n, 1052.0 * 3800.0));
    let doubled = steady(square_tumor(n, 2.0 * 1052.0 * 3800.0));
    let finite_volumes = fv(square_tumor(n, 2.0 * 1052.0 * 3800.0))
        .unwrap()
        .solve_steady(None)
        .unwrap()
        .temperature;
    let max_diff = uniform
        .iter()
        .zip(&doubled)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    (max_diff, centre(&doubled), centre(&finite_volumes))
}

#[test]
fn lbm_steady_states_do_not_depend_on_heat_capacity() {
    // The non-conservative form's steady state depends on (ρc) at every
    // resolution. The conservative form leaves a second-order
    // discretization term only: 5.1e-3 °C at 1 mm cells, a quarter of it at
    // 0.5 mm.
    let (coarse, coarse_lbm, coarse_fv) = heat_capacity_effect(20);
    let (fine, c_lbm, c_fv) = heat_capacity_effect(40);
    assert!(fine < 6e-3, "steady state moved by {fine} °C with (ρc)");
    assert!(
        coarse / fine > 3.5,
        "not second order: {coarse} then {fine}"
    );
    assert!(c_lbm > 38.0, "the tumor is heated: {c_lbm}");
    // The two solvers approach each other at second order (−0.19 °C at
    // 2 mm cells, −0.05 °C at 1 mm, −0.013 °C at 0.5 mm).
    let (gap_coarse, gap_fine) = (coarse_lbm - coarse_fv, c_lbm - c_fv);
    assert!(gap_fine.abs() < 0.06, "LBM {c_lbm} vs FV {c_fv}");
    assert!(
        gap_coarse / gap_fine > 3.3,
        "gaps {gap_coarse} then {gap_fine}"
    );
}

#[test]
fn lbm_transients_follow_the_local_heat_capacity() {
    // A uniform block with (ρc) doubled in one half and a uniform source:
    // without perfusion, each half heats at Q/(ρc) until diffusion mixes;
    // after one step from rest the rates differ by the factor 2.
    let grid = Grid::centered_square(16, 0.016).unwrap();
    let rc = grid.field(|x, _| if x < 0.0 { 4e6 } else { 8e6 });
    let p = PennesProblem::builder(grid, "tissue", ConstantPerfusion(0.0))
        .properties(rc, grid.constant(0.5))
        .heat_source(grid.constant(4e5))
        .build()
        .unwrap();
    let mut s = LbmSolver::new(p, LbmConfig::default()).unwrap();
    use lbm_bioheat::TransientSolver;
    s.step().unwrap();
    let dt = s.time_step();
    let t = s.temperature();
    // Far from the interface (x = ±7.5 mm), dT = Q dt/(ρc) exactly.
    let (cold, hot) = (t[[0, 8]] - 37.0, t[[15, 8]] - 37.0);
    assert!(
        (cold - 4e5 * dt / 4e6).abs() < 1e-12 * (1.0 + cold),
        "{cold}"
    );
    assert!((hot - 4e5 * dt / 8e6).abs() < 1e-12 * (1.0 + hot), "{hot}");
}

/// A solver factory.
type Make<S> = fn(PennesProblem) -> lbm_bioheat::Result<S>;
/// A validation case: its max error (°C) on a number of cells.
type Case<S> = fn(usize, Make<S>) -> lbm_bioheat::Result<f64>;

/// Errors of `case` for both solvers on 20, 40 and 80 cells: each below
/// `max_error` on 80 cells, and each refinement gaining order ≥ 1.8.
fn assert_second_order(case: Case<LbmSolver>, case_fv: Case<FvSolver>, max_error: f64) {
    let lbm_errors = [20, 40, 80].map(|n| case(n, lbm).unwrap());
    let fv_errors = [20, 40, 80].map(|n| case_fv(n, fv).unwrap());
    for (name, errors) in [("LBM", lbm_errors), ("FV", fv_errors)] {
        let orders = observed_orders(&errors);
        assert!(errors[2] < max_error, "{name}: max error {errors:?}");
        assert!(
            orders.iter().all(|&o| o >= 1.8),
            "{name}: errors {errors:?}, orders {orders:?}"
        );
    }
}

#[test]
fn two_layer_slab_converges_at_second_order() {
    assert_second_order(layered_slab, layered_slab, 2e-3);
}

#[test]
fn robin_wall_converges_at_second_order() {
    assert_second_order(robin_slab, robin_slab, 2e-3);
}

#[test]
fn perfusion_laws_are_checked_when_the_problem_is_built() {
    let grid = Grid::centered_square(8, 0.01).unwrap();
    let circle = Shape::circle(0.0, 0.0, 3e-3).unwrap();
    let err = PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
        .region("tumor", &circle, ConstantPerfusion(-0.5))
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, BioheatError::InvalidPerfusion { region, rate, .. } if region == "tumor" && *rate == -0.5),
        "{err}"
    );
    // A law that turns negative above 47.5 °C is caught at its first bad
    // sample, and the message names region and temperature.
    let err = PennesProblem::builder(grid, "muscle", |t: f64| {
        0.5 - 0.1 * (t - 45.0).max(0.0) * 2.0
    })
    .build()
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("'muscle'") && text.contains("at 48 °C"),
        "{text}"
    );
    let err = PennesProblem::builder(
        grid,
        "muscle",
        |t: f64| if t > 60.0 { f64::NAN } else { 1.0 },
    )
    .build()
    .unwrap_err();
    assert!(err.to_string().contains("NaN"), "{err}");
}
