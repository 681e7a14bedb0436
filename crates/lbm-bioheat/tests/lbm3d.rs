//! The D3Q7 lattice Boltzmann solver: the heated sphere against its closed
//! form and against the 3D finite volumes, an extruded 2D problem against
//! D2Q5, the conservative form's steady state independent of (ρc), and its
//! refusals.

use lbm_bioheat::validation3d::{HeatedSphere, extruded, extrusion_problem, heated_sphere};
use lbm_bioheat::{
    BioheatError, FvConfig, FvSolver, Grid3, HealthyTissuePerfusion, LbmConfig, LbmSolver,
    LbmSolver3, PennesProblem, PennesProblem3, SteadySolver, TimeStep, TransientSolver,
};
use ndarray::Axis;

fn d3q7(tau: f64) -> LbmConfig {
    LbmConfig::d3q7()
        .with_time_step(TimeStep::Tau(tau))
        .unwrap()
        .with_steady_tolerance(1e-9)
        .unwrap()
}

#[test]
fn heated_sphere_by_d3q7_converges_at_second_order() {
    let coarse = heated_sphere(16, |p| LbmSolver3::new(p, d3q7(1.0))).unwrap();
    let fine = heated_sphere(32, |p| LbmSolver3::new(p, d3q7(1.0))).unwrap();
    let fv = heated_sphere(32, |p| FvSolver::new(p, FvConfig::default())).unwrap();
    let (e1, e2) = (coarse.centre_cells_error_c, fine.centre_cells_error_c);
    // 2 mm cells: 0.14 K under the 9.5 K rise (0.70 K on 4 mm cells).
    assert!(e2 < 0.0 && e2.abs() < 0.2, "{fine:?}");
    let order = (e1 / e2).log2();
    assert!((1.8..=2.6).contains(&order), "{e1} {e2}: order {order}");
    // Same sign and size as the finite volumes' error, a few times larger.
    assert!(
        (e2 - fv.centre_cells_error_c).abs() < 0.15,
        "{fine:?} {fv:?}"
    );
}

#[test]
fn d3q7_on_an_extruded_problem_matches_d2q5() {
    let p2 = extrusion_problem().unwrap();
    let p3 = extruded(&p2, 3).unwrap();
    let t2 = LbmSolver::new(
        p2,
        LbmConfig::default()
            .with_time_step(TimeStep::Tau(1.0))
            .unwrap()
            .with_steady_tolerance(1e-10)
            .unwrap(),
    )
    .unwrap()
    .solve_steady(None)
    .unwrap()
    .temperature;
    let t3 = LbmSolver3::new(p3, d3q7(1.0).with_steady_tolerance(1e-10).unwrap())
        .unwrap()
        .solve_steady(None)
        .unwrap()
        .temperature;
    // Every z layer alike (adiabatic z faces), and the two lattices agree
    // to their discretization error on 1 mm cells.
    let mut spread: f64 = 0.0;
    let mut diff: f64 = 0.0;
    for layer in t3.axis_iter(Axis(2)) {
        for ((a, b), c) in layer.iter().zip(t3.index_axis(Axis(2), 0)).zip(&t2) {
            spread = spread.max((a - b).abs());
            diff = diff.max((a - c).abs());
        }
    }
    assert!(spread < 1e-9, "layers differ by {spread}");
    assert!(diff < 0.05, "D3Q7 vs D2Q5: {diff} °C");
}

/// The conservative form: doubling (ρc) in half the block moves the
/// steady state only by the discretization error, which shrinks at second
/// order (a non-conservative scheme keeps an O(1) gap).
#[test]
fn d3q7_steady_state_converges_to_one_independent_of_heat_capacity() {
    let gap = |n: usize| {
        let solve = |double: bool| {
            let case = HeatedSphere::standard();
            let mut p = case.problem(n).unwrap();
            let grid = *p.grid();
            let rc = grid.field(|x, _, _| if double && x > 0.0 { 8e6 } else { 4e6 });
            p.set_properties(rc, grid.constant(case.k_w_mk)).unwrap();
            LbmSolver3::new(p, d3q7(1.0))
                .unwrap()
                .solve_steady(None)
                .unwrap()
                .temperature
        };
        let (a, b) = (solve(false), solve(true));
        a.iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    };
    let (coarse, fine) = (gap(16), gap(32));
    assert!(fine < 0.02, "{coarse} {fine}");
    assert!(coarse / fine > 3.0, "{coarse} {fine}");
}

