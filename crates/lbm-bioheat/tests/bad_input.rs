//! Bad input gives typed errors that say what and where.

use lbm_bioheat::{
    BioheatError, Boundary, ConstantPerfusion, Grid, LbmConfig, LbmSolver, PennesProblem, Shape,
    Side, SteadySolver, TimeStep, TransientSolver,
};
use ndarray::Array2;

fn grid() -> Grid {
    Grid::centered_square(10, 0.01).unwrap()
}

fn builder() -> lbm_bioheat::PennesProblemBuilder {
    PennesProblem::builder(grid(), "healthy", ConstantPerfusion(0.5))
}

#[test]
fn unstable_relaxation_time() {
    for tau in [0.5, 0.3, f64::NAN, f64::INFINITY] {
        let e = LbmConfig::default()
            .with_time_step(TimeStep::Tau(tau))
            .unwrap_err();
        // A uniform τ: no cell is named.
        assert!(
            matches!(e, BioheatError::InvalidParameter { name, .. } if name.contains("tau")),
            "{e:?}"
        );
        assert!(e.to_string().contains("<= 0.5 is unstable"), "{e}");
        assert!(!e.to_string().contains("cell"), "{e}");
    }
    assert!(
        LbmConfig::default()
            .with_time_step(TimeStep::Seconds(0.0))
            .is_err()
    );
}

#[test]
fn mismatched_shapes_and_bad_fields() {
    let e = builder()
        .heat_source(Array2::zeros((9, 10)))
        .build()
        .unwrap_err();
    assert_eq!(
        e,
        BioheatError::ShapeMismatch {
            what: "heat source Q (W/m^3)",
            expected: vec![10, 10],
            found: vec![9, 10]
        }
    );
    let mut k = grid().constant(0.5);
    k[[3, 4]] = f64::NAN;
    match builder()
        .properties(grid().constant(4e6), k)
        .build()
        .unwrap_err()
    {
        BioheatError::InvalidField { cell, what, .. } => {
            assert_eq!((cell.i, cell.j, cell.k), (3, 4, None));
            assert_eq!(cell.to_string(), "(3, 4)");
            assert!(what.contains("conductivity"));
        }
        e => panic!("{e:?}"),
    }
    let mut rc = grid().constant(4e6);
    rc[[0, 9]] = -1.0;
    assert!(matches!(
        builder()
            .properties(rc, grid().constant(0.5))
            .build()
            .unwrap_err(),
        BioheatError::InvalidField {
            cell: lbm_bioheat::CellIndex {
                i: 0,
                j: 9,
                k: None
            },
            ..
        }
    ));
    assert!(builder().tissue(4e6, 0.0).build().is_err());
    assert!(builder().blood(37.0, -1.0).build().is_err());
    assert!(
        builder()
            .boundary(Side::North, Boundary::Temperature(f64::NAN))
            .build()
            .is_err()
    );
    assert!(
        builder()
            .boundary(
                Side::North,
                Boundary::Convective {
                    h: -1.0,
                    ambient_c: 20.0
                }
            )
            .build()
            .is_err()
    );
    let mut phi = grid().constant(0.01);
    phi[[5, 5]] = -0.1;
    assert!(
        builder()
            .volume_fraction(&phi, |p| (4e6, 0.5 + p))
            .build()
            .is_err()
    );
}

#[test]
fn region_names_are_unique() {
    let tumor = Shape::circle(0.0, 0.0, 2e-3).unwrap();
    let rim = Shape::circle(0.0, 0.0, 3e-3).unwrap();
    for (first, second) in [("healthy", "tumor"), ("tumor", "tumor")] {
        let e = builder()
            .region(first, &rim, ConstantPerfusion(0.8))
            .region(second, &tumor, ConstantPerfusion(0.8))
            .build()
            .unwrap_err();
        let name = if first == "healthy" { first } else { second };
        assert_eq!(
            e,
            BioheatError::DuplicateRegion {
                region: name.into()
            }
        );
        assert!(e.to_string().contains("must be unique"), "{e}");
    }
}

#[test]
fn a_region_without_cells() {
    // A tumor far outside the block selects no cell.
    let tumor = Shape::circle(1.0, 1.0, 1e-3).unwrap();
    let e = builder()
        .region("tumor", &tumor, ConstantPerfusion(0.8))
        .build()
        .unwrap_err();
    assert_eq!(
        e,
        BioheatError::EmptyRegion {
            region: "tumor".into()
        }
    );
    assert!(Shape::circle(0.0, 0.0, -1.0).is_err());
    assert!(Shape::rectangle(0.0, 0.0, -1.0, 1.0).is_err());
    let p = builder().build().unwrap();
    assert!(matches!(
        p.region_mask("tumor").unwrap_err(),
        BioheatError::UnknownRegion(_)
    ));
}

#[test]
fn tolerance_and_budget() {
    assert!(LbmConfig::default().with_steady_tolerance(0.0).is_err());
    assert!(LbmConfig::default().with_steady_tolerance(-1e-6).is_err());
    assert!(LbmConfig::default().with_max_steps(0).is_err());
    let p = builder().heat_source(grid().constant(1e4)).build().unwrap();
    let cfg = LbmConfig::default().with_max_steps(10).unwrap();
    let mut lbm = LbmSolver::new(p, cfg).unwrap();
    match lbm.solve_steady(None).unwrap_err() {
        BioheatError::NotConverged {
            steps, last_change, ..
        } => {
            assert_eq!(steps, 10);
            assert!(last_change > 0.0);
        }
        e => panic!("{e:?}"),
    }
    assert!(
        lbm.solve_steady(Some(Array2::zeros((3, 3)).view()))
            .is_err()
    );
}

#[test]
fn divergence_is_reported_with_place_and_time() {
    // A perfusion law that would pump heat in (negative ṁ_b) is refused
    // before any step.
    let e = PennesProblem::builder(grid(), "healthy", |_t: f64| -2000.0)
        .initial_temperature(38.0)
        .build()
        .unwrap_err();
    assert!(
        matches!(&e, BioheatError::InvalidPerfusion { region, .. } if region == "healthy"),
        "{e:?}"
    );
    // A source far beyond anything physical makes T run away: the time
    // loop stops with the step, the time and the cell.
    let p = builder()
        .heat_source(grid().constant(1e13))
        .build()
        .unwrap();
    let mut lbm = LbmSolver::new(p, LbmConfig::default()).unwrap();
    let r = (0..100).try_for_each(|_| lbm.step());
    match r {
        Err(BioheatError::Diverged {
            step,
            time_s,
            value,
            ..
        }) => {
            assert!(step > 0 && time_s > 0.0);
            assert!(!value.is_finite() || value.abs() > 1e3);
        }
        r => panic!("{r:?}"),
    }
}

/// Blood below 0 °C or above 100 °C is not blood.
#[test]
fn blood_temperature_must_be_physical() {
    for t in [-300.0, 0.0, 100.0, f64::NAN] {
        assert!(builder().blood(t, 3800.0).build().is_err(), "{t}");
    }
    assert!(builder().blood(37.0, 3800.0).build().is_ok());
}

/// A grid too large to hold its fields is refused when built.
#[test]
fn huge_grids_are_refused() {
    assert!(lbm_bioheat::Grid::centered_square(100_000, 1.0).is_err());
    assert!(lbm_bioheat::Grid::new(usize::MAX, 2, 1.0, 0.0, 0.0).is_err());
}

/// A perfusion law that claims a constant rate and later takes the claim
/// back is refused by the LBM with the region named, not trusted (nor a
/// panic).
#[test]
fn a_law_that_stops_being_constant_is_refused() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct Fickle(AtomicUsize);
    impl lbm_bioheat::PerfusionModel for Fickle {
        fn rate(&self, _t: f64) -> f64 {
            0.5
        }
        fn constant_rate(&self) -> Option<f64> {
            // Constant for the build check and both linearity checks (the
            // test's and the solver's), not for the coefficients.
            (self.0.fetch_add(1, Ordering::Relaxed) < 3).then_some(0.5)
        }
    }
    let grid = lbm_bioheat::Grid::centered_square(8, 0.008).unwrap();
    let p = lbm_bioheat::PennesProblem::builder(grid, "fickle", Fickle(AtomicUsize::new(0)))
        .build()
        .unwrap();
    assert!(p.is_linear());
    match lbm_bioheat::LbmSolver::new(p, lbm_bioheat::LbmConfig::default()) {
        Err(lbm_bioheat::BioheatError::InvalidPerfusion { region, .. }) => {
            assert_eq!(region, "fickle")
        }
        other => panic!("{other:?}"),
    }
}