#[test]
fn d3q7_refuses_non_cubic_cells_and_bad_weights_and_detects_divergence() {
    let grid = Grid3::new([4, 4, 4], [1e-3, 1e-3, 2e-3], [0.0; 3]).unwrap();
    let p: PennesProblem3 = PennesProblem::builder(grid, "t", HealthyTissuePerfusion)
        .build()
        .unwrap();
    assert_eq!(
        LbmSolver3::new(p.clone(), LbmConfig::d3q7()).unwrap_err(),
        BioheatError::NonCubicCells {
            solver: "the D3Q7 lattice Boltzmann solver",
            dx: 1e-3,
            dy: 1e-3,
            dz: 2e-3
        }
    );
    // Voxel sizes equal but for their last bits count as cubic.
    let nearly = Grid3::new([4, 4, 4], [1e-3, 1e-3 * (1.0 + 1e-12), 1e-3], [0.0; 3]).unwrap();
    let p = PennesProblem::builder(nearly, "t", HealthyTissuePerfusion)
        .build()
        .unwrap();
    assert!(LbmSolver3::new(p, LbmConfig::d3q7()).is_ok());
    let cube = Grid3::centered_cube(6, 0.006).unwrap();
    let p = PennesProblem::builder(cube, "t", HealthyTissuePerfusion)
        .heat_source(cube.constant(1e13))
        .build()
        .unwrap();
    assert!(matches!(
        LbmSolver3::new(p.clone(), LbmConfig::default()),
        Err(BioheatError::InvalidParameter { .. })
    ));
    let mut s = LbmSolver3::new(p, LbmConfig::d3q7()).unwrap();
    match (0..200).try_for_each(|_| s.step()) {
        Err(BioheatError::Diverged { cell, step, .. }) => {
            assert!(step > 0 && cell.k.is_some(), "{cell:?}");
        }
        other => panic!("{other:?}"),
    }
}

/// In-place AA streaming and two buffers give the same bits, step by step
/// (odd and even step counts), with every kind of wall, nonlinear
/// perfusion and a jump in (ρc), on one thread and on the rayon pool.
#[test]
fn aa_pattern_and_two_buffers_agree_bit_for_bit() {
    use lbm_bioheat::{Boundary, Face, Shape3, Streaming, TumorPerfusion};
    for n in [6usize, 26] {
        let grid = Grid3::new([n, n + 1, n + 2], [1e-3; 3], [0.0; 3]).unwrap();
        let heat = grid.field(|x, y, z| 4e5 * (-((x - 3e-3).powi(2) + y * y + z * z) / 2e-5).exp());
        let rc = grid.field(|x, _, _| if x > 2e-3 { 5e6 } else { 4e6 });
        let k = grid.field(|_, y, _| if y > 2e-3 { 0.6 } else { 0.5 });
        let p = PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
            .region(
                "tumor",
                &Shape3::sphere([2e-3, 2e-3, 2e-3], 1.5e-3).unwrap(),
                TumorPerfusion,
            )
            .properties(rc, k)
            .heat_source(heat)
            .boundary(Face::West, Boundary::Temperature(36.0))
            .boundary(
                Face::Top,
                Boundary::Convective {
                    h: 30.0,
                    ambient_c: 20.0,
                },
            )
            .boundary(Face::North, Boundary::Temperature(38.0))
            .build()
            .unwrap();
        let config = LbmConfig::d3q7();
        let mut aa = LbmSolver3::with_streaming(p.clone(), config, Streaming::InPlaceAa).unwrap();
        let mut two = LbmSolver3::with_streaming(p, config, Streaming::TwoBuffers).unwrap();
        for step in 1..=7 {
            aa.step().unwrap();
            two.step().unwrap();
            let (a, b) = (aa.temperature(), two.temperature());
            assert!(
                a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "{n}: step {step} differs"
            );
        }
        assert_eq!(aa.last_change().to_bits(), two.last_change().to_bits());
    }
}
